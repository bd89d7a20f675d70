// The last known CometBFT /status of every pod of every tracked CosmosFullNode
// (docs/compatibility.md §3), kept fresh by polling OFF the reconcile path: reconciles read it from
// memory (`syncInfo`), and the cache enqueues a CosmosFullNode (`onChange`) only when what it holds
// changed materially.
//
// Polling: one loop per tracked CosmosFullNode. The first round starts at once, then a round
// every `intervalMs` measured from the start of the previous one; a round slower than that is
// followed at once by the next, never overlapped by it (Go's ticker drops ticks the same way).
// A round lists the pods (informer cache), GETs each pod's /status in parallel with a timeout,
// and replaces the CosmosFullNode's results.
//
// Material change, so the reconciler runs at once: a pod appears or disappears (also: recreated
// with a new uid), or one flips `reachable` or `inSync`. Upstream wrote status.sync every 5 s and
// reconciled off its own status events (§2.12, §13.7); here idle API writes must stay near zero.
// Heights are different: every block moves them, yet the reconciler needs them fresh for
// status.height, version selection and halt heights (§2.9). So a height change enqueues at most
// once per `heightNotifyIntervalMs` (30 s) per CosmosFullNode, later changes inside that window
// riding on the next notification; `heightMatters` lets the reconciler make a height change
// immediate (e.g. when it crosses a chain.versions height).
//
// `refresh` starts a round now instead of at the next tick, for a pod that just got an IP: a new
// or replaced pod's first answer then reaches the rollout (and Complete) without waiting up to an
// interval; after that it is polled on the usual ticks.
import type { Registry } from 'prom-client';
import type { Logger } from '../log/log.ts';
import { type Clock, systemClock, type Timer } from '../kube/clock.ts';
import { type CometFailure, type CometStatusResponse, fetchCometStatus } from './comet-client.ts';
import { type StatusCacheMetrics, statusCacheMetrics, type StatusRequestResult } from './status-metrics.ts';
import { type Pod, type PodSync, sortByOrdinal } from './synced-pods.ts';

export { isPodAvailable, type Pod, type PodSync, sortByOrdinal, syncedPods } from './synced-pods.ts';

export type StatusCacheOptions = {
  /** Owned pods of CosmosFullNode namespace/name, from the informer cache (additional pods included). */
  listPods(namespace: string, name: string): Pod[];
  /** The /status port of a pod; default `rpcPortOf` (containerPort "rpc" of container "node", else 26657). */
  rpcPortOf?(pod: Pod): number;
  /** Enqueue the CosmosFullNode: a pod's material state changed (see the header). */
  onChange(namespace: string, name: string): void;
  /**
   * Optional: true when this height change should reach the reconciler now rather than within the
   * height throttle, e.g. it crosses a chain.versions height. Called only for reachable pods.
   */
  heightMatters?(namespace: string, name: string, pod: string, previous: number | undefined, next: number): boolean;
  /** Between round starts; upstream 5 s. */
  intervalMs?: number;
  /** Per /status request; upstream 5 s. */
  timeoutMs?: number;
  /** At most one height-only notification per CosmosFullNode per this long; 30 s. */
  heightNotifyIntervalMs?: number;
  /** Injectable for unit tests. */
  fetchStatus?: typeof fetchCometStatus;
  /** now() for timestamps and the throttle, setTimer() for the rounds. */
  clock?: Clock;
  log: Logger;
  registry?: Registry;
};

export type StatusCache = {
  /** Start polling this CosmosFullNode (idempotent); its first round starts at once (once `run` runs). */
  track(namespace: string, name: string): void;
  /**
   * Poll this CosmosFullNode's pods now (a pod got an IP). A round in flight is followed at once
   * by another; an untracked CosmosFullNode, or a cache not running, is left alone.
   */
  refresh(namespace: string, name: string): void;
  /** The CosmosFullNode is gone: stop polling it and drop what is known. */
  untrack(namespace: string, name: string): void;
  /**
   * By pod name, in ordinal order, for the pods `listPods` returns now. A pod with no result yet
   * (new, recreated, forgotten, or its CosmosFullNode not tracked) is `{reachable: false,
   * error: "missing status"}`.
   */
  syncInfo(namespace: string, name: string): Map<string, PodSync>;
  /**
   * The rollout deleted this pod: drop its result (it reads "missing status" until a round that
   * started after this call answers for it). Go's Invalidate did this on a copy: a no-op BUG.
   */
  forget(namespace: string, name: string, pod: string): void;
  /** The polling loop. Returns once `signal` aborts and in-flight requests have stopped. */
  run(signal: AbortSignal): Promise<void>;
};

export const DEFAULT_RPC_PORT = 26657;
export const MISSING_STATUS = 'missing status';
export const NO_POD_IP = 'pod has no IP';

