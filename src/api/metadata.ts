// Shared pieces of the three kinds: the labels/annotations subset of metadata, and Kubernetes types
// as they travel in JSON (client-node's model classes use Date for timestamps; the wire has strings).
import { labelKeyErrors, labelValueErrors } from './core-checks.ts';
import {
  BELONGS_TO_LABEL,
  COMPONENT_LABEL,
  CONFIG_CHECKSUM_ANNOTATION,
  CREATED_BY_LABEL,
  INSTANCE_LABEL,
  LABEL_LIMIT,
  NAME_LABEL,
  NETWORK_LABEL,
  ORDINAL_ANNOTATION,
  REVISION_LABEL,
  toLabelKey,
  trimMiddle,
  TYPE_LABEL,
  VERSION_LABEL,
} from './naming.ts';
import { type FieldProblem, object, optional, stringMap } from './schema-kit.ts';

/** A client-node model type as JSON: Date fields become RFC 3339 strings. */
export type Jsonified<T> = T extends Date ? string
  : T extends readonly (infer U)[] ? Jsonified<U>[]
  : T extends object
    ? { -readonly [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Jsonified<T[K]> }
  : T;

/**
 * How the operator writes a template's metadata onto its children: `normalized` through
 * normalizeMetadata (keys through toLabelKey, label values cut to 63 characters: pods, PVCs, the
 * RPC Service), or `as given` (the p2p and privval Services, as in Go).
 */
export type MetadataWriting = 'normalized' | 'as given';

export function metadataField(what: string, writing: MetadataWriting = 'normalized') {
  return object(
    `Labels and annotations added to ${what}. Where a key collides with one the operator sets, the operator's value wins.`,
    {
      labels: optional(stringMap('Labels to add.')),
      annotations: optional(stringMap('Annotations to add.')),
    },
    { check: (metadata) => metadataProblems(metadata, writing) },
  );
}

// Keys the operator sets on its children itself; a template's value for them is dropped.
const OPERATOR_LABELS = new Set([
  COMPONENT_LABEL,
  NAME_LABEL,
  VERSION_LABEL,
  NETWORK_LABEL,
  TYPE_LABEL,
  CREATED_BY_LABEL,
  INSTANCE_LABEL,
  BELONGS_TO_LABEL,
  REVISION_LABEL,
]);
const OPERATOR_ANNOTATIONS = new Set([CONFIG_CHECKSUM_ANNOTATION, ORDINAL_ANNOTATION]);

/**
 * What the API server says of the labels and annotations as the operator writes them
 * (ValidateLabels, ValidateAnnotations): so a key the operator's normalisation repairs is
 * accepted, and one it cannot is refused here rather than on every child.
 */
function metadataProblems(
  metadata: { labels?: Record<string, string> | null; annotations?: Record<string, string> | null },
  writing: MetadataWriting,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [k, { written: key, value }] of reaching(metadata.labels, writing, OPERATOR_LABELS)) {
    const label = writing === 'normalized' ? trimMiddle(value, LABEL_LIMIT) : value;
    for (const detail of labelKeyErrors(key)) problems.push({ path: ['labels', k], value: key, detail });
    for (const detail of labelValueErrors(label)) problems.push({ path: ['labels', k], value: label, detail });
  }
  for (const [k, { written: key }] of reaching(metadata.annotations, writing, OPERATOR_ANNOTATIONS)) {
    // Annotation keys are compared in lower case.
    for (const detail of labelKeyErrors(key.toLowerCase())) {
      problems.push({ path: ['annotations', k], value: key, detail });
    }
  }
  return problems;
}

/**
 * The entries that reach a child, by the key the template gave: a key the operator sets itself is
 * dropped (mergePreserving), and where two keys normalise to the same one the later wins.
 */
function reaching(
  entries: Record<string, string> | null | undefined,
  writing: MetadataWriting,
  operatorKeys: ReadonlySet<string>,
): Map<string, { written: string; value: string }> {
  const byWritten = new Map<string, { key: string; value: string }>();
  for (const [key, value] of Object.entries(entries ?? {})) {
    if (operatorKeys.has(key)) continue;
    const writtenKey = writing === 'normalized' ? toLabelKey(key) : key;
    byWritten.delete(writtenKey);
    byWritten.set(writtenKey, { key, value });
  }
  return new Map([...byWritten].map(([writtenKey, { key, value }]) => [key, { written: writtenKey, value }]));
}

/** The object metadata the API server returns; only what this package reads is typed. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}
