import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allowed, denied, errored, invalidMessage, patched } from '../../../src/webhooks/responses.ts';

const target = { group: 'cosmos.strange.love', kind: 'CosmosFullNode', name: 'x' };

/** What kubectl prints for a 422 Invalid status (kubectl pkg/cmd/util/helpers.go, checkErr). */
function kubectlError(
  status: { reason?: string; details?: { kind: string; name: string; causes: { field: string; message: string }[] } },
) {
  assert.equal(status.reason, 'Invalid');
  const d = status.details!;
  return [`The ${d.kind} "${d.name}" is invalid: `, ...d.causes.map((c) => `* ${c.field}: ${c.message}`)].join('\n');
}

describe('allowed', () => {
  it('allows with no status, and with warnings when given', () => {
    assert.deepEqual(allowed(), { allowed: true });
    assert.deepEqual(allowed(['spec.foo is deprecated']), { allowed: true, warnings: ['spec.foo is deprecated'] });
  });

  it('leaves out an empty warnings list', () => {
    assert.deepEqual(allowed([]), { allowed: true });
  });
});

describe('patched', () => {
  it('carries the operations as base64 JSON with patchType JSONPatch', () => {
    const ops = [{ op: 'add' as const, path: '/spec/replicas', value: 1 }];
    const response = patched(ops);
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch!, 'base64').toString()), ops);
  });

  it('sends no patch at all when nothing changes', () => {
    assert.deepEqual(patched([]), { allowed: true });
  });
});

describe('denied', () => {
  const causes = [
    { type: 'FieldValueRequired', field: 'spec.a', message: 'Required value' },
    { type: 'FieldValueInvalid', field: 'spec.b', message: 'Invalid value: -1: must be >= 0' },
  ];

  it('is a 422 Invalid failure with one cause per field', () => {
    const { allowed: ok, status } = denied(causes, target);
    assert.equal(ok, false);
    assert.deepEqual(status, {
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message:
        'CosmosFullNode.cosmos.strange.love "x" is invalid: [spec.a: Required value, spec.b: Invalid value: -1: must be >= 0]',
      details: { group: 'cosmos.strange.love', kind: 'CosmosFullNode', name: 'x', causes },
    });
  });

  it('reads in kubectl as the object being invalid, then one line per field', () => {
    assert.equal(
      kubectlError(denied(causes, target).status!),
      'The CosmosFullNode "x" is invalid: \n* spec.a: Required value\n* spec.b: Invalid value: -1: must be >= 0',
    );
  });

  it('keeps warnings beside the denial', () => {
    assert.deepEqual(denied(causes, target, ['w']).warnings, ['w']);
  });
});

describe('invalidMessage', () => {
  it('has no brackets for a single error, as field.ErrorList.ToAggregate', () => {
    assert.equal(
      invalidMessage([{ type: 'FieldValueRequired', field: 'spec.chain.chainID', message: 'Required value' }], target),
      'CosmosFullNode.cosmos.strange.love "x" is invalid: spec.chain.chainID: Required value',
    );
  });

  it('drops duplicate errors', () => {
    const c = { type: 'FieldValueRequired', field: 'spec.a', message: 'Required value' };
    assert.equal(
      invalidMessage([c, c], target),
      'CosmosFullNode.cosmos.strange.love "x" is invalid: spec.a: Required value',
    );
  });

  it('quotes an empty name (generateName) as ""', () => {
    assert.equal(invalidMessage([], { ...target, name: '' }), 'CosmosFullNode.cosmos.strange.love "" is invalid');
  });
});

describe('errored', () => {
  it('refuses with the code, its reason and the message', () => {
    assert.deepEqual(errored(500, 'boom'), {
      allowed: false,
      status: { status: 'Failure', code: 500, reason: 'InternalError', message: 'boom' },
    });
  });

  it('leaves the reason out for a code without a standard one', () => {
    assert.deepEqual(errored(418, 'teapot').status, { status: 'Failure', code: 418, message: 'teapot' });
  });
});
