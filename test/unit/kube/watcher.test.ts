import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/kube/resource.ts';
import { newWatchStats, runListWatch, type WatchSink } from '../../../src/kube/watcher.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createFakeClock } from '../../fixtures/kube/fake-clock.ts';
import { configMap, createFakeListWatch, settle } from '../../fixtures/kube/fake-list-watch.ts';

const log = createLogger({ write: () => {} });

function recordingSink(): WatchSink<KubeObject> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    replace: (items, rv) => void calls.push(`replace ${items.map((i) => i.metadata?.name).join(',')} @${rv}`),
    apply: (type, obj) => void calls.push(`${type} ${obj.metadata?.name}`),
  };
}

/** Starts the loop with no jitter (random() = 0) on a fake clock. */
function start(
  items: KubeObject[] = [configMap('a', '5')],
  tuning: { inactivityMs?: number; relistIntervalMs?: number } = {},
  prepare: (source: ReturnType<typeof createFakeListWatch>, clock: ReturnType<typeof createFakeClock>) => void =
    () => {},
) {
  const clock = createFakeClock();
  const source = createFakeListWatch(items, '10');
  prepare(source, clock);
  const sink = recordingSink();
  const stop = new AbortController();
  const stats = newWatchStats();
  const done = runListWatch(source, sink, { log, clock, random: () => 0, ...tuning }, stop.signal, stats);
  return { clock, source, sink, stats, done, stop: async () => (stop.abort(), await done) };
}

describe('runListWatch', () => {
  it('lists, then watches from the list’s resourceVersion with a 5 to 10 minute server timeout', async () => {
    const t = start();
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10']);
    assert.deepEqual(t.sink.calls, ['replace a @10']);
    assert.equal(t.source.current()!.timeoutSeconds, 300);
    await t.stop();
  });

  it('passes watch events to the sink', async () => {
    const t = start();
    await settle();
    t.source.current()!.emit('ADDED', configMap('b', '11'));
    t.source.current()!.emit('MODIFIED', configMap('a', '12'));
    t.source.current()!.emit('DELETED', configMap('b', '13'));
    assert.deepEqual(t.sink.calls.slice(1), ['ADDED b', 'MODIFIED a', 'DELETED b']);
    await t.stop();
  });

  it('watches again from the last event’s resourceVersion when the stream closes, without listing', async () => {
    const t = start();
    await settle();
    t.source.current()!.emit('MODIFIED', configMap('a', '12'));
    t.clock.advance(5000);
    t.source.current()!.end();
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'watch 12']);
    assert.equal(t.stats.rewatches, 1);
    await t.stop();
  });

  it('moves its resourceVersion forward on bookmarks', async () => {
    const t = start();
    await settle();
    t.source.current()!.emit('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: '99' } });
    t.source.current()!.end();
    await settle();
    assert.equal(t.source.calls.at(-1), 'watch 99');
    assert.deepEqual(t.sink.calls, ['replace a @10'], 'a bookmark is not an object');
    await t.stop();
  });

  it('treats client-node’s 30 s inactivity TimeoutError as a routine reconnect', async () => {
    const t = start();
    await settle();
    t.clock.advance(30_000);
    t.source.current()!.end({ kind: 'error', error: new DOMException('timeout', 'TimeoutError') });
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'watch 10']);
    assert.equal(t.stats.watchFailures, 0);
    await t.stop();
  });

  it('lists again when the watch answers with an ERROR event of code 410', async () => {
    const t = start();
    await settle();
    t.source.nextList = () => ({ items: [configMap('c', '20')], resourceVersion: '20' });
    t.source.current()!.emit('ERROR', {
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version',
    });
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'list', 'watch 20']);
    assert.equal(t.stats.expired, 1);
    await t.stop();
  });

  it('lists again when the watch request itself fails with HTTP 410', async () => {
    const t = start();
    await settle();
    t.source.current()!.end({ kind: 'error', error: Object.assign(new Error('Gone'), { statusCode: 410 }) });
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'list', 'watch 10']);
    await t.stop();
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s while listing fails, and forever', async () => {
    const listTimes: number[] = [];
    const t = start(undefined, {}, (source, clock) => {
      source.nextList = () => {
        throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      };
      const original = source.list.bind(source);
      source.list = (signal) => {
        listTimes.push(clock.now());
        return original(signal);
      };
    });
    for (let ms = 0; ms < 200_000; ms += 100) {
      await settle();
      t.clock.advance(100);
    }
    const gaps = listTimes.slice(1).map((x, i) => Math.round((x - listTimes[i]!) / 100) * 100);
    assert.deepEqual(gaps.slice(0, 7), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    assert.ok(t.stats.listFailures >= 10);
    await t.stop();
  });

  it('retries a failed watch after a backoff from the same resourceVersion', async () => {
    const t = start();
    await settle();
    t.source.current()!.end({
      kind: 'error',
      error: Object.assign(new Error('Internal Server Error'), { statusCode: 500 }),
    });
    await settle();
    assert.equal(t.source.calls.length, 2, 'nothing before the backoff ends');
    t.clock.advance(1000);
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'watch 10']);
    assert.equal(t.stats.watchFailures, 1);
    await t.stop();
  });

  it('backs off when streams keep closing at once with nothing in them', async () => {
    const t = start();
    await settle();
    t.source.current()!.end();
    await settle();
    assert.equal(t.source.calls.length, 2);
    t.clock.advance(1000);
    await settle();
    assert.equal(t.source.calls.length, 3);
    await t.stop();
  });

  it('lists again when nothing arrives for the inactivity period', async () => {
    const t = start(undefined, { inactivityMs: 60_000 });
    await settle();
    t.clock.advance(59_000);
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10']);
    t.clock.advance(1000);
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'list', 'watch 10']);
    assert.equal(t.stats.watchdogRelists, 1);
    await t.stop();
  });

  it('counts the inactivity period across reconnects, not per stream', async () => {
    const t = start(undefined, { inactivityMs: 60_000 });
    await settle();
    for (let i = 0; i < 2; i++) {
      t.clock.advance(30_000);
      t.source.current()?.end({ kind: 'error', error: new DOMException('timeout', 'TimeoutError') });
      await settle();
    }
    assert.equal(
      t.source.calls.filter((c) => c === 'list').length,
      2,
      'the second quiet reconnect hit 60 s of silence',
    );
    await t.stop();
  });

  it('lists again after the relist interval, even on a busy stream', async () => {
    const t = start(undefined, { relistIntervalMs: 10_000 });
    await settle();
    t.clock.advance(10_000);
    t.source.current()!.emit('MODIFIED', configMap('a', '11'));
    t.source.current()!.end();
    await settle();
    assert.deepEqual(t.source.calls, ['list', 'watch 10', 'list', 'watch 10']);
    await t.stop();
  });

  it('ends its stream and returns when stopped', async () => {
    const t = start();
    await settle();
    const watch = t.source.current()!;
    await t.stop();
    assert.equal(watch.signal.aborted, true);
    assert.equal(t.clock.pending(), 0, 'no watchdog timer left behind');
  });
});
