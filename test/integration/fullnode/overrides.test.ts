// Per-instance and extra-pod features of a CosmosFullNode against a real control plane:
// instanceOverrides (disable, image, volumeClaimTemplate, externalAddress, nodeSelector),
// ordinals.start, additionalVersionedPods and an explicit volumeClaimTemplate.dataSource
// (docs/compatibility.md §1.1, §2.2, §2.7, §2.8, §2.10). Expected values are written out as that
// page states them, never computed by the builders under test. Pods are kwok's; their CometBFT RPC
// is a fake served on each pod's IP, so every pod is in sync unless a test says otherwise.
import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { resources, type ResourceType } from '../../../src/kube/resource.ts';
import { eventually } from '../../cluster/connect.ts';
import {
  FULL_NODES,
  type FullNodeJson,
  getFullNode,
  type Harness,
  harness,
  list,
  minimalExample,
  names,
  type Obj,
  operatorNamespace,
  reconcilesAfter,
  updateSpec,
} from './harness.ts';
import { firstChangeOrder, mostAtOnce, podsDown, recordingOf, recordWatch } from '../../support/watch-recorder.ts';

const V18 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0';
const V19 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0';
const VOLUME_SNAPSHOTS = {
  group: 'snapshot.storage.k8s.io',
  version: 'v1',
  plural: 'volumesnapshots',
  kind: 'VolumeSnapshot',
  namespaced: true,
};

type Container = { name: string; image: string };

