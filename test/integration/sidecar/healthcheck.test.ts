// `cosmos-operator healthcheck` as a process (docs/compatibility.md §4), as a chain pod runs it:
// against the fake CometBFT (in sync, catching up, stopped, answering 500, too slow for
// --timeout), against a real CometBFT v0.38.26 built from Go modules, `/disk` over a real
// directory checked against statfs(2), and SIGTERM. No control plane.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findCometbft } from '../../cluster/binaries.ts';
import { eventually } from '../../cluster/connect.ts';
import { releasePorts, reservePorts } from '../../cluster/ports.ts';
import { type FakeComet, startFakeComet } from '../../support/fake-comet.ts';
import { type OperatorProcess, startOperator } from '../../support/operator-process.ts';
import { type RealComet, startRealComet } from '../../support/real-comet.ts';

type Answer = { status: number; contentType: string; body: string };

/** The raw answer (status, Content-Type, body bytes), so the wire format is compared. */
function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on(
          'end',
          () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Starts the command on a reserved port and waits until it serves. */
async function startHealthcheck(args: string[]): Promise<{ process: OperatorProcess; port: number }> {
  const [port] = (await reservePorts(1)) as [number];
  const process = startOperator(['healthcheck', '--addr', `127.0.0.1:${port}`, ...args]);
  void process.exited.then(() => releasePorts([port]));
  await process.waitForLog((r) => r.msg === 'serving healthcheck', 30_000);
  return { process, port };
}

const stateChanges = (p: OperatorProcess) => p.logs.filter((r) => r.msg === 'health state changed');

describe('cosmos-operator healthcheck against the fake CometBFT', () => {
  let fake: FakeComet;
  let hc: { process: OperatorProcess; port: number };
  let rpcHost: string;

  before(async () => {
    // The fake also serves the Go sidecar's answers (its healthcheck port), for comparison.
    fake = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: 0 });
    // localhost, as the pod builder writes it: resolved by the runtime, reaching 127.0.0.1.
    rpcHost = `http://localhost:${fake.port}`;
    hc = await startHealthcheck(['--rpc-host', rpcHost, '--timeout', '500ms']);
  });

  after(async () => {
    await hc?.process.stop();
    await fake?.close();
  });

  it('answers 200 {"address","in_sync":true} while the node is in sync, as Go does but in application/json', async () => {
    const [ours, go] = await Promise.all([get(hc.port, '/'), get(fake.healthcheckPort!, '/')]);
    assert.equal(ours.status, 200);
    assert.equal(ours.body, `{"address":"${rpcHost}","in_sync":true}\n`);
    assert.equal(ours.contentType, 'application/json');
    assert.equal(ours.status, go.status);
    assert.equal(ours.body, go.body, 'the same bytes as the Go sidecar');
    assert.equal(go.contentType, 'text/plain; charset=utf-8', 'Go sniffs; the one documented difference');
  });

  it('answers 422 with in_sync false while the node catches up, and logs only changes of state', async () => {
    const before = stateChanges(hc.process).length;
    fake.setCatchingUp(true);
    try {
      for (let i = 0; i < 3; i++) {
        const [ours, go] = await Promise.all([get(hc.port, '/'), get(fake.healthcheckPort!, '/')]);
        assert.equal(ours.status, 422);
        assert.equal(ours.body, `{"address":"${rpcHost}","in_sync":false}\n`);
        assert.equal(ours.body, go.body);
      }
    } finally {
      fake.setCatchingUp(false);
    }
    assert.equal((await get(hc.port, '/')).status, 200);
    await eventually(() => stateChanges(hc.process).length === before + 2, {
      timeoutMs: 60_000,
      message: 'two state changes logged',
    });
    assert.deepEqual(
      stateChanges(hc.process).slice(before).map((r) => r.statusCode),
      [422, 200],
      'three 422 answers, one log line',
    );
  });

  it('answers 503 with the error while the node is stopped (connection refused)', async () => {
    await fake.setDown(true, 'refuse');
    try {
      const res = await get(hc.port, '/');
      assert.equal(res.status, 503);
      const body = JSON.parse(res.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['address', 'in_sync', 'error']);
      assert.equal(body.address, rpcHost);
      assert.equal(body.in_sync, false);
      assert.match(String(body.error), /ECONNREFUSED/);
    } finally {
      await fake.setDown(false);
    }
    assert.equal((await get(hc.port, '/')).status, 200, 'in sync again once the node is back');
  });

  it('answers 503 with the HTTP status when the node answers 500, as Go does', async () => {
    await fake.setDown(true, 'http500');
    try {
      const [ours, go] = await Promise.all([get(hc.port, '/'), get(fake.healthcheckPort!, '/')]);
      assert.equal(ours.status, 503);
      assert.equal(ours.body, `{"address":"${rpcHost}","in_sync":false,"error":"500 Internal Server Error"}\n`);
      assert.equal(ours.body, go.body);
    } finally {
      await fake.setDown(false);
    }
  });

  it('answers 503 after --timeout when the node is too slow to answer', async () => {
    await fake.setDown(true, 'hang');
    try {
      const started = Date.now();
      const res = await get(hc.port, '/');
      const took = Date.now() - started;
      assert.equal(res.status, 503);
      assert.match(String((JSON.parse(res.body) as { error: string }).error), /timed out after 500 ms/);
      assert.ok(took >= 450, `answered after ${took} ms, before the 500 ms timeout`);
      // That it was --timeout (500 ms) and not a default that ended it, the error text says; an
      // upper bound on `took` would only measure how busy the machine is.
    } finally {
      await fake.setDown(false);
    }
  });

  it('answers 503 when nothing ever listened at --rpc-host', async () => {
    const [closed] = (await reservePorts(1)) as [number];
    const lone = await startHealthcheck(['--rpc-host', `http://127.0.0.1:${closed}`]);
    try {
      const res = await get(lone.port, '/');
      assert.equal(res.status, 503);
      assert.match(
        res.body,
        /^\{"address":"http:\/\/127\.0\.0\.1:\d+","in_sync":false,"error":".*ECONNREFUSED.*"\}\n$/,
      );
    } finally {
      await lone.process.stop();
      releasePorts([closed]);
    }
  });
});

