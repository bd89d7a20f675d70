// Validation ratcheting on UPDATE, as Kubernetes does for CRD schemas (CRDValidationRatcheting):
// an object stored before a rule existed (by the Go operator, which checked far less) must not
// have every later update refused, label edits and scaling included, for a value nobody touched.
// A cause is tolerated only when the stored object already failed with the very same cause and
// the field's value is unchanged; anything the update changes or newly breaks is still refused.
// Tolerated causes come back as warnings, so the user still sees them.
import type { Cause } from './responses.ts';
import { jsonEqual } from './json-patch.ts';

const MISSING = Symbol('missing');

/** Splits `spec.instanceOverrides[node-0].disable` / `spec.peers[1]` into segments. */
export function fieldPathSegments(path: string): string[] {
  const segments: string[] = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  for (const m of path.matchAll(re)) segments.push((m[1] ?? m[2]) as string);
  return segments;
}

/** The value at a Kubernetes field path, or MISSING when a step does not exist. */
export function valueAt(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const segment of fieldPathSegments(path)) {
    if (Array.isArray(current)) {
      const index = Number(segment);
      if (!Number.isInteger(index) || index < 0 || index >= current.length) return MISSING;
      current = current[index];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return MISSING;
    }
  }
  return current;
}

const sameCause = (a: Cause, b: Cause) => a.field === b.field && a.message === b.message && a.type === b.type;

export function ratchet(
  causes: readonly Cause[],
  object: unknown,
  oldObject: unknown,
  oldCauses: readonly Cause[],
): { refused: Cause[]; tolerated: Cause[] } {
  const refused: Cause[] = [];
  const tolerated: Cause[] = [];
  for (const cause of causes) {
    const before = valueAt(oldObject, cause.field);
    const after = valueAt(object, cause.field);
    const unchanged = before === MISSING || after === MISSING ? before === after : jsonEqual(before, after);
    if (unchanged && oldCauses.some((c) => sameCause(c, cause))) tolerated.push(cause);
    else refused.push(cause);
  }
  return { refused, tolerated };
}

export function toleratedWarning(cause: Cause): string {
  return `${cause.field}: ${cause.message} (allowed because the stored object already has this value; it will be refused once the field changes)`;
}
