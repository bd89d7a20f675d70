// The controller's work queue, with client-go's util/workqueue contract (queue.go, doc.go):
//   - stingy: a key added many times before a worker takes it is processed once;
//   - never twice at once: a key re-added while a worker holds it is parked in `dirty` and
//     queued again only when that worker calls done();
//   - fair: keys come out in the order they were first added;
//   - delayed adds (addAfter) wait in a heap; rate-limited adds wait as long as the rate
//     limiter says (per-key exponential backoff, overall token bucket).
// Keys are strings, normally `namespace/name`.

import { type Clock, systemClock, type Timer } from './clock.ts';
import { createDelayHeap } from './delay-heap.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/** Hooks for the workqueue_* metrics; see metrics.ts. Every call is for one key. */
export type QueueMetrics = {
  /** The key entered the dirty set (queued or parked). */
  add(key: string): void;
  /** A worker took the key. */
  get(key: string): void;
  /** The worker finished the key. */
  done(key: string): void;
  /** The key was added with a delay (rate-limited retry or addAfter). */
  retry(): void;
};

export const noQueueMetrics: QueueMetrics = { add() {}, get() {}, done() {}, retry() {} };

export type WorkQueueOptions = {
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: QueueMetrics;
};

export type WorkQueue = {
  add(key: string): void;
  /** Adds `key` once `ms` have passed; `ms <= 0` adds it now. */
  addAfter(key: string, ms: number): void;
  /** Adds `key` after the rate limiter's delay for it (one more failure counted). */
  addRateLimited(key: string): void;
  /** Clears the key's failure count, so its next rate-limited add starts at the base delay. */
  forget(key: string): void;
  numRequeues(key: string): number;
  /** The next key to process, waiting for one; undefined once the queue shuts down. */
  get(): Promise<string | undefined>;
  /** Must be called once for every key get() returned. */
  done(key: string): void;
  /** Keys waiting for a worker (not counting delayed or in-progress keys). */
  len(): number;
  /** Keys a worker holds right now. */
  processingCount(): number;
  /** Stops at once: further adds are ignored, queued and delayed keys dropped, waiting get()s end. */
  shutDown(): void;
  /** Stops taking adds, lets workers finish every queued key, resolves when all are done. */
  shutDownWithDrain(): Promise<void>;
  isShuttingDown(): boolean;
};

export function createWorkQueue(opts: WorkQueueOptions = {}): WorkQueue {
  const clock = opts.clock ?? systemClock;
  const rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter(clock);
  const metrics = opts.metrics ?? noQueueMetrics;

  // Invariants (client-go queue.go): every key in `queue` is in `dirty`; a key is never in
  // `queue` and `processing` at once; a key in both `dirty` and `processing` is parked.
  let queue: string[] = [];
  let head = 0;
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const waiters: Array<(key: string | undefined) => void> = [];
  const delayed = createDelayHeap();
  let delayTimer: Timer | undefined;
  let delayTimerAt = Infinity;
  let shuttingDown = false;
  let drained: (() => void) | undefined;

  const queued = () => queue.length - head;

  const push = (key: string) => {
    queue.push(key);
    dispatch();
  };

  const take = (): string => {
    const key = queue[head]!;
    head++;
    // Compact now and then so the array does not grow without bound.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    processing.add(key);
    dirty.delete(key);
    metrics.get(key);
    return key;
  };

  /** Hands queued keys to waiting workers; ends the waits once shut down and empty. */
  const dispatch = () => {
    while (waiters.length > 0 && queued() > 0) waiters.shift()!(take());
    if (shuttingDown && queued() === 0) {
      while (waiters.length > 0) waiters.shift()!(undefined);
    }
    checkDrained();
  };

  const checkDrained = () => {
    if (drained && queued() === 0 && processing.size === 0) {
      const resolve = drained;
      drained = undefined;
      resolve();
    }
  };

  const add = (key: string) => {
    if (shuttingDown || dirty.has(key)) return;
    metrics.add(key);
    dirty.add(key);
    if (processing.has(key)) return;
    push(key);
  };

  const armDelayTimer = () => {
    const next = delayed.peekTime();
    if (next === undefined || next >= delayTimerAt) return;
    delayTimer?.cancel();
    delayTimerAt = next;
    delayTimer = clock.setTimer(fireDelayed, next - clock.now());
  };

  const fireDelayed = () => {
    delayTimer = undefined;
    delayTimerAt = Infinity;
    for (const key of delayed.takeReady(clock.now())) add(key);
    armDelayTimer();
  };

  const addAfter = (key: string, ms: number) => {
    if (shuttingDown) return;
    metrics.retry();
    if (ms <= 0) return add(key);
    delayed.schedule(key, clock.now() + ms);
    armDelayTimer();
  };

  const stopDelays = () => {
    shuttingDown = true;
    delayTimer?.cancel();
    delayTimer = undefined;
    delayTimerAt = Infinity;
    delayed.clear();
  };

  return {
    add,
    addAfter,
    addRateLimited: (key) => addAfter(key, rateLimiter.when(key)),
    forget: (key) => rateLimiter.forget(key),
    numRequeues: (key) => rateLimiter.numRequeues(key),
    get() {
      if (queued() > 0) return Promise.resolve(take());
      if (shuttingDown) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(key) {
      if (!processing.delete(key)) return;
      metrics.done(key);
      // A key added while it was processed was parked; now it may run again.
      if (dirty.has(key)) push(key);
      else checkDrained();
    },
    len: queued,
    processingCount: () => processing.size,
    shutDown() {
      stopDelays();
      // Queued and parked keys alike are dropped; keys being processed finish on their own.
      dirty.clear();
      queue = [];
      head = 0;
      dispatch();
    },
    shutDownWithDrain() {
      stopDelays();
      const done = new Promise<void>((resolve) => (drained = resolve));
      dispatch();
      return done;
    },
    isShuttingDown: () => shuttingDown,
  };
}
