import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  exponentialRateLimiter,
  maxOfRateLimiters,
} from '../../../src/kube/rate-limiter.ts';
import { createFakeClock } from '../../fixtures/kube/fake-clock.ts';

describe('exponentialRateLimiter', () => {
  it('doubles from 5 ms and stops at 1000 s', () => {
    const l = exponentialRateLimiter();
    const delays = Array.from({ length: 30 }, () => l.when('k'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    // 5 ms · 2^17 = 655 s is the last step under the cap; 2^18 would be 1310 s.
    assert.equal(delays[17], 655_360);
    assert.equal(delays[18], 1_000_000);
    assert.ok(delays.slice(18).every((d) => d === 1_000_000));
  });

  it('keeps each key’s failures apart', () => {
    const l = exponentialRateLimiter();
    l.when('a');
    l.when('a');
    assert.equal(l.when('b'), 5);
    assert.equal(l.numRequeues('a'), 2);
  });

  it('starts over at 5 ms after forget', () => {
    const l = exponentialRateLimiter();
    l.when('k');
    l.when('k');
    l.forget('k');
    assert.equal(l.numRequeues('k'), 0);
    assert.equal(l.when('k'), 5);
  });

  it('stays finite after thousands of failures', () => {
    const l = exponentialRateLimiter();
    let last = 0;
    for (let i = 0; i < 5000; i++) last = l.when('k');
    assert.equal(last, 1_000_000);
  });
});

describe('bucketRateLimiter', () => {
  it('lets a burst of 100 through without delay, then spaces retries 100 ms apart', () => {
    const l = bucketRateLimiter(createFakeClock(), 10, 100);
    const delays = Array.from({ length: 103 }, (_, i) => l.when(`k${i}`));
    assert.ok(delays.slice(0, 100).every((d) => d === 0));
    assert.deepEqual(delays.slice(100).map(Math.round), [100, 200, 300]);
  });

  it('refills at 10 tokens per second', () => {
    const clock = createFakeClock();
    const l = bucketRateLimiter(clock, 10, 100);
    for (let i = 0; i < 100; i++) l.when('k');
    clock.advance(1000);
    const delays = Array.from({ length: 11 }, () => l.when('k'));
    assert.ok(delays.slice(0, 10).every((d) => d === 0));
    assert.equal(Math.round(delays[10]!), 100);
  });
});

describe('maxOfRateLimiters', () => {
  it('waits as long as the slowest limiter says', () => {
    const clock = createFakeClock();
    const l = maxOfRateLimiters(exponentialRateLimiter(), bucketRateLimiter(clock, 10, 1));
    assert.equal(l.when('a'), 5, 'the bucket has a token, the backoff says 5 ms');
    assert.equal(Math.round(l.when('b')), 100, 'the bucket is empty: 100 ms beats 5 ms');
  });
});

describe('defaultControllerRateLimiter', () => {
  it('gives a single failing key the pure exponential sequence', () => {
    const l = defaultControllerRateLimiter(createFakeClock());
    assert.deepEqual(Array.from({ length: 4 }, () => l.when('k')), [5, 10, 20, 40]);
    assert.equal(l.numRequeues('k'), 4);
  });
});
