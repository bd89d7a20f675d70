// The status cache against real pods: plain pods in a fresh namespace of the test control plane
// (no operator), read through src/kube's list+watch cache, with a fake CometBFT node serving
// HTTP on each pod's IP (kwok gives pods loopback IPs). Real polling with short intervals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadKubeConfig } from '../../../src/kube/client.ts';
import { type Cache, createCache } from '../../../src/kube/reflector.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { createRestClient } from '../../../src/kube/rest.ts';
import { createStatusCache, type Pod, type StatusCache } from '../../../src/cosmos/status-cache.ts';
import { createLogger } from '../../../src/log/log.ts';
import { eventually, newNamespace, type TestCluster, testCluster } from '../../cluster/connect.ts';
import { apiJson } from '../../cluster/kube-http.ts';
import { type FakeComet, type FakeCometFleet, fakeCometForPods, startFakeComet } from '../../support/fake-comet.ts';

const CFN = 'hub';
const WAIT = { timeoutMs: 60_000 };

/**
 * An RPC port per test run: pod IPs come from the same a loopback /16 in every control plane on
 * this machine, so a fixed port could meet another run's fake on the same address.
 */
const rpcPort = 20_000 + Math.floor(Math.random() * 10_000);
const healthPort = rpcPort + 1;

function podManifest(name: string, labels: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'app.kubernetes.io/name': CFN, ...labels } },
    spec: {
      containers: [{
        name: 'node',
        image: 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0',
        ports: [{ name: 'rpc', containerPort: rpcPort }],
      }],
    },
  };
}

