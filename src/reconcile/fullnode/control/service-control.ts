// Services of a CosmosFullNode (docs/compatibility.md §2.3): created, or replaced when their
// revision changes. Never deleted: a scaled-away or disabled instance keeps its p2p address, so DNS
// names, peer lists and LoadBalancer IPs stay valid for when it returns (and GC removes them with
// the CR).
import type { V1Service } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { diffByRevision } from '../../diff.ts';
import { buildServices } from '../build/service-builder.ts';
import { applyChildDiff, ownedBy, throwCollected } from './owned-children.ts';

export type ServiceObject = KubeObject & V1Service;

export type ServiceControlDeps = {
  services: StoreReader<ServiceObject>;
  serviceClient: ObjectClient<ServiceObject>;
};

/** Creates and updates the node's services; throws the first failure after trying them all. */
export async function reconcileServices(deps: ServiceControlDeps, node: CosmosFullNode): Promise<void> {
  const current = ownedBy(deps.services, node);
  const desired = buildServices(node).map(({ ordinal, service }) => ({ ordinal, object: service as ServiceObject }));
  const diff = diffByRevision(current, desired);
  const errors: unknown[] = [];
  // Updates are full replaces; the API server keeps the allocated clusterIP and nodePorts we omit.
  await applyChildDiff(deps.serviceClient, 'Service', { creates: diff.creates, updates: diff.updates }, errors);
  throwCollected(errors);
}
