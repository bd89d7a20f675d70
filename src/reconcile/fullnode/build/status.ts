// status of a CosmosFullNode (docs/compatibility.md §1.2, §2.12): what one reconcile pass observed,
// folded into the previous status. Pure: the clock is an input.
//
// Upstream rewrote status.sync on every pass with the time of the last CometBFT poll, so the
// status changed every 5 s and each write re-triggered a reconcile (§2.12, §13.7). Here the
// status records state, not samples, so an idle CosmosFullNode causes no writes:
//   - status.sync[pod].timestamp is when the pod's state (inSync / error) was first seen, and is
//     kept while that state holds. Upstream: the time of the latest poll.
//   - heights still move with every block, so statusChanged() treats a height change as a change
//     at once only when it matters to what the operator builds: it moves a pod across a
//     chain.versions height (a different image or halt height), or gives a pod its first height.
//     Other height changes ride along with the next write that happens for another reason, or
//     are written on their own when the caller says heights are due (status-control.ts: at most
//     once a minute), so `kubectl get` shows a recent height without a write per block.
//   - status.height is never pruned, as upstream: it is the version selector's memory of the data
//     on a PVC, which outlives the pod (updates recreate pods, disabled instances keep their PVC,
//     Retain keeps it across scale-down, snapshots restore it), and picking a version from a
//     forgotten height would start an old binary on new data.
// Added to upstream: `conditions` (Ready, Progressing) and replicas/readyReplicas/latestHeight/
// selector for the scale subresource and printer columns.
import type { FullNodeStatus } from '../../../api/cosmosfullnode.ts';
import { cloneJson } from '../../../api/json-clone.ts';
import { canonicalJson } from '../../diff.ts';
import { haltHeightFor } from './halt-height.ts';
import { selectVersionIndex } from './version-select.ts';

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The status this package computes; `conditions` is typed here as metav1.Condition (the schema has it too). */
export type CosmosFullNodeStatus = FullNodeStatus & { conditions?: Condition[] };

export type FullNodePhase = FullNodeStatus['phase'];

/** How the pass ended, from the controls (§2.1). */
export type ReconcileOutcome =
  /** Every child is as wanted: phase Complete, status.peers written. */
  | { kind: 'complete' }
  /** A LoadBalancer p2p service has no address yet. */
  | { kind: 'waitingForP2PServices' }
  /** Pods or PVCs are still being created, deleted or rolled. */
  | { kind: 'progressing' }
  /** Some controls failed; permanent if any failure is (§2.12). */
  | { kind: 'failed'; errors: readonly { kind: 'transient' | 'permanent'; message: string }[] };

/** CometBFT's /status of one pod, as the status cache has it (after the rollout's overrides). */
export interface PodObservation {
  /** latest_block_height. */
  height?: number;
  /** !catching_up. */
  inSync?: boolean;
  /** Why /status could not be read; set, the other fields are ignored. */
  error?: string;
}

export interface StatusObservation {
  /** metadata.generation of the CosmosFullNode this pass acted on. */
  generation: number;
  now: Date;
  outcome: ReconcileOutcome;
  /** status.peers (peers.ts statusPeers), written only on Complete. */
  peers: readonly string[];
  /** Every owned pod the status cache polled, main and additional. */
  pods: Readonly<Record<string, PodObservation>>;
  /** Names of the main pods that exist. */
  mainPods: readonly string[];
  /** Main pods the spec wants (replicas minus disabled instances). */
  desiredReplicas: number;
  /** Label selector of the main pods, in string form. */
  selector: string;
  /** PVCs created or deleted this pass: their selfHealing.pvcAutoScaler entries are dropped. */
  changedPvcs?: readonly string[];
}

export const TRANSIENT_ERROR_PREFIX = 'Transient error: system is retrying: ';
export const PERMANENT_ERROR_PREFIX = 'Unrecoverable error: human intervention required: ';

