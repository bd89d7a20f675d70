import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import {
  createLeaderElector,
  decideAcquire,
  isLeaseValid,
  observe,
  observed,
  releasedRecord,
  renewedRecord,
} from '../../../src/kube/leader-election.ts';
import type { LeaderElectionRecord } from '../../../src/kube/lease-lock.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createFakeClock } from '../../fixtures/kube/fake-clock.ts';
import { createMemoryLeaseLock } from '../../fixtures/kube/memory-lease-lock.ts';

const t0 = Date.UTC(2026, 0, 1);
const heldBy = (holderIdentity: string, extra: Partial<LeaderElectionRecord> = {}): LeaderElectionRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  acquireTime: '2026-01-01T00:00:00.000000Z',
  renewTime: '2026-01-01T00:00:00.000000Z',
  leaseTransitions: 4,
  ...extra,
});

describe('isLeaseValid', () => {
  it('judges validity by when we observed the record, not by its renewTime', () => {
    // renewTime says the lease expired long ago (a skewed clock wrote it), but we saw it change just now.
    const obs = observed(heldBy('other', { renewTime: '2000-01-01T00:00:00.000000Z' }), t0);
    assert.equal(isLeaseValid(obs, t0 + 14_999), true);
    assert.equal(isLeaseValid(obs, t0 + 15_000), false);
  });
});

describe('observe', () => {
  it('keeps the first observation time while the record stays the same', () => {
    const first = observe(undefined, heldBy('other'), t0);
    const again = observe(first, heldBy('other'), t0 + 10_000);
    assert.equal(again.observedAt, t0);
  });

  it('restarts the clock when the record changed (the holder renewed)', () => {
    const first = observe(undefined, heldBy('other'), t0);
    const renewed = observe(first, heldBy('other', { renewTime: '2026-01-01T00:00:02.000000Z' }), t0 + 2_000);
    assert.equal(renewed.observedAt, t0 + 2_000);
  });
});

describe('decideAcquire', () => {
  const decide = (record: LeaderElectionRecord, observedAt: number, now: number, identity = 'me') =>
    decideAcquire({ identity, now, leaseDurationSeconds: 15, observation: observed(record, observedAt) });

  it('waits while another holder’s lease is still valid', () => {
    assert.deepEqual(decide(heldBy('other'), t0, t0 + 5_000), { kind: 'wait', holder: 'other' });
  });

  it('takes a lease whose holder stopped renewing it a lease duration ago, counting a transition', () => {
    const d = decide(heldBy('other'), t0, t0 + 15_000);
    assert.equal(d.kind, 'take');
    if (d.kind !== 'take') return;
    assert.equal(d.record.holderIdentity, 'me');
    assert.equal(d.record.leaseTransitions, 5);
    assert.equal(d.record.acquireTime, '2026-01-01T00:00:15.000000Z');
    assert.equal(d.record.renewTime, '2026-01-01T00:00:15.000000Z');
    assert.equal(d.record.leaseDurationSeconds, 15);
  });

  it('takes a released lease at once, even though it was observed just now', () => {
    const d = decide(heldBy('', { leaseDurationSeconds: 1 }), t0, t0);
    assert.equal(d.kind, 'take');
  });

  it('renews its own lease keeping acquireTime and the transition count', () => {
    const d = decide(heldBy('me'), t0, t0 + 2_000);
    assert.equal(d.kind, 'take');
    if (d.kind !== 'take') return;
    assert.equal(d.record.acquireTime, '2026-01-01T00:00:00.000000Z');
    assert.equal(d.record.leaseTransitions, 4);
    assert.equal(d.record.renewTime, '2026-01-01T00:00:02.000000Z');
  });

  it('keeps the coordinated-election fields it found', () => {
    const d = decide(heldBy('', { strategy: 'OldestEmulationVersion', preferredHolder: 'x' }), t0, t0);
    assert.equal(d.kind === 'take' && d.record.strategy, 'OldestEmulationVersion');
    assert.equal(d.kind === 'take' && d.record.preferredHolder, 'x');
  });
});

describe('renewedRecord and releasedRecord', () => {
  it('moves only renewTime on a renewal', () => {
    const r = renewedRecord(heldBy('me'), t0 + 4_000, 15);
    assert.deepEqual(r, { ...heldBy('me'), renewTime: '2026-01-01T00:00:04.000000Z' });
  });

  it('releases with an empty holder and a one-second lease, keeping the transition count', () => {
    const r = releasedRecord(heldBy('me'), t0 + 4_000);
    assert.equal(r.holderIdentity, '');
    assert.equal(r.leaseDurationSeconds, 1);
    assert.equal(r.leaseTransitions, 4);
  });
});

const log = createLogger({ write: () => {} });
const settle = async () => {
  for (let i = 0; i < 30; i++) await Promise.resolve();
};

/** Advances the fake clock in steps, letting the electors' promises run between steps. */
async function runFor(clock: ReturnType<typeof createFakeClock>, ms: number, step = 100) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

