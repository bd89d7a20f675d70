// A strategic merge patch (k8s.io/apimachinery strategicpatch) for the parts of a PodSpec the
// podTemplate patches (docs/compatibility.md §2.4). Only what the Go operator's use can reach is
// implemented:
//   - maps merge recursively; a null in the patch deletes the key;
//   - lists with a patch merge key merge item by item on that key, others are replaced whole;
//   - merged lists are ordered as apimachinery orders them (normalizeElementOrder +
//     mergeSortedSlice): the patch's items in the patch's order, the original-only items in their
//     original order, interleaved by their positions in the original list. So a template
//     [node, x] on [node, healthcheck] gives [node, x, healthcheck], and a template [x] alone gives
//     [x, node, healthcheck] — which matters, because the rollout compares containers[0].
// `$patch`, `$setElementOrder` and `$retainKeys` directives are not supported: the CRD schema prunes
// them from the template, so they never reach here.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Patch metadata of an object's fields: the merge key of each list field, and nested fields. */
export interface PatchMeta {
  readonly [field: string]: FieldPatchMeta;
}

export interface FieldPatchMeta {
  /** The `patchMergeKey` of a list with `patchStrategy: merge`; absent means "replace". */
  readonly mergeKey?: string;
  /** The patch metadata of the object (or of each list item). */
  readonly fields?: PatchMeta;
}

// Go struct tags of k8s.io/api/core/v1: Container.
const CONTAINER_META: PatchMeta = {
  ports: { mergeKey: 'containerPort' },
  env: { mergeKey: 'name' },
  volumeMounts: { mergeKey: 'mountPath' },
  volumeDevices: { mergeKey: 'devicePath' },
};

/** PodSpec fields that the podTemplate patches and that carry a merge strategy. */
export const POD_SPEC_PATCH_META: PatchMeta = {
  containers: { mergeKey: 'name', fields: CONTAINER_META },
  initContainers: { mergeKey: 'name', fields: CONTAINER_META },
  volumes: { mergeKey: 'name' },
  imagePullSecrets: { mergeKey: 'name' },
};

/** Applies `patch` to `original` and returns a new object; neither input is modified or shared. */
export function strategicMerge<T extends object>(original: T, patch: object, meta: PatchMeta): T {
  return mergeObject(asJsonObject(original), asJsonObject(patch), meta) as unknown as T;
}

function mergeObject(original: JsonObject, patch: JsonObject, meta: PatchMeta): JsonObject {
  const result: JsonObject = cloneWithoutNulls(original) as JsonObject;
  for (const [key, patchValue] of Object.entries(patch)) {
    if (patchValue === null) {
      delete result[key];
      continue;
    }
    const originalValue = result[key];
    const fieldMeta = meta[key];
    if (originalValue === undefined) {
      result[key] = cloneWithoutNulls(patchValue);
    } else if (Array.isArray(patchValue)) {
      result[key] = fieldMeta?.mergeKey !== undefined && Array.isArray(originalValue)
        ? mergeList(originalValue, patchValue, fieldMeta.mergeKey, fieldMeta.fields ?? {})
        : cloneWithoutNulls(patchValue);
    } else if (isObject(patchValue) && isObject(originalValue)) {
      result[key] = mergeObject(originalValue, patchValue, fieldMeta?.fields ?? {});
    } else {
      result[key] = cloneWithoutNulls(patchValue);
    }
  }
  return result;
}

function mergeList(original: Json[], patch: Json[], mergeKey: string, itemMeta: PatchMeta): Json[] {
  if (original.length === 0 && patch.length === 0) return [];
  const keyOf = (item: Json): Json | undefined => (isObject(item) ? item[mergeKey] : undefined);

  // mergeSliceWithoutSpecialElements: merge into the original item with the same key, else append.
  const merged: Json[] = original.map((item) => cloneWithoutNulls(item));
  for (const patchItem of patch) {
    const key = keyOf(patchItem);
    const at = key === undefined ? -1 : merged.findIndex((item) => keyOf(item) === key);
    const current = merged[at];
    if (at >= 0 && isObject(current) && isObject(patchItem)) merged[at] = mergeObject(current, patchItem, itemMeta);
    else merged.push(cloneWithoutNulls(patchItem));
  }

  // partitionMapsByPresentInList, then normalizeSliceOrder of each part.
  const patchKeys = patch.map(keyOf);
  const originalKeys = original.map(keyOf);
  const fromPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const item of merged) (patchKeys.includes(keyOf(item)) ? fromPatch : serverOnly).push(item);
  const byIndexIn = (keys: (Json | undefined)[]) => (a: Json, b: Json) =>
    keys.indexOf(keyOf(a)) - keys.indexOf(keyOf(b));
  fromPatch.sort(byIndexIn(patchKeys));
  serverOnly.sort(byIndexIn(originalKeys));

  // mergeSortedSlice(left = server-only, right = patch items, by position in the original).
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++]!);
    else if (i >= serverOnly.length) out.push(fromPatch[j++]!);
    else {
      const left = originalKeys.indexOf(keyOf(serverOnly[i]!));
      const right = originalKeys.indexOf(keyOf(fromPatch[j]!));
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]!);
      else out.push(fromPatch[j++]!);
    }
  }
  return out;
}

// Go decodes the merged JSON back into typed structs, where a null becomes a zero value that is
// then omitted; dropping nulls here gives the same object.
function cloneWithoutNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(cloneWithoutNulls);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== null && item !== undefined) out[key] = cloneWithoutNulls(item);
    }
    return out;
  }
  return value;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asJsonObject(value: object): JsonObject {
  return value as unknown as JsonObject;
}
