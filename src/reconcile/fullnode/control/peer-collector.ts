// Peers of a CosmosFullNode (docs/compatibility.md §2.6) from the cache: the node IDs the node-key
// step found and the p2p Services, whose LoadBalancer ingress gives the external addresses.
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { buildPeers, type P2PService, type Peer } from '../build/peers.ts';
import { ownedBy } from './owned-children.ts';
import type { ServiceObject } from './service-control.ts';

export type PeerCollectorDeps = { services: StoreReader<ServiceObject> };

/** One peer per ordinal; throws a permanent error when a node ID is missing. */
export function collectPeers(
  deps: PeerCollectorDeps,
  node: CosmosFullNode,
  nodeIds: Readonly<Record<string, string>>,
): Peer[] {
  const services = new Map<string, P2PService>();
  for (const svc of ownedBy(deps.services, node)) services.set(svc.metadata?.name ?? '', svc as P2PService);
  return buildPeers(node, nodeIds, services);
}
