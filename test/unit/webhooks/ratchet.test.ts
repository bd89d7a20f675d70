import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type AdmissionRequest, decodeAdmissionReview } from '../../../src/webhooks/admission-review.ts';
import { decideValidation } from '../../../src/webhooks/admit.ts';
import { fieldPathSegments, valueAt } from '../../../src/webhooks/ratchet.ts';
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
