// The four answers a webhook gives, as admission responses (without uid; the codec adds it).
// Denials are 422 Invalid with one cause per field, as apierrors.NewInvalid builds them, so
// kubectl prints `The CosmosFullNode "x" is invalid:` and a `* field: message` line per cause
// (docs/architecture.md §5.8).
import type { AdmissionResponse, StatusCause } from './admission-review.ts';
import type { PatchOperation } from './json-patch.ts';

/** A field-level reason for a denial: `type` is a Kubernetes CauseType such as FieldValueRequired. */
export type Cause = StatusCause;

export type DeniedObject = { group: string; kind: string; name: string };

function withWarnings(response: AdmissionResponse, warnings: readonly string[] | undefined): AdmissionResponse {
  return warnings !== undefined && warnings.length > 0 ? { ...response, warnings: [...warnings] } : response;
}

export function allowed(warnings?: readonly string[]): AdmissionResponse {
  return withWarnings({ allowed: true }, warnings);
}

/** Allowed with a JSONPatch; with no operations it is a plain allow (no empty patch on the wire). */
export function patched(ops: readonly PatchOperation[], warnings?: readonly string[]): AdmissionResponse {
  if (ops.length === 0) return allowed(warnings);
  return withWarnings(
    { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') },
    warnings,
  );
}

/**
 * The message apierrors.NewInvalid writes: `<Kind>.<group> "<name>" is invalid: <errors>`, the
 * errors being `field: message`, bracketed and comma-joined when more than one, duplicates
 * dropped (field.ErrorList.ToAggregate).
 */
export function invalidMessage(causes: readonly Cause[], target: DeniedObject): string {
  const qualifiedKind = target.group === '' ? target.kind : `${target.kind}.${target.group}`;
  const head = `${qualifiedKind} ${JSON.stringify(target.name)} is invalid`;
  const errors = [...new Set(causes.map((c) => (c.field === '' ? c.message : `${c.field}: ${c.message}`)))];
  if (errors.length === 0) return head;
  return `${head}: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
}

export function denied(
  causes: readonly Cause[],
  target: DeniedObject,
  warnings?: readonly string[],
): AdmissionResponse {
  return withWarnings(
    {
      allowed: false,
      status: {
        status: 'Failure',
        code: 422,
        reason: 'Invalid',
        message: invalidMessage(causes, target),
        details: {
          group: target.group,
          kind: target.kind,
          name: target.name,
          causes: causes.map((c) => ({ type: c.type, field: c.field, message: c.message })),
        },
      },
    },
    warnings,
  );
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Not allowed because the webhook could not decide; the API server shows 500 as "Internal error occurred". */
export function errored(code: number, message: string): AdmissionResponse {
  const reason = REASONS[code];
  return {
    allowed: false,
    status: reason === undefined ? { status: 'Failure', code, message } : { status: 'Failure', code, reason, message },
  };
}
