import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultCosmosFullNode,
  defaultScheduledVolumeSnapshot,
  defaultStatefulJob,
} from '../../../src/api/defaults.ts';
import { validateCosmosFullNode } from '../../../src/api/validate-cosmosfullnode.ts';
import { validateScheduledVolumeSnapshot } from '../../../src/api/validate-scheduledvolumesnapshot.ts';
import { validateStatefulJob } from '../../../src/api/validate-statefuljob.ts';
import { exampleObjects } from '../../fixtures/api/objects.ts';

const KINDS = {
  CosmosFullNode: { validate: validateCosmosFullNode, default: defaultCosmosFullNode },
  ScheduledVolumeSnapshot: { validate: validateScheduledVolumeSnapshot, default: defaultScheduledVolumeSnapshot },
  StatefulJob: { validate: validateStatefulJob, default: defaultStatefulJob },
} as const;

describe('examples/', () => {
  const examples = exampleObjects();

  it('has a minimal, full, sentry and versioned CosmosFullNode, a snapshot schedule and a stateful job', () => {
    const files = new Set(examples.map((e) => e.file));
    for (
      const file of [
        'cosmosfullnode-minimal.yaml',
        'cosmosfullnode-full.yaml',
        'cosmosfullnode-sentry.yaml',
        'cosmosfullnode-versioned-upgrade.yaml',
        'scheduledvolumesnapshot.yaml',
        'statefuljob.yaml',
      ]
    ) {
      assert.ok(files.has(file), file);
    }
  });

  for (const { file, object } of examples) {
    const handlers = KINDS[object['kind'] as keyof typeof KINDS];

    it(`${file} passes validation without warnings`, () => {
      assert.ok(handlers, `unknown kind ${String(object['kind'])}`);
      assert.deepEqual(handlers.validate(object), { causes: [], warnings: [] });
    });

    it(`${file} still passes once defaulted`, () => {
      assert.deepEqual(handlers.validate(handlers.default(object)), { causes: [], warnings: [] });
    });
  }
});
