// What the CosmosFullNode controller's integration tests share: the control plane with our CRDs,
// the controller running in this process under its own ServiceAccount with exactly the
// ClusterRole in deploy/rbac (so a missing permission fails a test), an admin client for the
// test's own reads and writes, and CosmosFullNode manifests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { CosmosFullNode } from '../../../src/api/cosmosfullnode.ts';
import { createKubeClient, type KubeClient, loadKubeConfig } from '../../../src/kube/client.ts';
import { type KubeObject, resources, type ResourceType } from '../../../src/kube/resource.ts';
import { createLogger } from '../../../src/log/log.ts';
import { CONTROLLER_NAME, createFullNodeController } from '../../../src/reconcile/fullnode/controller.ts';
import { eventually, newNamespace, type TestCluster, testCluster } from '../../cluster/connect.ts';
import { type FakeCometFleet, type FakeCometFleetOptions, fakeCometForPods } from '../../support/fake-comet.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const FULL_NODES: ResourceType = {
  group: 'cosmos.strange.love',
  version: 'v1',
  plural: 'cosmosfullnodes',
  kind: 'CosmosFullNode',
  namespaced: true,
};
export const CLUSTER_ROLES: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'clusterroles',
  kind: 'ClusterRole',
  namespaced: false,
};
export const CLUSTER_ROLE_BINDINGS: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'clusterrolebindings',
  kind: 'ClusterRoleBinding',
  namespaced: false,
};

export type FullNodeJson = CosmosFullNode & KubeObject;
// deno-lint-ignore no-explicit-any
export type Obj = KubeObject & { spec?: any; status?: any; data?: Record<string, string>; type?: string };

export type Harness = { cluster: TestCluster; admin: KubeClient };

let shared: Promise<Harness> | undefined;

/** The control plane with deploy/crd installed, and an admin client. */
export function harness(): Promise<Harness> {
  shared ??= (async () => {
    const cluster = await testCluster();
    // The directory also holds a kustomization.yaml, which is not a CRD.
    const crdDir = path.join(root, 'deploy', 'crd');
    await cluster.installCRDs(
      readdirSync(crdDir).filter((f) => f.startsWith('cosmos.strange.love_')).map((f) => path.join(crdDir, f)),
    );
    const { kubeConfig } = loadKubeConfig({ kubeconfig: cluster.kubeconfig });
    return { cluster, admin: createKubeClient(kubeConfig) };
  })();
  return shared;
}

/**
 * Credentials for the operator: a ServiceAccount in `namespace` bound to deploy/rbac's
 * manager-role ClusterRole (applied as it is), so the test runs with exactly that RBAC.
 */
