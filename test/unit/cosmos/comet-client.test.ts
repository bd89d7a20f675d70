// fetchCometStatus against real HTTP servers on 127.0.0.1: the fake CometBFT node of the
// integration tests, and bare servers for the failure shapes it does not make.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { fetchCometStatus } from '../../../src/cosmos/comet-client.ts';
import { type FakeComet, startFakeComet } from '../../support/fake-comet.ts';

type Bare = { port: number; close(): Promise<void> };

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Bare> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('fetchCometStatus', () => {
  const comets: FakeComet[] = [];
  const bare: Bare[] = [];
  const fake = async (opts: Parameters<typeof startFakeComet>[0]) => {
    const c = await startFakeComet(opts);
    comets.push(c);
    return c;
  };
  after(async () => {
    await Promise.all([...comets.map((c) => c.close()), ...bare.map((b) => b.close())]);
  });

  it('reads the height and catching_up a CometBFT node reports', async () => {
    const comet = await fake({
      host: '127.0.0.1',
      port: 0,
      healthcheckPort: null,
      height: 1234,
      catchingUp: true,
      network: 'osmosis-1',
    });
    const res = await fetchCometStatus('127.0.0.1', comet.port);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.status.latestBlockHeight, 1234);
    assert.equal(res.status.catchingUp, true);
    assert.equal(res.status.network, 'osmosis-1');
    assert.equal(res.status.nodeId, comet.nodeId);
  });

  it('reads the SEI shape', async () => {
    const comet = await fake({ host: '127.0.0.1', port: 0, healthcheckPort: null, height: 77, sei: true });
    const res = await fetchCometStatus('127.0.0.1', comet.port);
    assert.ok(res.ok, JSON.stringify(res));
    assert.equal(res.status.latestBlockHeight, 77);
  });

  it('reports a non-200 answer by its HTTP status, as Go resp.Status', async () => {
    const comet = await fake({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    await comet.setDown(true, 'http500');
    assert.deepEqual(await fetchCometStatus('127.0.0.1', comet.port), {
      ok: false,
      kind: 'http',
      error: '500 Internal Server Error',
    });
  });

  it('fills in the reason phrase when the status line has none', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.statusMessage = '';
      res.end();
    });
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port);
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.error, '503 Service Unavailable');
  });

  it('times out a node that accepts the request and never answers', async () => {
    const comet = await fake({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    await comet.setDown(true, 'hang');
    const res = await fetchCometStatus('127.0.0.1', comet.port, { timeoutMs: 100 });
    assert.deepEqual(res, {
      ok: false,
      kind: 'timeout',
      error: `GET http://127.0.0.1:${comet.port}/status: timed out after 100 ms`,
    });
  });

  it('reports a refused connection with the network error text', async () => {
    const comet = await fake({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    await comet.setDown(true, 'refuse');
    const res = await fetchCometStatus('127.0.0.1', comet.port);
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.kind, 'network');
    assert.match(
      !res.ok ? res.error : '',
      new RegExp(`^GET http://127\\.0\\.0\\.1:${comet.port}/status: .*ECONNREFUSED`),
    );
  });

  it('answers again once the node is back, on the same port', async () => {
    const comet = await fake({ host: '127.0.0.1', port: 0, healthcheckPort: null, height: 5 });
    await comet.setDown(true, 'refuse');
    assert.equal((await fetchCometStatus('127.0.0.1', comet.port)).ok, false);
    await comet.setDown(false);
    comet.setHeight(6);
    const res = await fetchCometStatus('127.0.0.1', comet.port);
    assert.ok(res.ok);
    assert.equal(res.status.latestBlockHeight, 6);
  });

  it('retries once when the connection is dropped, so a stale kept-alive socket is no outage', async () => {
    let requests = 0;
    const server = await serve((req, res) => {
      requests++;
      if (requests === 1) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: -1,
          result: { sync_info: { latest_block_height: '9', catching_up: false } },
        }),
      );
    });
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port);
    assert.deepEqual(res, { ok: true, status: { latestBlockHeight: 9, catchingUp: false } });
    assert.equal(requests, 2);
  });

  it('reports a 200 answer that is not a CometBFT status as malformed', async () => {
    const server = await serve((_req, res) => res.end('<html>hello</html>'));
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port);
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.kind, 'malformed');
    assert.match(!res.ok ? res.error : '', /^malformed json/);
  });

  it('stops reading a body larger than any /status', async () => {
    const server = await serve((_req, res) => {
      res.write('{"result":"');
      res.end('x'.repeat(2 << 20) + '"}');
    });
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port);
    assert.equal(res.ok, false);
    assert.match(!res.ok ? res.error : '', /body over/);
  });

  it('gives up at once when the caller aborts', async () => {
    const comet = await fake({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    await comet.setDown(true, 'hang');
    const controller = new AbortController();
    const pending = fetchCometStatus('127.0.0.1', comet.port, { timeoutMs: 60_000, signal: controller.signal });
    // Aborted once the node holds the request (in flight), not after a fixed delay.
    while (comet.statusRequests() === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const res = await pending;
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.kind, 'aborted');
  });
});

describe('the fake CometBFT node', () => {
  const comets: FakeComet[] = [];
  after(async () => {
    await Promise.all(comets.map((c) => c.close()));
  });

  it('serves the healthcheck sidecar API: 200 in sync, 422 catching up, 503 down', async () => {
    const comet = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: 0 });
    comets.push(comet);
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${comet.healthcheckPort}/`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    assert.deepEqual(await health(), {
      status: 200,
      body: { address: `http://localhost:${comet.port}`, in_sync: true },
    });
    comet.setCatchingUp(true);
    assert.deepEqual(await health(), {
      status: 422,
      body: { address: `http://localhost:${comet.port}`, in_sync: false },
    });
    await comet.setDown(true, 'http500');
    const down = await health();
    assert.equal(down.status, 503);
    assert.equal(down.body.error, '500 Internal Server Error');
  });

  it('serves /disk with Go json omitempty fields and the 400 for a missing dir', async () => {
    const comet = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: 0 });
    comets.push(comet);
    const disk = async (query: string) => {
      const res = await fetch(`http://127.0.0.1:${comet.healthcheckPort}/disk${query}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    comet.setDisk({ allBytes: 1000, freeBytes: 0 });
    assert.deepEqual(await disk('?dir=/home/operator/cosmos'), {
      status: 200,
      body: { dir: '/home/operator/cosmos', all_bytes: 1000 },
    });
    comet.setDisk({ error: 'no such file or directory' });
    assert.deepEqual(await disk('?dir=/x'), { status: 500, body: { dir: '/x', error: 'no such file or directory' } });
    assert.deepEqual(await disk(''), { status: 400, body: { dir: '', error: 'query param dir must be specified' } });
  });

  it('counts /status requests', async () => {
    const comet = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    comets.push(comet);
    await fetchCometStatus('127.0.0.1', comet.port);
    await fetchCometStatus('127.0.0.1', comet.port);
    assert.equal(comet.statusRequests(), 2);
  });
});
