import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareQuantities,
  formatQuantity,
  parseQuantity,
  type Quantity,
  quantityValue,
} from '../../../src/syntax/quantity.ts';

function parsed(text: string): Quantity {
  const result = parseQuantity(text);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.message}`);
  return result.quantity;
}

describe('parseQuantity', () => {
  const values: [string, bigint][] = [
    ['0', 0n],
    ['1', 1_000_000_000n],
    ['1.5', 1_500_000_000n],
    ['500m', 500_000_000n],
    ['1k', 1_000_000_000_000n],
    ['1Ki', 1_024_000_000_000n],
    ['100Gi', 100n * 1024n ** 3n * 1_000_000_000n],
    ['1e3', 1_000_000_000_000n],
    ['1E3', 1_000_000_000_000n],
    ['1e-3', 1_000_000n],
    ['+2', 2_000_000_000n],
    ['-1Gi', -(1024n ** 3n) * 1_000_000_000n],
    ['.5', 500_000_000n],
    ['1.', 1_000_000_000n],
    ['1n', 1n],
  ];
  for (const [text, nanos] of values) {
    it(`reads ${JSON.stringify(text)} as ${nanos} nano-units`, () => {
      assert.equal(parsed(text).nanos, nanos);
    });
  }

  it('rounds values finer than a nano-unit up, away from zero, as Go does', () => {
    assert.equal(parsed('0.1n').nanos, 1n);
    assert.equal(parsed('-0.1n').nanos, -1n);
  });

  it('reads a bare suffix such as "Gi" as zero, as Go\'s ParseQuantity does', () => {
    assert.equal(parsed('Gi').nanos, 0n);
  });

  it('caps binary-SI values at 2^63-1 units', () => {
    assert.equal(quantityValue(parsed('100000000Ei')), 2n ** 63n - 1n);
  });

  for (const text of ['', ' ', '1 ', 'abc', '1K', '1ki', '10%', '1.5.5', '1e', '1e1.5', '1Gi1']) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseQuantity(text).ok, false);
    });
  }

  it('names the allowed form in its message', () => {
    const result = parseQuantity('ten');
    assert.ok(!result.ok);
    assert.match(result.message, /regular expression/);
  });

  it('never throws, whatever the text', () => {
    for (const text of ['1e99999999999999999999', '1e2147483648', '9'.repeat(5000), '-', '+', '.', '1e-999999999']) {
      assert.doesNotThrow(() => parseQuantity(text));
    }
  });
});

describe('compareQuantities', () => {
  it('compares by value across formats', () => {
    assert.equal(compareQuantities(parsed('1Ki'), parsed('1024')), 0);
    assert.equal(compareQuantities(parsed('1G'), parsed('1Gi')), -1);
    assert.equal(compareQuantities(parsed('2Ti'), parsed('2000Gi')), 1);
  });
});

describe('formatQuantity', () => {
  const canonical: [string, string][] = [
    ['1.5Gi', '1536Mi'],
    ['1.5', '1500m'],
    ['100Gi', '100Gi'],
    ['2048Ki', '2Mi'],
    ['1000', '1k'],
    ['1e3', '1e3'],
    ['0.1m', '100u'],
    ['0', '0'],
    ['512', '512'],
    ['1.5Ki', '1536'],
  ];
  for (const [text, expected] of canonical) {
    it(`prints ${JSON.stringify(text)} in canonical form as ${JSON.stringify(expected)}`, () => {
      assert.equal(formatQuantity(parsed(text)), expected);
    });
  }
});
