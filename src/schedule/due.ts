// When a ScheduledVolumeSnapshot's next run is due (docs/compatibility.md §7, "Scheduling"). Pure:
// the schedule, what the object STORES and `now` in, the decision out. Nothing is kept in process
// memory, so a restart or a leader handover neither runs a slot twice nor skips one.
//
//   - Anchor: `status.lastSnapshot.startedAt`, else `status.createdAt` (as Go), else
//     `metadata.creationTimestamp` (Go writes `createdAt` in the same pass that first computes; we
//     fall back to a stored time rather than to `now`, so a crash before that write skips nothing).
//   - The first slot strictly after the anchor, in the schedule's zone (DST as src/syntax/cron.ts
//     computes it), is the next run. In the future: wait for it.
//   - Missed slots (no operator ran, a long reconcile, the clock jumped forward): ONE run at once,
//     not one per slot, as Go (it also counts from the stored start) and as Kubernetes CronJob
//     (it starts only the most recent missed time). The run stands for the latest slot at or before
//     `now`; the slots between the anchor and that one are reported as `missed` (counted up to
//     MISSED_COUNT_LIMIT, so a long outage costs bounded CPU). The controller then stores
//     `startedAt = now`, and the next computation counts from there.
//   - Clock set back: a slot at or before the stored anchor is never due again, however far the
//     clock goes back; the schedule resumes at the first slot after the anchor, by the new clock.
//     The same holds for a leader whose clock is behind the previous leader's.
//   - `spec.suspend`: nothing is due. On resume, slots that passed while suspended count as missed
//     and give one run at once (Go does the same; CronJob counts them as missed too).
//   - A schedule that never fires again (`0 0 30 2 *`): nothing is due. Differs from Go, whose
//     robfig Next returns the zero time there, which Go reads as "due now": a snapshot every pass.
//   - A stored schedule that does not parse (admission refuses it; an object stored before the
//     webhook existed may still carry one): `invalid`, as Go's FindNextSnapshotTimeError.
import type { ScheduledVolumeSnapshot } from '../api/scheduledvolumesnapshot.ts';
import { parseSchedule, type Schedule } from '../syntax/cron.ts';

/** Missed slots are counted one `next()` at a time up to this; past it the count is a lower bound. */
export const MISSED_COUNT_LIMIT = 100;

export type NextRun =
  | { readonly state: 'suspended' }
  | { readonly state: 'invalid'; readonly message: string }
  | { readonly state: 'never' }
  | { readonly state: 'waiting'; readonly dueAt: Date }
  | {
    readonly state: 'due';
    /** The latest slot at or before `now`: the one this run stands for. */
    readonly dueAt: Date;
    /** Slots after the anchor and before `dueAt` that get no run of their own. */
    readonly missed: number;
    /** False when more than MISSED_COUNT_LIMIT slots were missed: `missed` is then a lower bound. */
    readonly missedExact: boolean;
  };

type Scheduled = Pick<ScheduledVolumeSnapshot, 'spec' | 'status'> & {
  metadata: Pick<ScheduledVolumeSnapshot['metadata'], 'creationTimestamp'>;
};

export function computeNextRun(svs: Scheduled, now: Date): NextRun {
  if (svs.spec.suspend === true) return { state: 'suspended' };
  const parsed = parseSchedule(svs.spec.schedule);
  if (!parsed.ok) return { state: 'invalid', message: parsed.message };
  // An object read from the API server always has a creationTimestamp; `now` only for a bare object.
  const anchor = scheduleAnchor(svs) ?? now;
  return nextRunFrom(parsed.schedule, anchor, now);
}

/** The stored time the schedule counts from (see the header). */
function scheduleAnchor(svs: Scheduled): Date | undefined {
  for (const stored of [svs.status?.lastSnapshot?.startedAt, svs.status?.createdAt, svs.metadata.creationTimestamp]) {
    if (stored === undefined) continue;
    const at = new Date(stored);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return undefined;
}

function nextRunFrom(schedule: Schedule, anchor: Date, now: Date): NextRun {
  const first = schedule.next(anchor);
  if (first === null) return { state: 'never' };
  if (first.getTime() > now.getTime()) return { state: 'waiting', dueAt: first };

  let latest = first;
  let count = 1;
  for (;;) {
    const following = schedule.next(latest);
    if (following === null || following.getTime() > now.getTime()) {
      return { state: 'due', dueAt: latest, missed: count - 1, missedExact: true };
    }
    if (count === MISSED_COUNT_LIMIT) {
      return { state: 'due', dueAt: latestSlotAtOrBefore(schedule, latest, now), missed: count, missedExact: false };
    }
    latest = following;
    count++;
  }
}

/**
 * The last slot at or before `now`, given a time `from` with a slot in (`from`, `now`]: a binary
 * search on "is there a slot in (x, now]", true for every x below the answer and for none at or
 * above it, so about 40 `next()` calls for any gap where stepping could take thousands. (An
 * `@every` schedule's slots count from wherever they start; there this gives `now` rounded down
 * to its second, as good a stand-in for "the latest slot".)
 */
function latestSlotAtOrBefore(schedule: Schedule, from: Date, now: Date): Date {
  let low = from.getTime(); // a slot lies in (low, now]
  let high = now.getTime(); // no slot lies in (high, now]
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const slot = schedule.next(new Date(mid));
    if (slot !== null && slot.getTime() <= now.getTime()) low = mid;
    else high = mid;
  }
  return schedule.next(new Date(low)) ?? from;
}
