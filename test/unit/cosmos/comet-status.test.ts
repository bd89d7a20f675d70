import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeCometStatus, parseBlockHeight, parseCometStatus } from '../../../src/cosmos/comet-status.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCometStatus', () => {
  it('reads height, catching_up, node ID, network, version and block time from the JSON-RPC envelope', () => {
    assert.deepEqual(parseCometStatus(fixture('status-cometbft-0.38.json')), {
      ok: true,
      status: {
        latestBlockHeight: 21873456,
        catchingUp: false,
        nodeId: '3f1b2a6c9d0e4f5a8b7c6d5e4f3a2b1c0d9e8f7a',
        network: 'cosmoshub-4',
        version: '0.38.12',
        moniker: 'cosmoshub-0',
        latestBlockTime: '2024-09-02T14:07:57.12519517Z',
      },
    });
  });

  it('reads the SEI variant, whose node_info, sync_info and validator_info are at the top level', () => {
    const parsed = parseCometStatus(fixture('status-sei.json'));
    assert.ok(parsed.ok);
    assert.equal(parsed.status.latestBlockHeight, 98765432);
    assert.equal(parsed.status.catchingUp, true);
    assert.equal(parsed.status.network, 'pacific-1');
  });

  it('takes the top level only when a top-level validator_info is present and not null', () => {
    const envelope = { result: { sync_info: { latest_block_height: '7', catching_up: false } } };
    const withNull = { ...envelope, validator_info: null, sync_info: { latest_block_height: '99' } };
    const parsed = decodeCometStatus(withNull);
    assert.ok(parsed.ok);
    assert.equal(parsed.status.latestBlockHeight, 7);
  });

  it('returns an error for a body that is not JSON', () => {
    const parsed = parseCometStatus('<html>502 Bad Gateway</html>');
    assert.equal(parsed.ok, false);
    assert.match(!parsed.ok ? parsed.error : '', /^malformed json: /);
  });

  it('returns an error for JSON that is not an object', () => {
    for (const body of ['[]', '42', 'null', '"status"']) {
      const parsed = parseCometStatus(body);
      assert.equal(parsed.ok, false, body);
    }
  });

  it('returns an error when sync_info is missing, rather than reporting a node in sync at height 0', () => {
    for (
      const json of [{}, { result: {} }, { result: { node_info: {} } }, { result: { sync_info: 'x' } }, {
        validator_info: {},
      }]
    ) {
      const parsed = decodeCometStatus(json);
      assert.equal(parsed.ok, false, JSON.stringify(json));
      assert.match(!parsed.ok ? parsed.error : '', /sync_info|result/);
    }
  });

  it('returns the JSON-RPC error of an error answer', () => {
    const parsed = decodeCometStatus({
      jsonrpc: '2.0',
      id: -1,
      error: { code: -32603, message: 'Internal error', data: 'node is halted' },
    });
    assert.deepEqual(parsed, { ok: false, error: 'rpc error: Internal error: node is halted' });
  });

  it('returns an error when catching_up is not a boolean', () => {
    const parsed = decodeCometStatus({ result: { sync_info: { latest_block_height: '1', catching_up: 'false' } } });
    assert.equal(parsed.ok, false);
  });

  it('treats a missing catching_up as false, as Go decoded it', () => {
    const parsed = decodeCometStatus({ result: { sync_info: { latest_block_height: '12' } } });
    assert.deepEqual(parsed, { ok: true, status: { latestBlockHeight: 12, catchingUp: false } });
  });

  it('reads a height that does not parse as 0 and keeps the rest of the status', () => {
    const parsed = decodeCometStatus({ result: { sync_info: { latest_block_height: 'twelve', catching_up: true } } });
    assert.deepEqual(parsed, { ok: true, status: { latestBlockHeight: 0, catchingUp: true } });
  });

  it('never throws, whatever the body', () => {
    const bodies = [
      '',
      '{',
      '{"result":',
      '\u0000',
      '{"result":{"sync_info":{"latest_block_height":"1e400"}}}',
      'x'.repeat(10_000),
    ];
    for (const body of bodies) assert.doesNotThrow(() => parseCometStatus(body));
  });
});

describe('parseBlockHeight', () => {
  it('parses an unsigned decimal string', () => {
    assert.equal(parseBlockHeight('0'), 0);
    assert.equal(parseBlockHeight('21873456'), 21873456);
    assert.equal(parseBlockHeight('007'), 7);
  });

  it('gives 0 for what Go strconv.ParseUint refuses', () => {
    for (const bad of ['', ' 5', '5 ', '+5', '-5', '5.0', '0x10', '1e3', 'abc', '18446744073709551616']) {
      assert.equal(parseBlockHeight(bad), 0, JSON.stringify(bad));
    }
  });

  it('accepts the largest uint64', () => {
    assert.ok(parseBlockHeight('18446744073709551615') > 0);
  });

  it('accepts a non-negative integer JSON number and refuses other types', () => {
    assert.equal(parseBlockHeight(15), 15);
    assert.equal(parseBlockHeight(-1), 0);
    assert.equal(parseBlockHeight(1.5), 0);
    assert.equal(parseBlockHeight(null), 0);
    assert.equal(parseBlockHeight(undefined), 0);
    assert.equal(parseBlockHeight({}), 0);
  });
});
