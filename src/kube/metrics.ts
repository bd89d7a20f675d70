// controller-runtime's metric names, labels and buckets (docs/architecture.md §5.5), so the
// kubebuilder Grafana dashboards work unchanged. Metrics live on the Registry the caller passes
// (never prom-client's global one); each family is created once per registry and shared by
// every controller, distinguished by the `controller` / `name` label.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from './clock.ts';
import type { QueueMetrics } from './work-queue.ts';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';
export const reconcileResultLabels: readonly ReconcileResultLabel[] = ['success', 'error', 'requeue', 'requeue_after'];

// pkg/internal/controller/metrics/metrics.go
const reconcileTimeBuckets = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.15,
  0.2,
  0.25,
  0.3,
  0.35,
  0.4,
  0.45,
  0.5,
  0.6,
  0.7,
  0.8,
  0.9,
  1,
  1.25,
  1.5,
  1.75,
  2,
  2.5,
  3,
  3.5,
  4,
  4.5,
  5,
  6,
  7,
  8,
  9,
  10,
  15,
  20,
  25,
  30,
  40,
  50,
  60,
];
// prometheus.ExponentialBuckets(10e-9, 10, 12), written out so no float drift shows in `le`.
const workqueueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

type QueueTracker = { name: string; clock: Clock; processingSince: Map<string, number> };

export type ControllerMetrics = {
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalReconcileErrors: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  activeWorkers: Gauge<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  depth: Gauge<'name' | 'controller' | 'priority'>;
  adds: Counter<'name' | 'controller'>;
  queueDuration: Histogram<'name' | 'controller'>;
  workDuration: Histogram<'name' | 'controller'>;
  unfinishedWork: Gauge<'name' | 'controller'>;
  longestRunningProcessor: Gauge<'name' | 'controller'>;
  retries: Counter<'name' | 'controller'>;
  trackers: Set<QueueTracker>;
};

const perRegistry = new WeakMap<Registry, ControllerMetrics>();

export function controllerMetrics(registry: Registry): ControllerMetrics {
  const existing = perRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const trackers = new Set<QueueTracker>();
  const m: ControllerMetrics = {
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    terminalReconcileErrors: new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: reconcileTimeBuckets,
      registers,
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    }),
    depth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name', 'controller', 'priority'],
      registers,
    }),
    adds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    }),
    queueDuration: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name', 'controller'],
      buckets: workqueueBuckets,
      registers,
    }),
    workDuration: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name', 'controller'],
      buckets: workqueueBuckets,
      registers,
    }),
    // These two are computed at scrape time from the keys being processed (client-go updates
    // them every 500 ms from a goroutine; a collect hook needs no timer).
    unfinishedWork: new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: ['name', 'controller'],
      registers,
      collect() {
        for (const t of trackers) {
          const now = t.clock.now();
          let total = 0;
          for (const since of t.processingSince.values()) total += now - since;
          this.set({ name: t.name, controller: t.name }, total / 1000);
        }
      },
    }),
    longestRunningProcessor: new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name', 'controller'],
      registers,
      collect() {
        for (const t of trackers) {
          const now = t.clock.now();
          let longest = 0;
          for (const since of t.processingSince.values()) longest = Math.max(longest, now - since);
          this.set({ name: t.name, controller: t.name }, longest / 1000);
        }
      },
    }),
    retries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    }),
    trackers,
  };
  perRegistry.set(registry, m);
  return m;
}

/** Initialises a controller's series to zero, as controller-runtime's initMetrics does. */
export function initControllerMetrics(m: ControllerMetrics, controller: string, workers: number): void {
  for (const result of reconcileResultLabels) m.reconcileTotal.inc({ controller, result }, 0);
  m.reconcileErrors.inc({ controller }, 0);
  m.terminalReconcileErrors.inc({ controller }, 0);
  m.activeWorkers.set({ controller }, 0);
  m.maxConcurrentReconciles.set({ controller }, workers);
}

/** The workqueue_* hooks for the queue of controller `name` (client-go's defaultQueueMetrics). */
export function createQueueMetrics(registry: Registry, name: string, clock: Clock): QueueMetrics {
  const m = controllerMetrics(registry);
  const labels = { name, controller: name };
  const addedAt = new Map<string, number>();
  const tracker: QueueTracker = { name, clock, processingSince: new Map() };
  m.trackers.add(tracker);
  m.depth.set({ ...labels, priority: '' }, 0);
  m.adds.inc(labels, 0);
  m.retries.inc(labels, 0);
  return {
    add(key) {
      m.adds.inc(labels);
      m.depth.inc({ ...labels, priority: '' });
      if (!addedAt.has(key)) addedAt.set(key, clock.now());
    },
    get(key) {
      m.depth.dec({ ...labels, priority: '' });
      const since = addedAt.get(key);
      if (since !== undefined) {
        m.queueDuration.observe(labels, (clock.now() - since) / 1000);
        addedAt.delete(key);
      }
      tracker.processingSince.set(key, clock.now());
    },
    done(key) {
      const since = tracker.processingSince.get(key);
      if (since !== undefined) {
        m.workDuration.observe(labels, (clock.now() - since) / 1000);
        tracker.processingSince.delete(key);
      }
    },
    retry() {
      m.retries.inc(labels);
    },
  };
}

export type LeaderElectionMetrics = {
  masterStatus: Gauge<'name'>;
  slowpath: Counter<'name'>;
};

const leaderPerRegistry = new WeakMap<Registry, LeaderElectionMetrics>();

/** controller-runtime pkg/metrics/leaderelection.go: 1 while leading, 0 otherwise. */
export function leaderElectionMetrics(registry: Registry): LeaderElectionMetrics {
  const existing = leaderPerRegistry.get(registry);
  if (existing) return existing;
  const m: LeaderElectionMetrics = {
    masterStatus: new Gauge({
      name: 'leader_election_master_status',
      help:
        "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers: [registry],
    }),
    slowpath: new Counter({
      name: 'leader_election_slowpath_total',
      help:
        "Total number of slow path exercised in renewing leader leases. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers: [registry],
    }),
  };
  leaderPerRegistry.set(registry, m);
  return m;
}
