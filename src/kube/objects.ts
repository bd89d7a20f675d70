// Create, read, replace, delete and list any resource type by group/version/plural, custom
// resources included. Writes that merge (server-side apply, merge patch) are in apply.ts.

import { isNotFound } from './api-errors.ts';
import { type KubeList, type KubeObject, resourcePath, type ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';

export type ListOptions = {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  signal?: AbortSignal;
};

export type WriteOptions = { fieldManager?: string; dryRun?: boolean; signal?: AbortSignal };

export type DeleteOptions = {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Only delete this incarnation / version of the object. */
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  signal?: AbortSignal;
};

export type ObjectClient<T extends KubeObject = KubeObject> = {
  readonly type: ResourceType;
  /** The object, or undefined when it does not exist. */
  get(namespace: string | undefined, name: string, opts?: { signal?: AbortSignal }): Promise<T | undefined>;
  /** One page; see listAll for every page. */
  list(namespace?: string, opts?: ListOptions): Promise<KubeList<T>>;
  create(obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT; fails with 409 unless `obj.metadata.resourceVersion` is the current one. */
  replace(obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT to the status subresource. */
  replaceStatus(obj: T, opts?: WriteOptions): Promise<T>;
  /** False when the object was already gone. */
  delete(namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<boolean>;
};

export function objectClient<T extends KubeObject = KubeObject>(rest: RestClient, type: ResourceType): ObjectClient<T> {
  const nameOf = (obj: T) => {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${type.kind} has no metadata.name`);
    return name;
  };
  const writeQuery = (opts: WriteOptions = {}) => ({
    fieldManager: opts.fieldManager ?? 'cosmos-operator',
    dryRun: opts.dryRun ? 'All' : undefined,
  });

  return {
    type,
    async get(namespace, name, opts = {}) {
      try {
        return await rest.request<T>({ method: 'GET', path: resourcePath(type, namespace, name), signal: opts.signal });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    list(namespace, opts = {}) {
      return rest.request<KubeList<T>>({
        method: 'GET',
        path: resourcePath(type, namespace),
        query: {
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          limit: opts.limit,
          continue: opts.continue,
          resourceVersion: opts.resourceVersion,
        },
        signal: opts.signal,
      });
    },
    create(obj, opts) {
      return rest.request<T>({
        method: 'POST',
        path: resourcePath(type, obj.metadata?.namespace),
        query: writeQuery(opts),
        body: withTypeMeta(type, obj),
        signal: opts?.signal,
      });
    },
    replace(obj, opts) {
      return rest.request<T>({
        method: 'PUT',
        path: resourcePath(type, obj.metadata?.namespace, nameOf(obj)),
        query: writeQuery(opts),
        body: withTypeMeta(type, obj),
        signal: opts?.signal,
      });
    },
    replaceStatus(obj, opts) {
      return rest.request<T>({
        method: 'PUT',
        path: resourcePath(type, obj.metadata?.namespace, nameOf(obj), 'status'),
        query: writeQuery(opts),
        body: withTypeMeta(type, obj),
        signal: opts?.signal,
      });
    },
    async delete(namespace, name, opts = {}) {
      try {
        await rest.request({
          method: 'DELETE',
          path: resourcePath(type, namespace, name),
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            propagationPolicy: opts.propagationPolicy,
            preconditions: opts.preconditions,
            gracePeriodSeconds: opts.gracePeriodSeconds,
          },
          signal: opts.signal,
        });
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
  };
}

/** Every page of a list, following `continue` (the API server pages at `limit`). */
export async function listAll<T extends KubeObject>(
  client: ObjectClient<T>,
  namespace: string | undefined,
  opts: ListOptions & { pageSize?: number } = {},
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  do {
    const page = await client.list(namespace, { ...opts, limit: opts.pageSize ?? 500, continue: cont });
    items.push(...page.items);
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { items, resourceVersion };
}

/** apiVersion and kind filled in, as the API server requires them on writes. */
export function withTypeMeta<T extends KubeObject>(type: ResourceType, obj: T): T {
  return {
    ...obj,
    apiVersion: obj.apiVersion ?? (type.group ? `${type.group}/${type.version}` : type.version),
    kind: obj.kind ?? type.kind,
  };
}
