// ConfigMaps of a CosmosFullNode (docs/compatibility.md §2.5): one per instance with the two TOML
// overlays. Created, replaced on a revision change, deleted on scale-down (they hold no keys any
// more: the node keys are in Secrets). Returns each ConfigMap's revision, which the pods carry as
// their config checksum, so a config change rolls the pods.
//
// A ConfigMap the Go operator left still holds `node_key.json`. It is replaced (which drops the
// key) or deleted only once that key is safe in the instance's Secret; until then it is left as
// is. Replace is a full PUT for that reason: server-side apply would leave the Go operator's
// `node_key.json` field in place.
//
// A ConfigMap whose data or labels were edited by hand, its revision label left as it was, is
// replaced too (reverted; reconcile/diff.ts `drifted`): the pods read it when they start, so an
// edit left in place would reach them at their next restart, unseen.
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { diffByRevision, metadataDrifted, revisionOf } from '../../diff.ts';
import { configMapFingerprint, type Fingerprinted, fingerprintOf } from '../build/fingerprint.ts';
import { buildConfigMaps } from '../build/config-builder.ts';
import { REVISION_LABEL } from '../../../api/naming.ts';
import type { ConfigMapObject } from './node-key-collector.ts';
import { NODE_KEY_FILE } from '../build/node-key.ts';
import { applyChildDiff, ownedBy, throwCollected } from './owned-children.ts';
import type { Peer } from '../build/peers.ts';

export type ConfigMapControlDeps = {
  configMaps: StoreReader<ConfigMapObject>;
  configMapClient: ObjectClient<ConfigMapObject>;
};

/** Config checksum by ConfigMap name (= pod name). */
export type ConfigChecksums = Record<string, string>;

/**
 * Builds, creates, updates and deletes the ConfigMaps; returns the checksums of the desired ones.
 * A build failure (bad TOML override) is permanent and thrown before anything is written.
 * `securedKeys` are the instances whose node key is in a Secret.
 */
export async function reconcileConfigMaps(
  deps: ConfigMapControlDeps,
  node: CosmosFullNode,
  peers: readonly Peer[],
  securedKeys: ReadonlySet<string>,
): Promise<ConfigChecksums> {
  const desired = buildConfigMaps(node, peers);
  const checksums: ConfigChecksums = {};
  for (const { object } of desired) checksums[object.metadata.name] = revisionOf(object);

  const current = ownedBy(deps.configMaps, node);
  const diff = diffByRevision(
    current,
    desired as { object: ConfigMapObject; ordinal: number }[],
    (have, want) =>
      metadataDrifted(have, want) ||
      fingerprintOf(have as ConfigMapObject & Fingerprinted, configMapFingerprint) !== configMapFingerprint(want),
  );
  const keyAtRisk = (cm: ConfigMapObject) => {
    const existing = deps.configMaps.get(cm.metadata?.namespace ?? '', cm.metadata?.name ?? '');
    return existing?.data?.[NODE_KEY_FILE] !== undefined && !securedKeys.has(cm.metadata?.name ?? '');
  };

  const errors: unknown[] = [];
  await applyChildDiff(deps.configMapClient, 'ConfigMap', {
    creates: diff.creates,
    updates: diff.updates.filter((cm) => !keyAtRisk(cm)),
    deletes: diff.deletes.filter((cm) => !keyAtRisk(cm)),
  }, errors);
  throwCollected(errors);
  return checksums;
}

/**
 * The checksums of the ConfigMaps as they are, for a pass whose ConfigMaps could not be built:
 * pods then keep the config they have instead of all rolling (upstream gave every pod "" then,
 * §2.5, §13.3).
 */
export function currentChecksums(
  deps: Pick<ConfigMapControlDeps, 'configMaps'>,
  node: CosmosFullNode,
): ConfigChecksums {
  const checksums: ConfigChecksums = {};
  for (const cm of ownedBy(deps.configMaps, node)) {
    const revision = cm.metadata?.labels?.[REVISION_LABEL];
    if (revision !== undefined) checksums[cm.metadata?.name ?? ''] = revision;
  }
  return checksums;
}
