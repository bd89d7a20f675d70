// The store's secondary index: objects by a key of their own (the controllers use their owner),
// kept right through adds, updates that move an object to another key, deletes and relists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/kube/resource.ts';
import { createStore } from '../../../src/kube/store.ts';

const obj = (name: string, owner: string | undefined, rv = '1'): KubeObject => ({
  metadata: { namespace: 'ns', name, resourceVersion: rv, ...(owner !== undefined ? { labels: { owner } } : {}) },
});
const byOwner = (o: KubeObject) => o.metadata?.labels?.owner;
const names = (objs: KubeObject[]) => objs.map((o) => o.metadata?.name).sort();

describe('store index', () => {
  it('finds objects by their index key, and leaves out objects without one', () => {
    const { reader, writer } = createStore({ index: byOwner });
    writer.upsert(obj('a-0', 'a'));
    writer.upsert(obj('a-1', 'a'));
    writer.upsert(obj('b-0', 'b'));
    writer.upsert(obj('loose', undefined));
    assert.deepEqual(names(reader.byIndex('a')), ['a-0', 'a-1']);
    assert.deepEqual(names(reader.byIndex('b')), ['b-0']);
    assert.deepEqual(reader.byIndex('c'), []);
  });

  it('moves an object whose update changes its key, and serves the newest version', () => {
    const { reader, writer } = createStore({ index: byOwner });
    writer.upsert(obj('x', 'a'));
    writer.upsert(obj('x', 'b', '2'));
    assert.deepEqual(reader.byIndex('a'), []);
    assert.equal(reader.byIndex('b')[0]?.metadata?.resourceVersion, '2');
  });

  it('drops deleted objects, also those a relist no longer has', () => {
    const { reader, writer } = createStore({ index: byOwner });
    writer.replace([obj('a-0', 'a'), obj('a-1', 'a'), obj('b-0', 'b')]);
    writer.remove(obj('a-0', 'a'));
    assert.deepEqual(names(reader.byIndex('a')), ['a-1']);
    writer.replace([obj('b-0', 'b')]);
    assert.deepEqual(reader.byIndex('a'), []);
    assert.deepEqual(names(reader.byIndex('b')), ['b-0']);
  });

  it('refuses byIndex on a store made without an index, rather than answering empty', () => {
    const { reader } = createStore();
    assert.throws(() => reader.byIndex('a'), /no index/);
  });
});
