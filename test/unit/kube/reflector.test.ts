import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache, stripBulk } from '../../../src/kube/reflector.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createFakeClock } from '../../fixtures/kube/fake-clock.ts';
import { configMap, createFakeListWatch, settle, type TestConfigMap } from '../../fixtures/kube/fake-list-watch.ts';

const log = createLogger({ write: () => {} });

function startCache(items: TestConfigMap[], transform?: (o: TestConfigMap) => TestConfigMap) {
  const source = createFakeListWatch(items, '10');
  const cache = createCache<TestConfigMap>(undefined, {
    type: resources.configMaps,
    log,
    clock: createFakeClock(),
    source,
    transform,
    tuning: { random: () => 0 },
  });
  const seen: string[] = [];
  cache.subscribe({
    onAdd: (o) => seen.push(`add ${o.metadata?.name}`),
    onUpdate: (o, old) =>
      seen.push(`update ${o.metadata?.name} ${old.metadata?.resourceVersion}→${o.metadata?.resourceVersion}`),
    onDelete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  cache.start();
  return { cache, source, seen };
}

describe('createCache', () => {
  it('resolves synced() once the first list is stored', async () => {
    const { cache } = startCache([configMap('a', '1')]);
    assert.equal(cache.hasSynced(), false);
    await cache.synced();
    assert.equal(cache.hasSynced(), true);
    assert.equal(cache.get('ns', 'a')?.metadata?.resourceVersion, '1');
    await cache.stop();
  });

  it('reports adds, updates and deletes from the watch to subscribers', async () => {
    const { cache, source, seen } = startCache([configMap('a', '1')]);
    await settle();
    source.current()!.emit('ADDED', configMap('b', '11'));
    source.current()!.emit('MODIFIED', configMap('a', '12'));
    source.current()!.emit('DELETED', configMap('b', '13'));
    assert.deepEqual(seen, ['add a', 'add b', 'update a 1→12', 'delete b']);
    assert.deepEqual(cache.keys(), ['ns/a']);
    await cache.stop();
  });

  it('synthesises deletes and updates from a relist after a 410', async () => {
    const { cache, source, seen } = startCache([configMap('a', '1'), configMap('b', '2'), configMap('c', '3')]);
    await settle();
    source.nextList = () => ({
      items: [configMap('a', '1'), configMap('c', '30'), configMap('d', '31')],
      resourceVersion: '31',
    });
    source.current()!.emit('ERROR', { kind: 'Status', code: 410 });
    await settle();
    assert.deepEqual(seen.slice(3), ['update c 3→30', 'add d', 'delete b']);
    assert.deepEqual(cache.keys().sort(), ['ns/a', 'ns/c', 'ns/d']);
    await cache.stop();
  });

  it('reports nothing for an object whose resourceVersion did not change', async () => {
    const { cache, source, seen } = startCache([configMap('a', '1')]);
    await settle();
    source.current()!.emit('MODIFIED', configMap('a', '1'));
    assert.deepEqual(seen, ['add a']);
    await cache.stop();
  });

  it('replays cached objects as adds to a late subscriber', async () => {
    const { cache } = startCache([configMap('a', '1'), configMap('b', '2')]);
    await cache.synced();
    const late: string[] = [];
    cache.subscribe({ onAdd: (o) => late.push(o.metadata!.name!) });
    assert.deepEqual(late.sort(), ['a', 'b']);
    await cache.stop();
  });

  it('strips managedFields and the last-applied annotation, then applies the per-type transform', async () => {
    const bulky = configMap('a', '1', {
      data: { big: 'x'.repeat(100), keep: 'y' },
    });
    bulky.metadata!.managedFields = [{ manager: 'kubectl' }];
    bulky.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' };
    const { cache } = startCache([bulky], (o) => ({ ...o, data: { keep: o.data!.keep! } }));
    await cache.synced();
    const stored = cache.get('ns', 'a')!;
    assert.equal(stored.metadata?.managedFields, undefined);
    assert.deepEqual(stored.metadata?.annotations, { keep: 'me' });
    assert.deepEqual(stored.data, { keep: 'y' });
    await cache.stop();
  });

  it('freezes stored objects so one reader cannot change another’s view', async () => {
    const { cache } = startCache([configMap('a', '1', { data: { k: 'v' } })]);
    await cache.synced();
    const stored = cache.get('ns', 'a')!;
    assert.throws(() => {
      stored.data!.k = 'changed';
    }, TypeError);
    await cache.stop();
  });

  it('keeps going when a subscriber throws', async () => {
    const { cache, source } = startCache([]);
    cache.subscribe({
      onAdd: () => {
        throw new Error('bad handler');
      },
    });
    await settle();
    source.current()!.emit('ADDED', configMap('x', '11'));
    source.current()!.emit('ADDED', configMap('y', '12'));
    assert.equal(cache.size(), 2);
    await cache.stop();
  });

  it('lists by namespace and label selector', async () => {
    const objs = [
      configMap('a', '1', { metadata: { namespace: 'one', name: 'a', labels: { app: 'x' } } }),
      configMap('b', '2', { metadata: { namespace: 'one', name: 'b', labels: { app: 'y' } } }),
      configMap('c', '3', { metadata: { namespace: 'two', name: 'c', labels: { app: 'x' } } }),
    ];
    const { cache } = startCache(objs);
    await cache.synced();
    assert.deepEqual(cache.list('one').map((o) => o.metadata?.name).sort(), ['a', 'b']);
    assert.deepEqual(cache.list(undefined, 'app=x').map((o) => o.metadata?.name).sort(), ['a', 'c']);
    assert.deepEqual(cache.list('one', { app: 'x' }).map((o) => o.metadata?.name), ['a']);
    assert.deepEqual(cache.list('three'), []);
    await cache.stop();
  });

  it('rejects synced() when stopped before the first list', async () => {
    const source = createFakeListWatch<KubeObject>([]);
    // A list that hangs until the request is aborted, as a real one does.
    source.list = (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const cache = createCache<KubeObject>(undefined, {
      type: resources.configMaps,
      log,
      clock: createFakeClock(),
      source,
    });
    cache.start();
    const stopping = cache.stop();
    await assert.rejects(cache.synced(), /stopped before it synced/);
    await stopping;
  });
});

describe('stripBulk', () => {
  it('returns an object without bulk unchanged', () => {
    const obj = configMap('a', '1');
    assert.equal(stripBulk(obj), obj);
  });
});
