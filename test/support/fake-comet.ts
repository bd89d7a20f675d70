// A stand-in for a chain pod's network face (docs/architecture.md §6.6): CometBFT's RPC `/status`
// on a pod's IP, shaped as CometBFT 0.38 answers it, and the healthcheck sidecar's API
// (docs/compatibility.md §4) on port 1251. Real HTTP on real addresses: kwok gives pods IPs in a
// loopback /16 on loopback, so the operator polls these exactly as it would poll a node. Runs on
// Node and Deno.
//
//   const comet = await startFakeComet({ host: pod.status.podIP });
//   comet.setHeight(1200); comet.setCatchingUp(true); await comet.setDown(true);
//
//   const fleet = fakeCometForPods(cluster, ns, "app.kubernetes.io/name=osmosis");  // every pod
//   (await fleet.waitFor("osmosis-0")).setHeight(5);
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type ApiAuth, apiJson, apiWatch } from '../cluster/kube-http.ts';

/**
 * How a down node fails: nothing listens (connection refused), it answers 500, or it never
 * answers. The rest misbehave rather than fail (test/integration/cosmos/bad-rpc.test.ts): `slow`
 * answers a good /status only after `delayMs`; `garbage` answers 200 with a body that is not JSON;
 * `wrong-shape` answers 200 with JSON that is no /status; `huge` answers 200 with a JSON body of
 * `bytes` (default 100 MB), streamed as fast as the client reads it.
 */
export type DownMode = 'refuse' | 'http500' | 'hang' | 'slow' | 'garbage' | 'wrong-shape' | 'huge';

/** Parameters of the misbehaving modes. */
export type DownOptions = { delayMs?: number; bytes?: number };

/**
 * One `huge` answer: the body bytes handed to the socket so far, whether all were, and whether the
 * connection is still open (false once the client went away or the answer ended).
 */
export type HugeAnswer = { bytes: number; complete: boolean; open: boolean };

export type DiskState = { allBytes: number; freeBytes: number } | { error: string };

export type FakeCometOptions = {
  host: string;
  /** CometBFT RPC port; 0 picks a free one. */
  port?: number;
  /** The healthcheck sidecar's port; 0 picks a free one, null serves none. */
  healthcheckPort?: number | null;
  height?: number;
  catchingUp?: boolean;
  /** Chain ID (node_info.network). */
  network?: string;
  moniker?: string;
  /** 40 hex digits; random by default. */
  nodeId?: string;
  /** node_info.version. */
  version?: string;
  /** Answer SEI's shape: node_info, sync_info, validator_info at the top level, no envelope. */
  sei?: boolean;
};

export type FakeComet = {
  readonly host: string;
  /** The RPC port actually bound. */
  readonly port: number;
  /** The healthcheck port actually bound, or null. */
  readonly healthcheckPort: number | null;
  readonly nodeId: string;
  setHeight(height: number): void;
  height(): number;
  setCatchingUp(catchingUp: boolean): void;
  /** Down: /status fails as `mode` says (default refuse); up again: answers as before. */
  setDown(down: boolean, mode?: DownMode, options?: DownOptions): Promise<void>;
  /** Every `huge` answer so far, in order (one still streaming included). */
  hugeAnswers(): HugeAnswer[];
  /** What GET /disk reports (default 100 GiB, 60 GiB free). */
  setDisk(disk: DiskState): void;
  /** /status requests received (including ones answered 500 or left hanging). */
  statusRequests(): number;
  /** The /status body as served now (tests compare against it). */
  statusBody(): unknown;
  close(): Promise<void>;
};

const GiB = 1024 ** 3;

