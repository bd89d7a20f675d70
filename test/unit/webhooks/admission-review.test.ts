import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeAdmissionReview,
  type DecodeResult,
  encodeAdmissionReview,
  encodeDecodeFailure,
  MAX_NESTING_DEPTH,
  MAX_REQUEST_BYTES,
  readAdmissionReview,
} from '../../../src/webhooks/admission-review.ts';
import { aReview } from '../../fixtures/webhooks/admission.ts';

const JSON_TYPE = 'application/json';

function failure(result: DecodeResult) {
  assert.equal(result.ok, false, 'expected a decode failure');
  return (result as Extract<DecodeResult, { ok: false }>).failure;
}

function review(result: DecodeResult) {
  assert.equal(result.ok, true, result.ok ? '' : (result as Extract<DecodeResult, { ok: false }>).failure.message);
  return (result as Extract<DecodeResult, { ok: true }>).review;
}

describe('decodeAdmissionReview', () => {
  it('decodes a CREATE request with its object untouched', () => {
    const body = aReview({ object: { metadata: { name: 'x' }, spec: { unknownField: [1, 2] } } });
    const { request } = review(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body)));
    assert.equal(request.uid, body.request.uid);
    assert.equal(request.operation, 'CREATE');
    assert.deepEqual(request.kind, { group: 'cosmos.strange.love', version: 'v1', kind: 'CosmosFullNode' });
    assert.deepEqual(request.object, { metadata: { name: 'x' }, spec: { unknownField: [1, 2] } });
    assert.equal(request.oldObject, undefined);
    assert.equal(request.dryRun, false);
  });

  it('reads dryRun', () => {
    assert.equal(
      review(decodeAdmissionReview(JSON_TYPE, JSON.stringify(aReview({ dryRun: true })))).request.dryRun,
      true,
    );
  });

  it('accepts a charset parameter on the content type', () => {
    assert.ok(decodeAdmissionReview('application/json; charset=utf-8', JSON.stringify(aReview())).ok);
  });

  it('accepts a DELETE without an object', () => {
    const { request } = review(
      decodeAdmissionReview(JSON_TYPE, JSON.stringify(aReview({ operation: 'DELETE', object: null }))),
    );
    assert.equal(request.object, undefined);
  });

  it('turns an empty name (generateName) into ""', () => {
    const body = aReview();
    delete (body.request as { name?: string }).name;
    assert.equal(review(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body))).request.name, '');
  });

  it('rejects a content type other than application/json with 400', () => {
    const f = failure(decodeAdmissionReview('text/plain', JSON.stringify(aReview())));
    assert.equal(f.httpStatus, 400);
    assert.equal(f.message, 'contentType=text/plain, expected application/json');
  });

  it('rejects a missing content type with 400', () => {
    assert.match(failure(decodeAdmissionReview(null, '{}')).message, /contentType=\(none\)/);
  });

  it('rejects a body that is not JSON with 400 and the parser message', () => {
    const f = failure(decodeAdmissionReview(JSON_TYPE, '{"apiVersion":'));
    assert.equal(f.httpStatus, 400);
    assert.match(f.message, /^request body is not JSON: /);
  });

  it('rejects bytes that are not UTF-8', () => {
    assert.match(failure(decodeAdmissionReview(JSON_TYPE, Uint8Array.of(0x7b, 0xff, 0x7d))).message, /not JSON/);
  });

  it('rejects an empty body', () => {
    assert.equal(failure(decodeAdmissionReview(JSON_TYPE, '')).message, 'request body is empty');
  });

  it('rejects a body over 7 MiB with 413', () => {
    const f = failure(decodeAdmissionReview(JSON_TYPE, new Uint8Array(MAX_REQUEST_BYTES + 1)));
    assert.equal(f.httpStatus, 413);
    assert.match(f.message, /too large; limit is 7340032 bytes/);
  });

  it('rejects a body nested deeper than MAX_NESTING_DEPTH with 400, before any recursive walk', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":${deep}}`;
    const refused = failure(decodeAdmissionReview(JSON_TYPE, body));
    assert.equal(refused.httpStatus, 400);
    assert.match(refused.message, new RegExp(`more than ${MAX_NESTING_DEPTH} levels deep`));
  });

  it('accepts nesting up to MAX_NESTING_DEPTH, and brackets inside strings do not count', () => {
    const object = {
      spec: { deep: JSON.parse('['.repeat(MAX_NESTING_DEPTH - 4) + ']'.repeat(MAX_NESTING_DEPTH - 4)) },
    };
    const body = aReview({ object });
    assert.ok(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body)).ok);
    const bracey = aReview({ object: { spec: { text: '[{'.repeat(10_000) + '\\"' } } });
    assert.ok(decodeAdmissionReview(JSON_TYPE, JSON.stringify(bracey)).ok);
  });

  it('rejects JSON that is not an object', () => {
    assert.match(failure(decodeAdmissionReview(JSON_TYPE, '[]')).message, /must be a JSON object/);
  });

  it('rejects another apiVersion, naming the one it got', () => {
    const body = { ...aReview(), apiVersion: 'admission.k8s.io/v1beta1' };
    assert.equal(
      failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body))).message,
      'apiVersion must be admission.k8s.io/v1, got "admission.k8s.io/v1beta1"',
    );
  });

  it('rejects another kind', () => {
    const body = { ...aReview(), kind: 'ConversionReview' };
    assert.match(
      failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body))).message,
      /kind must be AdmissionReview/,
    );
  });

  it('rejects a review without a request', () => {
    const body = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' };
    assert.equal(failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body))).message, 'request must be an object');
  });

  it('rejects a request without a uid', () => {
    const body = aReview();
    delete (body.request as { uid?: string }).uid;
    assert.equal(
      failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body))).message,
      'request.uid must be a non-empty string',
    );
  });

  it('rejects an unknown operation, keeping the uid for the answer', () => {
    const body = aReview();
    (body.request as { operation: string }).operation = 'PATCH';
    const f = failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body)));
    assert.match(f.message, /request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got "PATCH"/);
    assert.equal(f.uid, body.request.uid);
  });

  it('rejects a CREATE or UPDATE without an object', () => {
    for (const operation of ['CREATE', 'UPDATE'] as const) {
      const f = failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(aReview({ operation, object: undefined }))));
      assert.equal(f.message, `request.object must be an object on ${operation}`);
    }
  });

  it('rejects a request without a kind', () => {
    const body = aReview();
    delete (body.request as { kind?: unknown }).kind;
    assert.match(failure(decodeAdmissionReview(JSON_TYPE, JSON.stringify(body))).message, /request\.kind/);
  });
});

