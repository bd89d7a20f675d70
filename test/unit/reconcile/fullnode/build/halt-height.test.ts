import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haltHeightFor } from '../../../../../src/reconcile/fullnode/build/halt-height.ts';

describe('haltHeightFor', () => {
  const upgrade = [
    { height: 0, image: 'v1' },
    { height: 100, image: 'v2', setHaltHeight: true },
  ];

  it('halts below an upgrade that sets a halt height at that height', () => {
    assert.equal(haltHeightFor(upgrade, 50), 100);
    assert.equal(haltHeightFor(upgrade, 0), 100);
  });

  it('clears the halt height once the node is at the last version', () => {
    assert.equal(haltHeightFor(upgrade, 100), 0);
    assert.equal(haltHeightFor(upgrade, 1_000), 0);
  });

  it('writes 0 when the next version does not ask for a halt', () => {
    assert.equal(haltHeightFor([{ height: 0 }, { height: 100 }], 50), 0);
  });

  it('halts at the next halting version, not a later one', () => {
    const versions = [{ height: 0 }, { height: 100, setHaltHeight: true }, { height: 200, setHaltHeight: true }, {
      height: 300,
    }];
    assert.equal(haltHeightFor(versions, 99), 100);
    assert.equal(haltHeightFor(versions, 100), 200);
    assert.equal(haltHeightFor(versions, 250), 0);
    assert.equal(haltHeightFor(versions, 300), 0);
  });

  it("uses the first version's own halt height while the node is below it", () => {
    assert.equal(haltHeightFor([{ height: 10, setHaltHeight: true }, { height: 20 }], 5), 10);
  });

  it('is 0 without versions', () => {
    assert.equal(haltHeightFor([], 42), 0);
  });
});
