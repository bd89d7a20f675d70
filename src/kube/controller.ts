// A controller: N workers take keys from the work queue and call reconcile(key). Only this
// file maps a reconcile's outcome to queue operations (controller-runtime's reconcileHandler,
// pkg/internal/controller/controller.go), so every reconciler gets the same retry semantics:
//   done                 → forget the backoff                         result="success"
//   requeueAfter(ms)     → forget, then add the key after ms          result="requeue_after"
//   transient error      → add rate-limited (5 ms … 1000 s per key)   result="error"
//   permanent error      → forget; wait for the next change           result="error" (+ terminal)
// An error thrown by reconcile wins over any requeueAfter. Errors that are not ReconcileErrors
// are classified by api-errors.ts (a 422 that escapes is permanent, anything else transient).

import type { Registry } from 'prom-client';
import type { Logger } from '../log/log.ts';
import { isReconcileError, type ReconcileResult } from './reconcile-result.ts';
import { classifyApiError, describeApiError } from './api-errors.ts';
import { type Clock, systemClock } from './clock.ts';
import { controllerMetrics, createQueueMetrics, initControllerMetrics, type ReconcileResultLabel } from './metrics.ts';
import { parseObjectKey } from './object-key.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { createWorkQueue, type WorkQueue } from './work-queue.ts';

export type ReconcileContext = {
  /** A fresh UUID per reconcile, for correlating log lines (controller-runtime's reconcileID). */
  reconcileID: string;
  /** Already carries controller, namespace, name and reconcileID. */
  log: Logger;
  /** Aborted when the controller stops. */
  signal: AbortSignal;
};

export type Reconciler = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>;

export type Outcome = { kind: 'result'; result: ReconcileResult } | { kind: 'error'; error: unknown };

export type QueueAction =
  | { kind: 'forget' }
  | { kind: 'requeueAfter'; ms: number }
  | { kind: 'retry' }
  | { kind: 'giveUp' };

export type OutcomePlan = { action: QueueAction; result: ReconcileResultLabel; terminal: boolean };

/** The queue operation and metric label for an outcome (pure). */
export function planOutcome(outcome: Outcome): OutcomePlan {
  if (outcome.kind === 'error') {
    const terminal = errorKind(outcome.error) === 'permanent';
    return { action: terminal ? { kind: 'giveUp' } : { kind: 'retry' }, result: 'error', terminal };
  }
  if (outcome.result.kind === 'requeueAfter') {
    return {
      action: { kind: 'requeueAfter', ms: Math.max(0, outcome.result.ms) },
      result: 'requeue_after',
      terminal: false,
    };
  }
  return { action: { kind: 'forget' }, result: 'success', terminal: false };
}

export function errorKind(err: unknown): 'transient' | 'permanent' {
  if (isReconcileError(err)) return err.kind;
  return classifyApiError(err, 'write') === 'permanent' ? 'permanent' : 'transient';
}

export type QueueForOutcomes = Pick<WorkQueue, 'forget' | 'addAfter' | 'addRateLimited'>;

export function applyQueueAction(queue: QueueForOutcomes, key: string, action: QueueAction): void {
  switch (action.kind) {
    case 'forget':
    case 'giveUp':
      queue.forget(key);
      return;
    case 'requeueAfter':
      queue.forget(key);
      queue.addAfter(key, action.ms);
      return;
    case 'retry':
      queue.addRateLimited(key);
      return;
  }
}

export type ControllerOptions = {
  /** Lower-case kind, as controller-runtime's builder names controllers (`cosmosfullnode`). */
  name: string;
  reconcile: Reconciler;
  /** Concurrent reconciles (MaxConcurrentReconciles); default 1. */
  workers?: number;
  log: Logger;
  registry?: Registry;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  /** For tests: a queue built elsewhere. */
  queue?: WorkQueue;
};

export type Controller = {
  readonly name: string;
  readonly queue: WorkQueue;
  enqueue(key: string): void;
  /** Runs the workers; resolves once stop() was called and every worker has returned. */
  run(): Promise<void>;
  /**
   * Stops taking keys. With `drain`, queued keys are still reconciled first; without, only
   * the reconciles in progress finish (their signal is aborted). Resolves when workers are idle.
   */
  stop(opts?: { drain?: boolean }): Promise<void>;
};

/**
 * Work that runs only while this replica leads: a controller with its caches, the cron scheduler.
 * The manager starts it when the lease is won and aborts `signal` when it is lost or on shutdown.
 */
export type LeaderWork = { name: string; run(signal: AbortSignal): Promise<void> };

export function createController(opts: ControllerOptions): Controller {
  const { name, reconcile } = opts;
  const clock = opts.clock ?? systemClock;
  const workers = Math.max(1, opts.workers ?? 1);
  const metrics = opts.registry ? controllerMetrics(opts.registry) : undefined;
  const queue = opts.queue ??
    createWorkQueue({
      clock,
      rateLimiter: opts.rateLimiter ?? defaultControllerRateLimiter(clock),
      metrics: opts.registry ? createQueueMetrics(opts.registry, name, clock) : undefined,
    });
  if (metrics) initControllerMetrics(metrics, name, workers);
  const log = opts.log.child({ controller: name });
  const stopping = new AbortController();
  let running: Promise<void> | undefined;

  const processKey = async (key: string): Promise<void> => {
    const reconcileID = crypto.randomUUID();
    const { namespace, name: objectName } = parseObjectKey(key);
    const rlog = log.child({ namespace, name: objectName, reconcileID });
    metrics?.activeWorkers.inc({ controller: name });
    const started = clock.now();
    let outcome: Outcome;
    try {
      outcome = { kind: 'result', result: await reconcile(key, { reconcileID, log: rlog, signal: stopping.signal }) };
    } catch (error) {
      outcome = { kind: 'error', error };
    }
    metrics?.reconcileTime.observe({ controller: name }, (clock.now() - started) / 1000);
    metrics?.activeWorkers.dec({ controller: name });

    const plan = planOutcome(outcome);
    applyQueueAction(queue, key, plan.action);
    metrics?.reconcileTotal.inc({ controller: name, result: plan.result });
    if (outcome.kind === 'error') {
      metrics?.reconcileErrors.inc({ controller: name });
      if (plan.terminal) metrics?.terminalReconcileErrors.inc({ controller: name });
      const fields = { error: describeApiError(outcome.error), retries: queue.numRequeues(key) };
      if (plan.terminal) rlog.error('reconcile failed permanently; waiting for the object to change', fields);
      else rlog.warn('reconcile failed; retrying with backoff', fields);
    }
    queue.done(key);
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      await processKey(key);
    }
  };

  return {
    name,
    queue,
    enqueue: (key) => queue.add(key),
    run() {
      running ??= (async () => {
        log.info('starting workers', { workers });
        await Promise.all(Array.from({ length: workers }, worker));
        log.info('all workers finished');
      })();
      return running;
    },
    async stop(stopOpts = {}) {
      if (stopOpts.drain && running) {
        await queue.shutDownWithDrain();
      } else {
        queue.shutDown();
        stopping.abort(new Error(`controller ${name} stopping`));
      }
      await running;
    },
  };
}
