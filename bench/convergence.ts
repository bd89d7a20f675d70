// Convergence benchmark (docs/architecture.md §6.1): N CosmosFullNodes × R replicas applied at once,
// time until every child exists and every status is Complete, against a baseline measured in
// the same run on the same API server: a plain client creating the same objects (built by the
// operator's own pure builders) with the same concurrency as the operator's workers, until its
// pods are Running. Target: at most 1.5× the baseline.
//
// Usage: node bench/convergence.ts [--fullnodes 100] [--replicas 3] [--concurrency 4]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultCosmosFullNode } from '../src/api/defaults.ts';
import type { CosmosFullNode } from '../src/api/cosmosfullnode.ts';
import { buildConfigMaps } from '../src/reconcile/fullnode/build/config-builder.ts';
import { instanceName, nodeKeySecretName } from '../src/api/naming.ts';
import { generateNodeKey } from '../src/reconcile/fullnode/build/node-key.ts';
import { buildPeers } from '../src/reconcile/fullnode/build/peers.ts';
import { buildPods } from '../src/reconcile/fullnode/build/pod-builder.ts';
import { buildPvcs } from '../src/reconcile/fullnode/build/pvc-builder.ts';
import { buildVersionCheckRbac } from '../src/reconcile/fullnode/build/rbac-builder.ts';
import { buildServices } from '../src/reconcile/fullnode/build/service-builder.ts';
import { type ApiAuth, apiJson } from '../test/cluster/kube-http.ts';
import { fakeCometForPods } from '../test/support/fake-comet.ts';
import { portOf, startOperator } from '../test/support/operator-process.ts';
import { CRD_FILES } from '../test/support/webhooks.ts';
import { startAuditedControlPlane, writeLines } from './audit.ts';
import { benchFullNode } from './fullnode-fixture.ts';
import { watchUntil } from './watch-until.ts';

const { values } = parseArgs({
  options: {
    fullnodes: { type: 'string', default: '100' },
    replicas: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
  },
});
const fullnodes = Number(values.fullnodes);
const replicas = Number(values.replicas);
const concurrency = Number(values.concurrency);
const say = (line: string) => process.stdout.write(`${line}\n`);

const manifest = (ns: string, i: number, storageClass: string) => benchFullNode(ns, i, replicas, storageClass);

/** The children the operator makes for one CosmosFullNode, from its own builders, without owner references. */
function childrenOf(node: CosmosFullNode): Array<{ path: string; body: Record<string, unknown> }> {
  const ns = node.metadata!.namespace!;
  const ordinals = Array.from({ length: replicas }, (_, i) => i);
  const keys = ordinals.map(() => generateNodeKey());
  const ids = Object.fromEntries(ordinals.map((i) => [instanceName(node, i), keys[i]!.id]));
  const peers = buildPeers(node, ids, new Map());
  const strip = (o: unknown) => {
    const obj = structuredClone(o) as { metadata: Record<string, unknown> };
    delete obj.metadata.ownerReferences;
    return obj as unknown as Record<string, unknown>;
  };
  const out: Array<{ path: string; body: Record<string, unknown> }> = [];
  for (const { service } of buildServices(node)) {
    out.push({ path: `/api/v1/namespaces/${ns}/services`, body: strip(service) });
  }
  ordinals.forEach((i) =>
    out.push({
      path: `/api/v1/namespaces/${ns}/secrets`,
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: nodeKeySecretName(node, i), namespace: ns },
        stringData: { 'node_key.json': keys[i]!.json },
      },
    })
  );
  for (const cm of buildConfigMaps(node, peers)) {
    out.push({ path: `/api/v1/namespaces/${ns}/configmaps`, body: strip(cm.object) });
  }
  const rbac = buildVersionCheckRbac(node);
  const rbacPaths = [
    `/api/v1/namespaces/${ns}/serviceaccounts`,
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  ];
  rbac.forEach((o, i) => out.push({ path: rbacPaths[i]!, body: strip(o) }));
  for (const { pvc } of buildPvcs(node, { boundCapacity: {}, autoScaleRequested: {}, dataSources: {} })) {
    out.push({ path: `/api/v1/namespaces/${ns}/persistentvolumeclaims`, body: strip(pvc) });
  }
  for (const { pod } of buildPods(node, { heights: {}, configChecksums: {}, snapshotCandidates: new Set() })) {
    out.push({ path: `/api/v1/namespaces/${ns}/pods`, body: strip(pod) });
  }
  return out;
}

async function inParallel<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

type Phased = { metadata: { name: string }; status?: { phase?: string } };

/** Until `count` objects at `path` have status.phase `phase` (pods Running, CosmosFullNodes Complete). */
function allInPhase(auth: ApiAuth, path: string, phase: string, count: number): Promise<void> {
  return watchUntil<Phased>(
    auth,
    path,
    (items) => [...items.values()].filter((i) => i.status?.phase === phase).length === count,
  );
}

async function runningPods(admin: ApiAuth, ns: string): Promise<number> {
  const pods = await apiJson<{ items: Array<{ status?: { phase?: string } }> }>(
    admin,
    'GET',
    `/api/v1/namespaces/${ns}/pods`,
  );
  return pods.items.filter((p) => p.status?.phase === 'Running').length;
}

