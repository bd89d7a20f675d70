// The list+watch cache against a real kube-apiserver: it follows creates, updates and deletes
// of core and custom resources, and it recovers when the API server dies mid-watch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mergePatch } from '../../../src/kube/apply.ts';
import { objectClient } from '../../../src/kube/objects.ts';
import { type Cache, createCache } from '../../../src/kube/reflector.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import type { RestClient } from '../../../src/kube/rest.ts';
import {
  type Gate,
  type KubeHarness,
  kubeHarness,
  recordEvents,
  restThrough,
  tcpGate,
  widgetCrdFile,
  widgets,
} from './fixtures/harness.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };
type Widget = KubeObject & { spec?: { size?: number; color?: string } };

describe('the list+watch cache', () => {
  let h: KubeHarness;
  let ns: string;
  const caches: Array<Cache<KubeObject>> = [];
  const gates: Gate[] = [];

  before(
    async () => {
      h = await kubeHarness();
      ns = await newNamespace('kube-cache');
      await h.cluster.installCRDs(widgetCrdFile);
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    await Promise.all(caches.map((c) => c.stop()));
    await Promise.all(gates.map((g) => g.close()));
    if (h) await h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  function startCache<T extends KubeObject>(
    opts: Omit<Parameters<typeof createCache<T>>[1], 'log'>,
    rest: RestClient = h.rest,
  ): Cache<T> {
    const cache = createCache<T>(rest, { log: h.log, ...opts });
    caches.push(cache as unknown as Cache<KubeObject>);
    cache.start();
    return cache;
  }

  it('sees ConfigMaps created, updated and deleted, without managedFields', async () => {
    const configMaps = objectClient<ConfigMap>(h.rest, resources.configMaps);
    await configMaps.create({ metadata: { namespace: ns, name: 'before' }, data: { a: '1' } });
    const cache = startCache<ConfigMap>({ type: resources.configMaps, namespace: ns });
    const seen = recordEvents(cache);
    await cache.synced();
    assert.equal(cache.get(ns, 'before')?.data?.a, '1');
    assert.equal(cache.get(ns, 'before')?.metadata?.managedFields, undefined);

    await configMaps.create({ metadata: { namespace: ns, name: 'cm' }, data: { a: '1' } });
    await eventually(() => assert.equal(cache.get(ns, 'cm')?.data?.a, '1'));
    await mergePatch(h.rest, resources.configMaps, ns, 'cm', { data: { a: '2' } });
    await eventually(() => assert.equal(cache.get(ns, 'cm')?.data?.a, '2'));
    await configMaps.delete(ns, 'cm');
    await eventually(() => assert.equal(cache.get(ns, 'cm'), undefined));

    assert.deepEqual(
      seen.filter((e) => e.name === 'cm').map((e) => e.type),
      ['add', 'update', 'delete'],
    );
  });

  it('sees a custom resource created, updated and deleted', async () => {
    const client = objectClient<Widget>(h.rest, widgets);
    const cache = startCache<Widget>({ type: widgets, namespace: ns });
    const seen = recordEvents(cache);
    await cache.synced();
    await client.create({ metadata: { namespace: ns, name: 'w' }, spec: { size: 1, color: 'red' } });
    await eventually(() => assert.equal(cache.get(ns, 'w')?.spec?.size, 1));
    await mergePatch(h.rest, widgets, ns, 'w', { spec: { size: 2 } });
    await eventually(() => assert.equal(cache.get(ns, 'w')?.spec?.size, 2));
    await client.delete(ns, 'w');
    await eventually(() => assert.equal(cache.get(ns, 'w'), undefined));
    assert.deepEqual(
      seen.map((e) => e.type),
      ['add', 'update', 'delete'],
    );
  });

  it('keeps only objects matching its label selector', async () => {
    const configMaps = objectClient<ConfigMap>(h.rest, resources.configMaps);
    const cache = startCache<ConfigMap>({ type: resources.configMaps, namespace: ns, labelSelector: 'app=selected' });
    await cache.synced();
    await configMaps.create({ metadata: { namespace: ns, name: 'in', labels: { app: 'selected' } } });
    await configMaps.create({ metadata: { namespace: ns, name: 'out', labels: { app: 'other' } } });
    await eventually(() => assert.ok(cache.get(ns, 'in')));
    assert.equal(cache.get(ns, 'out'), undefined);
    // Relabelling an object out of the selector reads as a delete.
    await mergePatch(h.rest, resources.configMaps, ns, 'in', { metadata: { labels: { app: 'other' } } });
    await eventually(() => assert.equal(cache.get(ns, 'in'), undefined));
  });

  it('recovers after kube-apiserver is killed mid-watch: later changes arrive, and deletes from the gap are synthesised by a relist', async (t) => {
    const configMaps = objectClient<ConfigMap>(h.rest, resources.configMaps);
    const widgetClient = objectClient<Widget>(h.rest, widgets);
    for (const name of ['keep', 'doomed']) {
      await configMaps.create({ metadata: { namespace: ns, name, labels: { restart: 'yes' } }, data: { v: '1' } });
      await widgetClient.create({ metadata: { namespace: ns, name }, spec: { size: 1 } });
    }
    // The caches reach the API server through a gate the test shuts before the kill and opens
    // after the writes below, so those land while the caches are away (however long a busy
    // machine takes), and the delete can only be learnt from a relist.
    const gate = await tcpGate(h.cluster.server);
    gates.push(gate);
    const rest = restThrough(gate, h.cluster);
    const tuning = { backoffInitialMs: 200, backoffMaxMs: 2_000 };
    const cmCache = startCache<ConfigMap>({
      type: resources.configMaps,
      namespace: ns,
      labelSelector: 'restart=yes',
      tuning,
    }, rest);
    const wCache = startCache<Widget>({ type: widgets, namespace: ns, tuning }, rest);
    const cmSeen = recordEvents(cmCache);
    const wSeen = recordEvents(wCache);
    await Promise.all([cmCache.synced(), wCache.synced()]);
    const doomedCm = cmCache.get(ns, 'doomed')!.metadata!.resourceVersion;
    const doomedW = wCache.get(ns, 'doomed')!.metadata!.resourceVersion;
    // A write neither cache watches moves etcd past both caches' resourceVersions. The restarted
    // API server's watch cache starts from etcd's current revision, so it can no longer replay
    // from ours and answers 410 (without this, it would replay the deletes as DELETED events).
    await configMaps.create({ metadata: { namespace: ns, name: 'bystander' } });

    gate.shut();
    const killedAt = Date.now();
    await h.cluster.kill('kube-apiserver');
    const readyAfter = Date.now() - killedAt;

    await configMaps.delete(ns, 'doomed');
    await widgetClient.delete(ns, 'doomed');
    await mergePatch(h.rest, resources.configMaps, ns, 'keep', { data: { v: '2' } });
    await mergePatch(h.rest, widgets, ns, 'keep', { spec: { size: 2 } });
    await configMaps.create({
      metadata: { namespace: ns, name: 'born', labels: { restart: 'yes' } },
      data: { v: '1' },
    });
    await widgetClient.create({ metadata: { namespace: ns, name: 'born' }, spec: { size: 1 } });
    const gapWritesDoneAfter = Date.now() - killedAt;
    gate.open();

    await eventually(
      () => {
        assert.equal(cmCache.get(ns, 'doomed'), undefined);
        assert.equal(cmCache.get(ns, 'keep')?.data?.v, '2');
        assert.equal(cmCache.get(ns, 'born')?.data?.v, '1');
        assert.equal(wCache.get(ns, 'doomed'), undefined);
        assert.equal(wCache.get(ns, 'keep')?.spec?.size, 2);
        assert.equal(wCache.get(ns, 'born')?.spec?.size, 1);
      },
      { timeoutMs: 90_000 },
    );
    const caughtUpAfter = Date.now() - killedAt;

    t.diagnostic(
      `kube-apiserver ready ${readyAfter} ms after SIGKILL; gap writes done at ${gapWritesDoneAfter} ms; ` +
        `caches caught up at ${caughtUpAfter} ms; ConfigMap cache ${JSON.stringify(cmCache.stats)}; Widget cache ${
          JSON.stringify(wCache.stats)
        }`,
    );
    // A synthesised delete carries the last state we had; a watched one carries a newer version.
    const cmDelete = cmSeen.find((e) => e.type === 'delete' && e.name === 'doomed');
    const wDelete = wSeen.find((e) => e.type === 'delete' && e.name === 'doomed');
    assert.equal(cmDelete?.resourceVersion, doomedCm, 'ConfigMap delete came from a relist');
    assert.equal(wDelete?.resourceVersion, doomedW, 'Widget delete came from a relist');
    assert.ok(cmCache.stats.expired >= 1 && wCache.stats.expired >= 1, 'both caches were told 410 and listed again');

    // Still watching: a change after recovery arrives through the watch.
    await mergePatch(h.rest, resources.configMaps, ns, 'keep', { data: { v: '3' } });
    await eventually(() => assert.equal(cmCache.get(ns, 'keep')?.data?.v, '3'));
  });
});
