import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preferSmallHeap } from '../../../src/cli/heap-mode.ts';

const isDeno = 'Deno' in globalThis;

describe('preferSmallHeap', () => {
  it('leaves V8 alone when the command line says either way', () => {
    assert.equal(preferSmallHeap(['--no-memory-saver-mode']), false);
    assert.equal(preferSmallHeap(['--max-semi-space-size=8', '--memory-saver-mode']), false);
  });

  it('turns memory-saver mode on otherwise (on Node; Deno takes V8 flags only on its command line)', () => {
    assert.equal(preferSmallHeap([]), !isDeno);
  });
});
