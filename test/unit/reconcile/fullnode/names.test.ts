import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  additionalPodName,
  appName,
  instanceName,
  nodeKeySecretName,
  ordinalsOf,
  p2pServiceName,
  podServiceAccountName,
  privvalServiceName,
  pvcName,
  roleBindingName,
  roleName,
  rpcServiceName,
  serviceAccountName,
  toLabelKey,
  toName,
  trimMiddle,
} from '../../../../src/reconcile/fullnode/names.ts';
import { aFullNode, withReplicas, withSpec, withStartOrdinal } from '../../../fixtures/fullnode.ts';

describe('toName', () => {
  it('keeps letters, digits, dots and dashes and drops everything else', () => {
    assert.equal(toName('Osmosis_Main net!.v1-a'), 'OsmosisMainnet.v1-a');
  });

  it('trims dots and dashes from both ends', () => {
    assert.equal(toName('-.-osmosis-.-'), 'osmosis');
  });

  it('drops non-ASCII characters', () => {
    assert.equal(toName('ösmosis€1'), 'smosis1');
  });

  it('leaves a name of 253 characters as it is', () => {
    const name = 'a'.repeat(253);
    assert.equal(toName(name), name);
  });

  it('cuts the middle out of a longer name, keeping 126 characters in front and 127 behind', () => {
    const name = 'f'.repeat(200) + 'b'.repeat(200);
    assert.equal(toName(name), 'f'.repeat(126) + 'b'.repeat(127));
  });

  it('trims the ends before cutting to the limit', () => {
    assert.equal(toName(`--${'a'.repeat(253)}--`), 'a'.repeat(253));
  });
});

describe('toLabelKey', () => {
  it('also keeps underscores and slashes', () => {
    assert.equal(toLabelKey('example.com/my_key'), 'example.com/my_key');
  });

  it('trims underscores, slashes, dots and dashes from both ends', () => {
    assert.equal(toLabelKey('/_.-key-._/'), 'key');
  });

  it('cuts the middle out of a key longer than 63 characters, keeping 31 in front and 32 behind', () => {
    const key = 'x'.repeat(40) + 'y'.repeat(40);
    assert.equal(toLabelKey(key), 'x'.repeat(31) + 'y'.repeat(32));
  });
});

describe('trimMiddle', () => {
  it('keeps half the limit at each end of an even limit', () => {
    assert.equal(trimMiddle('abcdefghij', 4), 'abij');
  });

  it('gives the extra character of an odd limit to the back', () => {
    assert.equal(trimMiddle('abcdefghij', 5), 'abhij');
  });
});

describe('child names', () => {
  const node = aFullNode('Cosmos_Hub');

  it('names the app after the normalised CR name', () => {
    assert.equal(appName(node), 'CosmosHub');
  });

  it('names the pod and ConfigMap of an ordinal <app>-<ordinal>', () => {
    assert.equal(instanceName(node, 7), 'CosmosHub-7');
  });

  it('names the PVC of an ordinal pvc-<app>-<ordinal>', () => {
    assert.equal(pvcName(node, 7), 'pvc-CosmosHub-7');
  });

  it('names the services <app>-p2p-<ordinal>, <app>-privval-<ordinal> and <app>-rpc', () => {
    assert.deepEqual([p2pServiceName(node, 2), privvalServiceName(node, 2), rpcServiceName(node)], ['CosmosHub-p2p-2', 'CosmosHub-privval-2', 'CosmosHub-rpc']);
  });

  it('names the version-check ServiceAccount, Role and RoleBinding after the raw CR name', () => {
    assert.deepEqual([serviceAccountName(node), roleName(node), roleBindingName(node)], ['Cosmos_Hub-vc-sa', 'Cosmos_Hub-vc-r', 'Cosmos_Hub-vc-rb']);
  });

  it('names an additional pod <entry name>-<ordinal>', () => {
    assert.equal(additionalPodName('sidecar', 3), 'sidecar-3');
  });

  it('names the node-key Secret of an ordinal <app>-node-key-<ordinal>', () => {
    assert.equal(nodeKeySecretName(node, 3), 'CosmosHub-node-key-3');
  });

  it('keeps the ordinal of a pod whose CR name is at the length limit', () => {
    assert.match(instanceName(aFullNode('a'.repeat(253)), 125), /^a+-125$/);
    assert.equal(instanceName(aFullNode('a'.repeat(253)), 125).length, 253);
  });
});

describe('podServiceAccountName', () => {
  it('is the version-check ServiceAccount when the spec names none', () => {
    assert.equal(podServiceAccountName(aFullNode('hub')), 'hub-vc-sa');
  });

  it('is the service account the spec names', () => {
    assert.equal(podServiceAccountName(aFullNode('hub', withSpec({ serviceAccountName: 'mine' }))), 'mine');
  });
});

describe('ordinalsOf', () => {
  it('counts replicas up from ordinals.start', () => {
    assert.deepEqual(ordinalsOf(aFullNode('hub', withReplicas(3), withStartOrdinal(2))), [2, 3, 4]);
  });

  it('is empty with zero replicas', () => {
    assert.deepEqual(ordinalsOf(aFullNode('hub', withReplicas(0))), []);
  });
});
