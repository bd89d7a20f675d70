// The TLS server on loopback with certificates from our own certs code: serving, rotation
// through a kubelet-style `..data` symlink swap, and refusing a bad pair. No cluster needed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServingCertificate,
} from '../../../certs/issue.ts';
import { createLogger } from '../../../src/log/log.ts';
import { type ReloadEvent, serveTls, type TlsServerOptions } from '../../../src/http/tls-server.ts';
import { createWebhookApp } from '../../../src/webhooks/routes.ts';
import { aFullNode, aReview, stubFullNodeHandlers } from '../../fixtures/webhooks/admission.ts';

const quiet = createLogger({ write: () => {} });

function leaf(ca: CertificateAuthority, commonName: string) {
  return issueServingCertificate(ca, { commonName, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
}

/** A directory laid out as the kubelet mounts a Secret: files are symlinks through `..data`. */
class SecretDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'tls-secret-'));
  #generation = 0;

  write(files: Record<string, string>): void {
    const generation = `..gen_${++this.#generation}`;
    mkdirSync(join(this.dir, generation));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.dir, generation, name), content);
    symlinkSync(generation, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const name of Object.keys(files)) {
      if (!existsSync(join(this.dir, name))) symlinkSync(join('..data', name), join(this.dir, name));
    }
    for (const entry of readdirSync(this.dir)) {
      if (entry.startsWith('..gen_') && entry !== generation) rmSync(join(this.dir, entry), { recursive: true });
    }
  }

  get certFile() {
    return join(this.dir, 'tls.crt');
  }

  get keyFile() {
    return join(this.dir, 'tls.key');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The CN of the certificate the server presents, verified against `caPem`. */
function servedCommonName(port: number, caPem: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: caPem, ...(servername ? { servername } : {}) }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(Array.isArray(cn) ? cn.join(',') : String(cn));
    });
    socket.on('error', reject);
  });
}

