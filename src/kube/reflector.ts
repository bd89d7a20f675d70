// A cache of one resource type: the watcher loop feeds the store (this is its only writer),
// and every change is passed to subscribers, which only enqueue keys. Objects are slimmed
// before they are kept (managedFields and the last-applied annotation go, plus whatever the
// per-type transform drops) and frozen, because every reader shares them; their repeated strings
// are stored once (shared-strings.ts).

import type { Logger } from '../log/log.ts';
import { type Clock, systemClock } from './clock.ts';
import type { KubeObject, ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';
import { freezeSharing } from './shared-strings.ts';
import { createStore, type StoreEvent, type StoreOptions, type StoreReader } from './store.ts';
import { createListWatchSource, type Selection } from './watch-source.ts';
import {
  type ListWatchSource,
  newWatchStats,
  runListWatch,
  type WatchLoopOptions,
  type WatchStats,
} from './watcher.ts';

export type EventHandlers<T> = {
  onAdd?(obj: T): void;
  onUpdate?(obj: T, old: T): void;
  /** `obj` is the last state seen; for deletes found by a relist it may be older than the delete. */
  onDelete?(obj: T): void;
};

export type CacheOptions<T extends KubeObject> = Selection & {
  type: ResourceType;
  log: Logger;
  /** Keeps only what the controllers read; runs after the default stripping. */
  transform?: (obj: T) => T;
  /** A secondary index over the cached objects, read with byIndex (see StoreOptions). */
  index?: StoreOptions<T>['index'];
  clock?: Clock;
  tuning?: Omit<WatchLoopOptions, 'log' | 'clock'>;
  /** For tests: a list/watch source other than the API server. */
  source?: ListWatchSource<T>;
};

export type Cache<T extends KubeObject> = StoreReader<T> & {
  readonly type: ResourceType;
  /** Calls `onAdd` for every object already cached, then for every change. Returns an unsubscribe. */
  subscribe(handlers: EventHandlers<T>): () => void;
  hasSynced(): boolean;
  /** Resolves after the first complete list is in the store; rejects if stopped before that. */
  synced(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  readonly stats: WatchStats;
};

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/** controller-runtime's TransformStripManagedFields, plus the client-side-apply annotation. */
export function stripBulk<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta || (meta.managedFields === undefined && meta.annotations?.[lastApplied] === undefined)) return obj;
  const { managedFields: _m, ...rest } = meta;
  if (rest.annotations && lastApplied in rest.annotations) {
    const { [lastApplied]: _a, ...annotations } = rest.annotations;
    rest.annotations = annotations;
  }
  return { ...obj, metadata: rest };
}

export function createCache<T extends KubeObject>(rest: RestClient | undefined, opts: CacheOptions<T>): Cache<T> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log.child({
    cache: opts.type.plural,
    ...(opts.namespace ? { cacheNamespace: opts.namespace } : {}),
  });
  const source = opts.source ?? createListWatchSource<T>(requireRest(rest), opts.type, opts);
  const { reader, writer } = createStore<T>(opts.index !== undefined ? { index: opts.index } : {});
  const handlers = new Set<EventHandlers<T>>();
  const stats = newWatchStats();
  let synced = false;
  let resolveSynced: () => void = () => {};
  let rejectSynced: (err: Error) => void = () => {};
  const syncedPromise = new Promise<void>((resolve, reject) => {
    resolveSynced = resolve;
    rejectSynced = reject;
  });
  // Nobody may be awaiting synced(); an unobserved rejection must not crash the process.
  syncedPromise.catch(() => {});
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  const slim = (obj: T): T => {
    let out = stripBulk(obj);
    if (opts.transform) out = opts.transform(out);
    return freezeSharing(out);
  };

  const dispatch = (event: StoreEvent<T>) => {
    for (const h of handlers) {
      try {
        if (event.type === 'add') h.onAdd?.(event.obj);
        else if (event.type === 'update') h.onUpdate?.(event.obj, event.old);
        else h.onDelete?.(event.obj);
      } catch (err) {
        // A handler only enqueues; if it throws anyway, the cache must keep going.
        log.error('cache event handler threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };

  const sink = {
    replace(items: T[]) {
      for (const e of writer.replace(items.map(slim))) dispatch(e);
      if (!synced) {
        synced = true;
        log.info('cache synced', { objects: reader.size() });
        resolveSynced();
      }
    },
    apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) {
      const e = type === 'DELETED' ? writer.remove(slim(obj)) : writer.upsert(slim(obj));
      if (e) dispatch(e);
    },
  };

  return {
    ...reader,
    type: opts.type,
    stats,
    subscribe(h) {
      handlers.add(h);
      if (h.onAdd) { for (const obj of reader.list()) h.onAdd(obj); }
      return () => void handlers.delete(h);
    },
    hasSynced: () => synced,
    synced: () => syncedPromise,
    start() {
      loop ??= runListWatch(source, sink, { ...opts.tuning, log, clock }, stopping.signal, stats);
    },
    async stop() {
      stopping.abort();
      await loop;
      if (!synced) rejectSynced(new Error(`cache of ${opts.type.plural} stopped before it synced`));
    },
  };
}

function requireRest(rest: RestClient | undefined): RestClient {
  if (!rest) throw new Error('createCache needs a RestClient unless a source is given');
  return rest;
}
