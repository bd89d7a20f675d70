// Labels and annotations of a CosmosFullNode's children (spec §2.2). The keys and values are the
// compatibility contract with the Go operator: selectors, the status cache and the versioncheck
// sidecar find objects by them.
import { appName, toLabelKey, toName, trimMiddle, LABEL_LIMIT, type NamedNode } from './names.ts';
import { imageVersion } from './image.ts';

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
export function mergePreserving(into: Record<string, string>, extra: Record<string, string> | null | undefined): Record<string, string> {
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
  for (const [key, value] of Object.entries(metadata.labels ?? {})) labels[toLabelKey(key)] = trimMiddle(value, LABEL_LIMIT);
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) annotations[toLabelKey(key)] = value;
  return { ...metadata, name: toName(metadata.name ?? ''), labels, annotations };
}
