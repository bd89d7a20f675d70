// What the fullnode controller keeps of each cached child: only what the controls and the status
// cache read, so 1,000 CosmosFullNodes × 3 replicas (~20,000 children) stay within the memory
// target (docs/architecture.md §6.1). The reflector has already dropped managedFields and the
// last-applied annotation. Children are diffed by their revision label (reconcile/diff.ts), so
// metadata is kept whole; what goes is the bulk no control reads. Reading a new field of a cached
// child means keeping it here.
import type { KubeObject } from '../../kube/resource.ts';
import { configMapFingerprint, type Fingerprinted, serviceFingerprint } from './build/fingerprint.ts';
import { NODE_KEY_FILE } from './build/node-key.ts';
import type { ConfigMapObject } from './control/node-key-collector.ts';
import type { PodObject } from './control/pod-control.ts';
import type { PvcObject } from './control/pvc-control.ts';
import type { ServiceObject } from './control/service-control.ts';

/**
 * The pod controls read each container's image and the Ready condition; the status cache reads the
 * IP, the Ready condition's time and the "rpc" port of the "node" container (status-cache.ts,
 * rpcPortOf). The rest of a 7 KB pod, other conditions and ports included, stays out of memory.
 */
export function slimPod(pod: PodObject): PodObject {
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: pod.metadata!,
    spec: {
      containers: (pod.spec?.containers ?? []).map((c) =>
        c.name === 'node' && c.ports !== undefined
          ? { name: c.name, image: c.image, ports: c.ports.filter((p) => p.name === 'rpc') }
          : { name: c.name, image: c.image }
      ),
    },
    status: {
      phase: pod.status?.phase,
      podIP: pod.status?.podIP,
      conditions: pod.status?.conditions?.filter((c) => c.type === 'Ready'),
    },
  } as PodObject;
}

/** The PVC control reads a claim's phase and bound capacity; updates are patches built from the spec it wants. */
export function slimPvc(pvc: PvcObject): PvcObject {
  return {
    apiVersion: pvc.apiVersion,
    kind: pvc.kind,
    metadata: pvc.metadata!,
    status: { phase: pvc.status?.phase, capacity: pvc.status?.capacity },
  } as PvcObject;
}

/** ServiceAccounts, Roles and RoleBindings are diffed by their revision label alone (rbac-control.ts). */
export function metadataOnly<T extends KubeObject>(obj: T): T {
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata } as T;
}

/**
 * Peers read a p2p Service's type and LoadBalancer ingress (peers.ts); updates are full replaces
 * built from the spec, so the existing ports, selector and cluster IPs are never read. A
 * fingerprint of the spec stands for the rest, so a spec edited by hand is seen (fingerprint.ts).
 */
export function slimService(svc: ServiceObject): ServiceObject {
  const out: ServiceObject & Fingerprinted = {
    apiVersion: svc.apiVersion,
    kind: svc.kind,
    metadata: svc.metadata!,
    spec: { type: svc.spec?.type },
    contentFingerprint: serviceFingerprint(svc.spec),
  };
  if (svc.status?.loadBalancer !== undefined) out.status = { loadBalancer: svc.status.loadBalancer };
  return out;
}

/**
 * The config overlays are diffed by revision and never read back, only their fingerprint (an edit
 * by hand is reverted, fingerprint.ts); and a node key the Go operator kept in the ConfigMap
 * (node-key-collector.ts, adopted into a Secret).
 */
export function slimConfigMap(cm: ConfigMapObject): ConfigMapObject {
  const key = cm.data?.[NODE_KEY_FILE];
  const { data: _data, binaryData: _binary, ...rest } = cm as ConfigMapObject & { binaryData?: Record<string, string> };
  const slim: ConfigMapObject & Fingerprinted = { ...rest, contentFingerprint: configMapFingerprint(cm) };
  return key === undefined ? slim : { ...slim, data: { [NODE_KEY_FILE]: key } };
}
