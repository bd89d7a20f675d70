// Properties of the scheduler and computeNextRun together, over operator restarts: the runs a
// schedule gets come from stored status only, so process memory lost at a restart loses nothing.
// A simulated operator: on wake-up (and for every object when it starts, as a controller's first
// list does) it reads the object, takes a snapshot when one is due (storing startedAt = now, as
// Go does) and sets the key's next time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ScheduledVolumeSnapshot } from '../../../src/api/scheduledvolumesnapshot.ts';
import { computeNextRun, MISSED_COUNT_LIMIT } from '../../../src/schedule/due.ts';
import { createScheduler } from '../../../src/schedule/scheduler.ts';
import { parseSchedule } from '../../../src/syntax/cron.ts';
import { createFakeClock, type FakeClock } from '../../fixtures/kube/fake-clock.ts';
import '../../fixtures/property-seed.ts';

const MINUTE = 60_000;

type Run = { key: string; at: number; missed: number; missedExact: boolean };

/** The stored objects: what survives a restart. */
type Cluster = { clock: FakeClock; objects: Map<string, ScheduledVolumeSnapshot>; runs: Run[] };

function newCluster(start: number, schedules: readonly string[]): Cluster {
  const objects = new Map<string, ScheduledVolumeSnapshot>();
  schedules.forEach((schedule, i) => {
    const createdAt = new Date(start).toISOString();
    objects.set(`ns/svs-${i}`, {
      metadata: { namespace: 'ns', name: `svs-${i}`, creationTimestamp: createdAt },
      spec: { fullNodeRef: { name: 'node' }, schedule, volumeSnapshotClassName: 'csi' },
      status: { observedGeneration: 1, phase: 'WaitingForNext', createdAt },
    });
  });
  return { clock: createFakeClock(start), objects, runs: [] };
}

/** Starts one operator process; returns its stop(). */
function startOperator(cluster: Cluster): () => void {
  const { clock, objects, runs } = cluster;
  const reconcile = (key: string) => {
    const svs = objects.get(key)!;
    const now = new Date(clock.now());
    let next = computeNextRun(svs, now);
    if (next.state === 'due') {
      runs.push({ key, at: now.getTime(), missed: next.missed, missedExact: next.missedExact });
      svs.status!.lastSnapshot = { name: `${svs.metadata.name}-${now.getTime()}`, startedAt: now.toISOString() };
      next = computeNextRun(svs, now);
    }
    if (next.state === 'waiting') scheduler.set(key, next.dueAt);
    else if (next.state !== 'due') scheduler.remove(key);
  };
  const scheduler = createScheduler({ clock, wake: reconcile });
  const leading = new AbortController();
  void scheduler.run(leading.signal);
  for (const key of objects.keys()) reconcile(key);
  return () => leading.abort();
}

/** Runs the cluster until `end`, the operator down during each [from, to) of `outages`. */
function runCluster(cluster: Cluster, end: number, outages: readonly (readonly [number, number])[]): Run[] {
  const { clock } = cluster;
  let stop = startOperator(cluster);
  for (const [from, to] of outages) {
    clock.advance(from - clock.now());
    stop();
    clock.advance(to - clock.now());
    stop = startOperator(cluster);
  }
  clock.advance(end - clock.now());
  stop();
  return cluster.runs;
}

/**
 * What the rules say the runs are, from the schedule alone: each slot runs at its time; a slot
 * that falls in an outage runs once when the operator is back, standing for every slot until then.
 */
function expectedRuns(
  key: string,
  schedule: string,
  start: number,
  end: number,
  outages: readonly (readonly [number, number])[],
): Run[] {
  const parsed = parseSchedule(schedule);
  assert.ok(parsed.ok);
  const next = (t: number) => parsed.schedule.next(new Date(t))?.getTime() ?? Infinity;
  const runs: Run[] = [];
  let anchor = start;
  for (;;) {
    const slot = next(anchor);
    if (slot > end) return runs;
    const outage = outages.find(([from, to]) => slot > from && slot <= to);
    if (outage === undefined) {
      runs.push({ key, at: slot, missed: 0, missedExact: true });
      anchor = slot;
      continue;
    }
    const back = outage[1];
    let passed = 0; // slots in (anchor, back], counted as far as computeNextRun counts them
    for (let s = slot; s <= back && passed <= MISSED_COUNT_LIMIT; s = next(s)) passed++;
    const missedExact = passed <= MISSED_COUNT_LIMIT;
    runs.push({ key, at: back, missed: missedExact ? passed - 1 : MISSED_COUNT_LIMIT, missedExact });
    anchor = back;
  }
}

