import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heightRefresh, mergePatchBetween } from '../../../../../src/reconcile/fullnode/control/status-control.ts';

describe('mergePatchBetween', () => {
  it('sends only the top-level fields that changed', () => {
    assert.deepEqual(
      mergePatchBetween({ phase: 'Progressing', observedGeneration: 1 }, { phase: 'Complete', observedGeneration: 1 }),
      { phase: 'Complete' },
    );
  });

  it('removes vanished fields with null', () => {
    assert.deepEqual(mergePatchBetween({ phase: 'Error', status: 'boom' }, { phase: 'Error' }), { status: null });
  });

  it('merges status maps key by key, removing gone pods with null', () => {
    const prev = { sync: { a: { timestamp: 't1', inSync: true }, b: { timestamp: 't1', inSync: true } } };
    const next = { sync: { a: { timestamp: 't1', inSync: true }, c: { timestamp: 't2' } } };
    assert.deepEqual(mergePatchBetween(prev, next), { sync: { b: null, c: { timestamp: 't2' } } });
  });

  it('sends a changed map entry whole, its required fields included, with null for members it lost', () => {
    const prev = { sync: { a: { timestamp: 't1', error: 'missing status' } } };
    const next = { sync: { a: { timestamp: 't1', inSync: true, height: 5 } } };
    assert.deepEqual(mergePatchBetween(prev, next), {
      sync: { a: { timestamp: 't1', inSync: true, height: 5, error: null } },
    });
  });

  it('merges selfHealing.pvcAutoScaler key by key', () => {
    const entry = { requestedSize: '10Gi', requestedAt: 't' };
    assert.deepEqual(
      mergePatchBetween({ selfHealing: { pvcAutoScaler: { p0: entry, p1: entry } } }, {
        selfHealing: { pvcAutoScaler: { p1: entry } },
      }),
      {
        selfHealing: { pvcAutoScaler: { p0: null } },
      },
    );
  });

  it('replaces arrays whole', () => {
    assert.deepEqual(mergePatchBetween({ peers: ['a', 'b'] }, { peers: ['a', 'c'] }), { peers: ['a', 'c'] });
  });
});

describe('heightRefresh', () => {
  it('makes a CosmosFullNode first seen due only a full interval later, then again an interval after each write', () => {
    let now = 1_000;
    const refresh = heightRefresh(60_000, () => now);
    assert.equal(refresh.due('ns/hub'), false, 'first sight');
    now += 59_999;
    assert.equal(refresh.due('ns/hub'), false);
    now += 1;
    assert.equal(refresh.due('ns/hub'), true);
    refresh.wrote('ns/hub');
    now += 30_000;
    assert.equal(refresh.due('ns/hub'), false, 'written 30 s ago');
    now += 30_000;
    assert.equal(refresh.due('ns/hub'), true);
  });

  it('keeps each CosmosFullNode apart, and starts over for one forgotten', () => {
    let now = 0;
    const refresh = heightRefresh(10, () => now);
    refresh.due('ns/a');
    now = 10;
    assert.equal(refresh.due('ns/b'), false);
    assert.equal(refresh.due('ns/a'), true);
    refresh.forget('ns/a');
    assert.equal(refresh.due('ns/a'), false);
  });
});
