// The healthcheck sidecar's API (docs/compatibility.md §4), request by request, with CometBFT's
// /status and statfs(2) injected: every status code, every body byte for byte as Go's
// json.Encoder writes it, and when it logs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CometStatusResponse } from '../../../src/cosmos/comet-client.ts';
import type { CometStatus } from '../../../src/cosmos/comet-status.ts';
import { createLogger } from '../../../src/log/log.ts';
import {
  type CometStatusFetcher,
  createHealthcheckApp,
  type FsStats,
  type StatFs,
} from '../../../src/sidecar/healthcheck.ts';

const RPC_HOST = 'http://localhost:26657';

function status(catchingUp: boolean): CometStatusResponse {
  return { ok: true, status: { latestBlockHeight: 100, catchingUp } as CometStatus };
}

const inSync: CometStatusFetcher = () => Promise.resolve(status(false));
const catchingUp: CometStatusFetcher = () => Promise.resolve(status(true));

const GiB = 1024n ** 3n;
const disk: FsStats = { bsize: 4096n, blocks: (100n * GiB) / 4096n, bfree: (60n * GiB) / 4096n, bavail: 0n };

type Harness = {
  request(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: string }>;
  logs: Array<Record<string, unknown>>;
  statfsCalls: string[];
};

function harness(options: { fetchStatus?: CometStatusFetcher; statfs?: StatFs } = {}): Harness {
  const logs: Array<Record<string, unknown>> = [];
  const statfsCalls: string[] = [];
  const app = createHealthcheckApp({
    rpcHost: RPC_HOST,
    fetchStatus: options.fetchStatus ?? inSync,
    statfs: (path) => {
      statfsCalls.push(path);
      return (options.statfs ?? (() => Promise.resolve(disk)))(path);
    },
    log: createLogger({ write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
  });
  return {
    async request(path, init) {
      const res = await app.request(path, init);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    },
    logs,
    statfsCalls,
  };
}

describe('healthcheck sidecar GET /: CometBFT sync state', () => {
  it('answers 200 {"address","in_sync":true} when the node is in sync', async () => {
    const res = await harness({ fetchStatus: inSync }).request('/');
    assert.equal(res.status, 200);
    assert.equal(res.body, '{"address":"http://localhost:26657","in_sync":true}\n');
  });

  it('answers 422 with in_sync false and no error field while the node catches up', async () => {
    const res = await harness({ fetchStatus: catchingUp }).request('/');
    assert.equal(res.status, 422);
    assert.equal(res.body, '{"address":"http://localhost:26657","in_sync":false}\n');
  });

  it('answers 503 with the error when CometBFT does not answer', async () => {
    const refused: CometStatusFetcher = () =>
      Promise.resolve({
        ok: false,
        kind: 'network',
        error: 'GET http://localhost:26657/status: connect ECONNREFUSED 127.0.0.1:26657',
      });
    const res = await harness({ fetchStatus: refused }).request('/');
    assert.equal(res.status, 503);
    assert.equal(
      res.body,
      '{"address":"http://localhost:26657","in_sync":false,' +
        '"error":"GET http://localhost:26657/status: connect ECONNREFUSED 127.0.0.1:26657"}\n',
    );
  });

  it('answers 503 when /status times out, answers an HTTP error, or is not a status', async () => {
    for (
      const failure of [
        { kind: 'timeout', error: 'GET http://localhost:26657/status: timed out after 5000 ms' },
        { kind: 'http', error: '500 Internal Server Error' },
        { kind: 'malformed', error: 'malformed status: no sync_info' },
      ] as const
    ) {
      const res = await harness({ fetchStatus: () => Promise.resolve({ ok: false, ...failure }) }).request('/');
      assert.equal(res.status, 503, failure.kind);
      assert.deepEqual(JSON.parse(res.body), { address: RPC_HOST, in_sync: false, error: failure.error });
    }
  });

  it('answers 503 rather than failing when the status fetcher throws', async () => {
    const res = await harness({ fetchStatus: () => Promise.reject(new Error('boom')) }).request('/');
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.body), { address: RPC_HOST, in_sync: false, error: 'boom' });
  });

  it('sends Content-Type application/json (Go sends a sniffed text/plain)', async () => {
    for (const fetchStatus of [inSync, catchingUp, () => Promise.reject(new Error('down'))]) {
      assert.equal((await harness({ fetchStatus }).request('/')).type, 'application/json');
    }
  });

  it('serves the sync check on every path but /disk, with any method, as Go\'s ServeMux "/"', async () => {
    const h = harness({ fetchStatus: catchingUp });
    for (const [path, method] of [['/', 'GET'], ['/healthz', 'GET'], ['/disk/', 'GET'], ['/', 'POST']] as const) {
      const res = await h.request(path, { method });
      assert.equal(res.status, 422, `${method} ${path}`);
      assert.equal(JSON.parse(res.body).in_sync, false, `${method} ${path}`);
    }
    assert.deepEqual(h.statfsCalls, []);
  });

  it("passes the request's abort signal to the status fetcher, so a prober hanging up cancels it", async () => {
    let seen: unknown;
    await harness({
      fetchStatus: (signal) => {
        seen = signal;
        return inSync(signal);
      },
    }).request('/');
    assert.ok(seen instanceof AbortSignal);
  });

  it('logs the first answer and then only a change of status code', async () => {
    const answers = [status(false), status(false), status(true), status(true), {
      ok: false as const,
      kind: 'timeout' as const,
      error: 'timed out',
    }, {
      ok: false as const,
      kind: 'network' as const,
      error: 'refused',
    }, status(false)];
    let i = 0;
    const h = harness({ fetchStatus: () => Promise.resolve(answers[i++]!) });
    for (let n = 0; n < answers.length; n++) await h.request('/');
    assert.deepEqual(
      h.logs.map((r) => [r.msg, r.statusCode]),
      [['health state changed', 200], ['health state changed', 422], ['health state changed', 503], [
        'health state changed',
        200,
      ]],
    );
    assert.deepEqual(h.logs[2]!.response, { address: RPC_HOST, in_sync: false, error: 'timed out' });
  });

  it('does not log /disk requests', async () => {
    const h = harness();
    await h.request('/disk?dir=/home/operator/cosmos');
    await h.request('/disk');
    assert.deepEqual(h.logs, []);
  });
});

