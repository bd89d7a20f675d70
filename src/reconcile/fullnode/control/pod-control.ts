// Pods of a CosmosFullNode (docs/compatibility.md §2.7, §13.1): the plan comes from planRollout
// (pure), this file carries it out. Scaling first: missing pods are created and unwanted ones
// deleted, and nothing is updated in that pass. Then updates, each by deleting the pod (the next
// pass creates it from the new spec), at most as many as the budget allows given CometBFT's view of
// the others.
//
// Pods the Go operator made carry its revision hashes, so each is recreated once on adoption
// (accepted by the compatibility contract, §2.11).
//
// Differences from upstream, for children edited by hand (README "Faults"):
//   - a pod at its revision whose labels or annotations the operator sets were edited (the
//     instance label a p2p Service selects by, the config checksum) gets them back by a merge
//     patch, in place; upstream left them. Keys the operator does not set are left alone. A pod
//     whose revision label was edited is replaced: the revision is how the operator knows a pod.
//   - a pod whose created-by label was removed is out of the cache's sight (it selects on that
//     label), so it looks missing and its create finds it there: it is read, and if it is this
//     node's, the label is put back, so it is seen again. Upstream's cache did not select by label.
//   - `held` pods (their PVC is being deleted, pvc-control.ts) are never deleted for an update:
//     the claim goes with its data as soon as its pod stops.
import type { V1Pod } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import { isNotFound } from '../../../kube/api-errors.ts';
import { mergePatch } from '../../../kube/apply.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { RestClient } from '../../../kube/rest.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { metadataDrifted, revisionOf, withRevision } from '../../diff.ts';
import { EVENT_REASONS, eventSubject, type FullNodeEvents, namesForEvent } from './events.ts';
import { BELONGS_TO_LABEL, CREATED_BY, CREATED_BY_LABEL, REVISION_LABEL } from '../../../api/naming.ts';
import { apiFailure, isAlreadyExists, ownedBy, throwCollected } from './owned-children.ts';
import type { DesiredPod } from '../build/pod-builder.ts';
import { planRollout, type PodSyncState, ROLLOUT_SYNC_ERRORS, type RolloutReason } from '../build/rollout.ts';

export type PodObject = KubeObject & V1Pod;

export type PodControlDeps = {
  pods: StoreReader<PodObject>;
  podClient: ObjectClient<PodObject>;
  rest: RestClient;
  events: FullNodeEvents;
  /** Drops a deleted pod's CometBFT state, so its successor is not judged by it. */
  forgetSync(pod: string): void;
};

export type PodControlResult = {
  /** Another pass is needed soon (scaling happened, or updates remain). */
  requeue: boolean;
  /** Pods deleted by this pass for an update, with the `status.sync[pod].error` to show (§2.7). */
  updating: Record<string, string>;
  /** Names of the main pods that exist after this pass. */
  mainPods: string[];
};

/**
 * Creates, deletes and rolls pods per planRollout. `sync` is CometBFT's view by pod name, already
 * limited to the current incarnation of each pod. `held` pods are not deleted for updates.
 */
