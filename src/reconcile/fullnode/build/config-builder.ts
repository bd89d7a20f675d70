// The ConfigMap of each instance (docs/compatibility.md §2.5): `config-overlay.toml` and
// `app-overlay.toml`, which the `config-merge` init container lays over the config.toml and
// app.toml that `<binary> init` wrote. Pure.
//
// Each overlay is built in three layers, the later winning (mergemap: maps merge, anything else
// is replaced): the defaults (comet-defaults.ts), the operator's values, the user's overrides.
// Many operator keys are written twice, snake_case and kebab-case, because chains disagree on
// which one their config parser reads; Go did the same and existing nodes rely on it.
//
// Node keys are not in the ConfigMap: this operator keeps them in Secrets (§2.5), where Go
// had a `node_key.json` key here.
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { DesiredResource } from '../../diff.ts';
import { defaultAppConfig, defaultCometConfig } from './comet-defaults.ts';
import { haltHeightFor } from './halt-height.ts';
import { defaultLabels, INSTANCE_LABEL, instanceName, normalizeMetadata, ordinalsOf } from '../../../api/naming.ts';
import { controllerReferences } from './owner-reference.ts';
import { nodeIdsExcept, type Peer, peerOf, privatePeersExcept } from './peers.ts';
import { PRIVVAL_PORT } from './ports.ts';
import { mergeToml, parseTomlOverride, stringifyToml, type TomlTable } from './toml-merge.ts';

export const CONFIG_OVERLAY_FILE = 'config-overlay.toml';
export const APP_OVERLAY_FILE = 'app-overlay.toml';
export const DEFAULT_RPC_LISTEN_ADDRESS = 'tcp://0.0.0.0:26657';

export interface ConfigOverlays {
  [CONFIG_OVERLAY_FILE]: string;
  [APP_OVERLAY_FILE]: string;
}

/** A ConfigMap as JSON, the way the builders hand objects to the diff. */
export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }[];
  };
  data: Record<string, string>;
}

/**
 * One ConfigMap per ordinal, named inst(i), labelled like the pods; the diff ordinal is the
 * index i − start. Throws a permanent error when an override is not TOML.
 */
export function buildConfigMaps(node: CosmosFullNode, peers: readonly Peer[]): DesiredResource<ConfigMapObject>[] {
  const start = node.spec.ordinals?.start ?? 0;
  return ordinalsOf(node).map((ordinal) => {
    const instance = instanceName(node, ordinal);
    const metadata = normalizeMetadata<ConfigMapObject['metadata']>({
      name: instance,
      ...(node.metadata.namespace !== undefined ? { namespace: node.metadata.namespace } : {}),
      labels: defaultLabels(node, { [INSTANCE_LABEL]: instance }),
      annotations: {},
    });
    // Like every child (owner-reference.ts): found as owned, and deleted with the CR by GC.
    const owners = controllerReferences(node);
    if (owners.length > 0) metadata.ownerReferences = owners;
    const object: ConfigMapObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata,
      data: { ...buildConfigOverlays(node, instance, peers) },
    };
    return { object, ordinal: ordinal - start };
  });
}

/** Both overlay files of one instance. */
export function buildConfigOverlays(node: CosmosFullNode, instance: string, peers: readonly Peer[]): ConfigOverlays {
  return {
    [CONFIG_OVERLAY_FILE]: stringifyToml(buildCometOverlay(node, instance, peers)),
    [APP_OVERLAY_FILE]: stringifyToml(buildAppOverlay(node, instance)),
  };
}

