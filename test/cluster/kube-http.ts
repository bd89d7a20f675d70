// deno-lint-ignore-file no-explicit-any
// A minimal HTTPS client for the harness's own calls to the API server (readiness probes, a
// few creates, the volume provisioner's list+watch). The operator has its own client; this one
// exists so the harness needs no npm dependency and starts fast. Runs on Node and Deno.
import https from 'node:https';
import { readFileSync } from 'node:fs';

export type ApiAuth = {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  agent?: https.Agent;
};

export type ApiResponse = { status: number; body: string };

/** A non-2xx answer; `status` 0 means no answer at all (connection refused, timeout). */
export class ApiError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(message: string, status: number, body: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** Credentials from PEM files (the admin identity in cluster.json). */
export function fileAuth(server: string, caFile: string, certFile?: string, keyFile?: string): ApiAuth {
  return {
    server,
    ca: readFileSync(caFile, 'utf8'),
    ...(certFile && keyFile ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : {}),
  };
}

function requestOptions(
  auth: ApiAuth,
  method: string,
  path: string,
  headers: Record<string, string>,
): https.RequestOptions {
  const url = new URL(path, auth.server);
  return {
    method,
    hostname: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    ca: auth.ca,
    ...(auth.cert ? { cert: auth.cert, key: auth.key } : {}),
    headers: {
      accept: 'application/json',
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...headers,
    },
    ...(auth.agent ? { agent: auth.agent } : {}),
  };
}

export function apiRequest(
  auth: ApiAuth,
  method: string,
  path: string,
  opts: { body?: unknown; contentType?: string; timeoutMs?: number } = {},
): Promise<ApiResponse> {
  const payload = opts.body === undefined
    ? undefined
    : typeof opts.body === 'string'
    ? opts.body
    : JSON.stringify(opts.body);
  const headers: Record<string, string> = payload === undefined
    ? {}
    : { 'content-type': opts.contentType ?? 'application/json' };
  return new Promise((resolve, reject) => {
    const req = https.request(requestOptions(auth, method, path, headers), (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', (e) => reject(new ApiError(`${method} ${path}: ${e.message}`, 0, '')));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Like apiRequest, but parses JSON and throws ApiError unless the status is 2xx. */
export async function apiJson<T = any>(
  auth: ApiAuth,
  method: string,
  path: string,
  opts: { body?: unknown; contentType?: string; timeoutMs?: number } = {},
): Promise<T> {
  const res = await apiRequest(auth, method, path, opts);
  if (res.status < 200 || res.status > 299) {
    throw new ApiError(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`, res.status, res.body);
  }
  return (res.body ? JSON.parse(res.body) : undefined) as T;
}

export type WatchEvent = { type: string; object: any };

/**
 * Streams a watch until the server ends it, `signal` aborts it, or the connection fails
 * (the promise then rejects). `path` must carry `watch=1` and usually `resourceVersion`.
 */
export function apiWatch(
  auth: ApiAuth,
  path: string,
  onEvent: (e: WatchEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.request(requestOptions(auth, 'GET', path, {}), (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => reject(new ApiError(`watch ${path}: HTTP ${res.statusCode}`, res.statusCode ?? 0, body)));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) onEvent(JSON.parse(line) as WatchEvent);
        }
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
    signal?.addEventListener('abort', () => req.destroy(), { once: true });
    req.end();
  });
}
