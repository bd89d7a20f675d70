// The operator against CometBFT RPCs that misbehave (the project's issue 11, §2): a node that
// accepts the request and never answers, one that answers after the client's timeout, one that
// answers a body that is not JSON, one that answers JSON that is no /status, and one that streams
// 100 MB. The CosmosFullNode controller runs in this process against the real control plane, as in
// test/integration/fullnode/; each pod's RPC is a fake CometBFT (test/support/fake-comet.ts) set to
// one of those modes. Every bad pod must count as not in sync in the CosmosFullNode's status, with
// the reason in status.sync, the operator must keep reconciling, and it must read a bounded part
// of the 100 MB answers. How the client itself bounds a body and a call:
// test/unit/cosmos/comet-client-faults.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_STATUS_BODY_BYTES } from '../../../src/cosmos/comet-client.ts';
import type { DownMode, DownOptions } from '../../support/fake-comet.ts';
import { recordWatch } from '../../support/watch-recorder.ts';
import {
  FULL_NODES,
  type FullNodeJson,
  getFullNode,
  type Harness,
  harness,
  minimalExample,
  type OperatorNamespace,
  operatorNamespace,
  reconcilesAfter,
} from '../fullnode/harness.ts';
import { eventually } from '../../cluster/connect.ts';

/** The client timeout the harness gives the operator (startOperator: comet.timeoutMs). */
const CLIENT_TIMEOUT_MS = 3000;
/** Loopback socket buffers on both ends, beyond the limit; reading the whole 100 MB would be far above. */
const MOST_BYTES_SENT = 32 << 20;

const BAD: Record<string, { mode: DownMode; options?: DownOptions; error: RegExp }> = {
  'flaky-0': { mode: 'hang', error: new RegExp(`/status: timed out after ${CLIENT_TIMEOUT_MS} ms$`) },
  'flaky-1': {
    mode: 'slow',
    options: { delayMs: 4 * CLIENT_TIMEOUT_MS },
    error: new RegExp(`/status: timed out after ${CLIENT_TIMEOUT_MS} ms$`),
  },
  'flaky-2': { mode: 'garbage', error: /^malformed json: / },
  'flaky-3': { mode: 'wrong-shape', error: /^malformed status: sync_info is missing$/ },
  'flaky-4': {
    mode: 'huge',
    options: { bytes: 100_000_000 },
    error: new RegExp(`^malformed status: body over the ${MAX_STATUS_BODY_BYTES}-byte limit`),
  },
};
const GOOD = 'flaky-5';
const REPLICAS = 6;

type Status = NonNullable<FullNodeJson['status']>;

describe('the operator against CometBFT RPCs that misbehave', () => {
  let h: Harness;
  let env: OperatorNamespace;

  before(async () => {
    h = await harness();
    env = await operatorNamespace(h, 'bad-rpc');
  }, { timeout: 30 * 60_000 });
  after(() => env?.cleanup());

  it('counts a pod whose RPC hangs, answers late, answers garbage or the wrong JSON, or streams 100 MB as not in sync, says why in status.sync, and keeps reconciling', async (t) => {
    const { ns, fleet } = env;
    await h.admin.objects(FULL_NODES).create(minimalExample(ns, h.cluster.storageClass, (node) => {
      node.metadata.name = 'flaky';
      node.spec.replicas = REPLICAS;
      node.spec.service = { maxP2PExternalAddresses: 0 };
    }));
    await eventually(async () => {
      const node = await getFullNode(h, ns, 'flaky');
      assert.deepEqual([node.status?.phase, node.status?.readyReplicas], ['Complete', REPLICAS]);
    }, { timeoutMs: 180_000, message: `flaky Complete with ${REPLICAS} in sync` });

    // Every status the operator writes from here on, in order.
    const watch = await recordWatch<FullNodeJson>(
      h.cluster.admin,
      `/apis/cosmos.strange.love/v1/namespaces/${ns}/cosmosfullnodes`,
    );
    try {
      for (const [pod, bad] of Object.entries(BAD)) {
        await (await fleet.waitFor(pod)).setDown(true, bad.mode, bad.options);
      }

      const misbehaving = (status: Status | undefined) =>
        status?.readyReplicas === 1 &&
        status.sync?.[GOOD]?.inSync === true &&
        Object.entries(BAD).every(([pod, bad]) =>
          status.sync?.[pod]?.inSync === undefined && bad.error.test(status.sync?.[pod]?.error ?? '')
        );
      const seen = await watch.until((state) => misbehaving(state.get('flaky')?.status), {
        timeoutMs: 120_000,
        message: 'a status with every bad pod out of sync, each with its reason',
      }).catch(async (err: Error) => {
        const status = (await getFullNode(h, ns, 'flaky')).status;
        throw new Error(`${err.message}; last status.sync: ${JSON.stringify(status?.sync)}`);
      });
      const status = seen.get('flaky')!.status!;
      t.diagnostic(`status.sync: ${JSON.stringify(status.sync)}`);
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False', `Ready condition: ${JSON.stringify(ready)}`);

      // The operator goes on reconciling while they misbehave (three passes that started now),
      // and each 100 MB answer was cut short near the limit.
      await reconcilesAfter(h, env, ns, 'flaky', 3);
      const huge = fleet.get('flaky-4')!.hugeAnswers();
      assert.ok(huge.length >= 1, 'the 100 MB node was polled');
      for (const answer of huge.filter((a) => !a.open)) {
        assert.equal(answer.complete, false, 'no 100 MB body was sent whole');
        assert.ok(answer.bytes < MOST_BYTES_SENT, `bytes handed to the socket: ${answer.bytes}`);
      }
      t.diagnostic(`100 MB answers cut at ${huge.map((a) => a.bytes).join(', ')} bytes`);

      // Back to good: every pod in sync again, on the status the same operator writes.
      for (const pod of Object.keys(BAD)) await fleet.get(pod)!.setDown(false);
      await watch.until(
        (state) => {
          const s = state.get('flaky')?.status;
          return s?.readyReplicas === REPLICAS && s.phase === 'Complete';
        },
        { timeoutMs: 120_000, message: `flaky back to ${REPLICAS} in sync` },
      );
    } finally {
      await watch.stop();
    }
  });
});
