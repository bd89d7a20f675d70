// fetchCometStatus against a CometBFT RPC that misbehaves (the project's issue 11, §2): one that
// answers too late, trickles its answer, answers garbage or the wrong JSON, or streams a body of
// 100 MB. Each call must come back within its timeout with an error saying what was wrong, and read
// a bounded number of bytes. Boundedness is measured by what the server managed to hand to the
// socket before the client went away, not by the process's RSS, which other work on a shared
// machine moves by more than the limit.
//
// Servers are the fake CometBFT node's misbehaving modes (test/support/fake-comet.ts) and, for the
// shapes it does not make, bare servers on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { fetchCometStatus, MAX_STATUS_BODY_BYTES } from '../../../src/cosmos/comet-client.ts';
import { type FakeComet, startFakeComet } from '../../support/fake-comet.ts';

/**
 * What a client that stopped reading can have made the server send: the limit, plus the loopback
 * socket buffers on both sides (a few MB each with Linux's autotuning). A client reading the whole
 * 100 MB body would be far above it.
 */
const MOST_BYTES_SENT = 32 << 20;
const HUNDRED_MB = 100_000_000;

type Bare = { port: number; close(): Promise<void> };

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Bare> {
  const sockets = new Set<Socket>();
  const server: Server = createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Resolves when `done` is true, checking every 10 ms; rejects after `timeoutMs` with `message`. */
async function until(done: () => boolean, message: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${message}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fetchCometStatus against an RPC that misbehaves', () => {
  const comets: FakeComet[] = [];
  const bare: Bare[] = [];
  const fake = async () => {
    const c = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: null });
    comets.push(c);
    return c;
  };
  after(async () => {
    await Promise.all([...comets.map((c) => c.close()), ...bare.map((b) => b.close())]);
  });

  it('gives up on an answer that comes after the timeout', async () => {
    const comet = await fake();
    await comet.setDown(true, 'slow', { delayMs: 5_000 });
    const res = await fetchCometStatus('127.0.0.1', comet.port, { timeoutMs: 200 });
    assert.deepEqual(res, {
      ok: false,
      kind: 'timeout',
      error: `GET http://127.0.0.1:${comet.port}/status: timed out after 200 ms`,
    });
    assert.ok(comet.statusRequests() >= 1, 'the node got the request');
  });

  it('gives up on an answer trickled a byte at a time past the timeout', async () => {
    let closed = false;
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 20);
      req.socket.on('close', () => {
        clearInterval(drip);
        closed = true;
      });
    });
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port, { timeoutMs: 300 });
    assert.equal(!res.ok && res.kind, 'timeout', JSON.stringify(res));
    // The connection is closed, not left open to drip on.
    await until(() => closed, 'the server sees the connection closed');
  });

  it('reports a body that is not JSON as malformed', async () => {
    const comet = await fake();
    await comet.setDown(true, 'garbage');
    const res = await fetchCometStatus('127.0.0.1', comet.port);
    assert.equal(!res.ok && res.kind, 'malformed', JSON.stringify(res));
    assert.match(!res.ok ? res.error : '', /^malformed json: /);
  });

  it('reports JSON that is not a /status as malformed, naming what is missing', async () => {
    const comet = await fake();
    await comet.setDown(true, 'wrong-shape');
    const res = await fetchCometStatus('127.0.0.1', comet.port);
    assert.deepEqual(res, { ok: false, kind: 'malformed', error: 'malformed status: sync_info is missing' });
  });

  it('stops reading a 100 MB streamed body at the limit, and says so', async () => {
    const comet = await fake();
    await comet.setDown(true, 'huge', { bytes: HUNDRED_MB });
    const res = await fetchCometStatus('127.0.0.1', comet.port, { timeoutMs: 60_000 });
    assert.deepEqual(res, {
      ok: false,
      kind: 'malformed',
      error: `malformed status: body over the ${MAX_STATUS_BODY_BYTES}-byte limit, not read further`,
    });
    // The client closed the connection: the stream ends there.
    await until(() => comet.hugeAnswers()[0]?.open === false, 'the server sees the connection closed');
    const [answer] = comet.hugeAnswers();
    assert.equal(comet.hugeAnswers().length, 1, 'one answer: a body over the limit is not asked for again');
    assert.equal(answer!.complete, false, 'the body was not sent whole');
    assert.ok(
      answer!.bytes > MAX_STATUS_BODY_BYTES && answer!.bytes < MOST_BYTES_SENT,
      `bytes handed to the socket: ${answer!.bytes} (limit ${MAX_STATUS_BODY_BYTES}, at most ${MOST_BYTES_SENT})`,
    );
  });

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    let sent = 0;
    let closed = false;
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(HUNDRED_MB) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!closed && sent < HUNDRED_MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      req.socket.on('close', () => (closed = true));
      pump();
    });
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port, { timeoutMs: 60_000 });
    assert.match(!res.ok ? res.error : '', /body over the 1048576-byte limit/);
    await until(() => closed, 'the server sees the connection closed');
    assert.ok(sent < MOST_BYTES_SENT, `bytes handed to the socket: ${sent}`);
  });

  it('does not drain an endless error answer: the connection is closed', async () => {
    let sent = 0;
    let closed = false;
    const server = await serve((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!closed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      req.socket.on('close', () => (closed = true));
      pump();
    });
    bare.push(server);
    const res = await fetchCometStatus('127.0.0.1', server.port, { timeoutMs: 2_000 });
    assert.deepEqual(res, { ok: false, kind: 'http', error: '502 Bad Gateway' });
    // Left draining, the socket would read this answer for ever, past the call's timeout.
    await until(() => closed, 'the server sees the connection closed');
    assert.ok(sent < MOST_BYTES_SENT, `bytes handed to the socket: ${sent}`);
  });
});
