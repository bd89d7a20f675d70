// PVCs of a CosmosFullNode (docs/compatibility.md §2.10, §13.8): the chain data. Created (with a
// data source, on create only), deleted when no longer wanted unless volumeRetentionPolicy is
// Retain, and grown by a merge patch of spec.resources only once every PVC is Bound. Never shrunk,
// never recreated: PVCs the Go operator made are adopted in place (same names, same UIDs), their
// labels and resources patched like any update.
//
// Difference from upstream: under volumeRetentionPolicy Retain a PVC carries no owner reference,
// so deleting the CosmosFullNode leaves the data too (upstream's GC deleted Retain PVCs with the
// CR). Such PVCs are still this node's by name (pvc-<app>-<i>, no other controller); switching
// back to Delete gives them their owner reference again.
//
// A PVC someone else deleted while its pod runs stays Terminating (the kubernetes.io/pvc-protection
// finalizer) until the pod stops, and then its volume goes (reclaim policy Delete). A deletion
// cannot be undone, so the operator makes sure it is not the one that stops the pod: the pod is
// held out of rollouts (podsOnTerminatingPvcs → rollout.ts `held`), and a Warning PVCTerminating
// says what will happen and what to do. Once a person deletes the pod the claim goes, and the
// instance gets a new, empty PVC (event CreatedPVC) like any missing one. Upstream did nothing:
// its next rollout deleted the pod, and the data with it, without a word.
import type { V1PersistentVolumeClaim, V1TypedLocalObjectReference } from '@kubernetes/client-node';
import type { CosmosFullNode, FullNodePersistentVolumeClaimSpec } from '../../../api/cosmosfullnode.ts';
import { mergePatch } from '../../../kube/apply.ts';
import { describeApiError, isNotFound } from '../../../kube/api-errors.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { KubeObject, ResourceType } from '../../../kube/resource.ts';
import type { RestClient } from '../../../kube/rest.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { diffByRevision } from '../../diff.ts';
import { EVENT_REASONS, eventSubject, type FullNodeEvents, namesForEvent } from './events.ts';
import { INSTANCE_LABEL, instanceName, ordinalsOf, pvcName } from '../../../api/naming.ts';
import { apiFailure, controllingFullNode, isAlreadyExists, throwCollected } from './owned-children.ts';
import { autoScaleRequestsOf, buildPvcs, type PvcDataSource } from '../build/pvc-builder.ts';

export type PvcObject = KubeObject & V1PersistentVolumeClaim;

export type VolumeSnapshotObject = KubeObject & {
  spec?: { volumeSnapshotClassName?: string };
  status?: { readyToUse?: boolean; restoreSize?: string; creationTime?: string };
};

export const VOLUME_SNAPSHOTS: ResourceType = {
  group: 'snapshot.storage.k8s.io',
  version: 'v1',
  plural: 'volumesnapshots',
  kind: 'VolumeSnapshot',
  namespaced: true,
};

export type PvcControlDeps = {
  pvcs: StoreReader<PvcObject>;
  pvcClient: ObjectClient<PvcObject>;
  rest: RestClient;
  /** Undefined when the VolumeSnapshot CRD is not installed. */
  volumeSnapshots: StoreReader<VolumeSnapshotObject> | undefined;
  volumeSnapshotClient: ObjectClient<VolumeSnapshotObject> | undefined;
  events: FullNodeEvents;
};

export type PvcControlResult = {
  requeue: boolean;
  /** PVCs created or deleted: their autoscaler status entries are dropped (§2.10). */
  changed: string[];
};