export async function reconcilePods(
  deps: PodControlDeps,
  node: CosmosFullNode,
  desired: readonly DesiredPod[],
  sync: Readonly<Record<string, PodSyncState>>,
  held: ReadonlySet<string> = new Set(),
): Promise<PodControlResult> {
  const current = ownedBy(deps.pods, node);
  const stamped = new Map(
    desired.map(({ pod, ordinal }) => [pod.metadata!.name!, withRevision(pod, ordinal) as PodObject]),
  );
  const plan = planRollout({
    current: current.map((pod) => ({
      name: pod.metadata?.name ?? '',
      revision: pod.metadata?.labels?.[REVISION_LABEL],
      image: pod.spec?.containers?.[0]?.image,
      terminating: pod.metadata?.deletionTimestamp !== undefined,
      ready: readyCondition(pod),
    })),
    desired: desired.map(({ pod }) => {
      const belongsTo = pod.metadata?.labels?.[BELONGS_TO_LABEL];
      return {
        name: pod.metadata!.name!,
        revision: revisionOf(pod),
        image: pod.spec?.containers?.[0]?.image,
        ...(belongsTo !== undefined ? { belongsTo } : {}),
      };
    }),
    sync,
    maxUnavailable: node.spec.strategy?.maxUnavailable,
    replicas: node.spec.replicas,
    held,
  });

  const subject = eventSubject(node);
  const errors: unknown[] = [];
  const currentByName = new Map(current.map((pod) => [pod.metadata?.name ?? '', pod]));
  const created: string[] = [];
  for (const name of plan.create) {
    const pod = stamped.get(name)!;
    try {
      await deps.podClient.create(pod);
      created.push(name);
    } catch (err) {
      if (!isAlreadyExists(err)) errors.push(apiFailure(err, 'create', 'Pod', pod));
      // The cache has not seen our earlier create yet, or the pod lost its created-by label.
      else await relabelHidden(deps, node, pod).catch((e: unknown) => errors.push(apiFailure(e, 'patch', 'Pod', pod)));
    }
  }
  if (created.length > 0) {
    deps.events.normal(subject, EVENT_REASONS.createdPod, `Created ${namesForEvent('pod', created)}`);
  }

  const updating: Record<string, string> = {};
  const deleted = new Set<string>();
  for (const name of plan.delete) {
    const pod = currentByName.get(name);
    const reason: RolloutReason = plan.reasons[name] ?? 'update';
    try {
      // Only this incarnation: never a pod of the same name created meanwhile.
      await deps.podClient.delete(pod?.metadata?.namespace ?? node.metadata.namespace, name, {
        propagationPolicy: 'Foreground',
        ...(pod?.metadata?.uid !== undefined ? { preconditions: { uid: pod.metadata.uid } } : {}),
      });
    } catch (err) {
      if (!isNotFound(err)) {
        errors.push(apiFailure(err, 'delete', 'Pod', `${node.metadata.namespace ?? ''}/${name}`));
        continue;
      }
    }
    deleted.add(name);
    deps.forgetSync(name);
    if (reason === 'scale-down') {
      deps.events.normal(subject, EVENT_REASONS.deletedPod, `Deleted pod ${name}: no longer wanted`);
      continue;
    }
    updating[name] = ROLLOUT_SYNC_ERRORS[reason];
    const want = stamped.get(name);
    const image = want?.spec?.containers?.[0]?.image ?? '';
    if (reason === 'upgrade-unreachable') {
      const height = node.status?.height?.[name];
      deps.events.normal(
        subject,
        EVENT_REASONS.upgrade,
        `Deleted pod ${name} to upgrade it to image ${image}${height !== undefined ? ` at height ${height}` : ''}`,
      );
    } else {
      const from = pod?.metadata?.labels?.[REVISION_LABEL] ?? 'none';
      const to = want?.metadata?.labels?.[REVISION_LABEL] ?? '';
      const down = reason === 'replace-down'
        ? '; it was down (RPC not answering, not Ready), so outside maxUnavailable'
        : '';
      deps.events.normal(
        subject,
        EVENT_REASONS.rollingUpdate,
        `Deleted pod ${name} to update it (revision ${from} → ${to}${
          image !== pod?.spec?.containers?.[0]?.image ? `, image ${image}` : ''
        })${down}`,
      );
    }
  }

  // Labels and annotations edited by hand on pods that are otherwise as wanted: put back.
  for (const pod of current) {
    const name = pod.metadata?.name ?? '';
    const want = stamped.get(name);
    if (
      want === undefined || deleted.has(name) || pod.metadata?.deletionTimestamp !== undefined ||
      pod.metadata?.labels?.[REVISION_LABEL] !== want.metadata?.labels?.[REVISION_LABEL] ||
      !metadataDrifted(pod, want)
    ) continue;
    try {
      await mergePatch(deps.rest, deps.podClient.type, pod.metadata?.namespace, name, {
        // The uid makes the patch a precondition: never a newer pod of the same name.
        metadata: { uid: pod.metadata?.uid, labels: want.metadata?.labels, annotations: want.metadata?.annotations },
      });
    } catch (err) {
      if (!isNotFound(err)) errors.push(apiFailure(err, 'patch', 'Pod', pod));
    }
  }
  throwCollected(errors);

  const mainPods = [
    ...current.filter((pod) =>
      pod.metadata?.labels?.[BELONGS_TO_LABEL] === undefined && !deleted.has(pod.metadata?.name ?? '')
    ).map((pod) => pod.metadata?.name ?? ''),
    ...created.filter((name) => stamped.get(name)?.metadata?.labels?.[BELONGS_TO_LABEL] === undefined),
  ].sort();
  return { requeue: plan.requeue, updating, mainPods };
}

/**
 * A pod of this name exists but the cache does not hold it. If it is this node's (controller
 * reference with the node's uid) and lacks the created-by label the cache selects on, put that
 * label back. Nothing else: its revision stays its own, and the rollout judges it once seen.
 */
async function relabelHidden(deps: PodControlDeps, node: CosmosFullNode, want: PodObject): Promise<void> {
  const namespace = want.metadata?.namespace ?? node.metadata.namespace;
  const name = want.metadata?.name ?? '';
  const existing = await deps.podClient.get(namespace, name);
  const owner = existing?.metadata?.ownerReferences?.find((ref) => ref.controller === true);
  if (existing === undefined || owner === undefined || owner.uid !== node.metadata.uid) return;
  if (existing.metadata?.labels?.[CREATED_BY_LABEL] === CREATED_BY) return; // the cache is only behind
  await mergePatch(deps.rest, deps.podClient.type, namespace, name, {
    metadata: { uid: existing.metadata?.uid, labels: { [CREATED_BY_LABEL]: CREATED_BY } },
  });
}

/** The Ready condition; undefined when the pod has none yet. */
function readyCondition(pod: PodObject): boolean | undefined {
  const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return cond === undefined ? undefined : cond.status === 'True';
}
