// Children of a converged CosmosFullNode deleted or edited by hand (the project's issue 11, §2):
// what the operator does about each, against the real control plane. The controller runs in this
// process under deploy/rbac's ClusterRole (harness.ts), one namespace and one operator for the
// file, one CosmosFullNode of 3 replicas per test. Assertions are on what happened: a watch
// recorded from before the edit (every change, in order, with uids), Kubernetes Events, and the
// objects' uids and resourceVersions; waits for a final state have generous timeouts and say
// what they waited for.
//
// What each hand edit leads to (README "Faults", docs/compatibility.md §2.3, §2.5, §2.10, §2.11):
//   pod deleted           → recreated under its name on the same PVC (same uid);
//   PVC deleted           → stays Terminating while its pod runs (pvc-protection); the operator
//                           says so in a Warning and does not restart that pod for updates, so the
//                           data goes only when a person deletes the pod; then a new PVC;
//   Service deleted       → recreated as it was; its spec edited → restored in place;
//   ConfigMap deleted     → recreated with the same content; edited → reverted; no pod restarted;
//   node-key Secret gone  → a new key, a Warning naming the instance and the old and new node IDs,
//                           the peers' config and the pod itself rolled onto the new ID;
//   pod labels/annotations the operator sets → restored in place; its revision label edited →
//                           the pod is replaced (the revision is how the operator knows a pod).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Buffer } from 'node:buffer';
import { resources, type ResourceType } from '../../../src/kube/resource.ts';
import { parseNodeKey } from '../../../src/reconcile/fullnode/build/node-key.ts';
import { eventually } from '../../cluster/connect.ts';
import { auditEvents, auditMark, describeAudit, serviceAccountUser } from '../../support/audit-log.ts';
import {
  type Change,
  firstChangeOrder,
  type Recording,
  recordWatch,
  type WatchRecorder,
} from '../../support/watch-recorder.ts';
import {
  FULL_NODES,
  type FullNodeJson,
  getFullNode,
  type Harness,
  harness,
  list,
  minimalExample,
  type Obj,
  type OperatorNamespace,
  operatorNamespace,
  reconcilesAfter,
  updateSpec,
} from './harness.ts';

const V19 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0';
const NODE_ID_ANNOTATION = 'cosmos.strange.love/node-id';

