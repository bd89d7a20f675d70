// The controller and its work queue fed by a real cache: bursts of watch events coalesce into
// few reconciles per key, the last reconcile sees the last state, and a failing key backs off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { mergePatch } from '../../../src/kube/apply.ts';
import { type Controller, createController } from '../../../src/kube/controller.ts';
import { objectClient } from '../../../src/kube/objects.ts';
import { type Cache, createCache } from '../../../src/kube/reflector.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { enqueueSelf } from '../../../src/kube/triggers.ts';
import { done, transient } from '../../../src/kube/reconcile-result.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import { type KubeHarness, kubeHarness } from './fixtures/harness.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `tasks` with at most `limit` in flight. */
async function pool(limit: number, tasks: Array<() => Promise<unknown>>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

describe('a controller fed by a real cache', () => {
  let h: KubeHarness;
  let ns: string;
  const stoppers: Array<() => Promise<void>> = [];

  before(
    async () => {
      h = await kubeHarness();
      ns = await newNamespace('kube-controller');
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    for (const stop of stoppers.reverse()) await stop();
    if (h) await h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  function wire(
    reconcile: Parameters<typeof createController>[0]['reconcile'],
    registry: Registry,
    labelSelector: string,
  ) {
    const cache: Cache<ConfigMap> = createCache<ConfigMap>(h.rest, {
      type: resources.configMaps,
      namespace: ns,
      labelSelector,
      log: h.log,
    });
    const controller: Controller = createController({ name: 'burst', reconcile, log: h.log, registry, workers: 1 });
    // A handler only turns an event into a key, as controller-runtime's EnqueueRequestForObject.
    cache.subscribe(enqueueSelf(controller.enqueue));
    cache.start();
    const running = controller.run();
    stoppers.push(async () => {
      await controller.stop();
      await running;
      await cache.stop();
    });
    return { cache, controller };
  }

  it('coalesces a burst of 1,000 updates to 10 objects into a few reconciles per object, the last seeing the last state', async (t) => {
    const configMaps = objectClient<ConfigMap>(h.rest, resources.configMaps);
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    for (const name of names) {
      await configMaps.create({ metadata: { namespace: ns, name, labels: { test: 'burst' } }, data: { n: '0' } });
    }

    const registry = new Registry();
    const reconciles = new Map<string, number>();
    const lastSeen = new Map<string, string | undefined>();
    const starts: number[] = [];
    const { cache, controller } = wire(
      async (key) => {
        reconciles.set(key, (reconciles.get(key) ?? 0) + 1);
        starts.push(Date.now());
        lastSeen.set(key, cache.getByKey(key)?.data?.n);
        await sleep(200); // a reconcile that takes a while, so events pile up behind it
        return done;
      },
      registry,
      'test=burst',
    );
    await cache.synced();
    await eventually(() => assert.equal(reconciles.size, 10));
    reconciles.clear();
    starts.length = 0;

    const started = Date.now();
    const writes = names.flatMap((name) =>
      Array.from(
        { length: 100 },
        (_, i) => () => mergePatch(h.rest, resources.configMaps, ns, name, { data: { n: String(i + 1) } }),
      )
    );
    // Interleave keys, so every object changes throughout the burst.
    writes.sort((a, b) => writes.indexOf(a) % 100 - writes.indexOf(b) % 100);
    await pool(10, writes);
    const burstMs = Date.now() - started;

    // Ten writes are in flight at once, so two writes to one key may land in either order: the
    // last state is what the API server holds now, not necessarily n=100.
    const last = new Map<string, string | undefined>();
    for (const name of names) last.set(name, (await configMaps.get(ns, name))?.data?.n);
    await eventually(() => {
      for (const name of names) {
        assert.equal(lastSeen.get(`${ns}/${name}`), last.get(name), `${name}'s last reconcile saw the last write`);
      }
    }, { timeoutMs: 120_000, message: 'every last reconcile saw the last write' });
    // Quiet: nothing queued, nothing running (rather than a sleep that a slow reconcile outlasts).
    await eventually(() => controller.queue.len() === 0 && controller.queue.processingCount() === 0, {
      timeoutMs: 60_000,
      message: 'the work queue drained',
    });
    const counts = names.map((n) => reconciles.get(`${ns}/${n}`) ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    // One worker, 200 ms a reconcile, ten keys all written throughout: a key comes round at most
    // once every 2 s while the burst's events arrive. Measured to the last reconcile's start, not
    // to the last write: on a busy machine the watch can deliver events well after the writes.
    const spanMs = Math.max(...starts) - started;
    t.diagnostic(
      `1,000 updates in ${burstMs} ms, reconciles over ${spanMs} ms → ${total} reconciles (per key: ${
        counts.join(', ')
      })`,
    );
    for (const c of counts) assert.ok(c >= 1 && c <= Math.ceil(spanMs / 2000) + 2, `a key was reconciled ${c} times`);

    const text = await registry.metrics();
    const adds = Number(/workqueue_adds_total\{name="burst",controller="burst"\} (\d+)/.exec(text)?.[1]);
    const successes = Number(
      /controller_runtime_reconcile_total\{controller="burst",result="success"\} (\d+)/.exec(text)?.[1],
    );
    t.diagnostic(`workqueue_adds_total ${adds}, reconcile_total{success} ${successes}`);
    assert.equal(successes, total + 10, 'every reconcile counted (10 initial + the burst)');
  });

  it('backs off a failing key exponentially while other keys carry on', async (t) => {
    const configMaps = objectClient<ConfigMap>(h.rest, resources.configMaps);
    await configMaps.create({ metadata: { namespace: ns, name: 'failing', labels: { test: 'backoff' } } });
    await configMaps.create({ metadata: { namespace: ns, name: 'healthy', labels: { test: 'backoff' } } });
    const registry = new Registry();
    const attempts: number[] = [];
    let healthy = 0;
    wire(
      async (key) => {
        if (key.endsWith('/healthy')) {
          healthy++;
          return done;
        }
        attempts.push(Date.now());
        throw transient(new Error('the chain node is not answering'), { object: key });
      },
      registry,
      'test=backoff',
    );
    // Counted in attempts, not in seconds: a busy machine only makes the waits longer.
    await eventually(() => assert.ok(attempts.length >= 10, `${attempts.length} attempts`), {
      timeoutMs: 120_000,
      message: 'ten attempts of the failing key',
    });
    // The healthy object still reconciles while the other one keeps failing.
    await mergePatch(h.rest, resources.configMaps, ns, 'healthy', { data: { touched: 'yes' } });
    await eventually(() => assert.equal(healthy, 2), { timeoutMs: 60_000, message: 'the healthy key reconciled' });

    const gaps = attempts.slice(1).map((x, i) => x - attempts[i]!);
    t.diagnostic(`${attempts.length} attempts; gaps ms: ${gaps.join(', ')}`);
    // 5 ms · 2^n: attempt n+1 waits at least 5·2^n ms after attempt n (a timer never fires
    // early by more than a millisecond of rounding; a busy machine only makes it later).
    for (const [n, gap] of gaps.entries()) {
      assert.ok(gap >= 5 * 2 ** n - 2, `attempt ${n + 1} came ${gap} ms after the one before, under 5·2^${n} ms`);
    }
    const text = await registry.metrics();
    assert.match(
      text,
      new RegExp(`controller_runtime_reconcile_errors_total\\{controller="burst"\\} ${attempts.length}`),
    );
    assert.match(text, /workqueue_retries_total\{name="burst",controller="burst"\} \d+/);
  });
});