describe('the CometBFT status cache on real pods', () => {
  let cluster: TestCluster;
  let ns: string;
  let pods: Cache<KubeObject & Pod>;
  let cache: StatusCache;
  const stopRun = new AbortController();
  let running: Promise<void> | undefined;
  const comets = new Map<string, FakeComet>();
  let fleet: FakeCometFleet | undefined;
  const changes: number[] = [];
  /** Each announcement: when, and what a material change is made of (reachable, in sync) for hub-0 and hub-1. */
  const announced: Array<{ at: number; material: string }> = [];

  const sync = (pod: string) => cache.syncInfo(ns, CFN).get(pod);

  const createRunningPod = async (name: string, labels: Record<string, string> = {}) => {
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: podManifest(name, labels) });
    return eventually(async () => {
      const pod = await apiJson(cluster.admin, 'GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      assert.equal(pod.status.phase, 'Running');
      assert.ok(pod.status.podIP, 'has an IP');
      return pod as { status: { podIP: string } };
    }, WAIT);
  };

  before(
    async () => {
      cluster = await testCluster();
      ns = await newNamespace('comet-cache');
      const [p0, p1] = await Promise.all([createRunningPod('hub-0'), createRunningPod('hub-1')]);
      comets.set(
        'hub-0',
        await startFakeComet({ host: p0.status.podIP, port: rpcPort, healthcheckPort: null, height: 10 }),
      );
      comets.set(
        'hub-1',
        await startFakeComet({
          host: p1.status.podIP,
          port: rpcPort,
          healthcheckPort: null,
          height: 20,
          catchingUp: true,
        }),
      );

      const rest = createRestClient(loadKubeConfig({ kubeconfig: cluster.kubeconfig }).kubeConfig);
      const log = createLogger({ write: () => {} });
      pods = createCache<KubeObject & Pod>(rest, { type: resources.pods, namespace: ns, log });
      pods.start();
      await pods.synced();
      cache = createStatusCache({
        listPods: (namespace, name) => pods.list(namespace, { 'app.kubernetes.io/name': name }),
        onChange: (_namespace, name) => {
          if (name !== CFN) return;
          changes.push(Date.now());
          const material = ['hub-0', 'hub-1'].map((p) => [sync(p)?.reachable, sync(p)?.inSync]);
          announced.push({ at: Date.now(), material: JSON.stringify(material) });
        },
        intervalMs: 200,
        // Well above what a fake in this process takes to answer on a busy machine: a spurious
        // timeout would read as a node gone down (a material change) in the middle of a test.
        timeoutMs: 2000,
        heightNotifyIntervalMs: 1000,
        log,
      });
      running = cache.run(stopRun.signal);
      cache.track(ns, CFN);
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    stopRun.abort();
    await running;
    await fleet?.close();
    await Promise.all([...comets.values()].map((c) => c.close()));
    await pods?.stop();
    if (cluster) await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it("reads each pod's height and catching_up from /status on its IP and rpc port", async () => {
    await eventually(() => {
      assert.deepEqual(
        { reachable: sync('hub-0')?.reachable, inSync: sync('hub-0')?.inSync, height: sync('hub-0')?.height },
        { reachable: true, inSync: true, height: 10 },
      );
      assert.deepEqual(
        { reachable: sync('hub-1')?.reachable, inSync: sync('hub-1')?.inSync, height: sync('hub-1')?.height },
        { reachable: true, inSync: false, height: 20 },
      );
    }, WAIT);
    assert.ok(changes.length >= 1, 'the first results were announced');
  });

  it('sees a node finish catching up, and announces it', async () => {
    const before = changes.length;
    comets.get('hub-1')!.setCatchingUp(false);
    await eventually(() => assert.equal(sync('hub-1')?.inSync, true), WAIT);
    await eventually(() => assert.ok(changes.length > before), WAIT);
  });

  it('follows heights, announcing them at most once per throttle window', async (t) => {
    const comet = comets.get('hub-0')!;
    const start = announced.length;
    // The heights move in steps between the cache's rounds (20 steps, each after a /status
    // request of hub-0 was answered), so however slow the machine, the cache sees them move.
    for (let h = 11; h <= 30; h++) {
      comet.setHeight(h);
      const served = comet.statusRequests();
      await eventually(() => comet.statusRequests() > served, { ...WAIT, intervalMs: 20, message: 'a /status round' });
    }
    await eventually(() => assert.equal(sync('hub-0')?.height, 30), WAIT);
    const window = announced.slice(start - 1 >= 0 ? start - 1 : 0);
    const heightOnly = window.slice(1).map((a, i) => ({
      gap: a.at - window[i]!.at,
      same: a.material === window[i]!.material,
    }));
    t.diagnostic(
      `announcements since the first height change: ${announced.length - start}; gaps ms: ${
        heightOnly.map((g) => g.gap).join(', ')
      }`,
    );
    assert.ok(announced.length - start >= 1, 'height changes are announced');
    // From the recorded announcements, not from a count over elapsed time: one that changed only
    // heights comes at least a throttle window (1 s) after the one before.
    for (const { gap, same } of heightOnly) {
      if (same) assert.ok(gap >= 1000 - 5, `a height-only announcement ${gap} ms after the one before`);
    }
  });

  it('marks a pod whose node refuses connections unreachable, with the reason, and reachable again once it answers', async () => {
    const comet = comets.get('hub-0')!;
    const before = changes.length;
    await comet.setDown(true, 'refuse');
    await eventually(() => {
      const s = sync('hub-0');
      assert.equal(s?.reachable, false);
      assert.equal(s?.inSync, undefined);
      assert.match(s?.error ?? '', /ECONNREFUSED/);
    }, WAIT);
    assert.ok(changes.length > before, 'announced');
    await comet.setDown(false);
    await eventually(() => assert.equal(sync('hub-0')?.reachable, true), WAIT);
  });

  it('marks a pod whose node answers 500 or hangs unreachable, with the HTTP status or the timeout', async () => {
    const comet = comets.get('hub-1')!;
    await comet.setDown(true, 'http500');
    await eventually(() => assert.equal(sync('hub-1')?.error, '500 Internal Server Error'), WAIT);
    await comet.setDown(true, 'hang');
    await eventually(() => assert.match(sync('hub-1')?.error ?? '', /timed out after 2000 ms/), WAIT);
    await comet.setDown(false);
    await eventually(() => assert.equal(sync('hub-1')?.reachable, true), WAIT);
  });

  it('lists a new pod at once, unreachable, and polls it once fakeCometForPods serves its IP', async () => {
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/pods`, {
      body: podManifest('hub-2', { fleet: 'yes' }),
    });
    const first = await eventually(() => sync('hub-2') ?? false, WAIT);
    assert.equal(first.reachable, false, 'nothing serves its IP yet');
    assert.ok(
      ['missing status', 'pod has no IP'].includes(first.error ?? '') || /ECONNREFUSED/.test(first.error ?? ''),
      first.error,
    );
    fleet = fakeCometForPods(cluster, ns, 'fleet=yes', {
      initial: () => ({ height: 500 }),
      healthcheckPort: healthPort,
    });
    const comet = await fleet.waitFor('hub-2', WAIT.timeoutMs);
    assert.equal(comet.port, rpcPort, "the fleet serves the pod's rpc containerPort");
    await eventually(() => assert.deepEqual([sync('hub-2')?.reachable, sync('hub-2')?.height], [true, 500]), WAIT);

    // The sidecar's API on the same pod IP (docs/compatibility.md §4; 1251 unless told, as here).
    assert.equal(comet.healthcheckPort, healthPort);
    const health = await fetch(`http://${comet.host}:${healthPort}/`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { address: `http://localhost:${rpcPort}`, in_sync: true });
  });

  it('drops a deleted pod and announces it; the fleet stops serving it', async () => {
    const before = changes.length;
    await apiJson(cluster.admin, 'DELETE', `/api/v1/namespaces/${ns}/pods/hub-2?gracePeriodSeconds=0`);
    await eventually(() => assert.equal(sync('hub-2'), undefined), WAIT);
    await eventually(() => assert.ok(changes.length > before), WAIT);
    await eventually(() => assert.equal(fleet!.get('hub-2'), undefined), WAIT);
  });

  it('stops polling a CosmosFullNode it no longer tracks', async () => {
    // A witness: another CosmosFullNode's pod, still tracked. Its /status requests bound the
    // window in the cache's own rounds rather than in seconds of a possibly busy machine.
    const w = await createRunningPod('witness-0', { 'app.kubernetes.io/name': 'witness' });
    const witness = await startFakeComet({ host: w.status.podIP, port: rpcPort, healthcheckPort: null });
    comets.set('witness-0', witness);
    cache.track(ns, 'witness');
    await eventually(() => witness.statusRequests() > 0, { ...WAIT, message: 'the witness polled' });

    cache.untrack(ns, CFN);
    const hubs = [...comets].filter(([name]) => name.startsWith('hub-')).map(([, c]) => c);
    const counts = hubs.map((c) => c.statusRequests());
    const witnessed = witness.statusRequests();
    await eventually(() => witness.statusRequests() >= witnessed + 6, { ...WAIT, message: 'six witness rounds' });
    // A round already in flight may still reach each pod once; none after it.
    const now = hubs.map((c) => c.statusRequests());
    for (const [i, n] of now.entries()) assert.ok(n <= counts[i]! + 1, `${n} requests, ${counts[i]} at untrack`);
    assert.equal(sync('hub-0')?.error, 'missing status');
  });
});
