// CometBFT node keys (docs/compatibility.md §2.5): the p2p identity of each instance. Pure, except
// that generateNodeKey draws randomness, which tests inject.
//
// node_key.json is what CometBFT writes: {"priv_key":{"type":"tendermint/PrivKeyEd25519",
// "value":"<base64 of 64 bytes>"}}, the 64 bytes being Go's ed25519.PrivateKey: the 32-byte seed
// followed by the 32-byte public key. The node ID is hex(SHA-256(public key)[:20]), CometBFT's
// p2p.PubKeyToID. An existing key is reused as the exact string found, so IDs never change.
import { createHash, createPrivateKey, createPublicKey, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { permanent } from '../../../kube/reconcile-result.ts';

export const NODE_KEY_FILE = 'node_key.json';
export const ED25519_PRIV_KEY_TYPE = 'tendermint/PrivKeyEd25519';
/** Amino key type names such as tendermint/PrivKeySecp256k1: safe to quote in an error. */
const KNOWN_KEY_TYPE = /^(tendermint|cometbft)\/[A-Za-z0-9]{1,40}$/;

export interface NodeKey {
  /** node_key.json as stored. */
  json: string;
  /** The node ID: 40 lowercase hex digits. */
  id: string;
}

export type RandomBytes = (size: number) => Uint8Array;

/** A new key from 32 random bytes (node:crypto's CSPRNG unless a source is given). */
export function generateNodeKey(randomBytes: RandomBytes = cryptoRandomBytes): NodeKey {
  const seed = randomBytes(32);
  if (seed.length !== 32) throw new Error(`generateNodeKey: the random source returned ${seed.length} bytes, want 32`);
  return nodeKeyFromSeed(seed);
}

/** The key CometBFT would derive from this 32-byte seed (ed25519.NewKeyFromSeed). */
export function nodeKeyFromSeed(seed: Uint8Array): NodeKey {
  const publicKey = publicKeyOfSeed(seed);
  const value = Buffer.concat([Buffer.from(seed), publicKey]).toString('base64');
  const json = JSON.stringify({ priv_key: { type: ED25519_PRIV_KEY_TYPE, value } });
  return { json, id: nodeIdOfPublicKey(publicKey) };
}

/**
 * Checks an existing node_key.json and returns it unchanged with its ID. Anything CometBFT could
 * not use (bad JSON, another key type, not 64 bytes, a public half that does not match the seed)
 * is a permanent error: no retry repairs it, and replacing the key would change the node's ID.
 * `where` names the holder, e.g. "namespace/name-0". The error says what is wrong, never what the
 * file holds: it reaches events, status and logs, and any fragment of a key is key material (the
 * JSON parser's own message quotes the text around the error).
 */
export function parseNodeKey(json: string, where?: string): NodeKey {
  const fail = (detail: string) =>
    permanent(new Error(detail), {
      message: `invalid ${NODE_KEY_FILE}`,
      reason: 'InvalidNodeKey',
      ...(where !== undefined ? { object: where } : {}),
    });

  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw fail(`not JSON (${json.length} characters)`);
  }
  const privKey = isRecord(parsed) ? parsed['priv_key'] : undefined;
  if (!isRecord(privKey)) throw fail('missing priv_key');
  if (privKey['type'] !== ED25519_PRIV_KEY_TYPE) {
    // A known key type is named; anything else could be a misplaced key and is not quoted.
    const type = privKey['type'];
    if (typeof type === 'string' && KNOWN_KEY_TYPE.test(type)) {
      throw fail(`priv_key.type is ${JSON.stringify(type)}, want "${ED25519_PRIV_KEY_TYPE}"`);
    }
    throw fail(`priv_key.type is not "${ED25519_PRIV_KEY_TYPE}"`);
  }
  const value = privKey['value'];
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw fail('priv_key.value is not standard base64');
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 64) throw fail(`priv_key.value holds ${bytes.length} bytes, want 64`);
  const publicKey = bytes.subarray(32);
  if (!publicKeyOfSeed(bytes.subarray(0, 32)).equals(publicKey)) {
    throw fail('the public half of priv_key.value does not match its seed');
  }
  return { json, id: nodeIdOfPublicKey(publicKey) };
}

/** The node ID of a node_key.json (validated as parseNodeKey does). */
export function nodeIdOf(nodeKeyJson: string): string {
  return parseNodeKey(nodeKeyJson).id;
}

/** hex(SHA-256(publicKey)[:20]): CometBFT's address of an ed25519 public key. */
export function nodeIdOfPublicKey(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest().subarray(0, 20).toString('hex');
}

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), so node:crypto can derive the public key.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function publicKeyOfSeed(seed: Uint8Array): Buffer {
  if (seed.length !== 32) throw new Error(`an ed25519 seed has 32 bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
