import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ApiErrorClass,
  type ApiOperation,
  classifyApiError,
  describeApiError,
  KubeApiError,
  statusCodeOf,
} from '../../../src/kube/api-errors.ts';

const apiException = (code: number, reason = 'Whatever', message = 'it failed') =>
  new KubeApiError(code, 'Unsuccessful HTTP Request', { kind: 'Status', code, reason, message }, {
    'content-type': 'application/json',
  });

const watchFailure = (statusCode: number) => Object.assign(new Error('Gone'), { statusCode });
const fetchFailed = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
const timeout = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

const table: Array<[string, unknown, ApiOperation, ApiErrorClass]> = [
  ['409 Conflict on a write', apiException(409, 'Conflict'), 'write', 'transient'],
  ['429 TooManyRequests', apiException(429, 'TooManyRequests'), 'write', 'transient'],
  ['500 InternalError', apiException(500, 'InternalError'), 'write', 'transient'],
  ['503 ServiceUnavailable', apiException(503, 'ServiceUnavailable'), 'read', 'transient'],
  ['504 Timeout', apiException(504, 'Timeout'), 'write', 'transient'],
  [
    '403 Forbidden (RBAC can be fixed without touching the object)',
    apiException(403, 'Forbidden'),
    'write',
    'transient',
  ],
  ['401 Unauthorized (a token being rotated)', apiException(401, 'Unauthorized'), 'read', 'transient'],
  ['400 BadRequest', apiException(400, 'BadRequest'), 'write', 'permanent'],
  ['422 Invalid', apiException(422, 'Invalid'), 'write', 'permanent'],
  ['415 UnsupportedMediaType (a strategic merge patch on a custom resource)', apiException(415), 'write', 'permanent'],
  ['404 on a read', apiException(404, 'NotFound'), 'read', 'gone'],
  ['404 on a write (the object vanished under us)', apiException(404, 'NotFound'), 'write', 'transient'],
  [
    'a server-side apply whose field types do not fit the schema (kube-apiserver answers 500)',
    apiException(
      500,
      '',
      'failed to create typed patch object (ns/x; g/v1, Kind=W): .spec.size: expected numeric (int or float), got string',
    ),
    'write',
    'permanent',
  ],
  ['410 from a watch', watchFailure(410), 'read', 'transient'],
  ['a Status object with a code', { kind: 'Status', code: 422 }, 'write', 'permanent'],
  ['ECONNREFUSED', fetchFailed('ECONNREFUSED'), 'read', 'transient'],
  ['ECONNRESET', fetchFailed('ECONNRESET'), 'write', 'transient'],
  ['a Node system error with a string code', Object.assign(new Error('x'), { code: 'EPIPE' }), 'write', 'transient'],
  ['a timeout', timeout(), 'read', 'transient'],
  ['an abort', new DOMException('This operation was aborted', 'AbortError'), 'read', 'transient'],
  ['a plain Error', new Error('boom'), 'write', 'transient'],
  ['a thrown string', 'boom', 'write', 'transient'],
  ['undefined', undefined, 'read', 'transient'],
];

describe('classifyApiError', () => {
  for (const [what, err, op, expected] of table) {
    it(`classifies ${what} as ${expected}`, () => {
      assert.equal(classifyApiError(err, op), expected);
    });
  }

  it('treats a 404 as a write failure when no operation is named', () => {
    assert.equal(classifyApiError(apiException(404)), 'transient');
  });
});

describe('statusCodeOf', () => {
  it('ignores string error codes such as ECONNREFUSED', () => {
    assert.equal(statusCodeOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), undefined);
  });
});

describe('describeApiError', () => {
  it('gives code, reason and the Status message, without headers', () => {
    const text = describeApiError(apiException(422, 'Invalid', 'ConfigMap "x" is invalid'));
    assert.equal(text, '422 Invalid: ConfigMap "x" is invalid');
  });

  it('reads a Status body that arrived as a string', () => {
    const err = new KubeApiError(409, 'm', JSON.stringify({ reason: 'Conflict', message: 'modified' }), {});
    assert.equal(describeApiError(err), '409 Conflict: modified');
  });

  it('names the socket error behind undici’s "fetch failed"', () => {
    assert.equal(describeApiError(fetchFailed('ECONNREFUSED')), 'fetch failed (ECONNREFUSED)');
  });

  it('names a timeout', () => {
    assert.match(describeApiError(timeout()), /^TimeoutError: /);
  });
});
