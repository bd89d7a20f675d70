import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import {
  configMapFingerprint,
  fingerprintOf,
  serviceFingerprint,
} from '../../../../../src/reconcile/fullnode/build/fingerprint.ts';
import { buildServices } from '../../../../../src/reconcile/fullnode/build/service-builder.ts';
import { aFullNode, asSentry, withNamespace, withReplicas, withService } from '../../../../fixtures/fullnode.ts';

/**
 * What kube-apiserver v1.35 stores for a Service it is sent: cluster IPs and IP families
 * allocated, session affinity and internal traffic policy defaulted, protocol TCP on ports that
 * name none, node ports on external types, externalTrafficPolicy Cluster on external types that
 * set none. (Checked against the real one by test/integration/fullnode/hand-edits.test.ts: a
 * converged CosmosFullNode gets no Service rewrites.)
 */
function asStored(spec: V1ServiceSpec): V1ServiceSpec {
  const type = spec.type ?? 'ClusterIP';
  const external = type === 'LoadBalancer' || type === 'NodePort';
  return {
    ...spec,
    type,
    clusterIP: spec.clusterIP ?? '10.96.0.42',
    clusterIPs: [spec.clusterIP ?? '10.96.0.42'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ...(external ? { externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster' } : {}),
    ...(type === 'LoadBalancer' ? { allocateLoadBalancerNodePorts: true } : {}),
    ports: (spec.ports ?? []).map((port, i) => ({
      ...port,
      protocol: port.protocol ?? 'TCP',
      targetPort: port.targetPort ?? port.port,
      ...(external ? { nodePort: 30000 + i } : {}),
    })),
  };
}

const nodes = {
  'a full node with an external p2p service and RPC template ports': aFullNode(
    'gaia',
    withNamespace('test'),
    withReplicas(3),
    withService({
      maxP2PExternalAddresses: 2,
      p2pTemplate: { type: 'LoadBalancer' },
      rpcTemplate: { type: 'NodePort', ports: [{ name: 'metrics', port: 26660 }] },
    }),
  ),
  'a sentry (privval services)': aFullNode('sentry', withNamespace('test'), withReplicas(2), asSentry),
};

describe('serviceFingerprint', () => {
  for (const [what, node] of Object.entries(nodes)) {
    it(`is the same for what the builder wants and what the API server stores of it: ${what}`, () => {
      for (const { service } of buildServices(node)) {
        assert.equal(
          serviceFingerprint(asStored(service.spec!)),
          serviceFingerprint(service.spec),
          service.metadata!.name,
        );
      }
    });
  }

  const p2p = (): V1Service => buildServices(nodes['a sentry (privval services)'])[0]!.service;
  const edits: Record<string, (spec: V1ServiceSpec) => void> = {
    'another selector': (spec) => (spec.selector = { 'app.kubernetes.io/instance': 'elsewhere' }),
    'another port': (spec) => (spec.ports = [{ ...spec.ports![0]!, port: 30000 }]),
    'another target port': (spec) => (spec.ports = [{ ...spec.ports![0]!, targetPort: 30000 }]),
    'a port added': (spec) => spec.ports!.push({ name: 'extra', port: 1 }),
    'another type': (spec) => (spec.type = 'NodePort'),
    'publishNotReadyAddresses changed': (spec) => (spec.publishNotReadyAddresses = true),
  };
  for (const [edit, change] of Object.entries(edits)) {
    it(`changes with ${edit}`, () => {
      const spec = asStored(p2p().spec!);
      const before = serviceFingerprint(spec);
      change(spec);
      assert.notEqual(serviceFingerprint(spec), before);
    });
  }

  it('does not change with what the API server allocates', () => {
    const spec = asStored(p2p().spec!);
    const before = serviceFingerprint(spec);
    assert.equal(serviceFingerprint({ ...spec, clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9'] }), before);
  });
});

describe('configMapFingerprint', () => {
  it('changes with any key of data, added, removed or edited, and with nothing else', () => {
    const data = { 'config-overlay.toml': 'a = 1\n', 'app-overlay.toml': 'b = 2\n' };
    const base = configMapFingerprint({ data });
    assert.equal(configMapFingerprint({ data: { ...data } }), base);
    assert.notEqual(configMapFingerprint({ data: { ...data, 'config-overlay.toml': 'a = 2\n' } }), base);
    assert.notEqual(configMapFingerprint({ data: { ...data, extra: '' } }), base);
    assert.notEqual(configMapFingerprint({ data: { 'app-overlay.toml': 'b = 2\n' } }), base);
    assert.notEqual(configMapFingerprint({ data, binaryData: { blob: 'AA==' } }), base);
  });
});

describe('fingerprintOf', () => {
  it('prefers the fingerprint a cache transform kept over computing one', () => {
    assert.equal(fingerprintOf({ data: {}, contentFingerprint: 'kept' }, configMapFingerprint), 'kept');
    assert.equal(fingerprintOf({ data: {} }, configMapFingerprint), configMapFingerprint({ data: {} }));
  });
});
