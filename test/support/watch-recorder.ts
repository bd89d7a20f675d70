// Records every change the API server makes to a collection (pods of a namespace, a Lease…):
// a list, then a watch from the list's resourceVersion, started BEFORE the action under test.
//
// Why this exists: a test that asks "were ever more than N pods down at once?" or "in which order
// were the pods replaced?" by listing every 100 ms sees only the states that last across a sample.
// On a busy machine a pod can be deleted and recreated between two samples, so the answer
// depended on the machine's speed (a CI run once saw no rollout at all). The watch delivers every
// change in resourceVersion order, so what is computed from a recording is exact, however slow
// the machine. The pure functions below (replay, mostAtOnce, firstChangeOrder) take synthetic
// recordings too, which is how test/unit/support/watch-recorder.test.ts checks they can fail.
//
//   const pods = await recordWatch<Pod>(cluster.admin, `/api/v1/namespaces/${ns}/pods`);
//   … the rollout …
//   const recording = await pods.stop();      // throws if the watch ended before stop()
//   assert.ok(mostAtOnce(recording, isDown).count <= 1);
//
// Runs on Node and Deno.
import { type ApiAuth, apiJson, apiWatch } from '../cluster/kube-http.ts';

export type Meta = {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  deletionTimestamp?: string;
};
export type Watched = { metadata?: Meta };

export type Change<T> = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

/** What the collection held when the watch started, and every change after it, in order. */
export type Recording<T> = { initial: T[]; listResourceVersion: string; changes: Change<T>[] };

export type WatchRecorder<T> = Recording<T> & {
  /**
   * Resolves with the first state (the listed one or one after a change; past or future) for which
   * `check` returns true. Rejects after `timeoutMs` (default 120 s) naming `message`, or when the
   * watch ends.
   */
  until(
    check: (state: ReadonlyMap<string, T>, change: Change<T> | undefined) => boolean,
    opts?: { timeoutMs?: number; message?: string },
  ): Promise<ReadonlyMap<string, T>>;
  /** Ends the watch. Throws if it had ended before (it then missed changes: no verdict from it). */
  stop(): Promise<Recording<T>>;
};

const nameOf = (o: Watched) => o.metadata?.name ?? '';

/**
 * Lists `path` (a collection URL, e.g. `/api/v1/namespaces/ns/pods`, optionally with a
 * `labelSelector`) and watches it from the list's resourceVersion until stop().
 */
export async function recordWatch<T extends Watched>(
  auth: ApiAuth,
  path: string,
  opts: { labelSelector?: string } = {},
): Promise<WatchRecorder<T>> {
  const selector = opts.labelSelector ? `labelSelector=${encodeURIComponent(opts.labelSelector)}&` : '';
  const list = await apiJson<{ metadata: { resourceVersion: string }; items: T[] }>(auth, 'GET', `${path}?${selector}`);
  const changes: Change<T>[] = [];
  const state = new Map(list.items.map((o) => [nameOf(o), o]));
  const waiters = new Set<(change: Change<T> | undefined) => void>();
  const abort = new AbortController();
  let endedEarly: string | undefined;
  // No timeoutSeconds: the API server keeps a watch open for 30 to 60 minutes, longer than any test.
  const watching = apiWatch(
    auth,
    `${path}?${selector}watch=1&resourceVersion=${list.metadata.resourceVersion}`,
    (e) => {
      if (e.type === 'ERROR') {
        endedEarly = `ERROR event: ${JSON.stringify(e.object).slice(0, 300)}`;
        abort.abort();
        return;
      }
      if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return; // BOOKMARK
      const change = { type: e.type, object: e.object as T } as Change<T>;
      changes.push(change);
      if (change.type === 'DELETED') state.delete(nameOf(change.object));
      else state.set(nameOf(change.object), change.object);
      for (const w of [...waiters]) w(change);
    },
    abort.signal,
  ).then(
    () => {
      if (!abort.signal.aborted) endedEarly = 'closed by the API server';
    },
    (err: unknown) => {
      endedEarly = err instanceof Error ? err.message : String(err);
    },
  ).finally(() => {
    for (const w of [...waiters]) w(undefined);
  });

  const recording = (): Recording<T> => ({
    initial: list.items,
    listResourceVersion: list.metadata.resourceVersion,
    changes: [...changes],
  });

  return {
    initial: list.items,
    listResourceVersion: list.metadata.resourceVersion,
    changes,
    until(check, { timeoutMs = 120_000, message = 'a watched state' } = {}) {
      return new Promise((resolve, reject) => {
        if (check(state, changes.at(-1))) return resolve(state);
        if (endedEarly !== undefined || abort.signal.aborted) {
          return reject(new Error(`${message}: the watch ended first (${endedEarly ?? 'stopped'})`));
        }
        const timer = setTimeout(
          () =>
            finish(
              new Error(`${message}: not seen within ${timeoutMs} ms (${changes.length} changes watched on ${path})`),
            ),
          timeoutMs,
        );
        const finish = (err?: Error) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (err) reject(err);
          else resolve(state);
        };
        const waiter = (change: Change<T> | undefined) => {
          if (change === undefined) {
            return finish(new Error(`${message}: the watch ended first (${endedEarly ?? 'stopped'})`));
          }
          if (check(state, change)) finish();
        };
        waiters.add(waiter);
      });
    },
    async stop() {
      const early = endedEarly;
      abort.abort();
      await watching;
      if (early !== undefined) throw new Error(`the watch on ${path} ended before the test did: ${early}`);
      return recording();
    },
  };
}

