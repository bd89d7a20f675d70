// Classifies a failed API call, so callers decide between retrying, giving up and treating
// the object as absent, without matching on status codes themselves (docs/architecture.md §3).
//   transient: retry with backoff. Conflicts (409, stale cache), throttling (429), server and
//              network trouble, timeouts, and 401/403 too: credentials and RBAC are fixed
//              without touching the object (kube-rs treats watcher errors the same way).
//   permanent: the same request will fail again until the object changes (400, 422, ...).
//   gone:      404 on a read: the object is absent, which is an answer, not a failure.
// Anything unrecognised is transient: retrying too much costs less than never retrying.

/**
 * A non-2xx answer from the API server: the HTTP status as `code`, the body (a Status object when
 * the server sent one) and the response headers; the same fields client-node's ApiException has.
 */
export class KubeApiError extends Error {
  readonly code: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(code: number, message: string, body: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

export type ApiErrorClass = 'transient' | 'permanent' | 'gone';
export type ApiOperation = 'read' | 'write';

/** Requests whose retry is hopeless: malformed, invalid, or of a kind the server refuses. */
const permanentCodes = new Set([400, 405, 406, 413, 415, 422]);

export function classifyApiError(err: unknown, op: ApiOperation = 'write'): ApiErrorClass {
  const code = statusCodeOf(err);
  if (code === undefined) return 'transient';
  if (code === 404) return op === 'read' ? 'gone' : 'transient';
  if (permanentCodes.has(code)) return 'permanent';
  // kube-apiserver answers a server-side apply whose fields do not fit the schema with a 500
  // (seen on v1.35: "failed to create typed patch object ... expected numeric, got string").
  // The same patch fails the same way every time.
  if (code === 500 && apiStatusOf(err)?.message?.startsWith('failed to create typed patch object')) return 'permanent';
  return 'transient';
}

/** The HTTP status of a KubeApiError (or client-node's ApiException), an error with `statusCode`, or a Status object; undefined for network errors. */
export function statusCodeOf(err: unknown): number | undefined {
  // DOMException (TimeoutError, AbortError) has a legacy numeric `code` too (23, 20).
  if (typeof err !== 'object' || err === null || err instanceof DOMException) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  // KubeApiError and client-node's ApiException carry `code`, client-node's Watch fails with `statusCode`, a Status body has `code`.
  // Node's system errors also have a string `code` (ECONNREFUSED), which is not an HTTP status.
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** A KubeApiError's Status body, when the server sent one. */
export function apiStatusOf(err: unknown): { reason?: string; message?: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  let body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text ? { message: text } : undefined;
    }
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { reason?: unknown; message?: unknown };
  return {
    reason: typeof b.reason === 'string' ? b.reason : undefined,
    message: typeof b.message === 'string' ? b.message : undefined,
  };
}

/**
 * One line for logs and errors: `422 Invalid: ConfigMap "x" is invalid: ...`.
 * client-node's ApiException message embeds the whole body and the response headers, so never
 * log it as is.
 */
export function describeApiError(err: unknown): string {
  const code = statusCodeOf(err);
  if (code !== undefined) {
    const status = apiStatusOf(err);
    const reason = status?.reason ? ` ${status.reason}` : '';
    const message = status?.message ?? (err instanceof Error && !('body' in err) ? err.message : undefined);
    return `${code}${reason}${message ? `: ${message}` : ''}`;
  }
  if (err instanceof Error) {
    // undici: `TypeError: fetch failed` whose cause holds the socket error.
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    if (cause && typeof cause === 'object') {
      const detail = typeof cause.code === 'string'
        ? cause.code
        : typeof cause.message === 'string'
        ? cause.message
        : '';
      if (detail) return `${err.message} (${detail})`;
    }
    return err.name && err.name !== 'Error' && !err.message.includes(err.name)
      ? `${err.name}: ${err.message}`
      : err.message;
  }
  return String(err);
}
