import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkEdges, checkLayers, importLoops } from '../../../tools/layers.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const files = ['src/kube/controller.ts', 'src/reconcile/diff.ts', 'src/api/naming.ts'];

describe('checkLayers', () => {
  it('finds no import that runs back up a layer, and no loop, in this tree', () => {
    assert.deepEqual(checkLayers(root), []);
  });
});

describe('checkEdges', () => {
  it('reports the runtime importing the application (a folder importing one on a higher layer)', () => {
    const found = checkEdges([{ from: 'src/kube/controller.ts', to: 'src/reconcile/diff.ts' }], files);
    assert.deepEqual(found.map((v) => v.kind), ['upward']);
    assert.match(found[0]!.message, /src\/kube may not import src\/reconcile/);
  });

  it('allows an import from a lower layer', () => {
    assert.deepEqual(checkEdges([{ from: 'src/reconcile/diff.ts', to: 'src/api/naming.ts' }], files), []);
  });

  it('reports siblings on one layer importing each other', () => {
    const found = checkEdges([{ from: 'src/api/naming.ts', to: 'src/kube/controller.ts' }], files);
    assert.deepEqual(found.map((v) => v.kind), ['sibling']);
  });

  it('reports a pure builder importing the code that talks to the API', () => {
    const found = checkEdges([{
      from: 'src/reconcile/fullnode/build/pod-builder.ts',
      to: 'src/reconcile/fullnode/control/pod-control.ts',
    }], []);
    assert.deepEqual(found.map((v) => v.kind), ['controller']);
  });

  it('lets control code import builders, and the controller root import both', () => {
    const edges = [
      { from: 'src/reconcile/fullnode/control/pod-control.ts', to: 'src/reconcile/fullnode/build/pod-builder.ts' },
      { from: 'src/reconcile/fullnode/reconcile.ts', to: 'src/reconcile/fullnode/control/pod-control.ts' },
    ];
    assert.deepEqual(checkEdges(edges, []), []);
  });

  it('reports a source file in no layer', () => {
    const found = checkEdges([], ['src/stray.ts']);
    assert.deepEqual(found.map((v) => v.kind), ['unplaced']);
  });
});

describe('importLoops', () => {
  it('finds files that import each other through a third', () => {
    const loops = importLoops([
      { from: 'src/kube/a.ts', to: 'src/kube/b.ts' },
      { from: 'src/kube/b.ts', to: 'src/kube/c.ts' },
      { from: 'src/kube/c.ts', to: 'src/kube/a.ts' },
      { from: 'src/kube/c.ts', to: 'src/kube/d.ts' },
    ]);
    assert.deepEqual(loops, [['src/kube/a.ts', 'src/kube/b.ts', 'src/kube/c.ts']]);
  });

  it('finds none in a tree of one-way imports', () => {
    assert.deepEqual(
      importLoops([{ from: 'a.ts', to: 'b.ts' }, { from: 'a.ts', to: 'c.ts' }, { from: 'b.ts', to: 'c.ts' }]),
      [],
    );
  });
});
