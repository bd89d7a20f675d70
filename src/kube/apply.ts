// Writes that merge into an existing object, each with its explicit content type:
//   applyObject  server-side apply (application/apply-patch+yaml), fieldManager cosmos-operator,
//                force: we own the fields we set, as controllers do;
//   mergePatch   JSON merge patch (application/merge-patch+json), e.g. status or one label;
//   jsonPatch    JSON patch with `test` ops, for guarded edits such as removing a finalizer.
// All work for custom resources and the status subresource. Strategic merge patch is not
// offered: custom resources reject it with 415 (docs/architecture.md §5.2).

import { withTypeMeta } from './objects.ts';
import { type KubeObject, resourcePath, type ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';

export const fieldManager = 'cosmos-operator';

export const contentTypes = {
  apply: 'application/apply-patch+yaml',
  mergePatch: 'application/merge-patch+json',
  jsonPatch: 'application/json-patch+json',
} as const;

export type PatchOptions = {
  /** 'status' writes the status subresource. */
  subresource?: 'status' | 'scale';
  fieldManager?: string;
  dryRun?: boolean;
  signal?: AbortSignal;
};

export type ApplyOptions = PatchOptions & {
  /** Take fields owned by other managers; default true. */
  force?: boolean;
};

/**
 * Server-side apply of `obj` (it must carry metadata.name, and metadata.namespace when
 * namespaced). Send only the fields we own: anything omitted that we applied before is removed.
 */
export function applyObject<T extends KubeObject>(
  rest: RestClient,
  type: ResourceType,
  obj: T,
  opts: ApplyOptions = {},
): Promise<T> {
  const name = obj.metadata?.name;
  if (!name) return Promise.reject(new Error(`apply ${type.kind}: metadata.name is required`));
  // Server-side apply refuses a body that carries these (managedFields) or where they are stale.
  const { managedFields: _m, resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
  return rest.request<T>({
    method: 'PATCH',
    path: resourcePath(type, obj.metadata?.namespace, name, opts.subresource),
    query: {
      fieldManager: opts.fieldManager ?? fieldManager,
      force: opts.force ?? true,
      dryRun: opts.dryRun ? 'All' : undefined,
    },
    // JSON is YAML, so the apply-patch+yaml content type takes it as is.
    body: withTypeMeta(type, { ...obj, metadata }),
    contentType: contentTypes.apply,
    signal: opts.signal,
  });
}

/** RFC 7386 merge patch: objects merge, `null` deletes a field, arrays are replaced whole. */
export function mergePatch<T extends KubeObject>(
  rest: RestClient,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  patch: unknown,
  opts: PatchOptions = {},
): Promise<T> {
  return rest.request<T>({
    method: 'PATCH',
    path: resourcePath(type, namespace, name, opts.subresource),
    query: { fieldManager: opts.fieldManager ?? fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
    body: patch,
    contentType: contentTypes.mergePatch,
    signal: opts.signal,
  });
}

export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** RFC 6902 JSON patch; a failing `test` op makes the whole patch fail with 422. */
export function jsonPatch<T extends KubeObject>(
  rest: RestClient,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  ops: JsonPatchOp[],
  opts: PatchOptions = {},
): Promise<T> {
  return rest.request<T>({
    method: 'PATCH',
    path: resourcePath(type, namespace, name, opts.subresource),
    query: { fieldManager: opts.fieldManager ?? fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
    body: ops,
    contentType: contentTypes.jsonPatch,
    signal: opts.signal,
  });
}
