import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_KINDS } from '../../../src/api/kinds.ts';
import { buildCrds } from '../../../tools/crd.ts';
import { aFullNode, aSnapshotSchedule, aStatefulJob } from '../../fixtures/api/objects.ts';

describe('API_KINDS', () => {
  it('names the same group, versions, kinds and plurals as the CRDs', () => {
    assert.deepEqual(
      API_KINDS.map((k) => [k.group, k.version, k.kind, k.plural]),
      buildCrds().map((c) => [c.spec.group, c.spec.versions[0]!.name, c.spec.names.kind, c.spec.names.plural]),
    );
  });

  it('validates and defaults each kind', () => {
    const objects = [aFullNode(), aSnapshotSchedule(), aStatefulJob()];
    API_KINDS.forEach((kind, i) => {
      const defaulted = kind.default(objects[i]);
      assert.deepEqual(kind.validate(defaulted, objects[i]).causes, []);
    });
  });
});
