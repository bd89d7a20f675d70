// The status cache with a fake clock and a scripted /status: rounds, notifications and the
// height throttle, with no real waiting (flush() only lets resolved promises run).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { CometStatusResponse } from '../../../src/cosmos/comet-client.ts';
import {
  createStatusCache,
  type Pod,
  rpcPortOf,
  type StatusCache,
  type StatusCacheOptions,
} from '../../../src/cosmos/status-cache.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createFakeClock, type FakeClock } from '../../fixtures/kube/fake-clock.ts';

const NS = 'chains';
const CFN = 'cosmoshub';

/** Lets every resolved promise and the callbacks after it run (one macrotask turn). */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function pod(name: string, opts: { ip?: string | null; uid?: string; ordinal?: number; rpcPort?: number } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: NS,
      uid: opts.uid ?? `uid-${name}`,
      annotations: opts.ordinal === undefined ? {} : { 'app.kubernetes.io/ordinal': String(opts.ordinal) },
    },
    spec: { containers: [{ name: 'node', ports: opts.rpcPort ? [{ name: 'rpc', containerPort: opts.rpcPort }] : [] }] },
    status: opts.ip === null ? {} : { podIP: opts.ip ?? `10.0.0.${name.slice(-1)}` },
  };
}

type NodeState = { height: number; catchingUp?: boolean } | { error: string } | 'hang';

/** A scripted network: each IP answers from `nodes`; 'hang' requests wait until released. */
function scriptedNetwork() {
  const nodes = new Map<string, NodeState>();
  const calls: { ip: string; port: number; signal?: AbortSignal }[] = [];
  const hanging: { ip: string; resolve: (r: CometStatusResponse) => void; signal?: AbortSignal }[] = [];
  const answer = (state: NodeState | undefined): CometStatusResponse => {
    if (state === undefined) return { ok: false, kind: 'network', error: 'connect ECONNREFUSED' };
    if (state === 'hang') throw new Error('unreachable');
    if ('error' in state) return { ok: false, kind: 'network', error: state.error };
    return { ok: true, status: { latestBlockHeight: state.height, catchingUp: state.catchingUp ?? false } };
  };
  const fetchStatus: NonNullable<StatusCacheOptions['fetchStatus']> = (ip, port, opts = {}) => {
    calls.push({ ip, port, ...(opts.signal ? { signal: opts.signal } : {}) });
    const state = nodes.get(ip);
    if (state !== 'hang') return Promise.resolve(answer(state));
    return new Promise((resolve) => {
      const entry = { ip, resolve, ...(opts.signal ? { signal: opts.signal } : {}) };
      hanging.push(entry);
      opts.signal?.addEventListener('abort', () => resolve({ ok: false, kind: 'aborted', error: 'aborted' }), {
        once: true,
      });
    });
  };
  return {
    nodes,
    calls,
    fetchStatus,
    /** Answers every hanging request from the current state of its node. */
    release() {
      for (const h of hanging.splice(0)) {
        const state = nodes.get(h.ip);
        h.resolve(state === 'hang' ? { ok: false, kind: 'timeout', error: 'timed out' } : answer(state));
      }
    },
    hangingCount: () => hanging.length,
  };
}

type Harness = {
  cache: StatusCache;
  clock: FakeClock;
  net: ReturnType<typeof scriptedNetwork>;
  pods: Pod[];
  changes: string[];
  logs: Record<string, unknown>[];
  registry: Registry;
  start(): void;
  stop(): Promise<void>;
};

function harness(
  opts: Partial<StatusCacheOptions> = {},
  initialPods: Pod[] = [pod('node-0', { ordinal: 0 }), pod('node-1', { ordinal: 1 })],
): Harness {
  const clock = createFakeClock();
  const net = scriptedNetwork();
  for (const p of initialPods) if (p.status?.podIP) net.nodes.set(p.status.podIP, { height: 100 });
  const changes: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const registry = new Registry();
  const h: Harness = {
    clock,
    net,
    pods: initialPods,
    changes,
    logs,
    registry,
    cache: undefined as unknown as StatusCache,
    start() {
      const controller = new AbortController();
      const running = h.cache.run(controller.signal);
      h.stop = async () => {
        controller.abort();
        await running;
      };
    },
    stop: async () => {},
  };
  h.cache = createStatusCache({
    listPods: (ns, name) => (ns === NS && name === CFN ? h.pods : []),
    onChange: (ns, name) => changes.push(`${ns}/${name}`),
    fetchStatus: net.fetchStatus,
    clock,
    log: createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
    registry,
    ...opts,
  });
  return h;
}

