// Leader failover with real replicas (docs/architecture.md §2.8, §6.4): three runs of the real
// program with --leader-elect, each with deploy/rbac's permissions and its own webhook server.
//   1. SIGKILL the leader: the standby takes the Lease once it has run out, and reconciles.
//   2. SIGTERM the new leader: it releases the Lease, and a standby leads within 3 s (its Lease
//      watch sees the release; it does not wait for its next retry).
// Throughout, a surviving replica answers every AdmissionReview sent to it. Every figure comes
// from the Lease as a watch recorded it (times the replicas wrote into it), and every claim about
// admission from the answers themselves, not from what a poll saw in a window.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCertsCommand } from '../../../src/cli/certs-command.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import { type FakeCometFleet, fakeCometForPods } from '../../support/fake-comet.ts';
import { type OperatorProcess, startOperator } from '../../support/operator-process.ts';
import { recordWatch, type WatchRecorder } from '../../support/watch-recorder.ts';
import { freePort } from '../../support/webhooks.ts';
import { aReview } from '../../fixtures/webhooks/admission.ts';
import {
  FULL_NODES,
  getFullNode,
  grantLeaderElection,
  type Harness,
  harness,
  list,
  minimalExample,
  operatorCredentials,
  updateSpec,
} from './harness.ts';

/** The manager's timings (client-go's defaults): lease 15 s, retry every 2 s jittered up to 1.2×. */
const LEASE_MS = 15_000;
const RETRY_MAX_MS = 2_000 * 2.2;
const VALIDATE = '/validate-cosmos-strange-love-v1-cosmosfullnode';

type LeaseObject = KubeObject & {
  spec: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
};
type Replica = { op: OperatorProcess; port: number; identity?: string };
type Answer = { replica: string; status: number; allowed?: boolean; error?: string };