export async function startFakeComet(options: FakeCometOptions): Promise<FakeComet> {
  const host = options.host;
  const nodeId = options.nodeId ?? randomBytes(20).toString('hex');
  const network = options.network ?? 'cosmoshub-4';
  const moniker = options.moniker ?? `fake-${host}`;
  const version = options.version ?? '0.38.17';
  const validatorKey = randomBytes(32);
  const validatorAddress = createHash('sha256').update(validatorKey).digest().subarray(0, 20).toString('hex')
    .toUpperCase();
  const genesisTime = goTime(new Date(Date.UTC(2024, 0, 1)));

  let height = options.height ?? 1;
  let blockTime = goTime(new Date());
  let catchingUp = options.catchingUp ?? false;
  let down: DownMode | undefined;
  let downOptions: DownOptions = {};
  const huge: HugeAnswer[] = [];
  let disk: DiskState = { allBytes: 100 * GiB, freeBytes: 60 * GiB };
  let requests = 0;
  let closed = false;
  let rpcPort = options.port ?? 26657;

  const hash = (what: string) => createHash('sha256').update(`${network}/${what}`).digest('hex').toUpperCase();

  const statusBody = () => {
    const result = {
      node_info: {
        protocol_version: { p2p: '8', block: '11', app: '0' },
        id: nodeId,
        listen_addr: 'tcp://0.0.0.0:26656',
        network,
        version,
        channels: '40202122233038606100',
        moniker,
        other: { tx_index: 'on', rpc_address: `tcp://0.0.0.0:${rpcPort}` },
      },
      sync_info: {
        latest_block_hash: hash(`block/${height}`),
        latest_app_hash: hash(`app/${height}`),
        latest_block_height: String(height),
        latest_block_time: blockTime,
        earliest_block_hash: hash('block/1'),
        earliest_app_hash: hash('app/1'),
        earliest_block_height: '1',
        earliest_block_time: genesisTime,
        catching_up: catchingUp,
      },
      validator_info: {
        address: validatorAddress,
        pub_key: { type: 'tendermint/PubKeyEd25519', value: validatorKey.toString('base64') },
        voting_power: '0',
      },
    };
    return options.sei ? result : { jsonrpc: '2.0', id: -1, result };
  };

  // Requests left hanging in "hang" mode (or waiting in "slow" mode), released (destroyed) when the mode ends.
  const hanging = new Set<ServerResponse>();

  const rpc = trackedServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/status') {
      requests++;
      if (down === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (down === 'slow') {
        hanging.add(res);
        const timer = setTimeout(() => {
          hanging.delete(res);
          if (!res.destroyed) send(res, 200, 'application/json', rpcJson(statusBody()));
        }, downOptions.delayMs ?? 10_000);
        res.on('close', () => {
          clearTimeout(timer);
          hanging.delete(res);
        });
        return;
      }
      if (down === 'garbage') return send(res, 200, 'application/json', '<html><body>502 Bad Gateway</body></html>');
      if (down === 'wrong-shape') {
        return send(res, 200, 'application/json', rpcJson({ jsonrpc: '2.0', id: -1, result: { node_info: {} } }));
      }
      if (down === 'huge') return streamHuge(res, downOptions.bytes ?? 100_000_000, huge);
      if (down === 'http500') {
        // CometBFT's own failure answer is a JSON-RPC error with status 500.
        return send(
          res,
          500,
          'application/json',
          rpcJson({ jsonrpc: '2.0', id: -1, error: { code: -32603, message: 'Internal error', data: 'node is down' } }),
        );
      }
      return send(res, 200, 'application/json', rpcJson(statusBody()));
    }
    if (path === '/health') return send(res, 200, 'application/json', rpcJson({ jsonrpc: '2.0', id: -1, result: {} }));
    send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
  });

  // The sidecar (docs/compatibility.md §4). Go's handler sets Content-Type after WriteHeader, so
  // the header it set is lost and net/http sniffs the body instead: text/plain (checked with Go 1.26).
  const health = trackedServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/disk') {
      const dir = url.searchParams.get('dir') ?? '';
      if (dir === '') {
        return send(
          res,
          400,
          'text/plain; charset=utf-8',
          goJson({ dir: '', error: 'query param dir must be specified' }),
        );
      }
      if ('error' in disk) return send(res, 500, 'text/plain; charset=utf-8', goJson({ dir, error: disk.error }));
      const body: Record<string, unknown> = { dir };
      if (disk.allBytes) body.all_bytes = disk.allBytes;
      if (disk.freeBytes) body.free_bytes = disk.freeBytes;
      return send(res, 200, 'text/plain; charset=utf-8', goJson(body));
    }
    const address = `http://localhost:${rpcPort}`;
    if (down !== undefined) {
      const error = down === 'http500'
        ? '500 Internal Server Error'
        : down === 'hang' || down === 'slow' || down === 'huge'
        ? `Get "${address}/status": context deadline exceeded`
        : down === 'garbage' || down === 'wrong-shape'
        ? "invalid character '<' looking for beginning of value"
        : `Get "${address}/status": dial tcp 127.0.0.1:${rpcPort}: connect: connection refused`;
      return send(res, 503, 'text/plain; charset=utf-8', goJson({ address, in_sync: false, error }));
    }
    send(res, catchingUp ? 422 : 200, 'text/plain; charset=utf-8', goJson({ address, in_sync: !catchingUp }));
  });

  rpcPort = await rpc.listen(host, rpcPort);
  let healthPort: number | null = null;
  if (options.healthcheckPort !== null) {
    try {
      healthPort = await health.listen(host, options.healthcheckPort ?? 1251);
    } catch (err) {
      await rpc.close();
      throw err;
    }
  }

  const releaseHanging = () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
  };

  return {
    host,
    port: rpcPort,
    healthcheckPort: healthPort,
    nodeId,
    setHeight(n) {
      height = n;
      blockTime = goTime(new Date());
    },
    height: () => height,
    setCatchingUp(b) {
      catchingUp = b;
    },
    async setDown(isDown, mode = 'refuse', options = {}) {
      if (closed) throw new Error(`fake comet ${host}:${rpcPort} is closed`);
      const was = down;
      down = isDown ? mode : undefined;
      downOptions = options;
      if ((was === 'hang' || was === 'slow') && down !== was) releaseHanging();
      if (down === 'refuse' && was !== 'refuse') await rpc.close();
      if (was === 'refuse' && down !== 'refuse') await rpc.listen(host, rpcPort);
    },
    setDisk(d) {
      disk = d;
    },
    statusRequests: () => requests,
    hugeAnswers: () => huge.map((a) => ({ ...a })),
    statusBody,
    async close() {
      if (closed) return;
      closed = true;
      releaseHanging();
      await Promise.all([rpc.close(), healthPort !== null ? health.close() : Promise.resolve()]);
    },
  };
}

