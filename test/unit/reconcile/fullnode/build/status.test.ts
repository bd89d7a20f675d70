import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeStatus,
  type CosmosFullNodeStatus,
  formatTime,
  statusChanged,
  type StatusObservation,
} from '../../../../../src/reconcile/fullnode/build/status.ts';

const T0 = new Date('2026-01-02T03:04:05.678Z');
const T1 = new Date('2026-01-02T03:04:10.000Z');
const T2 = new Date('2026-01-02T03:04:15.000Z');

function observe(change: Partial<StatusObservation> = {}): StatusObservation {
  return {
    generation: 3,
    now: T0,
    outcome: { kind: 'complete' },
    peers: ['a@1.2.3.4:26656'],
    pods: { 'hub-0': { height: 100, inSync: true }, 'hub-1': { height: 99, inSync: true } },
    mainPods: ['hub-0', 'hub-1'],
    desiredReplicas: 2,
    selector: 'app.kubernetes.io/name=hub',
    ...change,
  };
}

const condition = (status: CosmosFullNodeStatus, type: string) => status.conditions?.find((c) => c.type === type);

describe('computeStatus', () => {
  it('records the generation, phase Complete, no message and the peers on Complete', () => {
    const status = computeStatus({ observedGeneration: 1, phase: 'Error', status: 'old failure' }, observe());
    assert.equal(status.observedGeneration, 3);
    assert.equal(status.phase, 'Complete');
    assert.equal(status.status, undefined);
    assert.deepEqual(status.peers, ['a@1.2.3.4:26656']);
  });

  it('keeps the previous peers unless the phase is Complete', () => {
    const status = computeStatus(
      { observedGeneration: 1, phase: 'Complete', peers: ['old'] },
      observe({ outcome: { kind: 'waitingForP2PServices' }, peers: ['new'] }),
    );
    assert.equal(status.phase, 'WaitingForP2PServices');
    assert.deepEqual(status.peers, ['old']);
  });

  it('is Progressing while pods or PVCs are still changing', () => {
    assert.equal(computeStatus(undefined, observe({ outcome: { kind: 'progressing' } })).phase, 'Progressing');
  });

  it('reports only-transient failures as TransientError with every message', () => {
    const status = computeStatus(
      undefined,
      observe({
        outcome: { kind: 'failed', errors: [{ kind: 'transient', message: 'a' }, { kind: 'transient', message: 'b' }] },
      }),
    );
    assert.equal(status.phase, 'TransientError');
    assert.equal(status.status, 'Transient error: system is retrying: a; b');
  });

  it('reports failures with any permanent one as Error', () => {
    const status = computeStatus(
      undefined,
      observe({
        outcome: {
          kind: 'failed',
          errors: [{ kind: 'transient', message: 'a' }, { kind: 'permanent', message: 'bad toml' }],
        },
      }),
    );
    assert.equal(status.phase, 'Error');
    assert.equal(status.status, 'Unrecoverable error: human intervention required: a; bad toml');
  });

  it("records each polled pod's sync state, and the error alone for a pod that did not answer", () => {
    const status = computeStatus(
      undefined,
      observe({ pods: { 'hub-0': { height: 100, inSync: false }, 'hub-1': { error: 'pod has no IP', height: 5 } } }),
    );
    assert.deepEqual(status.sync, {
      'hub-0': { timestamp: '2026-01-02T03:04:05Z', height: 100, inSync: false },
      'hub-1': { timestamp: '2026-01-02T03:04:05Z', error: 'pod has no IP' },
    });
  });

  it('drops sync entries of pods that were not polled', () => {
    const prev = computeStatus(undefined, observe());
    const status = computeStatus(
      prev,
      observe({ pods: { 'hub-0': { height: 101, inSync: true } }, mainPods: ['hub-0'] }),
    );
    assert.deepEqual(Object.keys(status.sync!), ['hub-0']);
  });

  it("keeps a sync timestamp while the pod's state holds, and moves it when the state changes", () => {
    const first = computeStatus(undefined, observe());
    const same = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 101, inSync: true }, 'hub-1': { height: 100, inSync: true } } }),
    );
    assert.equal(same.sync!['hub-0']!.timestamp, '2026-01-02T03:04:05Z');
    assert.equal(same.sync!['hub-0']!.height, 101);
    const changed = computeStatus(
      same,
      observe({ now: T2, pods: { 'hub-0': { height: 101, inSync: false }, 'hub-1': { error: 'timeout' } } }),
    );
    assert.equal(changed.sync!['hub-0']!.timestamp, '2026-01-02T03:04:15Z');
    assert.equal(changed.sync!['hub-1']!.timestamp, '2026-01-02T03:04:15Z');
  });

  it('records height + 1 per pod, merged over the previous heights, never pruned', () => {
    const prev: CosmosFullNodeStatus = {
      observedGeneration: 1,
      phase: 'Complete',
      height: { 'hub-0': 50, 'hub-9': 7 },
    };
    const status = computeStatus(
      prev,
      observe({
        pods: { 'hub-0': { height: 100, inSync: true }, 'hub-1': { height: 0 }, 'hub-2': { error: 'x', height: 5 } },
      }),
    );
    assert.deepEqual(status.height, { 'hub-0': 101, 'hub-9': 7 });
  });

  it('leaves prev unchanged', () => {
    const prev: CosmosFullNodeStatus = { observedGeneration: 1, phase: 'Complete', height: { 'hub-0': 50 } };
    computeStatus(prev, observe());
    assert.deepEqual(prev, { observedGeneration: 1, phase: 'Complete', height: { 'hub-0': 50 } });
  });

  it('keeps what other controllers wrote, dropping autoscale entries of PVCs created or deleted this pass', () => {
    const prev: CosmosFullNodeStatus = {
      observedGeneration: 1,
      phase: 'Complete',
      scheduledSnapshotStatus: { 'default/hourly': { podCandidate: 'hub-1' } },
      selfHealing: {
        pvcAutoScaler: {
          'pvc-hub-0': { requestedSize: '110Gi', requestedAt: 'x' },
          'pvc-hub-1': { requestedSize: '120Gi', requestedAt: 'y' },
        },
      },
    };
    const status = computeStatus(prev, observe({ changedPvcs: ['pvc-hub-0'] }));
    assert.deepEqual(status.scheduledSnapshotStatus, prev.scheduledSnapshotStatus);
    assert.deepEqual(Object.keys(status.selfHealing!.pvcAutoScaler!), ['pvc-hub-1']);
  });

  it('counts existing and in-sync main pods, the highest height and the selector', () => {
    const status = computeStatus(
      undefined,
      observe({
        pods: {
          'hub-0': { height: 100, inSync: true },
          'hub-1': { height: 120, inSync: false },
          'extra-0': { height: 130, inSync: true },
        },
      }),
    );
    assert.equal(status.replicas, 2);
    assert.equal(status.readyReplicas, 1);
    assert.equal(status.latestHeight, 130);
    assert.equal(status.selector, 'app.kubernetes.io/name=hub');
  });

  it('is Ready when Complete and every wanted replica is in sync', () => {
    const status = computeStatus(undefined, observe());
    assert.deepEqual(condition(status, 'Ready'), {
      type: 'Ready',
      status: 'True',
      reason: 'AllReplicasInSync',
      message: '2 of 2 replicas in sync',
      lastTransitionTime: '2026-01-02T03:04:05Z',
      observedGeneration: 3,
    });
    assert.equal(condition(status, 'Progressing')?.status, 'False');
    assert.equal(condition(status, 'Progressing')?.reason, 'Complete');
  });

  it('is not Ready while a replica catches up', () => {
    const status = computeStatus(
      undefined,
      observe({ pods: { 'hub-0': { height: 1, inSync: false }, 'hub-1': { height: 1, inSync: true } } }),
    );
    assert.equal(condition(status, 'Ready')?.status, 'False');
    assert.equal(condition(status, 'Ready')?.reason, 'ReplicasNotInSync');
    assert.equal(condition(status, 'Ready')?.message, '1 of 2 replicas in sync');
  });

  it('is Progressing with the phase as reason while retrying, and not Progressing on Error', () => {
    const transient = computeStatus(
      undefined,
      observe({ outcome: { kind: 'failed', errors: [{ kind: 'transient', message: 'conflict' }] } }),
    );
    assert.equal(condition(transient, 'Progressing')?.status, 'True');
    assert.equal(condition(transient, 'Progressing')?.reason, 'TransientError');
    assert.equal(condition(transient, 'Ready')?.reason, 'TransientError');
    const failed = computeStatus(
      undefined,
      observe({ outcome: { kind: 'failed', errors: [{ kind: 'permanent', message: 'bad' }] } }),
    );
    assert.equal(condition(failed, 'Progressing')?.status, 'False');
    assert.equal(condition(failed, 'Progressing')?.reason, 'Error');
    assert.match(condition(failed, 'Ready')!.message, /bad/);
  });

  it("keeps a condition's transition time while its status holds, and moves it when the status flips", () => {
    const first = computeStatus(undefined, observe());
    const same = computeStatus(first, observe({ now: T1 }));
    assert.equal(condition(same, 'Ready')?.lastTransitionTime, '2026-01-02T03:04:05Z');
    const flipped = computeStatus(same, observe({ now: T2, outcome: { kind: 'progressing' } }));
    assert.equal(condition(flipped, 'Ready')?.lastTransitionTime, '2026-01-02T03:04:15Z');
    assert.equal(condition(flipped, 'Progressing')?.lastTransitionTime, '2026-01-02T03:04:15Z');
  });
});

