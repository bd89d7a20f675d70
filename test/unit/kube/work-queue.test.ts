import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWorkQueue } from '../../../src/kube/work-queue.ts';
import { exponentialRateLimiter } from '../../../src/kube/rate-limiter.ts';
import { createFakeClock } from '../../fixtures/kube/fake-clock.ts';

/** get() without waiting: the key if one is queued now, else 'none'. */
async function tryGet(q: ReturnType<typeof createWorkQueue>): Promise<string | undefined | 'none'> {
  if (q.len() === 0 && !q.isShuttingDown()) return 'none';
  return q.get();
}

describe('createWorkQueue', () => {
  it('coalesces a key added many times before a worker takes it', async () => {
    const q = createWorkQueue({ clock: createFakeClock() });
    for (let i = 0; i < 100; i++) q.add('ns/a');
    q.add('ns/b');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), 'ns/b');
    assert.equal(await tryGet(q), 'none');
  });

  it('hands out keys in the order they were first added', async () => {
    const q = createWorkQueue({ clock: createFakeClock() });
    for (const k of ['c', 'a', 'b', 'a', 'c']) q.add(k);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['c', 'a', 'b']);
  });

  it('never hands out a key that a worker is still processing', async () => {
    const q = createWorkQueue({ clock: createFakeClock() });
    q.add('k');
    const first = await q.get();
    q.add('k');
    q.add('k');
    assert.equal(q.len(), 0, 'the re-added key is parked, not queued');
    assert.equal(await tryGet(q), 'none');
    q.done(first!);
    assert.equal(q.len(), 1, 'done() releases the parked key once');
    assert.equal(await q.get(), 'k');
    q.done('k');
    assert.equal(q.len(), 0);
  });

  it('wakes a waiting worker when a key is added', async () => {
    const q = createWorkQueue({ clock: createFakeClock() });
    const pending = q.get();
    q.add('late');
    assert.equal(await pending, 'late');
  });

  it('adds a key after its delay and not before', async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    q.addAfter('k', 1000);
    clock.advance(999);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
  });

  it('releases delayed keys in order of their ready time, not of their adds', async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    q.addAfter('slow', 300);
    q.addAfter('fast', 100);
    q.addAfter('middle', 200);
    clock.advance(300);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['fast', 'middle', 'slow']);
  });

  it('keeps the earlier ready time when a waiting key is added again with a later one', () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    q.addAfter('k', 100);
    q.addAfter('k', 5000);
    clock.advance(100);
    assert.equal(q.len(), 1);
  });

  it('moves a waiting key forward when it is added again with an earlier time', () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    q.addAfter('k', 5000);
    q.addAfter('k', 100);
    clock.advance(100);
    assert.equal(q.len(), 1);
  });

  it('adds at once when the delay is zero or negative', () => {
    const q = createWorkQueue({ clock: createFakeClock() });
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    assert.equal(q.len(), 2);
  });

  it('delays rate-limited adds by the per-key backoff and forgets it on request', () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock, rateLimiter: exponentialRateLimiter(5, 1_000_000) });
    q.addRateLimited('k');
    q.addRateLimited('k');
    assert.equal(q.numRequeues('k'), 2);
    clock.advance(4);
    assert.equal(q.len(), 0, 'first retry waits 5 ms');
    clock.advance(1);
    assert.equal(q.len(), 1);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
  });

  it('ignores adds and ends waiting workers after an immediate shutdown', async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('k');
    q.addAfter('later', 10);
    clock.advance(10);
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
  });

  it('drops queued, parked and delayed keys on an immediate shutdown', async () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    q.add('busy');
    const busy = await q.get();
    q.add('busy');
    q.add('queued');
    q.addAfter('delayed', 10);
    q.shutDown();
    q.done(busy!);
    clock.advance(10);
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
    assert.equal(clock.pending(), 0, 'no timer is left behind');
  });

  it('lets workers finish queued keys when shutting down with drain, then resolves', async () => {
    const q = createWorkQueue({ clock: createFakeClock() });
    q.add('a');
    q.add('b');
    const held = await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    q.add('ignored');
    assert.equal(await q.get(), 'b');
    q.done('b');
    await Promise.resolve();
    assert.equal(drained, false, 'a is still being processed');
    q.done(held!);
    await drain;
    assert.equal(drained, true);
    assert.equal(await q.get(), undefined);
  });

  it('reports every add, get and done to its metrics hooks', async () => {
    const calls: string[] = [];
    const q = createWorkQueue({
      clock: createFakeClock(),
      metrics: {
        add: (k) => calls.push(`add ${k}`),
        get: (k) => calls.push(`get ${k}`),
        done: (k) => calls.push(`done ${k}`),
        retry: () => calls.push('retry'),
      },
    });
    q.add('k');
    q.add('k');
    await q.get();
    q.addAfter('k', 0);
    q.done('k');
    assert.deepEqual(calls, ['add k', 'get k', 'retry', 'add k', 'done k']);
  });
});
