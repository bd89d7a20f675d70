import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildContainerPorts, p2pPortOf, rpcPortOf } from '../../../../../src/reconcile/fullnode/build/ports.ts';
import { aFullNode, asSentry, withChain } from '../../../../fixtures/fullnode.ts';

const withAddresses = (rpcListenAddress: string, p2pListenAddress: string) =>
  withChain({ config: { rpcListenAddress, p2pListenAddress } });

describe('rpcPortOf and p2pPortOf', () => {
  it('default to 26657 and 26656', () => {
    const node = aFullNode();
    assert.deepEqual([rpcPortOf(node), p2pPortOf(node)], [26657, 26656]);
  });

  it('take the text after the last colon of the listen addresses', () => {
    const node = aFullNode('osmosis', withAddresses('tcp://0.0.0.0:27147', 'tcp://0.0.0.0:27146'));
    assert.deepEqual([rpcPortOf(node), p2pPortOf(node)], [27147, 27146]);
  });

  it('fall back to the default when the port is not a number', () => {
    const node = aFullNode('osmosis', withAddresses('unix:///rpc.sock', 'tcp://0.0.0.0:p2p'));
    assert.deepEqual([rpcPortOf(node), p2pPortOf(node)], [26657, 26656]);
  });
});

describe('buildContainerPorts', () => {
  it('lists api, rosetta, grpc, prometheus, p2p, rpc and grpc-web over TCP', () => {
    assert.deepEqual(buildContainerPorts(aFullNode()), [
      { name: 'api', protocol: 'TCP', containerPort: 1317 },
      { name: 'rosetta', protocol: 'TCP', containerPort: 8080 },
      { name: 'grpc', protocol: 'TCP', containerPort: 9090 },
      { name: 'prometheus', protocol: 'TCP', containerPort: 26660 },
      { name: 'p2p', protocol: 'TCP', containerPort: 26656 },
      { name: 'rpc', protocol: 'TCP', containerPort: 26657 },
      { name: 'grpc-web', protocol: 'TCP', containerPort: 9091 },
    ]);
  });

  it('uses the custom RPC and p2p ports', () => {
    const ports = buildContainerPorts(
      aFullNode('osmosis', withAddresses('tcp://0.0.0.0:27147', 'tcp://0.0.0.0:27146')),
    );
    assert.deepEqual(
      ports.filter((p) => p.name === 'p2p' || p.name === 'rpc').map((p) => p.containerPort),
      [27146, 27147],
    );
  });

  it('adds privval 1234 last for a Sentry', () => {
    const ports = buildContainerPorts(aFullNode('osmosis', asSentry));
    assert.equal(ports.length, 8);
    assert.deepEqual(ports.at(-1), { name: 'privval', protocol: 'TCP', containerPort: 1234 });
  });
});
