// Decides what one recorded event becomes on the API server, after client-go's
// tools/record/events_cache.go (EventCorrelator), so a reconcile that fails every few seconds
// leaves one Event with a growing count, not thousands:
//   - dedupe: same object, type, reason and message as a recent Event → bump its count;
//   - aggregate: ten or more different messages with the same object, type and reason within
//     ten minutes → one Event "(combined from similar events): <latest message>";
//   - spam filter: per object, a bucket of 25 events refilled by one every five minutes;
//     beyond that, events are dropped.
// Pure apart from the clock passed in: the recorder does the I/O.

import type { KubeObject } from './resource.ts';

export type EventType = 'Normal' | 'Warning';

export type EventInput = { regarding: KubeObject; type: EventType; reason: string; message: string };

export type ObjectReference = {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
};

/** core/v1 Event, as far as we write it. */
export type CoreEvent = KubeObject & {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
};

export type Correlation =
  | { kind: 'drop' }
  | { kind: 'create'; key: string; event: CoreEvent }
  | {
    kind: 'bump';
    key: string;
    namespace: string;
    name: string;
    patch: { count: number; lastTimestamp: string; message: string };
  };

export type EventCorrelator = {
  correlate(input: EventInput, now: number): Correlation;
  /** The Event for `key` now exists under this name (call after a successful create). */
  created(key: string, namespace: string, name: string): void;
  /** The Event for `key` is gone (expired, deleted): the next occurrence creates a new one. */
  forget(key: string): void;
};

export type CorrelatorOptions = {
  component: string;
  /** Reporting instance, e.g. the pod name or hostname. */
  instance: string;
  cacheSize?: number;
  maxSimilar?: number;
  similarWindowMs?: number;
  spamBurst?: number;
  spamRefillMs?: number;
};

type Seen = { namespace?: string; name?: string; count: number; firstTimestamp: string };
type Similar = { messages: Set<string>; lastAt: number };
type Bucket = { tokens: number; at: number };

export function createEventCorrelator(opts: CorrelatorOptions): EventCorrelator {
  const cacheSize = opts.cacheSize ?? 4096;
  const maxSimilar = opts.maxSimilar ?? 10;
  const similarWindowMs = opts.similarWindowMs ?? 10 * 60_000;
  const spamBurst = opts.spamBurst ?? 25;
  const spamRefillMs = opts.spamRefillMs ?? 5 * 60_000;
  const seen = lru<Seen>(cacheSize);
  const similar = lru<Similar>(cacheSize);
  const buckets = lru<Bucket>(cacheSize);

  const allow = (objectKey: string, now: number): boolean => {
    const b = buckets.get(objectKey) ?? { tokens: spamBurst, at: now };
    b.tokens = Math.min(spamBurst, b.tokens + (now - b.at) / spamRefillMs);
    b.at = now;
    buckets.set(objectKey, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };

  return {
    correlate(input, now) {
      const ref = referenceOf(input.regarding);
      const objectKey = [opts.component, ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid].join('\u0000');
      if (!allow(objectKey, now)) return { kind: 'drop' };

      // Aggregation first: it may rewrite the message and the dedupe key.
      const aggregateKey = [objectKey, input.type, input.reason].join('\u0000');
      let message = input.message;
      let key = [aggregateKey, message].join('\u0000');
      const sim = similar.get(aggregateKey);
      const record = sim && now - sim.lastAt <= similarWindowMs ? sim : { messages: new Set<string>(), lastAt: now };
      record.lastAt = now;
      if (!record.messages.has(message) && record.messages.size >= maxSimilar) {
        message = `(combined from similar events): ${message}`;
        key = aggregateKey;
      } else {
        record.messages.add(message);
      }
      similar.set(aggregateKey, record);

      const at = new Date(now).toISOString();
      const prev = seen.get(key);
      if (prev?.name && prev.namespace) {
        prev.count++;
        seen.set(key, prev);
        return {
          kind: 'bump',
          key,
          namespace: prev.namespace,
          name: prev.name,
          patch: { count: prev.count, lastTimestamp: at, message },
        };
      }
      seen.set(key, { count: 1, firstTimestamp: at });
      const namespace = ref.namespace || 'default';
      return {
        kind: 'create',
        key,
        event: {
          apiVersion: 'v1',
          kind: 'Event',
          // client-go: "<object name>.<unix nanoseconds in hex>".
          metadata: {
            namespace,
            name: `${ref.name}.${
              (BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)
            }`,
          },
          involvedObject: ref,
          reason: input.reason,
          message,
          type: input.type,
          count: 1,
          firstTimestamp: at,
          lastTimestamp: at,
          source: { component: opts.component },
          reportingComponent: opts.component,
          reportingInstance: opts.instance,
        },
      };
    },
    created(key, namespace, name) {
      const s = seen.get(key);
      if (s) seen.set(key, { ...s, namespace, name });
    },
    forget(key) {
      seen.delete(key);
    },
  };
}

export function referenceOf(obj: KubeObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = { apiVersion: obj.apiVersion, kind: obj.kind, name: m.name };
  if (m.namespace) ref.namespace = m.namespace;
  if (m.uid) ref.uid = m.uid;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}

/** A Map that forgets its least recently used entries beyond `size`. */
function lru<V>(size: number) {
  const map = new Map<string, V>();
  return {
    get(k: string): V | undefined {
      const v = map.get(k);
      if (v !== undefined) {
        map.delete(k);
        map.set(k, v);
      }
      return v;
    },
    set(k: string, v: V) {
      map.delete(k);
      map.set(k, v);
      if (map.size > size) map.delete(map.keys().next().value as string);
    },
    delete(k: string) {
      map.delete(k);
    },
  };
}
