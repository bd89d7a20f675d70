// deploy/rbac's manager-role against what the operator is seen doing, both ways. A control plane
// of its own writes an audit log of every request of the operator's ServiceAccount (reads
// included, which the shared test plane does not log); the CosmosFullNode controller runs under
// exactly manager-role (harness.ts operatorCredentials) through the examples' life cycle: create,
// converge, scale down and up, roll a new image, change the config, delete. Then:
//   - every verb it used on a resource is granted, and no request was refused (403);
//   - every verb granted is one it used, or is listed below with the reason it was not.
// A permission added to role.yaml without a use, or a use without a permission, fails here.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadYaml } from '@kubernetes/client-node';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { eventually } from '../../cluster/connect.ts';
import { type ControlPlane, startControlPlane } from '../../cluster/control-plane.ts';
import { apiJson } from '../../cluster/kube-http.ts';
import type { FakeCometFleet } from '../../support/fake-comet.ts';
import { fakeCometForPods } from '../../support/fake-comet.ts';
import {
  exampleNode,
  FULL_NODES,
  getFullNode,
  type Harness,
  list,
  operatorCredentials,
  type RunningOperator,
  startOperator,
  updateSpec,
} from '../fullnode/harness.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NS = 'rbac-audit';
const USER = `system:serviceaccount:${NS}:cosmos-operator`;

type PolicyRule = { apiGroups?: string[]; resources?: string[]; verbs: string[] };

/**
 * Granted to the operator but not used by the CosmosFullNode controller, the only controller
 * that exists yet; the Go operator's role grants them for its other controllers (docs/compatibility.md
 * §12), which this operator will need when it has them. `group|resource|verb`; a verb listed here
 * may still be seen.
 */
const GRANTED_FOR_LATER: Record<string, string> = {
  'batch|jobs|create': 'StatefulJob controller (not written yet)',
  'batch|jobs|get': 'StatefulJob controller',
  'batch|jobs|list': 'StatefulJob controller',
  'batch|jobs|watch': 'StatefulJob controller',
  'snapshot.storage.k8s.io|volumesnapshots|create': 'ScheduledVolumeSnapshot controller',
  'snapshot.storage.k8s.io|volumesnapshots|delete': 'ScheduledVolumeSnapshot controller',
  'snapshot.storage.k8s.io|volumesnapshots|get': 'ScheduledVolumeSnapshot controller (ours lists and watches)',
  'cosmos.strange.love|scheduledvolumesnapshots|*': 'ScheduledVolumeSnapshot controller',
  'cosmos.strange.love|scheduledvolumesnapshots/status|*': 'ScheduledVolumeSnapshot controller',
  'cosmos.strange.love|scheduledvolumesnapshots/finalizers|update': 'ScheduledVolumeSnapshot controller',
  'cosmos.strange.love|statefuljobs|*': 'StatefulJob controller',
  'cosmos.strange.love|statefuljobs/status|*': 'StatefulJob controller',
  'cosmos.strange.love|statefuljobs/finalizers|update': 'StatefulJob controller',
  // The CosmosFullNode is the user's: the controller reads it and writes only its status.
  'cosmos.strange.love|cosmosfullnodes|create': 'the Go role (the self-healing controller patches the spec)',
  'cosmos.strange.love|cosmosfullnodes|delete': 'the Go role',
  'cosmos.strange.love|cosmosfullnodes|get': 'the Go role (ours reads its cache)',
  'cosmos.strange.love|cosmosfullnodes|patch': 'self-healing controller (PVC auto-scale, height drift)',
  'cosmos.strange.love|cosmosfullnodes|update': 'the Go role',
  'cosmos.strange.love|cosmosfullnodes/status|get': 'the Go role (ours patches without reading)',
  'cosmos.strange.love|cosmosfullnodes/status|update': 'the Go role (ours patches)',
  // Owner references with blockOwnerDeletion need it, checked by the API server, not requested.
  'cosmos.strange.love|cosmosfullnodes/finalizers|update': 'blockOwnerDeletion on the children (no request of its own)',
  // Reads the caches serve: a GET happens only on a stale cache or a conflict.
  '|pods|get': 'a GET only when the cache is stale',
  '|configmaps|get': 'the Go ConfigMap of a node key, read only for a CR with its own created-by label',
  '|secrets|get': 'a node-key Secret created by an earlier pass the cache has not delivered yet',
  '|persistentvolumeclaims|get': 'a GET only when the cache is stale',
  '|services|get': 'a GET only when the cache is stale',
  '|serviceaccounts|get': 'a GET only when the cache is stale',
  'rbac.authorization.k8s.io|roles|get': 'a GET only when the cache is stale',
  'rbac.authorization.k8s.io|rolebindings|get': 'a GET only when the cache is stale',
  // Writes that happen only in situations this life cycle does not reach.
  '|pods|patch': 'labels and annotations edited by hand are put back (fullnode/hand-edits.test.ts); none here',
  '|pods|update': 'the Go role',
  '|configmaps|patch': 'the Go role (ours replaces)',
  '|persistentvolumeclaims|update': 'the Go role (ours patches)',
  '|services|patch': 'the Go role (ours replaces)',
  '|services|delete': 'the Go role; ours never deletes a Service (a scaled-away instance keeps its p2p address)',
  '|serviceaccounts|patch': 'the Go role (ours replaces)',
  '|serviceaccounts|delete': 'the Go role (GC removes it)',
  'rbac.authorization.k8s.io|roles|patch': 'the Go role (ours replaces)',
  'rbac.authorization.k8s.io|roles|delete': 'the Go role (GC removes it)',
  'rbac.authorization.k8s.io|rolebindings|patch': 'the Go role (ours replaces)',
  'rbac.authorization.k8s.io|rolebindings|delete': 'the Go role (GC removes it)',
  '|events|patch': 'a repeated event, counted on the first one',
  '|events|update': 'the Go role',
};

