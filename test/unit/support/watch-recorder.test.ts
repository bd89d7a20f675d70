// The pure half of test/support/watch-recorder.ts, on synthetic recordings: what the rollout
// tests compute from a pod watch ("most pods down at once", "which pod went first") must be
// exact, and must fail when the sequence breaks the rule, not only pass when it keeps it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Change, firstChangeOrder, mostAtOnce, podsDown, type Recording } from '../../support/watch-recorder.ts';

type Pod = { metadata: { name: string; uid: string; deletionTimestamp?: string }; status?: { phase?: string } };

const pod = (name: string, uid: string, phase = 'Running', deleting = false): Pod => ({
  metadata: { name, uid, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase },
});
const added = (p: Pod): Change<Pod> => ({ type: 'ADDED', object: p });
const modified = (p: Pod): Change<Pod> => ({ type: 'MODIFIED', object: p });
const deleted = (p: Pod): Change<Pod> => ({ type: 'DELETED', object: p });

const initial = [pod('a', 'a1'), pod('b', 'b1'), pod('c', 'c1')];

/** Replaces `name` (old uid `from`, new uid `to`): marked, gone, recreated Pending, Running. */
function replace(name: string, from: string, to: string): Change<Pod>[] {
  return [
    modified(pod(name, from, 'Running', true)),
    deleted(pod(name, from, 'Running', true)),
    added(pod(name, to, 'Pending')),
    modified(pod(name, to, 'Running')),
  ];
}

const recording = (changes: Change<Pod>[]): Recording<Pod> => ({ initial, listResourceVersion: '1', changes });

describe('watch recordings', () => {
  it('count one pod down at a time for a rollout that replaces them one after another', () => {
    const rolling = recording([...replace('a', 'a1', 'a2'), ...replace('b', 'b1', 'b2'), ...replace('c', 'c1', 'c2')]);
    const down = mostAtOnce(rolling, podsDown(3));
    assert.equal(down.count, 1, down.history);
    assert.deepEqual(firstChangeOrder(rolling), ['a', 'b', 'c']);
  });

  it('count two down when a second pod is marked before the first one is Running again', () => {
    const [markA, goneA, newA, runA] = replace('a', 'a1', 'a2');
    const overlapping = recording([markA!, goneA!, newA!, modified(pod('b', 'b1', 'Running', true)), runA!]);
    const down = mostAtOnce(overlapping, podsDown(3));
    assert.equal(down.count, 2);
    assert.equal(down.at, 'after change #3: MODIFIED b');
  });

  it('count every pod down when all are deleted at once, even if they come back between any two samples', () => {
    // What an operator that deleted every pod at once looks like: a sampler that looked before
    // and after would have seen three pods Running both times.
    const allAtOnce = recording([
      ...initial.map((p) => modified(pod(p.metadata.name, p.metadata.uid, 'Running', true))),
      ...initial.map((p) => deleted(p)),
      ...initial.map((p) => added(pod(p.metadata.name, `${p.metadata.uid}-new`))),
    ]);
    assert.equal(mostAtOnce(allAtOnce, podsDown(3)).count, 3);
  });

  it('see no rollout in a recording with nothing in it', () => {
    const quiet = recording([modified(pod('a', 'a1'))]);
    assert.equal(mostAtOnce(quiet, podsDown(3)).count, 0);
    assert.deepEqual(firstChangeOrder(quiet), []);
  });

  it('count a pod that is missing or not Running as down, and only the pods selected', () => {
    const pending = recording([added(pod('d', 'd1', 'Pending'))]);
    assert.equal(mostAtOnce(pending, podsDown(4)).count, 1);
    assert.equal(mostAtOnce(pending, podsDown(3, (p) => p.metadata.name !== 'd')).count, 0);
  });

  it('order pods by the first time their listed object stopped being itself', () => {
    const order = recording([
      modified(pod('c', 'c1', 'Pending')), // a status change is not a replacement
      ...replace('b', 'b1', 'b2'),
      deleted(pod('c', 'c1')),
      ...replace('a', 'a1', 'a2'),
      modified(pod('b', 'b2', 'Running', true)), // b again: already counted
    ]);
    assert.deepEqual(firstChangeOrder(order), ['b', 'c', 'a']);
  });
});
