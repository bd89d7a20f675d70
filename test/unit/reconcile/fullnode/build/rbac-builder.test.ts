import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildVersionCheckRbac } from '../../../../../src/reconcile/fullnode/build/rbac-builder.ts';
import { aFullNode, withChain, withImage, withSpec } from '../../../../fixtures/fullnode.ts';

const hub = (...changes: Parameters<typeof aFullNode>[1][]) =>
  aFullNode('hub', withChain({ network: 'testnet' }), withImage('gaia:v6.0.0'), ...changes);
const VC_LABELS = {
  'app.kubernetes.io/created-by': 'cosmos-operator',
  'app.kubernetes.io/name': 'hub',
  'app.kubernetes.io/component': 'vc',
  'app.kubernetes.io/version': 'v6.0.0',
  'cosmos.strange.love/network': 'testnet',
  'cosmos.strange.love/type': 'FullNode',
};

describe('buildVersionCheckRbac', () => {
  it('builds a ServiceAccount, a Role and a RoleBinding, in that order', () => {
    const objects = buildVersionCheckRbac(hub());
    assert.deepEqual(
      objects.map((o) => [o.apiVersion, o.kind, o.metadata!.namespace, o.metadata!.name]),
      [
        ['v1', 'ServiceAccount', 'test', 'hub-vc-sa'],
        ['rbac.authorization.k8s.io/v1', 'Role', 'test', 'hub-vc-r'],
        ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'test', 'hub-vc-rb'],
      ],
    );
  });

  it('labels all three with component vc', () => {
    for (const o of buildVersionCheckRbac(hub())) assert.deepEqual(o.metadata!.labels, VC_LABELS, o.kind);
  });

  it('lets the version check read pods and its own CosmosFullNode and patch that one’s status, nothing cluster-scoped', () => {
    const [, role] = buildVersionCheckRbac(hub());
    assert.deepEqual(role!.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['cosmos.strange.love'], resources: ['cosmosfullnodes'], resourceNames: ['hub'], verbs: ['get'] },
      {
        apiGroups: ['cosmos.strange.love'],
        resources: ['cosmosfullnodes/status'],
        resourceNames: ['hub'],
        verbs: ['patch'],
      },
    ]);
  });

  it('binds the ServiceAccount to the Role', () => {
    const [, , binding] = buildVersionCheckRbac(hub());
    assert.deepEqual(binding!.subjects, [{ kind: 'ServiceAccount', name: 'hub-vc-sa', namespace: 'test' }]);
    assert.deepEqual(binding!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'hub-vc-r' });
  });

  it('uses the raw CR name in the object names', () => {
    const names = buildVersionCheckRbac(aFullNode('My_Hub')).map((o) => o.metadata!.name);
    assert.deepEqual(names, ['My_Hub-vc-sa', 'My_Hub-vc-r', 'My_Hub-vc-rb']);
  });

  it('builds nothing when the spec names a service account', () => {
    assert.deepEqual(buildVersionCheckRbac(hub(withSpec({ serviceAccountName: 'custom' }))), []);
  });

  it('owns all three as the controller', () => {
    for (const o of buildVersionCheckRbac(hub())) assert.equal(o.metadata!.ownerReferences![0]!.name, 'hub', o.kind);
  });

  it('builds deep-equal objects from the same input', () => {
    assert.deepEqual(buildVersionCheckRbac(hub()), buildVersionCheckRbac(hub()));
  });
});
