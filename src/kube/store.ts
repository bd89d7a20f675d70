// The in-memory copy of one resource type, split as kube-rs does: many readers, one writer
// (the reflector). Reads may be stale by the watch latency; writes go to the API server, never
// here. Objects in the store are frozen: they are shared by every reader.

import { keyOf, objectKey } from './object-key.ts';
import { matchesLabels, parseLabelSelector, type SelectorInput } from './label-selector.ts';
import type { KubeObject } from './resource.ts';

export type StoreEvent<T> = { type: 'add'; obj: T } | { type: 'update'; obj: T; old: T } | { type: 'delete'; obj: T };

export type StoreReader<T extends KubeObject> = {
  get(namespace: string | undefined, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  /** Objects in `namespace` (all namespaces when omitted) whose labels match `selector`. */
  list(namespace?: string, selector?: SelectorInput): T[];
  keys(): string[];
  size(): number;
  /** Objects whose index key (StoreOptions.index) is `key`; throws if the store has no index. */
  byIndex(key: string): T[];
};

export type StoreOptions<T> = {
  /**
   * One secondary index, as client-go's Indexer: objects by the key this returns (none when
   * undefined). The controllers index children by their owner, so finding a CosmosFullNode's
   * pods does not scan every pod of the namespace on every reconcile.
   */
  index?: (obj: T) => string | undefined;
};

export type StoreWriter<T extends KubeObject> = {
  /**
   * Makes the store hold exactly `items` (a fresh list) and returns what changed. Objects that
   * vanished produce delete events with their last known state: deletes that happened while the
   * watch was down are synthesised here.
   */
  replace(items: T[]): StoreEvent<T>[];
  /** An ADDED or MODIFIED watch event; no event if the resourceVersion is the one we hold. */
  upsert(obj: T): StoreEvent<T> | undefined;
  /** A DELETED watch event; no event if we never had the object. */
  remove(obj: T): StoreEvent<T> | undefined;
};

export function createStore<T extends KubeObject>(
  opts: StoreOptions<T> = {},
): { reader: StoreReader<T>; writer: StoreWriter<T> } {
  // namespace ('' for cluster-scoped) → name → object: list(namespace) needs no scan of the rest.
  const byNamespace = new Map<string, Map<string, T>>();
  // index key → object key → object.
  const indexed = new Map<string, Map<string, T>>();
  let count = 0;
  const indexKeyOf = opts.index;
  const index = (obj: T) => {
    const key = indexKeyOf?.(obj);
    if (key === undefined) return;
    let bucket = indexed.get(key);
    if (!bucket) indexed.set(key, bucket = new Map());
    bucket.set(keyOf(obj), obj);
  };
  const unindex = (obj: T) => {
    const key = indexKeyOf?.(obj);
    if (key === undefined) return;
    const bucket = indexed.get(key);
    if (bucket?.delete(keyOf(obj)) && bucket.size === 0) indexed.delete(key);
  };

  const nsOf = (obj: T) => obj.metadata?.namespace ?? '';
  const nameOf = (obj: T) => obj.metadata?.name ?? '';
  const lookup = (ns: string, name: string) => byNamespace.get(ns)?.get(name);
  const put = (obj: T) => {
    const ns = nsOf(obj);
    let names = byNamespace.get(ns);
    if (!names) byNamespace.set(ns, names = new Map());
    const old = names.get(nameOf(obj));
    if (old === undefined) count++;
    else unindex(old);
    names.set(nameOf(obj), obj);
    index(obj);
  };
  const drop = (ns: string, name: string) => {
    const names = byNamespace.get(ns);
    const old = names?.get(name);
    if (names !== undefined && old !== undefined) {
      names.delete(name);
      unindex(old);
      count--;
      if (names.size === 0) byNamespace.delete(ns);
    }
  };

  const upsert = (obj: T): StoreEvent<T> | undefined => {
    const old = lookup(nsOf(obj), nameOf(obj));
    put(obj);
    if (!old) return { type: 'add', obj };
    if (old.metadata?.resourceVersion && old.metadata.resourceVersion === obj.metadata?.resourceVersion) {
      return undefined;
    }
    return { type: 'update', obj, old };
  };

  const reader: StoreReader<T> = {
    get: (namespace, name) => lookup(namespace ?? '', name),
    getByKey(key) {
      const slash = key.indexOf('/');
      return slash < 0 ? lookup('', key) : lookup(key.slice(0, slash), key.slice(slash + 1));
    },
    list(namespace, selector) {
      const match = selector === undefined ? undefined : parseLabelSelector(selector);
      const pools = namespace === undefined
        ? [...byNamespace.values()]
        : [byNamespace.get(namespace) ?? new Map<string, T>()];
      const out: T[] = [];
      for (const pool of pools) {
        for (const obj of pool.values()) {
          if (!match || matchesLabels(match, obj.metadata?.labels)) out.push(obj);
        }
      }
      return out;
    },
    keys() {
      const out: string[] = [];
      for (const [ns, names] of byNamespace) {
        for (const name of names.keys()) out.push(objectKey(ns || undefined, name));
      }
      return out;
    },
    size: () => count,
    byIndex(key) {
      if (indexKeyOf === undefined) throw new Error('this store has no index');
      return [...(indexed.get(key)?.values() ?? [])];
    },
  };

  const writer: StoreWriter<T> = {
    replace(items) {
      const events: StoreEvent<T>[] = [];
      const seen = new Set<string>();
      for (const obj of items) {
        seen.add(keyOf(obj));
        const e = upsert(obj);
        if (e) events.push(e);
      }
      for (const [ns, names] of [...byNamespace]) {
        for (const [name, obj] of [...names]) {
          if (seen.has(objectKey(ns || undefined, name))) continue;
          drop(ns, name);
          events.push({ type: 'delete', obj });
        }
      }
      return events;
    },
    upsert,
    remove(obj) {
      const old = lookup(nsOf(obj), nameOf(obj));
      if (!old) return undefined;
      drop(nsOf(obj), nameOf(obj));
      return { type: 'delete', obj };
    },
  };

  return { reader, writer };
}
