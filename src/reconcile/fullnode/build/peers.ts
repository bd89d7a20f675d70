// Peers of a CosmosFullNode (docs/compatibility.md §2.6, §1.2 status.peers): each instance's node
// ID with its in-cluster address and, for LoadBalancer p2p services, its external address. Pure:
// the peer collector hands in the node IDs and the p2p Services from the cache.
//
// Difference from upstream: a p2p service missing from the cache (the first pass, before the
// watch delivered it) does not empty the whole peer set, which made every ConfigMap lose its
// in-cluster peers and rolled every pod once more (§13.3). Private addresses need only names;
// a missing service that would be a LoadBalancer just counts as incomplete, like one without an
// ingress yet.
import { permanent } from '../../../kube/reconcile-result.ts';
import { instanceName, ordinalsOf, p2pServiceName } from '../../../api/naming.ts';
import { p2pPortOf } from './ports.ts';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export interface Peer {
  /** inst(i): the pod (and ConfigMap) name. */
  instance: string;
  ordinal: number;
  nodeId: string;
  /** `<app>-p2p-<i>.<namespace>.svc.<clusterDomain>:<p2p port>`. */
  privateAddress: string;
  /** `host:port` from the LoadBalancer ingress; undefined when there is none (yet). */
  externalAddress: string | undefined;
  /** The p2p service is (or will be) a LoadBalancer, so an external address is expected. */
  external: boolean;
}

/** What peers read of a CosmosFullNode. */
export interface PeeredNode {
  metadata: { name?: string; namespace?: string };
  spec: {
    replicas: number;
    ordinals?: { start?: number | null } | null;
    chain: { config?: { p2pListenAddress?: string | null } | null };
    service?: {
      clusterDomain?: string | null;
      maxP2PExternalAddresses?: number | null;
      p2pTemplate?: { type?: string | null } | null;
    } | null;
  };
}

/** What peers read of a p2p Service. */
export interface P2PService {
  metadata?: { name?: string };
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: readonly { ip?: string; hostname?: string }[] } };
}

/**
 * One peer per ordinal, disabled instances included (they keep their peer entries, §2.8), in
 * ordinal order. `nodeIds` is by instance name; a missing ID is permanent, as in Go (the node-key
 * step runs first and creates every key). `services` are the CR's p2p Services by name.
 */
export function buildPeers(
  node: PeeredNode,
  nodeIds: Readonly<Record<string, string>>,
  services: ReadonlyMap<string, P2PService>,
): Peer[] {
  const namespace = node.metadata.namespace ?? '';
  const domain = node.spec.service?.clusterDomain || DEFAULT_CLUSTER_DOMAIN;
  const port = p2pPortOf(node);
  const start = node.spec.ordinals?.start ?? 0;
  return ordinalsOf(node).map((ordinal) => {
    const instance = instanceName(node, ordinal);
    const nodeId = nodeIds[instance];
    if (nodeId === undefined || nodeId === '') {
      throw permanent(new Error(`no node key for ${instance}`), {
        object: `${namespace}/${node.metadata.name ?? ''}`,
        reason: 'MissingNodeKey',
        message: 'collect peers',
      });
    }
    const serviceName = p2pServiceName(node, ordinal);
    const service = services.get(serviceName);
    const external = service !== undefined
      ? service.spec?.type === 'LoadBalancer'
      : expectsLoadBalancer(node, ordinal - start);
    return {
      instance,
      ordinal,
      nodeId,
      privateAddress: joinHostPort(`${serviceName}.${namespace}.svc.${domain}`, port),
      externalAddress: service !== undefined ? externalAddressOf(service, port) : undefined,
      external,
    };
  });
}

/** `host:port` of a LoadBalancer's first ingress (IP, else hostname); undefined otherwise. */
export function externalAddressOf(service: P2PService, p2pPort: number): string | undefined {
  if (service.spec?.type !== 'LoadBalancer') return undefined;
  const ingress = service.status?.loadBalancer?.ingress?.[0];
  const host = ingress?.ip || ingress?.hostname;
  return host ? joinHostPort(host, p2pPort) : undefined;
}

/** Some LoadBalancer has no address yet: phase WaitingForP2PServices, poll again in 30 s. */
export function hasIncompleteExternalAddress(peers: readonly Peer[]): boolean {
  return peers.some((peer) => peer.external && peer.externalAddress === undefined);
}

/** status.peers: sorted `<id>@<external address>`, or `<id>@0.0.0.0:<p2p port>` without one. */
export function statusPeers(peers: readonly Peer[], p2pPort: number): string[] {
  return peers.map((peer) => `${peer.nodeId}@${peer.externalAddress ?? joinHostPort('0.0.0.0', p2pPort)}`).sort();
}

/** Every other instance's `<id>@<private address>`, sorted: the in-cluster persistent peers. */
export function privatePeersExcept(peers: readonly Peer[], instance: string): string[] {
  return peers
    .filter((peer) => peer.instance !== instance)
    .map((peer) => `${peer.nodeId}@${peer.privateAddress}`)
    .sort();
}

/** Every other instance's node ID, sorted. */
export function nodeIdsExcept(peers: readonly Peer[], instance: string): string[] {
  return peers
    .filter((peer) => peer.instance !== instance)
    .map((peer) => peer.nodeId)
    .sort();
}

/** The peer entry of an instance, if any. */
export function peerOf(peers: readonly Peer[], instance: string): Peer | undefined {
  return peers.find((peer) => peer.instance === instance);
}

/** Go net.JoinHostPort: IPv6 literals get brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// The service builder's rule (§2.3): the first clamp(maxP2PExternalAddresses ?? 1, 0, replicas)
// p2p services are external, of type p2pTemplate.type ?? LoadBalancer.
function expectsLoadBalancer(node: PeeredNode, index: number): boolean {
  const max = Math.min(Math.max(node.spec.service?.maxP2PExternalAddresses ?? 1, 0), node.spec.replicas);
  return index < max && (node.spec.service?.p2pTemplate?.type ?? 'LoadBalancer') === 'LoadBalancer';
}
