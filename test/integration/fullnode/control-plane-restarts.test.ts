// The operator through kube-apiserver and etcd restarts (docs/architecture.md §6.4): the real
// program converges 50 CosmosFullNodes × 3 while this test SIGKILLs kube-apiserver, then etcd, in
// the middle of the work. It must end where it would have without the kills, without a restart of
// its own: every pod, PVC and node-key Secret exactly once, no node key ever changed, its watches
// resumed (it logs the failed watches it retried), and its memory bounded.
//
// The kills hit the control plane every test of a run shares; tests run one file at a time, and
// this one waits for the plane to answer again before it carries on.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { resources } from '../../../src/kube/resource.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import { type FakeCometFleet, fakeCometForPods } from '../../support/fake-comet.ts';
import { type OperatorProcess, startOperator } from '../../support/operator-process.ts';
import {
  FULL_NODES,
  type FullNodeJson,
  type Harness,
  harness,
  list,
  minimalExample,
  type Obj,
  operatorCredentials,
} from './harness.ts';

const NODES = 50;
const REPLICAS = 3;
/** Far above the ~100 MB the operator holds with this many objects; catches unbounded growth. */
const RSS_LIMIT_MB = 400;

const nodeNames = Array.from({ length: NODES }, (_, i) => `node-${String(i).padStart(2, '0')}`);
const each = (make: (node: string, i: number) => string) =>
  nodeNames.flatMap((node) => Array.from({ length: REPLICAS }, (_, i) => make(node, i))).sort();

/** Resident and peak resident set of a process, in MB (Linux). */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

describe('the operator through kube-apiserver and etcd restarts, converging 50 CosmosFullNodes × 3', () => {
  let h: Harness;
  let ns: string;
  let fleet: FakeCometFleet;
  let operator: OperatorProcess;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    h = await harness();
    ns = await newNamespace('restarts');
    cleanups.push(() => h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']));
    const kubeconfig = await operatorCredentials(h, ns);
    cleanups.push(() => h.cluster.kubectl(['delete', 'clusterrolebinding', `fullnode-it-${ns}`]));
    fleet = fakeCometForPods(h.cluster, ns);
    cleanups.push(() => fleet.close());
    operator = startOperator(
      [
        'manager',
        `--kubeconfig=${kubeconfig}`,
        `--watch-namespace=${ns}`,
        '--health-probe-bind-address=127.0.0.1:0',
        '--metrics-bind-address=127.0.0.1:0',
        '--webhook-port=0',
      ],
      process.env,
      process.env.RESTARTS_TEST_LOG
        ? (r) => appendFileSync(process.env.RESTARTS_TEST_LOG!, JSON.stringify(r) + '\n')
        : undefined,
    );
    cleanups.push(() => operator.stop());
    await operator.waitForLog((r) => r.msg === 'caches synced; starting workers');
  }, { timeout: 10 * 60_000 });

  after(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  /** Node keys seen so far, by Secret name; a key that ever changes fails the test. */
  const keys = new Map<string, string>();
  async function recordKeys(): Promise<void> {
    for (const secret of await list(h, resources.secrets, ns, 'app.kubernetes.io/created-by=cosmos-operator')) {
      const name = secret.metadata!.name!;
      const key = secret.data?.['node_key.json'];
      if (key === undefined) continue;
      const seen = keys.get(name);
      assert.ok(seen === undefined || seen === key, `the node key in ${name} changed`);
      keys.set(name, key);
    }
  }

  const podCount = async () =>
    (await list(h, resources.pods, ns, 'app.kubernetes.io/created-by=cosmos-operator')).length;

  it('ends with every pod, PVC and node key once, no key changed, and the operator never restarted', async (t) => {
    const pid = operator.child.pid!;
    const before = memoryMb(pid);
    for (const name of nodeNames) {
      await h.admin.objects(FULL_NODES).create(
        minimalExample(ns, h.cluster.storageClass, (node: FullNodeJson) => {
          node.metadata.name = name;
          node.spec.replicas = REPLICAS;
          node.spec.service = { maxP2PExternalAddresses: 0 };
        }),
      );
    }

    // Progress marks aim the kills at the middle of the work; where they land does not change the
    // verdict, which is about the end state.
    await eventually(async () => assert.ok((await podCount()) >= 30), { intervalMs: 200, timeoutMs: 300_000 });
    await recordKeys();
    const apiserverKilledAt = new Date().toISOString();
    await h.cluster.kill('kube-apiserver');
    await eventually(async () => assert.ok((await podCount()) >= 90), { intervalMs: 200, timeoutMs: 300_000 });
    await recordKeys();
    await h.cluster.kill('etcd');
    await recordKeys();

    await eventually(async () => {
      const nodes = await list(h, FULL_NODES, ns);
      const notComplete = nodes.filter((n) => n.status?.phase !== 'Complete').map((n) => n.metadata!.name);
      assert.deepEqual(notComplete, [], `${notComplete.length} not Complete`);
      assert.equal(nodes.length, NODES);
    }, { timeoutMs: 600_000, message: `all ${NODES} CosmosFullNodes Complete after the restarts` });
    await recordKeys();

    const pods = await list(h, resources.pods, ns);
    assert.deepEqual(pods.map((p) => p.metadata!.name).sort(), each((n, i) => `${n}-${i}`), 'each pod once');
    assert.deepEqual(pods.filter((p) => p.metadata!.deletionTimestamp), [], 'no pod being deleted');
    const pvcs: Obj[] = await list(h, resources.persistentVolumeClaims, ns);
    assert.deepEqual(pvcs.map((p) => p.metadata!.name).sort(), each((n, i) => `pvc-${n}-${i}`), 'each PVC once');
    // Binding is the harness's provisioner's work, not the operator's (Complete does not wait for
    // it); after the restarts it catches up within its 10 s resync.
    await eventually(async () => {
      const unbound = (await list(h, resources.persistentVolumeClaims, ns)).filter((p) => p.status?.phase !== 'Bound');
      assert.deepEqual(unbound.map((p) => p.metadata!.name), [], 'every PVC bound');
    }, { timeoutMs: 180_000, message: 'every PVC bound by the provisioner' });
    // Every pod mounts its own PVC: no pod lost its data volume to a re-created claim.
    for (const pod of pods) {
      const claims = (pod.spec?.volumes ?? []).flatMap((v: { persistentVolumeClaim?: { claimName: string } }) =>
        v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []
      );
      assert.deepEqual(claims, [`pvc-${pod.metadata!.name}`]);
    }
    assert.deepEqual([...keys.keys()].sort(), each((n, i) => `${n}-node-key-${i}`), 'each node key once');

    assert.equal(operator.child.exitCode, null, 'the operator is still running');
    assert.equal(operator.child.pid, pid);
    const retried = operator.logs.filter((r) =>
      r.ts >= apiserverKilledAt && (r.msg === 'watch failed; retrying' || r.msg === 'list failed; retrying')
    );
    assert.ok(retried.length > 0, 'the operator saw its watches fail and resumed them');
    const end = memoryMb(pid);
    t.diagnostic(
      `operator RSS ${before.rss.toFixed(1)} MB before, ${end.rss.toFixed(1)} MB after (peak ${
        end.peak.toFixed(1)
      } MB); ${retried.length} watch/list retries logged`,
    );
    assert.ok(end.peak < RSS_LIMIT_MB, `peak RSS ${end.peak} MB`);
  });
});
