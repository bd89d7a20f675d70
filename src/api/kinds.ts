// The three kinds with their pure validate and default functions, for the webhook routes and the
// reconcilers to look up by kind (structurally compatible with webhooks/admit.ts KindHandlers).
import { FULL_NODE_KIND, FULL_NODE_VERSION, GROUP } from './cosmosfullnode.ts';
import { defaultCosmosFullNode, defaultScheduledVolumeSnapshot, defaultStatefulJob } from './defaults.ts';
import type { ValidationResult } from './field-errors.ts';
import { SNAPSHOT_KIND, SNAPSHOT_VERSION } from './scheduledvolumesnapshot.ts';
import { STATEFUL_JOB_KIND, STATEFUL_JOB_VERSION } from './statefuljob.ts';
import { validateCosmosFullNode } from './validate-cosmosfullnode.ts';
import { validateScheduledVolumeSnapshot } from './validate-scheduledvolumesnapshot.ts';
import { validateStatefulJob } from './validate-statefuljob.ts';

export interface ApiKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  /** Causes and warnings for `obj`; `old` is the stored object on UPDATE. Pure, never throws. */
  validate(obj: unknown, old?: unknown): ValidationResult;
  /** A copy of `obj` with the persisted defaults filled in; every other field kept. Pure, idempotent. */
  default<T>(obj: T): T;
}

export const COSMOS_FULL_NODE: ApiKind = {
  group: GROUP,
  version: FULL_NODE_VERSION,
  kind: FULL_NODE_KIND,
  plural: 'cosmosfullnodes',
  validate: (obj, old) => validateCosmosFullNode(obj, old),
  default: defaultCosmosFullNode,
};

export const SCHEDULED_VOLUME_SNAPSHOT: ApiKind = {
  group: GROUP,
  version: SNAPSHOT_VERSION,
  kind: SNAPSHOT_KIND,
  plural: 'scheduledvolumesnapshots',
  validate: (obj, old) => validateScheduledVolumeSnapshot(obj, old),
  default: defaultScheduledVolumeSnapshot,
};

export const STATEFUL_JOB: ApiKind = {
  group: GROUP,
  version: STATEFUL_JOB_VERSION,
  kind: STATEFUL_JOB_KIND,
  plural: 'statefuljobs',
  validate: (obj, old) => validateStatefulJob(obj, old),
  default: defaultStatefulJob,
};

export const API_KINDS: readonly ApiKind[] = [COSMOS_FULL_NODE, SCHEDULED_VOLUME_SNAPSHOT, STATEFUL_JOB];