/** CometBFT 0.38 writes its JSON-RPC answers compact, without a trailing newline (real-comet.test.ts). */
function rpcJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Go's RFC3339Nano, as CometBFT writes times: trailing zeros of the fraction dropped ("…:00Z", "…:53.19Z"). */
function goTime(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** Go's json.Encoder: compact, one trailing newline. */
function goJson(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

/**
 * A 200 JSON answer of `total` bytes without a Content-Length (chunked, as a proxy streaming a
 * response would send it), written only as fast as the socket takes it: `answers` records how many
 * body bytes were handed over before the client went away, which bounds what it can have read.
 */
function streamHuge(res: ServerResponse, total: number, answers: HugeAnswer[]): void {
  const answer: HugeAnswer = { bytes: 0, complete: false, open: true };
  answers.push(answer);
  res.writeHead(200, { 'content-type': 'application/json' });
  const head = Buffer.from('{"jsonrpc":"2.0","id":-1,"result":{"padding":"');
  const tail = Buffer.from('"}}');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.on('close', () => (answer.open = false));
  const pump = () => {
    while (answer.open) {
      const left = total - answer.bytes;
      let piece: Buffer;
      if (answer.bytes === 0) piece = head;
      else if (left <= tail.length) piece = tail.subarray(tail.length - left);
      else piece = chunk.subarray(0, Math.min(chunk.length, left - tail.length));
      answer.bytes += piece.length;
      if (answer.bytes >= total) {
        answer.complete = true;
        res.end(piece);
        return;
      }
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

type TrackedServer = {
  /** Binds (again) and resolves with the port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops listening and destroys every open connection, keep-alive ones included. */
  close(): Promise<void>;
};

/**
 * An http.Server that can be closed and reopened on the same address, dropping its connections
 * on close so a client sees a refused or reset connection at once (closeAllConnections is not
 * on every runtime, so the sockets are tracked here).
 */
function trackedServer(handler: (req: IncomingMessage, res: ServerResponse) => void): TrackedServer {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    listen(host, port) {
      const s = createServer(handler);
      s.keepAliveTimeout = 2000;
      s.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      return new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          server = s;
          resolve((s.address() as { port: number }).port);
        });
      });
    },
    close() {
      const s = server;
      server = undefined;
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve) => {
        s.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A fake comet on every pod of a namespace, for tests where the operator creates the pods.

type PodJson = {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec?: { containers?: Array<{ name?: string; ports?: Array<{ name?: string; containerPort?: number }> }> };
  status?: { phase?: string; podIP?: string };
};

export type FakeCometFleetOptions = {
  /** How often a pod whose address could not be bound is tried again; 200 ms. */
  intervalMs?: number;
  /** Initial state of a pod's fake (default height 1, in sync); may start it down. */
  initial?: (pod: PodJson) => { height?: number; catchingUp?: boolean; network?: string; down?: DownMode };
  /** null: no healthcheck sidecar API. Default 1251. */
  healthcheckPort?: number | null;
};

export type FakeCometFleet = {
  /** The fake serving this pod now (by name), if any. */
  get(pod: string): FakeComet | undefined;
  /** Resolves with the pod's fake once it is serving. */
  waitFor(pod: string, timeoutMs?: number): Promise<FakeComet>;
  /** Pod name → fake, for every pod served now. */
  all(): Map<string, FakeComet>;
  close(): Promise<void>;
};

/**
 * Watches (list, then watch) the pods of `namespace` matching `labelSelector`, and serves a fake
 * comet on each one's IP as soon as it has one, on the port of its container "node"'s "rpc" port
 * (else 26657). A pod that is gone, or recreated with a new uid, loses its fake.
 *
 * A watch rather than a poll: re-listing thousands of pods every few seconds cost the API server
 * more than the operator under test did (bench/memory.ts converged 1,000 × 3 in 21 minutes).
 */
export function fakeCometForPods(
  cluster: { admin: ApiAuth },
  namespace: string,
  labelSelector = '',
  options: FakeCometFleetOptions = {},
): FakeCometFleet {
  const served = new Map<string, { uid: string; ip: string; comet: FakeComet }>();
  // Why a pod has no fake yet, e.g. EADDRINUSE: pod IPs come from one loopback /16 per
  // control plane on the machine (kwok hands them out in order), so another test run may hold
  // the address on the same port.
  const bindErrors = new Map<string, string>();
  const intervalMs = options.intervalMs ?? 200;
  /** The pods as the API server last told us, by name. */
  const pods = new Map<string, PodJson>();
  let stopped = false;
  const stopWatching = new AbortController();
  const wakers = new Set<() => void>();
  const wakeAll = () => {
    for (const w of [...wakers]) w();
  };
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const selector = labelSelector ? `labelSelector=${encodeURIComponent(labelSelector)}&` : '';

  /** Brings the fakes in line with `pods`: one per pod with an IP, none for a pod that is gone. */
  const reconcile = async () => {
    const live = new Map([...pods].filter(([, p]) => p.status?.podIP));
    // Stop the gone first: kwok may hand a freed IP to the next pod.
    for (const [name, s] of [...served]) {
      const pod = live.get(name);
      if (pod && pod.metadata.uid === s.uid && pod.status?.podIP === s.ip) continue;
      served.delete(name);
      await s.comet.close();
    }
    for (const [name, pod] of live) {
      if (served.has(name) || stopped) continue;
      const init = options.initial?.(pod) ?? {};
      const comet = await startFakeComet({
        host: pod.status!.podIP!,
        port: rpcPortOfJson(pod),
        healthcheckPort: options.healthcheckPort === undefined ? 1251 : options.healthcheckPort,
        height: init.height ?? 1,
        catchingUp: init.catchingUp ?? false,
        ...(init.network ? { network: init.network } : {}),
        moniker: name,
      }).catch((err: unknown) => {
        bindErrors.set(name, err instanceof Error ? err.message : String(err)); // tried again on the next tick
        return undefined;
      });
      if (!comet) continue;
      bindErrors.delete(name);
      if (stopped) {
        await comet.close();
        continue;
      }
      if (init.down) await comet.setDown(true, init.down);
      served.set(name, { uid: pod.metadata.uid, ip: pod.status!.podIP!, comet });
    }
    wakeAll();
  };

  // One reconcile at a time; a change seen meanwhile runs it once more afterwards.
  let reconciling: Promise<void> | undefined;
  let again = false;
  const requestReconcile = () => {
    if (reconciling) {
      again = true;
      return;
    }
    reconciling = (async () => {
      do {
        again = false;
        await reconcile().catch(() => undefined);
      } while (again && !stopped);
    })().finally(() => (reconciling = undefined));
  };

  const watchPods = async () => {
    while (!stopped) {
      try {
        const list = await apiJson<{ metadata: { resourceVersion: string }; items: PodJson[] }>(
          cluster.admin,
          'GET',
          `${path}?${selector}`,
        );
        pods.clear();
        for (const p of list.items) pods.set(p.metadata.name, p);
        requestReconcile();
        // Ends by itself after timeoutSeconds, or on an ERROR event (410 Gone): list again.
        const ended = new AbortController();
        const abort = () => ended.abort();
        stopWatching.signal.addEventListener('abort', abort, { once: true });
        await apiWatch(
          cluster.admin,
          `${path}?${selector}watch=1&timeoutSeconds=60&resourceVersion=${list.metadata.resourceVersion}`,
          (e) => {
            if (e.type === 'ERROR') return ended.abort();
            const pod = e.object as PodJson;
            if (e.type === 'DELETED') pods.delete(pod.metadata.name);
            else if (e.type === 'ADDED' || e.type === 'MODIFIED') pods.set(pod.metadata.name, pod);
            requestReconcile();
          },
          ended.signal,
        ).finally(() => stopWatching.signal.removeEventListener('abort', abort));
      } catch {
        // API server restarting, namespace going away: list again shortly.
        if (!stopped) await new Promise((r) => setTimeout(r, intervalMs));
      }
    }
  };
  const watching = watchPods();
  // Retries pods whose address could not be bound yet.
  const retry = setInterval(() => bindErrors.size > 0 && requestReconcile(), intervalMs);

  return {
    get: (pod) => served.get(pod)?.comet,
    all: () => new Map([...served].map(([name, s]) => [name, s.comet])),
    async waitFor(pod, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = served.get(pod);
        if (s) return s.comet;
        if (stopped) throw new Error(`fake comet fleet closed before pod ${namespace}/${pod} got one`);
        if (Date.now() > deadline) {
          const why = bindErrors.get(pod);
          throw new Error(`no fake comet for pod ${namespace}/${pod} after ${timeoutMs} ms${why ? `: ${why}` : ''}`);
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            wakers.delete(done);
            resolve();
          };
          const t = setTimeout(done, Math.min(1000, Math.max(0, deadline - Date.now())));
          wakers.add(done);
        });
      }
    },
    async close() {
      stopped = true;
      clearInterval(retry);
      stopWatching.abort();
      wakeAll();
      await watching;
      await reconciling;
      const all = [...served.values()];
      served.clear();
      await Promise.all(all.map((s) => s.comet.close()));
    },
  };
}

function rpcPortOfJson(pod: PodJson): number {
  const node = pod.spec?.containers?.find((c) => c.name === 'node');
  return node?.ports?.find((p) => p.name === 'rpc')?.containerPort ?? 26657;
}
