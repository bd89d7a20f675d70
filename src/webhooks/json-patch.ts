// RFC 6902 JSON Patch from one JSON value to another, for defaulting webhooks. The patch is
// computed against the raw request object, never a re-serialised typed copy, so fields this
// operator does not model are left alone (controller-runtime PatchResponseFromRaw, kubebuilder#510).
// Pure.

export type PatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** One JSON Pointer reference token (RFC 6901 §3): `~` → `~0`, then `/` → `~1`. */
export function escapePointerSegment(segment: string): string {
  if (!segment.includes('~') && !segment.includes('/')) return segment; // the common case, without regexes
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Operations that turn `source` into `target`. Objects are diffed key by key. Arrays are
 * diffed element-wise over their common length, then grown by appending at the end or
 * shrunk by removing from the end (highest index first, so each index is valid when
 * applied). `undefined` object members count as absent, as JSON.stringify treats them.
 */
export function diffJson(source: unknown, target: unknown): PatchOperation[] {
  const ops: PatchOperation[] = [];
  diffValue(source, target, '', ops);
  return ops;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function diffValue(source: unknown, target: unknown, path: string, ops: PatchOperation[]): void {
  if (isObject(source) && isObject(target)) {
    diffObject(source, target, path, ops);
  } else if (Array.isArray(source) && Array.isArray(target)) {
    diffArray(source, target, path, ops);
  } else if (!jsonEqual(source, target)) {
    ops.push({ op: 'replace', path, value: toJson(target) });
  }
}

function diffObject(source: JsonObject, target: JsonObject, path: string, ops: PatchOperation[]): void {
  for (const key of Object.keys(source)) {
    if (source[key] === undefined) continue;
    if (target[key] === undefined) ops.push({ op: 'remove', path: `${path}/${escapePointerSegment(key)}` });
  }
  for (const key of Object.keys(target)) {
    const value = target[key];
    const before = source[key];
    if (value === undefined || value === before) continue;
    const childPath = `${path}/${escapePointerSegment(key)}`;
    if (before === undefined) ops.push({ op: 'add', path: childPath, value: toJson(value) });
    else diffValue(before, value, childPath, ops);
  }
}

function diffArray(source: readonly unknown[], target: readonly unknown[], path: string, ops: PatchOperation[]): void {
  const common = Math.min(source.length, target.length);
  for (let i = 0; i < common; i++) {
    if (source[i] !== target[i]) diffValue(source[i] ?? null, target[i] ?? null, `${path}/${i}`, ops);
  }
  for (let i = source.length - 1; i >= target.length; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
  for (let i = source.length; i < target.length; i++) {
    ops.push({ op: 'add', path: `${path}/${i}`, value: toJson(target[i] ?? null) });
  }
}

/** Deep equality of JSON values; `undefined` members count as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item ?? null, b[i] ?? null));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const aKeys = Object.keys(a).filter((k) => a[k] !== undefined);
    const bKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    return aKeys.every((k) => b[k] !== undefined && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A value as it will be serialised: drops `undefined` members so a patch never carries them. */
function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => toJson(item ?? null));
  if (isObject(value)) {
    // fromEntries defines own properties, so a "__proto__" key stays data, not a prototype.
    return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, toJson(v)]])));
  }
  return value;
}
