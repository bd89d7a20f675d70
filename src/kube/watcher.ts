// The list+watch loop for one resource type (client-go's reflector ListAndWatch, made to
// survive what client-node's makeInformer does not: docs/architecture.md §5.3).
//   1. List every page; the store is replaced, deletes missed meanwhile are synthesised.
//   2. Watch from the list's resourceVersion, with bookmarks and a server timeout of 5–10 min.
//   3. Stream ends (server timeout, clean close, or silence past the idle timeout: a TimeoutError):
//      watch again from the last resourceVersion seen (event or bookmark).
//   4. 410 Gone (HTTP status or ERROR event): the resourceVersion is too old; list again.
//   5. Any other failure (network, 5xx, 403, …): back off 1 s → 30 s with jitter, forever.
//   6. Watchdog: nothing at all (no event, no bookmark) for `inactivityMs` → list again, in
//      case the stream is silently stuck (client-node #364, #596, #958).
//   7. Safety net: list again every `relistIntervalMs`.
// The loop knows nothing about the store: it reports to a sink.

import type { Logger } from '../log/log.ts';
import { describeApiError, statusCodeOf } from './api-errors.ts';
import { createBackoff } from './backoff.ts';
import { type Clock, sleep, systemClock, type Timer } from './clock.ts';
import type { KubeObject } from './resource.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** How a watch stream ended: the server or client-node closed it, or it failed. */
export type WatchEnd = { kind: 'closed' } | { kind: 'error'; error: unknown };

/** The I/O the loop needs; watch-source.ts implements it over rest.ts. */
export type ListWatchSource<T extends KubeObject> = {
  list(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }>;
  watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (type: WatchEventType, obj: unknown) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd>;
};

export type WatchSink<T extends KubeObject> = {
  /** A complete list: replace everything. */
  replace(items: T[], resourceVersion: string): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
};

export type WatchLoopOptions = {
  log: Logger;
  clock?: Clock;
  random?: () => number;
  /** The server closes each watch after min..2·min seconds (client-go: 5 min). */
  minWatchTimeoutSeconds?: number;
  /** List again after this long without any event or bookmark; default 5 min. */
  inactivityMs?: number;
  /** List again after this long regardless; default 30 min, 0 turns it off. */
  relistIntervalMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
};

export type WatchStats = {
  lists: number;
  listFailures: number;
  /** Watches started again from a known resourceVersion. */
  rewatches: number;
  /** 410 Gone answers (resourceVersion too old). */
  expired: number;
  watchFailures: number;
  /** Lists forced by the inactivity watchdog. */
  watchdogRelists: number;
  lastActivityAt: number;
};

/** Runs until `signal` aborts; never throws. */
export async function runListWatch<T extends KubeObject>(
  source: ListWatchSource<T>,
  sink: WatchSink<T>,
  opts: WatchLoopOptions,
  signal: AbortSignal,
  stats: WatchStats = newWatchStats(),
): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const log = opts.log;
  const minTimeout = opts.minWatchTimeoutSeconds ?? 300;
  const inactivityMs = opts.inactivityMs ?? 5 * 60_000;
  const relistIntervalMs = opts.relistIntervalMs ?? 30 * 60_000;
  const backoff = createBackoff({
    initialMs: opts.backoffInitialMs ?? 1000,
    maxMs: opts.backoffMaxMs ?? 30_000,
    jitter: 0.5,
    random,
  });

  let resourceVersion: string | undefined;
  let lastListAt = 0;
  stats.lastActivityAt = clock.now();

  while (!signal.aborted) {
    if (resourceVersion === undefined) {
      try {
        const listed = await source.list(signal);
        if (signal.aborted) return;
        sink.replace(listed.items, listed.resourceVersion);
        resourceVersion = listed.resourceVersion;
        stats.lists++;
        lastListAt = stats.lastActivityAt = clock.now();
        backoff.reset();
      } catch (err) {
        if (signal.aborted) return;
        stats.listFailures++;
        const delay = backoff.next();
        log.warn('list failed; retrying', { error: describeApiError(err), retryInMs: Math.round(delay) });
        await sleep(clock, delay, signal);
        continue;
      }
    }

    const watchAbort = new AbortController();
    const onStop = () => watchAbort.abort();
    signal.addEventListener('abort', onStop, { once: true });
    let expired = false;
    let inactive = false;
    let errorEvent: unknown;
    let events = 0;
    let watchdog: Timer | undefined;
    const armWatchdog = () => {
      watchdog?.cancel();
      watchdog = clock.setTimer(() => {
        inactive = true;
        watchAbort.abort();
      }, stats.lastActivityAt + inactivityMs - clock.now());
    };
    armWatchdog();

    const started = clock.now();
    const timeoutSeconds = Math.floor(minTimeout * (1 + random()));
    const end = await source.watch(
      resourceVersion,
      timeoutSeconds,
      (type, obj) => {
        if (watchAbort.signal.aborted) return;
        stats.lastActivityAt = clock.now();
        armWatchdog();
        const o = obj as T & { code?: number };
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
          case 'DELETED':
            events++;
            sink.apply(type, o);
            resourceVersion = o.metadata?.resourceVersion ?? resourceVersion;
            return;
          case 'BOOKMARK':
            events++;
            resourceVersion = o.metadata?.resourceVersion ?? resourceVersion;
            return;
          case 'ERROR':
            // The server sends a Status and closes; 410 means our resourceVersion is too old.
            if (statusCodeOf(o) === 410) expired = true;
            else errorEvent = o;
            watchAbort.abort();
            return;
        }
      },
      watchAbort.signal,
    );
    watchdog?.cancel();
    signal.removeEventListener('abort', onStop);
    if (signal.aborted) return;
    // A stream that carried events was healthy: a failure now starts the backoff afresh.
    if (events > 0) backoff.reset();

    if (expired || (end.kind === 'error' && statusCodeOf(end.error) === 410)) {
      stats.expired++;
      log.debug('watch expired (410); listing again', { resourceVersion });
      resourceVersion = undefined;
      continue;
    }
    if (inactive) {
      stats.watchdogRelists++;
      log.warn('no watch events or bookmarks for too long; listing again', {
        inactiveMs: clock.now() - stats.lastActivityAt,
      });
      resourceVersion = undefined;
      continue;
    }
    const failure = errorEvent ?? (end.kind === 'error' && !isTimeout(end.error) ? end.error : undefined);
    if (failure !== undefined) {
      stats.watchFailures++;
      const delay = backoff.next();
      log.warn('watch failed; retrying', { error: describeApiError(failure), retryInMs: Math.round(delay) });
      await sleep(clock, delay, signal);
      continue;
    }
    // A routine end. A stream that closes at once with nothing in it would spin; back off then.
    if (events === 0 && clock.now() - started < 1000) await sleep(clock, backoff.next(), signal);
    else backoff.reset();
    if (relistIntervalMs > 0 && clock.now() - lastListAt >= relistIntervalMs) {
      resourceVersion = undefined;
      continue;
    }
    stats.rewatches++;
  }
}

export function newWatchStats(): WatchStats {
  return {
    lists: 0,
    listFailures: 0,
    rewatches: 0,
    expired: 0,
    watchFailures: 0,
    watchdogRelists: 0,
    lastActivityAt: 0,
  };
}

/** A stream ended for silence (TimeoutError) is routine: reconnect from the same resourceVersion. */
function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TimeoutError';
}
