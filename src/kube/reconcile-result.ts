// What a reconcile returns, and the one error class it throws. Only kube/controller.ts turns
// these into queue operations (controller-runtime's reconcileHandler):
//   done          → forget the key's backoff; wait for the next change
//   requeueAfter  → forget, then add the key again after `ms` (polling, not retrying)
//   transient     → retry with per-key exponential backoff
//   permanent     → no retry (controller-runtime's TerminalError); event + status tell the user
// A thrown error wins over any requeueAfter the reconciler meant to return.

import { describeApiError } from './api-errors.ts';

export type ReconcileResult = { kind: 'done' } | { kind: 'requeueAfter'; ms: number };

export const done: ReconcileResult = Object.freeze({ kind: 'done' });

export function requeueAfter(ms: number): ReconcileResult {
  return { kind: 'requeueAfter', ms };
}

export type ReconcileErrorKind = 'transient' | 'permanent';

/** Where a failure happened: the object (`namespace/name`), and optionally the field and event reason. */
export type FailureContext = { object?: string; field?: string; reason?: string; message?: string };

export class ReconcileError extends Error {
  readonly kind: ReconcileErrorKind;
  /** The event reason a recorder would use, e.g. `ApplyFailed`. */
  readonly reason: string;
  /** `namespace/name` of the object being reconciled or written, when known. */
  readonly object: string | undefined;
  readonly field: string | undefined;

  constructor(kind: ReconcileErrorKind, message: string, context: FailureContext, cause: unknown) {
    super(message, { cause });
    this.name = 'ReconcileError';
    this.kind = kind;
    this.reason = context.reason ?? (kind === 'transient' ? 'ReconcileRetrying' : 'ReconcileFailed');
    this.object = context.object;
    this.field = context.field;
  }
}

/** A failure worth retrying with backoff: API hiccups, conflicts, missing permissions. */
export function transient(cause: unknown, what: string | FailureContext): ReconcileError {
  return build('transient', cause, what);
}

/** A failure no retry can fix until the object changes: bad spec, rejected by the API (400/422). */
export function permanent(cause: unknown, what: string | FailureContext): ReconcileError {
  return build('permanent', cause, what);
}

export function isReconcileError(err: unknown): err is ReconcileError {
  return err instanceof ReconcileError;
}

function build(kind: ReconcileErrorKind, cause: unknown, what: string | FailureContext): ReconcileError {
  const context = typeof what === 'string' ? { message: what } : what;
  const head = context.message ?? (context.object ? `reconcile ${context.object}` : 'reconcile');
  const where = [context.object && !head.includes(context.object) ? context.object : undefined, context.field]
    .filter(Boolean)
    .join(' ');
  const message = `${head}${where ? ` (${where})` : ''}: ${causeMessage(cause)}`;
  return new ReconcileError(kind, message, context, cause);
}

function causeMessage(cause: unknown): string {
  // describeApiError keeps client-node's header-laden ApiException message out of ours.
  return describeApiError(cause);
}