const byKeyThenTime = (a: Run, b: Run) => a.key.localeCompare(b.key) || a.at - b.at;

const scheduleArb = fc.oneof(
  fc.constantFrom('* * * * *', '*/5 * * * *', '*/7 * * * *', '*/15 * * * *', '@hourly', '0 */2 * * *'),
  fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([a, b]) => `${a},${b} * * * *`),
  fc.integer({ min: 0, max: 59 }).map((m) => `CRON_TZ=Europe/Berlin ${m} 1-3 * * *`),
  fc.integer({ min: 0, max: 59 }).map((m) => `CRON_TZ=America/New_York ${m} * * * 1-5`),
  fc.integer({ min: 45, max: 4 * 3600 }).map((s) => `@every ${s}s`),
);

// Starts near the 2026 DST changes in Berlin and New York, and elsewhere in the year.
const startArb = fc.oneof(
  fc.constantFrom('2026-03-08T04:00:00Z', '2026-03-28T22:00:00Z', '2026-10-24T22:00:00Z', '2026-11-01T03:00:00Z')
    .map((iso) => Date.parse(iso)),
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }),
).chain((start) => fc.integer({ min: 0, max: 59_999 }).map((ms) => start + ms));

/** Sorted distinct offsets in [1, horizon), in whole seconds so some fall exactly on slots. */
const pointsArb = (horizon: number, max: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: horizon / 1000 - 1 }), { maxLength: max })
    .map((s) => s.sort((a, b) => a - b).map((x) => x * 1000));

/** Schedules, a start, a horizon, and sorted points in it. */
const scenarioArb = fc.record({
  schedules: fc.array(scheduleArb, { minLength: 1, maxLength: 3 }),
  start: startArb,
  horizon: fc.integer({ min: 10, max: 6 * 60 }).map((m) => m * MINUTE),
}).chain((scenario) => pointsArb(scenario.horizon, 6).map((points) => ({ ...scenario, points })));

describe('scheduling across restarts', () => {
  it('fires every slot once whatever the restarts: none twice, none skipped', () => {
    fc.assert(
      fc.property(scenarioArb, ({ schedules, start, horizon, points }) => {
        const end = start + horizon;
        const without = runCluster(newCluster(start, schedules), end, []);
        const restarts = points.map((p) => [start + p, start + p] as const);
        const across = runCluster(newCluster(start, schedules), end, restarts);
        assert.deepEqual(
          [...across].sort(byKeyThenTime),
          [...without].sort(byKeyThenTime),
          'the union over restarts is the run without restarts',
        );
        const expected = schedules.flatMap((s, i) => expectedRuns(`ns/svs-${i}`, s, start, end, []));
        assert.deepEqual([...without].sort(byKeyThenTime), expected.sort(byKeyThenTime));
      }),
      { numRuns: 100 },
    );
  });

  it('runs one catch-up per outage that passed slots, reporting how many it stood for', () => {
    fc.assert(
      fc.property(scenarioArb, ({ schedules, start, horizon, points }) => {
        const end = start + horizon;
        const outages: (readonly [number, number])[] = [];
        for (let i = 0; i + 1 < points.length; i += 2) outages.push([start + points[i]!, start + points[i + 1]!]);
        const runs = runCluster(newCluster(start, schedules), end, outages);
        const expected = schedules.flatMap((s, i) => expectedRuns(`ns/svs-${i}`, s, start, end, outages));
        assert.deepEqual([...runs].sort(byKeyThenTime), expected.sort(byKeyThenTime));
      }),
      { numRuns: 100 },
    );
  });
});
