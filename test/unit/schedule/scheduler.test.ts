import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { Clock } from '../../../src/kube/clock.ts';
import { scheduleMetrics } from '../../../src/schedule/metrics.ts';
import { createScheduler, MAX_SLEEP_MS } from '../../../src/schedule/scheduler.ts';
import { createJumpingClock, type JumpingClock } from '../../fixtures/schedule/jumping-clock.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A running scheduler on a fake clock, and the keys it woke, in order. */
function setup(opts: { clock?: JumpingClock; timerClock?: Clock; registry?: Registry; start?: boolean } = {}) {
  const clock = opts.clock ?? createJumpingClock();
  const woken: string[] = [];
  const scheduler = createScheduler({
    clock: opts.timerClock ?? clock,
    wake: (key) => woken.push(key),
    registry: opts.registry,
  });
  const leading = new AbortController();
  const running = opts.start === false ? undefined : scheduler.run(leading.signal);
  return { clock, woken, scheduler, leading, running };
}

describe('createScheduler', () => {
  it('wakes a key at its due time and not before', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('chains/hourly', clock.now() + MINUTE);
    clock.advance(MINUTE - 1);
    assert.deepEqual(woken, []);
    clock.advance(1);
    assert.deepEqual(woken, ['chains/hourly']);
  });

  it('wakes a key once for each time it is set', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('chains/hourly', clock.now() + MINUTE);
    clock.advance(60 * MINUTE);
    assert.deepEqual(woken, ['chains/hourly']);
    scheduler.set('chains/hourly', clock.now() + MINUTE);
    clock.advance(60 * MINUTE);
    assert.deepEqual(woken, ['chains/hourly', 'chains/hourly']);
  });

  it('accepts the due time as a Date', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('chains/hourly', new Date(clock.now() + MINUTE));
    clock.advance(MINUTE);
    assert.deepEqual(woken, ['chains/hourly']);
  });

  it('wakes a key set for a time already past at once', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('chains/hourly', clock.now() - MINUTE);
    clock.advance(0);
    assert.deepEqual(woken, ['chains/hourly']);
  });

  it('wakes keys in the order of their due times', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('ns/c', clock.now() + 3 * SECOND);
    scheduler.set('ns/a', clock.now() + 1 * SECOND);
    scheduler.set('ns/b', clock.now() + 2 * SECOND);
    clock.advance(3 * SECOND);
    assert.deepEqual(woken, ['ns/a', 'ns/b', 'ns/c']);
  });

  it('moves a key to the later time when set again', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('chains/hourly', clock.now() + MINUTE);
    scheduler.set('chains/hourly', clock.now() + 2 * MINUTE);
    clock.advance(MINUTE);
    assert.deepEqual(woken, []);
    clock.advance(MINUTE);
    assert.deepEqual(woken, ['chains/hourly']);
  });

  it('moves a key to the earlier time when set again', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('chains/hourly', clock.now() + 2 * MINUTE);
    scheduler.set('chains/hourly', clock.now() + MINUTE);
    clock.advance(MINUTE);
    assert.deepEqual(woken, ['chains/hourly']);
    clock.advance(MINUTE);
    assert.deepEqual(woken, ['chains/hourly']);
  });

  it('never wakes a removed key', () => {
    const { clock, woken, scheduler } = setup();
    scheduler.set('ns/gone', clock.now() + MINUTE);
    scheduler.set('ns/kept', clock.now() + 2 * MINUTE);
    scheduler.remove('ns/gone');
    clock.advance(5 * MINUTE);
    assert.deepEqual(woken, ['ns/kept']);
  });

  it('keeps one timer for every schedule', () => {
    const { clock, scheduler } = setup();
    for (let i = 0; i < 1000; i++) scheduler.set(`ns/svs-${i}`, clock.now() + (i % 60) * SECOND + MINUTE);
    assert.equal(clock.pending(), 1);
  });

  it('arms no timer when nothing waits', () => {
    const { clock, scheduler } = setup();
    scheduler.set('ns/a', clock.now() + MINUTE);
    scheduler.remove('ns/a');
    assert.equal(clock.pending(), 0);
  });

  it('refuses a malformed due time', () => {
    const { scheduler } = setup();
    assert.throws(() => scheduler.set('ns/a', Number.NaN), RangeError);
  });

  describe('leadership', () => {
    it('wakes nothing before run()', () => {
      const { clock, woken, scheduler } = setup({ start: false });
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      clock.advance(5 * MINUTE);
      assert.deepEqual(woken, []);
      assert.equal(clock.pending(), 0);
    });

    it('wakes the keys set before run() that are already due as soon as it runs', () => {
      const { clock, woken, scheduler } = setup({ start: false });
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      clock.advance(5 * MINUTE);
      void scheduler.run(new AbortController().signal);
      clock.advance(0);
      assert.deepEqual(woken, ['chains/hourly']);
    });

    it('wakes nothing once its signal aborts, and run() resolves', async () => {
      const { clock, woken, scheduler, leading, running } = setup();
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      leading.abort();
      await running;
      clock.advance(5 * MINUTE);
      scheduler.set('chains/daily', clock.now() + MINUTE);
      clock.advance(5 * MINUTE);
      assert.deepEqual(woken, []);
      assert.equal(clock.pending(), 0);
    });

    it('returns at once from run() with a signal already aborted', async () => {
      const { clock, woken, scheduler } = setup({ start: false });
      scheduler.set('chains/hourly', clock.now());
      await scheduler.run(AbortSignal.abort());
      clock.advance(MINUTE);
      assert.deepEqual(woken, []);
    });

    it('keeps the keys of one leader term for the next', async () => {
      const { clock, woken, scheduler, leading, running } = setup();
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      leading.abort();
      await running;
      clock.advance(2 * MINUTE);
      void scheduler.run(new AbortController().signal);
      clock.advance(0);
      assert.deepEqual(woken, ['chains/hourly']);
    });

    it('refuses a second run() while one is running', async () => {
      const { scheduler } = setup();
      await assert.rejects(scheduler.run(new AbortController().signal), /already running/);
    });

    it('stops waking the rest of a batch when a wake-up ends leadership', () => {
      const clock = createJumpingClock();
      const leading = new AbortController();
      const woken: string[] = [];
      const scheduler = createScheduler({
        clock,
        wake(key) {
          woken.push(key);
          leading.abort();
        },
      });
      void scheduler.run(leading.signal);
      scheduler.set('ns/a', clock.now() + SECOND);
      scheduler.set('ns/b', clock.now() + SECOND);
      clock.advance(MINUTE);
      assert.deepEqual(woken, ['ns/a']);
      void scheduler.run(new AbortController().signal);
      clock.advance(0);
      assert.deepEqual(woken, ['ns/a', 'ns/b'], 'the next term wakes what the last one did not');
    });
  });

  describe('late timers and clock jumps', () => {
    it('wakes every key whose time passed once, in order, when the timer runs late', () => {
      // The event loop was busy: every timer goes off 30 s late.
      const clock = createJumpingClock();
      const timerClock: Clock = { now: clock.now, setTimer: (fn, ms) => clock.setTimer(fn, ms + 30 * SECOND) };
      const { woken, scheduler } = setup({ clock, timerClock });
      scheduler.set('ns/b', clock.now() + 2 * SECOND);
      scheduler.set('ns/a', clock.now() + 1 * SECOND);
      scheduler.set('ns/c', clock.now() + 3 * SECOND);
      scheduler.set('ns/later', clock.now() + 10 * MINUTE);
      clock.advance(31 * SECOND);
      assert.deepEqual(woken, ['ns/a', 'ns/b', 'ns/c']);
      clock.advance(5 * MINUTE);
      assert.deepEqual(woken, ['ns/a', 'ns/b', 'ns/c'], 'each woken once');
    });

    it('wakes the keys a forward clock jump passed within MAX_SLEEP_MS', () => {
      const { clock, woken, scheduler } = setup();
      scheduler.set('chains/hourly', clock.now() + 60 * MINUTE);
      scheduler.set('chains/daily', clock.now() + 24 * 60 * MINUTE);
      clock.jump(2 * 60 * MINUTE);
      clock.advance(MAX_SLEEP_MS);
      assert.deepEqual(woken, ['chains/hourly']);
    });

    it('does not wake a key early when the clock is set back', () => {
      const { clock, woken, scheduler } = setup();
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      clock.jump(-30 * MINUTE);
      clock.advance(MINUTE);
      assert.deepEqual(woken, []);
      clock.advance(30 * MINUTE - 1);
      assert.deepEqual(woken, []);
      clock.advance(1);
      assert.deepEqual(woken, ['chains/hourly']);
    });
  });

  it('still wakes the other keys when one wake-up throws', () => {
    const clock = createJumpingClock();
    const woken: string[] = [];
    const scheduler = createScheduler({
      clock,
      wake(key) {
        if (key === 'ns/bad') throw new Error('queue is shut down');
        woken.push(key);
      },
    });
    void scheduler.run(new AbortController().signal);
    scheduler.set('ns/bad', clock.now() + SECOND);
    scheduler.set('ns/good', clock.now() + SECOND);
    clock.advance(SECOND);
    assert.deepEqual(woken, ['ns/good']);
  });

  describe('metrics', () => {
    const values = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)!.get()).values;

    it('exports each schedule’s next fire time in unix seconds', async () => {
      const registry = new Registry();
      const { clock, scheduler } = setup({ registry });
      const dueAt = clock.now() + MINUTE;
      scheduler.set('chains/hourly', dueAt);
      assert.deepEqual(await values(registry, 'cosmos_operator_schedule_next_fire_timestamp_seconds'), [
        { value: dueAt / 1000, labels: { scheduledvolumesnapshot: 'chains/hourly' } },
      ]);
    });

    it('drops a schedule’s next fire time when it is removed', async () => {
      const registry = new Registry();
      const { clock, scheduler } = setup({ registry });
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      scheduler.set('chains/daily', clock.now() + MINUTE);
      scheduler.remove('chains/hourly');
      const left = await values(registry, 'cosmos_operator_schedule_next_fire_timestamp_seconds');
      assert.deepEqual(left.map((v) => v.labels.scheduledvolumesnapshot), ['chains/daily']);
    });

    it('observes the lag from due time to wake-up', async () => {
      const registry = new Registry();
      const clock = createJumpingClock();
      const timerClock: Clock = { now: clock.now, setTimer: (fn, ms) => clock.setTimer(fn, ms + 2500) };
      const { scheduler } = setup({ clock, timerClock, registry });
      scheduler.set('chains/hourly', clock.now() + MINUTE);
      clock.advance(2 * MINUTE);
      const text = await registry.getSingleMetricAsString('cosmos_operator_schedule_fire_lag_seconds');
      assert.match(text, /^cosmos_operator_schedule_fire_lag_seconds_sum 2\.5$/m);
      assert.match(text, /^cosmos_operator_schedule_fire_lag_seconds_count 1$/m);
    });

    it('registers its metrics once per registry, missed slots included', async () => {
      const registry = new Registry();
      setup({ registry });
      setup({ registry });
      scheduleMetrics(registry).missedSlots.inc(3);
      assert.deepEqual(await values(registry, 'cosmos_operator_schedule_missed_slots_total'), [
        { value: 3, labels: {} },
      ]);
    });
  });
});
