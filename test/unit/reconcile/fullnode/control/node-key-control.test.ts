// reconcileNodeKeys against recording clients: when it asks the API server for the Go operator's
// ConfigMap (only when the caches cannot hold it), and what it writes.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import type { ObjectClient } from '../../../../../src/kube/objects.ts';
import type { KubeObject } from '../../../../../src/kube/resource.ts';
import { createStore } from '../../../../../src/kube/store.ts';
import type {
  ConfigMapObject,
  SecretObject,
} from '../../../../../src/reconcile/fullnode/control/node-key-collector.ts';
import { reconcileNodeKeys } from '../../../../../src/reconcile/fullnode/control/node-key-control.ts';
import { generateNodeKey } from '../../../../../src/reconcile/fullnode/build/node-key.ts';
import { noEvents } from '../../../../../src/reconcile/fullnode/control/events.ts';
import { controllerIndexKey } from '../../../../../src/reconcile/fullnode/control/owned-children.ts';
import { createLogger } from '../../../../../src/log/log.ts';
import { aFullNode, withReplicas } from '../../../../fixtures/fullnode.ts';

/** A client that records calls; `get` answers from `existing`, `create` succeeds. */
function recordingClient<T extends KubeObject>(existing: Record<string, T> = {}) {
  const calls: string[] = [];
  const client = {
    get: async (_ns: string | undefined, name: string) => (calls.push(`get ${name}`), existing[name]),
    create: async (obj: T) => (calls.push(`create ${obj.metadata?.name}`), obj),
  } as unknown as ObjectClient<T>;
  return { client, calls };
}

function deps(configMapsOnServer: Record<string, ConfigMapObject> = {}) {
  const secrets = recordingClient<SecretObject>();
  const configMaps = recordingClient<ConfigMapObject>(configMapsOnServer);
  return {
    secrets,
    configMaps,
    deps: {
      secrets: createStore<SecretObject>({ index: controllerIndexKey }).reader,
      configMaps: createStore<ConfigMapObject>({ index: controllerIndexKey }).reader,
      secretClient: secrets.client,
      configMapClient: configMaps.client,
      events: noEvents,
    },
  };
}

describe('reconcileNodeKeys', () => {
  it('makes a key per instance of a new CosmosFullNode from the synced caches alone, with no GET', async () => {
    const { deps: d, secrets, configMaps } = deps();
    const keys = await reconcileNodeKeys(d, aFullNode('juno', withReplicas(2)));
    assert.deepEqual(Object.keys(keys.ids).sort(), ['juno-0', 'juno-1']);
    assert.deepEqual(secrets.calls, ['create juno-node-key-0', 'create juno-node-key-1']);
    assert.deepEqual(configMaps.calls, []);
  });

  it('asks the API server for the Go operator’s ConfigMap when the CR’s created-by label kept the Go children out of the caches, and adopts the key', async () => {
    const key = generateNodeKey();
    const { deps: d, configMaps } = deps({
      'juno-0': { metadata: { namespace: 'test', name: 'juno-0' }, data: { 'node_key.json': key.json } },
    });
    const node = aFullNode(
      'juno',
      withReplicas(1),
      (n) => (n.metadata.labels = { 'app.kubernetes.io/created-by': 'argo' }),
    );
    const keys = await reconcileNodeKeys(d, node);
    assert.deepEqual(configMaps.calls, ['get juno-0']);
    assert.equal(keys.ids['juno-0'], key.id);
  });

  it('says in a Warning when it makes a new key for an instance that ran before, naming the Secret, the instance and the old and new node IDs', async () => {
    const node = aFullNode('juno', withReplicas(3));
    const owner = {
      apiVersion: 'cosmos.strange.love/v1',
      kind: 'CosmosFullNode',
      name: 'juno',
      uid: node.metadata.uid!,
      controller: true,
    };
    // juno-0: its pod says which ID it ran with; juno-1: only its PVC is left; juno-2: new.
    const pods = createStore<KubeObject>({ index: controllerIndexKey });
    pods.writer.replace([{
      metadata: {
        namespace: 'test',
        name: 'juno-0',
        ownerReferences: [owner],
        annotations: { 'cosmos.strange.love/node-id': 'aa'.repeat(20) },
      },
    }]);
    const pvcs = createStore<KubeObject>({ index: controllerIndexKey });
    pvcs.writer.replace([{ metadata: { namespace: 'test', name: 'pvc-juno-1' } }]);
    const events: string[] = [];
    const record = (type: string) => (_subject: unknown, reason: string, message: string) =>
      void events.push(`${type} ${reason}: ${message}`);
    const { deps: d } = deps();
    const keys = await reconcileNodeKeys({
      ...d,
      pods: pods.reader,
      pvcs: pvcs.reader,
      events: { normal: record('Normal'), warning: record('Warning') },
    }, node);

    assert.deepEqual(events, [
      `Warning NodeKeyReplaced: Replaced missing node-key Secrets juno-node-key-0 of juno-0 (node ID from ${
        'aa'.repeat(20)
      } to ${keys.ids['juno-0']}) and juno-node-key-1 of juno-1 (node ID from unknown to ${
        keys.ids['juno-1']
      }) with a new key: the pod restarts with its new node ID and its peers' config follows. To keep an old node ID, put its node_key.json back into the Secret`,
      `Normal NodeKeyCreated: Created node key Secret juno-node-key-2 (node ID ${keys.ids['juno-2']})`,
    ]);
  });

  it('reports a corrupt node_key.json in a Secret or a Go ConfigMap without any piece of it, in the error, the events or the log', async () => {
    const key = generateNodeKey();
    const value = JSON.parse(key.json).priv_key.value as string;
    // Bad JSON whose parse error would quote the text around the key.
    const corrupt = key.json.replace(`"${value}"`, value);
    const node = aFullNode('juno', withReplicas(2));
    const owner = {
      apiVersion: 'cosmos.strange.love/v1',
      kind: 'CosmosFullNode',
      name: 'juno',
      uid: node.metadata.uid!,
      controller: true,
    };
    const secrets = createStore<SecretObject>({ index: controllerIndexKey });
    secrets.writer.replace([{
      metadata: { namespace: 'test', name: 'juno-node-key-0', ownerReferences: [owner] },
      data: { 'node_key.json': Buffer.from(corrupt).toString('base64') },
    }]);
    const configMaps = createStore<ConfigMapObject>({ index: controllerIndexKey });
    configMaps.writer.replace([{
      metadata: { namespace: 'test', name: 'juno-1', ownerReferences: [owner] },
      data: { 'node_key.json': corrupt },
    }]);
    const events: string[] = [];
    const record = (_subject: unknown, reason: string, message: string) => void events.push(`${reason}: ${message}`);
    const keys = await reconcileNodeKeys({
      secrets: secrets.reader,
      configMaps: configMaps.reader,
      secretClient: recordingClient<SecretObject>().client,
      configMapClient: recordingClient<ConfigMapObject>().client,
      events: { normal: record, warning: record },
    }, node);

    assert.deepEqual(keys.ids, {});
    const error = keys.error!;
    assert.equal(error.kind, 'permanent');
    assert.match(error.message, /juno-node-key-0/);
    assert.match(error.message, /test\/juno-1/);
    const logged: string[] = [];
    createLogger({ write: (line) => logged.push(line) }).error('reconcile failed permanently', { error });
    const everything = [error.message, ...events, ...logged].join('\n');
    for (let i = 0; i + 8 <= value.length; i++) {
      assert.ok(!everything.includes(value.slice(i, i + 8)), `shows ${value.slice(i, i + 8)}: ${everything}`);
    }
  });
});
