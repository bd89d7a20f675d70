// Validation of a ScheduledVolumeSnapshot: the schema (cron as robfig ParseStandard accepts it,
// bounds) plus warnings and update rules. Pure; any JSON value in, never throws.
import { parseSchedule } from '../syntax/cron.ts';
import { type FieldCause, invalid, type ValidationResult } from './field-errors.ts';
import { scheduledVolumeSnapshotSpec } from './scheduledvolumesnapshot.ts';
import { at, checkSpec, result } from './validate-spec.ts';

export interface SnapshotValidationContext {
  /** The CosmosFullNode named by spec.fullNodeRef, when the caller has it (from a cache). */
  readonly fullNode?: unknown;
}

/** A fixed reference time, so that "never fires" is decided the same way on every call. */
const REFERENCE_TIME = new Date('2024-01-01T00:00:00Z');

export function validateScheduledVolumeSnapshot(
  obj: unknown,
  old?: unknown,
  context: SnapshotValidationContext = {},
): ValidationResult {
  const checked = checkSpec(obj, scheduledVolumeSnapshotSpec);
  const causes: FieldCause[] = [...checked.causes];
  const warnings: string[] = [];
  const spec = checked.raw;
  if (spec !== undefined) {
    const schedule = spec['schedule'];
    if (typeof schedule === 'string') {
      const parsed = parseSchedule(schedule);
      if (parsed.ok && parsed.next(REFERENCE_TIME) === null) {
        warnings.push(`spec.schedule: ${JSON.stringify(schedule)} never fires (no such date within five years)`);
      }
    }
    const namespace = at(spec, 'fullNodeRef', 'namespace');
    if (typeof namespace === 'string' && namespace !== '') {
      warnings.push(
        'spec.fullNodeRef.namespace: is deprecated and ignored; the CosmosFullNode must be in the namespace of the ScheduledVolumeSnapshot',
      );
    }
    const minAvailable = typeof spec['minAvailable'] === 'number' ? spec['minAvailable'] : 2;
    if (spec['deletePod'] === true && minAvailable === 1) {
      warnings.push(
        'spec.minAvailable: is 1 with deletePod, so the only in-sync pod may be deleted for a snapshot: expect downtime',
      );
    }
    const replicas = at(context.fullNode, 'spec', 'replicas');
    if (typeof replicas === 'number' && minAvailable > replicas) {
      warnings.push(
        `spec.minAvailable: ${minAvailable} is more than the ${replicas} replicas of CosmosFullNode ${
          JSON.stringify(at(spec, 'fullNodeRef', 'name'))
        }: no snapshot will be taken`,
      );
    }
    const ordinal = at(spec, 'fullNodeRef', 'ordinal');
    const startRaw = at(context.fullNode, 'spec', 'ordinals', 'start');
    const start = typeof startRaw === 'number' ? startRaw : 0;
    if (
      typeof ordinal === 'number' && typeof replicas === 'number' && (ordinal < start || ordinal >= start + replicas)
    ) {
      warnings.push(
        `spec.fullNodeRef.ordinal: ${ordinal} is outside the ordinals [${start}, ${
          start + replicas
        }) of the CosmosFullNode: no snapshot will be taken`,
      );
    }
    if (old !== undefined && old !== null) {
      // The Go type documents fullNodeRef as immutable: a new source needs a new ScheduledVolumeSnapshot.
      const before = at(old, 'spec', 'fullNodeRef', 'name');
      const after = at(spec, 'fullNodeRef', 'name');
      if (typeof before === 'string' && typeof after === 'string' && before !== after) {
        causes.push(invalid('spec.fullNodeRef.name', after, 'field is immutable'));
      }
    }
  }
  return result(causes, warnings);
}
