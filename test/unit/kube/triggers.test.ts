import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/kube/resource.ts';
import { enqueueMapped, enqueueOwner, enqueueSelf } from '../../../src/kube/triggers.ts';

const owned = (
  owners: Array<{ apiVersion: string; kind: string; name: string; controller?: boolean }>,
): KubeObject => ({
  metadata: { namespace: 'ns', name: 'child', ownerReferences: owners.map((o) => ({ uid: `uid-${o.name}`, ...o })) },
});

function keysFrom(run: (enqueue: (k: string) => void) => void): string[] {
  const keys: string[] = [];
  run((k) => keys.push(k));
  return keys;
}

describe('enqueueSelf', () => {
  it('enqueues the object’s own key on add, update and delete', () => {
    const obj: KubeObject = { metadata: { namespace: 'ns', name: 'a' } };
    const keys = keysFrom((enqueue) => {
      const h = enqueueSelf(enqueue);
      h.onAdd!(obj);
      h.onUpdate!(obj, obj);
      h.onDelete!(obj);
    });
    assert.deepEqual(keys, ['ns/a', 'ns/a', 'ns/a']);
  });
});

describe('enqueueOwner', () => {
  const fullNodeOwner = { group: 'cosmos.strange.love', kind: 'CosmosFullNode' };

  it('enqueues the owner of the given group and kind', () => {
    const child = owned([
      { apiVersion: 'cosmos.strange.love/v1', kind: 'CosmosFullNode', name: 'osmosis', controller: true },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'other' },
    ]);
    assert.deepEqual(keysFrom((e) => enqueueOwner(e, fullNodeOwner).onAdd!(child)), ['ns/osmosis']);
  });

  it('ignores an owner of the same kind in another group', () => {
    const child = owned([{ apiVersion: 'example.com/v1', kind: 'CosmosFullNode', name: 'impostor' }]);
    assert.deepEqual(keysFrom((e) => enqueueOwner(e, fullNodeOwner).onAdd!(child)), []);
  });

  it('counts only the controller reference when asked to', () => {
    const child = owned([{ apiVersion: 'cosmos.strange.love/v1', kind: 'CosmosFullNode', name: 'plain' }]);
    assert.deepEqual(keysFrom((e) => enqueueOwner(e, { ...fullNodeOwner, controllerOnly: true }).onAdd!(child)), []);
  });

  it('enqueues the old and the new owner when the owner changed', () => {
    const before = owned([{ apiVersion: 'cosmos.strange.love/v1', kind: 'CosmosFullNode', name: 'old' }]);
    const after = owned([{ apiVersion: 'cosmos.strange.love/v1', kind: 'CosmosFullNode', name: 'new' }]);
    assert.deepEqual(keysFrom((e) => enqueueOwner(e, fullNodeOwner).onUpdate!(after, before)).sort(), [
      'ns/new',
      'ns/old',
    ]);
  });
});

describe('enqueueMapped', () => {
  it('enqueues each key once on an update where old and new map alike', () => {
    const obj: KubeObject = { metadata: { namespace: 'ns', name: 'a', labels: { app: 'x' } } };
    const keys = keysFrom((e) => enqueueMapped(e, (o) => [`ns/${o.metadata?.labels?.app}`]).onUpdate!(obj, obj));
    assert.deepEqual(keys, ['ns/x']);
  });
});
