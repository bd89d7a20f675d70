import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScheduledVolumeSnapshot } from '../../../src/api/scheduledvolumesnapshot.ts';
import { computeNextRun, MISSED_COUNT_LIMIT, type NextRun } from '../../../src/schedule/due.ts';

type Stored = {
  schedule: string;
  suspend?: boolean;
  startedAt?: string;
  createdAt?: string;
  creationTimestamp?: string;
};

/** A ScheduledVolumeSnapshot as read from the API server, with what the scheduler reads. */
function svs(stored: Stored): ScheduledVolumeSnapshot {
  return {
    metadata: { name: 'hourly', namespace: 'chains', creationTimestamp: stored.creationTimestamp },
    spec: {
      fullNodeRef: { name: 'cosmoshub' },
      schedule: stored.schedule,
      volumeSnapshotClassName: 'csi',
      suspend: stored.suspend,
    },
    status: stored.createdAt === undefined && stored.startedAt === undefined ? undefined : {
      observedGeneration: 1,
      phase: 'WaitingForNext',
      createdAt: stored.createdAt ?? '2020-01-01T00:00:00Z',
      lastSnapshot: stored.startedAt === undefined ? undefined : { name: 'hourly-x', startedAt: stored.startedAt },
    },
  };
}

const at = (iso: string) => new Date(iso);

/** The result with dates as ISO strings, for readable assertions. */
function nextRun(stored: Stored, now: string): Record<string, unknown> {
  const run: NextRun = computeNextRun(svs(stored), at(now));
  return 'dueAt' in run ? { ...run, dueAt: run.dueAt.toISOString() } : { ...run };
}

