import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import {
  applyQueueAction,
  createController,
  type Outcome,
  planOutcome,
  type QueueForOutcomes,
} from '../../../src/kube/controller.ts';
import { KubeApiError } from '../../../src/kube/api-errors.ts';
import { createWorkQueue } from '../../../src/kube/work-queue.ts';
import { done, permanent, requeueAfter, transient } from '../../../src/kube/reconcile-result.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createFakeClock } from '../../fixtures/kube/fake-clock.ts';

const silent = createLogger({ write: () => {} });

/** Records the queue calls an outcome causes. */
function recordingQueue(): QueueForOutcomes & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    forget: (k) => void calls.push(`forget ${k}`),
    addAfter: (k, ms) => void calls.push(`addAfter ${k} ${ms}`),
    addRateLimited: (k) => void calls.push(`addRateLimited ${k}`),
  };
}

function queueCallsFor(outcome: Outcome): string[] {
  const q = recordingQueue();
  applyQueueAction(q, 'ns/a', planOutcome(outcome).action);
  return q.calls;
}

describe('planOutcome', () => {
  it('forgets the key after a successful reconcile', () => {
    assert.deepEqual(queueCallsFor({ kind: 'result', result: done }), ['forget ns/a']);
    assert.equal(planOutcome({ kind: 'result', result: done }).result, 'success');
  });

  it('forgets the backoff and adds the key after the delay for requeueAfter', () => {
    assert.deepEqual(queueCallsFor({ kind: 'result', result: requeueAfter(30_000) }), [
      'forget ns/a',
      'addAfter ns/a 30000',
    ]);
    assert.equal(planOutcome({ kind: 'result', result: requeueAfter(1) }).result, 'requeue_after');
  });

  it('adds the key rate-limited after a transient error', () => {
    const outcome: Outcome = { kind: 'error', error: transient(new Error('conflict'), 'patch pod') };
    assert.deepEqual(queueCallsFor(outcome), ['addRateLimited ns/a']);
    assert.deepEqual(planOutcome(outcome), { action: { kind: 'retry' }, result: 'error', terminal: false });
  });

  it('forgets the key without requeueing after a permanent error', () => {
    const outcome: Outcome = { kind: 'error', error: permanent(new Error('bad toml'), 'build config') };
    assert.deepEqual(queueCallsFor(outcome), ['forget ns/a']);
    assert.deepEqual(planOutcome(outcome), { action: { kind: 'giveUp' }, result: 'error', terminal: true });
  });

  it('retries a plain Error as transient', () => {
    assert.deepEqual(queueCallsFor({ kind: 'error', error: new Error('boom') }), ['addRateLimited ns/a']);
  });

  it('gives up on an API 422 that escaped the reconciler unwrapped', () => {
    const error = new KubeApiError(422, 'Invalid', { reason: 'Invalid' }, {});
    assert.equal(planOutcome({ kind: 'error', error }).terminal, true);
  });

  it('retries an API 409 that escaped the reconciler unwrapped', () => {
    const error = new KubeApiError(409, 'Conflict', { reason: 'Conflict' }, {});
    assert.deepEqual(queueCallsFor({ kind: 'error', error }), ['addRateLimited ns/a']);
  });

  it('treats a negative requeueAfter as an immediate requeue', () => {
    assert.deepEqual(queueCallsFor({ kind: 'result', result: requeueAfter(-5) }), ['forget ns/a', 'addAfter ns/a 0']);
  });
});

