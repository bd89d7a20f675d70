// The event recorder against a real API server: repeats fold into one Event with a count, and
// failures never reach the caller.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEventRecorder } from '../../../src/kube/events.ts';
import { objectClient } from '../../../src/kube/objects.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { newNamespace } from '../../cluster/connect.ts';
import { type KubeHarness, kubeHarness } from './fixtures/harness.ts';

type CoreEvent = KubeObject & {
  reason: string;
  message: string;
  count: number;
  type: string;
  involvedObject: { name: string; uid?: string };
};

describe('the event recorder', () => {
  let h: KubeHarness;
  let ns: string;

  before(
    async () => {
      h = await kubeHarness();
      ns = await newNamespace('kube-events');
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    if (h) await h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  const eventsAbout = async (name: string) =>
    (await objectClient<CoreEvent>(h.rest, resources.events).list(ns, { fieldSelector: `involvedObject.name=${name}` }))
      .items;

  it('records one Event with count 5 for five identical warnings', async () => {
    const cm = await objectClient(h.rest, resources.configMaps).create({ metadata: { namespace: ns, name: 'noisy' } });
    const recorder = createEventRecorder({ rest: h.rest, log: h.log });
    for (let i = 0; i < 5; i++) {
      recorder.warning({ ...cm, apiVersion: 'v1', kind: 'ConfigMap' }, 'SyncFailed', 'chain RPC unreachable');
    }
    await recorder.flush();
    const events = await eventsAbout('noisy');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.count, 5);
    assert.equal(events[0]!.type, 'Warning');
    assert.equal(events[0]!.involvedObject.uid, cm.metadata?.uid);
  });

  it('records different reasons as different Events', async () => {
    const recorder = createEventRecorder({ rest: h.rest, log: h.log });
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name: 'two-reasons' } };
    recorder.normal(obj, 'Created', 'made it');
    recorder.normal(obj, 'Updated', 'changed it');
    await recorder.flush();
    assert.deepEqual((await eventsAbout('two-reasons')).map((e) => e.reason).sort(), ['Created', 'Updated']);
  });

  it('never throws at the caller when the API server refuses the Event', async () => {
    const lines: string[] = [];
    // An object in a namespace that does not exist: creating its Event fails with 404.
    const recorder = createEventRecorder({
      rest: h.rest,
      log: {
        ...h.log,
        warn: (msg: string) => void lines.push(msg),
        child: () => ({ ...h.log, warn: (msg: string) => void lines.push(msg) }),
      },
    });
    assert.doesNotThrow(() =>
      recorder.warning(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'no-such-namespace', name: 'x' } },
        'R',
        'm',
      )
    );
    await recorder.flush();
    assert.deepEqual(lines, ['failed to record an event']);
  });
});
