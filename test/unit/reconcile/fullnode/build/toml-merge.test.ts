import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReconcileError } from '../../../../../src/kube/reconcile-result.ts';
import {
  mergeAllToml,
  mergeToml,
  parseToml,
  parseTomlOverride,
  stringifyToml,
} from '../../../../../src/reconcile/fullnode/build/toml-merge.ts';

const source = { field: 'spec.chain.config.overrides', what: 'invalid toml in comet overrides', object: 'default/hub' };

describe('mergeToml', () => {
  it('lets the overlay win for plain values', () => {
    assert.deepEqual({ ...mergeToml({ a: 1n, b: 'x' }, { b: 'y' }) }, { a: 1n, b: 'y' });
  });

  it('merges tables recursively', () => {
    const merged = mergeToml(
      parseToml('[p2p]\nladdr = "a"\nseeds = "s"\n[p2p.x]\ny = 1'),
      parseToml('[p2p]\nseeds = "t"\n[p2p.x]\nz = 2'),
    );
    assert.equal(
      stringifyToml(merged),
      stringifyToml(parseToml('[p2p]\nladdr = "a"\nseeds = "t"\n[p2p.x]\ny = 1\nz = 2')),
    );
  });

  it('replaces a table with a value and a value with a table, and arrays whole', () => {
    const merged = mergeToml({ a: { b: 1n }, c: 'x', d: [1n, 2n] }, { a: 'flat', c: { nested: true }, d: [3n] });
    assert.deepEqual(JSON.parse(JSON.stringify(merged, (_, v) => (typeof v === 'bigint' ? Number(v) : v))), {
      a: 'flat',
      c: { nested: true },
      d: [3],
    });
  });

  it('changes neither input', () => {
    const base = { p2p: { seeds: 'a' } };
    const overlay = { p2p: { seeds: 'b' } };
    mergeToml(base, overlay);
    assert.deepEqual(base, { p2p: { seeds: 'a' } });
    assert.deepEqual(overlay, { p2p: { seeds: 'b' } });
  });

  it('merges several overlays with the rightmost winning', () => {
    assert.equal(stringifyToml(mergeAllToml({ a: 1n }, { a: 2n, b: 1n }, { a: 3n })), 'a = 3\nb = 1\n');
  });

  it('keeps a "__proto__" key as an ordinary key', () => {
    const merged = mergeToml({}, parseToml('["__proto__"]\npolluted = true'));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.match(stringifyToml(merged), /\[__proto__\]\npolluted = true/);
  });
});

describe('stringifyToml', () => {
  it('sorts keys at every level, values before tables', () => {
    assert.equal(
      stringifyToml({ z: 1n, a: { y: 'y', b: 'b' }, m: true }),
      'm = true\nz = 1\n\n[a]\nb = "b"\ny = "y"\n',
    );
  });

  it('keeps floats floats and large integers exact through parse and stringify', () => {
    const text = stringifyToml(parseTomlOverride('timeout = 1.0\nratio = 0.5\nhalt = 18446744073709551615', source));
    assert.equal(text, 'halt = 18446744073709551615\nratio = 0.5\ntimeout = 1.0\n');
  });

  it('gives the same text for the same tree whatever the key order', () => {
    assert.equal(
      stringifyToml(parseToml('b = 1\na = 2\n[t]\ny = 1\nx = 2')),
      stringifyToml(parseToml('a = 2\nb = 1\n[t]\nx = 2\ny = 1')),
    );
  });
});

describe('parseTomlOverride', () => {
  it('throws a permanent error naming the field, the object and the position', () => {
    assert.throws(
      () => parseTomlOverride('[p2p\nseeds = 1', source),
      (error: unknown) =>
        isReconcileError(error) &&
        error.kind === 'permanent' &&
        error.field === 'spec.chain.config.overrides' &&
        error.object === 'default/hub' &&
        /^invalid toml in comet overrides/.test(error.message) &&
        /line 1/.test(error.message),
    );
  });
});