function allowedUnseen(grant: string): string | undefined {
  const [group, resource] = grant.split('|');
  return GRANTED_FOR_LATER[grant] ?? GRANTED_FOR_LATER[`${group}|${resource}|*`];
}

function grantsOf(rules: readonly PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) for (const v of r.verbs) out.add(`${g}|${res}|${v}`);
    }
  }
  return out;
}

type AuditEvent = {
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string };
  responseStatus?: { code?: number };
};

describe('deploy/rbac manager-role, against the operator’s requests in the audit log', () => {
  let dir: string;
  let auditLog: string;
  let plane: ControlPlane | undefined;
  let h: Harness;
  let fleet: FakeCometFleet | undefined;
  let operator: RunningOperator | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cosmos-rbac-audit-'));
    const policy = path.join(dir, 'audit-policy.json');
    auditLog = path.join(dir, 'audit.log');
    writeFileSync(
      policy,
      JSON.stringify({
        apiVersion: 'audit.k8s.io/v1',
        kind: 'Policy',
        omitStages: ['RequestReceived'],
        rules: [{ level: 'Metadata', users: [USER] }, { level: 'None' }],
      }),
    );
    plane = await startControlPlane({
      handleSignals: false,
      log: () => {},
      extraArgs: {
        'kube-apiserver': [`--audit-policy-file=${policy}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json'],
      },
    });
    const crdDir = path.join(root, 'deploy', 'crd');
    await plane.installCRDs(
      ['cosmos.strange.love_cosmosfullnodes.yaml', 'cosmos.strange.love_scheduledvolumesnapshots.yaml'].map((f) =>
        path.join(crdDir, f)
      ),
    );
    h = { cluster: plane, admin: createKubeClient(loadKubeConfig({ kubeconfig: plane.kubeconfig }).kubeConfig) };
    await apiJson(plane.admin, 'POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    });
    const kubeconfig = await operatorCredentials(h, NS);
    fleet = fakeCometForPods(plane, NS, '', {});
    operator = startOperator(kubeconfig, NS);
  }, { timeout: 5 * 60_000 });

  after(async () => {
    await operator?.stop().catch(() => {});
    await fleet?.close().catch(() => {});
    await plane?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Complete with `replicas` main pods Running. */
  const complete = (name: string, replicas: number) =>
    eventually(async () => {
      const node = await getFullNode(h, NS, name);
      assert.equal(node.status?.observedGeneration, node.metadata.generation);
      assert.equal(node.status?.phase, 'Complete');
      const pods = await list(h, resources.pods, NS, `app.kubernetes.io/name=${name}`);
      assert.deepEqual(pods.map((p) => p.status?.phase), Array(replicas).fill('Running'));
    }, { timeoutMs: 180_000, message: `${name} Complete with ${replicas} pods Running` });

  /** The first p2p Service of each CosmosFullNode is a LoadBalancer (maxP2PExternalAddresses 1); nothing here assigns addresses. */
  const giveLoadBalancerAddress = async (name: string, ip: string) => {
    await eventually(async () => assert.ok(await h.admin.objects(resources.services).get(NS, `${name}-p2p-0`)), {
      message: `Service ${name}-p2p-0`,
    });
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${NS}/services/${name}-p2p-0/status`,
      body: { status: { loadBalancer: { ingress: [{ ip }] } } },
      contentType: 'application/merge-patch+json',
    });
  };

  it('uses only what manager-role grants, and is seen using all of it but what is listed for later', async () => {
    const client = h.admin.objects<KubeObject>(FULL_NODES);
    const minimal = exampleNode('cosmosfullnode-minimal.yaml', NS, plane!.storageClass);
    const sentry = exampleNode('cosmosfullnode-sentry.yaml', NS, plane!.storageClass);
    const versioned = exampleNode('cosmosfullnode-versioned-upgrade.yaml', NS, plane!.storageClass);
    for (const node of [minimal, sentry, versioned]) await client.create(node);
    for (const [i, node] of [minimal, sentry, versioned].entries()) {
      await giveLoadBalancerAddress(node.metadata.name!, `198.51.100.${30 + i}`);
    }
    await Promise.all([
      complete(minimal.metadata.name!, minimal.spec.replicas),
      complete(sentry.metadata.name!, sentry.spec.replicas),
      complete(versioned.metadata.name!, versioned.spec.replicas),
    ]);

    // Scale down and up, a new image (pods deleted and recreated), a config change (ConfigMaps replaced).
    await updateSpec(h, NS, minimal.metadata.name!, (n) => (n.spec.replicas = 1));
    await complete(minimal.metadata.name!, 1);
    await updateSpec(h, NS, minimal.metadata.name!, (n) => {
      n.spec.replicas = 2;
      n.spec.podTemplate.image = 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.1';
      n.spec.chain.config = { ...(n.spec.chain.config ?? {}), maxInboundPeers: 30 };
    });
    await complete(minimal.metadata.name!, 2);
    for (const node of [minimal, sentry, versioned]) await client.delete(NS, node.metadata.name!);
    await operator!.stop();
    operator = undefined;

    const events = readFileSync(auditLog, 'utf8').split('\n').filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AuditEvent)
      .filter((e) => e.user.username === USER && e.objectRef?.resource !== undefined);
    assert.ok(events.length > 0, 'the audit log holds the operator’s requests');
    const refused = events.filter((e) => e.responseStatus?.code === 403);
    assert.deepEqual(refused.map((e) => `${e.verb} ${e.requestURI}`), [], 'requests refused for lack of permission');

    const seen = new Set(events.map((e) => {
      const r = e.objectRef!;
      return `${r.apiGroup ?? ''}|${r.resource}${r.subresource ? `/${r.subresource}` : ''}|${e.verb}`;
    }));
    const role = loadYaml<{ rules: PolicyRule[] }>(
      readFileSync(path.join(root, 'deploy', 'rbac', 'role.yaml'), 'utf8'),
    );
    const granted = grantsOf(role.rules);

    assert.deepEqual([...seen].filter((s) => !granted.has(s)).sort(), [], 'used but not granted');
    assert.deepEqual(
      [...granted].filter((g) => !seen.has(g) && allowedUnseen(g) === undefined).sort(),
      [],
      `granted but never used, and not listed as granted for later. Seen:\n${[...seen].sort().join('\n')}`,
    );
    // The list stays honest: it names nothing the role does not grant.
    assert.deepEqual(
      Object.keys(GRANTED_FOR_LATER).filter((k) =>
        k.endsWith('|*') ? ![...granted].some((g) => g.startsWith(k.slice(0, -1))) : !granted.has(k)
      ),
      [],
      'listed for later but not granted',
    );
  });
});
