// Node keys in Secrets (docs/compatibility.md §2.5): one Secret `<app>-node-key-<i>` per instance with
// key `node_key.json`, mounted by the pod beside its ConfigMap's overlays. On first sight of an
// instance the key the Go operator kept in the ConfigMap `inst(i)` is adopted as is, so node IDs
// (and every peer list naming them) survive the switch; otherwise a new key is generated.
//
// A key is never overwritten: a create that finds the Secret already there (a stale cache) reads
// and uses the existing key. Secrets are not deleted on scale-down (unlike upstream's ConfigMaps):
// an instance that comes back keeps its ID; GC removes them with the CosmosFullNode.
// Key material is never logged, nor put into events or errors.
//
// A Secret deleted by hand under an instance that ran (its pod or PVC exists) cannot be got back:
// the key was only there and on the PVC, out of the operator's reach. A new key is made, because
// the instance cannot start without one, and a Warning NodeKeyReplaced names the Secret, the
// instance and the node ID changing, old (the pod's `cosmos.strange.love/node-id` annotation,
// when it has one) to new. The pod restarts with the new key (its annotation is part of its
// revision) and the peers' config follows. Putting the old `node_key.json` back into the Secret
// brings the old ID back the same way. Upstream made a new key silently (it lived in the
// ConfigMap, which was recreated).
import { Buffer } from 'node:buffer';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import { permanent, type ReconcileError } from '../../../kube/reconcile-result.ts';
import { EVENT_REASONS, eventSubject, type FullNodeEvents, namesForEvent } from './events.ts';
import {
  CREATED_BY,
  CREATED_BY_LABEL,
  defaultLabels,
  INSTANCE_LABEL,
  NODE_ID_ANNOTATION,
  normalizeMetadata,
  pvcName,
} from '../../../api/naming.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import {
  type CollectedNodeKey,
  collectNodeKeys,
  type ConfigMapObject,
  type NodeKeyCollectorDeps,
  secretKeyOf,
  type SecretObject,
} from './node-key-collector.ts';
import { generateNodeKey, NODE_KEY_FILE, type NodeKey, parseNodeKey, type RandomBytes } from '../build/node-key.ts';
import { controllerReferences } from '../build/owner-reference.ts';
import { apiFailure, combineErrors, controllingFullNode, isAlreadyExists } from './owned-children.ts';

export type NodeKeyControlDeps = NodeKeyCollectorDeps & {
  secretClient: ObjectClient<SecretObject>;
  configMapClient: ObjectClient<ConfigMapObject>;
  events: FullNodeEvents;
  /** For tests; node:crypto's CSPRNG otherwise. */
  randomBytes?: RandomBytes;
  /** Whether an instance ran before (its pod, its PVC), and its node ID then: see the header. */
  pods?: StoreReader<KubeObject>;
  pvcs?: StoreReader<KubeObject>;
};

export type NodeKeys = {
  /** Node ID by instance name, for every instance whose key is known. */
  ids: Record<string, string>;
  /** Instances whose key is safely in a Secret: their ConfigMap may drop its `node_key.json`. */
  secured: Set<string>;
  /** Failures for some instances (the others' keys are still returned). */
  error?: ReconcileError;
};

/** Ensures a node-key Secret per instance; returns the IDs, and the failures of the instances that had one. */
export async function reconcileNodeKeys(deps: NodeKeyControlDeps, node: CosmosFullNode): Promise<NodeKeys> {
  const keys: NodeKeys = { ids: {}, secured: new Set() };
  const errors: unknown[] = [];
  const made: Record<'created' | 'adopted' | 'replaced', string[]> = { created: [], adopted: [], replaced: [] };
  for (const entry of collectNodeKeys(deps, node)) {
    try {
      const ran = entry.secretExists ? undefined : previousRun(deps, node, entry);
      const { key, made: how } = await ensureNodeKey(deps, node, entry);
      keys.ids[entry.instance] = key.id;
      keys.secured.add(entry.instance);
      if (how === 'created' && ran !== undefined) {
        made.replaced.push(
          `${entry.secretName} of ${entry.instance} (node ID from ${ran.nodeId ?? 'unknown'} to ${key.id})`,
        );
      } else if (how !== undefined) made[how].push(`${entry.secretName} (node ID ${key.id})`);
    } catch (err) {
      errors.push(err);
    }
  }
  const subject = eventSubject(node);
  if (made.replaced.length > 0) {
    deps.events.warning(
      subject,
      EVENT_REASONS.nodeKeyReplaced,
      `Replaced ${namesForEvent('missing node-key Secret', made.replaced)} with a new key: the pod restarts ` +
        `with its new node ID and its peers' config follows. To keep an old node ID, put its node_key.json back ` +
        `into the Secret`,
    );
  }
  if (made.adopted.length > 0) {
    deps.events.normal(
      subject,
      EVENT_REASONS.nodeKeyAdopted,
      `Moved node keys from the Go operator's ConfigMaps to ${namesForEvent('Secret', made.adopted)}`,
    );
  }
  if (made.created.length > 0) {
    deps.events.normal(
      subject,
      EVENT_REASONS.nodeKeyCreated,
      `Created node key ${namesForEvent('Secret', made.created)}`,
    );
  }
  const error = combineErrors(errors);
  return error === undefined ? keys : { ...keys, error };
}

