import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStringPool, freezeSharing } from '../../../src/kube/shared-strings.ts';

// Two copies of one string value, as JSON.parse makes them (a literal would be one interned copy).
const parsed = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const child = (name: string, uid: string) =>
  parsed({
    apiVersion: 'cosmos.strange.love/v1',
    metadata: {
      name,
      uid,
      labels: { 'app.kubernetes.io/created-by': 'cosmos-operator' },
      ownerReferences: [{ kind: 'CosmosFullNode', name: 'osmosis', uid: 'cr-uid' }],
    },
  });

describe('freezeSharing', () => {
  it('freezes the object deeply and keeps its content', () => {
    const obj = freezeSharing(child('a', 'u1'), createStringPool());
    assert.deepEqual(obj, child('a', 'u1'));
    assert.ok(
      Object.isFrozen(obj) && Object.isFrozen(obj.metadata.labels) && Object.isFrozen(obj.metadata.ownerReferences[0]),
    );
  });

  it('pools repeated values, not the ones unique to an object', () => {
    const pool = createStringPool();
    freezeSharing(child('a', 'u1'), pool);
    freezeSharing(child('b', 'u2'), pool);
    // apiVersion, the label value, the owner's kind, name and uid: once each, whatever the number of children.
    assert.equal(pool.size(), 5);
  });

  it('starts a fresh pool when full, so it stays bounded', () => {
    const pool = createStringPool(2);
    for (const s of ['a', 'b', 'c', 'd']) pool.share(s);
    assert.ok(pool.size() <= 2);
    assert.equal(pool.share('d'), 'd');
  });
});