export async function operatorCredentials(h: Harness, namespace: string): Promise<string> {
  const rolePath = path.join(root, 'deploy', 'rbac', 'role.yaml');
  if (!existsSync(rolePath)) return h.cluster.kubeconfig;
  const role = loadYaml<KubeObject>(readFileSync(rolePath, 'utf8'));
  const roleName = `${role.metadata!.name}-fullnode-it`;
  const clusterRoles = h.admin.objects(CLUSTER_ROLES);
  const existing = await clusterRoles.get(undefined, roleName);
  const body = { ...role, metadata: { name: roleName } };
  if (existing === undefined) await clusterRoles.create(body);
  else {await clusterRoles.replace({
      ...body,
      metadata: { name: roleName, resourceVersion: existing.metadata?.resourceVersion },
    });}
  await h.admin.objects(resources.serviceAccounts).create({ metadata: { namespace, name: 'cosmos-operator' } });
  await h.admin.objects(CLUSTER_ROLE_BINDINGS).create({
    metadata: { name: `fullnode-it-${namespace}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: 'cosmos-operator', namespace }],
  } as KubeObject);
  return h.cluster.serviceAccountKubeconfig(namespace, 'cosmos-operator');
}

/** deploy/rbac's leader-election Role as it is, in `namespace`, bound to `serviceAccount` there. */
export async function grantLeaderElection(h: Harness, namespace: string, serviceAccount: string): Promise<void> {
  const role = loadYaml<KubeObject>(
    readFileSync(path.join(root, 'deploy', 'rbac', 'leader_election_role.yaml'), 'utf8'),
  );
  const name = role.metadata!.name!;
  await h.admin.objects(resources.roles).create({ ...role, metadata: { namespace, name } });
  await h.admin.objects(resources.roleBindings).create({
    metadata: { namespace, name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  } as KubeObject);
}

export type RunningOperator = {
  stop(): Promise<void>;
  /** Reconciles finished so far (controller_runtime_reconcile_total, every result). */
  reconciles(): Promise<number>;
};

/** The CosmosFullNode controller in this process, watching `namespace` only, polling CometBFT fast. */
export function startOperator(kubeconfig: string, namespace: string): RunningOperator {
  const { kubeConfig } = loadKubeConfig({ kubeconfig });
  const level = process.env.FULLNODE_TEST_LOG as 'debug' | 'info' | undefined;
  const log = level ? createLogger({ level }) : createLogger({ write: () => {} });
  const stop = new AbortController();
  // Its own registry, so a test can count the reconciles that ran (reconcilesAfter below).
  const registry = new Registry();
  const work = createFullNodeController({
    kube: createKubeClient(kubeConfig),
    log,
    registry,
    namespace,
    // Polls every 250 ms (upstream 5 s). The timeout stays well above what a fake comet in this
    // process takes to answer on a busy machine: a spurious timeout reads as a node gone down.
    comet: { intervalMs: 250, timeoutMs: 3000, heightNotifyIntervalMs: 1000 },
    statusHeightRefreshMs: 2000,
  });
  const running = work.run(stop.signal);
  running.catch((err: unknown) => log.error('controller failed', { error: err }));
  return {
    async stop() {
      stop.abort();
      await running;
    },
    async reconciles() {
      const metric = registry.getSingleMetric('controller_runtime_reconcile_total');
      if (metric === undefined) return 0;
      const { values } = await metric.get();
      return values.filter((v) => v.labels.controller === CONTROLLER_NAME).reduce((n, v) => n + v.value, 0);
    },
  };
}

export type OperatorNamespace = {
  ns: string;
  /** Fake CometBFT on every pod of the namespace. */
  fleet: FakeCometFleet;
  /** Run in reverse by cleanup(); a test may add its own (the operator's stop is last when started). */
  cleanups: (() => Promise<unknown>)[];
  /** Starts the operator (done already unless `start: false`). */
  start(): void;
  /** Reconciles the operator has finished (0 before it starts). */
  reconciles(): Promise<number>;
  cleanup(): Promise<void>;
};

/**
 * A fresh namespace with fake CometBFT on its pods and the controller running in it with
 * deploy/rbac's ClusterRole (operatorCredentials); cleanup() removes all of it.
 */
export async function operatorNamespace(
  h: Harness,
  prefix: string,
  opts: { start?: boolean; fleet?: FakeCometFleetOptions } = {},
): Promise<OperatorNamespace> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const ns = await newNamespace(prefix);
  cleanups.push(() => h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']));
  const kubeconfig = await operatorCredentials(h, ns);
  cleanups.push(() => h.cluster.kubectl(['delete', 'clusterrolebinding', `fullnode-it-${ns}`]));
  const fleet = fakeCometForPods(h.cluster, ns, '', opts.fleet ?? {});
  cleanups.push(() => fleet.close());
  let operator: RunningOperator | undefined;
  const start = () => {
    const started = startOperator(kubeconfig, ns);
    operator = started;
    cleanups.push(() => started.stop());
  };
  if (opts.start !== false) start();
  return {
    ns,
    fleet,
    cleanups,
    start,
    reconciles: () => operator?.reconciles() ?? Promise.resolve(0),
    async cleanup() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    },
  };
}

/** The repository's minimal example, made schedulable here: the test storage class, 1 GiB. */
export function minimalExample(
  namespace: string,
  storageClass: string,
  change: (node: FullNodeJson) => void = () => {},
): FullNodeJson {
  return exampleNode('cosmosfullnode-minimal.yaml', namespace, storageClass, change);
}

/**
 * A CosmosFullNode from examples/`file`, made schedulable here: every volumeClaimTemplate (the
 * top-level one and any instance override's) on the test storage class with 1 GiB. Everything
 * else stays as the example has it.
 */
export function exampleNode(
  file: string,
  namespace: string,
  storageClass: string,
  change: (node: FullNodeJson) => void = () => {},
): FullNodeJson {
  const node = loadYaml<FullNodeJson>(readFileSync(path.join(root, 'examples', file), 'utf8'));
  node.metadata = { ...node.metadata, namespace };
  const schedulable = <T extends object>(template: T): T => ({
    ...template,
    storageClassName: storageClass,
    resources: { requests: { storage: '1Gi' } },
  });
  node.spec.volumeClaimTemplate = schedulable(node.spec.volumeClaimTemplate);
  for (const override of Object.values(node.spec.instanceOverrides ?? {})) {
    if (override?.volumeClaimTemplate) override.volumeClaimTemplate = schedulable(override.volumeClaimTemplate);
  }
  change(node);
  return node;
}

export async function getFullNode(h: Harness, namespace: string, name: string): Promise<FullNodeJson> {
  const node = await h.admin.objects<FullNodeJson>(FULL_NODES).get(namespace, name);
  if (node === undefined) throw new Error(`CosmosFullNode ${namespace}/${name} not found`);
  return node;
}

/** Applies `change` to the spec, retrying on conflicts. */
export async function updateSpec(
  h: Harness,
  namespace: string,
  name: string,
  change: (node: FullNodeJson) => void,
): Promise<void> {
  const client = h.admin.objects<FullNodeJson>(FULL_NODES);
  for (let attempt = 0;; attempt++) {
    const node = await getFullNode(h, namespace, name);
    change(node);
    try {
      await client.replace(node);
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt > 5) throw err;
    }
  }
}

export async function list(h: Harness, type: ResourceType, namespace: string, labelSelector?: string): Promise<Obj[]> {
  return (await h.admin.objects<Obj>(type).list(namespace, labelSelector !== undefined ? { labelSelector } : {})).items;
}

export function names(objs: readonly KubeObject[]): string[] {
  return objs.map((o) => o.metadata?.name ?? '').sort();
}

/**
 * Resolves once the operator has run `count` whole reconciles of `namespace/name` that STARTED
 * after this call: the bound of a "nothing else happens" window, counted in the operator's own
 * passes rather than in seconds a busy machine may spend elsewhere. Reconciles of one object never
 * overlap, so count + 1 more finished ones include `count` that started after the call. Each wait
 * first touches an annotation of the CosmosFullNode, which the operator copies nowhere: that
 * enqueues a reconcile with nothing new to do (a held rollout also requeues itself every 3 s).
 */
export async function reconcilesAfter(
  h: Harness,
  env: Pick<OperatorNamespace, 'reconciles'>,
  namespace: string,
  name: string,
  count: number,
): Promise<void> {
  const target = (await env.reconciles()) + count + 1;
  for (let poke = 0;; poke++) {
    const seen = await env.reconciles();
    if (seen >= target) return;
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/apis/cosmos.strange.love/v1/namespaces/${namespace}/cosmosfullnodes/${name}`,
      body: { metadata: { annotations: { 'cosmos-operator.test/poke': `${Date.now()}-${poke}` } } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(async () => (await env.reconciles()) > seen, {
      timeoutMs: 120_000,
      message: `a reconcile of ${namespace}/${name} after poke ${poke} (${seen} of ${target} done)`,
    });
  }
}

export async function eventReasons(h: Harness, namespace: string, name: string): Promise<string[]> {
  const events = await list(h, resources.events, namespace);
  return events.filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name).map((e) =>
    (e as { reason?: string }).reason ?? ''
  );
}