/**
 * Evidence that the instance ran before with a key now lost: its pod (whose node-id annotation
 * names the ID it was started with), or its PVC. Undefined for an instance that never ran.
 */
function previousRun(
  deps: Pick<NodeKeyControlDeps, 'pods' | 'pvcs'>,
  node: CosmosFullNode,
  entry: CollectedNodeKey,
): { nodeId?: string } | undefined {
  const namespace = node.metadata.namespace ?? '';
  const pod = deps.pods?.get(namespace, entry.instance);
  if (pod !== undefined && controllingFullNode(pod) === node.metadata.name) {
    const nodeId = pod.metadata?.annotations?.[NODE_ID_ANNOTATION];
    return nodeId !== undefined ? { nodeId } : {};
  }
  return deps.pvcs?.get(namespace, pvcName(node, entry.ordinal)) !== undefined ? {} : undefined;
}

/**
 * The CR sets its own created-by label, so the Go operator (for which the CR's labels won, §2.2)
 * labelled its children with it, and the caches, which select created-by=cosmos-operator, do not
 * hold the ConfigMaps it left. Our own children always carry cosmos-operator.
 */
function childrenEscapeCache(node: CosmosFullNode): boolean {
  const createdBy = node.metadata.labels?.[CREATED_BY_LABEL];
  return createdBy !== undefined && createdBy !== CREATED_BY;
}

/** The instance's key, and whether this call made its Secret (from a new key or the ConfigMap's). */
async function ensureNodeKey(
  deps: NodeKeyControlDeps,
  node: CosmosFullNode,
  entry: CollectedNodeKey,
): Promise<{ key: NodeKey; made?: 'created' | 'adopted' }> {
  const namespace = node.metadata.namespace ?? '';
  const where = `${namespace}/${entry.secretName}`;
  if (entry.fromSecret !== undefined) return { key: parseNodeKey(entry.fromSecret, where) };
  if (entry.secretExists) {
    // Someone emptied the Secret. Writing a new key would silently change the node's ID.
    throw permanent(new Error(`Secret has no ${NODE_KEY_FILE}`), {
      object: where,
      reason: 'InvalidNodeKey',
      message: 'read node key',
    });
  }

  let legacy = entry.fromConfigMap;
  if (legacy === undefined && entry.wanted && childrenEscapeCache(node)) {
    // A Go-made ConfigMap may hold this node's key out of the cache's sight: ask once, before
    // making a new key. Otherwise the synced cache is the answer, and a new CosmosFullNode costs
    // no GET per instance.
    try {
      legacy = (await deps.configMapClient.get(namespace, entry.instance))?.data?.[NODE_KEY_FILE];
    } catch (err) {
      throw apiFailure(err, 'get', 'ConfigMap', `${namespace}/${entry.instance}`);
    }
  }
  const adopted = legacy !== undefined;
  const key = adopted ? parseNodeKey(legacy!, `${namespace}/${entry.instance}`) : generateNodeKey(deps.randomBytes);

  const secret: SecretObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...normalizeMetadata({
        name: entry.secretName,
        labels: defaultLabels(node, { [INSTANCE_LABEL]: entry.instance }),
        annotations: {},
      }),
      namespace,
      ownerReferences: controllerReferences(node),
    },
    type: 'Opaque',
    data: { [NODE_KEY_FILE]: Buffer.from(key.json, 'utf8').toString('base64') },
  };
  try {
    await deps.secretClient.create(secret);
  } catch (err) {
    if (!isAlreadyExists(err)) throw apiFailure(err, 'create', 'Secret', where);
    // Created by an earlier pass the cache has not delivered yet: that key wins.
    let existing: SecretObject | undefined;
    try {
      existing = await deps.secretClient.get(namespace, entry.secretName);
    } catch (getErr) {
      throw apiFailure(getErr, 'get', 'Secret', where);
    }
    const text = secretKeyOf(existing);
    if (text === undefined) {
      throw permanent(new Error(`Secret has no ${NODE_KEY_FILE}`), {
        object: where,
        reason: 'InvalidNodeKey',
        message: 'read node key',
      });
    }
    return { key: parseNodeKey(text, where) };
  }
  return { key, made: adopted ? 'adopted' : 'created' };
}
