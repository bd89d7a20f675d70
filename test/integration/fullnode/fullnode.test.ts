// The CosmosFullNode controller against a real control plane: the children it makes, status,
// scaling, rollouts bounded by maxUnavailable and held by CometBFT's sync state, adoption of what
// the Go operator left, and garbage collection. The controller runs in this process under its
// own ServiceAccount with deploy/rbac's ClusterRole; pods are kwok's, their CometBFT RPC a fake
// served on each pod's IP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resources } from '../../../src/kube/resource.ts';
import { generateNodeKey, parseNodeKey } from '../../../src/reconcile/fullnode/node-key.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import { fakeCometForPods, type FakeCometFleet } from '../../support/fake-comet.ts';
import {
  FULL_NODES,
  eventReasons,
  getFullNode,
  harness,
  list,
  minimalExample,
  names,
  operatorCredentials,
  startOperator,
  updateSpec,
  type Harness,
  type Obj,
  type RunningOperator,
} from './harness.ts';

const ROLES = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true };
const ROLE_BINDINGS = { ...ROLES, plural: 'rolebindings', kind: 'RoleBinding' };

describe('the CosmosFullNode controller', () => {
  let h: Harness;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    h = await harness();
  }, { timeout: 30 * 60_000 });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  /** A namespace with the operator running in it and fake comets on its pods. */
  async function setup(prefix: string, opts: { start?: boolean; initial?: Parameters<typeof fakeCometForPods>[3] } = {}) {
    const ns = await newNamespace(prefix);
    cleanups.push(() => h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']));
    const kubeconfig = await operatorCredentials(h, ns);
    cleanups.push(() => h.cluster.kubectl(['delete', 'clusterrolebinding', `fullnode-it-${ns}`]));
    const fleet: FakeCometFleet = fakeCometForPods(h.cluster, ns, '', opts.initial ?? {});
    cleanups.push(() => fleet.close());
    let operator: RunningOperator | undefined;
    const start = () => {
      operator = startOperator(kubeconfig, ns);
      cleanups.push(() => operator!.stop());
    };
    if (opts.start !== false) start();
    return { ns, fleet, start };
  }

  it('creates the minimal example’s children under the Go operator’s names and labels, and reaches Complete once the LoadBalancer has an address', async () => {
    const { ns } = await setup('fullnode-minimal');
    await h.admin.objects(FULL_NODES).create(minimalExample(ns, h.cluster.storageClass));

    await eventually(
      async () => {
        assert.deepEqual(names(await list(h, resources.services, ns)), ['cosmoshub-p2p-0', 'cosmoshub-p2p-1', 'cosmoshub-p2p-2', 'cosmoshub-rpc']);
        const configMaps = (await list(h, resources.configMaps, ns, 'app.kubernetes.io/name=cosmoshub'));
        assert.deepEqual(names(configMaps), ['cosmoshub-0', 'cosmoshub-1', 'cosmoshub-2']);
        for (const cm of configMaps) assert.deepEqual(Object.keys(cm.data ?? {}).sort(), ['app-overlay.toml', 'config-overlay.toml']);
        const secrets = await list(h, resources.secrets, ns, 'app.kubernetes.io/name=cosmoshub');
        assert.deepEqual(names(secrets), ['cosmoshub-node-key-0', 'cosmoshub-node-key-1', 'cosmoshub-node-key-2']);
        const pods = await list(h, resources.pods, ns);
        assert.deepEqual(names(pods), ['cosmoshub-0', 'cosmoshub-1', 'cosmoshub-2']);
        for (const pod of pods) assert.equal(pod.status?.phase, 'Running');
        const pvcs = await list(h, resources.persistentVolumeClaims, ns);
        assert.deepEqual(names(pvcs), ['pvc-cosmoshub-0', 'pvc-cosmoshub-1', 'pvc-cosmoshub-2']);
        for (const pvc of pvcs) assert.equal(pvc.status?.phase, 'Bound');
        assert.deepEqual(names(await list(h, resources.serviceAccounts, ns, 'app.kubernetes.io/component=vc')), ['cosmoshub-vc-sa']);
        assert.deepEqual(names(await list(h, ROLES, ns)), ['cosmoshub-vc-r']);
        assert.deepEqual(names(await list(h, ROLE_BINDINGS, ns)), ['cosmoshub-vc-rb']);
      },
      { timeoutMs: 60_000, message: 'children of the minimal example' },
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
    assert.equal(pod.metadata!.annotations!['cosmos.strange.love/config-checksum'], cm.metadata!.labels!['app.kubernetes.io/revision']);

    // The first p2p service is a LoadBalancer, and nothing gives it an address here.
    await eventually(async () => assert.equal((await getFullNode(h, ns, 'cosmoshub')).status?.phase, 'WaitingForP2PServices'), { timeoutMs: 30_000 });
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
      { timeoutMs: 40_000, message: 'phase Complete' },
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
});