const view = (cache: StatusCache) =>
  Object.fromEntries(
    [...cache.syncInfo(NS, CFN)].map((
      [name, s],
    ) => [name, { reachable: s.reachable, inSync: s.inSync, height: s.height, error: s.error }]),
  );

describe('status cache rounds', () => {
  it('polls every pod of a tracked CosmosFullNode at once, without waiting an interval', async () => {
    const h = harness();
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    assert.deepEqual(h.net.calls.map((c) => c.ip).sort(), ['10.0.0.0', '10.0.0.1']);
    assert.deepEqual(view(h.cache), {
      'node-0': { reachable: true, inSync: true, height: 100, error: undefined },
      'node-1': { reachable: true, inSync: true, height: 100, error: undefined },
    });
    await h.stop();
  });

  it('remembers a CosmosFullNode tracked before the loop runs and polls it when it starts', async () => {
    const h = harness();
    h.cache.track(NS, CFN);
    await flush();
    assert.equal(h.net.calls.length, 0);
    h.start();
    await flush();
    assert.equal(h.net.calls.length, 2);
    await h.stop();
  });

  it('polls again every interval, measured from the start of the previous round', async () => {
    const h = harness({ intervalMs: 5000 });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.clock.advance(4999);
    await flush();
    assert.equal(h.net.calls.length, 2);
    h.clock.advance(1);
    await flush();
    assert.equal(h.net.calls.length, 4);
    await h.stop();
  });

  it('tracks idempotently: tracking again does not add rounds', async () => {
    const h = harness();
    h.start();
    h.cache.track(NS, CFN);
    h.cache.track(NS, CFN);
    await flush();
    h.cache.track(NS, CFN);
    await flush();
    assert.equal(h.net.calls.length, 2);
    await h.stop();
  });

  it('never overlaps two rounds of one CosmosFullNode when a round is slower than the interval', async () => {
    const h = harness({ intervalMs: 5000 }, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', 'hang');
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.clock.advance(15_000);
    await flush();
    assert.equal(h.net.calls.length, 1, 'no second round while the first is in flight');
    h.net.nodes.set('10.0.0.0', { height: 7 });
    h.net.release();
    await flush();
    h.clock.advance(0); // overdue: the next round starts at once
    await flush();
    assert.equal(h.net.calls.length, 2);
    await h.stop();
  });

  it('polls at once on refresh (a pod got an IP), then every interval from that round', async () => {
    const h = harness({ intervalMs: 5000 });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.clock.advance(1000);
    h.cache.refresh(NS, CFN);
    await flush();
    assert.equal(h.net.calls.length, 4, 'a second round at 1 s, not at 5 s');
    h.clock.advance(4999);
    await flush();
    assert.equal(h.net.calls.length, 4);
    h.clock.advance(1);
    await flush();
    assert.equal(h.net.calls.length, 6, 'the next tick is an interval after the refreshed round');
    await h.stop();
  });

  it('follows a round in flight with another at once when refreshed during it', async () => {
    const h = harness({ intervalMs: 5000 }, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', 'hang');
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.cache.refresh(NS, CFN);
    await flush();
    assert.equal(h.net.calls.length, 1, 'rounds never overlap');
    h.net.nodes.set('10.0.0.0', { height: 7 });
    h.net.release();
    await flush();
    h.clock.advance(0);
    await flush();
    assert.equal(h.net.calls.length, 2, 'the refreshed round follows without waiting an interval');
    await h.stop();
  });

  it('ignores refresh of an untracked CosmosFullNode and before the loop runs', async () => {
    const h = harness();
    h.cache.refresh(NS, CFN);
    h.cache.track(NS, CFN);
    h.cache.refresh(NS, CFN);
    await flush();
    assert.equal(h.net.calls.length, 0);
    h.start();
    h.cache.refresh(NS, 'other');
    await flush();
    assert.equal(h.net.calls.length, 2, 'only the first round of the tracked one');
    await h.stop();
  });

  it('asks the containerPort named rpc of container node, else 26657', async () => {
    const h = harness({}, [pod('node-0', { rpcPort: 36657 }), pod('node-1')]);
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    assert.deepEqual(h.net.calls.map((c) => `${c.ip}:${c.port}`).sort(), ['10.0.0.0:36657', '10.0.0.1:26657']);
    assert.equal(
      rpcPortOf({ spec: { containers: [{ name: 'sidecar', ports: [{ name: 'rpc', containerPort: 1 }] }] } }),
      26657,
    );
    await h.stop();
  });

  it('stops polling an untracked CosmosFullNode and aborts its request in flight', async () => {
    const h = harness({}, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', 'hang');
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    const signal = h.net.calls[0]!.signal!;
    h.cache.untrack(NS, CFN);
    assert.equal(signal.aborted, true);
    await flush();
    h.clock.advance(60_000);
    await flush();
    assert.equal(h.net.calls.length, 1);
    assert.equal(h.clock.pending(), 0, 'no timer left behind');
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.error, 'missing status');
    await h.stop();
  });

  it('returns from run() when aborted, after stopping its timers and requests', async () => {
    const h = harness({}, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', 'hang');
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    await h.stop();
    assert.equal(h.net.calls[0]!.signal!.aborted, true);
    assert.equal(h.clock.pending(), 0);
  });

  it('keeps the last results when listing pods fails, and logs it', async () => {
    let fail = false;
    const h = harness({
      listPods: () => {
        if (fail) throw new Error('cache not synced');
        return [pod('node-0')];
      },
    });
    h.net.nodes.set('10.0.0.0', { height: 3 });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    fail = true;
    h.clock.advance(5000);
    await flush();
    assert.ok(h.logs.some((l) => l.msg === 'listing pods failed' && l.level === 'warn'));
    fail = false;
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.height, 3);
    await h.stop();
  });
});

describe('status cache results', () => {
  it('shows a pod without a result yet as unreachable with "missing status"', () => {
    const h = harness();
    assert.deepEqual(view(h.cache), {
      'node-0': { reachable: false, inSync: undefined, height: undefined, error: 'missing status' },
      'node-1': { reachable: false, inSync: undefined, height: undefined, error: 'missing status' },
    });
  });

  it('shows a pod created since the last round as "missing status" and the others as polled', async () => {
    const h = harness();
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.pods = [...h.pods, pod('node-2', { ordinal: 2 })];
    const info = h.cache.syncInfo(NS, CFN);
    assert.equal(info.get('node-0')?.reachable, true);
    assert.equal(info.get('node-2')?.error, 'missing status');
    await h.stop();
  });

  it('starts a recreated pod (same name, new uid) fresh', async () => {
    const h = harness({}, [pod('node-0')]);
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.pods = [pod('node-0', { uid: 'recreated' })];
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.error, 'missing status');
    await h.stop();
  });

  it('drops pods that are gone', async () => {
    const h = harness();
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.pods = [h.pods[1]!];
    assert.deepEqual([...h.cache.syncInfo(NS, CFN).keys()], ['node-1']);
    await h.stop();
  });

  it('reports a pod without an IP as "pod has no IP" without asking anything', async () => {
    const h = harness({}, [pod('node-0', { ip: null })]);
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    assert.equal(h.net.calls.length, 0);
    assert.deepEqual(view(h.cache)['node-0'], {
      reachable: false,
      inSync: undefined,
      height: undefined,
      error: 'pod has no IP',
    });
    await h.stop();
  });

  it('records the failure text of an unreachable pod and no height or sync state', async () => {
    const h = harness({}, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', { error: '503 Service Unavailable' });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    assert.deepEqual(view(h.cache)['node-0'], {
      reachable: false,
      inSync: undefined,
      height: undefined,
      error: '503 Service Unavailable',
    });
    await h.stop();
  });

  it('records inSync false for a node catching up, with its height and when it was seen', async () => {
    const h = harness({}, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', { height: 42, catchingUp: true });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    const s = h.cache.syncInfo(NS, CFN).get('node-0')!;
    assert.deepEqual({ ...s }, {
      pod: 'node-0',
      uid: 'uid-node-0',
      ts: h.clock.now(),
      height: 42,
      inSync: false,
      reachable: true,
    });
    assert.ok(Object.isFrozen(s), 'entries are shared, so frozen');
    await h.stop();
  });

  it('lists pods in ordinal order', async () => {
    const h = harness({}, [pod('node-10', { ordinal: 10 }), pod('node-2', { ordinal: 2 }), pod('extra-0')]);
    assert.deepEqual([...h.cache.syncInfo(NS, CFN).keys()], ['node-2', 'node-10', 'extra-0']);
  });

  it('forgets a pod the rollout deleted until a round that started afterwards answers for it', async () => {
    const h = harness({}, [pod('node-0')]);
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.cache.forget(NS, CFN, 'node-0');
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.error, 'missing status');
    h.clock.advance(5000);
    await flush();
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.reachable, true);
    await h.stop();
  });

  it('ignores the answer of a round in flight when the pod is forgotten', async () => {
    const h = harness({}, [pod('node-0')]);
    h.net.nodes.set('10.0.0.0', 'hang');
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    h.cache.forget(NS, CFN, 'node-0');
    h.net.nodes.set('10.0.0.0', { height: 9 });
    h.net.release();
    await flush();
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.error, 'missing status', 'the answer predates the deletion');
    h.clock.advance(5000);
    await flush();
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.height, 9);
    await h.stop();
  });

  it('keeps CosmosFullNodes apart', async () => {
    const h = harness({
      listPods: (_ns, name) => (name === 'a' ? [pod('a-0', { ip: '10.1.0.0' })] : [pod('b-0', { ip: '10.2.0.0' })]),
    });
    h.net.nodes.set('10.1.0.0', { height: 1 });
    h.net.nodes.set('10.2.0.0', { height: 2 });
    h.start();
    h.cache.track(NS, 'a');
    h.cache.track(NS, 'b');
    await flush();
    assert.equal(h.cache.syncInfo(NS, 'a').get('a-0')?.height, 1);
    assert.equal(h.cache.syncInfo(NS, 'b').get('b-0')?.height, 2);
    h.cache.untrack(NS, 'a');
    assert.equal(h.cache.syncInfo(NS, 'b').get('b-0')?.height, 2);
    await h.stop();
  });
});