describe('cosmos-operator healthcheck GET /disk on a real filesystem', () => {
  let hc: { process: OperatorProcess; port: number };
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'healthcheck-disk-'));
    writeFileSync(join(dir, 'file'), 'x');
    hc = await startHealthcheck([]);
  });

  after(async () => {
    await hc?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports all_bytes = blocks × bsize and free_bytes = bfree × bsize of statfs(2)', async () => {
    const before = statfsSync(dir, { bigint: true });
    const res = await get(hc.port, `/disk?dir=${encodeURIComponent(dir)}`);
    const after = statfsSync(dir, { bigint: true });
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'application/json');
    assert.match(res.body, /^\{"dir":"[^"]+","all_bytes":\d+,"free_bytes":\d+\}\n$/);
    const body = JSON.parse(res.body) as { dir: string; all_bytes: number; free_bytes: number };
    assert.equal(body.dir, dir);
    assert.equal(BigInt(body.all_bytes), before.blocks * before.bsize);
    // Other processes write to the same filesystem meanwhile: free space may move a little.
    const slack = 256n * 1024n * 1024n;
    const [low, high] = [before.bfree, after.bfree].sort((a, b) => (a < b ? -1 : 1)) as [bigint, bigint];
    const free = BigInt(body.free_bytes);
    assert.ok(
      free >= low * before.bsize - slack && free <= high * before.bsize + slack,
      `free_bytes ${free}, statfs bfree × bsize ${low * before.bsize}..${high * before.bsize}`,
    );
    if ((before.bfree - before.bavail) * before.bsize > 4n * slack) {
      assert.ok(free > before.bavail * before.bsize + slack, 'Bfree, not Bavail');
    }
  });

  it('answers 400 without dir and 500 with the errno text for a path that does not exist', async () => {
    const missing = await get(hc.port, '/disk');
    assert.equal(missing.status, 400);
    assert.equal(missing.body, '{"dir":"","error":"query param dir must be specified"}\n');
    const gone = join(dir, 'nope');
    const failed = await get(hc.port, `/disk?dir=${encodeURIComponent(gone)}`);
    assert.equal(failed.status, 500);
    assert.equal(failed.body, `{"dir":"${gone}","error":"no such file or directory"}\n`);
    assert.equal(failed.contentType, 'application/json');
  });

  it("statfs-es the path cleaned as Go's filepath.Clean: a file with a trailing slash answers", async () => {
    const res = await get(hc.port, `/disk?dir=${encodeURIComponent(join(dir, 'file') + '/')}`);
    assert.equal(res.status, 200, res.body);
  });
});

