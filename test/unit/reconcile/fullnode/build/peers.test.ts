import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReconcileError } from '../../../../../src/kube/reconcile-result.ts';
import {
  buildPeers,
  externalAddressOf,
  hasIncompleteExternalAddress,
  joinHostPort,
  nodeIdsExcept,
  type P2PService,
  type PeeredNode,
  privatePeersExcept,
  statusPeers,
} from '../../../../../src/reconcile/fullnode/build/peers.ts';

const ID = { a: 'a'.repeat(40), b: 'b'.repeat(40), c: 'c'.repeat(40) };

function node(change: (spec: PeeredNode['spec']) => void = () => {}): PeeredNode {
  const n: PeeredNode = { metadata: { name: 'hub', namespace: 'chains' }, spec: { replicas: 3, chain: {} } };
  change(n.spec);
  return n;
}

const ids = { 'hub-0': ID.c, 'hub-1': ID.a, 'hub-2': ID.b };

function lb(name: string, ingress?: { ip?: string; hostname?: string }): P2PService {
  return {
    metadata: { name },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: ingress ? [ingress] : [] } },
  };
}
function clusterIP(name: string): P2PService {
  return { metadata: { name }, spec: { type: 'ClusterIP' } };
}
function services(...list: P2PService[]): Map<string, P2PService> {
  return new Map(list.map((svc) => [svc.metadata!.name!, svc]));
}

const allServices = () => services(lb('hub-p2p-0', { ip: '1.2.3.4' }), clusterIP('hub-p2p-1'), clusterIP('hub-p2p-2'));

describe('buildPeers', () => {
  it('gives every ordinal its ID and in-cluster address', () => {
    const peers = buildPeers(node(), ids, allServices());
    assert.deepEqual(
      peers.map((p) => [p.instance, p.nodeId, p.privateAddress]),
      [
        ['hub-0', ID.c, 'hub-p2p-0.chains.svc.cluster.local:26656'],
        ['hub-1', ID.a, 'hub-p2p-1.chains.svc.cluster.local:26656'],
        ['hub-2', ID.b, 'hub-p2p-2.chains.svc.cluster.local:26656'],
      ],
    );
  });

  it('uses the cluster domain, the start ordinal and the p2p port of the spec', () => {
    const n = node((spec) => {
      spec.replicas = 1;
      spec.ordinals = { start: 4 };
      spec.service = { clusterDomain: 'corp.internal' };
      spec.chain.config = { p2pListenAddress: 'tcp://0.0.0.0:36656' };
    });
    const [peer] = buildPeers(n, { 'hub-4': ID.a }, services(lb('hub-p2p-4', { ip: '1.2.3.4' })));
    assert.equal(peer!.privateAddress, 'hub-p2p-4.chains.svc.corp.internal:36656');
    assert.equal(peer!.externalAddress, '1.2.3.4:36656');
  });

  it('takes the external address from the LoadBalancer ingress, IP before hostname', () => {
    const peers = buildPeers(
      node(),
      ids,
      services(
        lb('hub-p2p-0', { ip: '1.2.3.4', hostname: 'x.example' }),
        lb('hub-p2p-1', { hostname: 'lb.example' }),
        clusterIP('hub-p2p-2'),
      ),
    );
    assert.deepEqual(
      peers.map((p) => p.externalAddress),
      ['1.2.3.4:26656', 'lb.example:26656', undefined],
    );
  });

  it('reports a LoadBalancer without ingress as incomplete', () => {
    const peers = buildPeers(node(), ids, services(lb('hub-p2p-0'), clusterIP('hub-p2p-1'), clusterIP('hub-p2p-2')));
    assert.equal(hasIncompleteExternalAddress(peers), true);
  });

  it('is complete when every LoadBalancer has an address', () => {
    assert.equal(hasIncompleteExternalAddress(buildPeers(node(), ids, allServices())), false);
  });

  it('counts a missing service that would be a LoadBalancer as incomplete, and keeps every private address', () => {
    const peers = buildPeers(node(), ids, services(clusterIP('hub-p2p-1')));
    assert.equal(hasIncompleteExternalAddress(peers), true);
    assert.equal(peers.length, 3);
    assert.deepEqual(
      peers.map((p) => p.external),
      [true, false, false],
    );
  });

  it('expects no LoadBalancer for a missing service when maxP2PExternalAddresses is 0 or the type is not LoadBalancer', () => {
    assert.equal(
      hasIncompleteExternalAddress(
        buildPeers(node((s) => (s.service = { maxP2PExternalAddresses: 0 })), ids, new Map()),
      ),
      false,
    );
    assert.equal(
      hasIncompleteExternalAddress(
        buildPeers(node((s) => (s.service = { p2pTemplate: { type: 'NodePort' } })), ids, new Map()),
      ),
      false,
    );
  });

  it('throws a permanent error when an instance has no node key', () => {
    assert.throws(
      () => buildPeers(node(), { 'hub-0': ID.a }, allServices()),
      (error: unknown) => isReconcileError(error) && error.kind === 'permanent' && /hub-1/.test(error.message),
    );
  });
});

describe('statusPeers', () => {
  it('lists <id>@<external address>, or <id>@0.0.0.0:<p2p port> without one, sorted', () => {
    const peers = buildPeers(node(), ids, allServices());
    assert.deepEqual(statusPeers(peers, 26656), [
      `${ID.a}@0.0.0.0:26656`,
      `${ID.b}@0.0.0.0:26656`,
      `${ID.c}@1.2.3.4:26656`,
    ]);
  });
});

describe('privatePeersExcept', () => {
  it('lists every other instance as <id>@<private address>, sorted by text', () => {
    const peers = buildPeers(node(), ids, allServices());
    assert.deepEqual(privatePeersExcept(peers, 'hub-1'), [
      `${ID.b}@hub-p2p-2.chains.svc.cluster.local:26656`,
      `${ID.c}@hub-p2p-0.chains.svc.cluster.local:26656`,
    ]);
  });
});

describe('nodeIdsExcept', () => {
  it("lists every other instance's ID, sorted", () => {
    assert.deepEqual(nodeIdsExcept(buildPeers(node(), ids, allServices()), 'hub-0'), [ID.a, ID.b]);
  });
});

describe('externalAddressOf', () => {
  it('has none for other service types', () => {
    assert.equal(
      externalAddressOf(
        { spec: { type: 'NodePort' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } },
        26656,
      ),
      undefined,
    );
  });
});

describe('joinHostPort', () => {
  it('brackets IPv6 literals as Go net.JoinHostPort does', () => {
    assert.equal(joinHostPort('2001:db8::1', 26656), '[2001:db8::1]:26656');
    assert.equal(joinHostPort('1.2.3.4', 26656), '1.2.3.4:26656');
  });
});
