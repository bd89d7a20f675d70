// AdmissionReview admission.k8s.io/v1 codec: the only code that knows the wire format.
// Decoding mirrors controller-runtime's admission/http.go (Content-Type application/json,
// 7 MiB body limit); the response echoes the request's uid, apiVersion and kind
// (docs/architecture.md §5.6).

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const MAX_REQUEST_BYTES = 7 * 1024 * 1024;
/**
 * How deeply a body's objects and arrays may nest. The handlers walk objects recursively
 * (defaulting's copy, the JSON patch diff, ratcheting), and a body nested thousands deep would
 * overflow the stack there and be answered 500. A real AdmissionReview of any of our kinds nests
 * a few dozen levels (managedFields included); the API server stores deeper objects only in
 * fields we do not take.
 */
export const MAX_NESTING_DEPTH = 256;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export type GroupVersionKind = { group: string; version: string; kind: string };

export type AdmissionRequest = {
  uid: string;
  /** the kind as converted for this webhook (matchPolicy Equivalent) */
  kind: GroupVersionKind;
  /** empty when the object is created with generateName */
  name: string;
  /** empty for cluster-scoped objects */
  namespace: string;
  operation: Operation;
  subResource: string | undefined;
  /** the object as received, untouched; undefined on DELETE */
  object: unknown;
  /** the stored object on UPDATE and DELETE */
  oldObject: unknown;
  dryRun: boolean;
  userInfo: unknown;
};

export type AdmissionReviewRequest = {
  apiVersion: string;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
};

export type StatusCause = { type: string; field: string; message: string };

/** metav1.Status as carried in an admission response. */
export type Status = {
  status?: 'Success' | 'Failure';
  code: number;
  reason?: string;
  message: string;
  details?: { group: string; kind: string; name: string; causes: StatusCause[] };
};

export type AdmissionResponse = {
  allowed: boolean;
  status?: Status;
  patchType?: 'JSONPatch';
  /** base64 of a JSON array of RFC 6902 operations */
  patch?: string;
  warnings?: string[];
};

/** Why a body is not an AdmissionReview we can answer; `httpStatus` is 400, or 413 when too large. */
export type DecodeFailure = { httpStatus: 400 | 413; message: string; uid?: string };

export type DecodeResult = { ok: true; review: AdmissionReviewRequest } | { ok: false; failure: DecodeFailure };

function fail(message: string, httpStatus: 400 | 413 = 400, uid?: string): DecodeResult {
  return { ok: false, failure: uid === undefined ? { httpStatus, message } : { httpStatus, message, uid } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for `application/json`, parameters (charset) allowed. */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  if (contentType === null || contentType === undefined) return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and checks a request body; every failure names what is wrong. */
export function decodeAdmissionReview(contentType: string | null | undefined, body: Uint8Array | string): DecodeResult {
  if (!isJsonContentType(contentType)) {
    return fail(`contentType=${contentType ?? '(none)'}, expected application/json`);
  }
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_REQUEST_BYTES) return fail(`request entity is too large; limit is ${MAX_REQUEST_BYTES} bytes`, 413);
  if (size === 0) return fail('request body is empty');
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch (error) {
    return fail(`request body is not JSON: ${(error as Error).message}`);
  }
  if (nestingDepthExceeds(text, MAX_NESTING_DEPTH)) {
    return fail(`request body nests objects or arrays more than ${MAX_NESTING_DEPTH} levels deep`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`request body is not JSON: ${(error as Error).message}`);
  }
  return checkAdmissionReview(parsed);
}

/**
 * True when JSON text opens more than `limit` objects or arrays inside each other. One pass over
 * the characters without recursion, before anything parses or walks the text: brackets inside
 * strings do not count.
 */
function nestingDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Shape checks on a parsed body. */
export function checkAdmissionReview(parsed: unknown): DecodeResult {
  if (!isRecord(parsed)) return fail('request body must be a JSON object (an AdmissionReview)');
  const { apiVersion, kind, request } = parsed;
  if (apiVersion !== ADMISSION_API_VERSION) {
    return fail(`apiVersion must be ${ADMISSION_API_VERSION}, got ${JSON.stringify(apiVersion) ?? 'nothing'}`);
  }
  if (kind !== 'AdmissionReview') return fail(`kind must be AdmissionReview, got ${JSON.stringify(kind) ?? 'nothing'}`);
  if (!isRecord(request)) return fail('request must be an object');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') return fail('request.uid must be a non-empty string');
  const operation = request.operation;
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation)) {
    return fail(
      `request.operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(operation) ?? 'nothing'}`,
      400,
      uid,
    );
  }
  const gvk = request.kind;
  if (
    !isRecord(gvk) || typeof gvk.group !== 'string' || typeof gvk.version !== 'string' || typeof gvk.kind !== 'string'
  ) {
    return fail('request.kind must be {group, version, kind} strings', 400, uid);
  }
  const object = request.object ?? undefined;
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isRecord(object)) {
    return fail(`request.object must be an object on ${operation}`, 400, uid);
  }
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    if (request[field] !== undefined && typeof request[field] !== 'string') {
      return fail(`request.${field} must be a string`, 400, uid);
    }
  }
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== 'boolean') {
    return fail('request.dryRun must be a boolean', 400, uid);
  }
  return {
    ok: true,
    review: {
      apiVersion,
      kind,
      request: {
        uid,
        kind: { group: gvk.group, version: gvk.version, kind: gvk.kind },
        name: (request.name as string | undefined) ?? '',
        namespace: (request.namespace as string | undefined) ?? '',
        operation: operation as Operation,
        subResource: (request.subResource as string | undefined) || undefined,
        object,
        oldObject: request.oldObject ?? undefined,
        dryRun: request.dryRun === true,
        userInfo: request.userInfo,
      },
    },
  };
}

/**
 * Reads and decodes a web Request. With a Content-Length within the limit the body is read
 * in one go; without one (chunked) it is streamed and cut off at the limit.
 */
export async function readAdmissionReview(request: Request): Promise<DecodeResult> {
  const contentType = request.headers.get('content-type');
  if (!isJsonContentType(contentType)) return decodeAdmissionReview(contentType, '');
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_REQUEST_BYTES) {
    return fail(`request entity is too large; limit is ${MAX_REQUEST_BYTES} bytes`, 413);
  }
  let body: Uint8Array;
  try {
    body = declared !== null ? new Uint8Array(await request.arrayBuffer()) : await readLimited(request);
  } catch (error) {
    if (error instanceof BodyTooLarge) return fail(error.message, 413);
    return fail(`unable to read the request body: ${(error as Error).message}`);
  }
  return decodeAdmissionReview(contentType, body);
}

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

async function readLimited(request: Request): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_REQUEST_BYTES) {
      await reader.cancel();
      throw new BodyTooLarge(`request entity is too large; limit is ${MAX_REQUEST_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export type AdmissionReviewResponse = {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse & { uid: string };
};

/** The answer to a decoded review: same apiVersion and kind, the request's uid echoed. */
export function encodeAdmissionReview(
  review: AdmissionReviewRequest,
  response: AdmissionResponse,
): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, ...response } };
}

/** The answer to a body we could not decode: allowed false with the reason, so a person with curl sees it. */
export function encodeDecodeFailure(failure: DecodeFailure): AdmissionReviewResponse {
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: 'AdmissionReview',
    response: {
      uid: failure.uid ?? '',
      allowed: false,
      status: {
        status: 'Failure',
        code: failure.httpStatus,
        reason: failure.httpStatus === 413 ? 'RequestEntityTooLarge' : 'BadRequest',
        message: failure.message,
      },
    },
  };
}
