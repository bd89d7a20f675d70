// Shared pieces of the three kinds: the labels/annotations subset of metadata, and Kubernetes types
// as they travel in JSON (client-node's model classes use Date for timestamps; the wire has strings).
import { object, optional, stringMap } from './schema-kit.ts';

/** A client-node model type as JSON: Date fields become RFC 3339 strings. */
export type Jsonified<T> = T extends Date ? string
  : T extends readonly (infer U)[] ? Jsonified<U>[]
  : T extends object
    ? { -readonly [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Jsonified<T[K]> }
  : T;

export function metadataField(what: string) {
  return object(
    `Labels and annotations added to ${what}. Where a key collides with one the operator sets, the operator's value wins.`,
    {
      labels: optional(stringMap('Labels to add.')),
      annotations: optional(stringMap('Annotations to add.')),
    },
  );
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
