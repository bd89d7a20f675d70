// The chain pods against the API server's own Pod Security admission, `restricted` level: every
// container the operator builds passes it, so a pod is admitted once the chain's `node` container
// (which the operator leaves as the Go operator did) is tightened through podTemplate.containers.
// The pods the builders make for the examples are created with a server dry run in a namespace
// that enforces `restricted`; no operator runs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { buildPods } from '../../../src/reconcile/fullnode/build/pod-builder.ts';
import { buildVersionCheckRbac } from '../../../src/reconcile/fullnode/build/rbac-builder.ts';
import { apiJson, apiRequest } from '../../cluster/kube-http.ts';
import { newNamespace } from '../../cluster/connect.ts';
import { exampleNode, type FullNodeJson, type Harness, harness } from './harness.ts';

const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const EXAMPLES = ['cosmosfullnode-minimal.yaml', 'cosmosfullnode-sentry.yaml', 'cosmosfullnode-versioned-upgrade.yaml'];

describe('chain pods under the restricted Pod Security Standard', () => {
  let h: Harness;
  let ns: string;

  before(async () => {
    h = await harness();
    ns = await newNamespace('pod-security');
    await apiJson(h.cluster.admin, 'PATCH', `/api/v1/namespaces/${ns}`, {
      body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      contentType: 'application/merge-patch+json',
    });
  });

  const pods = (node: FullNodeJson): V1Pod[] =>
    buildPods(node, { heights: {}, configChecksums: {}, snapshotCandidates: new Set() }).map((d) => d.pod);

  /** A server dry run of creating the pod: the status code and, when refused, the message. */
  async function dryRunCreate(pod: V1Pod): Promise<{ status: number; message: string }> {
    const res = await apiRequest(h.cluster.admin, 'POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, { body: pod });
    const body = JSON.parse(res.body) as { message?: string };
    return { status: res.status, message: body.message ?? '' };
  }

  for (const file of EXAMPLES) {
    it(`${file}: only the chain's own container keeps a pod out, and naming it in podTemplate.containers lets it in`, async () => {
      const asBuilt = exampleNode(file, ns, h.cluster.storageClass);
      const tightened = exampleNode(file, ns, h.cluster.storageClass, (n) => {
        n.spec.podTemplate.containers = [{ name: 'node', securityContext: RESTRICTED }];
      });
      // The pods run as the version-check ServiceAccount, which must exist.
      const [account] = buildVersionCheckRbac(asBuilt);
      assert.ok(account);
      await apiJson(h.cluster.admin, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
        body: { ...account, metadata: { name: account.metadata!.name } },
      });
      for (const pod of pods(asBuilt)) {
        const { status, message } = await dryRunCreate(pod);
        assert.equal(status, 403, message);
        // e.g. `violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container
        // "node" must set …), unrestricted capabilities (container "node" must set …)`.
        const named = [...message.matchAll(/containers? ((?:"[^"]+"(?:, | and )?)+)/g)]
          .flatMap((m) => [...m[1]!.matchAll(/"([^"]+)"/g)].map((n) => n[1]));
        assert.deepEqual([...new Set(named)], ['node'], message);
      }
      for (const pod of pods(tightened)) {
        const { status, message } = await dryRunCreate(pod);
        assert.equal(status, 201, `${pod.metadata?.name}: ${message}`);
      }
    });
  }
});
