// Waiting for a condition over a collection by list + watch rather than by polling: a benchmark
// that re-lists 100 CosmosFullNodes every half second spends seconds of the shared 2 cores
// parsing them (a CPU profile showed 8 s in the bench process), slowing what it measures.
import { type ApiAuth, apiJson, apiWatch } from '../test/cluster/kube-http.ts';

type Item = { metadata: { name: string; resourceVersion?: string } };

/** Resolves once `done` holds for the objects at `path` (a collection URL); rejects after limitMs. */
export async function watchUntil<T extends Item>(
  auth: ApiAuth,
  path: string,
  done: (items: ReadonlyMap<string, T>) => boolean,
  limitMs = 900_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const list = await apiJson<{ metadata: { resourceVersion: string }; items: T[] }>(auth, 'GET', path);
    const items = new Map(list.items.map((i) => [i.metadata.name, i]));
    if (done(items)) return;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), Math.max(0, deadline - Date.now()));
    let met = false;
    try {
      await apiWatch(
        auth,
        `${path}?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
        (e) => {
          const obj = e.object as T;
          if (e.type === 'DELETED') items.delete(obj.metadata.name);
          else if (e.type === 'ADDED' || e.type === 'MODIFIED') items.set(obj.metadata.name, obj);
          if (!met && done(items)) {
            met = true;
            stop.abort();
          }
        },
        stop.signal,
      ).catch((err: unknown) => {
        // Aborting the request is how the watch is ended; the response then errors too.
        if (!stop.signal.aborted) throw err;
      });
    } finally {
      clearTimeout(timer);
    }
    if (met) return;
    if (Date.now() >= deadline) throw new Error(`${path}: condition not met after ${limitMs / 1000} s`);
    // The watch ended (server timeout or an expired resourceVersion): list again.
  }
}
