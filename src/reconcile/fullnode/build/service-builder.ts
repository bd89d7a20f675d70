// The services a CosmosFullNode wants (docs/compatibility.md §2.3): one p2p service per instance,
// one privval service per instance of a Sentry, and one RPC service. Pure.
//
// One p2p service per pod, not one for all: an outside peer that reached an in-sync pod through an
// address and later a lagging pod through the same address could take it for byzantine behaviour.
// Services are never deleted (the control's business): a disabled or scaled-away instance keeps its
// p2p address, so peers and DNS stay valid.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import {
  COMPONENT_LABEL,
  defaultLabels,
  INSTANCE_LABEL,
  instanceName,
  mergePreserving,
  normalizeMetadata,
  ordinalsOf,
  P2P_COMPONENT,
  p2pServiceName,
  privvalServiceName,
  RPC_COMPONENT,
  rpcServiceName,
  selectorLabels,
  SENTRY_COMPONENT,
} from '../../../api/naming.ts';
import { controllerReferences } from './owner-reference.ts';
import { cloneJson } from '../../../api/json-clone.ts';
import { API_PORT, GRPC_PORT, GRPC_WEB_PORT, p2pPortOf, PRIVVAL_PORT, ROSETTA_PORT, rpcPortOf } from './ports.ts';

const DEFAULT_MAX_P2P_EXTERNAL_ADDRESSES = 1;

/** A desired service and its diff ordinal: its position in the list (§2.3). */
export interface DesiredService {
  readonly ordinal: number;
  readonly service: V1Service;
}

/** p2p services (by ordinal), then privval services for a Sentry, then the RPC service. */
export function buildServices(node: CosmosFullNode): DesiredService[] {
  const services: V1Service[] = [...buildP2PServices(node)];
  if (node.spec.type === 'Sentry') services.push(...buildPrivvalServices(node));
  services.push(buildRpcService(node));
  return services.map((service, ordinal) => ({ ordinal, service: cloneJson(service) }));
}

/** How many p2p services are external: maxP2PExternalAddresses (default 1) clamped to [0, replicas]. */
export function externalP2PCount(node: CosmosFullNode): number {
  const max = node.spec.service?.maxP2PExternalAddresses ?? DEFAULT_MAX_P2P_EXTERNAL_ADDRESSES;
  return Math.min(Math.max(max, 0), Math.max(node.spec.replicas, 0));
}

function buildP2PServices(node: CosmosFullNode): V1Service[] {
  const template = node.spec.service?.p2pTemplate;
  const external = externalP2PCount(node);
  return ordinalsOf(node).map((ordinal, index) => {
    const service = instanceService(node, ordinal, p2pServiceName(node, ordinal), P2P_COMPONENT);
    service.spec!.ports = [{ name: 'p2p', protocol: 'TCP', port: p2pPortOf(node), targetPort: 'p2p' }];
    if (index < external) {
      // Only the external ones take the template's metadata; its ports are ignored (§2.3).
      service.metadata!.labels = mergePreserving(service.metadata!.labels!, template?.metadata?.labels);
      service.metadata!.annotations = mergePreserving(service.metadata!.annotations!, template?.metadata?.annotations);
      service.spec!.type = template?.type ?? 'LoadBalancer';
      service.spec!.externalTrafficPolicy = template?.externalTrafficPolicy ?? 'Local';
    } else {
      service.spec!.type = 'ClusterIP';
      if (template?.clusterIP !== undefined && template.clusterIP !== null && template.clusterIP !== '') {
        service.spec!.clusterIP = template.clusterIP;
      }
    }
    return service;
  });
}

/** The port a remote signer (horcrux-proxy finds it by the name "sentry-privval") dials into. */
function buildPrivvalServices(node: CosmosFullNode): V1Service[] {
  const template = node.spec.service?.p2pTemplate;
  return ordinalsOf(node).map((ordinal) => {
    const service = instanceService(node, ordinal, privvalServiceName(node, ordinal), SENTRY_COMPONENT);
    service.metadata!.labels = mergePreserving(service.metadata!.labels!, template?.metadata?.labels);
    service.metadata!.annotations = mergePreserving(service.metadata!.annotations!, template?.metadata?.annotations);
    service.spec!.ports = [{ name: 'sentry-privval', protocol: 'TCP', port: PRIVVAL_PORT, targetPort: 'privval' }];
    service.spec!.type = 'ClusterIP';
    // A Sentry is not ready until the signer connects, so the signer must reach it before.
    service.spec!.publishNotReadyAddresses = true;
    return service;
  });
}

/** A service selecting the one pod of `ordinal`. As in Go, its metadata is not normalised. */
function instanceService(node: CosmosFullNode, ordinal: number, name: string, component: string): V1Service {
  const instance = instanceName(node, ordinal);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: node.metadata.namespace,
      labels: defaultLabels(node, { [INSTANCE_LABEL]: instance, [COMPONENT_LABEL]: component }),
      annotations: {},
      ownerReferences: controllerReferences(node),
    },
    spec: { selector: { [INSTANCE_LABEL]: instance } },
  };
}

/** The RPC service over every main pod: the fixed API ports, then rpcTemplate.ports. */
function buildRpcService(node: CosmosFullNode): V1Service {
  const template = node.spec.service?.rpcTemplate;
  const port = (name: string, number: number): V1ServicePort => ({
    name,
    protocol: 'TCP',
    port: number,
    targetPort: name,
  });
  const metadata = normalizeMetadata({
    name: rpcServiceName(node),
    namespace: node.metadata.namespace,
    labels: mergePreserving(defaultLabels(node, { [COMPONENT_LABEL]: RPC_COMPONENT }), template?.metadata?.labels),
    annotations: mergePreserving({}, template?.metadata?.annotations),
    ownerReferences: controllerReferences(node),
  });
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      ports: [
        port('api', API_PORT),
        port('rosetta', ROSETTA_PORT),
        port('grpc', GRPC_PORT),
        port('rpc', rpcPortOf(node)),
        port('grpc-web', GRPC_WEB_PORT),
        ...cloneJson(template?.ports ?? []),
      ] as V1ServicePort[],
      selector: selectorLabels(node),
      type: template?.type ?? 'ClusterIP',
    },
  };
  if (template?.externalTrafficPolicy !== undefined && template.externalTrafficPolicy !== null) {
    service.spec!.externalTrafficPolicy = template.externalTrafficPolicy;
  }
  if (template?.clusterIP !== undefined && template.clusterIP !== null && template.clusterIP !== '') {
    service.spec!.clusterIP = template.clusterIP;
  }
  return service;
}
