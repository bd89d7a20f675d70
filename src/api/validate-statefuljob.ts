// Validation of a StatefulJob: the schema (interval as a Go duration, bounds, the pod spec) plus
// the rules the Job the operator builds must satisfy (docs/compatibility.md §8). Pure; any JSON
// value in, never throws.
import { parseGoDuration } from '../syntax/go-duration.ts';
import { type FieldCause, invalid, notSupported, type ValidationResult } from './field-errors.ts';
import { statefulJobSpec } from './statefuljob.ts';
import { at, checkSpec, isObject, result } from './validate-spec.ts';

/** The pod volume the operator adds for the restored PVC (§8). */
export const SNAPSHOT_VOLUME = 'snapshot';

export function validateStatefulJob(obj: unknown, _old?: unknown): ValidationResult {
  const checked = checkSpec(obj, statefulJobSpec);
  const causes: FieldCause[] = [...checked.causes];
  const warnings: string[] = [];
  const spec = checked.raw;
  if (spec !== undefined) {
    const interval = spec['interval'];
    if (typeof interval === 'string') {
      const parsed = parseGoDuration(interval);
      if (parsed.ok && parsed.nanoseconds <= 0n) {
        warnings.push(`spec.interval: ${JSON.stringify(interval)} is not positive and is treated as 24h`);
      }
    }
    // Jobs accept only Never and OnFailure; the operator fills in Never when it is empty.
    const restartPolicy = at(spec, 'podTemplate', 'spec', 'restartPolicy');
    if (
      typeof restartPolicy === 'string' && restartPolicy !== '' && restartPolicy !== 'Never' &&
      restartPolicy !== 'OnFailure'
    ) {
      causes.push(notSupported('spec.podTemplate.spec.restartPolicy', restartPolicy, ['Never', 'OnFailure']));
    }
    const volumes = at(spec, 'podTemplate', 'spec', 'volumes');
    if (Array.isArray(volumes)) {
      volumes.forEach((volume, index) => {
        if (isObject(volume) && volume['name'] === SNAPSHOT_VOLUME) {
          causes.push(
            invalid(
              `spec.podTemplate.spec.volumes[${index}].name`,
              SNAPSHOT_VOLUME,
              'is reserved: the operator adds the volume "snapshot" for the restored PVC',
            ),
          );
        }
      });
    }
    const containers = [
      ...arrayAt(spec, 'podTemplate', 'spec', 'containers'),
      ...arrayAt(spec, 'podTemplate', 'spec', 'initContainers'),
    ];
    const mounted = containers.some((container) =>
      arrayAt(container, 'volumeMounts').some((mount) => at(mount, 'name') === SNAPSHOT_VOLUME)
    );
    if (containers.length > 0 && !mounted) {
      warnings.push(
        'spec.podTemplate.spec.containers: no container mounts the volume "snapshot", so the jobs cannot see the restored data',
      );
    }
  }
  return result(causes, warnings);
}

function arrayAt(value: unknown, ...keys: string[]): unknown[] {
  const found = at(value, ...keys);
  return Array.isArray(found) ? found : [];
}
