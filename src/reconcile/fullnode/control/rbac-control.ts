// The version-check ServiceAccount, Role and RoleBinding (docs/compatibility.md §2.13): created,
// replaced on a revision change, never deleted (GC removes them with the CR). Nothing when the spec
// names its own service account.
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { diffByRevision } from '../../diff.ts';
import { applyChildDiff, throwCollected } from './owned-children.ts';
import { buildVersionCheckRbac } from '../build/rbac-builder.ts';

export type RbacControlDeps = {
  serviceAccounts: StoreReader<KubeObject>;
  roles: StoreReader<KubeObject>;
  roleBindings: StoreReader<KubeObject>;
  serviceAccountClient: ObjectClient<KubeObject>;
  roleClient: ObjectClient<KubeObject>;
  roleBindingClient: ObjectClient<KubeObject>;
};

export async function reconcileRbac(deps: RbacControlDeps, node: CosmosFullNode): Promise<void> {
  const built = buildVersionCheckRbac(node);
  if (built.length === 0) return;
  const [serviceAccount, role, roleBinding] = built as unknown as [KubeObject, KubeObject, KubeObject];
  const errors: unknown[] = [];
  // In order: the RoleBinding refers to the other two.
  for (
    const [desired, store, client] of [
      [serviceAccount, deps.serviceAccounts, deps.serviceAccountClient],
      [role, deps.roles, deps.roleClient],
      [roleBinding, deps.roleBindings, deps.roleBindingClient],
    ] as const
  ) {
    const existing = store.get(desired.metadata?.namespace, desired.metadata?.name ?? '');
    const diff = diffByRevision(existing === undefined ? [] : [existing], [{ object: desired, ordinal: 0 }]);
    await applyChildDiff(client, desired.kind ?? '', { creates: diff.creates, updates: diff.updates }, errors);
  }
  throwCollected(errors);
}
