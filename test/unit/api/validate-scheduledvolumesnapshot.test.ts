import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateScheduledVolumeSnapshot } from '../../../src/api/validate-scheduledvolumesnapshot.ts';
import { aFullNode, aSnapshotSchedule, without, withValue } from '../../fixtures/api/objects.ts';

describe('validateScheduledVolumeSnapshot', () => {
  it('accepts a minimal valid object without warnings', () => {
    assert.deepEqual(validateScheduledVolumeSnapshot(aSnapshotSchedule()), { causes: [], warnings: [] });
  });

  for (const path of ['fullNodeRef', 'fullNodeRef.name', 'schedule', 'volumeSnapshotClassName']) {
    it(`requires spec.${path}`, () => {
      assert.deepEqual(validateScheduledVolumeSnapshot(aSnapshotSchedule(without(`spec.${path}`))).causes, [
        { type: 'FieldValueRequired', field: `spec.${path}`, message: 'Required value' },
      ]);
    });
  }

  it('rejects a schedule robfig cron would not parse, with its reason', () => {
    assert.deepEqual(
      validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.schedule', '0 0 * * * *'))).causes,
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.schedule',
          message:
            'Invalid value: "0 0 * * * *": must be a valid cron schedule: expected exactly 5 fields, found 6: [0 0 * * * *]',
        },
      ],
    );
  });

  for (const schedule of ['@every 6h', 'CRON_TZ=Europe/Zurich 30 2 * * *', '0 */4 * * MON-FRI', '@daily']) {
    it(`accepts the schedule ${JSON.stringify(schedule)}`, () => {
      assert.deepEqual(
        validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.schedule', schedule))).causes,
        [],
      );
    });
  }

  it('warns about a schedule that never fires', () => {
    const result = validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.schedule', '0 0 30 2 *')));
    assert.deepEqual(result.causes, []);
    assert.deepEqual(result.warnings, ['spec.schedule: "0 0 30 2 *" never fires (no such date within five years)']);
  });

  for (const field of ['minAvailable', 'limit']) {
    it(`rejects ${field} below 1`, () => {
      assert.deepEqual(validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue(`spec.${field}`, 0))).causes, [
        {
          type: 'FieldValueInvalid',
          field: `spec.${field}`,
          message: 'Invalid value: 0: must be greater than or equal to 1',
        },
      ]);
    });
  }

  it('rejects deletePod that is not a boolean', () => {
    assert.equal(
      validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.deletePod', 'yes'))).causes[0]?.type,
      'FieldValueTypeInvalid',
    );
  });

  it('warns that fullNodeRef.namespace is ignored', () => {
    assert.match(
      validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.fullNodeRef.namespace', 'other'))).warnings[0]!,
      /deprecated and ignored/,
    );
  });

  it('warns when minAvailable is above the replicas of the CosmosFullNode it is given', () => {
    const result = validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.minAvailable', 4)), undefined, {
      fullNode: aFullNode('cosmoshub'),
    });
    assert.deepEqual(result.warnings, [
      'spec.minAvailable: 4 is more than the 3 replicas of CosmosFullNode "cosmoshub": no snapshot will be taken',
    ]);
  });

  it('warns when the ordinal names no pod of the CosmosFullNode', () => {
    const result = validateScheduledVolumeSnapshot(
      aSnapshotSchedule(withValue('spec.fullNodeRef.ordinal', 3)),
      undefined,
      { fullNode: aFullNode('cosmoshub') },
    );
    assert.match(result.warnings[0]!, /^spec\.fullNodeRef\.ordinal: 3 is outside the ordinals \[0, 3\)/);
  });

  it('warns that deletePod with minAvailable 1 means downtime', () => {
    const result = validateScheduledVolumeSnapshot(
      aSnapshotSchedule(withValue('spec.deletePod', true), withValue('spec.minAvailable', 1)),
    );
    assert.match(result.warnings[0]!, /expect downtime/);
  });

  it('rejects a change of the CosmosFullNode it snapshots', () => {
    const result = validateScheduledVolumeSnapshot(
      aSnapshotSchedule(withValue('spec.fullNodeRef.name', 'osmosis')),
      aSnapshotSchedule(),
    );
    assert.deepEqual(result.causes, [{
      type: 'FieldValueInvalid',
      field: 'spec.fullNodeRef.name',
      message: 'Invalid value: "osmosis": field is immutable',
    }]);
  });

  it('allows changing the schedule', () => {
    assert.deepEqual(
      validateScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.schedule', '@daily')), aSnapshotSchedule())
        .causes,
      [],
    );
  });
});