/** Lets pending promise callbacks run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('createController', () => {
  it('passes each reconcile a fresh reconcileID and a logger carrying the key', async () => {
    const ids: string[] = [];
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ write: (l) => lines.push(JSON.parse(l)) });
    const c = createController({
      name: 'widget',
      clock: createFakeClock(),
      log,
      reconcile: async (_key, ctx) => {
        ids.push(ctx.reconcileID);
        ctx.log.info('reconciling');
        return done;
      },
    });
    const running = c.run();
    c.enqueue('ns/a');
    await settle();
    c.enqueue('ns/a');
    await settle();
    await c.stop();
    await running;
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
    assert.match(ids[0]!, /^[0-9a-f-]{36}$/);
    const line = lines.find((l) => l.msg === 'reconciling')!;
    assert.deepEqual(
      { controller: line.controller, namespace: line.namespace, name: line.name, reconcileID: line.reconcileID },
      { controller: 'widget', namespace: 'ns', name: 'a', reconcileID: ids[0] },
    );
  });

  it('never runs two reconciles of one key at once, even with many workers', async () => {
    const clock = createFakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: Array<() => void> = [];
    const c = createController({
      name: 'widget',
      workers: 4,
      clock,
      log: silent,
      reconcile: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
        return done;
      },
    });
    const running = c.run();
    for (let i = 0; i < 10; i++) {
      c.enqueue('ns/a');
      await settle();
    }
    assert.equal(releases.length, 1, 'one reconcile started; the re-adds are parked');
    releases.shift()!();
    await settle();
    assert.equal(releases.length, 1, 'the parked key runs once more, after the first finished');
    releases.shift()!();
    await settle();
    assert.equal(maxInFlight, 1);
    await c.stop();
    await running;
  });

  it('retries a failing key with growing delays and records the errors in its metrics', async () => {
    const clock = createFakeClock();
    const registry = new Registry();
    const attempts: number[] = [];
    const c = createController({
      name: 'widget',
      clock,
      log: silent,
      registry,
      reconcile: async () => {
        attempts.push(clock.now());
        throw transient(new Error('api down'), 'read');
      },
    });
    const running = c.run();
    c.enqueue('ns/a');
    // Step 1 ms at a time so each retry runs at the moment its delay ends.
    for (let i = 0; i < 100; i++) {
      await settle();
      clock.advance(1);
    }
    await settle();
    await c.stop();
    await running;
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    assert.deepEqual(gaps.slice(0, 4), [5, 10, 20, 40]);
    const text = await registry.metrics();
    assert.match(
      text,
      new RegExp(`controller_runtime_reconcile_total\\{controller="widget",result="error"\\} ${attempts.length}\\b`),
    );
    assert.match(
      text,
      new RegExp(`controller_runtime_reconcile_errors_total\\{controller="widget"\\} ${attempts.length}\\b`),
    );
    assert.match(text, /workqueue_retries_total\{name="widget",controller="widget"\} \d+/);
  });

  it('requeues after the requested delay and counts requeue_after', async () => {
    const clock = createFakeClock();
    const registry = new Registry();
    const attempts: number[] = [];
    const c = createController({
      name: 'poller',
      clock,
      log: silent,
      registry,
      reconcile: async () => {
        attempts.push(clock.now());
        return requeueAfter(30_000);
      },
    });
    const running = c.run();
    c.enqueue('ns/a');
    await settle();
    clock.advance(29_999);
    await settle();
    assert.equal(attempts.length, 1);
    clock.advance(1);
    await settle();
    assert.equal(attempts.length, 2);
    await c.stop();
    await running;
    assert.match(
      await registry.metrics(),
      /controller_runtime_reconcile_total\{controller="poller",result="requeue_after"\} 2/,
    );
  });

  it('does not requeue a key after a permanent error', async () => {
    const clock = createFakeClock();
    let attempts = 0;
    const c = createController({
      name: 'widget',
      clock,
      log: silent,
      reconcile: async () => {
        attempts++;
        throw permanent(new Error('invalid spec'), { object: 'ns/a', field: 'spec.chain' });
      },
    });
    const running = c.run();
    c.enqueue('ns/a');
    await settle();
    clock.advance(2_000_000);
    await settle();
    await c.stop();
    await running;
    assert.equal(attempts, 1);
  });

  it('pre-initialises every reconcile result series and the worker gauges', async () => {
    const registry = new Registry();
    createController({ name: 'widget', workers: 3, log: silent, registry, reconcile: async () => done });
    const text = await registry.metrics();
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      assert.match(
        text,
        new RegExp(`controller_runtime_reconcile_total\\{controller="widget",result="${result}"\\} 0`),
      );
    }
    assert.match(text, /controller_runtime_max_concurrent_reconciles\{controller="widget"\} 3/);
    assert.match(text, /controller_runtime_active_workers\{controller="widget"\} 0/);
    assert.match(text, /workqueue_depth\{name="widget",controller="widget",priority=""\} 0/);
  });

  it('lets two controllers share one registry', async () => {
    const registry = new Registry();
    createController({ name: 'a', log: silent, registry, reconcile: async () => done });
    createController({ name: 'b', log: silent, registry, reconcile: async () => done });
    const text = await registry.metrics();
    assert.match(text, /controller_runtime_active_workers\{controller="b"\} 0/);
  });

  it('finishes queued keys before stopping when asked to drain', async () => {
    const seen: string[] = [];
    const queue = createWorkQueue({ clock: createFakeClock() });
    const c = createController({
      name: 'widget',
      queue,
      log: silent,
      reconcile: async (key) => {
        seen.push(key);
        return done;
      },
    });
    c.enqueue('ns/a');
    c.enqueue('ns/b');
    const running = c.run();
    await c.stop({ drain: true });
    await running;
    assert.deepEqual(seen, ['ns/a', 'ns/b']);
  });

  it('aborts the signal of a reconcile in progress on an immediate stop', async () => {
    let aborted = false;
    const c = createController({
      name: 'widget',
      clock: createFakeClock(),
      log: silent,
      reconcile: (_key, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve(done);
          });
        }),
    });
    const running = c.run();
    c.enqueue('ns/a');
    await settle();
    await c.stop();
    await running;
    assert.equal(aborted, true);
  });
});
