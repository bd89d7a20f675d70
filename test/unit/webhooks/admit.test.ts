import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type AdmissionRequest, decodeAdmissionReview } from '../../../src/webhooks/admission-review.ts';
import { decideDefaulting, decideValidation, isExemptUpdate } from '../../../src/webhooks/admit.ts';
import { aFullNode, aReview, type ReviewOptions, stubFullNodeHandlers } from '../../fixtures/webhooks/admission.ts';

function request(options: ReviewOptions = {}): AdmissionRequest {
  const decoded = decodeAdmissionReview('application/json', JSON.stringify(aReview(options)));
  assert.ok(decoded.ok);
  return decoded.review.request;
}

function decodePatch(patch: string | undefined): unknown {
  return JSON.parse(Buffer.from(patch ?? '', 'base64').toString());
}

describe('decideValidation', () => {
  const handlers = stubFullNodeHandlers();

  it('allows a valid object', () => {
    const d = decideValidation(handlers, request({ object: aFullNode({ replicas: 3 }) }));
    assert.equal(d.outcome, 'allowed');
    assert.deepEqual(d.response, { allowed: true });
  });

  it('denies an invalid object with 422 Invalid, naming the object and the field', () => {
    const d = decideValidation(handlers, request({ object: aFullNode({ replicas: -1 }) }));
    assert.equal(d.outcome, 'denied');
    assert.equal(d.response.status?.code, 422);
    assert.equal(
      d.response.status?.message,
      'CosmosFullNode.cosmos.strange.love "osmosis" is invalid: spec.replicas: Invalid value: -1: must be >= 0',
    );
    assert.deepEqual(d.response.status?.details?.causes.map((c) => c.field), ['spec.replicas']);
  });

  it('answers a dryRun request exactly as the same request without dryRun', () => {
    const object = aFullNode({ replicas: -1 });
    assert.deepEqual(
      decideValidation(handlers, request({ object, dryRun: true })),
      decideValidation(handlers, request({ object, dryRun: false })),
    );
  });

  it('takes the name from the object when the request has none (generateName)', () => {
    const d = decideValidation(
      handlers,
      request({ name: '', object: aFullNode({ replicas: -1 }, { name: 'gen-abc12' }) }),
    );
    assert.equal(d.response.status?.details?.name, 'gen-abc12');
  });

  it('passes the old object and the operation to the handler on UPDATE', () => {
    let seen: unknown[] = [];
    const spy = stubFullNodeHandlers({
      validate: (obj, old, op) => {
        seen = [obj, old, op];
        return { causes: [], warnings: ['spec.x is deprecated'] };
      },
    });
    const old = aFullNode({ replicas: 1 });
    const d = decideValidation(
      spy,
      request({ operation: 'UPDATE', object: aFullNode({ replicas: 2 }), oldObject: old }),
    );
    assert.deepEqual(seen, [aFullNode({ replicas: 2 }), old, 'UPDATE']);
    assert.deepEqual(d.response, { allowed: true, warnings: ['spec.x is deprecated'] });
  });

  it('allows DELETE and CONNECT without asking the handler', () => {
    const never = stubFullNodeHandlers({ validate: () => assert.fail('validate called') });
    assert.deepEqual(decideValidation(never, request({ operation: 'DELETE', oldObject: aFullNode() })).response, {
      allowed: true,
    });
    assert.deepEqual(decideValidation(never, request({ operation: 'CONNECT', object: null })).response, {
      allowed: true,
    });
  });

  it('never blocks an update that only removes a finalizer, even of an invalid object', () => {
    const never = stubFullNodeHandlers({ validate: () => assert.fail('validate called') });
    const old = aFullNode({ replicas: -1 }, { finalizers: ['cosmos.strange.love/finalizer'], resourceVersion: '7' });
    const updated = aFullNode({ replicas: -1 }, {
      finalizers: [],
      resourceVersion: '7',
      managedFields: [{ manager: 'op' }],
    });
    assert.equal(
      decideValidation(never, request({ operation: 'UPDATE', object: updated, oldObject: old })).outcome,
      'skipped',
    );
  });

  it('never blocks an update of an object that is being deleted', () => {
    const never = stubFullNodeHandlers({ validate: () => assert.fail('validate called') });
    const deleting = aFullNode({ replicas: -5 }, { deletionTimestamp: '2026-01-01T00:00:00Z' });
    const d = decideValidation(
      never,
      request({ operation: 'UPDATE', object: deleting, oldObject: aFullNode({ replicas: 1 }) }),
    );
    assert.deepEqual(d.response, { allowed: true });
  });

  it('refuses with 400 a kind this webhook does not serve', () => {
    const d = decideValidation(handlers, request({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }));
    assert.equal(d.response.allowed, false);
    assert.equal(d.response.status?.code, 400);
    assert.match(d.response.status!.message, /serves cosmos\.strange\.love\/CosmosFullNode, not apps\/Deployment/);
  });

  it('turns a throwing handler into not allowed with code 500, keeping the error', () => {
    const broken = stubFullNodeHandlers({
      validate: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'chainID')");
      },
    });
    const d = decideValidation(broken, request());
    assert.equal(d.outcome, 'errored');
    assert.ok(d.error instanceof TypeError);
    assert.deepEqual(d.response, {
      allowed: false,
      status: {
        status: 'Failure',
        code: 500,
        reason: 'InternalError',
        message:
          `validating CosmosFullNode "chains/osmosis" failed: Cannot read properties of undefined (reading 'chainID')`,
      },
    });
  });

  it('treats a malformed handler result as a handler error', () => {
    const broken = stubFullNodeHandlers({ validate: () => undefined as never });
    assert.equal(decideValidation(broken, request()).response.status?.code, 500);
  });

  it('copes with a handler that throws something other than an Error', () => {
    const broken = stubFullNodeHandlers({
      validate: () => {
        throw 'plain string';
      },
    });
    assert.match(decideValidation(broken, request()).response.status!.message, /failed: plain string$/);
  });
});

