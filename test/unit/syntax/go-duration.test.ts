import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, parseGoDuration } from '../../../src/syntax/go-duration.ts';

const S = 1_000_000_000n;

describe('parseGoDuration', () => {
  const valid: [string, bigint][] = [
    ['0', 0n],
    ['24h', 24n * 3600n * S],
    ['1h30m', 5400n * S],
    ['1.5h', 5400n * S],
    ['.5s', S / 2n],
    ['1.s', S],
    ['-2m', -120n * S],
    ['+3s', 3n * S],
    ['100ms', 100_000_000n],
    ['7us', 7000n],
    ['7\u00b5s', 7000n],
    ['7\u03bcs', 7000n],
    ['9ns', 9n],
    ['1h1m1s1ms', 3661_001_000_000n],
    ['-9223372036854775808ns', -(2n ** 63n)],
  ];
  for (const [text, nanoseconds] of valid) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseGoDuration(text), { ok: true, nanoseconds });
    });
  }

  const invalid: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['h', 'time: invalid duration "h"'],
    ['.h', 'time: invalid duration ".h"'],
    ['1h ', 'time: unknown unit "h " in duration "1h "'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [text, message] of invalid) {
    it(`rejects ${JSON.stringify(text)} with Go's message`, () => {
      assert.deepEqual(parseGoDuration(text), { ok: false, message });
    });
  }
});

describe('formatGoDuration', () => {
  it('prints as Go does', () => {
    assert.equal(formatGoDuration(24n * 3600n * S), '24h0m0s');
    assert.equal(formatGoDuration(90n * S), '1m30s');
    assert.equal(formatGoDuration(S + S / 2n), '1.5s');
    assert.equal(formatGoDuration(1500n), '1.5\u00b5s');
    assert.equal(formatGoDuration(0n), '0s');
    assert.equal(formatGoDuration(-5n * S), '-5s');
  });
});
