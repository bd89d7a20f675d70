// The naming contract of a CosmosFullNode's children (docs/compatibility.md §2.2): their names,
// labels and annotations. These strings are what the Go operator used, so a cluster switching
// operators finds its pods, PVCs, Services and ConfigMaps under the same names and selectors:
// change nothing here without a migration. Shared by admission (api/) and the reconcilers.

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

/** `app` in docs/compatibility.md: the normalised CR name, also the `app.kubernetes.io/name` label. */
export function appName(node: NamedNode): string {
  return toName(node.metadata.name ?? '');
}

/** `inst(i)`: the name of the pod, and of its ConfigMap, for an ordinal. */
export function instanceName(node: NamedNode, ordinal: number): string {
  return toName(`${appName(node)}-${ordinal}`);
}

/**
 * The Secret holding an instance's `node_key.json` (key `node_key.json`). The Go operator kept node
 * keys in the ConfigMap; this operator keeps them in Secrets (§2.5), mounted into the same place.
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
export function ordinalsOf(
  node: { spec: { replicas: number; ordinals?: { start?: number | null } | null } },
): number[] {
  const start = node.spec.ordinals?.start ?? 0;
  const count = Math.max(0, node.spec.replicas);
  return Array.from({ length: count }, (_, i) => start + i);
}

// The image tag as the `app.kubernetes.io/version` label (Go kube.ParseImageVersion).

/**
 * The text after ':' when the reference splits on ':' into exactly two parts, else "latest".
 * So "ghcr.io/x/gaia:v1" → "v1", "gaia" → "latest", and a registry port ("host:5000/gaia:v1")
 * also gives "latest", as in Go. An empty or missing image gives "latest".
 */
export function imageVersion(image: string | undefined | null): string {
  const parts = (image ?? '').split(':');
  if (parts.length !== 2) return 'latest';
  const tag = parts[1]!;
  // Two departures from Go, both for images whose children the API server refused there:
  // "registry:5000/gaia" has no tag (the text after ':' holds a '/', never a label value), and a
  // digest or a long tag is cut to a label value's 63 characters here, as normalizeMetadata already
  // cut the pods' copy, so the p2p Services (not normalised) carry the same valid value.
  if (tag.includes('/')) return 'latest';
  return trimMiddle(tag, LABEL_LIMIT);
}

// Labels and annotations (§2.2). Selectors, the status cache and the versioncheck sidecar find objects by them.

// Kubernetes recommended labels.
export const CREATED_BY_LABEL = 'app.kubernetes.io/created-by';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const VERSION_LABEL = 'app.kubernetes.io/version';

// Diff bookkeeping (§2.11): the revision is a label, the ordinal an annotation.
export const REVISION_LABEL = 'app.kubernetes.io/revision';
export const ORDINAL_ANNOTATION = 'app.kubernetes.io/ordinal';

// Operator-specific keys.
export const NETWORK_LABEL = 'cosmos.strange.love/network';
export const TYPE_LABEL = 'cosmos.strange.love/type';
export const BELONGS_TO_LABEL = 'cosmos.strange.love/belongs-to';
export const CONFIG_CHECKSUM_ANNOTATION = 'cosmos.strange.love/config-checksum';
/** On main pods: the node ID of the key the pod was started with (docs/compatibility.md §2.5). */
export const NODE_ID_ANNOTATION = 'cosmos.strange.love/node-id';

export const CREATED_BY = 'cosmos-operator';
/** `app.kubernetes.io/component` of pods, PVCs and ConfigMaps. */
export const FULL_NODE_COMPONENT = 'CosmosFullNode';
export const P2P_COMPONENT = 'p2p';
export const RPC_COMPONENT = 'rpc';
export const SENTRY_COMPONENT = 'cosmos-sentry';
/** Component of the version-check ServiceAccount, Role and RoleBinding. */
export const VERSION_CHECK_COMPONENT = 'vc';

/** What labelling needs of a CosmosFullNode. */
export interface LabelledNode extends NamedNode {
  metadata: { name?: string; labels?: Record<string, string> | null };
  spec: {
    type?: string | null;
    chain: { network: string };
    podTemplate: { image?: string | null };
  };
}

/**
 * The labels every child starts from: the operator's defaults, then the CR's own
 * `metadata.labels` (which win, even over `app.kubernetes.io/name`: §13.5), then `extra`, the
 * per-object pairs such as the instance and component.
 *
 * One exception to §2.2: `app.kubernetes.io/created-by` stays `cosmos-operator` whatever the CR
 * says. The Go operator found its children by owner index; our caches hold only children with
 * that label (so their memory does not grow with every pod in the namespace), and a child
 * relabelled by its CR would vanish from them (README, Differences).
 */
export function defaultLabels(node: LabelledNode, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [COMPONENT_LABEL]: FULL_NODE_COMPONENT,
    [NAME_LABEL]: appName(node),
    [VERSION_LABEL]: imageVersion(node.spec.podTemplate.image),
    [NETWORK_LABEL]: node.spec.chain.network,
    [TYPE_LABEL]: nodeType(node),
    ...(node.metadata.labels ?? {}),
    [CREATED_BY_LABEL]: CREATED_BY,
    ...extra,
  };
}

/** The labels that select every main pod of a CosmosFullNode (the RPC service's selector). */
export function selectorLabels(node: NamedNode): Record<string, string> {
  return { [NAME_LABEL]: appName(node) };
}

/** FullNode unless the spec says Sentry. */
export function nodeType(node: { spec: { type?: string | null } }): 'FullNode' | 'Sentry' {
  return node.spec.type === 'Sentry' ? 'Sentry' : 'FullNode';
}

/**
 * Adds `extra` to `into` without overwriting keys already present: the operator's keys win over
 * template metadata (Go preserveMergeInto). Returns a new object.
 */
export function mergePreserving(
  into: Record<string, string>,
  extra: Record<string, string> | null | undefined,
): Record<string, string> {
  const merged = { ...into };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (!Object.hasOwn(merged, key)) merged[key] = value;
  }
  return merged;
}

export interface NormalizableMetadata {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Go kube.NormalizeMetadata: the name through toName, label and annotation keys through
 * toLabelKey, label values cut in the middle to 63 characters. Labels and annotations are always
 * present afterwards (possibly empty), as in Go. Where two keys normalise to the same key the
 * later one wins (Go's map order made it random).
 */
export function normalizeMetadata<M extends NormalizableMetadata>(metadata: M): M {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    labels[toLabelKey(key)] = trimMiddle(value, LABEL_LIMIT);
  }
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) annotations[toLabelKey(key)] = value;
  return { ...metadata, name: toName(metadata.name ?? ''), labels, annotations };
}

// The pod names a CosmosFullNode owns, to tell whether an `instanceOverrides` key names one (§2.8).

/** Main pods `inst(i)` for every ordinal in [start, start+replicas), and additional pods `<name>-<i>`. */
export function fullNodePodNames(
  name: string,
  start: number,
  replicas: number,
  additionalPodNames: readonly string[],
): Set<string> {
  const app = toName(name);
  const names = new Set<string>();
  const count = Math.min(Math.max(0, replicas), 100_000); // the names are only used to warn; bound the work
  for (let ordinal = start; ordinal < start + count; ordinal++) {
    names.add(toName(`${app}-${ordinal}`));
    for (const additional of additionalPodNames) names.add(toName(`${additional}-${ordinal}`));
  }
  return names;
}
