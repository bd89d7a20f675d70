// Golden files: every child the builders make for examples/cosmosfullnode-minimal.yaml. A change
// to any pod, service, PVC or RBAC field shows up here as a diff to review. To accept a deliberate
// change, run with UPDATE_GOLDEN=1 and read the diff of golden/ before committing it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCosmosFullNode } from '../../../../../src/api/defaults.ts';
import type { CosmosFullNode } from '../../../../../src/api/cosmosfullnode.ts';
import { buildPods } from '../../../../../src/reconcile/fullnode/build/pod-builder.ts';
import { buildPvcs } from '../../../../../src/reconcile/fullnode/build/pvc-builder.ts';
import { buildVersionCheckRbac } from '../../../../../src/reconcile/fullnode/build/rbac-builder.ts';
import { buildServices } from '../../../../../src/reconcile/fullnode/build/service-builder.ts';
import { exampleFullNode } from '../../../../fixtures/fullnode.ts';

const GOLDEN = join(import.meta.dirname, 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

function matchesGolden(file: string, actual: unknown): void {
  const path = join(GOLDEN, file);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (update) writeFileSync(path, text);
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')), `differs from golden/${file}`);
}

describe('the minimal example', () => {
  const node = exampleFullNode('cosmosfullnode-minimal.yaml');
  const checksums = { 'cosmoshub-0': 'aaaa0000', 'cosmoshub-1': 'bbbb1111', 'cosmoshub-2': 'cccc2222' };

  it('builds the golden pods', () => {
    matchesGolden(
      'minimal-pods.json',
      buildPods(node, { heights: {}, configChecksums: checksums, snapshotCandidates: new Set() }),
    );
  });

  it('builds the golden services', () => {
    matchesGolden('minimal-services.json', buildServices(node));
  });

  it('builds the golden PVCs', () => {
    matchesGolden('minimal-pvcs.json', buildPvcs(node, { boundCapacity: {}, autoScaleRequested: {}, dataSources: {} }));
  });

  it('builds the golden version-check RBAC', () => {
    matchesGolden('minimal-rbac.json', buildVersionCheckRbac(node));
  });
});

// The defaulting webhook persists only defaults that do not change what the builders make, so an
// object applied before the webhook existed and the same object defaulted must give equal children.
describe('a defaulted example', () => {
  const build = (node: CosmosFullNode) => ({
    pods: buildPods(node, { heights: {}, configChecksums: {}, snapshotCandidates: new Set() }),
    services: buildServices(node),
    pvcs: buildPvcs(node, { boundCapacity: {}, autoScaleRequested: {}, dataSources: {} }),
    rbac: buildVersionCheckRbac(node),
  });

  for (
    const file of [
      'cosmosfullnode-minimal.yaml',
      'cosmosfullnode-full.yaml',
      'cosmosfullnode-sentry.yaml',
      'cosmosfullnode-versioned-upgrade.yaml',
    ]
  ) {
    it(`builds the same children as ${file} applied before defaulting`, () => {
      const node = exampleFullNode(file);
      assert.deepEqual(build(defaultCosmosFullNode(node)), build(node));
    });
  }
});
