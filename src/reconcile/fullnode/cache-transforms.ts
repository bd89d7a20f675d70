// What the fullnode controller keeps of each cached child: only what the controls and the status
// cache read, so 1,000 CosmosFullNodes × 3 replicas (~20,000 children) stay within the memory
// target (design.md, Targets). The reflector has already dropped managedFields and the
// last-applied annotation. Children are diffed by their revision label (reconcile/diff.ts), so
// metadata is kept whole; what goes is the bulk no control reads. Reading a new field of a cached
// child means keeping it here.
import { NODE_KEY_FILE } from './node-key.ts';
import type { ConfigMapObject } from './node-key-collector.ts';
import type { PodObject } from './pod-control.ts';
import type { ServiceObject } from './service-control.ts';

/** The pod controls and the status cache read the containers' names, images and ports, and phase, IP and conditions. */
export function slimPod(pod: PodObject): PodObject {
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: pod.metadata!,
    spec: { containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, ports: c.ports })) },
    status: { phase: pod.status?.phase, podIP: pod.status?.podIP, conditions: pod.status?.conditions },
  } as PodObject;
}

/**
 * Peers read a p2p Service's type and LoadBalancer ingress (peers.ts); updates are full replaces
 * built from the spec, so the existing ports, selector and cluster IPs are never read.
 */
export function slimService(svc: ServiceObject): ServiceObject {
  const out: ServiceObject = { apiVersion: svc.apiVersion, kind: svc.kind, metadata: svc.metadata!, spec: { type: svc.spec?.type } };
  if (svc.status?.loadBalancer !== undefined) out.status = { loadBalancer: svc.status.loadBalancer };
  return out;
}

/**
 * The config overlays are diffed by revision and never read back; only a node key the Go
 * operator kept in the ConfigMap is (node-key-collector.ts, adopted into a Secret).
 */
export function slimConfigMap(cm: ConfigMapObject): ConfigMapObject {
  const key = cm.data?.[NODE_KEY_FILE];
  const { data: _data, binaryData: _binary, ...rest } = cm as ConfigMapObject & { binaryData?: unknown };
  return key === undefined ? rest : { ...rest, data: { [NODE_KEY_FILE]: key } };
}
