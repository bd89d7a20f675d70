// HTTPS for a Hono app on Node and Deno through one path (node:https + @hono/node-server's
// request listener), with the serving certificate reloaded when its files change, as
// controller-runtime's certwatcher does. cert-manager and the kubelet replace a mounted
// Secret's files by swapping a `..data` symlink, so the watch is on the directory, with a
// poll as a fallback for file systems where fs.watch says nothing (docs/architecture.md §5.9, §5.10).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { dirname } from 'node:path';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { getRequestListener } from '@hono/node-server';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../log/log.ts';

type FetchCallback = Parameters<typeof getRequestListener>[0];

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

export type ReloadEvent =
  | { outcome: 'reloaded'; subject: string; notAfter: string; serialNumber: string }
  | { outcome: 'failed'; error: Error };

export type TlsServerOptions = {
  host: string;
  /** 0 picks a free port; see `address` */
  port: number;
  certFile: string;
  keyFile: string;
  /** told after every attempt to load a changed pair, successful or not */
  onReload?: (event: ReloadEvent) => void;
  logger?: Logger;
  /** where the certwatcher_* counters go; none if absent */
  registry?: Registry;
  /** fallback poll period; controller-runtime's certwatcher also polls every 10 s */
  pollIntervalMs?: number;
  /** watch the files' directories for changes (default true); polling alone when false */
  watchFiles?: boolean;
  /** how long a client may take, in ms; SLOW_CLIENT_LIMITS unless a test says otherwise */
  limits?: SlowClientLimits;
};

/** Deadlines for a client that connects and then dawdles: each ends its connection. */
export type SlowClientLimits = { handshakeMs: number; headersMs: number; requestMs: number };

/**
 * The API server gives a webhook at most 30 s (timeoutSeconds' maximum) and then answers the user
 * itself, so a request still arriving after that has no one waiting for it. Node's defaults (a
 * 120 s handshake, 60 s for the headers, 300 s for a request) would let a slow or stuck client
 * hold a socket for minutes.
 */
const SLOW_CLIENT_LIMITS: SlowClientLimits = { handshakeMs: 10_000, headersMs: 10_000, requestMs: 30_000 };

export type TlsServer = {
  address: { host: string; port: number };
  /** re-read the files now; resolves with what happened */
  reloadNow(): Promise<ReloadOutcome>;
  /** stop listening, drop open connections, stop watching */
  close(): Promise<void>;
};

type Pair = { cert: Buffer; key: Buffer };

type CertMetrics = { reads: Counter; errors: Counter };