/** config-overlay.toml as a tree: defaults ← operator values ← spec.chain.config.overrides. */
export function buildCometOverlay(node: CosmosFullNode, instance: string, peers: readonly Peer[]): TomlTable {
  const spec = node.spec;
  const comet = spec.chain.config ?? {};
  const base: TomlTable = {};

  if (spec.type === 'Sentry') {
    const privval = `tcp://0.0.0.0:${PRIVVAL_PORT}`;
    both(base, 'priv_validator_laddr', privval);
    // Sentries do not serve queries, so they do not index transactions.
    both(base, 'tx_index', { indexer: 'null' });
  }
  if (spec.chain.logLevel != null) both(base, 'log_level', spec.chain.logLevel);
  if (spec.chain.logFormat != null) both(base, 'log_format', spec.chain.logFormat);

  const p2p: TomlTable = {};
  const persistentPeers = commaDelimited(privatePeersExcept(peers, instance).join(','), comet.peers);
  both(p2p, 'persistent_peers', persistentPeers);
  p2p['seeds'] = comet.seeds ?? '';

  const otherIds = nodeIdsExcept(peers, instance).join(',');
  const privateIds = commaDelimited(otherIds, comet.privatePeerIDs);
  if (privateIds !== '') both(p2p, 'private_peer_ids', privateIds);
  const unconditionalIds = commaDelimited(otherIds, comet.unconditionalPeerIDs);
  if (unconditionalIds !== '') both(p2p, 'unconditional_peer_ids', unconditionalIds);

  if (comet.maxInboundPeers != null) both(p2p, 'max_num_inbound_peers', BigInt(comet.maxInboundPeers));
  if (comet.maxOutboundPeers != null) both(p2p, 'max_num_outbound_peers', BigInt(comet.maxOutboundPeers));

  // The instance override wins over the LoadBalancer address, even when empty (Go: non-nil).
  const override = spec.instanceOverrides?.[instance]?.externalAddress;
  const externalAddress = override ?? peerOf(peers, instance)?.externalAddress;
  if (override != null || (externalAddress !== undefined && externalAddress !== '')) {
    both(p2p, 'external_address', externalAddress ?? '');
  }

  if (comet.p2pListenAddress != null) p2p['laddr'] = comet.p2pListenAddress;
  base['p2p'] = p2p;

  const rpc: TomlTable = { laddr: comet.rpcListenAddress ?? DEFAULT_RPC_LISTEN_ADDRESS };
  if (comet.corsAllowedOrigins != null) both(rpc, 'cors_allowed_origins', [...comet.corsAllowedOrigins]);
  base['rpc'] = rpc;

  const merged = mergeToml(defaultCometConfig(), base);
  if (comet.overrides == null) return merged;
  const overrides = parseTomlOverride(comet.overrides, {
    field: 'spec.chain.config.overrides',
    what: 'invalid toml in comet overrides',
    object: objectKey(node),
  });
  return mergeToml(merged, overrides);
}

/** app-overlay.toml as a tree: defaults ← operator values ← spec.chain.app.overrides. */
export function buildAppOverlay(node: CosmosFullNode, instance: string): TomlTable {
  const app = node.spec.chain.app;
  const base: TomlTable = {
    'minimum-gas-prices': app?.minGasPrice ?? '',
    // "enabled" for api, "enable" for grpc-web: the Cosmos SDK's own inconsistency.
    api: { 'enabled-unsafe-cors': app?.apiEnableUnsafeCORS ?? false },
    'grpc-web': { 'enable-unsafe-cors': app?.grpcWebEnableUnsafeCORS ?? false },
  };

  const haltHeight = haltHeightOf(node, instance);
  if (haltHeight !== undefined) base['halt-height'] = BigInt(haltHeight);

  const pruning = app?.pruning;
  if (pruning != null) {
    base['pruning'] = pruning.strategy;
    // Strings, not integers: what the Cosmos SDK's app.toml template writes, and what Go wrote.
    base['pruning-interval'] = String(pruning.interval ?? 0);
    base['pruning-keep-every'] = String(pruning.keepEvery ?? 0);
    base['pruning-keep-recent'] = String(pruning.keepRecent ?? 0);
    base['min-retain-blocks'] = BigInt(pruning.minRetainBlocks ?? 0);
  }

  const merged = mergeToml(defaultAppConfig(), base);
  if (app?.overrides == null) return merged;
  const overrides = parseTomlOverride(app.overrides, {
    field: 'spec.chain.app.overrides',
    what: 'invalid toml in app overrides',
    object: objectKey(node),
  });
  return mergeToml(merged, overrides);
}

/**
 * The `halt-height` written for an instance: with chain.versions it is decided by the versions
 * and the instance's status.height (0 included); otherwise spec.chain.app.haltHeight, if set.
 */
export function haltHeightOf(node: CosmosFullNode, instance: string): number | undefined {
  const versions = node.spec.chain.versions;
  if (versions != null && versions.length > 0) return haltHeightFor(versions, node.status?.height?.[instance] ?? 0);
  return node.spec.chain.app?.haltHeight ?? undefined;
}

// ---------------------------------------------------------------------------------------------

/** Sets `key` and its kebab-case twin. */
function both(table: TomlTable, snakeKey: string, value: TomlTable[string]): void {
  table[snakeKey] = value;
  table[snakeKey.replaceAll('_', '-')] = value;
}

/** Go commaDelimited: the non-empty parts joined by ",". */
function commaDelimited(...parts: (string | null | undefined)[]): string {
  return parts.filter((part): part is string => part != null && part !== '').join(',');
}

function objectKey(node: CosmosFullNode): string {
  return `${node.metadata.namespace ?? ''}/${node.metadata.name ?? ''}`;
}