// Built the first time on a machine (about 2 minutes); skipped only when it cannot be built.
const cometbft = await findCometbft().then(
  (path) => ({ path, skip: false as const }),
  (err: unknown) => ({
    path: undefined,
    skip: `no cometbft binary and it cannot be built: ${
      String(err instanceof Error ? err.message : err).split('\n')[0]
    }`,
  }),
);

describe('cosmos-operator healthcheck against a real CometBFT v0.38.26', () => {
  let node: RealComet | undefined;
  let hc: { process: OperatorProcess; port: number } | undefined;

  before(async () => {
    if (!cometbft.path) return;
    node = await startRealComet(cometbft.path);
    hc = await startHealthcheck(['--rpc-host', `http://${node.host}:${node.rpcPort}`]);
  });

  after(async () => {
    await hc?.process.stop();
    await node?.stop();
  });

  it(
    'answers 200 in sync for a producing validator, and 503 once the node stops',
    { skip: cometbft.skip },
    async () => {
      const address = `http://${node!.host}:${node!.rpcPort}`;
      const res = await get(hc!.port, '/');
      assert.equal(res.status, 200, res.body);
      assert.equal(res.body, `{"address":"${address}","in_sync":true}\n`);
      await node!.stop();
      const down = await get(hc!.port, '/');
      assert.equal(down.status, 503);
      assert.equal((JSON.parse(down.body) as { in_sync: boolean }).in_sync, false);
    },
  );
});

describe('cosmos-operator healthcheck on SIGTERM', () => {
  it('stops listening and exits 0 within 5 s', async () => {
    const hc = await startHealthcheck([]);
    assert.equal((await get(hc.port, '/disk?dir=/')).status, 200);
    const started = Date.now();
    const { code, signal } = await hc.process.stop('SIGTERM');
    const took = Date.now() - started;
    assert.equal(code, 0, `exit ${code}, signal ${signal}`);
    assert.ok(took < 5000, `exited after ${took} ms`);
    await assert.rejects(get(hc.port, '/'), /ECONNREFUSED/);
  });

  it('lets a request in flight finish within the 5 s shutdown grace, then exits 0', async () => {
    const fake = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    try {
      await fake.setDown(true, 'hang');
      const hc = await startHealthcheck(['--rpc-host', `http://127.0.0.1:${fake.port}`, '--timeout', '2s']);
      const inFlight = get(hc.port, '/');
      await eventually(() => fake.statusRequests() > 0, { timeoutMs: 60_000, message: 'the request reached the node' });
      const started = Date.now();
      const stopped = hc.process.stop('SIGTERM');
      const res = await inFlight;
      assert.equal(res.status, 503, 'the request in flight got its answer');
      const { code } = await stopped;
      const took = Date.now() - started;
      assert.equal(code, 0);
      assert.ok(took < 5000, `exited after ${took} ms`);
    } finally {
      await fake.close();
    }
  });
});
