import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneJson } from '../../../src/api/json-clone.ts';

describe('cloneJson', () => {
  it('copies deeply, so changing the copy leaves the original alone', () => {
    const original = { a: [1, { b: 'c' }], d: null, e: { f: true } };
    const copy = cloneJson(original);
    assert.deepEqual(copy, original);
    (copy.a[1] as { b: string }).b = 'changed';
    copy.e.f = false;
    assert.deepEqual(original, { a: [1, { b: 'c' }], d: null, e: { f: true } });
  });

  it('keeps a "__proto__" key as an own data property', () => {
    const copy = cloneJson(JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>);
    assert.ok(Object.hasOwn(copy, '__proto__'));
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('leaves out undefined properties and turns undefined array elements into null, as JSON does', () => {
    const value = { a: undefined, b: [1, undefined], c: { d: undefined, e: 0 } };
    const copy = cloneJson(value);
    assert.deepEqual(copy, JSON.parse(JSON.stringify(value)));
    assert.ok(!Object.hasOwn(copy, 'a'));
  });
});
