// The CosmosFullNode every benchmark applies: a small Cosmos Hub-like node whose p2p Services
// are all ClusterIP, since the test control plane has no cloud load balancer to give addresses.
import type { CosmosFullNode } from '../src/api/cosmosfullnode.ts';

export function benchFullNode(
  namespace: string,
  index: number,
  replicas: number,
  storageClass: string,
): CosmosFullNode {
  return {
    apiVersion: 'cosmos.strange.love/v1',
    kind: 'CosmosFullNode',
    metadata: { name: `chain-${index}`, namespace },
    spec: {
      replicas,
      chain: { chainID: `chain-${index}`, network: 'mainnet', binary: 'gaiad' },
      podTemplate: { image: 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0' },
      service: { maxP2PExternalAddresses: 0 },
      volumeClaimTemplate: { storageClassName: storageClass, resources: { requests: { storage: '10Gi' } } },
    },
  } as CosmosFullNode;
}
