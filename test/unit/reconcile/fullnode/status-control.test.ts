import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergePatchBetween } from '../../../../src/reconcile/fullnode/status-control.ts';

describe('mergePatchBetween', () => {
  it('sends only the top-level fields that changed', () => {
    assert.deepEqual(mergePatchBetween({ phase: 'Progressing', observedGeneration: 1 }, { phase: 'Complete', observedGeneration: 1 }), { phase: 'Complete' });
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
    assert.deepEqual(mergePatchBetween(prev, next), { sync: { a: { timestamp: 't1', inSync: true, height: 5, error: null } } });
  });

  it('merges selfHealing.pvcAutoScaler key by key', () => {
    const entry = { requestedSize: '10Gi', requestedAt: 't' };
    assert.deepEqual(mergePatchBetween({ selfHealing: { pvcAutoScaler: { p0: entry, p1: entry } } }, { selfHealing: { pvcAutoScaler: { p1: entry } } }), {
      selfHealing: { pvcAutoScaler: { p0: null } },
    });
  });

  it('replaces arrays whole', () => {
    assert.deepEqual(mergePatchBetween({ peers: ['a', 'b'] }, { peers: ['a', 'c'] }), { peers: ['a', 'c'] });
  });
});