function httpsRequest(
  port: number,
  caPem: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        ca: caPem,
        agent: false,
        headers: body === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Calls `check` until `accept` takes its value. The limit is generous (a file watch or a poll on
 * a busy machine can take seconds) and, once reached, fails naming what was awaited and the last
 * value, rather than handing the last value to an assertion as if it were an answer.
 */
async function eventually<T>(
  check: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${String(value)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withServer(
  app: Hono,
  options: Partial<TlsServerOptions>,
  body: (
    ctx: { port: number; ca: CertificateAuthority; secret: SecretDir; server: Awaited<ReturnType<typeof serveTls>> },
  ) => Promise<void>,
) {
  const ca = createCertificateAuthority();
  const secret = new SecretDir();
  const first = leaf(ca, 'first');
  secret.write({ 'tls.crt': first.certPem, 'tls.key': first.keyPem, 'ca.crt': ca.certPem });
  const server = await serveTls(app, {
    host: '127.0.0.1',
    port: 0,
    certFile: secret.certFile,
    keyFile: secret.keyFile,
    logger: quiet,
    ...options,
  });
  try {
    await body({ port: server.address.port, ca, secret, server });
  } finally {
    await server.close();
    secret.remove();
  }
}

const hello = new Hono().get('/hello', (c) => c.text('hello over tls'));

describe('serveTls', () => {
  it('serves a Hono app over HTTPS with a certificate the client verifies by IP and by name', () =>
    withServer(hello, {}, async ({ port, ca }) => {
      const res = await httpsRequest(port, ca.certPem, '/hello');
      assert.deepEqual(res, { status: 200, text: 'hello over tls' });
      assert.equal(await servedCommonName(port, ca.certPem, 'localhost'), 'first');
      assert.equal(await servedCommonName(port, ca.certPem), 'first');
    }));

  it('answers an AdmissionReview on the webhook path over TLS', () => {
    const app = createWebhookApp([stubFullNodeHandlers()], { registry: new Registry(), logger: quiet });
    return withServer(app, {}, async ({ port, ca }) => {
      const body = JSON.stringify(aReview({ uid: 'tls-1', object: aFullNode({ replicas: -1 }) }));
      const res = await httpsRequest(port, ca.certPem, '/validate-cosmos-strange-love-v1-cosmosfullnode', body);
      assert.equal(res.status, 200);
      const { response } = JSON.parse(res.text) as {
        response: { uid: string; allowed: boolean; status: { code: number } };
      };
      assert.equal(response.uid, 'tls-1');
      assert.equal(response.allowed, false);
      assert.equal(response.status.code, 422);
    });
  });

  it('serves a rotated certificate without a restart when the ..data symlink is swapped (directory watch)', () => {
    const events: ReloadEvent[] = [];
    return withServer(
      hello,
      { pollIntervalMs: 3_600_000, onReload: (e) => events.push(e) },
      async ({ port, ca, secret }) => {
        assert.equal(await servedCommonName(port, ca.certPem), 'first');
        const rotated = leaf(ca, 'rotated');
        secret.write({ 'tls.crt': rotated.certPem, 'tls.key': rotated.keyPem, 'ca.crt': ca.certPem });
        // The server reports the reload it made (onReload); only then is the new name asserted.
        const loaded = (name: string) => async () =>
          events.some((e) => e.outcome === 'reloaded' && e.subject.includes(name));
        await eventually(loaded('rotated'), (v) => v, 'a reload of the rotated pair after the swap');
        assert.equal(events.at(-1)?.outcome, 'reloaded');
        assert.equal(await servedCommonName(port, ca.certPem), 'rotated');
        assert.deepEqual((await httpsRequest(port, ca.certPem, '/hello')).status, 200);
      },
    );
  });

  const polls: ReloadEvent[] = [];
  it('picks up a rotated certificate by polling when the directory is not watched', () =>
    withServer(hello, { pollIntervalMs: 100, watchFiles: false, onReload: (e) => polls.push(e) }, async ({
      port,
      ca,
      secret,
    }) => {
      const rotated = leaf(ca, 'polled');
      secret.write({ 'tls.crt': rotated.certPem, 'tls.key': rotated.keyPem });
      await eventually(
        async () => polls.some((e) => e.outcome === 'reloaded' && e.subject.includes('polled')),
        (v) => v,
        'a reload of the new pair by polling',
      );
      assert.equal(await servedCommonName(port, ca.certPem), 'polled');
    }));

  it('keeps serving the old certificate when the new key does not match, and counts the error', () => {
    const registry = new Registry();
    const events: ReloadEvent[] = [];
    return withServer(hello, {
      registry,
      watchFiles: false,
      pollIntervalMs: 3_600_000,
      onReload: (e) => events.push(e),
    }, async ({ port, ca, secret, server }) => {
      const good = leaf(ca, 'good');
      const other = leaf(ca, 'other');
      secret.write({ 'tls.crt': good.certPem, 'tls.key': other.keyPem });
      assert.equal(await server.reloadNow(), 'failed');
      assert.equal(await servedCommonName(port, ca.certPem), 'first');
      const failed = events.at(-1);
      assert.equal(failed?.outcome, 'failed');
      assert.match(failed?.outcome === 'failed' ? failed.error.message : '', /does not belong to the certificate/);
      assert.equal(await server.reloadNow(), 'failed', 'the same bad pair again is still refused');
      assert.equal(events.length, 1, 'and not reported twice');

      secret.write({ 'tls.crt': good.certPem, 'tls.key': good.keyPem });
      assert.equal(await server.reloadNow(), 'reloaded');
      assert.equal(await server.reloadNow(), 'unchanged');
      assert.equal(await servedCommonName(port, ca.certPem), 'good');
      const counts = Object.fromEntries(
        (await registry.getMetricsAsJSON()).map((
          m,
        ) => [m.name, (m as { values: { value: number }[] }).values[0]?.value]),
      );
      assert.equal(counts.certwatcher_read_certificate_total, 3); // initial, bad pair, good pair
      assert.equal(counts.certwatcher_read_certificate_errors_total, 1);
    });
  });

  it('keeps serving when the new certificate file is not PEM', () =>
    withServer(hello, { watchFiles: false, pollIntervalMs: 3_600_000 }, async ({ port, ca, secret, server }) => {
      const good = leaf(ca, 'good');
      secret.write({ 'tls.crt': 'garbage', 'tls.key': good.keyPem });
      assert.equal(await server.reloadNow(), 'failed');
      assert.equal(await servedCommonName(port, ca.certPem), 'first');
    }));

  it('refuses to start without a loadable certificate pair, naming the file', async () => {
    const secret = new SecretDir();
    try {
      await assert.rejects(
        serveTls(hello, {
          host: '127.0.0.1',
          port: 0,
          certFile: secret.certFile,
          keyFile: secret.keyFile,
          logger: quiet,
        }),
        /cannot load the serving certificate: .*tls\.crt/,
      );
    } finally {
      secret.remove();
    }
  });

  // Each waits for the server to close the socket: an event, not a time window. Without the
  // limits Node would wait 120 s for a handshake and 60 s for headers, past the test's timeout.
  const quick = { limits: { handshakeMs: 300, headersMs: 300, requestMs: 600 } };

  it('ends a connection that never starts the TLS handshake', { timeout: 30_000 }, async () => {
    await withServer(hello, quick, async ({ port }) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume(); // read what the server sends, so its end reaches us
      await new Promise((resolve) => socket.once('close', resolve));
    });
  });

  it('ends a request whose headers never finish, after the handshake', { timeout: 30_000 }, async () => {
    await withServer(hello, quick, async ({ port, ca }) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: ca.certPem });
      socket.on('error', () => {});
      socket.resume(); // read the 408, so the server's end reaches us
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      socket.write('POST /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n');
      await new Promise((resolve) => socket.once('close', resolve));
    });
  });

  it('ends a request whose body never finishes', { timeout: 30_000 }, async () => {
    await withServer(hello, quick, async ({ port, ca }) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: ca.certPem });
      socket.on('error', () => {});
      socket.resume(); // read the 408, so the server's end reaches us
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      socket.write('POST /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n12');
      await new Promise((resolve) => socket.once('close', resolve));
    });
  });

  it('stops listening on close, with a keep-alive connection open', async () => {
    let port = 0;
    await withServer(hello, {}, async (ctx) => {
      port = ctx.port;
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: ctx.ca.certPem });
      await new Promise((resolve) => socket.once('secureConnect', resolve));
      socket.on('error', () => {});
    });
    await assert.rejects(
      new Promise((resolve, reject) => {
        const probe = connect(port, '127.0.0.1', () => {
          probe.end();
          resolve(undefined);
        });
        probe.on('error', reject);
      }),
      /ECONNREFUSED/,
    );
  });
});