/** The next status: `prev` with this pass's observations folded in. `prev` is not changed. */
export function computeStatus(
  prev: CosmosFullNodeStatus | undefined,
  observed: StatusObservation,
): CosmosFullNodeStatus {
  const now = formatTime(observed.now);
  const { phase, message } = phaseOf(observed.outcome);
  const next: CosmosFullNodeStatus = { ...cloneJson(prev ?? {}), observedGeneration: observed.generation, phase };
  if (message === undefined) delete next.status;
  else next.status = message;

  if (phase === 'Complete') next.peers = [...observed.peers];

  next.sync = syncOf(prev?.sync, observed.pods, now);
  next.height = { ...(prev?.height ?? {}) };
  for (const [pod, seen] of Object.entries(observed.pods)) {
    if (seen.error === undefined && seen.height !== undefined && seen.height > 0) next.height[pod] = seen.height + 1;
  }
  if (Object.keys(next.height).length === 0) delete next.height;

  const autoScaler = next.selfHealing?.pvcAutoScaler;
  if (autoScaler !== undefined) { for (const pvc of observed.changedPvcs ?? []) delete autoScaler[pvc]; }

  const readyReplicas = observed.mainPods.filter((pod) => isInSync(observed.pods[pod])).length;
  next.replicas = observed.mainPods.length;
  next.readyReplicas = readyReplicas;
  const heights = Object.values(observed.pods).flatMap((
    seen,
  ) => (seen.error === undefined && seen.height !== undefined ? [seen.height] : []));
  if (heights.length > 0) next.latestHeight = Math.max(...heights);
  next.selector = observed.selector;

  next.conditions = conditionsOf(prev?.conditions, observed, phase, message, readyReplicas, now);
  return next;
}

/**
 * Whether `next` differs from `prev` in anything worth an API write. Heights count only where
 * they change what is built (see the header): pass the spec's chain.versions. Without versions a
 * height change never counts, except a pod's first height, unless `heightsDue`.
 */
export function statusChanged(
  prev: CosmosFullNodeStatus | undefined,
  next: CosmosFullNodeStatus,
  versions?: readonly { height: number; setHaltHeight?: boolean | null }[] | null,
  opts: { heightsDue?: boolean } = {},
): boolean {
  if (prev === undefined) return true;
  if (opts.heightsDue === true && canonicalJson(heightsOf(prev)) !== canonicalJson(heightsOf(next))) return true;
  return canonicalJson(comparable(prev, versions ?? [])) !== canonicalJson(comparable(next, versions ?? []));
}

/** Every height the status holds. */
function heightsOf(status: CosmosFullNodeStatus): unknown {
  return {
    height: status.height,
    latestHeight: status.latestHeight,
    sync: Object.entries(status.sync ?? {}).map(([pod, entry]) => [pod, entry.height]),
  };
}

// ---------------------------------------------------------------------------------------------

function phaseOf(outcome: ReconcileOutcome): { phase: FullNodePhase; message?: string } {
  switch (outcome.kind) {
    case 'complete':
      return { phase: 'Complete' };
    case 'waitingForP2PServices':
      return { phase: 'WaitingForP2PServices' };
    case 'progressing':
      return { phase: 'Progressing' };
    case 'failed': {
      const text = outcome.errors.map((error) => error.message).join('; ');
      if (outcome.errors.length > 0 && outcome.errors.every((error) => error.kind === 'transient')) {
        return { phase: 'TransientError', message: TRANSIENT_ERROR_PREFIX + text };
      }
      return { phase: 'Error', message: PERMANENT_ERROR_PREFIX + text };
    }
  }
}

type SyncEntry = NonNullable<FullNodeStatus['sync']>[string];

