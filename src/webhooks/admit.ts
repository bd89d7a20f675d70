// What a validating or defaulting webhook answers to a decoded request, given a kind's pure
// handlers. No I/O: a handler that throws becomes an `errored(500)` answer carrying the error
// for the caller to log. dryRun requests take the same path, since nothing here has effects.
import type { AdmissionRequest, AdmissionResponse, Operation } from './admission-review.ts';
import { cloneJson } from '../api/json-clone.ts';
import { diffJson, jsonEqual } from './json-patch.ts';
import { allowed, type Cause, denied, errored, patched } from './responses.ts';
import { ratchet, toleratedWarning } from './ratchet.ts';

export type Validation = { causes: Cause[]; warnings: string[] };

/** The pure functions a kind supplies (the API code in src/api/ implements them). */
export type KindHandlers = {
  group: string;
  version: string;
  kind: string;
  /** Field causes for an object; `old` is the stored object on UPDATE. Must not throw for bad input, only for bugs. */
  validate(obj: unknown, old: unknown | undefined, op: Operation): Validation;
  /**
   * The object with defaults filled in. It must return every field it was given, including ones
   * it does not model: anything missing becomes a `remove` in the patch.
   */
  default(obj: unknown): unknown;
};

export type Decision = {
  response: AdmissionResponse;
  /** what happened, for logs and tests */
  outcome: 'allowed' | 'skipped' | 'denied' | 'patched' | 'errored';
  /** the error a handler threw, for the caller to log */
  error?: unknown;
};

function metadataOf(obj: unknown): Record<string, unknown> | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const metadata = (obj as Record<string, unknown>).metadata;
  return typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>) : undefined;
}

function isBeingDeleted(obj: unknown): boolean {
  const stamp = metadataOf(obj)?.deletionTimestamp;
  return stamp !== undefined && stamp !== null && stamp !== '';
}

// Fields that change on an update nobody authored as a spec change: the API server's own
// bookkeeping, and status (reset from the stored object for the main resource anyway).
const BOOKKEEPING = ['finalizers', 'managedFields', 'resourceVersion', 'generation'];

function withoutBookkeeping(obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null) return obj;
  const { status: _status, metadata, ...rest } = obj as Record<string, unknown>;
  const meta = metadataOf(obj);
  if (meta === undefined) return { ...rest, metadata };
  return { ...rest, metadata: Object.fromEntries(Object.entries(meta).filter(([k]) => !BOOKKEEPING.includes(k))) };
}

/**
 * True for an UPDATE a webhook must never block: the object is being deleted, or only its
 * finalizers (and the API server's bookkeeping) changed. Blocking these would leave objects
 * stuck in Terminating (docs/architecture.md §5.7).
 */
export function isExemptUpdate(request: AdmissionRequest): boolean {
  if (request.operation !== 'UPDATE') return false;
  if (isBeingDeleted(request.object) || isBeingDeleted(request.oldObject)) return true;
  if (request.oldObject === undefined) return false;
  return jsonEqual(withoutBookkeeping(request.object), withoutBookkeeping(request.oldObject));
}

function objectName(request: AdmissionRequest): string {
  if (request.name !== '') return request.name;
  const name = metadataOf(request.object)?.name;
  return typeof name === 'string' ? name : '';
}

function describe(handlers: KindHandlers, request: AdmissionRequest): string {
  const name = objectName(request);
  const key = request.namespace === '' ? name : `${request.namespace}/${name}`;
  return `${handlers.kind} ${JSON.stringify(key)}`;
}

/** Requests a handler never sees: other operations, exempt updates, or a kind this webhook does not serve. */
function precheck(handlers: KindHandlers, request: AdmissionRequest): Decision | undefined {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') {
    return { response: allowed(), outcome: 'skipped' };
  }
  if (request.kind.group !== handlers.group || request.kind.kind !== handlers.kind) {
    const got = `${request.kind.group === '' ? 'core' : request.kind.group}/${request.kind.kind}`;
    return {
      response: errored(
        400,
        `this webhook serves ${handlers.group}/${handlers.kind}, not ${got}: check the webhook configuration's rules`,
      ),
      outcome: 'errored',
    };
  }
  if (isExemptUpdate(request)) return { response: allowed(), outcome: 'skipped' };
  return undefined;
}

function isValidation(value: unknown): value is Validation {
  if (typeof value !== 'object' || value === null) return false;
  const { causes, warnings } = value as Record<string, unknown>;
  return Array.isArray(causes) && Array.isArray(warnings);
}

export function decideValidation(handlers: KindHandlers, request: AdmissionRequest): Decision {
  const early = precheck(handlers, request);
  if (early !== undefined) return early;
  let result: unknown;
  try {
    result = handlers.validate(request.object, request.oldObject, request.operation);
    if (!isValidation(result)) throw new TypeError('validate returned something other than {causes, warnings}');
  } catch (error) {
    return {
      response: errored(
        500,
        `validating ${describe(handlers, request)} failed: ${(error as Error)?.message ?? String(error)}`,
      ),
      outcome: 'errored',
      error,
    };
  }
  let { causes, warnings } = result;
  if (causes.length > 0 && request.operation === 'UPDATE' && request.oldObject !== undefined) {
    // Ratcheting (ratchet.ts): the stored object is judged by the same rules, without an `old`.
    let oldCauses: Cause[] = [];
    try {
      const judged = handlers.validate(request.oldObject, undefined, 'CREATE');
      if (isValidation(judged)) oldCauses = judged.causes;
    } catch {
      // A stored object the validator cannot judge tolerates nothing.
    }
    const { refused, tolerated } = ratchet(causes, request.object, request.oldObject, oldCauses);
    causes = refused;
    warnings = [...warnings, ...tolerated.map(toleratedWarning)];
  }
  if (causes.length === 0) return { response: allowed(warnings), outcome: 'allowed' };
  return {
    response: denied(causes, { group: handlers.group, kind: handlers.kind, name: objectName(request) }, warnings),
    outcome: 'denied',
  };
}

export function decideDefaulting(handlers: KindHandlers, request: AdmissionRequest): Decision {
  const early = precheck(handlers, request);
  if (early !== undefined) return early;
  try {
    // The handler gets a copy: the diff needs the raw object as it came.
    const defaulted = handlers.default(cloneJson(request.object));
    if (typeof defaulted !== 'object' || defaulted === null || Array.isArray(defaulted)) {
      throw new TypeError('default returned something other than an object');
    }
    const ops = diffJson(request.object, defaulted);
    return { response: patched(ops), outcome: ops.length === 0 ? 'allowed' : 'patched' };
  } catch (error) {
    return {
      response: errored(
        500,
        `defaulting ${describe(handlers, request)} failed: ${(error as Error)?.message ?? String(error)}`,
      ),
      outcome: 'errored',
      error,
    };
  }
}
