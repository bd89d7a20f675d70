// ScheduledVolumeSnapshot, cosmos.strange.love/v1alpha1: schema, types, field docs
// (docs/compatibility.md §1.3, §7).
import { cronSchedule } from './field-checks.ts';
import { k8s } from './k8s-types.ts';
import type { Jsonified, ObjectMeta } from './metadata.ts';
import { bool, dateTime, enumOf, type Infer, int32, int64, object, optional, str, stringMap } from './schema-kit.ts';

export const SNAPSHOT_VERSION = 'v1alpha1';
export const SNAPSHOT_KIND = 'ScheduledVolumeSnapshot';

export const SNAPSHOT_PHASES = [
  'WaitingForNext',
  'FindingCandidate',
  'DeletingPod',
  'WaitingForPodDeletion',
  'CreatingSnapshot',
  'WaitingForSnapshotCreation',
  'RestoringPod',
  'Suspended',
  'MissingCRDs',
] as const;

/** external-snapshotter's VolumeSnapshotStatus, as JSON. */
export interface VolumeSnapshotStatus {
  boundVolumeSnapshotContentName?: string;
  creationTime?: string;
  readyToUse?: boolean;
  restoreSize?: string | number;
  error?: { message?: string; time?: string };
  volumeGroupSnapshotName?: string;
  [key: string]: unknown;
}

export const scheduledVolumeSnapshotSpec = object(
  'Desired state of a ScheduledVolumeSnapshot: VolumeSnapshots of a CosmosFullNode PVC on a cron schedule. While a snapshot is taken, the pod writing to the PVC may be deleted for consistency, so run at least 2 replicas (3 recommended). One snapshot at a time.',
  {
    fullNodeRef: object(
      'The CosmosFullNode to snapshot, in the same namespace. Changing it later is undefined behaviour: create a new ScheduledVolumeSnapshot instead.',
      {
        name: str('Name of the CosmosFullNode.', { minLength: 1 }),
        namespace: optional(
          str('Deprecated and ignored: the CosmosFullNode must be in the namespace of the ScheduledVolumeSnapshot.'),
        ),
        ordinal: optional(
          int32(
            'Snapshots only the pod with this ordinal (useful when snapshots are node-local). Any in-sync pod when unset.',
            { minimum: 0 },
          ),
        ),
      },
    ),
    schedule: str(
      'When to take snapshots: a standard five-field crontab ("0 */6 * * *"), a descriptor such as @daily or "@every 12h", optionally prefixed with CRON_TZ=<zone>. Evaluated in UTC otherwise. Providers rate-limit snapshot creation, so avoid very frequent schedules.',
      { check: cronSchedule },
    ),
    volumeSnapshotClassName: str('VolumeSnapshotClass of the snapshots.', { minLength: 1 }),
    deletePod: optional(
      bool(
        'Deletes the candidate pod while its PVC is snapshotted, so nothing writes to it; the pod is recreated afterwards. Defaults to false.',
      ),
    ),
    minAvailable: optional(
      int32('In-sync pods needed before a snapshot is started. Defaults to 2. With 1 and deletePod, expect downtime.', {
        minimum: 1,
      }),
    ),
    limit: optional(
      int32('Number of most recent snapshots kept; older ones are deleted. Defaults to 3.', { minimum: 1 }),
    ),
    suspend: optional(bool('Stops taking snapshots (a snapshot in progress completes first). Defaults to false.')),
  },
);

export const scheduledVolumeSnapshotStatus = object(
  'Observed state of a ScheduledVolumeSnapshot, written by the operator.',
  {
    observedGeneration: int64('The generation the operator last acted on.'),
    status: optional(str('Message for the user, such as the last error.')),
    phase: enumOf('Step of the snapshot cycle the controller is in.', SNAPSHOT_PHASES),
    createdAt: dateTime(
      'When the controller first saw this object; the schedule counts from it until the first snapshot.',
    ),
    candidate: optional(
      object('The pod and PVC being snapshotted.', {
        podName: str('Name of the pod.'),
        pvcName: str('Name of the PVC.'),
        podLabels: optional(stringMap('Labels of the pod, copied onto the VolumeSnapshot.')),
      }),
    ),
    lastSnapshot: optional(
      object('The most recent VolumeSnapshot the controller created.', {
        name: str('Name of the VolumeSnapshot.'),
        startedAt: dateTime('When the VolumeSnapshot was created.'),
        status: optional(
          k8s<Jsonified<VolumeSnapshotStatus>>(
            'io.k8s.snapshot.storage.v1.VolumeSnapshotStatus',
            'Status of the VolumeSnapshot, as last seen.',
          ),
        ),
      }),
    ),
  },
);

export type ScheduledVolumeSnapshotSpec = Infer<typeof scheduledVolumeSnapshotSpec>;
export type ScheduledVolumeSnapshotStatus = Infer<typeof scheduledVolumeSnapshotStatus>;

export interface ScheduledVolumeSnapshot {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ScheduledVolumeSnapshotSpec;
  status?: ScheduledVolumeSnapshotStatus;
}

export const SNAPSHOT_PRINTER_COLUMNS = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Step of the snapshot cycle.' },
  { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule', description: 'Cron schedule.' },
  {
    name: 'Last Snapshot',
    type: 'string',
    jsonPath: '.status.lastSnapshot.name',
    description: 'The most recent VolumeSnapshot.',
    priority: 1,
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
] as const;
