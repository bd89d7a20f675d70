// Names of everything a CosmosFullNode owns (spec §2.2). These strings are the compatibility
// contract with the Go operator: a cluster switching operators must find its pods, PVCs, services
// and ConfigMaps under the same names, so change nothing here without a migration.

/** Only the name of the CR is needed to name its children. */
export interface NamedNode {
  metadata: { name?: string };
}

export const NAME_LIMIT = 253;
export const LABEL_LIMIT = 63;

/** Kubernetes object name: keep [A-Za-z0-9.-], trim '-'/'.' ends, cut the middle to fit 253 (Go kube.ToName). */
export function toName(value: string): string {
  return normalize(value, NAME_LIMIT, '-.');
}

/** Label or annotation key: as toName, also allowing '_' and '/', limit 63 (Go kube.ToLabelKey). */
export function toLabelKey(value: string): string {
  return normalize(value, LABEL_LIMIT, '-_./');
}

/**
 * Cuts the middle out of `value` to fit `limit`, keeping limit/2 characters at the front and the
 * rest (one more when limit is odd) at the back, so both a prefix and an ordinal suffix survive.
 */
export function trimMiddle(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const left = Math.floor(limit / 2);
  const right = limit - left;
  return value.slice(0, left) + value.slice(value.length - right);
}

function normalize(value: string, limit: number, allowed: string): string {
  let kept = '';
  for (const char of value) {
    if (isAsciiAlphanumeric(char) || allowed.includes(char)) kept += char;
  }
  let start = 0;
  let end = kept.length;
  while (start < end && allowed.includes(kept[start]!)) start++;
  while (end > start && allowed.includes(kept[end - 1]!)) end--;
  return trimMiddle(kept.slice(start, end), limit);
}

function isAsciiAlphanumeric(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || (char >= '0' && char <= '9');
}

/** `app` in the spec: the normalised CR name, also the `app.kubernetes.io/name` label. */
export function appName(node: NamedNode): string {
  return toName(node.metadata.name ?? '');
}

/** `inst(i)`: the name of the pod, and of its ConfigMap, for an ordinal. */
export function instanceName(node: NamedNode, ordinal: number): string {
  return toName(`${appName(node)}-${ordinal}`);
}

/** The ConfigMap of an instance carries the pod's name (§2.5). */
export function configMapName(node: NamedNode, ordinal: number): string {
  return instanceName(node, ordinal);
}

/**
 * The Secret holding an instance's `node_key.json` (key `node_key.json`). The Go operator kept node
 * keys in the ConfigMap; this operator keeps them in Secrets (design.md), mounted into the same place.
 */
export function nodeKeySecretName(node: NamedNode, ordinal: number): string {
  return toName(`${appName(node)}-node-key-${ordinal}`);
}

/** The PVC mounted as the chain home of an instance. */
export function pvcName(node: NamedNode, ordinal: number): string {
  return toName(`pvc-${appName(node)}-${ordinal}`);
}

/** p2p service of an instance. Not normalised further, as in Go. */
export function p2pServiceName(node: NamedNode, ordinal: number): string {
  return `${appName(node)}-p2p-${ordinal}`;
}

/** privval service of a Sentry instance. */
export function privvalServiceName(node: NamedNode, ordinal: number): string {
  return `${appName(node)}-privval-${ordinal}`;
}

/** The one RPC service of a CosmosFullNode. */
export function rpcServiceName(node: NamedNode): string {
  return `${appName(node)}-rpc`;
}

// The version-check RBAC objects use the raw CR name, not appName (§2.2).

/** The ServiceAccount the operator creates for the versioncheck containers. */
export function serviceAccountName(node: NamedNode): string {
  return `${node.metadata.name ?? ''}-vc-sa`;
}

export function roleName(node: NamedNode): string {
  return `${node.metadata.name ?? ''}-vc-r`;
}

export function roleBindingName(node: NamedNode): string {
  return `${node.metadata.name ?? ''}-vc-rb`;
}

/** The ServiceAccount the pods run as: the user's, else the operator's version-check account. */
export function podServiceAccountName(node: NamedNode & { spec: { serviceAccountName?: string | null } }): string {
  const own = node.spec.serviceAccountName;
  return own !== undefined && own !== null && own !== '' ? own : serviceAccountName(node);
}

/** An additionalVersionedPods entry's pod for an ordinal: `<entry name>-<ordinal>`. */
export function additionalPodName(entryName: string, ordinal: number): string {
  return toName(`${entryName}-${ordinal}`);
}

/** The ordinals [start, start+replicas) of a CosmosFullNode, ascending. */
export function ordinalsOf(node: { spec: { replicas: number; ordinals?: { start?: number | null } | null } }): number[] {
  const start = node.spec.ordinals?.start ?? 0;
  const count = Math.max(0, node.spec.replicas);
  return Array.from({ length: count }, (_, i) => start + i);
}
