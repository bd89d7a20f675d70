// Which pods are caught up with the chain and have been Ready for a while (docs/compatibility.md
// §3, `SyncedPods`): the candidates a volume snapshot may take down. Pure: the clock is an input.
import { ORDINAL_ANNOTATION } from '../api/naming.ts';

/** The part of a Pod this package reads; a cached Pod (plain JSON) and client-node's V1Pod both fit. */
export type Pod = {
  metadata?: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec?: {
    containers?: ReadonlyArray<{ name?: string; ports?: ReadonlyArray<{ name?: string; containerPort?: number }> }>;
  };
  status?: {
    podIP?: string;
    conditions?: ReadonlyArray<{ type?: string; status?: string; lastTransitionTime?: string | Date }>;
  };
};

/** What the cache knows of one pod. Frozen: shared by every reader. */
export type PodSync = {
  /** Pod name. */
  pod: string;
  /** Pod uid: a recreated pod starts fresh. */
  uid: string;
  /** When this state was observed (ms since the epoch). */
  ts: number;
  /** latest_block_height; set only when reachable. */
  height?: number;
  /** !catching_up; undefined when unreachable. */
  inSync?: boolean;
  /** Answered /status without error. */
  reachable: boolean;
  /** Why not reachable: "pod has no IP", the HTTP status or network/timeout text, "missing status". */
  error?: string;
};

/** Upstream's `kube.AvailablePods(…, 5*time.Second, …)`. */
export const SYNCED_MIN_READY_MS = 5000;

/**
 * Pods with a status answer for this very pod (same uid), no error, catching_up false, and
 * PodReady=True since strictly before `now - minReadyMs` (Go's IsPodAvailable; a Ready condition
 * without lastTransitionTime never counts unless `minReadyMs` is 0). In ordinal order.
 */
export function syncedPods<P extends Pod>(
  pods: readonly P[],
  sync: ReadonlyMap<string, PodSync>,
  now: number,
  minReadyMs = SYNCED_MIN_READY_MS,
): P[] {
  return sortByOrdinal(pods).filter((pod) => {
    const name = pod.metadata?.name;
    const seen = name === undefined ? undefined : sync.get(name);
    if (seen === undefined || seen.uid !== (pod.metadata?.uid ?? '')) return false;
    if (!seen.reachable || seen.error !== undefined || seen.inSync !== true) return false;
    return isPodAvailable(pod, minReadyMs, now);
  });
}

/** PodReady is True, and has been for `minReadyMs` (strictly) before `now`. */
export function isPodAvailable(pod: Pod, minReadyMs: number, now: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadyMs === 0) return true;
  const since = timeOf(ready.lastTransitionTime);
  return since !== undefined && since + minReadyMs < now;
}

/** By the ordinal annotation (numeric; pods without one last), then by name. A new array. */
export function sortByOrdinal<P extends Pod>(pods: readonly P[]): P[] {
  const ordinal = (pod: Pod) => {
    const raw = pod.metadata?.annotations?.[ORDINAL_ANNOTATION];
    const n = raw === undefined || !/^-?[0-9]+$/.test(raw) ? NaN : Number(raw);
    return Number.isFinite(n) ? n : Infinity;
  };
  return [...pods].sort((a, b) => {
    const d = ordinal(a) - ordinal(b);
    if (d !== 0 && !Number.isNaN(d)) return d;
    const an = a.metadata?.name ?? '';
    const bn = b.metadata?.name ?? '';
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
}

function timeOf(value: string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
