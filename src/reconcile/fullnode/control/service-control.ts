// Services of a CosmosFullNode (docs/compatibility.md §2.3): created, or replaced when their
// revision changes. Never deleted: a scaled-away or disabled instance keeps its p2p address, so DNS
// names, peer lists and LoadBalancer IPs stay valid for when it returns (and GC removes them with
// the CR). A Service whose spec or labels were edited by hand, its revision label left as it was,
// is replaced too (restored; reconcile/diff.ts `drifted`).
import type { V1Service } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { diffByRevision, metadataDrifted } from '../../diff.ts';
import { type Fingerprinted, fingerprintOf, serviceFingerprint } from '../build/fingerprint.ts';
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
  const specOf = (svc: ServiceObject) => serviceFingerprint(svc.spec);
  const diff = diffByRevision(
    current,
    desired,
    (have, want) =>
      metadataDrifted(have, want) || fingerprintOf(have as ServiceObject & Fingerprinted, specOf) !== specOf(want),
  );
  const errors: unknown[] = [];
  // Updates are full replaces; the API server keeps the allocated clusterIP and nodePorts we omit.
  await applyChildDiff(deps.serviceClient, 'Service', { creates: diff.creates, updates: diff.updates }, errors);
  throwCollected(errors);
}
