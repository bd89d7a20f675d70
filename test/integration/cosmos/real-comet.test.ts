// Our CometBFT client and the fake CometBFT (test/support/fake-comet.ts) checked against a real
// CometBFT v0.38.26 built from Go modules (docs/architecture.md §6.6): every other test trusts the
// fake's /status, so the fake must answer as a real node does. No control plane: the node runs
// on 127.0.0.1 with the built-in kvstore app.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fetchCometStatus } from '../../../src/cosmos/comet-client.ts';
import { findCometbft } from '../../cluster/binaries.ts';
import { eventually } from '../../cluster/connect.ts';
import { type RealComet, startRealComet } from '../../support/real-comet.ts';
import { type FakeComet, startFakeComet } from '../../support/fake-comet.ts';

// Builds it the first time on a machine (about 2 minutes); skipped only when it cannot be built.
// Each test carries the skip, not the suite: node:test counts skipped tests, not skipped suites,
// and npm test's summary should show them.
const binary = await findCometbft().then(
  (path) => ({ path, skip: false as const }),
  (err: unknown) => ({ path: undefined, skip: `no cometbft binary and it cannot be built: ${oneLine(err)}` }),
);
const skip = binary.skip;

/** A build failure's first and last lines (the reporter prints a skip reason on one line). */
function oneLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 1 ? `${lines[0]} ... ${lines.at(-1)}` : (lines[0] ?? 'unknown error');
}

/** What src/cosmos/comet-status.ts reads from a /status body. */
const PATHS_THE_OPERATOR_READS = [
  'result',
  'result.sync_info',
  'result.sync_info.latest_block_height',
  'result.sync_info.catching_up',
  'result.sync_info.latest_block_time',
  'result.node_info',
  'result.node_info.id',
  'result.node_info.network',
  'result.node_info.version',
  'result.node_info.moniker',
  'result.validator_info',
];

type Answer = { status: number; contentType: string; body: string };

/** The raw answer, so the wire format is compared, not what a JSON parser makes of it. */
function getStatus(host: string, port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path: '/status', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on(
          'end',
          () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Every key path of a JSON value with its JSON type: `result.sync_info.catching_up` → `boolean`. */
function shape(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (prefix) into.set(prefix, 'array');
    for (const item of value) shape(item, `${prefix}[]`, into);
  } else if (typeof value === 'object' && value !== null) {
    if (prefix) into.set(prefix, 'object');
    for (const [k, v] of Object.entries(value)) shape(v, prefix ? `${prefix}.${k}` : k, into);
  } else {
    into.set(prefix, value === null ? 'null' : typeof value);
  }
  return into;
}

describe('the fake CometBFT and our client against a real CometBFT v0.38.26', () => {
  let node: RealComet | undefined;
  let fake: FakeComet | undefined;

  before(async () => {
    if (!binary.path) return;
    node = await startRealComet(binary.path);
    fake = await startFakeComet({ host: '127.0.0.1', port: 0, healthcheckPort: null, height: 5 });
  });

  after(async () => {
    await Promise.all([node?.stop(), fake?.close()]);
  });

  it(
    'our client reads the real node: a height above 0 that rises, in sync, and the genesis chain ID',
    { skip },
    async () => {
      const first = await fetchCometStatus(node!.host, node!.rpcPort);
      assert.ok(first.ok, `first poll: ${first.ok ? '' : first.error}`);
      assert.ok(first.status.latestBlockHeight > 0, `height ${first.status.latestBlockHeight}`);
      assert.equal(first.status.catchingUp, false);
      assert.equal(first.status.network, node!.chainId);
      assert.match(first.status.version ?? '', /^0\.38\./, 'the fake is shaped after 0.38');
      assert.match(first.status.nodeId ?? '', /^[0-9a-f]{40}$/);
      assert.ok(
        Number.isFinite(Date.parse(first.status.latestBlockTime ?? '')),
        `latest_block_time ${first.status.latestBlockTime}`,
      );

      await eventually(
        async () => {
          const next = await fetchCometStatus(node!.host, node!.rpcPort);
          assert.ok(next.ok, next.ok ? '' : next.error);
          assert.ok(
            next.status.latestBlockHeight > first.status.latestBlockHeight,
            `still at ${next.status.latestBlockHeight}`,
          );
          assert.equal(next.status.catchingUp, false);
        },
        { timeoutMs: 60_000, message: `height rising above ${first.status.latestBlockHeight}` },
      );
    },
  );

  // Strict on every key path and JSON type, not only on what the operator reads: the version is
  // pinned, so the real set does not drift under the test; a key only the fake has is one tests
  // could come to rely on and no node sends, and a key only the real node has is one code could
  // start to read and then find in production only. Values (hashes, heights, times) may differ.
  it('the fake /status has the same key paths, with the same JSON types, as the real one', { skip }, async () => {
    const [real, ours] = await Promise.all([getStatus(node!.host, node!.rpcPort), getStatus(fake!.host, fake!.port)]);
    const realShape = shape(JSON.parse(real.body));
    const fakeShape = shape(JSON.parse(ours.body));

    for (const p of PATHS_THE_OPERATOR_READS) {
      assert.ok(
        realShape.has(p),
        `the real /status lacks ${p}, which the operator reads: is the pinned version still 0.38?`,
      );
      assert.equal(
        fakeShape.get(p),
        realShape.get(p),
        `${p}, which the operator reads: fake ${fakeShape.get(p) ?? 'missing'}, real ${realShape.get(p)}`,
      );
    }
    const differences = [
      ...[...realShape].filter(([p]) => !fakeShape.has(p)).map(([p, t]) => `the fake lacks ${p} (${t})`),
      ...[...fakeShape].filter(([p]) => !realShape.has(p)).map(([p, t]) =>
        `the fake has ${p} (${t}), the real node does not`
      ),
      ...[...fakeShape]
        .filter(([p, t]) => realShape.has(p) && realShape.get(p) !== t)
        .map(([p, t]) => `${p} is a ${t} in the fake, a ${realShape.get(p)} in the real node`),
    ];
    assert.deepEqual(differences, [], `fake vs real /status:\n  ${differences.join('\n  ')}\nreal body: ${real.body}`);
  });

  it(
    'the fake /status is on the wire as the real one: 200, application/json, compact JSON, Go times',
    { skip },
    async () => {
      const [real, ours] = await Promise.all([getStatus(node!.host, node!.rpcPort), getStatus(fake!.host, fake!.port)]);
      assert.equal(real.status, 200);
      assert.equal(ours.status, real.status);
      assert.equal(ours.contentType, real.contentType);
      assert.doesNotMatch(real.body, /\n/, 'the real node sends compact JSON');
      assert.doesNotMatch(ours.body, /\n/, 'the fake sends compact JSON, as the real node');
      // Go's RFC3339Nano in UTC: the fraction has no trailing zeros, and none at all on a whole second.
      const goTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/;
      for (const [who, body] of [['real', real.body], ['fake', ours.body]] as const) {
        const sync = (JSON.parse(body) as { result: { sync_info: Record<string, unknown> } }).result.sync_info;
        for (const key of ['latest_block_time', 'earliest_block_time']) {
          assert.match(
            String(sync[key]),
            goTime,
            `${who} ${key}`,
          );
        }
      }
    },
  );
});
