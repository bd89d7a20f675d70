import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childPath, displayValue, formatPath } from '../../../src/api/field-errors.ts';
import { fullNodeSpec } from '../../../src/api/cosmosfullnode.ts';
import { toName } from '../../../src/api/naming.ts';

describe('formatPath', () => {
  const root = fullNodeSpec.openapi;

  it('joins struct fields with dots', () => {
    assert.equal(formatPath('spec', ['chain', 'config', 'overrides'], root), 'spec.chain.config.overrides');
  });

  it('brackets list indices and map keys', () => {
    assert.equal(formatPath('spec', ['chain', 'versions', 2, 'height'], root), 'spec.chain.versions[2].height');
    assert.equal(
      formatPath('spec', ['instanceOverrides', 'hub-0', 'disable'], root),
      'spec.instanceOverrides[hub-0].disable',
    );
  });

  it('follows embedded Kubernetes types and inlined pod specs', () => {
    assert.equal(
      formatPath('spec', [
        'podTemplate',
        'affinity',
        'nodeAffinity',
        'requiredDuringSchedulingIgnoredDuringExecution',
        'nodeSelectorTerms',
        0,
      ], root),
      'spec.podTemplate.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]',
    );
    assert.equal(
      formatPath('spec', ['additionalVersionedPods', 0, 'overhead', 'cpu'], root),
      'spec.additionalVersionedPods[0].overhead[cpu]',
    );
  });

  it('still produces a path for keys the schema does not know', () => {
    assert.equal(formatPath('spec', ['unknown', 3, 'x'], root), 'spec.unknown[3].x');
  });
});

describe('childPath', () => {
  it('starts a path without a leading dot', () => {
    assert.equal(childPath('', 'spec'), 'spec');
    assert.equal(childPath('spec', 'a.b', true), 'spec[a.b]');
  });
});

describe('displayValue', () => {
  it('quotes strings, prints numbers bare and names other types', () => {
    assert.equal(displayValue('x'), '"x"');
    assert.equal(displayValue(-1), '-1');
    assert.equal(displayValue(true), 'true');
    assert.equal(displayValue(null), 'null');
    assert.equal(displayValue({ a: 1 }), '"object"');
    assert.equal(displayValue([1]), '"array"');
  });

  it('cuts long strings such as TOML documents', () => {
    const shown = displayValue('x'.repeat(500));
    assert.equal(shown.length, 64 + 2);
    assert.ok(shown.endsWith('..."'));
  });
});

describe('toName', () => {
  it('keeps letters, digits, dots and dashes and trims non-alphanumeric ends, as kube.ToName does', () => {
    assert.equal(toName('-Cosmos_Hub.4-'), 'CosmosHub.4');
  });

  it('cuts the middle out of names longer than 253 characters', () => {
    const name = toName('a'.repeat(100) + 'b'.repeat(200));
    assert.equal(name.length, 253);
    assert.ok(name.startsWith('a'.repeat(100)) && name.endsWith('b'.repeat(127)));
  });
});