describe('status cache notifications', () => {
  /** A running cache whose first round is done and notified. */
  async function settled(opts: Partial<StatusCacheOptions> = {}, pods?: Pod[]) {
    const h = harness(opts, pods);
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    assert.deepEqual(h.changes, [`${NS}/${CFN}`], 'the first results are a change');
    h.changes.length = 0;
    return h;
  }
  const round = async (h: Harness, ms = 5000) => {
    h.clock.advance(ms);
    await flush();
  };

  it('does not notify while nothing changes', async () => {
    const h = await settled();
    for (let i = 0; i < 24; i++) await round(h);
    assert.deepEqual(h.changes, []);
    await h.stop();
  });

  it('notifies once when a pod stops answering, and once when it answers again', async () => {
    const h = await settled();
    h.net.nodes.set('10.0.0.1', { error: 'timed out' });
    await round(h);
    await round(h);
    assert.equal(h.changes.length, 1);
    h.net.nodes.set('10.0.0.1', { height: 100 });
    await round(h);
    await round(h);
    assert.equal(h.changes.length, 2);
    await h.stop();
  });

  it('does not notify when only the error text of an unreachable pod changes', async () => {
    const h = await settled();
    h.net.nodes.set('10.0.0.1', { error: 'connect ECONNREFUSED' });
    await round(h);
    h.net.nodes.set('10.0.0.1', { error: 'timed out' });
    await round(h);
    assert.equal(h.changes.length, 1);
    await h.stop();
  });

  it('notifies when a pod starts or stops catching up', async () => {
    const h = await settled();
    h.net.nodes.set('10.0.0.0', { height: 100, catchingUp: true });
    await round(h);
    assert.equal(h.changes.length, 1);
    h.net.nodes.set('10.0.0.0', { height: 100, catchingUp: false });
    await round(h);
    assert.equal(h.changes.length, 2);
    await h.stop();
  });

  it('notifies when a pod appears, disappears or is recreated', async () => {
    const h = await settled();
    h.pods = [...h.pods, pod('node-2')];
    h.net.nodes.set('10.0.0.2', { height: 100 });
    await round(h);
    assert.equal(h.changes.length, 1, 'appeared');
    h.pods = h.pods.slice(0, 2);
    await round(h);
    assert.equal(h.changes.length, 2, 'disappeared');
    h.pods = [h.pods[0]!, pod('node-1', { uid: 'new' })];
    await round(h);
    assert.equal(h.changes.length, 3, 'recreated');
    await h.stop();
  });

  it('notifies height changes at most once per 30 s per CosmosFullNode', async () => {
    const h = await settled({ intervalMs: 5000, heightNotifyIntervalMs: 30_000 });
    let height = 100;
    const times: number[] = [];
    const start = h.clock.now();
    for (let i = 0; i < 24; i++) {
      height += 1;
      h.net.nodes.set('10.0.0.0', { height });
      h.net.nodes.set('10.0.0.1', { height });
      const before = h.changes.length;
      await round(h);
      if (h.changes.length > before) times.push(h.clock.now() - start);
    }
    assert.deepEqual(times, [30_000, 60_000, 90_000, 120_000], 'every 30 s over 2 minutes of blocks');
    assert.equal(h.cache.syncInfo(NS, CFN).get('node-0')?.height, height, 'the cache itself is always fresh');
    await h.stop();
  });

  it('delivers a throttled height change once the window passes, even if heights then stand still', async () => {
    const h = await settled();
    h.net.nodes.set('10.0.0.0', { height: 101 });
    await round(h); // t+5 s: inside the window of the first notification
    assert.equal(h.changes.length, 0);
    for (let i = 0; i < 5; i++) await round(h); // t+30 s
    assert.equal(h.changes.length, 1);
    for (let i = 0; i < 12; i++) await round(h);
    assert.equal(h.changes.length, 1, 'nothing more to deliver');
    await h.stop();
  });

  it('counts a state notification as delivering the heights too', async () => {
    const h = await settled();
    h.clock.advance(30_000);
    await flush();
    h.changes.length = 0;
    h.net.nodes.set('10.0.0.0', { height: 150, catchingUp: true });
    await round(h);
    assert.equal(h.changes.length, 1);
    h.net.nodes.set('10.0.0.1', { height: 151 });
    await round(h);
    assert.equal(h.changes.length, 1, 'the height change waits for the window that the state change opened');
    await h.stop();
  });

  it('notifies a height change at once when heightMatters says so', async () => {
    const seen: unknown[] = [];
    const h = await settled({
      heightMatters: (_ns, _name, p, prev, next) => {
        seen.push([p, prev, next]);
        return (prev ?? 0) < 200 && next >= 200;
      },
    });
    h.net.nodes.set('10.0.0.0', { height: 150 });
    await round(h);
    assert.equal(h.changes.length, 0);
    h.net.nodes.set('10.0.0.0', { height: 200 });
    await round(h);
    assert.equal(h.changes.length, 1);
    assert.deepEqual(seen, [
      ['node-0', 100, 150],
      ['node-0', 150, 200],
    ]);
    await h.stop();
  });

  it('keeps polling when onChange throws', async () => {
    const h = harness({
      onChange: () => {
        throw new Error('queue shut down');
      },
    });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    await flush();
    h.clock.advance(5000);
    await flush();
    assert.equal(h.net.calls.length, 4);
    assert.ok(h.logs.some((l) => l.msg === 'onChange failed'));
    await h.stop();
  });

  it('logs a reachability change once, with the pod and the error', async () => {
    const h = await settled();
    h.net.nodes.set('10.0.0.1', { error: 'connect ECONNREFUSED' });
    await round(h);
    await round(h);
    const changed = h.logs.filter((l) => l.msg === 'pod CometBFT status changed');
    assert.equal(changed.length, 1);
    assert.equal(changed[0]!.pod, 'node-1');
    assert.equal(changed[0]!.reachable, false);
    assert.equal(changed[0]!.error, 'connect ECONNREFUSED');
    await h.stop();
  });
});

describe('status cache metrics', () => {
  it('counts /status requests by result, notifications by reason, and tracked CosmosFullNodes', async () => {
    const h = harness();
    h.net.nodes.set('10.0.0.1', { error: 'refused' });
    h.start();
    h.cache.track(NS, CFN);
    await flush();
    const text = await h.registry.metrics();
    assert.match(text, /cosmos_operator_comet_status_requests_total\{result="success"\} 1/);
    assert.match(text, /cosmos_operator_comet_status_requests_total\{result="network_error"\} 1/);
    assert.match(text, /cosmos_operator_comet_status_notifications_total\{reason="state"\} 1/);
    assert.match(text, /cosmos_operator_comet_tracked_fullnodes 1/);
    assert.match(text, /cosmos_operator_comet_status_request_duration_seconds_count 2/);
    await h.stop();
  });
});