describe('readAdmissionReview', () => {
  const post = (body: string, headers: Record<string, string>) =>
    new Request('https://webhook.test/validate', { method: 'POST', body, headers });

  it('reads a request with a Content-Length', async () => {
    const text = JSON.stringify(aReview());
    const result = await readAdmissionReview(
      post(text, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(text)) }),
    );
    assert.ok(result.ok);
  });

  it('rejects a declared Content-Length over 7 MiB before reading the body', async () => {
    const f = failure(
      await readAdmissionReview(
        post('{}', { 'content-type': JSON_TYPE, 'content-length': String(MAX_REQUEST_BYTES + 1) }),
      ),
    );
    assert.equal(f.httpStatus, 413);
  });

  it('cuts off a streamed body that grows past 7 MiB', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request('https://webhook.test/validate', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': JSON_TYPE },
      duplex: 'half',
    } as RequestInit);
    assert.equal(failure(await readAdmissionReview(request)).httpStatus, 413);
  });

  it('checks the content type before reading', async () => {
    assert.match(
      failure(await readAdmissionReview(post('{}', { 'content-type': 'application/yaml' }))).message,
      /expected application\/json/,
    );
  });
});

describe('encodeAdmissionReview', () => {
  it('echoes the uid, apiVersion and kind of the request', () => {
    const decoded = review(decodeAdmissionReview(JSON_TYPE, JSON.stringify(aReview({ uid: 'abc-123' }))));
    assert.deepEqual(encodeAdmissionReview(decoded, { allowed: true }), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'abc-123', allowed: true },
    });
  });
});

describe('encodeDecodeFailure', () => {
  it('answers not allowed with the code and reason', () => {
    assert.deepEqual(
      encodeDecodeFailure({ httpStatus: 400, message: 'request.uid must be a non-empty string' }).response,
      {
        uid: '',
        allowed: false,
        status: {
          status: 'Failure',
          code: 400,
          reason: 'BadRequest',
          message: 'request.uid must be a non-empty string',
        },
      },
    );
  });
});
