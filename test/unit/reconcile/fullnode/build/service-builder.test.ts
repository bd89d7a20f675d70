import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { buildServices, externalP2PCount } from '../../../../../src/reconcile/fullnode/build/service-builder.ts';
import {
  aFullNode,
  asSentry,
  withChain,
  withImage,
  withNamespace,
  withReplicas,
  withService,
  withStartOrdinal,
} from '../../../../fixtures/fullnode.ts';

const terra = (...changes: Parameters<typeof aFullNode>[1][]) =>
  aFullNode('terra', withNamespace('test'), withChain({ network: 'testnet' }), withImage('terra:v6.0.0'), ...changes);
const services = (node: ReturnType<typeof aFullNode>): V1Service[] => buildServices(node).map((s) => s.service);
const byComponent = (list: V1Service[], component: string) =>
  list.filter((s) => s.metadata!.labels!['app.kubernetes.io/component'] === component);

describe('buildServices', () => {
  it('builds one p2p service per replica and one RPC service, ordered by position', () => {
    const built = buildServices(terra(withReplicas(3)));
    assert.deepEqual(
      built.map((s) => [s.ordinal, s.service.metadata!.name]),
      [
        [0, 'terra-p2p-0'],
        [1, 'terra-p2p-1'],
        [2, 'terra-p2p-2'],
        [3, 'terra-rpc'],
      ],
    );
  });

  it('labels a p2p service with its instance and component p2p', () => {
    assert.deepEqual(services(terra(withReplicas(3)))[1]!.metadata!.labels, {
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/name': 'terra',
      'app.kubernetes.io/component': 'p2p',
      'app.kubernetes.io/version': 'v6.0.0',
      'app.kubernetes.io/instance': 'terra-1',
      'cosmos.strange.love/network': 'testnet',
      'cosmos.strange.love/type': 'FullNode',
    });
  });

  it('exposes the first p2p service as a LoadBalancer with local traffic policy and the rest as ClusterIP', () => {
    const [first, second] = services(terra(withReplicas(3)));
    assert.deepEqual(first!.spec, {
      ports: [{ name: 'p2p', protocol: 'TCP', port: 26656, targetPort: 'p2p' }],
      selector: { 'app.kubernetes.io/instance': 'terra-0' },
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
    });
    assert.deepEqual(second!.spec, {
      ports: [{ name: 'p2p', protocol: 'TCP', port: 26656, targetPort: 'p2p' }],
      selector: { 'app.kubernetes.io/instance': 'terra-1' },
      type: 'ClusterIP',
    });
  });

  it('numbers p2p services from the start ordinal, the first one still external', () => {
    const p2p = byComponent(services(terra(withReplicas(3), withStartOrdinal(2))), 'p2p');
    assert.deepEqual(
      p2p.map((s) => [s.metadata!.name, s.spec!.selector!['app.kubernetes.io/instance'], s.spec!.type]),
      [
        ['terra-p2p-2', 'terra-2', 'LoadBalancer'],
        ['terra-p2p-3', 'terra-3', 'ClusterIP'],
        ['terra-p2p-4', 'terra-4', 'ClusterIP'],
      ],
    );
  });

  it('exposes maxP2PExternalAddresses p2p services', () => {
    const p2p = byComponent(services(terra(withReplicas(3), withService({ maxP2PExternalAddresses: 2 }))), 'p2p');
    assert.deepEqual(
      p2p.map((s) => [s.spec!.type, s.spec!.externalTrafficPolicy]),
      [
        ['LoadBalancer', 'Local'],
        ['LoadBalancer', 'Local'],
        ['ClusterIP', undefined],
      ],
    );
  });

  it('exposes none with zero maxP2PExternalAddresses and then ignores the p2p template', () => {
    const node = terra(
      withReplicas(3),
      withService({
        maxP2PExternalAddresses: 0,
        p2pTemplate: {
          metadata: { labels: { test: 'should not see me' } },
          type: 'NodePort',
          externalTrafficPolicy: 'Local',
        },
      }),
    );
    for (const s of byComponent(services(node), 'p2p')) {
      assert.equal(s.metadata!.labels!['test'], undefined);
      assert.equal(s.spec!.type, 'ClusterIP');
      assert.equal(s.spec!.externalTrafficPolicy, undefined);
    }
  });

  it('clamps maxP2PExternalAddresses to the replicas', () => {
    assert.equal(externalP2PCount(terra(withReplicas(2), withService({ maxP2PExternalAddresses: 5 }))), 2);
  });

  it('applies the p2p template metadata, type and traffic policy to external p2p services only', () => {
    const node = terra(
      withReplicas(2),
      withService({
        p2pTemplate: {
          metadata: { labels: { team: 'p2p', 'app.kubernetes.io/instance': 'no' }, annotations: { lb: 'yes' } },
          type: 'NodePort',
          externalTrafficPolicy: 'Cluster',
          clusterIP: 'None',
        },
      }),
    );
    const [external, internal] = services(node);
    assert.deepEqual(
      [
        external!.metadata!.labels!['team'],
        external!.metadata!.labels!['app.kubernetes.io/instance'],
        external!.metadata!.annotations,
        external!.spec!.type,
        external!.spec!.externalTrafficPolicy,
      ],
      ['p2p', 'terra-0', { lb: 'yes' }, 'NodePort', 'Cluster'],
    );
    assert.deepEqual(
      [internal!.metadata!.labels!['team'], internal!.metadata!.annotations, internal!.spec!.clusterIP],
      [undefined, {}, 'None'],
    );
  });

  it('ignores the p2p template ports', () => {
    const node = terra(withService({ p2pTemplate: { ports: [{ name: 'extra', port: 1 }] } }));
    assert.deepEqual(services(node)[0]!.spec!.ports, [{
      name: 'p2p',
      protocol: 'TCP',
      port: 26656,
      targetPort: 'p2p',
    }]);
  });

  it('uses the custom p2p and RPC ports', () => {
    const node = terra(
      withChain({
        network: 'testnet',
        config: { p2pListenAddress: 'tcp://0.0.0.0:27146', rpcListenAddress: 'tcp://0.0.0.0:27147' },
      }),
    );
    const [p2p, rpc] = services(node);
    assert.equal(p2p!.spec!.ports![0]!.port, 27146);
    assert.equal(rpc!.spec!.ports!.find((p) => p.name === 'rpc')!.port, 27147);
  });

  it('adds a privval service per Sentry instance after the p2p services', () => {
    const built = services(terra(asSentry, withReplicas(2)));
    assert.deepEqual(
      built.map((s) => s.metadata!.name),
      ['terra-p2p-0', 'terra-p2p-1', 'terra-privval-0', 'terra-privval-1', 'terra-rpc'],
    );
    assert.equal(built[2]!.metadata!.labels!['app.kubernetes.io/component'], 'cosmos-sentry');
    assert.deepEqual(built[3]!.spec, {
      ports: [{ name: 'sentry-privval', protocol: 'TCP', port: 1234, targetPort: 'privval' }],
      selector: { 'app.kubernetes.io/instance': 'terra-1' },
      type: 'ClusterIP',
      publishNotReadyAddresses: true,
    });
  });

  it('gives privval services the p2p template metadata', () => {
    const node = terra(
      asSentry,
      withService({ p2pTemplate: { metadata: { labels: { test: 'value1' }, annotations: { test: 'value2' } } } }),
    );
    const privval = services(node)[1]!;
    assert.deepEqual([
      privval.metadata!.name,
      privval.metadata!.labels!['test'],
      privval.metadata!.annotations!['test'],
    ], ['terra-privval-0', 'value1', 'value2']);
  });

  it('builds the RPC service over every pod with the fixed ports', () => {
    const rpc = services(terra(withReplicas(1)))[1]!;
    assert.deepEqual(rpc.metadata!.labels, {
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/name': 'terra',
      'app.kubernetes.io/component': 'rpc',
      'app.kubernetes.io/version': 'v6.0.0',
      'cosmos.strange.love/network': 'testnet',
      'cosmos.strange.love/type': 'FullNode',
    });
    assert.deepEqual(rpc.spec, {
      ports: [
        { name: 'api', protocol: 'TCP', port: 1317, targetPort: 'api' },
        { name: 'rosetta', protocol: 'TCP', port: 8080, targetPort: 'rosetta' },
        { name: 'grpc', protocol: 'TCP', port: 9090, targetPort: 'grpc' },
        { name: 'rpc', protocol: 'TCP', port: 26657, targetPort: 'rpc' },
        { name: 'grpc-web', protocol: 'TCP', port: 9091, targetPort: 'grpc-web' },
      ],
      selector: { 'app.kubernetes.io/name': 'terra' },
      type: 'ClusterIP',
    });
  });

  it('builds the RPC service even with zero replicas', () => {
    assert.deepEqual(
      services(terra(withReplicas(0))).map((s) => s.metadata!.name),
      ['terra-rpc'],
    );
  });

  it('applies the RPC template metadata (operator labels winning), type, traffic policy, cluster IP and extra ports', () => {
    const node = terra(
      withReplicas(0),
      withService({
        rpcTemplate: {
          metadata: {
            labels: { label: 'value', 'app.kubernetes.io/name': 'should not see me' },
            annotations: { test: 'value' },
          },
          type: 'NodePort',
          externalTrafficPolicy: 'Local',
          clusterIP: '10.0.0.10',
          ports: [{ name: 'evm-rpc', port: 8545, targetPort: 'evm-rpc', protocol: 'TCP' }],
        },
      }),
    );
    const rpc = services(node)[0]!;
    assert.deepEqual(rpc.metadata!.annotations, { test: 'value' });
    assert.deepEqual([rpc.metadata!.labels!['label'], rpc.metadata!.labels!['app.kubernetes.io/name']], [
      'value',
      'terra',
    ]);
    assert.deepEqual([rpc.spec!.type, rpc.spec!.externalTrafficPolicy, rpc.spec!.clusterIP], [
      'NodePort',
      'Local',
      '10.0.0.10',
    ]);
    assert.deepEqual(rpc.spec!.ports!.at(-1), { name: 'evm-rpc', port: 8545, targetPort: 'evm-rpc', protocol: 'TCP' });
    assert.equal(rpc.spec!.ports!.length, 6);
  });

  it('normalises the RPC service metadata', () => {
    const rpc = services(
      terra(withService({ rpcTemplate: { metadata: { labels: { '_odd key_': 'x'.repeat(70) } } } })),
    )[1]!;
    assert.equal(rpc.metadata!.labels!['oddkey'], 'x'.repeat(63));
  });

  it('owns every service as the controller', () => {
    for (const s of services(terra(asSentry))) {
      assert.equal(s.metadata!.ownerReferences![0]!.controller, true, s.metadata!.name);
    }
  });

  it('builds deep-equal services from the same input', () => {
    const node = terra(asSentry, withReplicas(3));
    assert.deepEqual(buildServices(node), buildServices(structuredClone(node)));
  });
});
