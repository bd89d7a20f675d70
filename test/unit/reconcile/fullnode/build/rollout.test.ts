import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isReconcileError } from '../../../../../src/kube/reconcile-result.ts';
import {
  computeRollout,
  type DesiredPod,
  type MaxUnavailable,
  planRollout,
  type PodSyncState,
  type RolloutInput,
  type RolloutPod,
} from '../../../../../src/reconcile/fullnode/build/rollout.ts';
import '../../../../fixtures/property-seed.ts';

describe('computeRollout', () => {
  const table: [MaxUnavailable, number, number, number][] = [
    // maxUnavailable, desired, ready, want — the Go operator's table
    [2, 5, 5, 2],
    ['35%', 9, 7, 1],
    [0, 100, 100, 1],
    [20, 10, 0, 10],
    [undefined, 0, 0, 0],
    ['25%', 0, 0, 0],
  ];
  for (const [maxUnavailable, desired, ready, want] of table) {
    it(`allows ${want} more down with maxUnavailable ${JSON.stringify(maxUnavailable)}, ${desired} desired and ${ready} ready`, () => {
      assert.equal(computeRollout(maxUnavailable, desired, ready), want);
    });
  }

  it('allows none while as many are down as maxUnavailable allows', () => {
    assert.equal(computeRollout(2, 5, 3), 0);
  });

  it('defaults maxUnavailable to 25% when unset', () => {
    assert.equal(computeRollout(undefined, 8, 8), 2);
    assert.equal(computeRollout(null, 8, 8), 2);
  });

  it('rounds a percentage down and allows at least one', () => {
    assert.equal(computeRollout('10%', 5, 5), 1);
    assert.equal(computeRollout('50%', 5, 5), 2);
  });

  it('throws a permanent error naming the field for a string without %', () => {
    assert.throws(
      () => computeRollout('3', 5, 5),
      (error: unknown) =>
        isReconcileError(error) && error.kind === 'permanent' && error.field === 'spec.strategy.maxUnavailable' &&
        /"3"/.test(error.message),
    );
  });

  it('stays between 0 and desired for any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -5, max: 200 }), fc.integer({ min: 0, max: 300 }).map((n) => `${n}%`)),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        (maxUnavailable, desired, readyRaw) => {
          const ready = Math.min(readyRaw, desired);
          const n = computeRollout(maxUnavailable, desired, ready);
          return Number.isInteger(n) && n >= 0 && n <= desired;
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fleets of pods named hub-<i>, as the pod control would describe them.

const OLD = { revision: 'rev-old', image: 'gaia:v1' };
const NEW = { revision: 'rev-new', image: 'gaia:v2' };
const NEW_CONFIG = { revision: 'rev-config', image: 'gaia:v1' };

const inSync: PodSyncState = { reachable: true, inSync: true };
const catchingUp: PodSyncState = { reachable: true, inSync: false };

function pods(
  count: number,
  version: { revision: string; image: string },
  extra: Partial<RolloutPod> = {},
): RolloutPod[] {
  return Array.from({ length: count }, (_, i) => ({ name: `hub-${i}`, ...version, terminating: false, ...extra }));
}

function wanted(count: number, version: { revision: string; image: string }): DesiredPod[] {
  return Array.from({ length: count }, (_, i) => ({ name: `hub-${i}`, ...version }));
}

function allSync(count: number, state: PodSyncState | undefined): Record<string, PodSyncState | undefined> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`hub-${i}`, state]));
}

function input(overrides: Partial<RolloutInput> & Pick<RolloutInput, 'current' | 'desired'>): RolloutInput {
  return {
    sync: {},
    maxUnavailable: 2,
    replicas: overrides.desired.filter((p) => p.belongsTo === undefined).length,
    ...overrides,
  };
}

function replace(list: RolloutPod[], name: string, change: Partial<RolloutPod>): RolloutPod[] {
  return list.map((pod) => (pod.name === name ? { ...pod, ...change } : pod));
}