describe('CosmosFullNode instanceOverrides, ordinals, additional pods and data sources', () => {
  let h: Harness;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    h = await harness();
  }, { timeout: 30 * 60_000 });

  // Each test's operator, fakes and namespace go when it ends.
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  /** A fresh namespace with the operator (deploy/rbac's ClusterRole) running in it and fake comets on its pods. */
  async function setup(prefix: string): Promise<string> {
    const env = await operatorNamespace(h, prefix);
    cleanups.push(() => env.cleanup());
    return env.ns;
  }

  /** The minimal example, schedulable here, without LoadBalancers (so it can reach Complete) unless `change` adds one. */
  const small = (ns: string, name: string, replicas: number, change: (node: FullNodeJson) => void = () => {}) =>
    minimalExample(ns, h.cluster.storageClass, (node) => {
      node.metadata.name = name;
      node.spec.replicas = replicas;
      node.spec.service = { maxP2PExternalAddresses: 0 };
      change(node);
    });

  const create = (node: FullNodeJson) => h.admin.objects<FullNodeJson>(FULL_NODES).create(node);

  /** Phase Complete for the current generation with `ready` main pods in sync. */
  const complete = (ns: string, name: string, ready: number, timeoutMs = 120_000) =>
    eventually(
      async () => {
        const node = await getFullNode(h, ns, name);
        assert.equal(node.status?.phase, 'Complete');
        assert.equal(node.status?.observedGeneration, node.metadata.generation);
        assert.equal(node.status?.readyReplicas, ready);
        return node;
      },
      { timeoutMs, message: `${ns}/${name} Complete with ${ready} in sync` },
    );

  const pods = async (ns: string, selector?: string) =>
    (await list(h, resources.pods, ns, selector)).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  const pvcs = (ns: string) => list(h, resources.persistentVolumeClaims, ns);
  const getObj = async (type: ResourceType, ns: string, name: string) => await h.admin.objects<Obj>(type).get(ns, name);
  const uids = (objs: readonly Obj[]) => Object.fromEntries(objs.map((o) => [o.metadata!.name!, o.metadata!.uid!]));
  const container = (pod: Obj, name: string) => (pod.spec.containers as Container[]).find((c) => c.name === name);
  const initContainer = (pod: Obj, name: string) =>
    (pod.spec.initContainers as Container[]).find((c) => c.name === name);
  const p2pOverlay = async (ns: string, configMap: string) => {
    const cm = await getObj(resources.configMaps, ns, configMap);
    assert.ok(cm, `ConfigMap ${configMap}`);
    return (parseToml(cm.data!['config-overlay.toml']!) as { p2p: Record<string, unknown> }).p2p;
  };

  it('disable: Pod deletes that instance’s pod and keeps its PVC, ConfigMap, Service and peer entry; the other instances are untouched', async () => {
    const ns = await setup('ovr-disable-pod');
    await create(small(ns, 'dp', 3));
    await complete(ns, 'dp', 3);
    const podsBefore = uids(await pods(ns));
    const pvcsBefore = uids(await pvcs(ns));

    await updateSpec(h, ns, 'dp', (n) => (n.spec.instanceOverrides = { 'dp-1': { disable: 'Pod' } }));
    await eventually(async () => assert.deepEqual(names(await pods(ns)), ['dp-0', 'dp-2']), {
      timeoutMs: 120_000,
      message: 'pod dp-1 deleted',
    });
    // Two of the three replicas run; the disabled one is not waited for.
    await complete(ns, 'dp', 2);

    const after = await pods(ns);
    assert.deepEqual(
      uids(after),
      { 'dp-0': podsBefore['dp-0'], 'dp-2': podsBefore['dp-2'] },
      'the other pods were not recreated',
    );
    assert.deepEqual(uids(await pvcs(ns)), pvcsBefore, 'every PVC stays, dp-1’s included');
    assert.ok(await getObj(resources.configMaps, ns, 'dp-1'), 'ConfigMap dp-1 stays');
    assert.ok(await getObj(resources.services, ns, 'dp-p2p-1'), 'Service dp-p2p-1 stays');
    // §2.5: persistent peers list every other instance, disabled ones included.
    const peers = String((await p2pOverlay(ns, 'dp-0'))['persistent_peers']);
    assert.match(peers, new RegExp(`@dp-p2p-1\\.${ns}\\.svc\\.cluster\\.local:26656`));
  });

  it('disable: All deletes that instance’s pod and its PVC under volumeRetentionPolicy Delete, and keeps the PVC under Retain', async () => {
    const ns = await setup('ovr-disable-all');
    await create(small(ns, 'del', 2));
    await create(small(ns, 'ret', 2, (n) => (n.spec.volumeRetentionPolicy = 'Retain')));
    await Promise.all([complete(ns, 'del', 2), complete(ns, 'ret', 2)]);
    const pvcsBefore = uids(await pvcs(ns));

    for (const name of ['del', 'ret']) {
      await updateSpec(h, ns, name, (n) => (n.spec.instanceOverrides = { [`${name}-1`]: { disable: 'All' } }));
    }
    await eventually(
      async () => {
        assert.deepEqual(names(await pods(ns)), ['del-0', 'ret-0']);
        assert.deepEqual(names(await pvcs(ns)), ['pvc-del-0', 'pvc-ret-0', 'pvc-ret-1']);
      },
      { timeoutMs: 120_000, message: 'instance 1 disabled' },
    );
    await Promise.all([complete(ns, 'del', 1), complete(ns, 'ret', 1)]);
    const pvcsAfter = uids(await pvcs(ns));
    for (const pvc of ['pvc-del-0', 'pvc-ret-0', 'pvc-ret-1']) {
      assert.equal(pvcsAfter[pvc], pvcsBefore[pvc], `${pvc} is the same claim`);
    }
    assert.ok(await getObj(resources.configMaps, ns, 'del-1'), 'a disabled instance keeps its ConfigMap');
  });

  it('image: only the overridden instance runs the override image, on its node and chain-init containers; the others are not restarted', async () => {
    const ns = await setup('ovr-image');
    await create(small(ns, 'img', 3));
    await complete(ns, 'img', 3);
    const before = uids(await pods(ns));

    await updateSpec(h, ns, 'img', (n) => (n.spec.instanceOverrides = { 'img-1': { image: V19 } }));
    await eventually(
      async () => {
        const images = (await pods(ns)).map((
          p,
        ) => [p.metadata!.name, container(p, 'node')?.image, initContainer(p, 'chain-init')?.image]);
        assert.deepEqual(images, [
          ['img-0', V18, V18],
          ['img-1', V19, V19],
          ['img-2', V18, V18],
        ]);
      },
      { timeoutMs: 120_000, message: 'img-1 on the override image' },
    );
    await complete(ns, 'img', 3);
    const after = uids(await pods(ns));
    assert.notEqual(after['img-1'], before['img-1']);
    assert.deepEqual([after['img-0'], after['img-2']], [before['img-0'], before['img-2']]);
  });

  it('volumeClaimTemplate: the overridden instance’s PVC is made from the override template (class, size, labels), the others from the spec’s', async () => {
    const ns = await setup('ovr-vct');
    const otherClass = h.cluster.storageClasses.find((c) => c !== h.cluster.storageClass);
    assert.ok(otherClass, 'the test cluster has a second StorageClass');
    await create(
      small(ns, 'vct', 2, (n) => {
        n.spec.instanceOverrides = {
          'vct-1': {
            volumeClaimTemplate: {
              storageClassName: otherClass,
              resources: { requests: { storage: '2Gi' } },
              metadata: { labels: { tier: 'fast' } },
            },
          },
        };
      }),
    );
    await complete(ns, 'vct', 2);

    const claims = Object.fromEntries((await pvcs(ns)).map((p) => [p.metadata!.name!, p]));
    assert.deepEqual(Object.keys(claims).sort(), ['pvc-vct-0', 'pvc-vct-1']);
    const shape = (
      pvc: Obj,
    ) => [
      pvc.spec.storageClassName,
      pvc.spec.resources.requests.storage,
      pvc.metadata!.labels!['tier'],
      pvc.status?.phase,
    ];
    assert.deepEqual(shape(claims['pvc-vct-0']!), [h.cluster.storageClass, '1Gi', undefined, 'Bound']);
    // The override decides the size too (README: upstream took it from the top-level template).
    assert.deepEqual(shape(claims['pvc-vct-1']!), [otherClass, '2Gi', 'fast', 'Bound']);
    assert.equal(
      claims['pvc-vct-1']!.metadata!.labels!['app.kubernetes.io/instance'],
      'vct-1',
      'operator labels still set',
    );
  });

  it('externalAddress: written as the instance’s p2p external address in config-overlay.toml, over its LoadBalancer address, which status.peers keeps', async () => {
    const ns = await setup('ovr-external');
    // Instance 0 gets the one LoadBalancer p2p service (maxP2PExternalAddresses defaults to 1).
    await create(
      small(ns, 'ext', 2, (n) => {
        n.spec.service = {};
        n.spec.instanceOverrides = { 'ext-0': { externalAddress: '203.0.113.9:26656' } };
      }),
    );
    await eventually(async () =>
      assert.equal((await getObj(resources.services, ns, 'ext-p2p-0'))?.spec.type, 'LoadBalancer')
    );
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/services/ext-p2p-0/status`,
      body: { status: { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } } },
      contentType: 'application/merge-patch+json',
    });
    const node = await complete(ns, 'ext', 2);

    const p2p0 = await p2pOverlay(ns, 'ext-0');
    assert.deepEqual([p2p0['external_address'], p2p0['external-address']], ['203.0.113.9:26656', '203.0.113.9:26656']);
    const p2p1 = await p2pOverlay(ns, 'ext-1');
    assert.deepEqual(
      [p2p1['external_address'], p2p1['external-address']],
      [undefined, undefined],
      'no override and no LoadBalancer: no external address',
    );
    // §2.6: the override affects config.toml only; status.peers has the LoadBalancer's address.
    const peers = node.status?.peers ?? [];
    assert.equal(peers.length, 2);
    assert.equal(peers.filter((p) => /^[0-9a-f]{40}@198\.51\.100\.7:26656$/.test(p)).length, 1, peers.join(' '));
    assert.equal(peers.filter((p) => /^[0-9a-f]{40}@0\.0\.0\.0:26656$/.test(p)).length, 1, peers.join(' '));
    assert.ok(!peers.some((p) => p.includes('203.0.113.9')), peers.join(' '));
  });

  it('nodeSelector: the overridden pod carries the override’s selector in place of the template’s, and is scheduled by it', async () => {
    const ns = await setup('ovr-nodesel');
    const target = h.cluster.nodes.at(-1)!;
    await create(
      small(ns, 'sel', 2, (n) => {
        n.spec.podTemplate.nodeSelector = { type: 'kwok' };
        n.spec.instanceOverrides = { 'sel-1': { nodeSelector: { 'kubernetes.io/hostname': target } } };
      }),
    );
    await complete(ns, 'sel', 2);
    const [pod0, pod1] = await pods(ns);
    assert.deepEqual(pod0!.spec.nodeSelector, { type: 'kwok' });
    // Replaced, not merged with the template's.
    assert.deepEqual(pod1!.spec.nodeSelector, { 'kubernetes.io/hostname': target });
    assert.equal(pod1!.spec.nodeName, target);
  });

  it('ordinals.start: every child is numbered from the start ordinal, and scaling up and down keeps that numbering', async () => {
    const ns = await setup('ovr-ordinals');
    await create(small(ns, 'ord', 2, (n) => (n.spec.ordinals = { start: 5 })));
    await complete(ns, 'ord', 2);
    assert.deepEqual(names(await pods(ns)), ['ord-5', 'ord-6']);
    assert.deepEqual(names(await pvcs(ns)), ['pvc-ord-5', 'pvc-ord-6']);
    assert.deepEqual(names(await list(h, resources.configMaps, ns, 'app.kubernetes.io/name=ord')), ['ord-5', 'ord-6']);
    assert.deepEqual(names(await list(h, resources.services, ns)), ['ord-p2p-5', 'ord-p2p-6', 'ord-rpc']);
    const pod6 = (await getObj(resources.pods, ns, 'ord-6'))!;
    assert.equal(pod6.metadata!.labels!['app.kubernetes.io/instance'], 'ord-6');
    assert.equal(pod6.metadata!.annotations!['app.kubernetes.io/ordinal'], '6');
    assert.equal(
      pod6.spec.volumes.find((v: { name: string }) => v.name === 'vol-chain-home').persistentVolumeClaim.claimName,
      'pvc-ord-6',
    );
    assert.match(
      String((await p2pOverlay(ns, 'ord-5'))['persistent_peers']),
      new RegExp(`^[0-9a-f]{40}@ord-p2p-6\\.${ns}\\.svc\\.cluster\\.local:26656$`),
    );

    await updateSpec(h, ns, 'ord', (n) => (n.spec.replicas = 3));
    await complete(ns, 'ord', 3);
    assert.deepEqual(names(await pods(ns)), ['ord-5', 'ord-6', 'ord-7']);
    assert.deepEqual(names(await pvcs(ns)), ['pvc-ord-5', 'pvc-ord-6', 'pvc-ord-7']);

    await updateSpec(h, ns, 'ord', (n) => (n.spec.replicas = 1));
    await eventually(
      async () => {
        assert.deepEqual(names(await pods(ns)), ['ord-5']);
        assert.deepEqual(names(await pvcs(ns)), ['pvc-ord-5']);
        assert.deepEqual(names(await list(h, resources.configMaps, ns, 'app.kubernetes.io/name=ord')), ['ord-5']);
      },
      { timeoutMs: 120_000, message: 'scaled down to ord-5' },
    );
    await complete(ns, 'ord', 1);
  });

  /** One additional pod per instance: an indexer beside the node, labelled by its entry's metadata. */
  const withIndexer = (image: string) => (n: FullNodeJson) => {
    n.spec.additionalVersionedPods = [{
      name: 'indexer',
      metadata: { labels: { team: 'data' } },
      containers: [{ name: 'indexer', image }],
    }];
  };

  it('additionalVersionedPods: creates <name>-<i> beside each instance with the entry’s pod spec, the spec’s labels, and images overridable by pod name', async () => {
    const ns = await setup('ovr-avp');
    await create(
      small(ns, 'avp', 3, (n) => {
        withIndexer('busybox:1.36')(n);
        n.spec.instanceOverrides = { 'indexer-2': { image: 'busybox:1.37' } };
      }),
    );
    await complete(ns, 'avp', 3);
    const extra = await pods(ns, 'cosmos.strange.love/belongs-to');
    assert.deepEqual(names(extra), ['indexer-0', 'indexer-1', 'indexer-2']);
    for (const [i, pod] of extra.entries()) {
      const labels = pod.metadata!.labels!;
      assert.deepEqual(
        { ...labels, 'app.kubernetes.io/revision': 'x' },
        {
          'app.kubernetes.io/created-by': 'cosmos-operator',
          'app.kubernetes.io/component': 'CosmosFullNode',
          // Not avp: the RPC service selects app.kubernetes.io/name=avp.
          'app.kubernetes.io/name': 'avp-indexer',
          'app.kubernetes.io/instance': `indexer-${i}`,
          'app.kubernetes.io/version': 'v18.1.0',
          'cosmos.strange.love/network': 'mainnet',
          'cosmos.strange.love/type': 'FullNode',
          'cosmos.strange.love/belongs-to': `avp-${i}`,
          team: 'data',
          'app.kubernetes.io/revision': 'x',
        },
        pod.metadata!.name,
      );
      assert.equal(pod.metadata!.annotations!['cosmos.strange.love/config-checksum'], '');
      assert.equal(pod.metadata!.ownerReferences?.[0]?.name, 'avp');
      // The entry's pod spec verbatim: no operator init containers or volumes.
      assert.deepEqual((pod.spec.containers as Container[]).map((c) => [c.name, c.image]), [[
        'indexer',
        i === 2 ? 'busybox:1.37' : 'busybox:1.36',
      ]]);
      assert.equal(pod.spec.initContainers, undefined);
      assert.ok(!(pod.spec.volumes ?? []).some((v: { name: string }) => v.name.startsWith('vol-')));
    }
    assert.deepEqual(
      names(await pods(ns, 'app.kubernetes.io/name=avp')),
      ['avp-0', 'avp-1', 'avp-2'],
      'main pods unchanged',
    );
    const rpc = await getObj(resources.services, ns, 'avp-rpc');
    assert.deepEqual(rpc!.spec.selector, { 'app.kubernetes.io/name': 'avp' });
  });

  it('additionalVersionedPods: an update of the additional pods never has more than maxUnavailable pods down (upstream replaced them all at once)', async (t) => {
    const ns = await setup('ovr-avp-roll');
    await create(
      small(ns, 'avr', 4, (n) => ((n.spec.strategy = { maxUnavailable: 1 }), withIndexer('busybox:1.36')(n))),
    );
    await complete(ns, 'avr', 4);
    await eventually(
      async () => assert.equal((await pods(ns)).filter((p) => p.status?.phase === 'Running').length, 8),
      { message: '8 pods running' },
    );
    const before = uids(await pods(ns));

    // Every pod change from before the update until Complete (test/support/watch-recorder.ts).
    const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`);
    const recording = await recordingOf(watch, async () => {
      await updateSpec(h, ns, 'avr', withIndexer('busybox:1.37'));
      await eventually(
        async () => {
          const extra = await pods(ns, 'cosmos.strange.love/belongs-to');
          assert.deepEqual(names(extra), ['indexer-0', 'indexer-1', 'indexer-2', 'indexer-3']);
          for (const pod of extra) {
            assert.equal(pod.status?.phase, 'Running');
            assert.equal(container(pod, 'indexer')?.image, 'busybox:1.37');
            assert.notEqual(pod.metadata!.uid, before[pod.metadata!.name!]);
          }
        },
        { timeoutMs: 180_000, message: 'every additional pod on the new image' },
      );
      await complete(ns, 'avr', 4);
    });
    // Missing, terminating or not Running, out of the 8 pods.
    const down = mostAtOnce(recording, podsDown(8));
    t.diagnostic(`most pods down at once: ${down.count} (${recording.changes.length} pod changes watched)`);
    assert.ok(down.count >= 1, `the watch saw the rollout: ${down.history}`);
    assert.ok(
      down.count <= 1,
      `at most maxUnavailable (1) pods down at once, saw ${down.count} ${down.at}: ${down.history}`,
    );
    const mains = uids(await pods(ns, 'app.kubernetes.io/name=avr'));
    for (const name of ['avr-0', 'avr-1', 'avr-2', 'avr-3']) {
      assert.equal(mains[name], before[name], `${name} was not restarted`);
    }
  });

  it('additionalVersionedPods: a rollout waits while an updated additional pod is not Ready (here it cannot be scheduled)', async () => {
    const env = await operatorNamespace(h, 'ovr-avp-hold');
    cleanups.push(() => env.cleanup());
    const { ns } = env;
    await create(
      small(ns, 'avh', 3, (n) => ((n.spec.strategy = { maxUnavailable: 1 }), withIndexer('busybox:1.36')(n))),
    );
    await complete(ns, 'avh', 3);
    await eventually(
      async () => assert.equal((await pods(ns)).filter((p) => p.status?.phase === 'Running').length, 6),
      { message: '6 pods running' },
    );
    const before = uids(await pods(ns));

    // The new spec fits no node: the first replaced pod stays Pending, with no Ready condition.
    const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`);
    let first = '';
    const recording = await recordingOf(watch, async () => {
      await updateSpec(h, ns, 'avh', (n) => {
        withIndexer('busybox:1.37')(n);
        n.spec.additionalVersionedPods![0]!.nodeSelector = { 'example.com/no-such-node': 'true' };
      });
      // The first pod the watch saw taken down, once its replacement exists (more taken down at
      // once is what the assertion after the window reports).
      first = await eventually(
        async () => {
          const name = firstChangeOrder(watch)[0];
          assert.ok(name, 'a pod taken down');
          const pod = (await pods(ns, 'cosmos.strange.love/belongs-to')).find((p) => p.metadata!.name === name);
          assert.ok(pod && pod.metadata!.uid !== before[name], `${name} replaced`);
          assert.equal(pod.status?.phase, 'Pending');
          return name;
        },
        { timeoutMs: 60_000, message: 'the first additional pod replaced' },
      );
      // Three reconciles that started once the Pending pod existed (the window is counted in the
      // operator's passes, not in seconds): nothing else may have been taken down meanwhile.
      await reconcilesAfter(h, env, ns, 'avh', 3);
    });
    assert.deepEqual(firstChangeOrder(recording), [first], 'only the first additional pod was ever taken down');
    const now = await pods(ns);
    assert.deepEqual(
      now.map((
        p,
      ) => [p.metadata!.name, p.metadata!.uid === before[p.metadata!.name!], p.metadata!.deletionTimestamp == null]),
      now.map((p) => [p.metadata!.name, p.metadata!.name !== first, true]),
    );
    assert.equal(now.filter((p) => p.status?.phase === 'Running').length, 5);
    assert.equal((await getFullNode(h, ns, 'avh')).status?.phase, 'Progressing');
  });

  /** A ready VolumeSnapshot in `ns` (its status written as a snapshot controller would). */
  async function readySnapshot(
    ns: string,
    name: string,
    restoreSize: string,
    createdAt: string,
    labels: Record<string, string> = {},
  ) {
    await h.admin.objects<Obj>(VOLUME_SNAPSHOTS).create(
      {
        metadata: { namespace: ns, name, labels },
        spec: { source: { persistentVolumeClaimName: 'elsewhere' } },
      } as Obj,
    );
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/apis/snapshot.storage.k8s.io/v1/namespaces/${ns}/volumesnapshots/${name}/status`,
      body: { status: { readyToUse: true, restoreSize, creationTime: createdAt } },
      contentType: 'application/merge-patch+json',
    });
  }

  it('volumeClaimTemplate.dataSource (VolumeSnapshot): new PVCs are created from it, sized to its restoreSize, ahead of autoDataSource; existing PVCs are left as they are', async () => {
    const ns = await setup('ovr-datasource');
    await readySnapshot(ns, 'pinned', '2Gi', '2026-01-01T00:00:00Z');
    // Newer, and selected by the autoDataSource below: the explicit source must still win.
    await readySnapshot(ns, 'auto-newer', '3Gi', '2026-02-01T00:00:00Z', { chain: 'gaia' });
    await create(small(ns, 'ds', 1));
    await complete(ns, 'ds', 1);
    const first = (await getObj(resources.persistentVolumeClaims, ns, 'pvc-ds-0'))!;

    await updateSpec(h, ns, 'ds', (n) => {
      n.spec.replicas = 2;
      n.spec.volumeClaimTemplate = {
        ...n.spec.volumeClaimTemplate,
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'pinned' },
        autoDataSource: { volumeSnapshotSelector: { chain: 'gaia' }, matchInstance: false },
      };
    });
    await complete(ns, 'ds', 2);

    const added = (await getObj(resources.persistentVolumeClaims, ns, 'pvc-ds-1'))!;
    assert.deepEqual(added.spec.dataSource, {
      apiGroup: 'snapshot.storage.k8s.io',
      kind: 'VolumeSnapshot',
      name: 'pinned',
    });
    assert.equal(added.spec.resources.requests.storage, '2Gi');
    const kept = (await getObj(resources.persistentVolumeClaims, ns, 'pvc-ds-0'))!;
    assert.equal(kept.metadata!.uid, first.metadata!.uid);
    assert.equal(kept.spec.dataSource, undefined);
    assert.equal(kept.spec.resources.requests.storage, '1Gi');
  });

  it('volumeClaimTemplate.dataSource (PersistentVolumeClaim): new PVCs clone the named claim, sized to its bound capacity', async () => {
    const ns = await setup('ovr-clone');
    await h.admin.objects<Obj>(resources.persistentVolumeClaims).create({
      metadata: { namespace: ns, name: 'seed' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: h.cluster.storageClass,
        resources: { requests: { storage: '3Gi' } },
      },
    } as Obj);
    await eventually(
      async () =>
        assert.equal((await getObj(resources.persistentVolumeClaims, ns, 'seed'))?.status?.capacity?.storage, '3Gi'),
      { message: 'seed bound' },
    );

    await create(
      small(
        ns,
        'cl',
        2,
        (
          n,
        ) => (n.spec.volumeClaimTemplate = {
          ...n.spec.volumeClaimTemplate,
          dataSource: { kind: 'PersistentVolumeClaim', name: 'seed' },
        }),
      ),
    );
    await complete(ns, 'cl', 2);
    for (const name of ['pvc-cl-0', 'pvc-cl-1']) {
      const pvc = (await getObj(resources.persistentVolumeClaims, ns, name))!;
      // The core group: Kubernetes writes a nil apiGroup as null (the field has no omitempty).
      assert.deepEqual(pvc.spec.dataSource, { apiGroup: null, kind: 'PersistentVolumeClaim', name: 'seed' }, name);
      assert.equal(pvc.spec.resources.requests.storage, '3Gi', name);
    }
  });
});
