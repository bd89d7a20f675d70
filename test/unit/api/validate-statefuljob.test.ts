import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateStatefulJob } from '../../../src/api/validate-statefuljob.ts';
import { aStatefulJob, without, withValue } from '../../fixtures/api/objects.ts';

describe('validateStatefulJob', () => {
  it('accepts a minimal valid object without warnings', () => {
    assert.deepEqual(validateStatefulJob(aStatefulJob()), { causes: [], warnings: [] });
  });

  for (
    const path of [
      'selector',
      'podTemplate',
      'podTemplate.spec',
      'volumeClaimTemplate',
      'volumeClaimTemplate.storageClassName',
      'podTemplate.spec.containers',
    ]
  ) {
    it(`requires spec.${path}`, () => {
      assert.deepEqual(validateStatefulJob(aStatefulJob(without(`spec.${path}`))).causes, [{
        type: 'FieldValueRequired',
        field: `spec.${path}`,
        message: 'Required value',
      }]);
    });
  }

  for (const interval of ['24h', '1h30m', '90s', '1.5h', '0']) {
    it(`accepts the interval ${JSON.stringify(interval)}`, () => {
      assert.deepEqual(validateStatefulJob(aStatefulJob(withValue('spec.interval', interval))).causes, []);
    });
  }

  for (const interval of ['1d', '24', 'daily', '']) {
    it(`rejects the interval ${JSON.stringify(interval)}, which metav1.Duration cannot decode`, () => {
      const [cause] = validateStatefulJob(aStatefulJob(withValue('spec.interval', interval))).causes;
      assert.equal(cause?.field, 'spec.interval');
      assert.match(cause!.message, /must be a duration such as "24h" or "1h30m": time: /);
    });
  }

  it('warns that a non-positive interval is treated as 24h', () => {
    assert.deepEqual(validateStatefulJob(aStatefulJob(withValue('spec.interval', '-1h'))).warnings, [
      'spec.interval: "-1h" is not positive and is treated as 24h',
    ]);
  });

  const bounds: [string, number, string][] = [
    ['spec.jobTemplate.activeDeadlineSeconds', 0, 'Invalid value: 0: must be greater than or equal to 1'],
    ['spec.jobTemplate.backoffLimit', -1, 'Invalid value: -1: must be greater than or equal to 0'],
    ['spec.jobTemplate.ttlSecondsAfterFinished', -1, 'Invalid value: -1: must be greater than or equal to 0'],
  ];
  for (const [path, value, message] of bounds) {
    it(`rejects ${path} ${value}`, () => {
      assert.deepEqual(validateStatefulJob(aStatefulJob(withValue(path, value))).causes, [{
        type: 'FieldValueInvalid',
        field: path,
        message,
      }]);
    });
  }

  it('rejects a restart policy a Job refuses', () => {
    assert.deepEqual(
      validateStatefulJob(aStatefulJob(withValue('spec.podTemplate.spec.restartPolicy', 'Always'))).causes,
      [
        {
          type: 'FieldValueNotSupported',
          field: 'spec.podTemplate.spec.restartPolicy',
          message: 'Unsupported value: "Always": supported values: "Never", "OnFailure"',
        },
      ],
    );
  });

  it('rejects a pod volume named "snapshot", which the operator adds', () => {
    const [cause] = validateStatefulJob(
      aStatefulJob(withValue('spec.podTemplate.spec.volumes', [{ name: 'snapshot', emptyDir: {} }])),
    ).causes;
    assert.equal(cause?.field, 'spec.podTemplate.spec.volumes[0].name');
  });

  it('warns when no container mounts the snapshot volume', () => {
    const result = validateStatefulJob(
      aStatefulJob(withValue('spec.podTemplate.spec.containers', [{ name: 'a', image: 'busybox' }])),
    );
    assert.match(result.warnings[0]!, /no container mounts the volume "snapshot"/);
  });

  it('rejects integers beyond int64, which the API server refuses as not integers', () => {
    const causes =
      validateStatefulJob(aStatefulJob(withValue('spec.jobTemplate', { activeDeadlineSeconds: 1e21 }))).causes;
    assert.deepEqual(causes, [
      {
        type: 'FieldValueInvalid',
        field: 'spec.jobTemplate.activeDeadlineSeconds',
        message: 'Invalid value: 1e+21: must be between -9223372036854775808 and 9223372036854775807',
      },
    ]);
    const inPodSpec =
      validateStatefulJob(aStatefulJob(withValue('spec.podTemplate.spec.activeDeadlineSeconds', 2 ** 63))).causes;
    assert.deepEqual(inPodSpec.map((c) => c.field), ['spec.podTemplate.spec.activeDeadlineSeconds']);
    assert.deepEqual(
      validateStatefulJob(aStatefulJob(withValue('spec.jobTemplate', { activeDeadlineSeconds: 2 ** 62 }))).causes,
      [],
    );
  });

  it('rejects an unknown access mode', () => {
    assert.equal(
      validateStatefulJob(aStatefulJob(withValue('spec.volumeClaimTemplate.accessModes', ['ReadWriteAll']))).causes[0]
        ?.field,
      'spec.volumeClaimTemplate.accessModes[0]',
    );
  });

  it('checks the pod spec with field paths', () => {
    assert.deepEqual(
      validateStatefulJob(
        aStatefulJob(
          withValue('spec.podTemplate.spec.containers', [{
            name: 'a',
            image: 'b',
            resources: { limits: { memory: '1 GB' } },
          }]),
        ),
      ).causes.map((c) => c.field),
      [
        'spec.podTemplate.spec.containers[0].resources.limits[memory]',
      ],
    );
  });
});
