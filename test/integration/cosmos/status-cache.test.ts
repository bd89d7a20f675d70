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
const WAIT = { timeoutMs: 20_000 };

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
        onChange: () => changes.push(Date.now()),
        intervalMs: 200,
        timeoutMs: 500,
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

  it('follows heights, announcing them at most once per throttle window', async () => {
    const comet = comets.get('hub-0')!;
    const start = changes.length;
    const t0 = Date.now();
    for (let h = 11; h <= 30; h++) {
      comet.setHeight(h);
      await new Promise((r) => setTimeout(r, 100));
    }
    await eventually(() => assert.equal(sync('hub-0')?.height, 30), WAIT);
    const elapsed = Date.now() - t0;
    const announced = changes.length - start;
    assert.ok(announced >= 1, 'height changes are announced');
    assert.ok(
      announced <= Math.ceil(elapsed / 1000) + 1,
      `${announced} announcements in ${elapsed} ms with a 1 s throttle`,
    );
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
    await eventually(() => assert.match(sync('hub-1')?.error ?? '', /timed out after 500 ms/), WAIT);
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

    // The sidecar's API on the same pod IP (spec §4; 1251 unless told, as here).
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
    cache.untrack(ns, CFN);
    await new Promise((r) => setTimeout(r, 300)); // a round in flight finishes
    const counts = [...comets.values()].map((c) => c.statusRequests());
    await new Promise((r) => setTimeout(r, 1000)); // five intervals
    assert.deepEqual(
      [...comets.values()].map((c) => c.statusRequests()),
      counts,
    );
    assert.equal(sync('hub-0')?.error, 'missing status');
  });
});
