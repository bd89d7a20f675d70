// The in-process cron scheduler (docs/architecture.md §2.8, docs/compatibility.md §7
// "Scheduling"): ONE timer for every schedule in the cluster. Keys ("namespace/name") wait in a
// min-heap by due time; a single timer is armed for the earliest, and when it goes off every key
// whose time has passed is woken once (the controller's enqueue) and leaves the heap until the
// controller sets its next time. What is due is decided by ./due.ts from stored status; this
// only keeps the alarm clock, so losing it (a restart, a handover) loses nothing.
//
// Leader-only work: nothing is woken before run() or after its signal aborts; set() and remove()
// work at any time, so a controller can fill the heap from its cache before it leads.
import type { Registry } from 'prom-client';
import { type Clock, systemClock, type Timer } from '../kube/clock.ts';
import type { LeaderWork } from '../kube/controller.ts';
import { createDelayHeap } from '../kube/delay-heap.ts';
import type { Logger } from '../log/log.ts';
import { scheduleMetrics } from './metrics.ts';

/**
 * Longest the timer sleeps before it reads the clock again. Timers run on a monotonic clock, so
 * after the wall clock jumps forward, keys it jumped past are woken within this, not after the
 * whole sleep. client-go's delaying queue wakes every 10 s for the same reason.
 */
export const MAX_SLEEP_MS = 10_000;

export type SchedulerOptions = {
  /** Called once per due key, from the timer; the controller's enqueue. */
  wake(key: string): void;
  clock?: Clock;
  registry?: Registry;
  log?: Logger;
};

export type Scheduler = LeaderWork & {
  /** Wakes `key` at `dueAt` (epoch ms or a Date), replacing any time it had. A past time wakes it at once. */
  set(key: string, dueAt: number | Date): void;
  /** Forgets `key` (its object is gone, suspended, or will never fire). */
  remove(key: string): void;
};

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  const metrics = opts.registry ? scheduleMetrics(opts.registry) : undefined;
  const heap = createDelayHeap();
  const dueAtOf = new Map<string, number>();
  let running: AbortSignal | undefined;
  let timer: Timer | undefined;
  let timerAt = Infinity; // the clock time the armed timer was set for

  const disarm = () => {
    timer?.cancel();
    timer = undefined;
    timerAt = Infinity;
  };

  const arm = () => {
    if (running === undefined) return;
    const earliest = heap.peekTime();
    if (earliest === undefined) return disarm();
    if (timer !== undefined && earliest >= timerAt) return; // it wakes in time, then re-arms
    disarm();
    const now = clock.now();
    const wait = Math.min(Math.max(0, earliest - now), MAX_SLEEP_MS);
    timerAt = now + wait;
    timer = clock.setTimer(fire, wait);
  };

  function fire(): void {
    timer = undefined;
    timerAt = Infinity;
    const signal = running;
    if (signal === undefined || signal.aborted) return;
    const now = clock.now();
    for (const key of heap.takeReady(now)) {
      const dueAt = dueAtOf.get(key)!;
      if (signal.aborted) {
        heap.schedule(key, dueAt); // an earlier wake() stopped us: keep the rest for the next leader term
        continue;
      }
      dueAtOf.delete(key);
      metrics?.fireLag.observe((now - dueAt) / 1000);
      try {
        opts.wake(key);
      } catch (error) {
        opts.log?.error('scheduler wake failed', { key, error });
      }
    }
    arm();
  }

  return {
    name: 'scheduler',
    set(key, dueAt) {
      const at = typeof dueAt === 'number' ? dueAt : dueAt.getTime();
      if (!Number.isFinite(at)) throw new RangeError(`scheduler: invalid due time for ${key}`);
      if (dueAtOf.get(key) === at) return;
      heap.remove(key);
      heap.schedule(key, at);
      dueAtOf.set(key, at);
      metrics?.nextFire.set({ scheduledvolumesnapshot: key }, at / 1000);
      arm();
    },
    remove(key) {
      heap.remove(key);
      dueAtOf.delete(key);
      metrics?.nextFire.remove({ scheduledvolumesnapshot: key });
      if (heap.size() === 0) disarm();
    },
    run(signal) {
      if (running !== undefined) return Promise.reject(new Error('scheduler: run() is already running'));
      if (signal.aborted) return Promise.resolve();
      running = signal;
      return new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          disarm();
          running = undefined;
          resolve();
        }, { once: true });
        arm();
      });
    },
  };
}
