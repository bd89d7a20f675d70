// Revision diff (docs/compatibility.md §2.11): which children to create, update and delete, decided
// by a hash of the desired object kept in the `app.kubernetes.io/revision` label. Pure.
//
// The revision is FNV-1 32-bit (not 1a), as 8 hex digits, over the object's JSON, computed before
// the revision label and ordinal annotation are added. Go hashed Go's json.Marshal output (struct
// field order); we hash canonical JSON (keys sorted), so objects the Go operator made carry other
// hashes and are updated once on adoption — accepted by the compatibility contract (§13.2).
//
// Difference from upstream: an equal revision is not always the end of it. The revision says what
// the operator last wrote, not that it is still there: a Service or ConfigMap edited by hand keeps
// its revision label. So a caller may pass `drifted(current, desired)`, and objects it calls
// drifted are updated too (restored). `metadataDrifted` is the check every kind can afford (the
// caches keep metadata whole); content is compared through a fingerprint the cache keeps in place
// of the content (fullnode/cache-transforms.ts).
import { cloneJson } from '../api/json-clone.ts';
import { ORDINAL_ANNOTATION, REVISION_LABEL } from '../api/naming.ts';

/** The part of a Kubernetes object the diff reads and writes. */
export interface DiffableObject {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    ownerReferences?: unknown[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/** A desired object and its place in the order creates, updates and deletes are carried out. */
export interface DesiredResource<T extends DiffableObject> {
  object: T;
  ordinal: number;
}

export interface RevisionDiff<T extends DiffableObject> {
  /** Desired objects that do not exist, stamped with revision and ordinal, by ordinal. */
  creates: T[];
  /** Desired objects whose revision differs from the existing one's, stamped and carrying the existing identity (resourceVersion, uid, generation, ownerReferences), by ordinal. */
  updates: T[];
  /** Existing objects nobody wants any more, as they are, by their ordinal annotation. */
  deletes: T[];
}

/** FNV-1 32-bit of the canonical JSON of `obj`, 8 lowercase hex digits. */
export function revisionOf(obj: unknown): string {
  return fnv1Hex(new TextEncoder().encode(canonicalJson(withoutBookkeeping(obj))));
}

/**
 * A copy of `obj` with the revision label and ordinal annotation set, as every created or updated
 * child carries them (§2.2).
 */
export function withRevision<T extends DiffableObject>(obj: T, ordinal: number): T {
  const revision = revisionOf(obj);
  const copy = cloneJson(obj);
  const metadata = (copy.metadata ??= {});
  metadata.labels = { ...(metadata.labels ?? {}), [REVISION_LABEL]: revision };
  metadata.annotations = { ...(metadata.annotations ?? {}), [ORDINAL_ANNOTATION]: String(ordinal) };
  return copy;
}

/**
 * Creates = desired − current, deletes = current − desired, updates = both with a different
 * revision label, or the same one and `drifted(current, stamped desired)`. Objects are matched by
 * namespace/name. Two objects with the same name on one side is a bug in the caller, so it throws
 * (Go panicked).
 */
export function diffByRevision<T extends DiffableObject>(
  current: readonly T[],
  desired: readonly DesiredResource<T>[],
  drifted?: (current: T, desired: T) => boolean,
): RevisionDiff<T> {
  const currentByKey = indexUnique(current, (obj) => obj, 'current');
  const desiredByKey = indexUnique(desired, (resource) => resource.object, 'desired');

  const creates: Ordered<T>[] = [];
  const updates: Ordered<T>[] = [];
  const deletes: Ordered<T>[] = [];

  for (const [key, resource] of desiredByKey) {
    const stamped = withRevision(resource.object, resource.ordinal);
    const existing = currentByKey.get(key);
    if (existing === undefined) {
      creates.push({ ordinal: resource.ordinal, object: stamped });
      continue;
    }
    if (
      existing.metadata?.labels?.[REVISION_LABEL] === stamped.metadata!.labels![REVISION_LABEL] &&
      !(drifted?.(existing, stamped) ?? false)
    ) continue;
    updates.push({ ordinal: resource.ordinal, object: carryIdentity(stamped, existing) });
  }
  for (const [key, existing] of currentByKey) {
    if (!desiredByKey.has(key)) deletes.push({ ordinal: ordinalOf(existing), object: existing });
  }
  return { creates: sortByOrdinal(creates), updates: sortByOrdinal(updates), deletes: sortByOrdinal(deletes) };
}

/**
 * Some label or annotation of `desired` is missing from `current` or has another value there (an
 * edit by hand). Keys only `current` has are someone else's and do not count.
 */
export function metadataDrifted(current: DiffableObject, desired: DiffableObject): boolean {
  const differs = (have: Record<string, string> | undefined, want: Record<string, string> | undefined) =>
    Object.entries(want ?? {}).some(([key, value]) => have?.[key] !== value);
  return differs(current.metadata?.labels, desired.metadata?.labels) ||
    differs(current.metadata?.annotations, desired.metadata?.annotations);
}

/** The `app.kubernetes.io/ordinal` annotation of an existing object; 0 when absent or not a number, as in Go. */
export function ordinalOf(obj: DiffableObject): number {
  const text = obj.metadata?.annotations?.[ORDINAL_ANNOTATION];
  if (text === undefined || !/^-?[0-9]+$/.test(text)) return 0;
  return Number(text);
}

// ---------------------------------------------------------------------------------------------

type Ordered<T> = { ordinal: number; object: T };

function objectKey(obj: DiffableObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function indexUnique<E>(items: readonly E[], objectOf: (item: E) => DiffableObject, side: string): Map<string, E> {
  const byKey = new Map<string, E>();
  for (const item of items) {
    const key = objectKey(objectOf(item));
    if (byKey.has(key)) {
      throw new Error(`diffByRevision: each ${side} object must have a unique namespace/name; ${key} appears twice`);
    }
    byKey.set(key, item);
  }
  return byKey;
}

// What the API server needs to accept a full update of an existing object.
function carryIdentity<T extends DiffableObject>(target: T, existing: T): T {
  const from = existing.metadata ?? {};
  const metadata = target.metadata!;
  for (const key of ['resourceVersion', 'uid', 'generation', 'ownerReferences'] as const) {
    if (from[key] === undefined) delete metadata[key];
    else metadata[key] = cloneJson(from[key]) as never;
  }
  return target;
}

function sortByOrdinal<T extends DiffableObject>(list: Ordered<T>[]): T[] {
  // Name breaks ties so the order never depends on the caller's.
  return list
    .sort((a, b) =>
      a.ordinal - b.ordinal ||
      (objectKey(a.object) < objectKey(b.object) ? -1 : objectKey(a.object) > objectKey(b.object) ? 1 : 0)
    )
    .map((entry) => entry.object);
}

/**
 * The object as it was before stamping: without the revision label and ordinal annotation, and
 * without labels/annotations maps left empty (absent and empty mean the same to Kubernetes). So
 * revisionOf(withRevision(o, n)) === revisionOf(o).
 */
function withoutBookkeeping(obj: unknown): unknown {
  if (!isPlainObject(obj) || !isPlainObject(obj['metadata'])) return obj;
  const metadata: Record<string, unknown> = { ...obj['metadata'] };
  stripKey(metadata, 'labels', REVISION_LABEL);
  stripKey(metadata, 'annotations', ORDINAL_ANNOTATION);
  return { ...obj, metadata };
}

function stripKey(metadata: Record<string, unknown>, mapName: string, key: string): void {
  const map = metadata[mapName];
  if (map === undefined || map === null) {
    delete metadata[mapName];
    return;
  }
  if (!isPlainObject(map)) return;
  const rest = { ...map };
  delete rest[key];
  if (Object.keys(rest).length === 0) delete metadata[mapName];
  else metadata[mapName] = rest;
}

/** JSON with object keys sorted at every level; undefined members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (!isPlainObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) sorted[key] = sortKeys(value[key]);
  }
  return sorted;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1 (multiply, then xor), Go's hash/fnv New32, as hex.EncodeToString(h.Sum(nil)). */
export function fnv1Hex(bytes: Uint8Array): string {
  let hash = FNV32_OFFSET;
  for (const byte of bytes) hash = (Math.imul(hash, FNV32_PRIME) ^ byte) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
