import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createDelayHeap } from '../../../src/kube/delay-heap.ts';
import '../../fixtures/property-seed.ts';

describe('createDelayHeap', () => {
  it('keeps the earlier time when a waiting key is scheduled again', () => {
    const heap = createDelayHeap();
    heap.schedule('a', 10);
    heap.schedule('a', 20);
    assert.deepEqual(heap.takeReady(10), ['a']);
  });

  it('stops a removed key from waiting', () => {
    const heap = createDelayHeap();
    heap.schedule('a', 10);
    heap.schedule('b', 20);
    assert.equal(heap.remove('a'), true);
    assert.equal(heap.peekTime(), 20);
    assert.deepEqual(heap.takeReady(100), ['b']);
  });

  it('reports removing a key that was not waiting', () => {
    const heap = createDelayHeap();
    assert.equal(heap.remove('a'), false);
  });

  it('moves a key to a later time when removed and scheduled again', () => {
    const heap = createDelayHeap();
    heap.schedule('a', 10);
    heap.remove('a');
    heap.schedule('a', 30);
    assert.deepEqual(heap.takeReady(29), []);
    assert.deepEqual(heap.takeReady(30), ['a']);
  });

  it('gives every ready key earliest first after any mix of schedules and removals', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), key: fc.integer({ min: 0, max: 9 }), at: fc.nat(100) }),
      fc.record({ kind: fc.constant('remove' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('take' as const), at: fc.nat(100) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const heap = createDelayHeap();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'schedule') {
            const key = String(o.key);
            heap.schedule(key, o.at);
            model.set(key, Math.min(model.get(key) ?? Infinity, o.at));
          } else if (o.kind === 'remove') {
            assert.equal(heap.remove(String(o.key)), model.delete(String(o.key)));
          } else {
            const ready = heap.takeReady(o.at);
            const times = ready.map((k) => model.get(k)!);
            assert.deepEqual(times, [...times].sort((a, b) => a - b), 'earliest first');
            const expected = [...model].filter(([, t]) => t <= o.at).map(([k]) => k).sort();
            assert.deepEqual([...ready].sort(), expected);
            for (const k of ready) model.delete(k);
          }
          assert.equal(heap.size(), model.size);
          assert.equal(heap.peekTime(), model.size === 0 ? undefined : Math.min(...model.values()));
        }
      }),
    );
  });
});
