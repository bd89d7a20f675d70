// The events a CosmosFullNode's `kubectl describe` shows (docs/compatibility.md §2.12): upstream's
// reasons where upstream had one, StatefulSet's (SuccessfulCreate, SuccessfulDelete) for pods, and
// a few that say what a rollout is doing. Recording never throws and never blocks a reconcile.
import type { EventRecorder } from '../../../kube/events.ts';
import type { KubeObject } from '../../../kube/resource.ts';

export const EVENT_REASONS = {
  // Upstream (§2.12).
  errorTransient: 'ErrorTransient',
  error: 'Error',
  p2pIncomplete: 'P2PIncomplete',
  pvcPatchFailed: 'PVCPatchFailed',
  autoDataSource: 'AutoDataSource',
  autoDataSourceFindSnapshot: 'AutoDataSourceFindSnapshot',
  dataSourceUnsupported: 'DataSourceUnsupported',
  dataSourceGetSnapshot: 'DataSourceGetSnapshot',
  dataSourceGetPvc: 'DataSourceGetPVC',
  // Added.
  createdPod: 'SuccessfulCreate',
  deletedPod: 'SuccessfulDelete',
  rollingUpdate: 'RollingUpdate',
  upgrade: 'Upgrade',
  createdPvc: 'CreatedPVC',
  deletedPvc: 'DeletedPVC',
  nodeKeyCreated: 'NodeKeyCreated',
  nodeKeyAdopted: 'NodeKeyAdopted',
  // Children deleted or edited by hand (README "Faults").
  nodeKeyReplaced: 'NodeKeyReplaced',
  pvcTerminating: 'PVCTerminating',
} as const;

/** What the controls need of an event recorder: events about the CosmosFullNode. */
export type FullNodeEvents = Pick<EventRecorder, 'normal' | 'warning'>;

/** The CR as an event's `regarding`: apiVersion and kind are filled in (cache items may lack them). */
export function eventSubject(node: { apiVersion?: string; kind?: string; metadata: object }): KubeObject {
  return {
    apiVersion: node.apiVersion ?? 'cosmos.strange.love/v1',
    kind: node.kind ?? 'CosmosFullNode',
    metadata: node.metadata as KubeObject['metadata'],
  };
}

/**
 * "pod a", "pods a, b and c", "12 pods: a, b, …, j and 2 more": one event per action per
 * reconcile rather than one per object keeps `kubectl describe` readable and the API writes of a
 * new CosmosFullNode down (a 3-replica node once wrote 9 events for its pods, PVCs and keys).
 */
export function namesForEvent(noun: string, names: readonly string[], max = 10): string {
  if (names.length === 1) return `${noun} ${names[0]}`;
  const shown = names.slice(0, max);
  const rest = names.length - shown.length;
  if (rest > 0) return `${names.length} ${noun}s: ${shown.join(', ')} and ${rest} more`;
  return `${noun}s ${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** Events that go nowhere, for callers without a recorder. */
export const noEvents: FullNodeEvents = { normal: () => {}, warning: () => {} };
