// StatefulJob, cosmos.strange.love/v1alpha1: schema, types, field docs (docs/compatibility.md
// §1.4, §8).
import type { V1JobStatus, V1PodSpec } from '@kubernetes/client-node';
import { goDuration } from './field-checks.ts';
import { k8s } from './k8s-types.ts';
import type { Jsonified, ObjectMeta } from './metadata.ts';
import { ACCESS_MODES } from './cosmosfullnode.ts';
import { enumOf, type Infer, int32, int64, list, object, optional, str, stringMap } from './schema-kit.ts';

export const STATEFUL_JOB_VERSION = 'v1alpha1';
export const STATEFUL_JOB_KIND = 'StatefulJob';

/** Go duration text, as metav1.Duration accepts it: "24h", "1h30m", "90s", "0". */
const GO_DURATION_PATTERN = '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$';

export const statefulJobSpec = object(
  'Desired state of a StatefulJob: periodically, a Job runs on a fresh PVC restored from the newest ready VolumeSnapshot matching the selector, for example to upload chain data. The PVC is the pod volume named "snapshot"; mount it in your containers.',
  {
    selector: stringMap('Labels selecting the VolumeSnapshots; the newest ready one is restored.'),
    interval: optional(
      str('Minimum time between job starts, as a Go duration such as "24h" or "12h30m". Defaults to 24h.', {
        crd: { pattern: GO_DURATION_PATTERN },
        check: goDuration,
      }),
    ),
    jobTemplate: optional(
      object('Settings of the Jobs.', {
        activeDeadlineSeconds: optional(
          int64(
            'Seconds a Job may run before it is stopped. Not too short, or PVC and snapshot provisioning rate limits bite. Defaults to 86400 (24 hours).',
            { minimum: 1 },
          ),
        ),
        backoffLimit: optional(int32('Retries before a Job is marked failed. Defaults to 5.', { minimum: 0 })),
        ttlSecondsAfterFinished: optional(
          int32('Seconds a finished Job is kept, for its logs, before it is deleted. Defaults to 900.', { minimum: 0 }),
        ),
      }),
    ),
    podTemplate: object('Template of the Job pods. The restart policy defaults to Never.', {
      metadata: optional(
        object('Labels and annotations of the pods.', {
          labels: optional(stringMap('Labels of the pods.')),
          annotations: optional(stringMap('Annotations of the pods.')),
        }),
      ),
      spec: k8s<Jsonified<V1PodSpec>>(
        'io.k8s.api.core.v1.PodSpec',
        'Pod spec of the Job pods. Include the commands that process the data, and a volume mount of "snapshot".',
      ),
    }),
    volumeClaimTemplate: object('The PVC restored for each Job.', {
      storageClassName: str(
        'Storage class of the PVC. On GKE it must match the class of the PVC the snapshot was taken from.',
      ),
      accessModes: optional(list('Access modes of the PVC.', enumOf('', ACCESS_MODES))),
    }),
  },
);

export const statefulJobStatus = object('Observed state of a StatefulJob, written by the operator.', {
  observedGeneration: int64('The generation the operator last acted on.'),
  status: optional(str('Message for the user, such as the last error.')),
  jobHistory: optional(
    list(
      'Statuses of the last 5 Jobs, newest first.',
      k8s<Jsonified<V1JobStatus>>('io.k8s.api.batch.v1.JobStatus', ''),
    ),
  ),
});

export type StatefulJobSpec = Infer<typeof statefulJobSpec>;
export type StatefulJobStatus = Infer<typeof statefulJobStatus>;

export interface StatefulJob {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: StatefulJobSpec;
  status?: StatefulJobStatus;
}

export const STATEFUL_JOB_PRINTER_COLUMNS = [{
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
}] as const;