async function main(): Promise<void> {
  const { plane, writes } = await startAuditedControlPlane((l) => say(`[cluster] ${l}`));
  try {
    await plane.installCRDs(CRD_FILES);
    for (const ns of ['baseline', 'operator']) await plane.kubectl(['create', 'namespace', ns]);
    const want = fullnodes * replicas;

    // Baseline: the same objects, created directly with the same concurrency.
    const objects = Array.from(
      { length: fullnodes },
      (_, i) => childrenOf(defaultCosmosFullNode(manifest('baseline', i, plane.storageClass))),
    ).flat();
    const b0 = Date.now();
    await inParallel(
      objects,
      concurrency,
      async (o) => void (await apiJson(plane.admin, 'POST', o.path, { body: o.body })),
    );
    const bCreated = (Date.now() - b0) / 1000;
    await allInPhase(plane.admin, '/api/v1/namespaces/baseline/pods', 'Running', want);
    const baseline = (Date.now() - b0) / 1000;
    say(
      `baseline: ${objects.length} objects created in ${bCreated.toFixed(1)} s; all ${want} pods Running at ${
        baseline.toFixed(1)
      } s`,
    );
    // The baseline's 1,900 objects are deleted before the operator starts, so that their garbage
    // collection does not share the API server with the operator's phase.
    const d0 = Date.now();
    const deleted = await plane.kubectl(['delete', 'namespace', 'baseline', '--wait=true', '--timeout=600s'], {
      timeoutMs: 620_000,
    });
    if (deleted.code !== 0) throw new Error(deleted.stderr);
    say(`baseline namespace deleted in ${((Date.now() - d0) / 1000).toFixed(1)} s`);

    // The operator: apply the CosmosFullNodes at once; done when every status is Complete.
    const comets = fakeCometForPods(plane, 'operator', 'app.kubernetes.io/created-by=cosmos-operator', {
      initial: () => ({ height: 1000 }),
    });
    const op = startOperator([
      'manager',
      `--kubeconfig=${plane.kubeconfig}`,
      '--webhook-port=0',
      '--watch-namespace=operator',
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
    ]);
    try {
      const metricsPort = portOf(await op.waitForLog((r) => r.msg === 'serving metrics', 60_000));
      await op.waitForLog((r) => r.msg === 'connected to the API server', 60_000);
      const input = Array.from(
        { length: fullnodes },
        (_, i) => JSON.stringify(manifest('operator', i, plane.storageClass)),
      ).join('\n');
      const cpuAtStart = cpuSeconds(op.child.pid);
      const o0 = Date.now();
      const created = await plane.kubectl(['create', '-f', '-'], { input, timeoutMs: 120_000 });
      if (created.code !== 0) throw new Error(created.stderr);
      await allInPhase(
        plane.admin,
        '/apis/cosmos.strange.love/v1/namespaces/operator/cosmosfullnodes',
        'Complete',
        fullnodes,
      );
      const operator = (Date.now() - o0) / 1000;
      const cpuAtEnd = cpuSeconds(op.child.pid);
      const pods = await runningPods(plane.admin, 'operator');
      say(
        `operator: ${fullnodes} CosmosFullNodes × ${replicas} Complete at ${
          operator.toFixed(1)
        } s (${pods} pods Running)`,
      );
      // Where the difference goes: the operator's writes against the baseline's one per object.
      const seen = writes('cosmos-operator', new Date(o0), new Date());
      say(`operator writes: ${seen.total} (baseline: ${objects.length})`);
      for (const line of writeLines(seen)) {
        say(
          `${line}, last at ${
            (((seen.lastAt.get(line.trim().split(':')[0]!)?.getTime() ?? o0) - o0) / 1000).toFixed(1)
          } s`,
        );
      }
      // How the operator spent its workers' time: passes, and time inside them.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const metric = (name: string) =>
        Number(
          new RegExp(`^${name}\\{[^}]*controller="cosmosfullnode"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN,
        );
      const passes = metric('controller_runtime_reconcile_time_seconds_count');
      const busy = metric('controller_runtime_reconcile_time_seconds_sum');
      say(
        `reconciles: ${passes} (${(passes / fullnodes).toFixed(1)} per CosmosFullNode), ${
          busy.toFixed(1)
        } s inside them in all (${((busy / passes) * 1000).toFixed(0)} ms each)`,
      );
      // CPU (user + system) of the operator process, from /proc: its whole life until every status
      // was Complete (start-up included, as the Go operator's 6.1 s on the project machine was
      // measured), and the part spent while converging.
      if (cpuAtStart !== undefined && cpuAtEnd !== undefined) {
        say(
          `operator CPU: ${cpuAtEnd.toFixed(1)} s user+sys from process start to Complete, ${
            (cpuAtEnd - cpuAtStart).toFixed(1)
          } s of it while converging; the Go operator used 6.1 s for 100 × 3 on the project machine (target: at most that)`,
        );
      }
      say(
        `\nconvergence: operator ${operator.toFixed(1)} s, baseline ${baseline.toFixed(1)} s, ratio ${
          (operator / baseline).toFixed(2)
        } (target ≤ 1.50)`,
      );
    } finally {
      await op.stop();
      await comets.close();
    }
  } finally {
    await plane.stop();
  }
}

/** user+system CPU seconds of a process so far, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `convergence benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
