import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { createStore } from '../../../../../src/kube/store.ts';
import { controllerIndexKey } from '../../../../../src/reconcile/fullnode/control/owned-children.ts';
import {
  collectNodeKeys,
  type ConfigMapObject,
  type SecretObject,
} from '../../../../../src/reconcile/fullnode/control/node-key-collector.ts';
import { aFullNode, withReplicas } from '../../../../fixtures/fullnode.ts';

const node = aFullNode('juno', withReplicas(2));
const ns = node.metadata.namespace!;
const owner = [{
  apiVersion: 'cosmos.strange.love/v1',
  kind: 'CosmosFullNode',
  name: 'juno',
  uid: node.metadata.uid!,
  controller: true,
}];

function stores(secrets: SecretObject[], configMaps: ConfigMapObject[]) {
  const s = createStore<SecretObject>({ index: controllerIndexKey });
  const c = createStore<ConfigMapObject>({ index: controllerIndexKey });
  s.writer.replace(secrets);
  c.writer.replace(configMaps);
  return { secrets: s.reader, configMaps: c.reader };
}

describe('collectNodeKeys', () => {
  it('reads each wanted instance’s key from its Secret, decoded', () => {
    const got = collectNodeKeys(
      stores([{
        metadata: { namespace: ns, name: 'juno-node-key-1' },
        data: { 'node_key.json': Buffer.from('{"k":1}').toString('base64') },
      }], []),
      node,
    );
    assert.deepEqual(
      got.map((k) => [k.instance, k.secretName, k.wanted, k.secretExists, k.fromSecret, k.fromConfigMap]),
      [
        ['juno-0', 'juno-node-key-0', true, false, undefined, undefined],
        ['juno-1', 'juno-node-key-1', true, true, '{"k":1}', undefined],
      ],
    );
  });

  it('finds the key the Go operator left in the instance’s ConfigMap', () => {
    const got = collectNodeKeys(
      stores([], [{
        metadata: { namespace: ns, name: 'juno-0', ownerReferences: owner },
        data: { 'node_key.json': '{"go":0}' },
      }]),
      node,
    );
    assert.equal(got[0]!.fromConfigMap, '{"go":0}');
  });

  it('also collects keys of owned ConfigMaps beyond the replicas, so they move to Secrets too', () => {
    const got = collectNodeKeys(
      stores([], [{
        metadata: { namespace: ns, name: 'juno-5', ownerReferences: owner },
        data: { 'node_key.json': '{"go":5}' },
      }]),
      node,
    );
    assert.deepEqual(
      got.map((k) => [k.ordinal, k.wanted, k.fromConfigMap]),
      [
        [0, true, undefined],
        [1, true, undefined],
        [5, false, '{"go":5}'],
      ],
    );
  });

  it('ignores ConfigMaps of another CosmosFullNode beyond the replicas', () => {
    const other = [{ ...owner[0]!, name: 'osmosis' }];
    const got = collectNodeKeys(
      stores([], [{
        metadata: { namespace: ns, name: 'juno-5', ownerReferences: other },
        data: { 'node_key.json': '{}' },
      }]),
      node,
    );
    assert.deepEqual(
      got.map((k) => k.ordinal),
      [0, 1],
    );
  });
});