export async function reconcilePvcs(deps: PvcControlDeps, node: CosmosFullNode): Promise<PvcControlResult> {
  const namespace = node.metadata.namespace ?? '';
  const subject = eventSubject(node);
  const retain = node.spec.volumeRetentionPolicy === 'Retain';
  const current = currentPvcs(deps, node);
  const currentNames = new Set(current.map((pvc) => pvc.metadata?.name ?? ''));

  const boundCapacity: Record<string, string> = {};
  for (const pvc of current) {
    const capacity = pvc.status?.capacity?.['storage'];
    if (pvc.status?.phase === 'Bound' && pvc.metadata?.deletionTimestamp === undefined && capacity !== undefined) {
      boundCapacity[pvc.metadata?.name ?? ''] = String(capacity);
    }
  }
  const dataSources: Record<string, PvcDataSource> = {};
  for (const ordinal of ordinalsOf(node)) {
    const name = pvcName(node, ordinal);
    if (currentNames.has(name) || node.spec.instanceOverrides?.[instanceName(node, ordinal)]?.disable === 'All') {
      continue;
    }
    const source = await findDataSource(deps, node, ordinal);
    if (source !== undefined) dataSources[name] = source;
  }

  const desired = buildPvcs(node, { boundCapacity, autoScaleRequested: autoScaleRequestsOf(node), dataSources });
  // Retain: no owner reference, so deleting the CosmosFullNode leaves the data (GC would not).
  if (retain) { for (const { pvc } of desired) delete pvc.metadata!.ownerReferences; }
  const ownersOf = new Map(desired.map((d) => [d.pvc.metadata!.name!, d.pvc.metadata!.ownerReferences ?? null]));
  const dataSourceOf = new Map(desired.map((d) => [d.pvc.metadata!.name!, d.dataSource]));
  const diff = diffByRevision(
    current,
    desired.map(({ ordinal, pvc }) => ({ ordinal, object: pvc as PvcObject })),
  );
  const wantedNames = new Set(desired.map((d) => d.pvc.metadata!.name!));
  for (const [pvc, pod] of terminatingClaims(current, node)) {
    if (!wantedNames.has(pvc)) continue;
    deps.events.warning(
      subject,
      EVENT_REASONS.pvcTerminating,
      `PVC ${pvc} is being deleted while pod ${pod} uses it: the claim and its data go when the pod stops. ` +
        `The operator does not restart ${pod} until then; delete pod ${pod} to start it afresh on a new, empty PVC`,
    );
  }

  const errors: unknown[] = [];
  const changed: string[] = [];
  // One event per data source: " from VolumeSnapshot s" (or "") → the PVCs created from it.
  const createdFrom = new Map<string, string[]>();
  for (const pvc of diff.creates) {
    const name = pvc.metadata?.name ?? '';
    const dataSource = dataSourceOf.get(name);
    // Outside the revision: it only matters when the claim is created (§2.10).
    const body: PvcObject = dataSource === undefined ? pvc : { ...pvc, spec: { ...pvc.spec, dataSource } };
    try {
      await deps.pvcClient.create(body);
      changed.push(name);
      const from = dataSource !== undefined ? ` from ${dataSource.kind} ${dataSource.name}` : '';
      createdFrom.set(from, [...(createdFrom.get(from) ?? []), name]);
    } catch (err) {
      if (!isAlreadyExists(err)) errors.push(apiFailure(err, 'create', 'PersistentVolumeClaim', pvc));
    }
  }
  for (const [from, names] of createdFrom) {
    deps.events.normal(subject, EVENT_REASONS.createdPvc, `Created ${namesForEvent('PVC', names)}${from}`);
  }

  if (!retain) {
    for (const pvc of diff.deletes) {
      const name = pvc.metadata?.name ?? '';
      if (pvc.metadata?.deletionTimestamp !== undefined) continue;
      try {
        await deps.pvcClient.delete(namespace, name, {
          propagationPolicy: 'Foreground',
          preconditions: { uid: pvc.metadata?.uid },
        });
        changed.push(name);
        deps.events.normal(
          subject,
          EVENT_REASONS.deletedPvc,
          `Deleted PVC ${name}: no longer wanted (volumeRetentionPolicy Delete)`,
        );
      } catch (err) {
        if (!isNotFound(err)) errors.push(apiFailure(err, 'delete', 'PersistentVolumeClaim', pvc));
      }
    }
  }

  let requeue = changed.length > 0;
  if (diff.updates.length > 0) {
    // Resizing while a claim is still binding races the provisioner; wait until all are Bound.
    if (current.some((pvc) => pvc.status?.phase !== 'Bound')) {
      requeue = true;
    } else {
      for (const pvc of diff.updates) {
        const name = pvc.metadata?.name ?? '';
        const metadata = {
          labels: pvc.metadata?.labels,
          annotations: pvc.metadata?.annotations,
          ownerReferences: ownersOf.get(name) ?? null,
        };
        const patch = { metadata, spec: { resources: pvc.spec?.resources } };
        try {
          await mergePatch(deps.rest, deps.pvcClient.type, namespace, name, patch);
        } catch (err) {
          // Upstream: an event, and the other controls carry on; the next pass tries again.
          deps.events.warning(subject, EVENT_REASONS.pvcPatchFailed, `Patch PVC ${name}: ${describeApiError(err)}`);
        }
      }
    }
  }
  throwCollected(errors);
  return { requeue, changed };
}

/**
 * Main pods whose PVC is being deleted by someone (not by the operator: it deletes only PVCs it no
 * longer wants, of pods already gone): the rollout must not stop them (see the header).
 */
export function podsOnTerminatingPvcs(deps: Pick<PvcControlDeps, 'pvcs'>, node: CosmosFullNode): Set<string> {
  return new Set(terminatingClaims(currentPvcs(deps, node), node).values());
}

/** PVC name → instance (pod) name, for the node's PVCs being deleted. */
function terminatingClaims(current: readonly PvcObject[], node: CosmosFullNode): Map<string, string> {
  const terminating = new Set(
    current.filter((pvc) => pvc.metadata?.deletionTimestamp !== undefined).map((pvc) => pvc.metadata?.name ?? ''),
  );
  const claims = new Map<string, string>();
  for (const ordinal of ordinalsOf(node)) {
    const name = pvcName(node, ordinal);
    if (terminating.has(name)) claims.set(name, instanceName(node, ordinal));
  }
  return claims;
}

