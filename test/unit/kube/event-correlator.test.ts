import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Correlation, createEventCorrelator } from '../../../src/kube/event-correlator.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'ns', name: 'p', uid: 'u1', resourceVersion: '7' },
};
const t0 = Date.UTC(2026, 0, 1);
const correlator = () => createEventCorrelator({ component: 'cosmos-operator', instance: 'host' });

function createdName(c: Correlation): string {
  assert.equal(c.kind, 'create');
  return c.kind === 'create' ? c.event.metadata!.name! : '';
}

describe('createEventCorrelator', () => {
  it('creates a core/v1 Event in the object’s namespace with count 1', () => {
    const c = correlator().correlate({ regarding: pod, type: 'Warning', reason: 'Failed', message: 'boom' }, t0);
    assert.equal(c.kind, 'create');
    if (c.kind !== 'create') return;
    assert.equal(c.event.metadata?.namespace, 'ns');
    assert.match(c.event.metadata!.name!, /^p\.[0-9a-f]+$/);
    assert.deepEqual(c.event.involvedObject, {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'p',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion: '7',
    });
    assert.equal(c.event.count, 1);
    assert.equal(c.event.firstTimestamp, '2026-01-01T00:00:00.000Z');
    assert.equal(c.event.source.component, 'cosmos-operator');
  });

  it('bumps the count of the existing Event when the same event repeats', () => {
    const k = correlator();
    const input = { regarding: pod, type: 'Warning' as const, reason: 'Failed', message: 'boom' };
    const first = k.correlate(input, t0);
    k.created(first.kind === 'create' ? first.key : '', 'ns', createdName(first));
    const second = k.correlate(input, t0 + 1000);
    const third = k.correlate(input, t0 + 2000);
    assert.equal(second.kind, 'bump');
    assert.deepEqual(third.kind === 'bump' && third.patch, {
      count: 3,
      lastTimestamp: '2026-01-01T00:00:02.000Z',
      message: 'boom',
    });
    assert.equal(third.kind === 'bump' && third.name, createdName(first));
  });

  it('creates a separate Event for a different reason or message', () => {
    const k = correlator();
    const a = k.correlate({ regarding: pod, type: 'Warning', reason: 'Failed', message: 'boom' }, t0);
    k.created(a.kind === 'create' ? a.key : '', 'ns', createdName(a));
    assert.equal(
      k.correlate({ regarding: pod, type: 'Warning', reason: 'Failed', message: 'other' }, t0).kind,
      'create',
    );
    assert.equal(k.correlate({ regarding: pod, type: 'Warning', reason: 'Other', message: 'boom' }, t0).kind, 'create');
  });

  it('combines an eleventh different message with the same reason into one aggregate Event', () => {
    const k = correlator();
    for (let i = 0; i < 10; i++) {
      const c = k.correlate({ regarding: pod, type: 'Warning', reason: 'Failed', message: `height ${i}` }, t0 + i);
      if (c.kind === 'create') k.created(c.key, 'ns', c.event.metadata!.name!);
    }
    const combined = k.correlate({ regarding: pod, type: 'Warning', reason: 'Failed', message: 'height 10' }, t0 + 10);
    assert.equal(combined.kind, 'create');
    assert.equal(combined.kind === 'create' && combined.event.message, '(combined from similar events): height 10');
    if (combined.kind === 'create') k.created(combined.key, 'ns', combined.event.metadata!.name!);
    const next = k.correlate({ regarding: pod, type: 'Warning', reason: 'Failed', message: 'height 11' }, t0 + 11);
    assert.equal(next.kind, 'bump');
    assert.equal(next.kind === 'bump' && next.patch.message, '(combined from similar events): height 11');
  });

  it('drops events about one object beyond a burst of 25, then lets one through every five minutes', () => {
    const k = correlator();
    const kinds = Array.from(
      { length: 26 },
      (_, i) => k.correlate({ regarding: pod, type: 'Normal', reason: 'R', message: `m${i % 5}` }, t0).kind,
    );
    assert.equal(kinds.filter((x) => x === 'drop').length, 1);
    assert.notEqual(
      k.correlate({ regarding: pod, type: 'Normal', reason: 'R', message: 'm' }, t0 + 5 * 60_000).kind,
      'drop',
    );
  });

  it('starts a new Event after forget (the old one expired)', () => {
    const k = correlator();
    const input = { regarding: pod, type: 'Normal' as const, reason: 'R', message: 'm' };
    const first = k.correlate(input, t0);
    k.created(first.kind === 'create' ? first.key : '', 'ns', createdName(first));
    k.forget(first.kind === 'create' ? first.key : '');
    assert.equal(k.correlate(input, t0 + 1).kind, 'create');
  });

  it('files events about cluster-scoped objects in the default namespace', () => {
    const c = correlator().correlate({
      regarding: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } },
      type: 'Normal',
      reason: 'R',
      message: 'm',
    }, t0);
    assert.equal(c.kind === 'create' && c.event.metadata?.namespace, 'default');
  });
});