describe('planRollout', () => {
  it('does nothing when every pod is current', () => {
    const plan = planRollout(input({ current: pods(3, OLD), desired: wanted(3, OLD), sync: allSync(3, inSync) }));
    assert.deepEqual(plan, { create: [], delete: [], requeue: false, reasons: {} });
  });

  it('creates and deletes to scale, and requeues', () => {
    const current: RolloutPod[] = [
      { name: 'hub-98', ...OLD, terminating: false },
      { name: 'hub-99', ...OLD, terminating: false },
    ];
    const plan = planRollout(input({ current, desired: wanted(3, OLD) }));
    assert.deepEqual(plan.create, ['hub-0', 'hub-1', 'hub-2']);
    assert.deepEqual(plan.delete, ['hub-98', 'hub-99']);
    assert.deepEqual(plan.reasons, { 'hub-98': 'scale-down', 'hub-99': 'scale-down' });
    assert.equal(plan.requeue, true);
  });

  it('finishes scaling before it updates anything', () => {
    const current = pods(2, OLD);
    const plan = planRollout(input({ current, desired: wanted(3, NEW), sync: allSync(3, inSync) }));
    assert.deepEqual(plan.create, ['hub-2']);
    assert.deepEqual(plan.delete, []);
    assert.equal(plan.requeue, true);
  });

  it('deletes 2 of 5 in-sync pods for an image change with maxUnavailable 2, then waits while they are down', () => {
    const desired = wanted(5, NEW);
    const sync = allSync(5, inSync);
    let current = pods(5, OLD);

    const first = planRollout(input({ current, desired, sync }));
    assert.deepEqual(first.delete, ['hub-0', 'hub-1']);
    assert.deepEqual(first.reasons, { 'hub-0': 'update', 'hub-1': 'update' });
    assert.equal(first.requeue, true);

    current = replace(replace(current, 'hub-0', { terminating: true }), 'hub-1', { terminating: true });
    const terminating = planRollout(input({ current, desired, sync }));
    assert.deepEqual(terminating.delete, [], 'pods being deleted are not ready, so the budget is spent');
    assert.equal(terminating.requeue, true);

    current = replace(replace(current, 'hub-0', { ...NEW, terminating: false }), 'hub-1', {
      ...NEW,
      terminating: false,
    });
    const starting = planRollout(
      input({ current, desired, sync: { ...sync, 'hub-0': { reachable: false }, 'hub-1': { reachable: false } } }),
    );
    assert.deepEqual(starting.delete, [], 'recreated pods that do not answer yet still use the budget');
    assert.equal(starting.requeue, true);
  });

  it('rolls a version upgrade 2 → 3 → 5 as pods come back in sync', () => {
    const desired = wanted(5, NEW);
    const sync: Record<string, PodSyncState | undefined> = allSync(5, inSync);
    let current = pods(5, OLD);

    assert.deepEqual(planRollout(input({ current, desired, sync })).delete, ['hub-0', 'hub-1']);
    current = replace(replace(current, 'hub-0', { ...NEW }), 'hub-1', { ...NEW });
    sync['hub-0'] = { reachable: false };
    sync['hub-1'] = { reachable: false };
    assert.deepEqual(planRollout(input({ current, desired, sync })).delete, []);

    sync['hub-0'] = inSync;
    const third = planRollout(input({ current, desired, sync }));
    assert.deepEqual(third.delete, ['hub-2'], 'one back in sync frees one unit of budget');
    assert.equal(third.requeue, true);

    current = replace(current, 'hub-2', { ...NEW });
    sync['hub-1'] = inSync;
    sync['hub-2'] = inSync;
    const last = planRollout(input({ current, desired, sync }));
    assert.deepEqual(last.delete, ['hub-3', 'hub-4']);
    assert.equal(last.requeue, false, 'every update is under way');
  });

  it('deletes an unreachable pod whose image changes at once, outside the budget', () => {
    const sync = { ...allSync(5, inSync), 'hub-4': { reachable: false } };
    const plan = planRollout(input({ current: pods(5, OLD), desired: wanted(5, NEW), sync, maxUnavailable: 1 }));
    assert.deepEqual(plan.delete, ['hub-4']);
    assert.deepEqual(plan.reasons, { 'hub-4': 'upgrade-unreachable' });
    assert.equal(plan.requeue, true);
  });

  it('deletes every pod halted at an upgrade height, and does not requeue', () => {
    const plan = planRollout(
      input({ current: pods(5, OLD), desired: wanted(5, NEW), sync: allSync(5, { reachable: false }) }),
    );
    assert.deepEqual(plan.delete, ['hub-0', 'hub-1', 'hub-2', 'hub-3', 'hub-4']);
    assert.ok(Object.values(plan.reasons).every((reason) => reason === 'upgrade-unreachable'));
    assert.equal(plan.requeue, false);
  });

  it('never deletes a held pod (its PVC is being deleted) for an update, in or outside the budget, and keeps requeueing', () => {
    const sync = { ...allSync(4, inSync), 'hub-3': { reachable: false } };
    const plan = planRollout(
      input({
        current: pods(4, OLD),
        desired: wanted(4, NEW),
        sync,
        maxUnavailable: 2,
        held: new Set(['hub-0', 'hub-3']),
      }),
    );
    // hub-3 would go at once (unreachable, new image) and hub-0 first in the budget: both held.
    assert.deepEqual(plan.delete, ['hub-1']);
    assert.equal(plan.requeue, true);
  });

  it('counts a pod without any sync entry as unreachable', () => {
    const plan = planRollout(input({ current: pods(2, OLD), desired: wanted(2, NEW), sync: {} }));
    assert.deepEqual(plan.delete, ['hub-0', 'hub-1']);
  });

  it('holds back updates without an image change while too few pods are ready (RPC silent, Kubernetes says Ready)', () => {
    const plan = planRollout(
      input({
        current: pods(5, OLD, { ready: true }),
        desired: wanted(5, NEW_CONFIG),
        sync: allSync(5, { reachable: false }),
      }),
    );
    assert.deepEqual(plan.delete, []);
    assert.equal(plan.requeue, true);
  });

  it('replaces an outdated pod that is down by both measures outside the budget, so fixing a broken config reaches it', () => {
    // maxUnavailable 1, hub-0 crash-looping on a bad config: the fix must not wait for hub-0.
    const current = replace(pods(3, OLD, { ready: true }), 'hub-0', { ready: false });
    const sync = { ...allSync(3, inSync), 'hub-0': { reachable: false } };
    const plan = planRollout(input({ current, desired: wanted(3, NEW_CONFIG), sync, maxUnavailable: 1 }));
    assert.deepEqual(plan.delete, ['hub-0']);
    assert.deepEqual(plan.reasons, { 'hub-0': 'replace-down' });
    assert.equal(plan.requeue, true);
  });

  it('replaces an outdated Pending pod (no Ready condition, no RPC) outside the budget', () => {
    const current = replace(pods(3, OLD, { ready: true }), 'hub-2', { ready: undefined });
    const sync = { ...allSync(3, inSync), 'hub-2': undefined };
    const plan = planRollout(input({ current, desired: wanted(3, NEW_CONFIG), sync, maxUnavailable: 1 }));
    assert.deepEqual(plan.delete, ['hub-2']);
    assert.deepEqual(plan.reasons, { 'hub-2': 'replace-down' });
  });

  it('does not count a pod Kubernetes calls Ready as down when only its RPC is silent', () => {
    const current = pods(3, OLD, { ready: true });
    const sync = { ...allSync(3, inSync), 'hub-0': { reachable: false } };
    const plan = planRollout(input({ current, desired: wanted(3, NEW_CONFIG), sync, maxUnavailable: 1 }));
    assert.deepEqual(plan.delete, [], 'hub-0 may be fine; with 2 of 3 ready the budget of 1 is spent');
  });

  it('updates image changes before other updates', () => {
    let current = pods(4, OLD);
    current = replace(current, 'hub-3', { revision: 'rev-older' });
    const desired = [...wanted(3, NEW_CONFIG), { name: 'hub-3', ...NEW }];
    const plan = planRollout(input({ current, desired, sync: allSync(4, inSync), maxUnavailable: 1 }));
    assert.deepEqual(plan.delete, ['hub-3']);
  });

  it('counts reachable pods as ready while none is in sync', () => {
    const plan = planRollout(
      input({ current: pods(4, OLD), desired: wanted(4, NEW), sync: allSync(4, catchingUp), maxUnavailable: 1 }),
    );
    assert.deepEqual(plan.delete, ['hub-0']);
  });

  it('counts only in-sync pods as ready once one is in sync', () => {
    const sync = { ...allSync(4, catchingUp), 'hub-0': inSync };
    const plan = planRollout(input({ current: pods(4, OLD), desired: wanted(4, NEW), sync, maxUnavailable: 1 }));
    assert.deepEqual(plan.delete, [], '1 of 4 ready is below 4 − 1');
  });

  it('ignores inSync reported by a pod that is not reachable', () => {
    const sync = allSync(2, { reachable: false, inSync: true });
    const plan = planRollout(
      input({ current: pods(2, OLD, { ready: true }), desired: wanted(2, NEW_CONFIG), sync, maxUnavailable: 1 }),
    );
    assert.deepEqual(plan.delete, []);
  });

  it('defaults maxUnavailable to 25%', () => {
    const plan = planRollout(
      input({ current: pods(8, OLD), desired: wanted(8, NEW), sync: allSync(8, inSync), maxUnavailable: undefined }),
    );
    assert.deepEqual(plan.delete, ['hub-0', 'hub-1']);
  });

  it('throws the permanent error of a maxUnavailable without %', () => {
    assert.throws(
      () =>
        planRollout(
          input({ current: pods(2, OLD), desired: wanted(2, NEW), sync: allSync(2, inSync), maxUnavailable: 'two' }),
        ),
      isReconcileError,
    );
  });

  describe('with additionalVersionedPods', () => {
    // hub-<i> with its additional pod price-<i> (belongs-to hub-<i>).
    function withAdditional(count: number, main: typeof OLD, additional: typeof OLD) {
      const current = [
        ...pods(count, main),
        ...Array.from(
          { length: count },
          (_, i) => ({ name: `price-${i}`, ...additional, terminating: false, ready: true }),
        ),
      ];
      return current;
    }
    function wantedWithAdditional(count: number, main: typeof OLD, additional: typeof OLD): DesiredPod[] {
      return [
        ...wanted(count, main),
        ...Array.from({ length: count }, (_, i) => ({ name: `price-${i}`, ...additional, belongsTo: `hub-${i}` })),
      ];
    }

    it('updates additional pods within the budget, one group per unit (upstream deleted them all at once)', () => {
      const plan = planRollout(
        input({
          current: withAdditional(3, OLD, OLD),
          desired: wantedWithAdditional(3, OLD, NEW),
          sync: allSync(3, inSync),
          maxUnavailable: 1,
        }),
      );
      assert.deepEqual(plan.delete, ['price-0']);
      assert.equal(plan.requeue, true);
    });

    it('deletes a main pod and its additional pod together for one unit', () => {
      const plan = planRollout(
        input({
          current: withAdditional(3, OLD, OLD),
          desired: wantedWithAdditional(3, NEW, NEW),
          sync: allSync(3, inSync),
          maxUnavailable: 1,
        }),
      );
      assert.deepEqual(plan.delete, ['hub-0', 'price-0']);
    });

    it('counts a group as down while its additional pod is not Ready', () => {
      let current = withAdditional(3, OLD, OLD);
      current = replace(current, 'price-0', { ...NEW, ready: false });
      const plan = planRollout(
        input({ current, desired: wantedWithAdditional(3, OLD, NEW), sync: allSync(3, inSync), maxUnavailable: 1 }),
      );
      assert.deepEqual(plan.delete, []);
      assert.equal(plan.requeue, true);
    });

    it('counts a group as down while its additional pod has no Ready condition yet (just created, or unschedulable)', () => {
      // Recreated on the new spec; the pod has no conditions yet.
      const current = withAdditional(3, OLD, OLD).map((
        pod,
      ): RolloutPod => (pod.name === 'price-0' ? { name: pod.name, ...NEW, terminating: false } : pod));
      const plan = planRollout(
        input({ current, desired: wantedWithAdditional(3, OLD, NEW), sync: allSync(3, inSync), maxUnavailable: 1 }),
      );
      assert.deepEqual(plan.delete, []);
      assert.equal(plan.requeue, true);
    });

    it('takes the additional pods along when an unreachable main pod is deleted for its image', () => {
      const sync = { ...allSync(2, inSync), 'hub-1': { reachable: false } };
      const plan = planRollout(
        input({
          current: withAdditional(2, OLD, OLD),
          desired: wantedWithAdditional(2, NEW, NEW),
          sync,
          maxUnavailable: 1,
        }),
      );
      assert.deepEqual(plan.delete, ['hub-1', 'price-1']);
      assert.deepEqual(plan.reasons, { 'hub-1': 'upgrade-unreachable', 'price-1': 'upgrade-unreachable' });
    });

    it('updates an additional pod whose main pod is not wanted within the budget too', () => {
      const current: RolloutPod[] = [...pods(2, OLD), { name: 'price-5', ...OLD, terminating: false }];
      const desired: DesiredPod[] = [...wanted(2, OLD), { name: 'price-5', ...NEW, belongsTo: 'hub-5' }];
      const plan = planRollout(input({ current, desired, sync: allSync(2, inSync), maxUnavailable: 1 }));
      assert.deepEqual(plan.delete, ['price-5']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random fleets.

interface GroupState {
  main: { outdated: boolean; imageChanged: boolean; terminating: boolean; sync: PodSyncState | undefined };
  additional: { outdated: boolean; terminating: boolean; ready: boolean } | undefined;
}

const syncState = fc.constantFrom<PodSyncState | undefined>(
  undefined,
  { reachable: false },
  { reachable: true },
  catchingUp,
  inSync,
);
const groupState: fc.Arbitrary<GroupState> = fc.record({
  main: fc.record({ outdated: fc.boolean(), imageChanged: fc.boolean(), terminating: fc.boolean(), sync: syncState }),
  additional: fc.option(fc.record({ outdated: fc.boolean(), terminating: fc.boolean(), ready: fc.boolean() }), {
    nil: undefined,
  }),
});
const maxUnavailable = fc.oneof(
  fc.integer({ min: 0, max: 6 }),
  fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
  fc.constant(undefined),
);

function fleetOf(groups: GroupState[]): Pick<RolloutInput, 'current' | 'desired' | 'sync'> {
  const current: RolloutPod[] = [];
  const desired: DesiredPod[] = [];
  const sync: Record<string, PodSyncState | undefined> = {};
  groups.forEach((group, i) => {
    const main = `hub-${i}`;
    const changed = group.main.outdated && group.main.imageChanged;
    current.push({
      name: main,
      revision: group.main.outdated ? 'old' : 'new',
      image: changed ? 'img-old' : 'img-new',
      terminating: group.main.terminating,
    });
    desired.push({ name: main, revision: 'new', image: 'img-new' });
    sync[main] = group.main.sync;
    if (group.additional !== undefined) {
      const name = `extra-${i}`;
      current.push({
        name,
        revision: group.additional.outdated ? 'old' : 'new',
        image: 'x',
        terminating: group.additional.terminating,
        ready: group.additional.ready,
      });
      desired.push({ name, revision: 'new', image: 'x', belongsTo: main });
    }
  });
  return { current, desired, sync };
}

/** Ready groups, by the rule the rollout states: in sync (or reachable while none is), whole and not terminating. */
function readyGroups(groups: GroupState[]): number[] {
  const whole = (g: GroupState) =>
    !g.main.terminating && (g.additional === undefined || (!g.additional.terminating && g.additional.ready));
  const inSyncGroups = groups.flatMap((
    g,
    i,
  ) => (whole(g) && g.main.sync?.reachable === true && g.main.sync.inSync === true ? [i] : []));
  if (inSyncGroups.length > 0) return inSyncGroups;
  return groups.flatMap((g, i) => (whole(g) && g.main.sync?.reachable === true ? [i] : []));
}

describe('planRollout properties', () => {
  it('never takes more ready groups down than the budget allows', () => {
    fc.assert(
      fc.property(fc.array(groupState, { minLength: 1, maxLength: 12 }), maxUnavailable, (groups, maxU) => {
        const fleet = fleetOf(groups);
        const replicas = groups.length;
        const plan = planRollout({ ...fleet, maxUnavailable: maxU, replicas });
        const ready = readyGroups(groups);
        const deleted = new Set(plan.delete);
        const readyTakenDown = ready.filter((i) => deleted.has(`hub-${i}`) || deleted.has(`extra-${i}`));
        // Pods deleted outside the budget are unreachable, so never among the ready ones.
        for (const i of readyTakenDown) {
          assert.notEqual(plan.reasons[`hub-${i}`] ?? plan.reasons[`extra-${i}`], 'upgrade-unreachable');
        }
        assert.ok(
          readyTakenDown.length <= computeRollout(maxU, replicas, ready.length),
          `took ${readyTakenDown.length} ready groups down`,
        );
        const percent = typeof maxU === 'string'
          ? Math.floor((Number(maxU.slice(0, -1)) * replicas) / 100)
          : (maxU ?? Math.floor((25 * replicas) / 100));
        const unavailable = Math.max(1, percent);
        assert.ok(ready.length - readyTakenDown.length >= Math.min(ready.length, replicas - unavailable));
      }),
      { numRuns: 2000 },
    );
  });

  it('deletes only pods that need an update, each at most once, and never a terminating one', () => {
    fc.assert(
      fc.property(fc.array(groupState, { minLength: 1, maxLength: 12 }), maxUnavailable, (groups, maxU) => {
        const fleet = fleetOf(groups);
        const plan = planRollout({ ...fleet, maxUnavailable: maxU, replicas: groups.length });
        assert.equal(new Set(plan.delete).size, plan.delete.length);
        for (const name of plan.delete) {
          const pod = fleet.current.find((p) => p.name === name)!;
          assert.equal(pod.terminating, false);
          assert.equal(pod.revision, 'old');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('updates every pod eventually once pods become ready', () => {
    fc.assert(
      fc.property(fc.array(groupState, { minLength: 1, maxLength: 10 }), maxUnavailable, (groups, maxU) => {
        const fleet = fleetOf(groups);
        const replicas = groups.length;
        let current = [...fleet.current];
        const sync: Record<string, PodSyncState | undefined> = { ...fleet.sync };
        for (let step = 0; step < 100; step++) {
          const plan = planRollout({ current, desired: fleet.desired, sync, maxUnavailable: maxU, replicas });
          if (plan.create.length === 0 && plan.delete.length === 0 && !plan.requeue) {
            assert.ok(current.every((pod) => pod.revision === 'new' && !pod.terminating));
            return;
          }
          // The cluster: terminating pods go away, deleted pods start terminating, created pods
          // appear from the new spec, and from now on every pod that runs becomes ready.
          current = current.filter((pod) => !pod.terminating).map((
            pod,
          ) => (plan.delete.includes(pod.name) ? { ...pod, terminating: true } : pod));
          for (const name of plan.create) {
            const want = fleet.desired.find((p) => p.name === name)!;
            current.push({ name, revision: want.revision, image: want.image, terminating: false, ready: true });
          }
          for (const pod of current) {
            sync[pod.name] = inSync;
            pod.ready = true;
          }
        }
        assert.fail('the rollout did not finish in 100 passes');
      }),
      { numRuns: 500 },
    );
  });
});
