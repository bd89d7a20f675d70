import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { isReconcileError } from '../../../../../src/kube/reconcile-result.ts';
import {
  generateNodeKey,
  nodeIdOf,
  nodeKeyFromSeed,
  parseNodeKey,
} from '../../../../../src/reconcile/fullnode/build/node-key.ts';

// RFC 8032 §7.1 test 1: this seed's public key is d75a9801…511a. The expected node_key.json value
// and ID were computed with Go's crypto/ed25519 (NewKeyFromSeed, the 64-byte PrivateKey CometBFT
// stores) and crypto/sha256 (ID = hex(SHA-256(pub)[:20])).
const RFC8032_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const RFC8032_NODE_KEY =
  '{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg=="}}';
const RFC8032_NODE_ID = '21fe31dfa154a261626bf854046fd2271b7bed4b';

// A key CometBFT generated (a priv_validator_key.json in NibiruChain/cosmopilot's tests), whose
// "address" DE623086… is CometBFT's own SHA-256[:20] of the public key: the node ID rule.
const COMETBFT_VALUE = 'LXYv7Ogc5tiniSiKRUrkcVP5IpgyE5qr9h5wSTmphwu/C9k4OdChPfU/A03hmHAg7B9JD+JqvhABrQLpOvnJXA==';
const COMETBFT_ADDRESS = 'DE623086321818A30ADF4A8D68EEBEBDBF78B0F9';

const keyJson = (value: string, type = 'tendermint/PrivKeyEd25519') => JSON.stringify({ priv_key: { type, value } });

function isPermanent(error: unknown): boolean {
  return isReconcileError(error) && error.kind === 'permanent';
}

