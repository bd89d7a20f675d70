// Raw JSON requests and watch streams to the API server, over node:https with the credentials
// of a KubeConfig (credentials.ts: CA, client certificate, bearer token from a file or an exec
// plugin).
//
// Why not client-node's own HTTP path (undici's fetch, used by its generated APIs and Watch):
// on Deno 2.9 an undici response body never ends when the connection dies or the request is
// aborted. A watch on a killed API server then hangs silently for ever, and no timeout can
// free it (probed: socket destroyed → Node reports "terminated", Deno reports nothing).
// node:http(s) reports both on Node and on Deno, so the cache and the elector rely on it.
// It also lets every object stay plain JSON: the generated APIs turn known kinds into class
// instances with Date fields, while watch events arrive as plain JSON.

import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { apiStatusOf, KubeApiError } from './api-errors.ts';
import { createCredentials } from './credentials.ts';
import type { KubeConfig } from './kubeconfig.ts';

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Query = Record<string, string | number | boolean | undefined>;

export type RestRequest = {
  method: RestMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/ns/configmaps`. */
  path: string;
  query?: Query;
  /** Sent as JSON (which is also valid YAML for server-side apply). */
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  signal?: AbortSignal;
  /** The whole request, response included; default 30 s. */
  timeoutMs?: number;
};

export type StreamRequest = {
  path: string;
  query?: Query;
  signal?: AbortSignal;
  /** End the stream with a TimeoutError when no byte arrives for this long (connecting included). */
  idleTimeoutMs: number;
  onLine(line: string): void;
};

/** How a stream ended: the server closed it, or it failed (non-200 answers are KubeApiErrors). */
export type StreamEnd = { kind: 'closed' } | { kind: 'error'; error: unknown };

export type RestClient = {
  /** The API server URL, e.g. `https://127.0.0.1:6443`. */
  readonly server: string;
  readonly kubeConfig: KubeConfig;
  /** Resolves to the parsed response body; rejects with a KubeApiError on non-2xx. */
  request<T = unknown>(req: RestRequest): Promise<T>;
  /** A streaming GET delivering one line at a time (watch=true responses); never rejects. */
  stream(req: StreamRequest): Promise<StreamEnd>;
};

const defaultTimeoutMs = 30_000;

