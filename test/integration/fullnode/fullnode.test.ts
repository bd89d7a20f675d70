// The CosmosFullNode controller against a real control plane: the children it makes, status,
// scaling, rollouts bounded by maxUnavailable and held by CometBFT's sync state, adoption of what
// the Go operator left, and garbage collection. The controller runs in this process under its
// own ServiceAccount with deploy/rbac's ClusterRole; pods are kwok's, their CometBFT RPC a fake
// served on each pod's IP.
import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { resources } from '../../../src/kube/resource.ts';
import { generateNodeKey, parseNodeKey } from '../../../src/reconcile/fullnode/build/node-key.ts';
import { eventually } from '../../cluster/connect.ts';
import type { FakeCometFleetOptions } from '../../support/fake-comet.ts';
import { auditEvents, auditMark, describeAudit, serviceAccountUser } from '../../support/audit-log.ts';
import { firstChangeOrder, mostAtOnce, podsDown, recordingOf, recordWatch } from '../../support/watch-recorder.ts';
import {
  eventReasons,
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

describe('the CosmosFullNode controller', () => {
  let h: Harness;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    h = await harness();
  }, { timeout: 30 * 60_000 });

  // Each test's operator, fakes and namespace go when it ends.
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  /** A namespace with the operator running in it (unless start: false) and fake comets on its pods. */
  async function setup(prefix: string, opts: { start?: boolean; initial?: FakeCometFleetOptions } = {}) {
    const env = await operatorNamespace(h, prefix, {
      ...(opts.start !== undefined ? { start: opts.start } : {}),
      ...(opts.initial ? { fleet: opts.initial } : {}),
    });
    cleanups.push(() => env.cleanup());
    return env;
  }

  it('creates the minimal example’s children under the Go operator’s names and labels, and reaches Complete once the LoadBalancer has an address', async () => {
    const { ns } = await setup('fullnode-minimal');
    await h.admin.objects(FULL_NODES).create(minimalExample(ns, h.cluster.storageClass));

    await eventually(
      async () => {
        assert.deepEqual(names(await list(h, resources.services, ns)), [
          'cosmoshub-p2p-0',
          'cosmoshub-p2p-1',
          'cosmoshub-p2p-2',
          'cosmoshub-rpc',
        ]);
        const configMaps = await list(h, resources.configMaps, ns, 'app.kubernetes.io/name=cosmoshub');
        assert.deepEqual(names(configMaps), ['cosmoshub-0', 'cosmoshub-1', 'cosmoshub-2']);
        for (const cm of configMaps) {
          assert.deepEqual(Object.keys(cm.data ?? {}).sort(), ['app-overlay.toml', 'config-overlay.toml']);
        }
        const secrets = await list(h, resources.secrets, ns, 'app.kubernetes.io/name=cosmoshub');
        assert.deepEqual(names(secrets), ['cosmoshub-node-key-0', 'cosmoshub-node-key-1', 'cosmoshub-node-key-2']);
        const pods = await list(h, resources.pods, ns);
        assert.deepEqual(names(pods), ['cosmoshub-0', 'cosmoshub-1', 'cosmoshub-2']);
        for (const pod of pods) assert.equal(pod.status?.phase, 'Running');
        const pvcs = await list(h, resources.persistentVolumeClaims, ns);
        assert.deepEqual(names(pvcs), ['pvc-cosmoshub-0', 'pvc-cosmoshub-1', 'pvc-cosmoshub-2']);
        for (const pvc of pvcs) assert.equal(pvc.status?.phase, 'Bound');
        assert.deepEqual(names(await list(h, resources.serviceAccounts, ns, 'app.kubernetes.io/component=vc')), [
          'cosmoshub-vc-sa',
        ]);
        assert.deepEqual(names(await list(h, resources.roles, ns)), ['cosmoshub-vc-r']);
        assert.deepEqual(names(await list(h, resources.roleBindings, ns)), ['cosmoshub-vc-rb']);
      },
      { timeoutMs: 120_000, message: 'children of the minimal example' },
    );

    const pod = (await list(h, resources.pods, ns)).find((p) => p.metadata?.name === 'cosmoshub-1')!;
    const labels = pod.metadata!.labels!;
    assert.deepEqual(
      { ...labels, 'app.kubernetes.io/revision': 'x' },
      {
        'app.kubernetes.io/created-by': 'cosmos-operator',
        'app.kubernetes.io/component': 'CosmosFullNode',
        'app.kubernetes.io/name': 'cosmoshub',
        'app.kubernetes.io/instance': 'cosmoshub-1',
        'app.kubernetes.io/version': 'v18.1.0',
        'cosmos.strange.love/network': 'mainnet',
        'cosmos.strange.love/type': 'FullNode',
        'app.kubernetes.io/revision': 'x',
      },
    );
    assert.match(labels['app.kubernetes.io/revision']!, /^[0-9a-f]{8}$/);
    assert.equal(pod.metadata!.annotations!['app.kubernetes.io/ordinal'], '1');
    assert.equal(pod.metadata!.ownerReferences?.[0]?.kind, 'CosmosFullNode');
    const cm = (await list(h, resources.configMaps, ns)).find((c) => c.metadata?.name === 'cosmoshub-1')!;
    assert.equal(
      pod.metadata!.annotations!['cosmos.strange.love/config-checksum'],
      cm.metadata!.labels!['app.kubernetes.io/revision'],
    );

    // The first p2p service is a LoadBalancer, and nothing gives it an address here.
    await eventually(
      async () => assert.equal((await getFullNode(h, ns, 'cosmoshub')).status?.phase, 'WaitingForP2PServices'),
      { timeoutMs: 60_000, message: 'phase WaitingForP2PServices' },
    );
    await eventually(async () => assert.ok((await eventReasons(h, ns, 'cosmoshub')).includes('P2PIncomplete')));

    const p2p = await h.admin.objects(resources.services).get(ns, 'cosmoshub-p2p-0');
    assert.equal((p2p as Obj).spec.type, 'LoadBalancer');
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/services/cosmoshub-p2p-0/status`,
      body: { status: { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } } },
      contentType: 'application/merge-patch+json',
    });
    const node = await eventually(
      async () => {
        const n = await getFullNode(h, ns, 'cosmoshub');
        assert.equal(n.status?.phase, 'Complete');
        assert.equal(n.status?.readyReplicas, 3);
        return n;
      },
      { timeoutMs: 120_000, message: 'phase Complete' },
    );
    const status = node.status!;
    assert.equal(status.replicas, 3);
    assert.equal(status.selector, 'app.kubernetes.io/name=cosmoshub');
    assert.equal(status.observedGeneration, node.metadata.generation);
    assert.equal(status.peers?.length, 3);
    assert.equal(status.peers?.filter((p) => p.endsWith('@198.51.100.7:26656')).length, 1);
    assert.equal(status.peers?.filter((p) => p.endsWith('@0.0.0.0:26656')).length, 2);
    const conditions = (status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    assert.deepEqual(
      conditions.map((c) => [c.type, c.status]),
      [
        ['Ready', 'True'],
        ['Progressing', 'False'],
      ],
    );
  });

  /** A small CosmosFullNode without LoadBalancers, so it can reach Complete here. */
  const small = (ns: string, name: string, replicas: number, change: (node: FullNodeJson) => void = () => {}) =>
    minimalExample(ns, h.cluster.storageClass, (node) => {
      node.metadata.name = name;
      node.spec.replicas = replicas;
      node.spec.service = { maxP2PExternalAddresses: 0 };
      change(node);
    });

  const podsOf = async (ns: string, name: string) =>
    (await list(h, resources.pods, ns, `app.kubernetes.io/name=${name}`)).sort((
      a,
      b,
    ) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  const imageOf = (pod: Obj) =>
    (pod.spec.containers as { name: string; image: string }[]).find((c) => c.name === 'node')!.image;
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

  it('scales up and down: the PVCs of removed instances are deleted under Delete and kept under Retain, and node keys are kept', async () => {
    const { ns } = await setup('fullnode-scale');
    const fullNodes = h.admin.objects<FullNodeJson>(FULL_NODES);
    await fullNodes.create(small(ns, 'del', 2));
    await fullNodes.create(small(ns, 'ret', 2, (n) => (n.spec.volumeRetentionPolicy = 'Retain')));
    await Promise.all([complete(ns, 'del', 2), complete(ns, 'ret', 2)]);

    for (const name of ['del', 'ret']) await updateSpec(h, ns, name, (n) => (n.spec.replicas = 3));
    await Promise.all([complete(ns, 'del', 3), complete(ns, 'ret', 3)]);
    const keyOf = async (secret: string) =>
      (await h.admin.objects<Obj>(resources.secrets).get(ns, secret))?.data?.['node_key.json'];
    const key2 = await keyOf('del-node-key-2');
    assert.ok(key2);

    for (const name of ['del', 'ret']) await updateSpec(h, ns, name, (n) => (n.spec.replicas = 1));
    await eventually(
      async () => {
        assert.deepEqual(names(await podsOf(ns, 'del')), ['del-0']);
        assert.deepEqual(names(await podsOf(ns, 'ret')), ['ret-0']);
        const pvcs = names(await list(h, resources.persistentVolumeClaims, ns));
        assert.deepEqual(pvcs, ['pvc-del-0', 'pvc-ret-0', 'pvc-ret-1', 'pvc-ret-2']);
        assert.deepEqual(names(await list(h, resources.configMaps, ns, 'app.kubernetes.io/name=del')), ['del-0']);
      },
      { timeoutMs: 120_000, message: 'scaled down to 1' },
    );
    assert.deepEqual(names(await list(h, resources.secrets, ns, 'app.kubernetes.io/name=del')), [
      'del-node-key-0',
      'del-node-key-1',
      'del-node-key-2',
    ]);
    assert.deepEqual(names(await list(h, resources.services, ns, 'app.kubernetes.io/name=del')), [
      'del-p2p-0',
      'del-p2p-1',
      'del-p2p-2',
      'del-rpc',
    ]);
    await complete(ns, 'del', 1);

    // Back up: the instance comes back with its old node key, so its node ID is unchanged.
    await updateSpec(h, ns, 'del', (n) => (n.spec.replicas = 3));
    await complete(ns, 'del', 3);
    assert.equal(await keyOf('del-node-key-2'), key2);
  });

  it('rolls an image update without ever having more than maxUnavailable pods down', async (t) => {
    const { ns } = await setup('fullnode-rollout');
    await h.admin.objects(FULL_NODES).create(small(ns, 'roll', 4, (n) => (n.spec.strategy = { maxUnavailable: 1 })));
    await complete(ns, 'roll', 4);
    const before = new Map((await podsOf(ns, 'roll')).map((p) => [p.metadata!.name!, p.metadata!.uid!]));

    // Every pod change from before the update until Complete (a watch, not samples).
    const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`, {
      labelSelector: 'app.kubernetes.io/name=roll',
    });
    const recording = await recordingOf(watch, async () => {
      await updateSpec(
        h,
        ns,
        'roll',
        (n) => (n.spec.podTemplate.image = 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0'),
      );
      await eventually(
        async () => {
          const pods = await podsOf(ns, 'roll');
          assert.equal(pods.length, 4);
          for (const pod of pods) {
            assert.equal(imageOf(pod), 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0');
            assert.notEqual(pod.metadata!.uid, before.get(pod.metadata!.name!));
          }
        },
        { timeoutMs: 180_000, message: 'every pod on the new image' },
      );
      await complete(ns, 'roll', 4);
    });
    const down = mostAtOnce(recording, podsDown(4));
    t.diagnostic(`most pods down at once: ${down.count} (${recording.changes.length} pod changes watched)`);
    assert.ok(down.count >= 1, `the watch saw the rollout: ${down.history}`);
    assert.ok(down.count <= 1, `at most 1 pod down at once, saw ${down.count} ${down.at}: ${down.history}`);
    // Events are sent in the background: wait for them rather than read once.
    await eventually(async () => assert.ok((await eventReasons(h, ns, 'roll')).includes('RollingUpdate')));
  });

  it('holds a rollout while the updated pod is catching up, and resumes once it is in sync', async () => {
    const NEW = 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0';
    const env = await setup('fullnode-catchup', {
      initial: {
        initial: (pod) => ({
          catchingUp: (pod as unknown as Obj).spec.containers.some((c: { image: string }) => c.image === NEW),
        }),
      },
    });
    const { ns, fleet } = env;
    await h.admin.objects(FULL_NODES).create(small(ns, 'hold', 3, (n) => (n.spec.strategy = { maxUnavailable: 1 })));
    await complete(ns, 'hold', 3);

    const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`);
    let first = '';
    const recording = await recordingOf(watch, async () => {
      await updateSpec(h, ns, 'hold', (n) => (n.spec.podTemplate.image = NEW));
      // The first pod the watch saw taken down, once it runs the new image (more taken down at
      // once is what the assertion after the window reports).
      first = await eventually(
        async () => {
          const name = firstChangeOrder(watch)[0];
          assert.ok(name, 'a pod taken down');
          const pod = (await podsOf(ns, 'hold')).find((p) => p.metadata!.name === name);
          assert.ok(pod && imageOf(pod) === NEW && pod.status?.phase === 'Running', `${name} running the new image`);
          await fleet.waitFor(name, 5_000);
          return name;
        },
        { timeoutMs: 60_000, message: 'the first pod updated' },
      );
      // The operator has seen it catching up (its status says so), then reconciled three more
      // times: the window is counted in its passes, not in seconds.
      await eventually(async () => {
        const status = (await getFullNode(h, ns, 'hold')).status;
        assert.equal(status?.sync?.[first]?.inSync, false, `status.sync of ${first}`);
      }, { timeoutMs: 60_000, message: `the operator sees ${first} catching up` });
      await reconcilesAfter(h, env, ns, 'hold', 3);
    });
    assert.deepEqual(firstChangeOrder(recording), [first], 'only the first pod was ever taken down');
    const pods = await podsOf(ns, 'hold');
    assert.deepEqual(
      pods.map((p) => [p.metadata!.name, imageOf(p) === NEW, p.metadata!.deletionTimestamp !== undefined]),
      pods.map((p) => [p.metadata!.name, p.metadata!.name === first, false]),
    );
    assert.equal((await getFullNode(h, ns, 'hold')).status?.phase, 'Progressing');

    await eventually(
      async () => {
        for (const pod of await podsOf(ns, 'hold')) {
          if (imageOf(pod) === NEW) fleet.get(pod.metadata!.name!)?.setCatchingUp(false);
        }
        const all = await podsOf(ns, 'hold');
        assert.equal(all.filter((p) => imageOf(p) === NEW && p.status?.phase === 'Running').length, 3);
      },
      { timeoutMs: 120_000, message: 'the rollout finished' },
    );
    await eventually(async () => {
      for (const pod of await podsOf(ns, 'hold')) fleet.get(pod.metadata!.name!)?.setCatchingUp(false);
      await complete(ns, 'hold', 3, 1_000);
    }, { timeoutMs: 60_000, message: 'Complete once every updated pod is in sync' });
  });

  it('replaces a pod that is down (RPC silent, not Ready) when its spec is fixed, even with the maxUnavailable budget spent by that pod', async () => {
    const { ns, fleet } = await setup('fullnode-fixdown');
    await h.admin.objects(FULL_NODES).create(small(ns, 'fix', 3, (n) => (n.spec.strategy = { maxUnavailable: 1 })));
    await complete(ns, 'fix', 3);
    const before = new Map((await podsOf(ns, 'fix')).map((p) => [p.metadata!.name!, p.metadata!.uid!]));

    // fix-0 breaks as a crash-looping node does: its RPC stops answering and Kubernetes says not Ready.
    await fleet.get('fix-0')!.setDown(true, 'refuse');
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/pods/fix-0/status`,
      body: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    await eventually(async () => assert.equal((await getFullNode(h, ns, 'fix')).status?.readyReplicas, 2), {
      timeoutMs: 60_000,
      message: 'the operator sees fix-0 down',
    });

    // The fix (any change but the image): upstream's budget, 1 down already, would hold every pod.
    // The order pods were taken down in comes from a watch (every change, in order).
    const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`);
    const recording = await recordingOf(watch, async () => {
      await updateSpec(h, ns, 'fix', (n) => (n.spec.podTemplate.resources = { requests: { cpu: '100m' } }));
      await eventually(
        async () => {
          const pods = await podsOf(ns, 'fix');
          assert.equal(pods.filter((p) => p.metadata!.uid !== before.get(p.metadata!.name!)).length, 3);
        },
        { timeoutMs: 120_000, message: 'every pod replaced' },
      );
      await complete(ns, 'fix', 3, 120_000);
    });
    const replaced = firstChangeOrder(recording);
    assert.equal(replaced.length, 3, `every pod replaced once: ${replaced.join(', ')}`);
    assert.equal(replaced[0], 'fix-0', `the down pod goes first, outside the budget (order: ${replaced.join(', ')})`);
    await eventually(async () => {
      const messages = (await list(h, resources.events, ns)).map((e) => (e as { message?: string }).message ?? '');
      assert.ok(messages.some((m) => /Deleted pod fix-0 .*outside maxUnavailable/.test(m)), messages.join('\n'));
    });
  });

  it('adopts what the Go operator left: the node key from its ConfigMap (same node ID), its PVC (same UID) and its Service (same address)', async () => {
    const { ns, start } = await setup('fullnode-adopt', { start: false });
    const created = await h.admin.objects<FullNodeJson>(FULL_NODES).create(small(ns, 'gaia', 1));
    const owner = {
      apiVersion: 'cosmos.strange.love/v1',
      kind: 'CosmosFullNode',
      name: 'gaia',
      uid: created.metadata.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
    const goLabels = (revision: string) => ({
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/name': 'gaia',
      'app.kubernetes.io/instance': 'gaia-0',
      'app.kubernetes.io/version': 'v18.1.0',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'FullNode',
      'app.kubernetes.io/revision': revision,
    });
    const key = generateNodeKey();
    await h.admin.objects(resources.configMaps).create({
      metadata: {
        namespace: ns,
        name: 'gaia-0',
        labels: goLabels('1a2b3c4d'),
        annotations: { 'app.kubernetes.io/ordinal': '0' },
        ownerReferences: [owner],
      },
      data: { 'config-overlay.toml': '[p2p]\n', 'app-overlay.toml': '', 'node_key.json': key.json },
    } as Obj);
    const pvc = await h.admin.objects<Obj>(resources.persistentVolumeClaims).create({
      metadata: {
        namespace: ns,
        name: 'pvc-gaia-0',
        labels: goLabels('5e6f7a8b'),
        annotations: { 'app.kubernetes.io/ordinal': '0' },
        ownerReferences: [owner],
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: h.cluster.storageClass,
        resources: { requests: { storage: '1Gi' } },
        volumeMode: 'Filesystem',
      },
    } as Obj);
    const svc = await h.admin.objects<Obj>(resources.services).create({
      metadata: {
        namespace: ns,
        name: 'gaia-p2p-0',
        labels: { ...goLabels('9c0d1e2f'), 'app.kubernetes.io/component': 'p2p' },
        annotations: { 'app.kubernetes.io/ordinal': '0' },
        ownerReferences: [owner],
      },
      spec: {
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/instance': 'gaia-0' },
        ports: [{ name: 'p2p', port: 26656, targetPort: 'p2p', protocol: 'TCP' }],
        publishNotReadyAddresses: true,
      },
    } as Obj);
    await eventually(async () =>
      assert.equal(
        (await h.admin.objects<Obj>(resources.persistentVolumeClaims).get(ns, 'pvc-gaia-0'))?.status?.phase,
        'Bound',
      )
    );

    start();
    const node = await complete(ns, 'gaia', 1);
    const secret = await h.admin.objects<Obj>(resources.secrets).get(ns, 'gaia-node-key-0');
    const adopted = Buffer.from(secret!.data!['node_key.json']!, 'base64').toString('utf8');
    assert.equal(adopted, key.json);
    assert.equal(parseNodeKey(adopted).id, key.id);
    assert.deepEqual(node.status?.peers, [`${key.id}@0.0.0.0:26656`]);

    const cm = await h.admin.objects<Obj>(resources.configMaps).get(ns, 'gaia-0');
    assert.deepEqual(Object.keys(cm!.data ?? {}).sort(), ['app-overlay.toml', 'config-overlay.toml']);
    assert.notEqual(cm!.metadata!.labels!['app.kubernetes.io/revision'], '1a2b3c4d');
    const after = await h.admin.objects<Obj>(resources.persistentVolumeClaims).get(ns, 'pvc-gaia-0');
    assert.equal(after!.metadata!.uid, pvc.metadata!.uid);
    assert.notEqual(after!.metadata!.labels!['app.kubernetes.io/revision'], '5e6f7a8b');
    assert.deepEqual(names(await list(h, resources.persistentVolumeClaims, ns)), ['pvc-gaia-0']);
    await eventually(async () => assert.ok((await eventReasons(h, ns, 'gaia')).includes('NodeKeyAdopted')));
    // The Service is updated in place (our revision, not Go's extra field), keeping its address.
    const p2p = await h.admin.objects<Obj>(resources.services).get(ns, 'gaia-p2p-0');
    assert.deepEqual([p2p!.metadata!.uid, p2p!.spec.clusterIP], [svc.metadata!.uid, svc.spec.clusterIP]);
    assert.notEqual(p2p!.metadata!.labels!['app.kubernetes.io/revision'], '9c0d1e2f');
    assert.equal(p2p!.spec.publishNotReadyAddresses, undefined);
  });

  it('leaves garbage collection to delete the children with the CosmosFullNode, except PVCs kept by Retain', async () => {
    const { ns } = await setup('fullnode-gc');
    const fullNodes = h.admin.objects<FullNodeJson>(FULL_NODES);
    await fullNodes.create(small(ns, 'keep', 2, (n) => (n.spec.volumeRetentionPolicy = 'Retain')));
    await fullNodes.create(small(ns, 'drop', 1));
    await Promise.all([complete(ns, 'keep', 2), complete(ns, 'drop', 1)]);

    await fullNodes.delete(ns, 'keep');
    await fullNodes.delete(ns, 'drop');
    await eventually(
      async () => {
        for (
          const type of [
            resources.pods,
            resources.services,
            resources.configMaps,
            resources.secrets,
            resources.roles,
            resources.roleBindings,
          ]
        ) {
          assert.deepEqual(
            names(await list(h, type, ns, 'app.kubernetes.io/created-by=cosmos-operator')),
            [],
            type.plural,
          );
        }
        assert.deepEqual(names(await list(h, resources.serviceAccounts, ns, 'app.kubernetes.io/component=vc')), []);
        assert.deepEqual(names(await list(h, resources.persistentVolumeClaims, ns)), ['pvc-keep-0', 'pvc-keep-1']);
      },
      { timeoutMs: 120_000, message: 'children collected' },
    );
  });

  it('writes nothing once Complete while nothing changes', async () => {
    const env = await setup('fullnode-idle');
    const { ns, fleet } = env;
    await h.admin.objects(FULL_NODES).create(small(ns, 'idle', 2));
    const node = await complete(ns, 'idle', 2);
    for (const pod of ['idle-0', 'idle-1']) {
      const sync = node.status?.sync?.[pod];
      assert.deepEqual([sync?.inSync, sync?.error], [true, undefined], `status.sync of ${pod}`);
    }
    // From the API server's audit log: what the operator's ServiceAccount wrote. The window is
    // bounded by events: it opens at the status write that made it Complete (the last write
    // before the first marker), and closes after three reconciles that started once it was
    // Complete and twelve more /status rounds of each pod. Events are left out: the recorder
    // sends those of the converging passes in the background.
    const from = await auditMark(h.cluster);
    await reconcilesAfter(h, env, ns, 'idle', 3);
    const polled = new Map(['idle-0', 'idle-1'].map((pod) => [pod, fleet.get(pod)!.statusRequests()]));
    await eventually(() => {
      for (const [pod, n] of polled) assert.ok(fleet.get(pod)!.statusRequests() >= n + 12, `${pod} polled 12 times`);
    }, { timeoutMs: 120_000, message: 'twelve /status rounds' });
    const to = await auditMark(h.cluster);

    const writes = auditEvents(h.cluster, { user: serviceAccountUser(ns, 'cosmos-operator'), to, writes: true })
      .filter((e) => e.objectRef?.resource !== 'events');
    const isStatus = (e: (typeof writes)[number]) =>
      e.objectRef?.resource === 'cosmosfullnodes' && e.objectRef.subresource === 'status';
    const completeAt = writes.findLastIndex((e) => isStatus(e) && e.requestReceivedTimestamp < from.at);
    assert.ok(completeAt >= 0, `a status write before Complete was seen: ${describeAudit(writes)}`);
    assert.equal(
      describeAudit(writes.slice(completeAt + 1)),
      '(none)',
      `writes after the one that made it Complete (${writes[completeAt]!.requestReceivedTimestamp})`,
    );
    assert.equal((await getFullNode(h, ns, 'idle')).status?.phase, 'Complete');
  });

  it('writes the pods’ moving heights to status (latestHeight, height) when nothing else changes', async () => {
    const { ns, fleet } = await setup('fullnode-heights');
    await h.admin.objects(FULL_NODES).create(small(ns, 'moving', 2));
    await complete(ns, 'moving', 2);
    // Nothing changes but the heights: only the refresh (2 s here, a minute by default) writes them.
    for (const pod of ['moving-0', 'moving-1']) (await fleet.waitFor(pod)).setHeight(pod === 'moving-0' ? 5000 : 4990);
    await eventually(
      async () => {
        const status = (await getFullNode(h, ns, 'moving')).status;
        assert.deepEqual([
          status?.latestHeight,
          status?.height?.['moving-0'],
          status?.height?.['moving-1'],
          status?.phase,
        ], [5000, 5001, 4991, 'Complete']);
      },
      { timeoutMs: 60_000, message: 'status carries the new heights' },
    );
  });

  it('reports a bad TOML override as phase Error with a Warning event, leaves the pods alone, and recovers once fixed', async () => {
    const env = await setup('fullnode-error');
    const { ns } = env;
    await h.admin.objects(FULL_NODES).create(small(ns, 'bad', 2));
    await complete(ns, 'bad', 2);

    // Every pod change from the bad update until two more reconciles of the broken spec ran.
    const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`);
    let failed: FullNodeJson | undefined;
    const recording = await recordingOf(watch, async () => {
      await updateSpec(
        h,
        ns,
        'bad',
        (n) => (n.spec.chain.config = { ...n.spec.chain.config, overrides: '[p2p\nbroken = ' }),
      );
      failed = await eventually(
        async () => {
          const n = await getFullNode(h, ns, 'bad');
          assert.equal(n.status?.phase, 'Error');
          return n;
        },
        { timeoutMs: 60_000, message: 'phase Error' },
      );
      await eventually(async () => assert.ok((await eventReasons(h, ns, 'bad')).includes('Error')));
      await reconcilesAfter(h, env, ns, 'bad', 2);
    });
    assert.match(
      failed?.status?.status ?? '',
      /^Unrecoverable error: human intervention required: .*invalid toml in comet overrides/,
    );
    assert.deepEqual(
      recording.changes.filter((c) => c.type !== 'MODIFIED' || c.object.metadata?.deletionTimestamp != null).map((c) =>
        `${c.type} ${c.object.metadata?.name}`
      ),
      [],
      'no pod rolled because the config could not be built',
    );

    await updateSpec(
      h,
      ns,
      'bad',
      (n) => (n.spec.chain.config = { ...n.spec.chain.config, overrides: '[p2p]\nflush_throttle_timeout = "10ms"\n' }),
    );
    const fixed = await complete(ns, 'bad', 2, 120_000);
    assert.equal(fixed.status?.status, undefined);
    const cm = await h.admin.objects<Obj>(resources.configMaps).get(ns, 'bad-0');
    assert.match(cm!.data!['config-overlay.toml']!, /flush_throttle_timeout = "10ms"/);
  });

  it('grows PVCs when the template asks for more, and never shrinks them', async () => {
    const env = await setup('fullnode-resize');
    const { ns } = env;
    await h.admin.objects(FULL_NODES).create(small(ns, 'grow', 2));
    await complete(ns, 'grow', 2);
    const storage = async () =>
      (await list(h, resources.persistentVolumeClaims, ns)).map((
        p,
      ) => [p.metadata!.name, p.spec.resources.requests.storage, p.status?.capacity?.storage]);

    await updateSpec(h, ns, 'grow', (n) => (n.spec.volumeClaimTemplate.resources = { requests: { storage: '2Gi' } }));
    await eventually(
      async () => assert.deepEqual(await storage(), [['pvc-grow-0', '2Gi', '2Gi'], ['pvc-grow-1', '2Gi', '2Gi']]),
      { timeoutMs: 120_000, message: 'PVCs grown' },
    );

    await updateSpec(h, ns, 'grow', (n) => (n.spec.volumeClaimTemplate.resources = { requests: { storage: '1Gi' } }));
    // Complete for the new generation: a pass that saw the smaller request finished without
    // error (the API server refuses a shrink, which would read as an error); two more follow.
    await complete(ns, 'grow', 2);
    await reconcilesAfter(h, env, ns, 'grow', 2);
    assert.deepEqual(await storage(), [['pvc-grow-0', '2Gi', '2Gi'], ['pvc-grow-1', '2Gi', '2Gi']]);
  });

  it('creates a new PVC from the newest ready VolumeSnapshot its autoDataSource selects', async () => {
    const { ns } = await setup('fullnode-snapshot');
    const snapshots = h.admin.objects<Obj>({
      group: 'snapshot.storage.k8s.io',
      version: 'v1',
      plural: 'volumesnapshots',
      kind: 'VolumeSnapshot',
      namespaced: true,
    });
    const snapshot = async (name: string, createdAt: string, ready: boolean) => {
      await snapshots.create(
        {
          metadata: { namespace: ns, name, labels: { chain: 'gaia' } },
          spec: { source: { persistentVolumeClaimName: 'elsewhere' } },
        } as Obj,
      );
      await h.admin.rest.request({
        method: 'PATCH',
        path: `/apis/snapshot.storage.k8s.io/v1/namespaces/${ns}/volumesnapshots/${name}/status`,
        body: { status: { readyToUse: ready, restoreSize: '3Gi', creationTime: createdAt } },
        contentType: 'application/merge-patch+json',
      });
    };
    await snapshot('old', '2026-01-01T00:00:00Z', true);
    await snapshot('newest-ready', '2026-02-01T00:00:00Z', true);
    await snapshot('newer-unready', '2026-03-01T00:00:00Z', false);

    await h.admin.objects(FULL_NODES).create(
      small(
        ns,
        'restored',
        1,
        (
          n,
        ) => (n.spec.volumeClaimTemplate = {
          ...n.spec.volumeClaimTemplate,
          autoDataSource: { volumeSnapshotSelector: { chain: 'gaia' }, matchInstance: false },
        }),
      ),
    );
    const pvc = await eventually(async () => {
      const found = await h.admin.objects<Obj>(resources.persistentVolumeClaims).get(ns, 'pvc-restored-0');
      assert.ok(found);
      return found;
    });
    assert.deepEqual(pvc.spec.dataSource, {
      apiGroup: 'snapshot.storage.k8s.io',
      kind: 'VolumeSnapshot',
      name: 'newest-ready',
    });
    assert.equal(pvc.spec.resources.requests.storage, '3Gi');
    await eventually(async () => assert.ok((await eventReasons(h, ns, 'restored')).includes('AutoDataSource')));
  });

  it('upgrades pods halted at a chain.versions height at once, outside the maxUnavailable budget', async () => {
    const V18 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0';
    const V19 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0';
    const { ns, fleet } = await setup('fullnode-upgrade', {
      // A node started on the new version resumes at the upgrade height.
      initial: {
        initial: (pod) => ({
          height: (pod as unknown as Obj).spec.containers.some((c: { image: string }) => c.image === V19) ? 100 : 50,
        }),
      },
    });
    await h.admin.objects(FULL_NODES).create(
      small(ns, 'upg', 3, (n) => {
        n.spec.strategy = { maxUnavailable: 1 };
        n.spec.chain.versions = [
          { height: 0, image: V18 },
          { height: 100, image: V19, setHaltHeight: true },
        ];
      }),
    );
    await complete(ns, 'upg', 3);
    const cm = await h.admin.objects<Obj>(resources.configMaps).get(ns, 'upg-0');
    assert.match(cm!.data!['app-overlay.toml']!, /halt-height = 100/);
    const before = new Map((await podsOf(ns, 'upg')).map((p) => [p.metadata!.name!, p.metadata!.uid!]));

    // The nodes halt at 100: RPC goes away, and versioncheck records the height (+1) in status.
    for (const name of before.keys()) await (await fleet.waitFor(name)).setDown(true);
    await eventually(async () => {
      const node = await getFullNode(h, ns, 'upg');
      for (const name of before.keys()) assert.equal(node.status?.sync?.[name]?.inSync, undefined);
    });
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/apis/cosmos.strange.love/v1/namespaces/${ns}/cosmosfullnodes/upg/status`,
      body: { status: { height: { 'upg-0': 101, 'upg-1': 101, 'upg-2': 101 } } },
      contentType: 'application/merge-patch+json',
    });

    await eventually(
      async () => {
        const pods = await podsOf(ns, 'upg');
        assert.equal(pods.length, 3);
        for (const pod of pods) {
          assert.equal(imageOf(pod), V19);
          assert.notEqual(pod.metadata!.uid, before.get(pod.metadata!.name!));
        }
      },
      { timeoutMs: 120_000, message: 'every pod on the new version' },
    );
    // With maxUnavailable 1 and a pod down, the budget is 0: only the halted-upgrade rule moves them.
    // One Upgrade event per pod, sent in the background.
    await eventually(async () => {
      const upgrades = (await eventReasons(h, ns, 'upg')).filter((r) => r === 'Upgrade');
      assert.equal(upgrades.length, 3);
    }, { message: 'three Upgrade events' });
    await complete(ns, 'upg', 3);
    const after = await h.admin.objects<Obj>(resources.configMaps).get(ns, 'upg-0');
    assert.match(after!.data!['app-overlay.toml']!, /halt-height = 0/);
  });

  // Last in the file: it restarts the API server every other test shares.
  it('carries on when the API server is killed mid-work, and every child converges', async () => {
    const { ns } = await setup('fullnode-apiserver');
    await h.admin.objects(FULL_NODES).create(small(ns, 'survivor', 3));
    // Aimed at mid-work (the first pod exists); where the kill lands depends on the machine's
    // speed, but not the verdict: every child must converge whatever was left to do.
    await eventually(async () => assert.ok((await podsOf(ns, 'survivor')).length >= 1), { intervalMs: 50 });
    await h.cluster.kill('kube-apiserver');
    await complete(ns, 'survivor', 3, 180_000);
    assert.deepEqual(names(await list(h, resources.persistentVolumeClaims, ns)), [
      'pvc-survivor-0',
      'pvc-survivor-1',
      'pvc-survivor-2',
    ]);
    assert.deepEqual(names(await list(h, resources.secrets, ns, 'app.kubernetes.io/name=survivor')), [
      'survivor-node-key-0',
      'survivor-node-key-1',
      'survivor-node-key-2',
    ]);
  });
});