describe('decideDefaulting', () => {
  const handlers = stubFullNodeHandlers();

  it('patches the raw object to the defaulted one', () => {
    const object = { ...aFullNode({}), status: { fieldThisOperatorDoesNotModel: true } };
    const d = decideDefaulting(handlers, request({ object }));
    assert.equal(d.outcome, 'patched');
    assert.equal(d.response.patchType, 'JSONPatch');
    assert.deepEqual(decodePatch(d.response.patch), [
      { op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'cosmosfullnode' } },
      { op: 'add', path: '/spec/replicas', value: 1 },
    ]);
  });

  it('sends no patch when the object already has its defaults', () => {
    const object = aFullNode({ replicas: 2 }, { labels: { 'app.kubernetes.io/name': 'cosmosfullnode' } });
    assert.deepEqual(decideDefaulting(handlers, request({ object })).response, { allowed: true });
  });

  it('gives the handler a copy, so a handler mutating its input cannot hide changes', () => {
    const req = request({ object: aFullNode({}) });
    const before = structuredClone(req.object);
    decideDefaulting(handlers, req);
    assert.deepEqual(req.object, before);
  });

  it('allows DELETE without defaulting', () => {
    const never = stubFullNodeHandlers({ default: () => assert.fail('default called') });
    assert.deepEqual(decideDefaulting(never, request({ operation: 'DELETE', oldObject: aFullNode() })).response, {
      allowed: true,
    });
  });

  it('turns a throwing handler into not allowed with code 500', () => {
    const broken = stubFullNodeHandlers({
      default: () => {
        throw new Error('boom');
      },
    });
    const d = decideDefaulting(broken, request());
    assert.equal(d.response.allowed, false);
    assert.equal(d.response.status?.code, 500);
    assert.equal(d.response.status?.message, 'defaulting CosmosFullNode "chains/osmosis" failed: boom');
  });

  it('treats a handler returning a non-object as a handler error', () => {
    assert.equal(decideDefaulting(stubFullNodeHandlers({ default: () => null }), request()).response.status?.code, 500);
  });
});

describe('isExemptUpdate', () => {
  it('is false for a spec change', () => {
    assert.equal(
      isExemptUpdate(
        request({ operation: 'UPDATE', object: aFullNode({ replicas: 2 }), oldObject: aFullNode({ replicas: 1 }) }),
      ),
      false,
    );
  });

  it('is false for a label change, which the handler may care about', () => {
    const updated = aFullNode({ replicas: 1 }, { labels: { a: 'b' } });
    assert.equal(
      isExemptUpdate(request({ operation: 'UPDATE', object: updated, oldObject: aFullNode({ replicas: 1 }) })),
      false,
    );
  });

  it('is true when only finalizers changed', () => {
    const updated = aFullNode({ replicas: 1 }, { finalizers: ['x'] });
    assert.equal(
      isExemptUpdate(request({ operation: 'UPDATE', object: updated, oldObject: aFullNode({ replicas: 1 }) })),
      true,
    );
  });

  it('is false for a CREATE, even of an object with a deletionTimestamp', () => {
    assert.equal(
      isExemptUpdate(request({ object: aFullNode({}, { deletionTimestamp: '2026-01-01T00:00:00Z' }) })),
      false,
    );
  });
});
