// The webhook server shares the event loop with lease renewal and reconciling
// (docs/architecture.md §2.8). A client flooding it with AdmissionReviews of several MB (each
// parsed, copied, defaulted and diffed) must not cost the leader its Lease or stall its work: the
// real program, leading, reconciles a CosmosFullNode to Complete while four clients send 6 MB
// reviews back to back, and the Lease, as a watch recorded it, was renewed all along.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCertsCommand } from '../../../src/cli/certs-command.ts';
import type { KubeObject } from '../../../src/kube/resource.ts';
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
  minimalExample,
  operatorCredentials,
} from './harness.ts';

const MUTATE = '/mutate-cosmos-strange-love-v1-cosmosfullnode';
/** The manager's renew deadline: a leader that cannot renew for this long gives the Lease up. */
const RENEW_DEADLINE_MS = 10_000;

type LeaseObject = KubeObject & { spec: { holderIdentity?: string; renewTime?: string } };

describe('the leader under a flood of large AdmissionReviews', () => {
  let h: Harness;
  let ns: string;
  let certDir: string;
  let fleet: FakeCometFleet;
  let operator: OperatorProcess;
  let port: number;
  let leases: WatchRecorder<LeaseObject>;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    h = await harness();
    ns = await newNamespace('flood');
    cleanups.push(() => h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']));
    const kubeconfig = await operatorCredentials(h, ns);
    cleanups.push(() => h.cluster.kubectl(['delete', 'clusterrolebinding', `fullnode-it-${ns}`]));
    await grantLeaderElection(h, ns, 'cosmos-operator');
    certDir = mkdtempSync(path.join(tmpdir(), 'flood-certs-'));
    cleanups.push(async () => rmSync(certDir, { recursive: true, force: true }));
    assert.equal(await runCertsCommand(['--dir', certDir, '--host', '127.0.0.1'], { out: () => {}, err: () => {} }), 0);
    fleet = fakeCometForPods(h.cluster, ns);
    cleanups.push(() => fleet.close());
    leases = await recordWatch<LeaseObject>(h.cluster.admin, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`);
    cleanups.push(() => leases.stop().catch(() => {}));
    port = await freePort();
    operator = startOperator([
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
    cleanups.push(() => operator.stop());
    await operator.waitForLog((r) => r.msg === 'became the leader; starting reconcilers');
  }, { timeout: 10 * 60_000 });

  after(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  /** A review of about 6 MB: a CosmosFullNode whose pod template carries 60,000 annotations. */
  function largeReview(): string {
    const annotations: Record<string, string> = {};
    for (let i = 0; i < 60_000; i++) annotations[`example.com/annotation-${i}`] = `value-${i}-${'x'.repeat(40)}`;
    const object = minimalExample(ns, h.cluster.storageClass, (n) => {
      n.spec.podTemplate = { ...n.spec.podTemplate, metadata: { annotations } };
    });
    return JSON.stringify(aReview({ object }));
  }

  function post(body: string, ca: string): Promise<number> {
    return new Promise((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path: MUTATE,
        method: 'POST',
        ca,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  }

  it('keeps renewing its Lease and reconciles a CosmosFullNode to Complete while four clients send 6 MB reviews', async (t) => {
    const body = largeReview();
    assert.ok(Buffer.byteLength(body) > 5_000_000, `${Buffer.byteLength(body)} bytes`);
    const ca = readFileSync(path.join(certDir, 'ca.crt'), 'utf8');
    const statuses: number[] = [];
    let flooding = true;
    const clients = Array.from({ length: 4 }, async () => {
      while (flooding) statuses.push(await post(body, ca));
    });

    const from = leases.changes.length;
    await h.admin.objects(FULL_NODES).create(
      minimalExample(ns, h.cluster.storageClass, (n) => {
        n.spec.replicas = 2;
        n.spec.service = { maxP2PExternalAddresses: 0 };
      }),
    );
    await eventually(async () => assert.equal((await getFullNode(h, ns, 'cosmoshub')).status?.phase, 'Complete'), {
      timeoutMs: 300_000,
      message: 'the CosmosFullNode reaches Complete during the flood',
    });
    // At least a renew deadline of flooding, whatever the convergence took.
    const floodFrom = Date.now();
    await eventually(() => assert.ok(Date.now() - floodFrom > RENEW_DEADLINE_MS || statuses.length >= 40), {
      timeoutMs: 120_000,
    });
    flooding = false;
    await Promise.all(clients);

    const renewals = leases.changes.slice(from).map((c) => c.object.spec);
    const holders = new Set(renewals.map((s) => s.holderIdentity));
    const times = renewals.map((s) => Date.parse(s.renewTime ?? ''));
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    t.diagnostic(
      `${statuses.length} reviews of ${(Buffer.byteLength(body) / 1e6).toFixed(1)} MB answered; ` +
        `${renewals.length} renewals, longest gap ${Math.max(0, ...gaps)} ms`,
    );
    assert.ok(statuses.length > 0);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], 'every review answered 200');
    assert.equal(holders.size, 1, 'one holder throughout');
    assert.ok(renewals.length >= 2, 'renewed during the flood');
    assert.ok(Math.max(...gaps) < RENEW_DEADLINE_MS, `renewals ${gaps.join(', ')} ms apart`);
    assert.equal(operator.child.exitCode, null, 'the leader is still running');
    assert.equal(operator.logs.find((r) => r.msg.includes('lease lost')), undefined);
  });
});