function syncOf(
  prev: FullNodeStatus['sync'],
  pods: Readonly<Record<string, PodObservation>>,
  now: string,
): NonNullable<FullNodeStatus['sync']> {
  const sync: NonNullable<FullNodeStatus['sync']> = {};
  for (const pod of Object.keys(pods).sort()) {
    const seen = pods[pod]!;
    const entry: SyncEntry = seen.error !== undefined ? { timestamp: now, error: seen.error } : { timestamp: now };
    if (seen.error === undefined) {
      if (seen.height !== undefined) entry.height = seen.height;
      if (seen.inSync !== undefined) entry.inSync = seen.inSync;
    }
    const before = prev?.[pod];
    if (before !== undefined && before.inSync === entry.inSync && before.error === entry.error) {
      entry.timestamp = before.timestamp;
    }
    sync[pod] = entry;
  }
  return sync;
}

function isInSync(seen: PodObservation | undefined): boolean {
  return seen !== undefined && seen.error === undefined && seen.inSync === true;
}

function conditionsOf(
  prev: readonly Condition[] | undefined,
  observed: StatusObservation,
  phase: FullNodePhase,
  message: string | undefined,
  readyReplicas: number,
  now: string,
): Condition[] {
  const desired = observed.desiredReplicas;
  let ready: Omit<Condition, 'lastTransitionTime'>;
  if (phase !== 'Complete') {
    ready = { type: 'Ready', status: 'False', reason: phase, message: message ?? phaseMessage(phase) };
  } else if (readyReplicas < desired) {
    ready = {
      type: 'Ready',
      status: 'False',
      reason: 'ReplicasNotInSync',
      message: `${readyReplicas} of ${desired} replicas in sync`,
    };
  } else {
    ready = {
      type: 'Ready',
      status: 'True',
      reason: 'AllReplicasInSync',
      message: `${readyReplicas} of ${desired} replicas in sync`,
    };
  }

  const progressing: Omit<Condition, 'lastTransitionTime'> = phase === 'Complete'
    ? { type: 'Progressing', status: 'False', reason: 'Complete', message: phaseMessage(phase) }
    : phase === 'Error'
    ? { type: 'Progressing', status: 'False', reason: 'Error', message: message ?? phaseMessage(phase) }
    : { type: 'Progressing', status: 'True', reason: phase, message: message ?? phaseMessage(phase) };

  return [ready, progressing].map((condition) => {
    const before = prev?.find((c) => c.type === condition.type);
    // metav1 convention: the transition time moves only when the status does.
    const lastTransitionTime = before !== undefined && before.status === condition.status
      ? before.lastTransitionTime
      : now;
    return { ...condition, lastTransitionTime, observedGeneration: observed.generation };
  });
}

function phaseMessage(phase: FullNodePhase): string {
  switch (phase) {
    case 'Complete':
      return 'All children are up to date.';
    case 'WaitingForP2PServices':
      return 'Waiting for p2p service IPs or Hostnames to be ready.';
    case 'Progressing':
      return 'Creating, deleting or updating children.';
    case 'TransientError':
      return 'Retrying after a transient error.';
    case 'Error':
      return 'Human intervention required.';
  }
}

/** The status with every height reduced to what it selects (version index, halt height). */
function comparable(
  status: CosmosFullNodeStatus,
  versions: readonly { height: number; setHaltHeight?: boolean | null }[],
): unknown {
  const { height, sync, latestHeight: _latestHeight, ...rest } = status;
  const syncWithoutHeights = Object.fromEntries(
    Object.entries(sync ?? {}).map(([pod, entry]) => [pod, { ...entry, height: undefined }]),
  );
  const heightBuckets = Object.fromEntries(
    Object.entries(height ?? {}).map((
      [pod, h],
    ) => [pod, versions.length === 0 ? 'seen' : [selectVersionIndex(versions, h), haltHeightFor(versions, h)]]),
  );
  return { ...rest, sync: syncWithoutHeights, height: heightBuckets };
}

/** metav1.Time: RFC 3339 in UTC to the second. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
