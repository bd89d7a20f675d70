// The ports of a chain pod and its services (docs/compatibility.md §2.3, §2.4). The RPC and p2p
// ports follow the listen addresses in chain.config; the others are fixed by the Cosmos SDK
// defaults the operator writes into app.toml.
import type { V1ContainerPort } from '@kubernetes/client-node';
import { p2pPort as p2pPortFromAddress, rpcPort as rpcPortFromAddress } from '../../../api/defaults.ts';

export const API_PORT = 1317;
export const ROSETTA_PORT = 8080;
export const GRPC_PORT = 9090;
export const GRPC_WEB_PORT = 9091;
export const PROMETHEUS_PORT = 26660;
export const PRIVVAL_PORT = 1234;
/** The healthcheck sidecar's port (§4). */
export const HEALTHCHECK_PORT = 1251;

interface PortedNode {
  spec: {
    type?: string | null;
    chain: { config?: { rpcListenAddress?: string | null; p2pListenAddress?: string | null } | null };
  };
}

/** The CometBFT RPC port: the text after the last ':' of rpcListenAddress, else 26657. */
export function rpcPortOf(node: PortedNode): number {
  return rpcPortFromAddress(node.spec.chain.config?.rpcListenAddress);
}

/** The CometBFT p2p port: the text after the last ':' of p2pListenAddress, else 26656. */
export function p2pPortOf(node: PortedNode): number {
  return p2pPortFromAddress(node.spec.chain.config?.p2pListenAddress);
}

/** The `node` container's ports, in the Go operator's order; a Sentry adds `privval`. */
export function buildContainerPorts(node: PortedNode): V1ContainerPort[] {
  const ports: V1ContainerPort[] = [
    { name: 'api', protocol: 'TCP', containerPort: API_PORT },
    { name: 'rosetta', protocol: 'TCP', containerPort: ROSETTA_PORT },
    { name: 'grpc', protocol: 'TCP', containerPort: GRPC_PORT },
    { name: 'prometheus', protocol: 'TCP', containerPort: PROMETHEUS_PORT },
    { name: 'p2p', protocol: 'TCP', containerPort: p2pPortOf(node) },
    { name: 'rpc', protocol: 'TCP', containerPort: rpcPortOf(node) },
    { name: 'grpc-web', protocol: 'TCP', containerPort: GRPC_WEB_PORT },
  ];
  if (node.spec.type === 'Sentry') ports.push({ name: 'privval', protocol: 'TCP', containerPort: PRIVVAL_PORT });
  return ports;
}