describe('computeNextRun', () => {
  describe('the stored anchor', () => {
    it('waits for the first slot after the last snapshot started', () => {
      assert.deepEqual(
        nextRun(
          { schedule: '0 * * * *', createdAt: '2026-03-02T08:00:00Z', startedAt: '2026-03-02T10:00:04Z' },
          '2026-03-02T10:30:00Z',
        ),
        { state: 'waiting', dueAt: '2026-03-02T11:00:00.000Z' },
      );
    });

    it('counts from status.createdAt until a snapshot was taken, as Go does', () => {
      // The Go operator's own case: `0 * * * *`, reference 00:00, now 00:30 → 30 minutes to wait.
      assert.deepEqual(
        nextRun({ schedule: '0 * * * *', createdAt: '2026-03-02T00:00:00Z' }, '2026-03-02T00:30:00Z'),
        { state: 'waiting', dueAt: '2026-03-02T01:00:00.000Z' },
      );
    });

    it('counts from metadata.creationTimestamp before any status was stored', () => {
      assert.deepEqual(
        nextRun({ schedule: '*/15 * * * *', creationTimestamp: '2026-03-02T10:07:00Z' }, '2026-03-02T10:08:00Z'),
        { state: 'waiting', dueAt: '2026-03-02T10:15:00.000Z' },
      );
    });

    it('skips a stored time that is not a date and counts from the next one', () => {
      assert.deepEqual(
        nextRun(
          { schedule: '*/15 * * * *', startedAt: 'yesterday', createdAt: '2026-03-02T10:20:00Z' },
          '2026-03-02T10:21:00Z',
        ),
        { state: 'waiting', dueAt: '2026-03-02T10:30:00.000Z' },
      );
    });

    it('is due at the slot time itself, with nothing missed', () => {
      assert.deepEqual(
        nextRun({ schedule: '*/15 * * * *', startedAt: '2026-03-02T10:00:02Z' }, '2026-03-02T10:15:00Z'),
        { state: 'due', dueAt: '2026-03-02T10:15:00.000Z', missed: 0, missedExact: true },
      );
    });
  });

  describe('missed slots', () => {
    it('fires a missed slot once after a restart, not once per slot', () => {
      // Last run 10:00, no operator from 10:05 to 11:40: 10:15 … 11:30 passed. One run, for 11:30.
      const run = nextRun({ schedule: '*/15 * * * *', startedAt: '2026-03-02T10:00:00Z' }, '2026-03-02T11:40:00Z');
      assert.equal(run.state, 'due');
      assert.equal(run.dueAt, '2026-03-02T11:30:00.000Z');
    });

    it('reports how many slots the catch-up run stands in for', () => {
      // 10:15, 10:30, 10:45, 11:00 and 11:15 get no run of their own; 11:30 is the run.
      const run = nextRun({ schedule: '*/15 * * * *', startedAt: '2026-03-02T10:00:00Z' }, '2026-03-02T11:40:00Z');
      assert.equal(run.missed, 5);
      assert.equal(run.missedExact, true);
    });

    it('waits for the next slot once the catch-up run has stored its start', () => {
      assert.deepEqual(
        nextRun({ schedule: '*/15 * * * *', startedAt: '2026-03-02T11:40:01Z' }, '2026-03-02T11:40:02Z'),
        { state: 'waiting', dueAt: '2026-03-02T11:45:00.000Z' },
      );
    });

    it('stops counting at the limit after a long outage and still runs for the latest slot', () => {
      // Three days of a per-minute schedule: 4,320 slots, counted up to the limit only.
      assert.deepEqual(
        nextRun({ schedule: '* * * * *', startedAt: '2026-02-27T12:00:00Z' }, '2026-03-02T12:34:56.789Z'),
        { state: 'due', dueAt: '2026-03-02T12:34:00.000Z', missed: MISSED_COUNT_LIMIT, missedExact: false },
      );
    });

    it('runs an @every schedule after a long outage for the second now falls in', () => {
      assert.deepEqual(
        nextRun({ schedule: '@every 10s', startedAt: '2026-03-01T00:00:00Z' }, '2026-03-02T12:34:56.789Z'),
        { state: 'due', dueAt: '2026-03-02T12:34:56.000Z', missed: MISSED_COUNT_LIMIT, missedExact: false },
      );
    });
  });

  describe('clock jumps', () => {
    it('never fires again a slot already taken when the clock is set back', () => {
      // The 12:00 run started at 12:00:01; the clock was then set back to 11:30.
      assert.deepEqual(
        nextRun({ schedule: '*/15 * * * *', startedAt: '2026-03-02T12:00:01Z' }, '2026-03-02T11:30:00Z'),
        { state: 'waiting', dueAt: '2026-03-02T12:15:00.000Z' },
      );
    });

    it('treats the slots a forward jump passed over as missed', () => {
      // Last run 10:00; the clock jumped from 10:05 to 13:07.
      assert.deepEqual(
        nextRun({ schedule: '*/15 * * * *', startedAt: '2026-03-02T10:00:00Z' }, '2026-03-02T13:07:00Z'),
        { state: 'due', dueAt: '2026-03-02T13:00:00.000Z', missed: 11, missedExact: true },
      );
    });
  });

  describe('suspend', () => {
    it('has nothing due while suspended, even with slots passed', () => {
      assert.deepEqual(
        nextRun({ schedule: '*/15 * * * *', suspend: true, startedAt: '2026-03-02T10:00:00Z' }, '2026-03-02T13:07:00Z'),
        { state: 'suspended' },
      );
    });

    it('runs once on resume for the slots that passed while suspended, as Go does', () => {
      assert.deepEqual(
        nextRun({ schedule: '0 * * * *', suspend: false, startedAt: '2026-03-02T10:00:00Z' }, '2026-03-02T13:07:00Z'),
        { state: 'due', dueAt: '2026-03-02T13:00:00.000Z', missed: 2, missedExact: true },
      );
    });
  });

  describe('schedules', () => {
    it('has nothing due for a schedule that never fires again', () => {
      // Go's robfig Next returns the zero time here, which Go takes as due: a snapshot every pass.
      assert.deepEqual(
        nextRun({ schedule: '0 0 30 2 *', startedAt: '2026-03-02T10:00:00Z' }, '2026-03-02T13:07:00Z'),
        { state: 'never' },
      );
    });

    it('reports a stored schedule that does not parse', () => {
      const run = nextRun({ schedule: '0 0 * *', createdAt: '2026-03-02T10:00:00Z' }, '2026-03-02T13:07:00Z');
      assert.equal(run.state, 'invalid');
      assert.match(String(run.message), /expected exactly 5 fields/);
    });

    it("evaluates slots in the schedule's time zone", () => {
      assert.deepEqual(
        nextRun(
          { schedule: 'CRON_TZ=America/New_York 0 9 * * *', createdAt: '2025-03-10T10:00:00Z' },
          '2025-03-10T11:00:00Z',
        ),
        { state: 'waiting', dueAt: '2025-03-10T13:00:00.000Z' },
      );
    });

    it('runs a wall-clock time that the autumn DST change repeats once', () => {
      // Berlin, 2026-10-25: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
      assert.deepEqual(
        nextRun(
          { schedule: 'CRON_TZ=Europe/Berlin 30 2 * * *', startedAt: '2026-10-25T00:30:00Z' },
          '2026-10-25T01:45:00Z',
        ),
        { state: 'waiting', dueAt: '2026-10-26T01:30:00.000Z' },
      );
    });

    it('still runs on the day the spring DST change skips the wall-clock time', () => {
      // Berlin, 2026-03-29: 02:30 does not exist; cron.ts runs it at 03:30 CEST (01:30Z).
      assert.deepEqual(
        nextRun(
          { schedule: 'CRON_TZ=Europe/Berlin 30 2 * * *', startedAt: '2026-03-28T01:30:00Z' },
          '2026-03-29T01:31:00Z',
        ),
        { state: 'due', dueAt: '2026-03-29T01:30:00.000Z', missed: 0, missedExact: true },
      );
    });
  });
});
