// The ServiceAccount, Role and RoleBinding of the version-check containers (docs/compatibility.md
// §2.13), which read their own pod and CosmosFullNode and patch status.height. Pure. None are built
// when the user names a service account: the pods then run as that one, and its permissions are the
// user's.
import type { V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import {
  COMPONENT_LABEL,
  defaultLabels,
  roleBindingName,
  roleName,
  serviceAccountName,
  VERSION_CHECK_COMPONENT,
} from '../../../api/naming.ts';
import { controllerReferences } from './owner-reference.ts';
import { cloneJson } from '../../../api/json-clone.ts';

/** In apply order: the RoleBinding refers to the other two. */
export type VersionCheckRbac = [serviceAccount: V1ServiceAccount, role: V1Role, roleBinding: V1RoleBinding];

/** The three objects, or [] when spec.serviceAccountName is set. Metadata is not normalised, as in Go. */
export function buildVersionCheckRbac(node: CosmosFullNode): VersionCheckRbac | [] {
  const own = node.spec.serviceAccountName;
  if (own !== undefined && own !== null && own !== '') return [];

  const namespace = node.metadata.namespace;
  const metadata = (name: string) => ({
    name,
    namespace,
    labels: defaultLabels(node, { [COMPONENT_LABEL]: VERSION_CHECK_COMPONENT }),
    ownerReferences: controllerReferences(node),
  });
  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(serviceAccountName(node)),
  };
  const role: V1Role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: metadata(roleName(node)),
    // The Go operator's Role also granted `namespaces`, which a namespaced Role cannot grant (the
    // resource is cluster-scoped) and which made the operator need `escalate` to write it. The
    // version check reads its pod and its own CosmosFullNode, and patches that one's status.
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      {
        apiGroups: ['cosmos.strange.love'],
        resources: ['cosmosfullnodes'],
        resourceNames: [node.metadata.name ?? ''],
        verbs: ['get'],
      },
      {
        apiGroups: ['cosmos.strange.love'],
        resources: ['cosmosfullnodes/status'],
        resourceNames: [node.metadata.name ?? ''],
        verbs: ['patch'],
      },
    ],
  };
  const roleBinding: V1RoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata(roleBindingName(node)),
    subjects: [{ kind: 'ServiceAccount', name: serviceAccountName(node), namespace }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName(node) },
  };
  return cloneJson<VersionCheckRbac>([serviceAccount, role, roleBinding]);
}
