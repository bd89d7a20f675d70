// GET http://<podIP>:<rpcPort>/status (docs/compatibility.md §3). Never throws: every failure is
// a value with the text status.sync[pod].error will show.
//
// node:http rather than fetch: fetch refuses the Fetch standard's "bad ports" (6000, 6665-6669,
// 10080, …) and a chain's RPC port is the user's to choose. One keep-alive agent, as upstream's
// shared http.Client: polling every pod every 5 s should not open a connection each time. A
// network failure is retried once, within the same timeout, because a kept-alive socket the
// node closed meanwhile fails the first request on it, and a pod wrongly seen unreachable
// counts against the rollout (§2.7: an unreachable pod with a new image is deleted outright).
//
// A pod's RPC is not trusted to behave (test/integration/cosmos/bad-rpc.test.ts): every call
// returns within its timeout whatever the node does (hang, answer late, trickle), and reads at
// most MAX_STATUS_BODY_BYTES of a body, so a node streaming an endless answer costs the operator
// a bounded amount of memory and no time past the timeout. A non-200 answer's body is never
// buffered: a small one is drained so the connection can be reused, a large or unsized one ends
// the connection (left draining, an endless body would hold a socket busy for ever).
import http from 'node:http';
import { type CometStatus, parseCometStatus } from './comet-status.ts';

export type CometFailure =
  /** A non-200 answer; the text is the HTTP status, as Go's `resp.Status`. */
  | 'http'
  /** No answer within the timeout. */
  | 'timeout'
  /** Refused, reset, unreachable: no HTTP answer at all. */
  | 'network'
  /** 200, but not a CometBFT status. */
  | 'malformed'
  /** The caller's signal aborted the request. */
  | 'aborted';

export type CometStatusResponse = { ok: true; status: CometStatus } | { ok: false; error: string; kind: CometFailure };

export type FetchCometStatusOptions = {
  /** Per call, retry included, connect to last body byte. Upstream: 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

/** A CometBFT /status body is about 1.5 KB; anything near this is not one. */
export const MAX_STATUS_BODY_BYTES = 1 << 20;

/** A non-200 answer's body up to this size is drained so its connection can be reused. */
const MAX_DRAINED_BYTES = 64 << 10;

const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxFreeSockets: 1024, timeout: 60_000 });

type Attempt = { status: number; statusText: string; body: string | undefined } | { error: unknown };

export async function fetchCometStatus(
  podIP: string,
  rpcPort: number,
  options: FetchCometStatusOptions = {},
): Promise<CometStatusResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const host = podIP.includes(':') ? `[${podIP}]` : podIP;
  const url = `http://${host}:${rpcPort}/status`;
  if (options.signal?.aborted) return { ok: false, kind: 'aborted', error: `GET ${url}: aborted` };

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let attempt = await get(podIP, rpcPort, controller.signal);
    if ('error' in attempt && !controller.signal.aborted) attempt = await get(podIP, rpcPort, controller.signal);
    if ('error' in attempt) {
      if (timedOut) return { ok: false, kind: 'timeout', error: `GET ${url}: timed out after ${timeoutMs} ms` };
      if (options.signal?.aborted) return { ok: false, kind: 'aborted', error: `GET ${url}: aborted` };
      return { ok: false, kind: 'network', error: `GET ${url}: ${networkErrorText(attempt.error)}` };
    }
    if (attempt.status !== 200) {
      return { ok: false, kind: 'http', error: httpStatusText(attempt.status, attempt.statusText) };
    }
    if (attempt.body === undefined) {
      return {
        ok: false,
        kind: 'malformed',
        error: `malformed status: body over the ${MAX_STATUS_BODY_BYTES}-byte limit, not read further`,
      };
    }
    const parsed = parseCometStatus(attempt.body);
    return parsed.ok ? parsed : { ok: false, kind: 'malformed', error: parsed.error };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** One GET; the body only for 200 (undefined past the size cap). Resolves, never rejects. */
function get(host: string, port: number, signal: AbortSignal): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (a: Attempt) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(a);
    };
    const req = http.request({
      host,
      port,
      path: '/status',
      method: 'GET',
      agent,
      headers: { accept: 'application/json' },
    }, (res) => {
      const status = res.statusCode ?? 0;
      const statusText = res.statusMessage ?? '';
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (status !== 200) {
        finish({ status, statusText, body: '' });
        if (declared <= MAX_DRAINED_BYTES) res.resume();
        else req.destroy();
        return;
      }
      if (declared > MAX_STATUS_BODY_BYTES) {
        finish({ status, statusText, body: undefined });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_STATUS_BODY_BYTES) {
          finish({ status, statusText, body: undefined });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish({ status, statusText, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => finish({ error }));
      res.on('aborted', () => finish({ error: new Error('response aborted') }));
    });
    const onAbort = () => {
      req.destroy(new Error('aborted'));
      finish({ error: new Error('aborted') });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish({ error }));
    req.end();
  });
}

/** Go's `resp.Status`: "503 Service Unavailable". */
function httpStatusText(status: number, statusText: string): string {
  const text = statusText || REASONS[status] || '';
  return text ? `${status} ${text}` : String(status);
}

// Reason phrases for answers whose status line carries none (statusText is then empty).
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The innermost useful message of an error and its causes (AggregateError: its first error). */
function networkErrorText(err: unknown): string {
  let e: unknown = err;
  let text = '';
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg) text = msg;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else e = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  }
  return text || 'request failed';
}
