// One reconcile of a CosmosFullNode (docs/compatibility.md §2.1): read it from the cache, default
// it, then run the controls in upstream's order, collecting failures and carrying on, and write
// status once.
//
// Order, and why:
//   Services   first, so p2p LoadBalancers start getting addresses while the rest is built;
//   node keys  before peers, which need every node ID, and before ConfigMaps, which drop the Go
//              operator's node_key.json only once it is safe in a Secret;
//   peers      → ConfigMaps (their checksums go into the pods, so config changes roll pods);
//   RBAC       before pods, which run as the version-check ServiceAccount;
//   pods       scale first, then roll within the budget (planRollout), from CometBFT's view;
//   PVCs       last: created before the pods' scheduling matters, deleted after their pods.
//
// Outcome (§2.1, §2.12):
//   failures                 → phase TransientError (all transient; Warning ErrorTransient; retried
//                              with backoff) or Error (any permanent; Warning Error; not retried
//                              until the object or a child changes: no hot loop);
//   pods or PVCs in progress → phase Progressing, look again in 3 s;
//   a LoadBalancer without an address → phase WaitingForP2PServices, Normal P2PIncomplete, 30 s;
//   otherwise Complete, status.peers written, and no timed requeue. Decision: upstream polled
//   every 60 s; here every input that can change the outcome already enqueues the key (the CR
//   and every child are watched, and the CometBFT status cache enqueues on a pod's reachability,
//   sync state or a height crossing a chain.versions height, and on heights every 30 s), so a
//   poll would only add work.
import type { CosmosFullNode } from '../../api/cosmosfullnode.ts';
import { defaultCosmosFullNode } from '../../api/defaults.ts';
import type { ReconcileContext, Reconciler } from '../../kube/controller.ts';
import { parseObjectKey } from '../../kube/object-key.ts';
import type { KubeObject } from '../../kube/resource.ts';
import type { StoreReader } from '../../kube/store.ts';
import type { PodSync } from '../../cosmos/status-cache.ts';
import { done, isReconcileError, permanent, type ReconcileResult, requeueAfter } from '../../kube/reconcile-result.ts';
import {
  type ConfigChecksums,
  type ConfigMapControlDeps,
  currentChecksums,
  reconcileConfigMaps,
} from './control/configmap-control.ts';
import { EVENT_REASONS, eventSubject, type FullNodeEvents } from './control/events.ts';
import { BELONGS_TO_LABEL, NODE_ID_ANNOTATION, selectorLabels } from '../../api/naming.ts';
import { type NodeKeyControlDeps, type NodeKeys, reconcileNodeKeys } from './control/node-key-control.ts';
import { combineErrors, errorParts, ownedBy } from './control/owned-children.ts';
import { collectPeers } from './control/peer-collector.ts';
import { hasIncompleteExternalAddress, type Peer, statusPeers } from './build/peers.ts';
import { buildPods, type DesiredPod, observationsFromStatus } from './build/pod-builder.ts';
import { type PodControlDeps, type PodControlResult, reconcilePods } from './control/pod-control.ts';
import { p2pPortOf } from './build/ports.ts';
import {
  podsOnTerminatingPvcs,
  type PvcControlDeps,
  type PvcControlResult,
  reconcilePvcs,
} from './control/pvc-control.ts';
import { type RbacControlDeps, reconcileRbac } from './control/rbac-control.ts';
import type { PodSyncState } from './build/rollout.ts';
import { reconcileServices, type ServiceControlDeps } from './control/service-control.ts';
import type { SidecarImage } from './build/sidecar.ts';
import { type StatusControlDeps, writeStatus } from './control/status-control.ts';
import { computeStatus, type PodObservation, type ReconcileOutcome } from './build/status.ts';

export const PROGRESS_REQUEUE_MS = 3_000;
export const P2P_REQUEUE_MS = 30_000;

export type FullNodeObject = CosmosFullNode & KubeObject;

/** What the reconcile needs of the CometBFT status cache. */
export type SyncSource = {
  track(namespace: string, name: string): void;
  untrack(namespace: string, name: string): void;
  syncInfo(namespace: string, name: string): Map<string, PodSync>;
  forget(namespace: string, name: string, pod: string): void;
};

export type FullNodeReconcileDeps =
  & Omit<
    & ServiceControlDeps
    & NodeKeyControlDeps
    & ConfigMapControlDeps
    & RbacControlDeps
    & PvcControlDeps
    & StatusControlDeps,
    'events'
  >
  & Omit<PodControlDeps, 'events' | 'forgetSync'>
  & {
    fullNodes: StoreReader<FullNodeObject>;
    statusCache: SyncSource;
    events: FullNodeEvents;
    sidecar?: SidecarImage;
    now?: () => Date;
  };

export function createFullNodeReconciler(deps: FullNodeReconcileDeps): Reconciler {
  return (key, ctx) => reconcileFullNode(deps, key, ctx);
}