describe('children of a CosmosFullNode deleted or edited by hand', () => {
  let h: Harness;
  let env: OperatorNamespace;
  let ns: string;

  before(async () => {
    h = await harness();
    env = await operatorNamespace(h, 'hand-edits');
    ns = env.ns;
  }, { timeout: 30 * 60_000 });
  after(() => env?.cleanup());

  // ---- helpers --------------------------------------------------------------------------------

  const selector = (name: string) => `app.kubernetes.io/name=${name}`;
  const path = (plural: string) => `/api/v1/namespaces/${ns}/${plural}`;
  const get = async (type: ResourceType, name: string): Promise<Obj> => {
    const obj = await h.admin.objects<Obj>(type).get(ns, name);
    assert.ok(obj, `${type.kind} ${ns}/${name} exists`);
    return obj;
  };
  const patch = (plural: string, name: string, body: unknown) =>
    h.admin.rest.request({
      method: 'PATCH',
      path: `${path(plural)}/${name}`,
      body,
      contentType: 'application/merge-patch+json',
    });
  const uid = (o: { metadata?: { uid?: string } } | undefined) => o?.metadata?.uid;
  const imageOf = (pod: Obj | undefined) =>
    (pod?.spec?.containers as { name: string; image: string }[] | undefined)?.find((c) => c.name === 'node')?.image;
  const running = (pod: Obj | undefined) => pod?.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;

  /** Status Complete for the current generation with `ready` pods in sync. */
  const complete = (name: string, ready = 3) =>
    eventually(async () => {
      const node = await getFullNode(h, ns, name);
      assert.deepEqual(
        [node.status?.phase, node.status?.observedGeneration, node.status?.readyReplicas],
        ['Complete', node.metadata.generation, ready],
      );
      return node;
    }, { timeoutMs: 180_000, message: `${ns}/${name} Complete with ${ready} in sync` });

  /** A CosmosFullNode of 3 replicas (no LoadBalancer, so it can be Complete here), converged. */
  const create = (name: string, change: (node: FullNodeJson) => void = () => {}) =>
    h.admin.objects(FULL_NODES).create(minimalExample(ns, h.cluster.storageClass, (node) => {
      node.metadata.name = name;
      node.spec.replicas = 3;
      node.spec.service = { maxP2PExternalAddresses: 0 };
      change(node);
    }));
  const converged = async (name: string, change: (node: FullNodeJson) => void = () => {}) => {
    await create(name, change);
    return complete(name);
  };

  type Event = { reason?: string; type?: string; message?: string; involvedObject?: { name?: string } };
  /** The first Event about CosmosFullNode `name` with `reason` (sent in the background: waited for). */
  const eventOf = (name: string, reason: string, type: 'Normal' | 'Warning', match: RegExp = /./) =>
    eventually(async () => {
      const events = (await list(h, resources.events, ns) as Event[]).filter((e) => e.involvedObject?.name === name);
      const found = events.find((e) => e.reason === reason && match.test(e.message ?? ''));
      assert.ok(
        found,
        `a ${reason} event matching ${match} about ${name}; seen: ${
          events.map((e) => `${e.type} ${e.reason}: ${e.message}`).join(' | ')
        }`,
      );
      assert.equal(found.type, type);
      return found.message ?? '';
    }, { timeoutMs: 120_000, message: `${reason} event about ${name}` });

  /** "TYPE name" of the changes that deleted an object or marked it for deletion. */
  const removals = <T extends Obj>(changes: readonly Change<T>[]) =>
    changes.filter((c) => c.type === 'DELETED' || c.object.metadata?.deletionTimestamp)
      .map((c) => `${c.type} ${c.object.metadata?.name} (uid ${uid(c.object)})`);

  /** Starts recording `plural` of CosmosFullNode `name`; stop() on every path. */
  const recorder = (plural: string, name: string) =>
    recordWatch<Obj>(h.cluster.admin, path(plural), {
      labelSelector: selector(name),
    });

  /** Runs `action`, then stops every watch; their recordings, in order (the action's error wins). */
  async function recordings<W extends WatchRecorder<Obj>[]>(
    watches: [...W],
    action: () => Promise<void>,
  ): Promise<{ [K in keyof W]: Recording<Obj> }> {
    try {
      await action();
    } catch (err) {
      await Promise.all(watches.map((w) => w.stop().catch(() => {})));
      throw err;
    }
    return await Promise.all(watches.map((w) => w.stop())) as { [K in keyof W]: Recording<Obj> };
  }

  // ---- nothing edited -------------------------------------------------------------------------

  // The other side of restoring edits: what the operator wrote itself must never look edited to
  // it, or it would rewrite its children on every pass. Services of every kind the builder makes
  // (LoadBalancer p2p with a template, NodePort RPC with extra ports, a Sentry's privval ones).
  it('rewrites no child of converged CosmosFullNodes while nobody edits anything', async () => {
    await create('quiet', (n) => {
      n.spec.service = {
        maxP2PExternalAddresses: 1,
        p2pTemplate: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', metadata: { annotations: { a: 'b' } } },
        rpcTemplate: { type: 'NodePort', ports: [{ name: 'metrics', port: 26660 }] },
      };
    });
    const sentry = converged('sentry', (n) => (n.spec.type = 'Sentry'));
    // Complete needs the LoadBalancer's address, which nothing here gives it.
    await eventually(() => get(resources.services, 'quiet-p2p-0'), { timeoutMs: 120_000, message: 'quiet-p2p-0' });
    await patch('services', 'quiet-p2p-0/status', { status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } });
    await Promise.all([complete('quiet'), sentry]);
    const from = await auditMark(h.cluster);
    await Promise.all([reconcilesAfter(h, env, ns, 'quiet', 3), reconcilesAfter(h, env, ns, 'sentry', 3)]);
    const to = await auditMark(h.cluster);
    const writes = auditEvents(h.cluster, { user: serviceAccountUser(ns, 'cosmos-operator'), from, to, writes: true })
      .filter((e) => !['events', 'cosmosfullnodes'].includes(e.objectRef?.resource ?? ''))
      .filter((e) => ['quiet', 'sentry'].some((name) => e.objectRef?.name?.startsWith(name)));
    assert.equal(describeAudit(writes), '(none)', 'writes of children while nothing changed');
  });

  // ---- pods -----------------------------------------------------------------------------------

  it('recreates a pod deleted by hand under its name, on the same PVC, touching no other pod', async () => {
    await converged('pod');
    const [podBefore, pvcBefore] = [
      await get(resources.pods, 'pod-1'),
      await get(resources.persistentVolumeClaims, 'pvc-pod-1'),
    ];
    const pods = await recorder('pods', 'pod');
    const pvcs = await recorder('persistentvolumeclaims', 'pod');
    const [podRec, pvcRec] = await recordings([pods, pvcs], async () => {
      await h.admin.objects(resources.pods).delete(ns, 'pod-1');
      await pods.until((state) => uid(state.get('pod-1')) !== uid(podBefore) && running(state.get('pod-1')), {
        message: 'pod-1 back and Running',
      });
      await complete('pod');
    });
    assert.deepEqual(firstChangeOrder(podRec), ['pod-1'], 'only pod-1 went away');
    assert.deepEqual(removals(pvcRec.changes), [], 'no PVC deleted or marked for deletion');
    const pvcAfter = await get(resources.persistentVolumeClaims, 'pvc-pod-1');
    assert.equal(uid(pvcAfter), uid(pvcBefore), 'pvc-pod-1 is the same object');
    const podAfter = await get(resources.pods, 'pod-1');
    const claim = (podAfter.spec.volumes as { name: string; persistentVolumeClaim?: { claimName: string } }[])
      .find((v) => v.name === 'vol-chain-home')?.persistentVolumeClaim?.claimName;
    assert.equal(claim, 'pvc-pod-1');
  });

  it('restores the labels and annotations it sets on a pod edited by hand, in place', async () => {
    await converged('label');
    const podBefore = await get(resources.pods, 'label-1');
    const labels = podBefore.metadata!.labels!;
    const annotations = podBefore.metadata!.annotations!;
    const pods = await recorder('pods', 'label');
    const [podRec] = await recordings([pods], async () => {
      await patch('pods', 'label-1', {
        metadata: {
          labels: { 'app.kubernetes.io/instance': 'elsewhere', 'cosmos.strange.love/network': null, 'team': 'ops' },
          annotations: { 'cosmos.strange.love/config-checksum': 'edited', 'note': 'by hand' },
        },
      });
      await pods.until(
        (state) => state.get('label-1')?.metadata?.labels?.['app.kubernetes.io/instance'] === 'elsewhere',
        {
          message: 'the edit of label-1 seen',
        },
      );
      await pods.until((state) => {
        const pod = state.get('label-1');
        return pod?.metadata?.labels?.['app.kubernetes.io/instance'] === 'label-1' &&
          pod.metadata.labels['cosmos.strange.love/network'] === labels['cosmos.strange.love/network'] &&
          pod.metadata.annotations?.['cosmos.strange.love/config-checksum'] ===
            annotations['cosmos.strange.love/config-checksum'];
      }, { message: 'label-1 with its labels and annotations restored' });
      await reconcilesAfter(h, env, ns, 'label', 2);
    });
    assert.deepEqual(removals(podRec.changes), [], 'no pod deleted: restored in place');
    const podAfter = await get(resources.pods, 'label-1');
    assert.equal(uid(podAfter), uid(podBefore));
    // The operator's keys are back as they were; keys it does not set stay.
    assert.deepEqual(podAfter.metadata!.labels, { ...labels, team: 'ops' });
    assert.deepEqual(podAfter.metadata!.annotations, { ...annotations, note: 'by hand' });
  });

  it('puts back the created-by label removed from a pod by hand, which hid the pod from the operator, in place', async () => {
    await converged('hidden');
    const podBefore = await get(resources.pods, 'hidden-1');
    const pods = await recorder('pods', 'hidden');
    const [podRec] = await recordings([pods], async () => {
      await patch('pods', 'hidden-1', { metadata: { labels: { 'app.kubernetes.io/created-by': null } } });
      const createdBy = (state: ReadonlyMap<string, Obj>) =>
        state.get('hidden-1')?.metadata?.labels?.['app.kubernetes.io/created-by'];
      await pods.until((state) => createdBy(state) === undefined, { message: 'the edit of hidden-1 seen' });
      await pods.until((state) => createdBy(state) === 'cosmos-operator', {
        message: 'hidden-1 with its created-by label back',
      });
      await complete('hidden');
    });
    assert.deepEqual(removals(podRec.changes), [], 'no pod deleted: relabelled in place');
    assert.equal(uid(await get(resources.pods, 'hidden-1')), uid(podBefore));
  });

  it('replaces a pod whose revision label was edited by hand (the revision is how it knows a pod)', async () => {
    await converged('revision', (n) => (n.spec.strategy = { maxUnavailable: 1 }));
    const podBefore = await get(resources.pods, 'revision-2');
    const revision = podBefore.metadata!.labels!['app.kubernetes.io/revision'];
    const pods = await recorder('pods', 'revision');
    const [podRec] = await recordings([pods], async () => {
      await patch('pods', 'revision-2', { metadata: { labels: { 'app.kubernetes.io/revision': 'deadbeef' } } });
      await pods.until((state) => uid(state.get('revision-2')) !== uid(podBefore) && running(state.get('revision-2')), {
        message: 'revision-2 replaced and Running',
      });
      await complete('revision');
    });
    assert.deepEqual(firstChangeOrder(podRec), ['revision-2']);
    assert.equal((await get(resources.pods, 'revision-2')).metadata!.labels!['app.kubernetes.io/revision'], revision);
  });

  // ---- PVCs -----------------------------------------------------------------------------------

  it('warns about a PVC deleted by hand while its pod runs, does not restart that pod for an update, and gives the instance a new PVC only once a person deletes the pod', async (t) => {
    await converged('data', (n) => (n.spec.strategy = { maxUnavailable: 1 }));
    const pvcBefore = await get(resources.persistentVolumeClaims, 'pvc-data-1');
    const podBefore = await get(resources.pods, 'data-1');
    const pods = await recorder('pods', 'data');
    const pvcs = await recorder('persistentvolumeclaims', 'data');
    const [pvcRec] = await recordings([pvcs, pods], async () => {
      await h.admin.objects(resources.persistentVolumeClaims).delete(ns, 'pvc-data-1');
      // kubernetes.io/pvc-protection keeps it while data-1 runs.
      await pvcs.until((state) => state.get('pvc-data-1')?.metadata?.deletionTimestamp !== undefined, {
        message: 'pvc-data-1 Terminating',
      });
      const warning = await eventOf('data', 'PVCTerminating', 'Warning');
      t.diagnostic(`PVCTerminating: ${warning}`);
      assert.match(warning, /pvc-data-1/);
      assert.match(warning, /data-1/);

      // An update: the other two pods roll; data-1 would take its data with it, so it is held.
      await updateSpec(h, ns, 'data', (n) => (n.spec.podTemplate.image = V19));
      await pods.until(
        (state) => ['data-0', 'data-2'].every((p) => imageOf(state.get(p)) === V19 && running(state.get(p))),
        {
          message: 'data-0 and data-2 on the new image',
        },
      );
      await reconcilesAfter(h, env, ns, 'data', 3);
      assert.deepEqual(
        removals(pods.changes).filter((r) => r.includes(' data-1 ')),
        [],
        'the operator never took data-1 down',
      );
      const held = await get(resources.persistentVolumeClaims, 'pvc-data-1');
      assert.deepEqual([uid(held), held.metadata?.deletionTimestamp !== undefined], [uid(pvcBefore), true]);
      assert.equal(imageOf(await get(resources.pods, 'data-1')), imageOf(podBefore));
      assert.notEqual((await getFullNode(h, ns, 'data')).status?.phase, 'Complete', 'an update is still held');

      // A person deletes the pod: the claim goes with its data, and the instance starts afresh.
      await h.admin.objects(resources.pods).delete(ns, 'data-1');
      await pvcs.until((state) => {
        const pvc = state.get('pvc-data-1');
        return pvc !== undefined && uid(pvc) !== uid(pvcBefore) && pvc.status?.phase === 'Bound';
      }, { message: 'a new pvc-data-1, Bound' });
      await complete('data');
    });
    const history = pvcRec.changes.filter((c) => c.object.metadata?.name === 'pvc-data-1').map((c) =>
      `${c.type}:${uid(c.object) === uid(pvcBefore) ? 'old' : 'new'}`
    );
    const deleted = history.indexOf('DELETED:old');
    const added = history.indexOf('ADDED:new');
    assert.ok(deleted >= 0 && added > deleted, `the old claim is gone before a new one is made: ${history.join(' ')}`);
    assert.equal(imageOf(await get(resources.pods, 'data-1')), V19);
    await eventOf('data', 'CreatedPVC', 'Normal', /pvc-data-1/);
  });

  // ---- Services -------------------------------------------------------------------------------

  const serviceSpec = (svc: Obj) => ({
    type: svc.spec.type,
    selector: svc.spec.selector,
    ports: svc.spec.ports,
    publishNotReadyAddresses: svc.spec.publishNotReadyAddresses,
  });

  it('recreates a Service deleted by hand as it was', async () => {
    await converged('svc');
    const before = await get(resources.services, 'svc-p2p-1');
    const services = await recorder('services', 'svc');
    await recordings([services], async () => {
      await h.admin.objects(resources.services).delete(ns, 'svc-p2p-1');
      await services.until(
        (state) => state.get('svc-p2p-1') !== undefined && uid(state.get('svc-p2p-1')) !== uid(before),
        {
          message: 'svc-p2p-1 recreated',
        },
      );
    });
    const after = await get(resources.services, 'svc-p2p-1');
    assert.deepEqual(serviceSpec(after), serviceSpec(before));
    assert.deepEqual(after.metadata!.labels, before.metadata!.labels);
    assert.equal(after.metadata!.ownerReferences?.[0]?.uid, before.metadata!.ownerReferences?.[0]?.uid);
  });

  it('restores a Service whose spec was edited by hand, in place (same uid and cluster IP)', async () => {
    await converged('svcedit');
    const before = await get(resources.services, 'svcedit-p2p-1');
    const services = await recorder('services', 'svcedit');
    const [svcRec] = await recordings([services], async () => {
      await patch('services', 'svcedit-p2p-1', {
        spec: {
          selector: { 'app.kubernetes.io/instance': 'elsewhere' },
          ports: [{ name: 'p2p', protocol: 'TCP', port: 30000, targetPort: 30000 }],
        },
      });
      await services.until(
        (state) => state.get('svcedit-p2p-1')?.spec?.selector?.['app.kubernetes.io/instance'] === 'elsewhere',
        {
          message: 'the edit of svcedit-p2p-1 seen',
        },
      );
      await services.until((state) => {
        const svc = state.get('svcedit-p2p-1');
        return svc !== undefined && JSON.stringify(serviceSpec(svc)) === JSON.stringify(serviceSpec(before));
      }, { message: 'svcedit-p2p-1 spec restored' });
    });
    assert.deepEqual(removals(svcRec.changes), []);
    const after = await get(resources.services, 'svcedit-p2p-1');
    assert.deepEqual([uid(after), after.spec.clusterIP], [uid(before), before.spec.clusterIP]);
    const edits = svcRec.changes.filter((c) => c.object.metadata?.name === 'svcedit-p2p-1');
    assert.equal(edits.length, 2, `the edit, then one restore: ${edits.map((c) => c.type).join(', ')}`);
  });

  // ---- ConfigMaps -----------------------------------------------------------------------------

  it('recreates a ConfigMap deleted by hand with the same content, restarting no pod', async () => {
    await converged('cm');
    const before = await get(resources.configMaps, 'cm-1');
    const pods = await recorder('pods', 'cm');
    const configMaps = await recorder('configmaps', 'cm');
    const [podRec] = await recordings([pods, configMaps], async () => {
      await h.admin.objects(resources.configMaps).delete(ns, 'cm-1');
      await configMaps.until((state) => state.get('cm-1') !== undefined && uid(state.get('cm-1')) !== uid(before), {
        message: 'cm-1 recreated',
      });
      await reconcilesAfter(h, env, ns, 'cm', 2);
    });
    const after = await get(resources.configMaps, 'cm-1');
    assert.deepEqual(after.data, before.data);
    assert.deepEqual(after.metadata!.labels, before.metadata!.labels, 'same labels, the revision among them');
    assert.deepEqual(removals(podRec.changes), [], 'no pod restarted: the config is the same');
  });

  it('reverts a ConfigMap edited by hand, restarting no pod', async () => {
    await converged('cmedit');
    const before = await get(resources.configMaps, 'cmedit-1');
    const pods = await recorder('pods', 'cmedit');
    const configMaps = await recorder('configmaps', 'cmedit');
    const edited = `${before.data!['config-overlay.toml']}\n# edited by hand\n`;
    const [podRec, cmRec] = await recordings([pods, configMaps], async () => {
      await patch('configmaps', 'cmedit-1', { data: { 'config-overlay.toml': edited, 'extra.toml': 'x = 1\n' } });
      await configMaps.until((state) => state.get('cmedit-1')?.data?.['extra.toml'] !== undefined, {
        message: 'the edit of cmedit-1 seen',
      });
      await configMaps.until((state) => {
        const cm = state.get('cmedit-1');
        return cm !== undefined && JSON.stringify(cm.data) === JSON.stringify(before.data);
      }, { message: 'cmedit-1 data reverted' });
      await reconcilesAfter(h, env, ns, 'cmedit', 2);
    });
    assert.ok(
      cmRec.changes.some((c) => c.object.data?.['config-overlay.toml'] === edited),
      'the watch saw the edit',
    );
    const after = await get(resources.configMaps, 'cmedit-1');
    assert.deepEqual([uid(after), after.data], [uid(before), before.data]);
    assert.deepEqual(removals(podRec.changes), [], 'no pod restarted');
  });

  // ---- node keys ------------------------------------------------------------------------------

  it('replaces a node-key Secret deleted by hand with a new key, says so in a Warning naming the old and new node IDs, and rolls the peers and the pod onto the new ID', async (t) => {
    await converged('key', (n) => (n.spec.strategy = { maxUnavailable: 1 }));
    const keyOf = (secret: Obj) => parseNodeKey(Buffer.from(secret.data!['node_key.json']!, 'base64').toString('utf8'));
    const oldSecret = await get(resources.secrets, 'key-node-key-1');
    const oldId = keyOf(oldSecret).id;
    const podBefore = await get(resources.pods, 'key-1');
    assert.equal(podBefore.metadata!.annotations![NODE_ID_ANNOTATION], oldId, 'the pod says which node ID it runs');
    const pods = await recorder('pods', 'key');
    const secrets = await recorder('secrets', 'key');
    const [podRec] = await recordings([pods, secrets], async () => {
      await h.admin.objects(resources.secrets).delete(ns, 'key-node-key-1');
      const recreated = await secrets.until((state) => {
        const s = state.get('key-node-key-1');
        return s !== undefined && uid(s) !== uid(oldSecret);
      }, { message: 'key-node-key-1 recreated' });
      const newId = keyOf(recreated.get('key-node-key-1')!).id;
      assert.notEqual(newId, oldId);

      const warning = await eventOf('key', 'NodeKeyReplaced', 'Warning');
      t.diagnostic(`NodeKeyReplaced: ${warning}`);
      assert.match(warning, /key-node-key-1/);
      assert.match(warning, /\bkey-1\b/);
      assert.ok(warning.includes(`from ${oldId} to ${newId}`), `old and new node IDs in: ${warning}`);

      // The pod restarts with the new key, and its peers' config names the new ID.
      await pods.until((state) => {
        const pod = state.get('key-1');
        return running(pod) && pod!.metadata!.annotations?.[NODE_ID_ANNOTATION] === newId;
      }, { message: `key-1 running with node ID ${newId}` });
      const node = await complete('key');
      for (const peer of ['key-0', 'key-2']) {
        const toml = (await get(resources.configMaps, peer)).data!['config-overlay.toml']!;
        assert.ok(toml.includes(`${newId}@key-p2p-1.`), `${peer} peers with the new ID`);
        assert.ok(!toml.includes(oldId), `${peer} no longer names the old ID`);
      }
      assert.ok(node.status?.peers?.some((p) => p.startsWith(`${newId}@`)), `status.peers: ${node.status?.peers}`);
      assert.ok(!node.status?.peers?.some((p) => p.startsWith(`${oldId}@`)));
    });
    assert.ok(firstChangeOrder(podRec).includes('key-1'), 'key-1 was restarted');
    assert.notEqual(uid(await get(resources.pods, 'key-1')), uid(podBefore));
  });

  it('brings an old node ID back when its node_key.json is put back into the Secret (the way back the Warning names)', async () => {
    await converged('back', (n) => (n.spec.strategy = { maxUnavailable: 1 }));
    const backup = await get(resources.secrets, 'back-node-key-1');
    const oldId = parseNodeKey(Buffer.from(backup.data!['node_key.json']!, 'base64').toString('utf8')).id;
    const pods = await recorder('pods', 'back');
    await recordings([pods], async () => {
      await h.admin.objects(resources.secrets).delete(ns, 'back-node-key-1');
      await eventOf('back', 'NodeKeyReplaced', 'Warning');
      await pods.until((state) => {
        const id = state.get('back-1')?.metadata?.annotations?.[NODE_ID_ANNOTATION];
        return running(state.get('back-1')) && id !== undefined && id !== oldId;
      }, { message: 'back-1 running with a new node ID' });
      // The backup goes back into the Secret the operator made.
      await patch('secrets', 'back-node-key-1', { data: { 'node_key.json': backup.data!['node_key.json'] } });
      await pods.until((state) => {
        const pod = state.get('back-1');
        return running(pod) && pod!.metadata!.annotations?.[NODE_ID_ANNOTATION] === oldId;
      }, { message: `back-1 running with its old node ID ${oldId} again` });
      const node = await complete('back');
      assert.ok(node.status?.peers?.some((p) => p.startsWith(`${oldId}@`)), `status.peers: ${node.status?.peers}`);
      for (const peer of ['back-0', 'back-2']) {
        const toml = (await get(resources.configMaps, peer)).data!['config-overlay.toml']!;
        assert.ok(toml.includes(`${oldId}@back-p2p-1.`), `${peer} peers with the old ID again`);
      }
    });
  });
});