describe('nodeKeyFromSeed', () => {
  it('writes CometBFT node_key.json: seed then public key, base64, compact JSON', () => {
    assert.equal(nodeKeyFromSeed(RFC8032_SEED).json, RFC8032_NODE_KEY);
  });

  it('derives the RFC 8032 public key from the seed', () => {
    const value = JSON.parse(nodeKeyFromSeed(RFC8032_SEED).json).priv_key.value as string;
    assert.equal(
      Buffer.from(value, 'base64').subarray(32).toString('hex'),
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });

  it('gives the node ID Go computes', () => {
    assert.equal(nodeKeyFromSeed(RFC8032_SEED).id, RFC8032_NODE_ID);
  });
});

describe('generateNodeKey', () => {
  it('uses the injected randomness as the seed', () => {
    assert.deepEqual(generateNodeKey(() => Uint8Array.from(RFC8032_SEED)), {
      json: RFC8032_NODE_KEY,
      id: RFC8032_NODE_ID,
    });
  });

  it('makes a different valid key each time by default', () => {
    const a = generateNodeKey();
    const b = generateNodeKey();
    assert.notEqual(a.id, b.id);
    assert.deepEqual(parseNodeKey(a.json), a);
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    assert.throws(() => generateNodeKey(() => new Uint8Array(16)), /16 bytes/);
  });
});

describe('parseNodeKey', () => {
  it('keeps an existing key as the exact string, whitespace included', () => {
    const spaced = `{"priv_key": {"type": "tendermint/PrivKeyEd25519", "value": "${COMETBFT_VALUE}"}}`;
    assert.equal(parseNodeKey(spaced).json, spaced);
  });

  it('computes the ID CometBFT computes for the same public key', () => {
    assert.equal(parseNodeKey(keyJson(COMETBFT_VALUE)).id, COMETBFT_ADDRESS.toLowerCase());
  });

  it('rejects bad JSON as a permanent error naming the holder', () => {
    assert.throws(
      () => parseNodeKey('{"priv_key":', 'default/hub-0'),
      (error: unknown) =>
        isPermanent(error) && /default\/hub-0/.test((error as Error).message) &&
        /node_key\.json/.test((error as Error).message),
    );
  });

  it('rejects another key type', () => {
    assert.throws(() => parseNodeKey(keyJson(COMETBFT_VALUE, 'tendermint/PrivKeySecp256k1')), isPermanent);
  });

  it('rejects a value that is not 64 bytes', () => {
    assert.throws(() => parseNodeKey(keyJson(Buffer.alloc(32).toString('base64'))), /32 bytes, want 64/);
  });

  it('rejects a value that is not standard base64', () => {
    assert.throws(() => parseNodeKey(keyJson('not base64!')), isPermanent);
  });

  it('rejects a public half that does not belong to the seed', () => {
    const bytes = Buffer.from(COMETBFT_VALUE, 'base64');
    bytes[63] = bytes[63]! ^ 1;
    assert.throws(() => parseNodeKey(keyJson(bytes.toString('base64'))), /does not match/);
  });
});

describe('parseNodeKey errors', () => {
  // They reach events, status and logs: nothing of the file may appear in them.
  const secret = JSON.parse(RFC8032_NODE_KEY).priv_key.value as string;
  const corrupt: [string, string][] = [
    ['truncated', RFC8032_NODE_KEY.slice(0, 60)],
    ['a stray character in the key', RFC8032_NODE_KEY.replace(secret, `${secret.slice(0, 40)}"${secret.slice(40)}`)],
    ['trailing text', `${RFC8032_NODE_KEY}${secret}`],
    ['the key alone', secret],
    ['the key unquoted', RFC8032_NODE_KEY.replace(`"${secret}"`, secret)],
    ['the key as the type', keyJson(secret, secret)],
    ['the key as the value of another type', keyJson(secret, 'tendermint/PrivKeySecp256k1')],
    ['the key cut short', keyJson(secret.slice(0, 40))],
    ['the key with a character that is not base64', keyJson(`${secret.slice(0, 40)}!${secret.slice(41)}`)],
    [
      'another seed’s public half',
      keyJson(Buffer.concat([Buffer.alloc(32), Buffer.from(secret, 'base64').subarray(32)]).toString('base64')),
    ],
    ['a single-quoted JSON', RFC8032_NODE_KEY.replaceAll('"', "'")],
  ];

  /** Every 8-character piece of the key (base64 of its seed and public half). */
  const fragments = Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));

  for (const [what, json] of corrupt) {
    it(`quotes no part of a node_key.json with ${what}`, () => {
      let caught: unknown;
      try {
        parseNodeKey(json, 'default/hub-node-key-0');
      } catch (error) {
        caught = error;
      }
      assert.ok(isPermanent(caught), what);
      // The message, the cause chain, and the error as the logger and util.inspect print it.
      const error = caught as Error;
      const texts = [error.message, String(error), inspect(error, { depth: 5 }), JSON.stringify(error, errorFields)];
      for (let cause = error.cause; cause instanceof Error; cause = cause.cause) texts.push(cause.message);
      const all = texts.join('\n');
      assert.match(error.message, /^invalid node_key\.json \(default\/hub-node-key-0\): /);
      for (const fragment of fragments) {
        assert.ok(!all.includes(fragment), `${what}: the error shows ${JSON.stringify(fragment)}: ${error.message}`);
      }
    });
  }

  it('names a known key type it does not accept', () => {
    assert.throws(
      () => parseNodeKey(keyJson(COMETBFT_VALUE, 'tendermint/PrivKeySecp256k1')),
      /priv_key\.type is "tendermint\/PrivKeySecp256k1", want "tendermint\/PrivKeyEd25519"/,
    );
  });
});

/** What the logger writes for an Error: its message and cause chain. */
function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { message: value.message, cause: value.cause } : value;
}

describe('nodeIdOf', () => {
  it('is the ID of the key in a node_key.json', () => {
    assert.equal(nodeIdOf(RFC8032_NODE_KEY), RFC8032_NODE_ID);
  });
});