export async function reconcileFullNode(
  deps: FullNodeReconcileDeps,
  key: string,
  ctx: Pick<ReconcileContext, 'log'>,
): Promise<ReconcileResult> {
  const { namespace = '', name } = parseObjectKey(key);
  const cached = deps.fullNodes.get(namespace, name);
  if (cached === undefined) {
    // Gone: GC deletes the children through their owner references.
    deps.statusCache.untrack(namespace, name);
    deps.heightRefresh?.forget(key);
    return done;
  }
  if (cached.metadata.deletionTimestamp !== undefined) {
    // Being deleted (someone's finalizer holds it): creating children now would fight GC.
    return done;
  }
  const node = defaultCosmosFullNode(cached as CosmosFullNode);
  deps.statusCache.track(namespace, name);

  const subject = eventSubject(cached);
  const errors: unknown[] = [];
  const attempt = async <T>(step: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await step();
    } catch (err) {
      // Controls wrap API failures; anything else thrown is a spec the builders cannot handle
      // (admission was bypassed or down): retrying cannot fix it until the object changes.
      errors.push(isReconcileError(err) ? err : permanent(err, { object: key, message: 'build children' }));
      return undefined;
    }
  };

  await attempt(() => reconcileServices(deps, node));

  const keys: NodeKeys | undefined = await attempt(() => reconcileNodeKeys(deps, node));
  if (keys?.error !== undefined) errors.push(keys.error);

  // Peers need every node ID: with a key missing (its Secret could not be written or read, an
  // error already counted above) they wait for the next pass. Building them anyway would turn a
  // passing API failure into a permanent "no node key" and park the object until it changed.
  const peers: Peer[] | undefined = keys === undefined || keys.error !== undefined
    ? undefined
    : await attempt(() => collectPeers(deps, node, keys.ids));

  let checksums: ConfigChecksums | undefined;
  if (peers !== undefined && keys !== undefined) {
    checksums = await attempt(() => reconcileConfigMaps(deps, node, peers, keys.secured));
  }
  // Without new ConfigMaps the pods keep the config they have, rather than all rolling.
  checksums ??= currentChecksums(deps, node);

  await attempt(() => reconcileRbac(deps, node));

  const syncInfo = deps.statusCache.syncInfo(namespace, name);
  const sync: Record<string, PodSyncState> = {};
  for (const [pod, seen] of syncInfo) {
    sync[pod] = seen.inSync === undefined
      ? { reachable: seen.reachable }
      : { reachable: seen.reachable, inSync: seen.inSync };
  }
  // The pods carry their key's node ID, so a new key restarts its pod. An instance whose key could
  // not be read this pass keeps the ID its pod has, rather than rolling.
  const nodeIds: Record<string, string> = {};
  for (const pod of ownedBy(deps.pods, node)) {
    const id = pod.metadata?.annotations?.[NODE_ID_ANNOTATION];
    if (id !== undefined) nodeIds[pod.metadata?.name ?? ''] = id;
  }
  Object.assign(nodeIds, keys?.ids);
  const desiredPods: DesiredPod[] | undefined = await attempt(() =>
    buildPods(
      node,
      observationsFromStatus(node, checksums, nodeIds),
      deps.sidecar !== undefined ? { sidecar: deps.sidecar } : {},
    )
  );
  // Pods that cannot be built are left alone: an empty desired set would delete them all.
  const pods: PodControlResult | undefined = desiredPods === undefined ? undefined : await attempt(() =>
    reconcilePods(
      { ...deps, forgetSync: (pod) => deps.statusCache.forget(namespace, name, pod) },
      node,
      desiredPods,
      sync,
      podsOnTerminatingPvcs(deps, node),
    )
  );

  const pvcs: PvcControlResult | undefined = await attempt(() => reconcilePvcs(deps, node));

  const failure = combineErrors(errors);
  let outcome: ReconcileOutcome;
  if (failure !== undefined) {
    outcome = { kind: 'failed', errors: errorParts(failure).map((err) => ({ kind: err.kind, message: err.message })) };
  } else if (pods?.requeue === true || pvcs?.requeue === true) {
    outcome = { kind: 'progressing' };
  } else if (peers !== undefined && hasIncompleteExternalAddress(peers)) {
    outcome = { kind: 'waitingForP2PServices' };
  } else {
    outcome = { kind: 'complete' };
  }

  const observedPods: Record<string, PodObservation> = {};
  for (const [pod, seen] of syncInfo) {
    const updating = pods?.updating[pod];
    if (updating !== undefined) observedPods[pod] = { error: updating };
    else if (!seen.reachable) observedPods[pod] = { error: seen.error ?? 'unreachable' };
    else {observedPods[pod] = {
        ...(seen.height !== undefined ? { height: seen.height } : {}),
        ...(seen.inSync !== undefined ? { inSync: seen.inSync } : {}),
      };}
  }
  const next = computeStatus(cached.status, {
    generation: cached.metadata.generation ?? 0,
    now: deps.now?.() ?? new Date(),
    outcome,
    peers: peers === undefined ? [] : statusPeers(peers, p2pPortOf(node)),
    pods: observedPods,
    mainPods: pods?.mainPods ??
      ownedBy(deps.pods, node).flatMap((
        pod,
      ) => (pod.metadata?.labels?.[BELONGS_TO_LABEL] === undefined ? [pod.metadata?.name ?? ''] : [])),
    desiredReplicas: (desiredPods ?? []).filter((d) => d.pod.metadata?.labels?.[BELONGS_TO_LABEL] === undefined).length,
    selector: Object.entries(selectorLabels(node))
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    changedPvcs: pvcs?.changed ?? [],
  });

  let statusError: unknown;
  try {
    const wrote = await writeStatus(deps, node, cached.status, next);
    if (wrote) ctx.log.debug('status written', { phase: next.phase });
  } catch (err) {
    statusError = err;
  }

  if (failure !== undefined) {
    const message = failure.message;
    if (failure.kind === 'transient') {
      deps.events.warning(subject, EVENT_REASONS.errorTransient, `${message}; retrying.`);
    } else deps.events.warning(subject, EVENT_REASONS.error, message);
    throw failure;
  }
  if (statusError !== undefined) throw statusError;
  switch (outcome.kind) {
    case 'progressing':
      return requeueAfter(PROGRESS_REQUEUE_MS);
    case 'waitingForP2PServices':
      deps.events.normal(subject, EVENT_REASONS.p2pIncomplete, 'Waiting for p2p service IPs or Hostnames to be ready.');
      return requeueAfter(P2P_REQUEUE_MS);
    default:
      return done;
  }
}