describe('healthcheck sidecar GET /disk?dir=: statfs', () => {
  it('answers 200 with all_bytes = blocks × bsize and free_bytes = bfree × bsize', async () => {
    const res = await harness().request('/disk?dir=/home/operator/cosmos');
    assert.equal(res.status, 200);
    assert.equal(
      res.body,
      `{"dir":"/home/operator/cosmos","all_bytes":${100n * GiB},"free_bytes":${60n * GiB}}\n`,
    );
  });

  it('reports Bfree (root-reserved blocks included), not Bavail, as Go does', async () => {
    const stats: FsStats = { bsize: 1024n, blocks: 1000n, bfree: 300n, bavail: 250n };
    const res = await harness({ statfs: () => Promise.resolve(stats) }).request('/disk?dir=/data');
    assert.equal(JSON.parse(res.body).free_bytes, 300 * 1024);
  });

  it('computes exact byte counts beyond 2^53 (Go multiplies uint64s)', async () => {
    const stats: FsStats = { bsize: 65536n, blocks: 2n ** 40n + 1n, bfree: 2n ** 39n + 3n, bavail: 0n };
    const res = await harness({ statfs: () => Promise.resolve(stats) }).request('/disk?dir=/huge');
    assert.equal(
      res.body,
      `{"dir":"/huge","all_bytes":${(2n ** 40n + 1n) * 65536n},"free_bytes":${(2n ** 39n + 3n) * 65536n}}\n`,
    );
  });

  it("omits all_bytes and free_bytes when they are 0 (Go's omitempty)", async () => {
    const full: FsStats = { bsize: 4096n, blocks: 10n, bfree: 0n, bavail: 0n };
    assert.equal(
      (await harness({ statfs: () => Promise.resolve(full) }).request('/disk?dir=/full')).body,
      '{"dir":"/full","all_bytes":40960}\n',
    );
    const empty: FsStats = { bsize: 4096n, blocks: 0n, bfree: 0n, bavail: 0n };
    const res = await harness({ statfs: () => Promise.resolve(empty) }).request('/disk?dir=/proc');
    assert.equal(res.status, 200);
    assert.equal(res.body, '{"dir":"/proc"}\n');
  });

  it('answers 400 with an empty dir and the error when dir is missing or empty', async () => {
    const h = harness();
    for (const path of ['/disk', '/disk?dir=', '/disk?other=/x']) {
      const res = await h.request(path);
      assert.equal(res.status, 400, path);
      assert.equal(res.body, '{"dir":"","error":"query param dir must be specified"}\n', path);
    }
    assert.deepEqual(h.statfsCalls, []);
  });

  it("answers 500 with the dir and statfs's error when statfs fails", async () => {
    const res = await harness({ statfs: () => Promise.reject(new Error('no such file or directory')) })
      .request('/disk?dir=/nope');
    assert.equal(res.status, 500);
    assert.equal(res.body, '{"dir":"/nope","error":"no such file or directory"}\n');
  });

  it('sends Content-Type application/json on 200, 400 and 500', async () => {
    assert.equal((await harness().request('/disk?dir=/x')).type, 'application/json');
    assert.equal((await harness().request('/disk')).type, 'application/json');
    const failing = harness({ statfs: () => Promise.reject(new Error('permission denied')) });
    assert.equal((await failing.request('/disk?dir=/x')).type, 'application/json');
  });

  it("decodes dir as Go's Query() (+ is a space, the first value wins) and statfs-es it cleaned", async () => {
    const h = harness();
    const res = await h.request('/disk?dir=/data/my+chain/../chain%20b/&dir=/other');
    assert.equal(JSON.parse(res.body).dir, '/data/my chain/../chain b/', 'dir is echoed as given');
    assert.deepEqual(h.statfsCalls, ['/data/chain b'], "statfs gets filepath.Clean's path");
  });

  it("escapes <, > and & in strings as Go's json.Encoder does", async () => {
    const res = await harness().request(`/disk?dir=${encodeURIComponent('/a<b>&c')}`);
    assert.match(res.body, /^\{"dir":"\/a\\u003cb\\u003e\\u0026c",/);
    assert.equal(JSON.parse(res.body).dir, '/a<b>&c');
  });

  it("serves /disk for any method, as Go's handler", async () => {
    assert.equal((await harness().request('/disk?dir=/x', { method: 'POST' })).status, 200);
  });
});
