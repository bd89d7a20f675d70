// Metrics of the cron scheduler, on the Registry the caller passes (never prom-client's global
// one); created once per registry, as src/kube/metrics.ts does. Documented in the README's
// metrics section.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ScheduleMetrics = {
  /** Per `namespace/name`: the time the scheduler will wake it (unix seconds); gone on remove(). */
  nextFire: Gauge<'scheduledvolumesnapshot'>;
  /** Due time → wake-up of the controller's key. */
  fireLag: Histogram;
  /** Slots that got no run of their own (docs/compatibility.md §7, "Scheduling"); the controller adds them. */
  missedSlots: Counter;
};

const perRegistry = new WeakMap<Registry, ScheduleMetrics>();

export function scheduleMetrics(registry: Registry): ScheduleMetrics {
  const existing = perRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: ScheduleMetrics = {
    nextFire: new Gauge({
      name: 'cosmos_operator_schedule_next_fire_timestamp_seconds',
      help:
        'When the scheduler next wakes a ScheduledVolumeSnapshot, in unix seconds (past while its run is in progress)',
      labelNames: ['scheduledvolumesnapshot'],
      registers,
    }),
    fireLag: new Histogram({
      name: 'cosmos_operator_schedule_fire_lag_seconds',
      help: 'Time from a ScheduledVolumeSnapshot run being due to the scheduler waking its controller',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    missedSlots: new Counter({
      name: 'cosmos_operator_schedule_missed_slots_total',
      help:
        'Cron slots of ScheduledVolumeSnapshots that passed without a run of their own (one catch-up run stood for them)',
      registers,
    }),
  };
  perRegistry.set(registry, m);
  return m;
}
