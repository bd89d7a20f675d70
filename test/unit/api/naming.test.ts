import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  additionalPodName,
  appName,
  defaultLabels,
  imageVersion,
  instanceName,
  mergePreserving,
  nodeKeySecretName,
  normalizeMetadata,
  ordinalsOf,
  p2pServiceName,
  podServiceAccountName,
  privvalServiceName,
  pvcName,
  roleBindingName,
  roleName,
  rpcServiceName,
  selectorLabels,
  serviceAccountName,
  toLabelKey,
  toName,
  trimMiddle,
} from '../../../src/api/naming.ts';
import {
  aFullNode,
  asSentry,
  withImage,
  withLabels,
  withReplicas,
  withSpec,
  withStartOrdinal,
} from '../../fixtures/fullnode.ts';

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
    assert.deepEqual([p2pServiceName(node, 2), privvalServiceName(node, 2), rpcServiceName(node)], [
      'CosmosHub-p2p-2',
      'CosmosHub-privval-2',
      'CosmosHub-rpc',
    ]);
  });

  it('names the version-check ServiceAccount, Role and RoleBinding after the raw CR name', () => {
    assert.deepEqual([serviceAccountName(node), roleName(node), roleBindingName(node)], [
      'Cosmos_Hub-vc-sa',
      'Cosmos_Hub-vc-r',
      'Cosmos_Hub-vc-rb',
    ]);
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

describe('defaultLabels', () => {
  it('labels a child with creator, component, name, image tag, network and type', () => {
    assert.deepEqual(defaultLabels(aFullNode('osmosis')), {
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/name': 'osmosis',
      'app.kubernetes.io/version': 'v1.2.3',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'FullNode',
    });
  });

  it('labels a Sentry type Sentry', () => {
    assert.equal(defaultLabels(aFullNode('osmosis', asSentry))['cosmos.strange.love/type'], 'Sentry');
  });

  it("lets the CR's own labels overwrite the operator's", () => {
    const labels = defaultLabels(aFullNode('osmosis', withLabels({ 'app.kubernetes.io/name': 'mine', team: 'infra' })));
    assert.equal(labels['app.kubernetes.io/name'], 'mine');
    assert.equal(labels['team'], 'infra');
  });

  it("keeps created-by cosmos-operator over the CR's own, so the caches (which select it) see every child", () => {
    const labels = defaultLabels(
      aFullNode('osmosis', withLabels({ 'app.kubernetes.io/created-by': 'argocd', team: 'infra' })),
    );
    assert.equal(labels['app.kubernetes.io/created-by'], 'cosmos-operator');
    assert.equal(labels['team'], 'infra');
  });

  it("applies the per-object pairs after the CR's labels", () => {
    const labels = defaultLabels(aFullNode('osmosis', withLabels({ 'app.kubernetes.io/component': 'mine' })), {
      'app.kubernetes.io/component': 'p2p',
    });
    assert.equal(labels['app.kubernetes.io/component'], 'p2p');
  });

  it('labels the version latest when the image has no tag', () => {
    assert.equal(defaultLabels(aFullNode('osmosis', withImage('busybox')))['app.kubernetes.io/version'], 'latest');
  });
});

describe('selectorLabels', () => {
  it('selects by the app name', () => {
    assert.deepEqual(selectorLabels(aFullNode('Osmosis_1')), { 'app.kubernetes.io/name': 'Osmosis1' });
  });
});

describe('imageVersion', () => {
  it('is the tag after the colon', () => {
    assert.equal(imageVersion('ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0'), 'v18.1.0');
  });

  it('is latest without a tag', () => {
    assert.equal(imageVersion('ghcr.io/strangelove-ventures/heighliner/gaia'), 'latest');
  });

  it('is latest when a registry port makes three parts, as in Go', () => {
    assert.equal(imageVersion('registry:5000/gaia:v1'), 'latest');
  });

  it('is latest for a missing image', () => {
    assert.equal(imageVersion(undefined), 'latest');
  });

  it('is latest for a registry port without a tag, which is no label value', () => {
    assert.equal(imageVersion('registry:5000/gaia'), 'latest');
  });

  it("cuts a digest to a label value of 63 characters, as normalizeMetadata cuts the pods' copy", () => {
    const digest = 'a'.repeat(32) + 'b'.repeat(32);
    const version = imageVersion(`gaia@sha256:${digest}`);
    assert.equal(version.length, 63);
    assert.equal(normalizeMetadata({ labels: { v: digest } }).labels!['v'], version);
  });
});

describe('mergePreserving', () => {
  it('adds new keys and keeps the values already there', () => {
    assert.deepEqual(mergePreserving({ a: 'operator' }, { a: 'user', b: 'user' }), { a: 'operator', b: 'user' });
  });

  it('returns a copy when there is nothing to add', () => {
    const into = { a: '1' };
    const merged = mergePreserving(into, undefined);
    assert.deepEqual(merged, into);
    assert.notEqual(merged, into);
  });
});

describe('normalizeMetadata', () => {
  it('normalises the name, the label and annotation keys, and cuts label values to 63 characters', () => {
    const got = normalizeMetadata({
      name: '-my_pod-',
      labels: { '_team/name_': 'x'.repeat(40) + 'y'.repeat(40) },
      annotations: { '/note/': 'v'.repeat(100) },
    });
    assert.deepEqual(got, {
      name: 'mypod',
      labels: { 'team/name': 'x'.repeat(31) + 'y'.repeat(32) },
      annotations: { note: 'v'.repeat(100) },
    });
  });

  it('gives empty labels and annotations when there were none', () => {
    assert.deepEqual(normalizeMetadata({ name: 'a' }), { name: 'a', labels: {}, annotations: {} });
  });

  it('keeps other metadata fields', () => {
    assert.equal(normalizeMetadata({ name: 'a', namespace: 'ns' }).namespace, 'ns');
  });
});