/** The containerPort named "rpc" on the container named "node", else 26657 (§3). */
export function rpcPortOf(pod: Pod): number {
  const node = pod.spec?.containers?.find((c) => c.name === 'node');
  const port = node?.ports?.find((p) => p.name === 'rpc')?.containerPort;
  return typeof port === 'number' && port > 0 ? port : DEFAULT_RPC_PORT;
}

type Tracked = {
  namespace: string;
  name: string;
  /** The last round's results, by pod name. */
  results: Map<string, PodSync>;
  /** Rounds started so far; the number of the current or last round. */
  rounds: number;
  inFlight: Promise<void> | undefined;
  timer: Timer | undefined;
  /** Aborted on untrack and when `run` stops. */
  abort: AbortController;
  lastNotifyAt: number;
  /** A height changed since the last notification. */
  heightPending: boolean;
  /** Pod name → the round number current when it was forgotten: answers of that round are stale. */
  forgotten: Map<string, number>;
  /** refresh() was called during a round: start the next one as soon as it ends. */
  refreshPending: boolean;
};

const failureResult: Record<CometFailure, StatusRequestResult> = {
  http: 'http_error',
  timeout: 'timeout',
  network: 'network_error',
  malformed: 'malformed',
  aborted: 'aborted',
};

export function createStatusCache(options: StatusCacheOptions): StatusCache {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const heightEvery = options.heightNotifyIntervalMs ?? 30_000;
  const fetchStatus = options.fetchStatus ?? fetchCometStatus;
  const portOf = options.rpcPortOf ?? rpcPortOf;
  const log = options.log.child({ component: 'comet-status-cache' });
  const metrics: StatusCacheMetrics | undefined = options.registry ? statusCacheMetrics(options.registry) : undefined;

  const tracked = new Map<string, Tracked>();
  let running = false;

  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
  const isCurrent = (t: Tracked) => tracked.get(keyOf(t.namespace, t.name)) === t;

  function startRound(t: Tracked): void {
    if (!running || t.inFlight || t.abort.signal.aborted) return;
    t.refreshPending = false;
    const startedAt = clock.now();
    t.inFlight = (async () => {
      try {
        await collect(t);
      } catch (err) {
        log.error('status round failed', { namespace: t.namespace, name: t.name, err });
      } finally {
        t.inFlight = undefined;
        scheduleNext(t, startedAt);
      }
    })();
  }

  function scheduleNext(t: Tracked, startedAt: number): void {
    if (!running || t.abort.signal.aborted || !isCurrent(t)) return;
    const delay = t.refreshPending ? 0 : Math.max(0, startedAt + intervalMs - clock.now());
    t.timer = clock.setTimer(() => {
      t.timer = undefined;
      startRound(t);
    }, delay);
  }

  async function collect(t: Tracked): Promise<void> {
    const round = ++t.rounds;
    let pods: Pod[];
    try {
      pods = options.listPods(t.namespace, t.name);
    } catch (err) {
      // Upstream: Warning event ListPods. The results stay as they were until a list works.
      log.warn('listing pods failed', { namespace: t.namespace, name: t.name, err });
      return;
    }
    const observed = await Promise.all(sortByOrdinal(pods).map((pod) => observe(pod, t.abort.signal)));
    if (t.abort.signal.aborted || !isCurrent(t)) return;

    const next = new Map<string, PodSync>();
    for (const seen of observed) {
      if (seen === undefined) continue;
      const forgottenIn = t.forgotten.get(seen.pod);
      if (forgottenIn !== undefined && forgottenIn >= round) continue; // asked before the rollout deleted it
      next.set(seen.pod, seen);
    }
    for (const [pod, inRound] of t.forgotten) if (inRound < round) t.forgotten.delete(pod);

    const change = compare(t, t.results, next);
    t.results = next;
    const now = clock.now();
    if (change.material) notify(t, 'state', now);
    else if (change.heightMatters) notify(t, 'height', now);
    else if (change.height || t.heightPending) {
      if (now - t.lastNotifyAt >= heightEvery) notify(t, 'height', now);
      else t.heightPending = true;
    }
  }

  async function observe(pod: Pod, signal: AbortSignal): Promise<PodSync | undefined> {
    const name = pod.metadata?.name;
    if (!name) return undefined;
    const uid = pod.metadata?.uid ?? '';
    const ip = pod.status?.podIP;
    if (!ip) return Object.freeze({ pod: name, uid, ts: clock.now(), reachable: false, error: NO_POD_IP });
    const started = performance.now();
    let res: CometStatusResponse;
    try {
      res = await fetchStatus(ip, portOf(pod), { timeoutMs, signal });
    } catch (err) {
      // fetchCometStatus never throws; an injected one might.
      res = { ok: false, kind: 'network', error: err instanceof Error ? err.message : String(err) };
    }
    metrics?.requests.inc({ result: res.ok ? 'success' : failureResult[res.kind] });
    metrics?.requestDuration.observe((performance.now() - started) / 1000);
    const ts = clock.now();
    if (res.ok) {
      return Object.freeze({
        pod: name,
        uid,
        ts,
        height: res.status.latestBlockHeight,
        inSync: !res.status.catchingUp,
        reachable: true,
      });
    }
    return Object.freeze({ pod: name, uid, ts, reachable: false, error: res.error });
  }

  function compare(t: Tracked, prev: ReadonlyMap<string, PodSync>, next: ReadonlyMap<string, PodSync>) {
    let material = prev.size !== next.size;
    let height = false;
    let heightMatters = false;
    for (const [pod, now] of next) {
      const before = prev.get(pod);
      if (before === undefined || before.uid !== now.uid) {
        material = true;
        log.debug('pod status appeared', {
          namespace: t.namespace,
          name: t.name,
          pod,
          uid: now.uid,
          reachable: now.reachable,
          inSync: now.inSync,
        });
        continue;
      }
      if (before.reachable !== now.reachable || before.inSync !== now.inSync) {
        material = true;
        log.info('pod CometBFT status changed', {
          namespace: t.namespace,
          name: t.name,
          pod,
          reachable: now.reachable,
          inSync: now.inSync,
          height: now.height,
          ...(now.error !== undefined ? { error: now.error } : {}),
        });
        continue;
      }
      if (now.height !== undefined && before.height !== now.height) {
        height = true;
        if (!heightMatters && options.heightMatters?.(t.namespace, t.name, pod, before.height, now.height)) {
          heightMatters = true;
        }
      }
    }
    if (!material) { for (const pod of prev.keys()) if (!next.has(pod)) material = true; }
    return { material, height, heightMatters };
  }

  function notify(t: Tracked, reason: 'state' | 'height', now: number): void {
    t.lastNotifyAt = now;
    t.heightPending = false;
    metrics?.notifications.inc({ reason });
    try {
      options.onChange(t.namespace, t.name);
    } catch (err) {
      log.error('onChange failed', { namespace: t.namespace, name: t.name, err });
    }
  }

  function stop(t: Tracked): void {
    t.timer?.cancel();
    t.timer = undefined;
    t.abort.abort();
  }

  return {
    track(namespace, name) {
      const key = keyOf(namespace, name);
      let t = tracked.get(key);
      if (t === undefined) {
        t = {
          namespace,
          name,
          results: new Map(),
          rounds: 0,
          inFlight: undefined,
          timer: undefined,
          abort: new AbortController(),
          lastNotifyAt: -Infinity,
          heightPending: false,
          forgotten: new Map(),
          refreshPending: false,
        };
        tracked.set(key, t);
        metrics?.trackedFullNodes.set(tracked.size);
      }
      if (t.timer === undefined) startRound(t);
    },

    refresh(namespace, name) {
      const t = tracked.get(keyOf(namespace, name));
      if (t === undefined || !running) return;
      if (t.inFlight) {
        t.refreshPending = true;
        return;
      }
      t.timer?.cancel();
      t.timer = undefined;
      startRound(t);
    },

    untrack(namespace, name) {
      const key = keyOf(namespace, name);
      const t = tracked.get(key);
      if (t === undefined) return;
      stop(t);
      tracked.delete(key);
      metrics?.trackedFullNodes.set(tracked.size);
    },

    syncInfo(namespace, name) {
      const t = tracked.get(keyOf(namespace, name));
      const now = clock.now();
      const out = new Map<string, PodSync>();
      for (const pod of sortByOrdinal(options.listPods(namespace, name))) {
        const podName = pod.metadata?.name;
        if (!podName) continue;
        const uid = pod.metadata?.uid ?? '';
        const have = t?.results.get(podName);
        out.set(
          podName,
          have !== undefined && have.uid === uid
            ? have
            : Object.freeze({ pod: podName, uid, ts: now, reachable: false, error: MISSING_STATUS }),
        );
      }
      return out;
    },

    forget(namespace, name, pod) {
      const t = tracked.get(keyOf(namespace, name));
      if (t === undefined) return;
      t.results.delete(pod);
      t.forgotten.set(pod, t.rounds);
    },

    async run(signal) {
      if (running) throw new Error('status cache: run() is already running');
      running = true;
      for (const t of tracked.values()) {
        if (t.abort.signal.aborted) t.abort = new AbortController();
        startRound(t);
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      running = false;
      const inFlight: Promise<void>[] = [];
      for (const t of tracked.values()) {
        stop(t);
        if (t.inFlight) inFlight.push(t.inFlight);
      }
      await Promise.all(inFlight);
    },
  };
}
