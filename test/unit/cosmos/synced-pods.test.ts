import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPodAvailable, type Pod, type PodSync, syncedPods } from '../../../src/cosmos/status-cache.ts';

const NOW = Date.parse('2024-09-02T12:00:00Z');

function readyPod(
  name: string,
  readySince: string | undefined,
  opts: { ordinal?: number; ready?: string; uid?: string } = {},
): Pod {
  return {
    metadata: {
      name,
      uid: opts.uid ?? `uid-${name}`,
      annotations: opts.ordinal === undefined ? {} : { 'app.kubernetes.io/ordinal': String(opts.ordinal) },
    },
    status: {
      podIP: '10.0.0.1',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-09-01T00:00:00Z' },
        { type: 'Ready', status: opts.ready ?? 'True', ...(readySince ? { lastTransitionTime: readySince } : {}) },
      ],
    },
  };
}

function sync(name: string, s: Partial<PodSync> = {}): [string, PodSync] {
  return [name, { pod: name, uid: `uid-${name}`, ts: NOW, reachable: true, inSync: true, height: 10, ...s }];
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);
const minuteAgo = '2024-09-02T11:59:00Z';

describe('syncedPods', () => {
  it('keeps pods that answered, are not catching up, and have been Ready for over 5 s', () => {
    const pods = [readyPod('a', minuteAgo)];
    assert.deepEqual(names(syncedPods(pods, new Map([sync('a')]), NOW)), ['a']);
  });

  it('drops a pod catching up, unreachable, or with an error', () => {
    const pods = [readyPod('a', minuteAgo), readyPod('b', minuteAgo), readyPod('c', minuteAgo)];
    const info = new Map([
      sync('a', { inSync: false }),
      sync('b', { reachable: false, inSync: undefined, error: 'timed out' }),
      sync('c', { error: 'missing status', reachable: false }),
    ]);
    assert.deepEqual(syncedPods(pods, info, NOW), []);
  });

  it('drops a pod with no status, or whose status belongs to an earlier pod of that name', () => {
    const pods = [readyPod('a', minuteAgo), readyPod('b', minuteAgo, { uid: 'recreated' })];
    assert.deepEqual(syncedPods(pods, new Map([sync('b')]), NOW), []);
  });

  it('drops a pod Ready for exactly 5 s or less, and one not Ready', () => {
    const pods = [
      readyPod('a', '2024-09-02T11:59:55Z'),
      readyPod('b', '2024-09-02T11:59:54.999Z'),
      readyPod('c', minuteAgo, { ready: 'False' }),
    ];
    assert.deepEqual(names(syncedPods(pods, new Map([sync('a'), sync('b'), sync('c')]), NOW)), ['b']);
  });

  it('returns them in ordinal order', () => {
    const pods = [readyPod('n-10', minuteAgo, { ordinal: 10 }), readyPod('n-9', minuteAgo, { ordinal: 9 })];
    assert.deepEqual(names(syncedPods(pods, new Map([sync('n-10'), sync('n-9')]), NOW)), ['n-9', 'n-10']);
  });
});

describe('isPodAvailable', () => {
  it('needs a Ready condition with a transition time unless the minimum is 0', () => {
    assert.equal(isPodAvailable(readyPod('a', undefined), 5000, NOW), false);
    assert.equal(isPodAvailable(readyPod('a', undefined), 0, NOW), true);
    assert.equal(isPodAvailable({ status: {} }, 0, NOW), false);
  });

  it('accepts a Date transition time, as client-node objects carry', () => {
    const pod: Pod = {
      status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(NOW - 10_000) }] },
    };
    assert.equal(isPodAvailable(pod, 5000, NOW), true);
  });
});
