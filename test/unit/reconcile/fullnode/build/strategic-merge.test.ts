import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { POD_SPEC_PATCH_META, strategicMerge } from '../../../../../src/reconcile/fullnode/build/strategic-merge.ts';

const names = (list: { name: string }[]) => list.map((item) => item.name);
const spec = () => ({
  containers: [
    {
      name: 'node',
      image: 'chain:v1',
      env: [{ name: 'HOME', value: '/home' }],
      volumeMounts: [{ name: 'home', mountPath: '/home' }],
    },
    { name: 'healthcheck', image: 'op:v1' },
  ],
  initContainers: [{ name: 'clean-init' }, { name: 'chain-init', image: 'chain:v1' }, { name: 'genesis-init' }, {
    name: 'version-check',
  }],
  volumes: [{ name: 'vol-tmp', emptyDir: {} }],
});

describe('strategicMerge', () => {
  it('merges a container named like an existing one into it', () => {
    const got = strategicMerge(spec(), { containers: [{ name: 'node', image: 'other:v2' }] }, POD_SPEC_PATCH_META);
    assert.equal(got.containers[0]!.image, 'other:v2');
    assert.deepEqual(got.containers[0]!.env, [{ name: 'HOME', value: '/home' }]);
  });

  it('places new items after the patch items before them: [node, x] gives [node, x, healthcheck]', () => {
    const got = strategicMerge(spec(), { containers: [{ name: 'node' }, { name: 'x' }] }, POD_SPEC_PATCH_META);
    assert.deepEqual(names(got.containers), ['node', 'x', 'healthcheck']);
  });

  it('places new items that lead the patch before every original item: [x] gives [x, node, healthcheck]', () => {
    const got = strategicMerge(spec(), { containers: [{ name: 'x' }] }, POD_SPEC_PATCH_META);
    assert.deepEqual(names(got.containers), ['x', 'node', 'healthcheck']);
  });

  it('interleaves by original position: [chain-init, new-init] keeps clean-init first', () => {
    const got = strategicMerge(
      spec(),
      { initContainers: [{ name: 'chain-init' }, { name: 'new-init' }] },
      POD_SPEC_PATCH_META,
    );
    assert.deepEqual(names(got.initContainers), [
      'clean-init',
      'chain-init',
      'new-init',
      'genesis-init',
      'version-check',
    ]);
  });

  it("reorders existing items by the patch's order where the patch names them", () => {
    const got = strategicMerge(
      spec(),
      { containers: [{ name: 'healthcheck' }, { name: 'node' }] },
      POD_SPEC_PATCH_META,
    );
    assert.deepEqual(names(got.containers), ['healthcheck', 'node']);
  });

  it('merges volume mounts by mount path and env by name inside a container, new ones first', () => {
    const got = strategicMerge(
      spec(),
      {
        containers: [{
          name: 'node',
          env: [{ name: 'EXTRA', value: '1' }],
          volumeMounts: [{ name: 'foo', mountPath: '/foo' }],
        }],
      },
      POD_SPEC_PATCH_META,
    );
    assert.deepEqual(got.containers[0]!.volumeMounts, [
      { name: 'foo', mountPath: '/foo' },
      { name: 'home', mountPath: '/home' },
    ]);
    assert.deepEqual(got.containers[0]!.env, [
      { name: 'EXTRA', value: '1' },
      { name: 'HOME', value: '/home' },
    ]);
  });

  it('replaces lists without a merge key, such as command', () => {
    const got = strategicMerge({ containers: [{ name: 'node', command: ['a', 'b'] }] }, {
      containers: [{ name: 'node', command: ['c'] }],
    }, POD_SPEC_PATCH_META);
    assert.deepEqual(got.containers[0]!.command, ['c']);
  });

  it('deletes a field the patch sets to null', () => {
    const got = strategicMerge(spec(), { containers: [{ name: 'node', image: null }] }, POD_SPEC_PATCH_META);
    assert.equal('image' in got.containers[0]!, false);
  });

  it('merges nested maps key by key', () => {
    const got = strategicMerge({ volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }] }, {
      volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }],
    }, POD_SPEC_PATCH_META);
    assert.deepEqual(got.volumes, [{ name: 'v', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }]);
  });

  it('takes fields the original lacks from the patch, without its nulls', () => {
    const got = strategicMerge({}, { affinity: { nodeAffinity: null, podAffinity: { x: 1 } } }, POD_SPEC_PATCH_META);
    assert.deepEqual(got, { affinity: { podAffinity: { x: 1 } } });
  });

  it('leaves a list as it is when the patch list is empty', () => {
    const got = strategicMerge(spec(), { containers: [] }, POD_SPEC_PATCH_META);
    assert.deepEqual(names(got.containers), ['node', 'healthcheck']);
  });

  it('modifies neither input and shares no objects with them', () => {
    const original = spec();
    const patch = { containers: [{ name: 'x', env: [{ name: 'A', value: '1' }] }] };
    const before = [structuredClone(original), structuredClone(patch)];
    const got = strategicMerge(original, patch, POD_SPEC_PATCH_META);
    got.containers[0]!.env![0]!.value = 'changed';
    got.containers[1]!.image = 'changed';
    assert.deepEqual([original, patch], before);
  });
});
