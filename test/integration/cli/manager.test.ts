// `cosmos-operator manager` against the real control plane: it starts, serves its probes and
// metrics, and stops cleanly on SIGTERM.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testCluster } from '../../cluster/connect.ts';
import { type OperatorProcess, portOf, startOperator } from '../../support/operator-process.ts';

describe('cosmos-operator manager', () => {
  let op: OperatorProcess;
  let health: number;
  let metrics: number;

  before(async () => {
    const cluster = await testCluster();
    op = startOperator([
      'manager',
      `--kubeconfig=${cluster.kubeconfig}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
      '--webhook-port=0',
    ]);
    health = portOf(await op.waitForLog((r) => r.msg === 'serving health probes'));
    metrics = portOf(await op.waitForLog((r) => r.msg === 'serving metrics'));
  });

  after(async () => {
    await op?.stop();
  });

  it('answers /healthz with ok', async () => {
    const res = await fetch(`http://127.0.0.1:${health}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
  });

  it('becomes ready once it has reached the API server, and logs the server version', async () => {
    const connected = await op.waitForLog((r) => r.msg === 'connected to the API server');
    const cluster = await testCluster();
    assert.equal(connected.version, cluster.version);
    const res = await fetch(`http://127.0.0.1:${health}/readyz?verbose`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(await res.text(), /\[\+\]apiserver ok/);
  });

  it('serves Prometheus metrics including the process metrics dashboards query', async () => {
    const res = await fetch(`http://127.0.0.1:${metrics}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const body = await res.text();
    assert.match(body, /^process_resident_memory_bytes \d+/m);
    assert.match(body, /^process_cpu_seconds_total /m);
  });

  it('exits 0 on SIGTERM', async () => {
    const { code } = await op.stop('SIGTERM');
    assert.equal(code, 0);
  });
});

describe('cosmos-operator manager before the API server answers', () => {
  it('reports not ready, naming the unreachable server, while staying alive', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cosmos-op-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // Port 1 on loopback: nothing listens there, so every call is refused at once.
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'c',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 'x' } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      }),
    );
    const op = startOperator([
      'manager',
      `--kubeconfig=${kubeconfig}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=0',
      '--webhook-port=0',
    ]);
    try {
      const port = portOf(await op.waitForLog((r) => r.msg === 'serving health probes'));
      await op.waitForLog((r) => r.msg === 'API server not reachable, retrying');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 500);
      assert.match(await ready.text(), /\[-\]apiserver failed: cannot reach https:\/\/127\.0\.0\.1:1/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    } finally {
      await op.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cosmos-operator manager with --leader-elect', () => {
  it("takes the Go operator's Lease, reports itself leader in metrics, and releases the Lease on SIGTERM", async () => {
    const { newNamespace } = await import('../../cluster/connect.ts');
    const cluster = await testCluster();
    const ns = await newNamespace('leader');
    const op = startOperator([
      'manager',
      `--kubeconfig=${cluster.kubeconfig}`,
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
      '--webhook-port=0',
    ]);
    try {
      const metrics = portOf(await op.waitForLog((r) => r.msg === 'serving metrics'));
      await op.waitForLog((r) => r.msg === 'became the leader; starting reconcilers');
      const lease = JSON.parse(
        (await cluster.kubectl(['get', 'lease', '-n', ns, '16e1bc09.strange.love', '-o', 'json'])).stdout,
      );
      assert.match(lease.spec.holderIdentity, /_[0-9a-f-]{36}$/);
      assert.match(lease.spec.renewTime, /\.\d{6}Z$/, 'MicroTime with six fractional digits');
      const body = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      assert.match(body, /^leader_election_master_status\{name="16e1bc09\.strange\.love"\} 1$/m);

      const { code } = await op.stop('SIGTERM');
      assert.equal(code, 0);
      const after = JSON.parse(
        (await cluster.kubectl(['get', 'lease', '-n', ns, '16e1bc09.strange.love', '-o', 'json'])).stdout,
      );
      assert.equal(after.spec.holderIdentity ?? '', '', 'the Lease is released so a standby takes over at once');
    } finally {
      await op.stop();
    }
  });
});
