// Raw JSON requests to the API server with client-node's credentials, TLS and connection
// pooling. The generated typed APIs cannot address arbitrary group/version/plural (the core
// group lives under /api/v1, not /apis/{group}) and they turn known kinds into class instances
// with Date fields, while watch events arrive as plain JSON. The cache and the writers use this
// one path so every object is plain JSON the same way.

import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { apiStatusOf } from './api-errors.ts';

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RestRequest = {
  method: RestMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/ns/configmaps`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON (which is also valid YAML for server-side apply). */
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  signal?: AbortSignal;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
};

export type RestClient = {
  /** The API server URL, e.g. `https://127.0.0.1:6443`. */
  readonly server: string;
  readonly kubeConfig: KubeConfig;
  /** Resolves to the parsed response body; rejects with client-node's ApiException on non-2xx. */
  request<T = unknown>(req: RestRequest): Promise<T>;
};

const defaultTimeoutMs = 30_000;

export function createRestClient(kc: KubeConfig, opts: { userAgent?: string } = {}): RestClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const server = cluster.server.replace(/\/+$/, '');
  const http = new IsomorphicFetchHttpLibrary();
  const userAgent = opts.userAgent ?? 'cosmos-operator';

  return {
    server,
    kubeConfig: kc,
    async request<T>(req: RestRequest): Promise<T> {
      const url = new URL(server + req.path);
      for (const [k, v] of Object.entries(req.query ?? {})) {
        if (v !== undefined) url.searchParams.set(k, String(v));
      }
      const ctx = new RequestContext(url.toString(), HttpMethod[req.method]);
      ctx.setHeaderParam('Accept', 'application/json');
      ctx.setHeaderParam('User-Agent', userAgent);
      if (req.body !== undefined) {
        ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
        ctx.setBody(JSON.stringify(req.body));
      }
      const timeout = AbortSignal.timeout(req.timeoutMs ?? defaultTimeoutMs);
      ctx.setSignal(req.signal ? AbortSignal.any([req.signal, timeout]) : timeout);
      // Adds the bearer token or client certificate and the pooled dispatcher for this cluster.
      await kc.applySecurityAuthentication(ctx);
      const res = await http.send(ctx).toPromise();
      const text = await res.body.text();
      const body = parseJson(text);
      if (res.httpStatusCode < 200 || res.httpStatusCode > 299) {
        const status = apiStatusOf({ body });
        const detail = status?.message ?? (typeof body === 'string' ? body : '');
        throw new ApiException(
          res.httpStatusCode,
          `${req.method} ${req.path}: ${res.httpStatusCode}${status?.reason ? ` ${status.reason}` : ''}${detail ? `: ${detail}` : ''}`,
          body,
          res.headers,
        );
      }
      return body as T;
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