describe('createLeaderElector', () => {
  const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

  function candidate(
    name: string,
    lock: ReturnType<typeof createMemoryLeaseLock>,
    clock: ReturnType<typeof createFakeClock>,
  ) {
    const events: string[] = [];
    const stop = new AbortController();
    const elector = createLeaderElector({
      lock,
      identity: name,
      log,
      clock,
      random: () => 0,
      ...timings,
      onStartedLeading: () => events.push(`started ${clock.now() - t0}`),
      onStoppedLeading: () => events.push(`stopped ${clock.now() - t0}`),
    });
    const ended = elector.run(stop.signal);
    return { elector, events, stop: () => stop.abort(), ended };
  }

  it('creates the Lease and leads when there is none', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    const a = candidate('a', lock, clock);
    await settle();
    assert.deepEqual(a.events, ['started 0']);
    assert.equal(lock.current()?.holderIdentity, 'a');
    assert.equal(lock.current()?.leaseTransitions, 0);
    a.stop();
    await a.ended;
  });

  it('lets only one of two candidates lead, and renews every retry period', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    const a = candidate('a', lock, clock);
    const b = candidate('b', lock, clock);
    await runFor(clock, 30_000);
    assert.equal(a.elector.isLeader() !== b.elector.isLeader(), true);
    const renewals = lock.writes.filter((w) => w.holderIdentity === 'a').length;
    assert.ok(renewals >= 14 && renewals <= 16, `${renewals} writes in 30 s`);
    a.stop();
    b.stop();
    await Promise.all([a.ended, b.ended]);
  });

  it('hands over within the lease duration plus two retry periods when the leader dies without releasing', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    // The leader's own view of the lock; "killing" it makes every call hang, as a dead process would.
    let dead = false;
    const leaderView = {
      ...lock,
      get: (s?: AbortSignal) => (dead ? new Promise<never>(() => {}) : lock.get(s)),
      update: (r: LeaderElectionRecord, p: Parameters<typeof lock.update>[1], s?: AbortSignal) =>
        dead ? new Promise<never>(() => {}) : lock.update(r, p, s),
      create: (r: LeaderElectionRecord, s?: AbortSignal) => (dead ? new Promise<never>(() => {}) : lock.create(r, s)),
    };
    const a = candidate('a', leaderView, clock);
    await settle();
    const b = candidate('b', lock, clock);
    await runFor(clock, 7_000);
    dead = true;
    const killedAt = clock.now();
    await runFor(clock, 25_000);
    assert.equal(b.elector.isLeader(), true);
    const handover = Number(b.events[0]!.split(' ')[1]) + t0 - killedAt;
    // Lease 15 s, minus up to one renew period already elapsed, plus up to one poll to observe
    // the last renewal and one poll after expiry (2 s each without jitter).
    assert.ok(handover >= 13_000 && handover <= 19_000, `handover took ${handover} ms`);
    assert.equal(lock.current()?.leaseTransitions, 1);
    void a.ended;
    b.stop();
    await b.ended;
  });

  it('reports lost leadership when no renewal succeeds within the renew deadline', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    const a = candidate('a', lock, clock);
    await settle();
    lock.down = true;
    const downAt = clock.now();
    await runFor(clock, 13_000);
    assert.equal(await a.ended, 'lost');
    const stoppedAt = Number(a.events.at(-1)!.split(' ')[1]) + t0;
    assert.ok(stoppedAt - downAt <= 12_000, `lost after ${stoppedAt - downAt} ms`);
    assert.equal(a.elector.isLeader(), false);
  });

  it('releases the lease on a graceful stop so a standby takes it at its next try', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    const a = candidate('a', lock, clock);
    await settle();
    const b = candidate('b', lock, clock);
    await runFor(clock, 4_000);
    a.stop();
    assert.equal(await a.ended, 'stopped');
    assert.equal(lock.current()?.holderIdentity, '');
    assert.equal(lock.current()?.leaseDurationSeconds, 1);
    const releasedAt = clock.now();
    await runFor(clock, 3_000);
    assert.equal(b.elector.isLeader(), true);
    const took = Number(b.events[0]!.split(' ')[1]) + t0 - releasedAt;
    assert.ok(took <= 2_000, `took over ${took} ms after the release`);
    assert.equal(lock.current()?.leaseTransitions, 1);
    b.stop();
    await b.ended;
  });

  it('takes a released lease at once when nudged, without waiting for its retry period', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    const a = candidate('a', lock, clock);
    await settle();
    const b = candidate('b', lock, clock);
    await runFor(clock, 3_000); // b has read the lease and sleeps until its next try
    a.stop();
    assert.equal(await a.ended, 'stopped');
    const releasedAt = clock.now();
    b.elector.nudge(); // what the manager's Lease watch does on the release
    await settle(); // the clock does not move
    assert.equal(b.elector.isLeader(), true);
    assert.equal(Number(b.events[0]!.split(' ')[1]) + t0, releasedAt);
    b.stop();
    await b.ended;
  });

  it('ignores a nudge while the lease is still held: the holder keeps it', async () => {
    const clock = createFakeClock(t0);
    const lock = createMemoryLeaseLock();
    const a = candidate('a', lock, clock);
    await settle();
    const b = candidate('b', lock, clock);
    await runFor(clock, 3_000);
    b.elector.nudge();
    await settle();
    assert.equal(a.elector.isLeader(), true);
    assert.equal(b.elector.isLeader(), false);
    a.stop();
    b.stop();
    await Promise.all([a.ended, b.ended]);
  });

  it('sets leader_election_master_status while leading', async () => {
    const clock = createFakeClock(t0);
    const registry = new Registry();
    const stop = new AbortController();
    const elector = createLeaderElector({
      lock: createMemoryLeaseLock('ns', 'my-lease'),
      identity: 'a',
      log,
      clock,
      registry,
      ...timings,
    });
    const ended = elector.run(stop.signal);
    await settle();
    assert.match(await registry.metrics(), /leader_election_master_status\{name="my-lease"\} 1/);
    stop.abort();
    await ended;
    assert.match(await registry.metrics(), /leader_election_master_status\{name="my-lease"\} 0/);
  });

  it('refuses timings that break the algorithm’s assumptions', () => {
    assert.throws(
      () =>
        createLeaderElector({
          lock: createMemoryLeaseLock(),
          identity: 'a',
          log,
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
        }),
      /leaseDuration > renewDeadline/,
    );
  });
});
