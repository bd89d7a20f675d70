// Every child of a CosmosFullNode carries a controller ownerReference to it (docs/compatibility.md
// §2.1): the field index `.metadata.controller` and the owner-triggered reconciles find children by
// it, and garbage collection deletes them with the CR. The builders set it, so a desired object is
// complete and the control layer only creates or updates; the diff copies it from the existing
// object on update, which is the same reference.
import type { V1OwnerReference } from '@kubernetes/client-node';

// The same strings as FULL_NODE_API_VERSION / FULL_NODE_KIND in api/cosmosfullnode.ts, repeated so
// the builders do not load the schema module (and its OpenAPI document) just for two constants.
const FULL_NODE_API_VERSION = 'cosmos.strange.love/v1';
const FULL_NODE_KIND = 'CosmosFullNode';

/** The controller reference to `node`; empty when the node has no uid yet (never so when read from the API). */
export function controllerReferences(node: { metadata: { name?: string; uid?: string } }): V1OwnerReference[] {
  const uid = node.metadata.uid;
  if (uid === undefined || uid === '') return [];
  return [
    {
      apiVersion: FULL_NODE_API_VERSION,
      kind: FULL_NODE_KIND,
      name: node.metadata.name ?? '',
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}
