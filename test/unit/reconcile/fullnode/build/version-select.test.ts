import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectVersion, selectVersionIndex } from '../../../../../src/reconcile/fullnode/build/version-select.ts';

describe('selectVersion', () => {
  const versions = [
    { height: 0, image: 'v1' },
    { height: 100, image: 'v2' },
    { height: 200, image: 'v3' },
  ];

  it('picks the last version at or below the height', () => {
    assert.equal(selectVersion(versions, 0)?.image, 'v1');
    assert.equal(selectVersion(versions, 99)?.image, 'v1');
    assert.equal(selectVersion(versions, 100)?.image, 'v2');
    assert.equal(selectVersion(versions, 10_000)?.image, 'v3');
  });

  it('stops at the first version above the height, as Go did, without sorting', () => {
    const unordered = [
      { height: 0, image: 'v1' },
      { height: 200, image: 'v3' },
      { height: 100, image: 'v2' },
    ];
    assert.equal(selectVersion(unordered, 150)?.image, 'v1');
  });

  it('picks none when every version is above the height, or there are none', () => {
    assert.equal(selectVersion([{ height: 5, image: 'v1' }], 4), undefined);
    assert.equal(selectVersion(undefined, 4), undefined);
    assert.equal(selectVersion([], 4), undefined);
  });
});

describe('selectVersionIndex', () => {
  it('is the position of the chosen version, -1 for none', () => {
    assert.equal(selectVersionIndex([{ height: 0 }, { height: 100 }], 150), 1);
    assert.equal(selectVersionIndex([{ height: 10 }], 0), -1);
  });
});