/** Runs `action`, then stops the watch either way; returns the recording (the action's error wins). */
export async function recordingOf<T extends Watched>(
  watch: WatchRecorder<T>,
  action: () => Promise<unknown>,
): Promise<Recording<T>> {
  try {
    await action();
  } catch (err) {
    await watch.stop().catch(() => {});
    throw err;
  }
  return await watch.stop();
}

/**
 * Every state the collection went through: the listed one, then one after each change (name →
 * object). The change that led to each state comes with it (none for the first).
 */
export function* replay<T extends Watched>(
  recording: Recording<T>,
): Generator<{ state: ReadonlyMap<string, T>; change: Change<T> | undefined; index: number }> {
  const state = new Map(recording.initial.map((o) => [nameOf(o), o]));
  yield { state, change: undefined, index: -1 };
  for (const [index, change] of recording.changes.entries()) {
    if (change.type === 'DELETED') state.delete(nameOf(change.object));
    else state.set(nameOf(change.object), change.object);
    yield { state, change, index };
  }
}

/**
 * The largest value of `measure` over every state of the recording, the first state where it
 * was reached (as "after change #i: TYPE name", or "as listed"), and a short history of the
 * measure's changes for failure messages.
 */
export function mostAtOnce<T extends Watched>(
  recording: Recording<T>,
  measure: (state: ReadonlyMap<string, T>) => number,
): { count: number; at: string; history: string } {
  let best = -Infinity;
  let at = 'as listed';
  let last: number | undefined;
  const steps: string[] = [];
  for (const { state, change, index } of replay(recording)) {
    const n = measure(state);
    const where = change === undefined
      ? 'as listed'
      : `after change #${index}: ${change.type} ${nameOf(change.object)}`;
    if (n > best) {
      best = n;
      at = where;
    }
    if (n !== last) steps.push(`${n} (${where})`);
    last = n;
  }
  return { count: best, at, history: steps.join(' → ') };
}

/** A pod is up when it exists, is not being deleted and is Running (what the rollout tests call up). */
export function isPodUp(pod: Watched & { status?: { phase?: string } }): boolean {
  return pod.metadata?.deletionTimestamp == null && pod.status?.phase === 'Running';
}

/** Pods down in a state: `total` minus those up (a missing pod is down), among those `select` keeps. */
export function podsDown<T extends Watched & { status?: { phase?: string } }>(
  total: number,
  select: (pod: T) => boolean = () => true,
): (state: ReadonlyMap<string, T>) => number {
  return (state) => total - [...state.values()].filter((p) => select(p) && isPodUp(p)).length;
}

/**
 * Names in the order their listed object (by uid) first stopped being itself: marked for
 * deletion, deleted, or replaced by an object with a new uid. Objects never touched are left out.
 */
export function firstChangeOrder<T extends Watched>(recording: Recording<T>): string[] {
  const original = new Map(recording.initial.map((o) => [nameOf(o), o.metadata?.uid]));
  const order: string[] = [];
  for (const change of recording.changes) {
    const name = nameOf(change.object);
    if (!original.has(name) || order.includes(name)) continue;
    const sameObject = change.object.metadata?.uid === original.get(name);
    if (change.type === 'DELETED' || !sameObject || change.object.metadata?.deletionTimestamp != null) {
      order.push(name);
    }
  }
  return order;
}