export function createRestClient(kc: KubeConfig, opts: { userAgent?: string } = {}): RestClient {
  const server = kc.server.replace(/\/+$/, '');
  const userAgent = opts.userAgent ?? 'cosmos-operator';
  const credentials = createCredentials(kc);
  // One Agent for every request: Node pools sockets by the TLS options too, so rotated
  // certificates get new connections. Keep-alive, because a TLS handshake per request (client-node's
  // Agent kept none) left the process at ~390 MB resident after 600 pods converged, against ~80 MB
  // for the same 10,000 requests on reused connections (bench/memory.ts). Idle sockets close after
  // 60 s, before kube-apiserver's 90 s idle timeout could close one under a request.
  // A kubeconfig's proxy-url goes to Node's built-in proxy support (Node >= 24.5; Deno 2.9 too):
  // the Agent tunnels every connection, watches included, through HTTP CONNECT. Given as an
  // object rather than process.env, so NO_PROXY and the HTTPS_PROXY variable do not apply, as in
  // client-go, where proxy-url overrides the environment.
  const agent = new https.Agent({
    keepAlive: true,
    timeout: 60_000,
    ...(kc.proxyUrl && { proxyEnv: { HTTPS_PROXY: kc.proxyUrl } }),
  });
  const plainAgent = kc.proxyUrl
    ? new http.Agent({ keepAlive: true, timeout: 60_000, proxyEnv: { HTTP_PROXY: kc.proxyUrl } })
    : undefined;

  const url = (path: string, query: Query = {}) => {
    const u = new URL(server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  };

  /** Request options with credentials; reads token files again, so rotated tokens are used. */
  const requestOptions = async (
    u: URL,
    method: string,
    headers: Record<string, string>,
  ): Promise<https.RequestOptions> => {
    const { headers: auth, ...tls } = await credentials.forRequest();
    const plain = u.protocol === 'http:';
    return {
      ...tls,
      // A plain-HTTP server (tests) gets the default http Agent, unless there is a proxy.
      agent: plain ? plainAgent : agent,
      method,
      headers: { ...auth, 'User-Agent': userAgent, ...headers },
    };
  };

  const send = (u: URL, o: https.RequestOptions) => (u.protocol === 'http:' ? http.request(u, o) : https.request(u, o));

  return {
    server,
    kubeConfig: kc,

    async request<T>(req: RestRequest): Promise<T> {
      const u = url(req.path, req.query);
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (payload !== undefined) {
        headers['Content-Type'] = req.contentType ?? 'application/json';
        // Always say how long the body is: Node sends a DELETE body with neither Content-Length
        // nor chunked encoding, so the API server read none of it (DeleteOptions such as
        // preconditions were silently dropped) and, on a kept-alive connection, took the stray
        // bytes for the next request (400 Bad Request).
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const o = await requestOptions(u, req.method, headers);
      req.signal?.throwIfAborted();

      return new Promise<T>((resolve, reject) => {
        let settled = false;
        const fail = (err: unknown) => {
          if (settled) return;
          settled = true;
          cleanup();
          reject(err);
        };
        const r = send(u, o);
        const timer = setTimeout(
          () => r.destroy(new DOMException(`${req.method} ${req.path} timed out`, 'TimeoutError')),
          req.timeoutMs ?? defaultTimeoutMs,
        );
        const onAbort = () => r.destroy(req.signal?.reason ?? new DOMException('aborted', 'AbortError'));
        req.signal?.addEventListener('abort', onAbort, { once: true });
        const cleanup = () => {
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
        };
        r.on('error', fail);
        r.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('aborted', () => fail(new Error(`${req.method} ${req.path}: connection closed mid-response`)));
          res.on('close', () => fail(new Error(`${req.method} ${req.path}: connection closed mid-response`)));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            cleanup();
            const body = parseJson(Buffer.concat(chunks).toString('utf8'));
            const code = res.statusCode ?? 0;
            if (code >= 200 && code <= 299) resolve(body as T);
            else reject(apiException(req.method, req.path, code, body, res.headers));
          });
        });
        r.end(payload);
      });
    },

    async stream(req: StreamRequest): Promise<StreamEnd> {
      const u = url(req.path, req.query);
      let o: https.RequestOptions;
      try {
        o = await requestOptions(u, 'GET', { Accept: 'application/json' });
      } catch (error) {
        return { kind: 'error', error };
      }
      if (req.signal?.aborted) return { kind: 'closed' };

      return new Promise<StreamEnd>((resolve) => {
        let ended = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const r = send(u, o);
        const finish = (end: StreamEnd) => {
          if (ended) return;
          ended = true;
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
          r.destroy();
          resolve(end);
        };
        const idle = () => {
          clearTimeout(timer);
          timer = setTimeout(
            () =>
              finish({ kind: 'error', error: new DOMException(`no data for ${req.idleTimeoutMs} ms`, 'TimeoutError') }),
            req.idleTimeoutMs,
          );
        };
        const onAbort = () => finish({ kind: 'closed' });
        req.signal?.addEventListener('abort', onAbort, { once: true });
        idle();

        r.on('error', (error) => finish({ kind: 'error', error }));
        r.on('response', (res) => {
          const code = res.statusCode ?? 0;
          if (code !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const body = parseJson(Buffer.concat(chunks).toString('utf8'));
              finish({ kind: 'error', error: apiException('GET', req.path, code, body, res.headers) });
            });
            res.on('error', (error) => finish({ kind: 'error', error }));
            return;
          }
          res.setEncoding('utf8');
          let partial = '';
          res.on('data', (chunk: string) => {
            if (ended) return;
            idle();
            partial += chunk;
            let nl: number;
            while (!ended && (nl = partial.indexOf('\n')) >= 0) {
              const line = partial.slice(0, nl);
              partial = partial.slice(nl + 1);
              if (line.trim()) req.onLine(line);
            }
          });
          res.on('end', () => {
            if (!ended && partial.trim()) req.onLine(partial);
            finish({ kind: 'closed' });
          });
          res.on(
            'aborted',
            () => finish({ kind: 'error', error: new Error(`watch ${req.path}: connection closed by peer`) }),
          );
          res.on('error', (error) => finish({ kind: 'error', error }));
          res.on('close', () => finish({ kind: 'error', error: new Error(`watch ${req.path}: connection closed`) }));
        });
        r.end();
      });
    },
  };
}

function apiException(method: string, path: string, code: number, body: unknown, headers: http.IncomingHttpHeaders) {
  const status = apiStatusOf({ body });
  const detail = status?.message ?? (typeof body === 'string' ? body : '');
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return new KubeApiError(
    code,
    `${method} ${path}: ${code}${status?.reason ? ` ${status.reason}` : ''}${detail ? `: ${detail}` : ''}`,
    body,
    flat,
  );
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
