// cluster.json: everything another process needs to use a running control plane. The harness
// rewrites it whenever a supervised process gets a new pid.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'volume-provisioner',
] as const;
export type Component = (typeof COMPONENTS)[number];

/** Requests to paths under this one are audit-log markers (test/support/audit-log.ts): logged, answered 404. */
export const AUDIT_MARKER_PATH = '/cosmos-test-audit-marker';

export type ClusterState = {
  /** The control plane's directory (temporary unless kept): PKI, etcd data, logs/, kubeconfigs. */
  dir: string;
  /** Admin kubeconfig (user `admin`, group `system:masters`). */
  kubeconfig: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** kube-apiserver's gitVersion from /version. */
  version: string;
  binDir: string;
  kubectl: string;
  /** Current pid of each supervised process (the supervisor restarts them). */
  pids: Record<Component, number>;
  /** The process that runs the supervisor; when it dies, the plane is torn down. */
  harnessPid: number;
  /** URL that answers 200 when the component is healthy; null: only "process alive" is known. */
  health: Record<Component, string | null>;
  logs: Record<Component, string>;
  /** Names of the kwok-managed fake Nodes. */
  nodes: string[];
  /** kwok's pod IP range: a loopback range, so tests can listen on a pod's IP. */
  podCIDR: string;
  /** The default StorageClass; `storageClasses` lists every class the harness made. */
  storageClass: string;
  storageClasses: string[];
  /** CSI driver / provisioner name of the fake storage (volume-provisioner.ts). */
  volumeDriver: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** Seconds from startControlPlane() to ready. */
  startSeconds: number;
  /** kube-apiserver's audit log (policy in control-plane.ts); absent on planes started without one. */
  auditLog?: string;
};

export function readState(file: string): ClusterState {
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

/** Atomic: readers never see a half-written file. */
export function writeState(file: string, state: ClusterState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}
