import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type AdmissionRequest, decodeAdmissionReview } from '../../../src/webhooks/admission-review.ts';
import { decideValidation } from '../../../src/webhooks/admit.ts';
import { fieldPathSegments, valueAt } from '../../../src/webhooks/ratchet.ts';
import { COSMOS_FULL_NODE } from '../../../src/api/kinds.ts';
import { aFullNode as aValidFullNode, withValue } from '../../fixtures/api/objects.ts';
import { aFullNode, aReview, type ReviewOptions, stubFullNodeHandlers } from '../../fixtures/webhooks/admission.ts';

function request(options: ReviewOptions): AdmissionRequest {
  const decoded = decodeAdmissionReview('application/json', JSON.stringify(aReview(options)));
  assert.ok(decoded.ok);
  return decoded.review.request;
}

const handlers = stubFullNodeHandlers();

describe('validation ratcheting on UPDATE', () => {
  it('allows a label edit of a stored object that already breaks a rule, with a warning naming the field', () => {
    const stored = aFullNode({ replicas: -1 });
    const edited = aFullNode({ replicas: -1 }, { labels: { team: 'infra' } });
    const d = decideValidation(handlers, request({ operation: 'UPDATE', object: edited, oldObject: stored }));
    assert.equal(d.response.allowed, true);
    assert.deepEqual(d.response.warnings, [
      'spec.replicas: Invalid value: -1: must be >= 0 (allowed because the stored object already has this value; it will be refused once the field changes)',
    ]);
  });

  it('refuses an update that changes the bad field to another bad value', () => {
    const d = decideValidation(
      handlers,
      request({ operation: 'UPDATE', object: aFullNode({ replicas: -2 }), oldObject: aFullNode({ replicas: -1 }) }),
    );
    assert.equal(d.response.allowed, false);
    assert.equal(d.response.status?.details?.causes?.[0]?.field, 'spec.replicas');
  });

  it('refuses an update that newly breaks a rule the stored object met', () => {
    const d = decideValidation(
      handlers,
      request({ operation: 'UPDATE', object: aFullNode({}), oldObject: aFullNode({ replicas: 1 }) }),
    );
    assert.equal(d.response.allowed, false);
  });

  it('tolerates nothing on CREATE', () => {
    const d = decideValidation(handlers, request({ operation: 'CREATE', object: aFullNode({ replicas: -1 }) }));
    assert.equal(d.response.allowed, false);
  });
});

describe('ratcheting a rule added after the Go operator stored objects: negative maxUnavailable', () => {
  const real = {
    ...COSMOS_FULL_NODE,
    validate: (obj: unknown, old: unknown) => COSMOS_FULL_NODE.validate(obj, old),
    default: (obj: unknown) => COSMOS_FULL_NODE.default(obj),
  };
  const stored = aValidFullNode('osmosis', withValue('spec.strategy.maxUnavailable', -1));

  it('lets a stored object with maxUnavailable -1 be scaled, with a warning', () => {
    const scaled = aValidFullNode(
      'osmosis',
      withValue('spec.strategy.maxUnavailable', -1),
      withValue('spec.replicas', 5),
    );
    const d = decideValidation(real, request({ operation: 'UPDATE', object: scaled, oldObject: stored }));
    assert.equal(d.response.allowed, true);
    assert.deepEqual(d.response.warnings, [
      'spec.strategy.maxUnavailable: Invalid value: -1: must be greater than or equal to 0 (allowed because the stored object already has this value; it will be refused once the field changes)',
    ]);
  });

  it('refuses changing it to another negative value', () => {
    const changed = aValidFullNode('osmosis', withValue('spec.strategy.maxUnavailable', -2));
    const d = decideValidation(real, request({ operation: 'UPDATE', object: changed, oldObject: stored }));
    assert.equal(d.response.allowed, false);
    assert.equal(d.response.status?.details?.causes?.[0]?.field, 'spec.strategy.maxUnavailable');
  });

  it('refuses it on CREATE', () => {
    const d = decideValidation(real, request({ operation: 'CREATE', object: stored }));
    assert.equal(d.response.allowed, false);
  });
});

describe('valueAt', () => {
  const obj = { spec: { peers: ['a', 'b'], instanceOverrides: { 'node-0': { disable: 'Pod' } } } };
  it('reads map keys in brackets and list indices', () => {
    assert.equal(valueAt(obj, 'spec.instanceOverrides[node-0].disable'), 'Pod');
    assert.equal(valueAt(obj, 'spec.peers[1]'), 'b');
  });
  it('tells a missing step from a present undefined-free value', () => {
    assert.equal(typeof valueAt(obj, 'spec.peers[2]'), 'symbol');
    assert.equal(typeof valueAt(obj, 'spec.nothing.here'), 'symbol');
  });
  it('splits dotted and bracketed segments, keeping dots inside brackets', () => {
    assert.deepEqual(fieldPathSegments('metadata.labels[app.kubernetes.io/name]'), [
      'metadata',
      'labels',
      'app.kubernetes.io/name',
    ]);
  });
});
