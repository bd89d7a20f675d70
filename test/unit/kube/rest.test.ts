// The HTTP transport's own behaviour, against a loopback HTTP server that misbehaves on cue
// (no Kubernetes semantics here: those are tested against the real API server). These are the
// cases client-node's undici path gets wrong on Deno, so they run on both runtimes.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { classifyApiError, KubeApiError } from '../../../src/kube/api-errors.ts';
import { createRestClient, type RestClient } from '../../../src/kube/rest.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('createRestClient', () => {
  let server: http.Server;
  let rest: RestClient;
  let handler: Handler = (_req, res) => res.end();

  before(async () => {
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    rest = createRestClient({
      server: `http://127.0.0.1:${port}`,
      context: 'c',
      insecureSkipTlsVerify: true,
      token: 'secret-token',
    });
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends JSON with the bearer token and the content type asked for, and parses the answer', async () => {
    let seen: { auth?: string; type?: string; body?: string; url?: string } = {};
    handler = (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, type: req.headers['content-type'], body, url: req.url };
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
    };
    const out = await rest.request({
      method: 'PATCH',
      path: '/apis/g/v1/namespaces/ns/things/x',
      query: { fieldManager: 'cosmos-operator', force: true, dryRun: undefined },
      body: { spec: { a: 1 } },
      contentType: 'application/apply-patch+yaml',
    });
    assert.deepEqual(out, { ok: true });
    assert.deepEqual(seen, {
      auth: 'Bearer secret-token',
      type: 'application/apply-patch+yaml',
      body: '{"spec":{"a":1}}',
      url: '/apis/g/v1/namespaces/ns/things/x?fieldManager=cosmos-operator&force=true',
    });
  });

  it('sends the body of a DELETE (DeleteOptions), whose length Node would not announce, and keeps the connection usable', async () => {
    const seen: string[] = [];
    handler = (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    };
    await rest.request({
      method: 'DELETE',
      path: '/api/v1/namespaces/ns/pods/p',
      body: { preconditions: { uid: 'ü-1' } },
    });
    await rest.request({ method: 'POST', path: '/api/v1/namespaces/ns/events', body: { message: 'a → b' } });
    assert.deepEqual(seen, ['DELETE {"preconditions":{"uid":"ü-1"}}', 'POST {"message":"a → b"}']);
  });

  it('rejects a non-2xx answer with a KubeApiError carrying the code and the Status', async () => {
    handler = (_req, res) => {
      res.statusCode = 422;
      res.end(JSON.stringify({ kind: 'Status', code: 422, reason: 'Invalid', message: 'spec.size: Invalid value' }));
    };
    await assert.rejects(rest.request({ method: 'POST', path: '/x', body: {} }), (err: unknown) => {
      const e = err as { code?: number; body?: { reason?: string } };
      return err instanceof KubeApiError && e.code === 422 && e.body?.reason === 'Invalid' &&
        classifyApiError(err) === 'permanent';
    });
  });

  it('fails a request whose connection dies mid-response', async () => {
    handler = (req, res) => {
      res.writeHead(200);
      res.write('{"partial":');
      setTimeout(() => req.socket.destroy(), 20);
    };
    await assert.rejects(rest.request({ method: 'GET', path: '/x' }));
  });

  it('times a request out', async () => {
    handler = () => {};
    await assert.rejects(
      rest.request({ method: 'GET', path: '/x', timeoutMs: 100 }),
      (err: unknown) => (err as Error).name === 'TimeoutError',
    );
  });

  it('delivers a stream line by line, also when lines span chunks', async () => {
    // The rest of the split line is sent once the client has the first line, so the two chunks
    // arrive apart however the machine schedules them (a 20 ms timer could let them merge).
    const first = Promise.withResolvers<void>();
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","n":1}\n{"type":"MOD');
      void first.promise.then(() => res.end('IFIED","n":2}\n{"type":"DELETED","n":3}'));
    };
    const lines: string[] = [];
    const end = await rest.stream({
      path: '/w',
      idleTimeoutMs: 60_000,
      onLine: (l) => {
        lines.push(l);
        first.resolve();
      },
    });
    assert.deepEqual(end, { kind: 'closed' });
    assert.deepEqual(lines.map((l) => JSON.parse(l).n), [1, 2, 3]);
  });

  it('reports a stream whose connection dies as a failure', async () => {
    // The connection dies once the client has a line: mid-stream, not before it started.
    const first = Promise.withResolvers<void>();
    handler = (req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED"}\n');
      void first.promise.then(() => req.socket.destroy());
    };
    const end = await rest.stream({ path: '/w', idleTimeoutMs: 60_000, onLine: () => first.resolve() });
    assert.equal(end.kind, 'error');
  });

  it('ends a silent stream with a TimeoutError after the idle timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED"}\n');
    };
    const end = await rest.stream({ path: '/w', idleTimeoutMs: 150, onLine: () => {} });
    assert.equal(end.kind === 'error' && (end.error as Error).name, 'TimeoutError');
  });

  it('ends a stream as closed when its signal aborts', async () => {
    // Aborted once the stream is flowing (its first line is in), not after a fixed delay.
    handler = (_req, res) => res.writeHead(200).write('{"type":"ADDED"}\n');
    const stop = new AbortController();
    assert.deepEqual(
      await rest.stream({ path: '/w', idleTimeoutMs: 60_000, signal: stop.signal, onLine: () => stop.abort() }),
      { kind: 'closed' },
    );
  });

  it('reports a stream refused with 410 as an error with code 410 and its Status', async () => {
    handler = (_req, res) => {
      res.statusCode = 410;
      res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }));
    };
    const end = await rest.stream({ path: '/w', idleTimeoutMs: 5000, onLine: () => {} });
    assert.equal(end.kind === 'error' && (end.error as { code?: number }).code, 410);
  });
});