/**
 * The node's PVCs: those it controls, and those of its PVC names with no controller at all (kept
 * under Retain without an owner reference, or left from an earlier CosmosFullNode of this name).
 */
function currentPvcs(deps: Pick<PvcControlDeps, 'pvcs'>, node: CosmosFullNode): PvcObject[] {
  const names = new Set(ordinalsOf(node).map((ordinal) => pvcName(node, ordinal)));
  return deps.pvcs.list(node.metadata.namespace ?? '').filter((pvc) => {
    const owner = controllingFullNode(pvc);
    if (owner !== undefined) return owner === node.metadata.name;
    return names.has(pvc.metadata?.name ?? '') &&
      !pvc.metadata?.ownerReferences?.some((ref) => ref.controller === true);
  });
}

/** The template in effect for an instance: its override's, else the spec's. */
function templateOf(node: CosmosFullNode, ordinal: number): FullNodePersistentVolumeClaimSpec {
  return node.spec.instanceOverrides?.[instanceName(node, ordinal)]?.volumeClaimTemplate ??
    node.spec.volumeClaimTemplate;
}

/** The data source for a PVC about to be created, with its size; events say what was found. */
async function findDataSource(
  deps: PvcControlDeps,
  node: CosmosFullNode,
  ordinal: number,
): Promise<PvcDataSource | undefined> {
  const namespace = node.metadata.namespace ?? '';
  const subject = eventSubject(node);
  const template = templateOf(node, ordinal);
  const explicit = template.dataSource as V1TypedLocalObjectReference | null | undefined;
  if (explicit != null) {
    if (explicit.kind === 'VolumeSnapshot' && explicit.apiGroup === VOLUME_SNAPSHOTS.group) {
      try {
        const snapshot = deps.volumeSnapshots?.get(namespace, explicit.name) ??
          (await deps.volumeSnapshotClient?.get(namespace, explicit.name));
        if (snapshot === undefined) throw new Error(`VolumeSnapshot ${namespace}/${explicit.name} not found`);
        return {
          ref: explicit,
          ...(snapshot.status?.restoreSize !== undefined ? { size: snapshot.status.restoreSize } : {}),
        };
      } catch (err) {
        deps.events.warning(
          subject,
          EVENT_REASONS.dataSourceGetSnapshot,
          `Get VolumeSnapshot ${explicit.name}: ${describeApiError(err)}`,
        );
        return undefined;
      }
    }
    if (explicit.kind === 'PersistentVolumeClaim' && (explicit.apiGroup ?? '') === '') {
      try {
        // Any PVC of the namespace, not only ours: read it from the API (create path only).
        const source = deps.pvcs.get(namespace, explicit.name) ?? (await deps.pvcClient.get(namespace, explicit.name));
        if (source === undefined) throw new Error(`PersistentVolumeClaim ${namespace}/${explicit.name} not found`);
        const size = source.status?.capacity?.['storage'];
        return { ref: explicit, ...(size !== undefined ? { size: String(size) } : {}) };
      } catch (err) {
        deps.events.warning(
          subject,
          EVENT_REASONS.dataSourceGetPvc,
          `Get PersistentVolumeClaim ${explicit.name}: ${describeApiError(err)}`,
        );
        return undefined;
      }
    }
    deps.events.warning(
      subject,
      EVENT_REASONS.dataSourceUnsupported,
      `Unsupported data source ${explicit.apiGroup ?? ''}/${explicit.kind} ${explicit.name}`,
    );
    return undefined;
  }

  const auto = template.autoDataSource;
  const selector = auto?.volumeSnapshotSelector ?? {};
  if (auto == null || Object.keys(selector).length === 0) return undefined;
  const match: Record<string, string> = { ...selector };
  if (auto.matchInstance) match[INSTANCE_LABEL] = instanceName(node, ordinal);
  const candidates = (deps.volumeSnapshots?.list(namespace, match) ?? []).filter((s) =>
    s.status?.readyToUse === true && s.metadata?.deletionTimestamp === undefined
  );
  const newest =
    candidates.sort((a, b) => Date.parse(b.status?.creationTime ?? '') - Date.parse(a.status?.creationTime ?? ''))[0];
  if (newest === undefined) {
    deps.events.warning(
      subject,
      EVENT_REASONS.autoDataSourceFindSnapshot,
      `No ready VolumeSnapshot matches ${JSON.stringify(match)} for PVC ${pvcName(node, ordinal)}; creating it empty`,
    );
    return undefined;
  }
  deps.events.normal(
    subject,
    EVENT_REASONS.autoDataSource,
    `Using recent VolumeSnapshot ${newest.metadata?.name} for PVC ${pvcName(node, ordinal)} data source`,
  );
  return {
    ref: { apiGroup: VOLUME_SNAPSHOTS.group, kind: 'VolumeSnapshot', name: newest.metadata?.name ?? '' },
    ...(newest.status?.restoreSize !== undefined ? { size: newest.status.restoreSize } : {}),
  };
}