function certMetrics(registry: Registry | undefined): CertMetrics | undefined {
  if (registry === undefined) return undefined;
  const get = (name: string, help: string): Counter =>
    (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
  return {
    reads: get('certwatcher_read_certificate_total', 'Total number of certificate reads'),
    errors: get('certwatcher_read_certificate_errors_total', 'Total number of certificate read errors'),
  };
}

/** One after the other, so a failure always names the first missing file (two reads raced before). */
async function readPair(certFile: string, keyFile: string): Promise<Pair> {
  const cert = await readFile(certFile);
  const key = await readFile(keyFile);
  return { cert, key };
}

/** Parses the pair and checks the key is the certificate's; throws a reason otherwise. */
function checkPair(pair: Pair, certFile: string, keyFile: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.cert);
  } catch (error) {
    throw new Error(`${certFile} is not a PEM certificate: ${(error as Error).message}`);
  }
  let key;
  try {
    key = createPrivateKey(pair.key);
  } catch (error) {
    throw new Error(`${keyFile} is not a PEM private key: ${(error as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) throw new Error(`${keyFile} does not belong to the certificate in ${certFile}`);
  return cert;
}

function samePair(a: Pair | undefined, b: Pair): boolean {
  return a !== undefined && a.cert.equals(b.cert) && a.key.equals(b.key);
}

/**
 * Serves `app` over TLS on host:port once the initial certificate pair loads (it throws if it
 * does not). A changed pair that fails to load is logged and counted; the old one stays in use.
 */
export async function serveTls(
  app: { fetch: FetchCallback } | FetchCallback,
  options: TlsServerOptions,
): Promise<TlsServer> {
  const { certFile, keyFile, logger } = options;
  const metrics = certMetrics(options.registry);
  const fetch = typeof app === 'function' ? app : app.fetch;

  metrics?.reads.inc();
  let current: Pair;
  let initial: X509Certificate;
  try {
    current = await readPair(certFile, keyFile);
    initial = checkPair(current, certFile, keyFile);
  } catch (error) {
    metrics?.errors.inc();
    throw new Error(`cannot load the serving certificate: ${(error as Error).message}`, { cause: error });
  }

  const limits = options.limits ?? SLOW_CLIENT_LIMITS;
  const server: Server = createServer(
    {
      cert: current.cert,
      key: current.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: limits.handshakeMs,
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      // Node checks the two deadlines above only this often (30 s by default).
      connectionsCheckingInterval: Math.min(1_000, limits.headersMs),
    },
    getRequestListener(fetch, { overrideGlobalObjects: false }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once(
      'error',
      (err) => reject(new Error(`cannot listen on ${options.host}:${options.port}: ${err.message}`, { cause: err })),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  server.on('error', (err) => logger?.error('webhook server error', { error: err }));
  // closeAllConnections() misses TLS sockets that never sent a request, so track every socket.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = (server.address() as AddressInfo).port;
  logger?.info('serving TLS', { host: options.host, port, subject: initial.subject, notAfter: initial.validTo });

  // A pair that already failed is not retried (or logged) again until the files change once more.
  let lastFailed: Pair | undefined;
  let running: Promise<ReloadOutcome> | undefined;
  let again = false;

  const reloadOnce = async (): Promise<ReloadOutcome> => {
    let pair: Pair;
    try {
      pair = await readPair(certFile, keyFile);
    } catch (error) {
      // Mid-swap a file can be briefly missing; the next event or poll picks up the new pair.
      logger?.debug('serving certificate files unreadable', { error });
      return 'failed';
    }
    if (samePair(current, pair)) return 'unchanged';
    if (samePair(lastFailed, pair)) return 'failed';
    metrics?.reads.inc();
    try {
      const cert = checkPair(pair, certFile, keyFile);
      server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
      current = pair;
      lastFailed = undefined;
      logger?.info('reloaded the serving certificate', {
        subject: cert.subject,
        notAfter: cert.validTo,
        serialNumber: cert.serialNumber,
      });
      options.onReload?.({
        outcome: 'reloaded',
        subject: cert.subject,
        notAfter: cert.validTo,
        serialNumber: cert.serialNumber,
      });
      return 'reloaded';
    } catch (error) {
      metrics?.errors.inc();
      lastFailed = pair;
      const reason = error instanceof Error ? error : new Error(String(error));
      logger?.error('new serving certificate rejected; still serving the previous one', { error: reason.message });
      options.onReload?.({ outcome: 'failed', error: reason });
      return 'failed';
    }
  };

  // One reload at a time; a request during a reload runs one more after it.
  const reloadNow = (): Promise<ReloadOutcome> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let outcome: ReloadOutcome;
        do {
          again = false;
          outcome = await reloadOnce();
        } while (again);
        return outcome;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  // Events come in bursts while the kubelet swaps the symlink; settle before reading.
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const scheduleReload = () => {
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      void reloadNow();
    }, 100);
    debounce.unref();
  };

  const watchers: FSWatcher[] = [];
  const watchedDirs = options.watchFiles === false ? [] : [...new Set([dirname(certFile), dirname(keyFile)])];
  for (const dir of watchedDirs) {
    try {
      const watcher = watch(dir, { persistent: false }, scheduleReload);
      watcher.on('error', (error) => {
        logger?.warn('watching the certificate directory failed; polling only', { dir, error });
        watcher.close();
      });
      watchers.push(watcher);
    } catch (error) {
      logger?.warn('cannot watch the certificate directory; polling only', { dir, error });
    }
  }
  const poll = setInterval(() => void reloadNow(), options.pollIntervalMs ?? 10_000);
  poll.unref();

  let closed: Promise<void> | undefined;
  return {
    address: { host: options.host, port },
    reloadNow,
    close: () => {
      closed ??= (async () => {
        clearInterval(poll);
        if (debounce !== undefined) clearTimeout(debounce);
        for (const watcher of watchers) watcher.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        await running;
      })();
      return closed;
    },
  };
}