describe('statusChanged', () => {
  const versions = [
    { height: 0, image: 'v1' },
    { height: 200, image: 'v2', setHaltHeight: true },
  ];

  it('is true when there is no previous status', () => {
    assert.equal(statusChanged(undefined, computeStatus(undefined, observe())), true);
  });

  it('is false for the next poll of an idle CosmosFullNode: same states, later time, new heights', () => {
    const first = computeStatus(undefined, observe());
    const next = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 105, inSync: true }, 'hub-1': { height: 104, inSync: true } } }),
    );
    assert.equal(statusChanged(first, next, versions), false);
    assert.equal(statusChanged(first, next), false);
  });

  it('is true when a pod falls out of sync', () => {
    const first = computeStatus(undefined, observe());
    const next = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 100, inSync: false }, 'hub-1': { height: 99, inSync: true } } }),
    );
    assert.equal(statusChanged(first, next, versions), true);
  });

  it('is true when the phase or the generation changes', () => {
    const first = computeStatus(undefined, observe());
    assert.equal(
      statusChanged(first, computeStatus(first, observe({ now: T1, outcome: { kind: 'progressing' } }))),
      true,
    );
    assert.equal(statusChanged(first, computeStatus(first, observe({ now: T1, generation: 4 }))), true);
  });

  it('is true when a height crosses a version height, which changes the image or halt height built', () => {
    const first = computeStatus(
      undefined,
      observe({ pods: { 'hub-0': { height: 198, inSync: true }, 'hub-1': { height: 198, inSync: true } } }),
    );
    const below = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 198, inSync: true }, 'hub-1': { height: 198, inSync: true } } }),
    );
    assert.equal(statusChanged(first, below, versions), false);
    const crossed = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 199, inSync: true }, 'hub-1': { height: 198, inSync: true } } }),
    );
    assert.equal(crossed.height!['hub-0'], 200);
    assert.equal(statusChanged(first, crossed, versions), true);
  });

  it('is true for new heights alone when the caller says heights are due, and false when nothing moved', () => {
    const first = computeStatus(undefined, observe());
    const moved = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 105, inSync: true }, 'hub-1': { height: 104, inSync: true } } }),
    );
    assert.equal(statusChanged(first, moved, versions, { heightsDue: true }), true);
    assert.equal(statusChanged(first, moved, versions, { heightsDue: false }), false);
    const still = computeStatus(first, observe({ now: T1 }));
    assert.equal(statusChanged(first, still, versions, { heightsDue: true }), false);
  });

  it('is true when a pod gets its first height', () => {
    const first = computeStatus(
      undefined,
      observe({ pods: { 'hub-0': { height: 100, inSync: true }, 'hub-1': { error: 'starting' } } }),
    );
    const next = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 100, inSync: true }, 'hub-1': { error: 'starting', height: 3 } } }),
    );
    assert.equal(statusChanged(first, next), false, 'an error entry carries no height');
    const answered = computeStatus(
      first,
      observe({ now: T1, pods: { 'hub-0': { height: 100, inSync: true }, 'hub-1': { height: 3, inSync: false } } }),
    );
    assert.equal(statusChanged(first, answered), true);
  });
});

describe('formatTime', () => {
  it('writes metav1.Time: UTC, to the second', () => {
    assert.equal(formatTime(T0), '2026-01-02T03:04:05Z');
  });
});
