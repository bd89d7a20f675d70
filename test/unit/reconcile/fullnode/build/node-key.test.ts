import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

describe('nodeIdOf', () => {
  it('is the ID of the key in a node_key.json', () => {
    assert.equal(nodeIdOf(RFC8032_NODE_KEY), RFC8032_NODE_ID);
  });
});