describe('leader failover between replicas (--leader-elect)', () => {
  let h: Harness;
  let ns: string;
  let kubeconfig: string;
  let certDir: string;
  let ca: string;
  let fleet: FakeCometFleet;
  let leases: WatchRecorder<LeaseObject>;
  const replicas: Record<string, Replica> = {};
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    h = await harness();
    ns = await newNamespace('failover');
    cleanups.push(() => h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']));
    kubeconfig = await operatorCredentials(h, ns);
    cleanups.push(() => h.cluster.kubectl(['delete', 'clusterrolebinding', `fullnode-it-${ns}`]));
    await grantLeaderElection(h, ns, 'cosmos-operator');
    certDir = mkdtempSync(path.join(tmpdir(), 'failover-certs-'));
    cleanups.push(async () => rmSync(certDir, { recursive: true, force: true }));
    assert.equal(await runCertsCommand(['--dir', certDir, '--host', '127.0.0.1'], { out: () => {}, err: () => {} }), 0);
    ca = readFileSync(path.join(certDir, 'ca.crt'), 'utf8');
    fleet = fakeCometForPods(h.cluster, ns);
    cleanups.push(() => fleet.close());
    leases = await recordWatch<LeaseObject>(h.cluster.admin, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`);
    cleanups.push(() => leases.stop().catch(() => {}));
  }, { timeout: 10 * 60_000 });

  after(async () => {
    for (const r of Object.values(replicas)) await r.op.stop('SIGKILL').catch(() => {});
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  async function startReplica(name: string): Promise<Replica> {
    const port = await freePort();
    const op = startOperator([
      'manager',
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      `--watch-namespace=${ns}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
      `--webhook-port=${port}`,
      '--webhook-host=127.0.0.1',
      `--webhook-cert-dir=${certDir}`,
    ]);
    const replica: Replica = { op, port };
    replicas[name] = replica;
    await op.waitForLog((r) => r.msg === 'serving admission webhooks');
    const campaign = await op.waitForLog((r) => typeof r.identity === 'string' && r.msg.includes('lease'));
    replica.identity = String(campaign.identity);
    return replica;
  }

  /** Sends AdmissionReviews to `replica` one after another until stopped; every answer is kept. */
  function admissionLoad(name: string) {
    const answers: Answer[] = [];
    let stopped = false;
    const body = JSON.stringify(aReview({ object: minimalExample(ns, h.cluster.storageClass) }));
    const once = () =>
      new Promise<Answer>((resolve) => {
        const req = request({
          host: '127.0.0.1',
          port: replicas[name]!.port,
          path: VALIDATE,
          method: 'POST',
          ca,
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let allowed: boolean | undefined;
            try {
              allowed = (JSON.parse(text) as { response?: { allowed?: boolean } }).response?.allowed;
            } catch {
              // counted as not allowed below
            }
            resolve({ replica: name, status: res.statusCode ?? 0, ...(allowed === undefined ? {} : { allowed }) });
          });
        });
        req.on('error', (err) => resolve({ replica: name, status: 0, error: err.message }));
        req.end(body);
      });
    const loop = (async () => {
      while (!stopped) answers.push(await once());
    })();
    return {
      answers,
      async stop() {
        stopped = true;
        await loop;
        return answers;
      },
    };
  }

  const states = () => leases.changes.map((c) => c.object.spec);

  it('a standby takes over after the SIGKILLed leader’s lease runs out, and reconciles; the standby answers admission throughout', async (t) => {
    const a = await startReplica('a');
    await a.op.waitForLog((r) => r.msg === 'became the leader; starting reconcilers');
    const b = await startReplica('b');
    await b.op.waitForLog((r) => r.msg === 'lease held by another candidate');

    await h.admin.objects(FULL_NODES).create(
      minimalExample(ns, h.cluster.storageClass, (n) => {
        n.spec.replicas = 2;
        n.spec.service = { maxP2PExternalAddresses: 0 };
      }),
    );
    await eventually(async () => assert.equal((await getFullNode(h, ns, 'cosmoshub')).status?.phase, 'Complete'), {
      timeoutMs: 180_000,
      message: 'the first leader brings the CosmosFullNode to Complete',
    });

    const load = admissionLoad('b');
    a.op.child.kill('SIGKILL');
    await a.op.exited;
    await b.op.waitForLog((r) => r.msg === 'became the leader; starting reconcilers', 120_000);

    // Reconciling resumes under the new leader: a third replica is created and the node completes.
    await updateSpec(h, ns, 'cosmoshub', (node) => (node.spec.replicas = 3));
    await eventually(async () => {
      const pods = await list(h, resources.pods, ns, 'app.kubernetes.io/name=cosmoshub');
      assert.equal(pods.length, 3);
      assert.equal((await getFullNode(h, ns, 'cosmoshub')).status?.phase, 'Complete');
    }, { timeoutMs: 180_000, message: 'the new leader scales the CosmosFullNode to 3 and completes' });
    const answers = await load.stop();

    const lastByA = states().findLast((s) => s.holderIdentity === a.identity);
    const firstByB = states().find((s) => s.holderIdentity === b.identity);
    assert.ok(lastByA?.renewTime && firstByB?.acquireTime, 'the watch saw both leaders');
    const gapMs = Date.parse(firstByB.acquireTime) - Date.parse(lastByA.renewTime);
    t.diagnostic(`takeover ${gapMs} ms after the killed leader's last renewal; ${answers.length} reviews answered`);
    // Not before the lease ran out (by the standby's observation of the last renewal), and within
    // it plus two jittered retries: one to observe that last renewal, one after the expiry.
    assert.ok(gapMs >= LEASE_MS - RETRY_MAX_MS, `took the lease ${gapMs} ms after its last renewal: too early`);
    assert.ok(gapMs <= LEASE_MS + 2 * RETRY_MAX_MS, `took the lease ${gapMs} ms after its last renewal`);
    assert.equal(firstByB.leaseTransitions, 1);
    assert.ok(answers.length > 0);
    assert.deepEqual(answers.filter((x) => x.status !== 200 || x.allowed !== true), [], 'every review allowed');
  });

  it('a SIGTERMed leader releases the Lease and a standby leads within 3 s; the standby answers admission throughout', async (t) => {
    const b = replicas['b']!;
    const c = await startReplica('c');
    await c.op.waitForLog((r) => r.msg === 'lease held by another candidate');

    const load = admissionLoad('c');
    b.op.child.kill('SIGTERM');
    assert.deepEqual(await b.op.exited, { code: 0, signal: null });
    await c.op.waitForLog((r) => r.msg === 'became the leader; starting reconcilers', 60_000);
    const answers = await load.stop();

    const released = states().find((s) => s.holderIdentity === '');
    const firstByC = states().find((s) => s.holderIdentity === c.identity);
    assert.ok(released?.renewTime && firstByC?.acquireTime, 'the watch saw the release and the new leader');
    const gapMs = Date.parse(firstByC.acquireTime) - Date.parse(released.renewTime);
    t.diagnostic(`handover ${gapMs} ms after the release; ${answers.length} reviews answered`);
    assert.ok(gapMs <= 3_000, `the standby took the released lease after ${gapMs} ms`);
    assert.equal(firstByC.leaseTransitions, 2);
    assert.ok(answers.length > 0);
    assert.deepEqual(answers.filter((x) => x.status !== 200 || x.allowed !== true), [], 'every review allowed');
  });
});
