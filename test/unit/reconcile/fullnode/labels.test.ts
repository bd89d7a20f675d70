import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLabels, mergePreserving, normalizeMetadata, selectorLabels } from '../../../../src/reconcile/fullnode/labels.ts';
import { imageVersion } from '../../../../src/reconcile/fullnode/image.ts';
import { aFullNode, asSentry, withImage, withLabels } from '../../../fixtures/fullnode.ts';

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
    const labels = defaultLabels(aFullNode('osmosis', withLabels({ 'app.kubernetes.io/created-by': 'argocd', team: 'infra' })));
    assert.equal(labels['app.kubernetes.io/created-by'], 'cosmos-operator');
    assert.equal(labels['team'], 'infra');
  });

  it("applies the per-object pairs after the CR's labels", () => {
    const labels = defaultLabels(aFullNode('osmosis', withLabels({ 'app.kubernetes.io/component': 'mine' })), { 'app.kubernetes.io/component': 'p2p' });
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
