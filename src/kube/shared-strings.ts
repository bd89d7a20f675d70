// Cached objects share their repeated strings. JSON.parse gives every string value its own copy,
// so 20,000 cached children held "cosmos.strange.love/v1", "CosmosFullNode", "cosmos-operator",
// image names and condition types tens of thousands of times: 7.6 MB of the 11.2 MB of strings
// in the caches with 1,000 CosmosFullNodes × 3 (bench/memory.ts, heap snapshot). Values that are
// unique to one object (uids, resource versions, timestamps, IPs, the object's own name) are left
// alone, so the pool holds only values worth sharing.

/** Keys whose values are (nearly) unique per object: pooling them would only grow the pool. */
const uniqueKeys = new Set([
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'lastTransitionTime',
  'lastProbeTime',
  'lastHeartbeatTime',
  'lastUpdateTime',
  'startTime',
  'podIP',
  'hostIP',
  'ip',
  'clusterIP',
]);
/** Longer values are rare and mostly unique (TOML, keys, certificates). */
const maxLength = 128;

export type StringPool = {
  /** The pooled copy of `s` (`s` itself the first time it is seen). */
  share(s: string): string;
  size(): number;
};

/** A pool of at most `limit` strings; when full it starts afresh (objects keep what they share). */
export function createStringPool(limit = 50_000): StringPool {
  let pool = new Map<string, string>();
  return {
    share(s) {
      const seen = pool.get(s);
      if (seen !== undefined) return seen;
      if (pool.size >= limit) pool = new Map();
      pool.set(s, s);
      return s;
    },
    size: () => pool.size,
  };
}

/** One pool for every cache of the process: the same strings recur across kinds. */
export const cacheStrings = createStringPool();

/**
 * Freezes `value` and everything in it (readers share cached objects), replacing shareable string
 * values by the pool's copies on the way. Objects already frozen are taken as done.
 */
export function freezeSharing<T>(value: T, pool: StringPool = cacheStrings): T {
  walk(value, '', pool);
  return value;
}

function walk(value: unknown, parentKey: string, pool: StringPool): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === 'string') {
      if (shareable(parentKey, key, v)) record[key] = pool.share(v);
    } else {
      walk(v, key, pool);
    }
  }
  Object.freeze(value);
}

function shareable(parentKey: string, key: string, v: string): boolean {
  if (v.length > maxLength || uniqueKeys.has(key)) return false;
  // metadata's name and uid are the object's own; elsewhere (an owner, a container, a port) they recur.
  return !((key === 'name' || key === 'uid') && parentKey === 'metadata');
}
