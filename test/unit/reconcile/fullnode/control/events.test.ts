// How event messages name the objects of one action: one event per action per reconcile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesForEvent } from '../../../../../src/reconcile/fullnode/control/events.ts';

describe('namesForEvent', () => {
  it('names a single object with the singular noun', () => {
    assert.equal(namesForEvent('pod', ['gaia-0']), 'pod gaia-0');
  });

  it('lists a few objects with the plural noun, the last after "and"', () => {
    assert.equal(namesForEvent('pod', ['gaia-0', 'gaia-1']), 'pods gaia-0 and gaia-1');
    assert.equal(
      namesForEvent('PVC', ['pvc-gaia-0', 'pvc-gaia-1', 'pvc-gaia-2']),
      'PVCs pvc-gaia-0, pvc-gaia-1 and pvc-gaia-2',
    );
  });

  it('counts a long list and names only the first ones, so the message stays short', () => {
    const names = Array.from({ length: 12 }, (_, i) => `gaia-${i}`);
    assert.equal(namesForEvent('pod', names, 3), '12 pods: gaia-0, gaia-1, gaia-2 and 9 more');
    assert.equal(namesForEvent('pod', names.slice(0, 3), 3), 'pods gaia-0, gaia-1 and gaia-2');
  });
});
