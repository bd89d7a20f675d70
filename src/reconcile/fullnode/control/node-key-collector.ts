// Reads the node keys a CosmosFullNode already has (docs/compatibility.md §2.5):
// for each instance, the Secret `<app>-node-key-<i>` if it exists, and the `node_key.json` the Go
// operator kept in the instance's ConfigMap. Reads the caches only. Key material stays in the
// returned values: never log them.
import { Buffer } from 'node:buffer';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { appName, instanceName, nodeKeySecretName, ordinalsOf } from '../../../api/naming.ts';
import { NODE_KEY_FILE } from '../build/node-key.ts';
import { ownedBy } from './owned-children.ts';

export type SecretObject = KubeObject & {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};
export type ConfigMapObject = KubeObject & { data?: Record<string, string> };

export type NodeKeyCollectorDeps = {
  secrets: StoreReader<SecretObject>;
  configMaps: StoreReader<ConfigMapObject>;
};

export type CollectedNodeKey = {
  ordinal: number;
  /** inst(i). */
  instance: string;
  secretName: string;
  /** The instance is wanted by the spec (not only remembered by an old ConfigMap). */
  wanted: boolean;
  /** node_key.json from the Secret, decoded; undefined when there is no Secret (or no key in it). */
  fromSecret: string | undefined;
  /** The Secret exists (possibly without the key). */
  secretExists: boolean;
  /** node_key.json from the instance's ConfigMap, as the Go operator left it. */
  fromConfigMap: string | undefined;
};

/**
 * One entry per wanted ordinal, plus one per owned ConfigMap that still holds a node key for an
 * ordinal outside the spec (scaled down before the switch), so that key moves to a Secret too.
 */
export function collectNodeKeys(deps: NodeKeyCollectorDeps, node: CosmosFullNode): CollectedNodeKey[] {
  const namespace = node.metadata.namespace ?? '';
  const wanted = new Set(ordinalsOf(node));
  const ordinals = new Set(wanted);
  const pattern = new RegExp(`^${escapeRegExp(appName(node))}-([0-9]+)$`);
  for (const cm of ownedBy(deps.configMaps, node)) {
    const match = pattern.exec(cm.metadata?.name ?? '');
    if (match !== null && cm.data?.[NODE_KEY_FILE] !== undefined) ordinals.add(Number(match[1]));
  }
  return [...ordinals]
    .sort((a, b) => a - b)
    .map((ordinal) => {
      const instance = instanceName(node, ordinal);
      const secretName = nodeKeySecretName(node, ordinal);
      const secret = deps.secrets.get(namespace, secretName);
      return {
        ordinal,
        instance,
        secretName,
        wanted: wanted.has(ordinal),
        secretExists: secret !== undefined,
        fromSecret: secretKeyOf(secret),
        fromConfigMap: deps.configMaps.get(namespace, instance)?.data?.[NODE_KEY_FILE],
      };
    });
}

/** `node_key.json` of a Secret, decoded from base64. */
export function secretKeyOf(secret: SecretObject | undefined): string | undefined {
  const encoded = secret?.data?.[NODE_KEY_FILE];
  if (encoded !== undefined) return Buffer.from(encoded, 'base64').toString('utf8');
  return secret?.stringData?.[NODE_KEY_FILE];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
