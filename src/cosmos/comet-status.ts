// CometBFT's `/status` answer, reduced to what the operator reads (docs/compatibility.md §3).
// Pure: a body in, a value or an error out; it never throws, whatever a pod sends back.
//
// Accepted shapes:
//   - the JSON-RPC envelope `{"jsonrpc","id","result":{node_info, sync_info, validator_info}}`;
//   - SEI's variant with those three keys at the top level, chosen (as upstream) when a
//     top-level `validator_info` is present and not null.
// Differences from upstream's decoder, all on input upstream mishandled:
//   - a missing `sync_info` is an error here; upstream dereferenced a nil pointer (a panic) in
//     one branch and read zero values ("in sync at height 0") from `{}` in older versions;
//   - a JSON-RPC `error` answer is an error here, not an empty status;
//   - `latest_block_height` may also be a JSON number (upstream's struct refused the whole body).

export type CometStatus = {
  /** sync_info.latest_block_height; 0 when it is not an unsigned decimal integer. */
  latestBlockHeight: number;
  /** sync_info.catching_up; false when absent, as Go's zero value. */
  catchingUp: boolean;
  /** node_info.id: the CometBFT node ID (hex of the node key's address). */
  nodeId?: string;
  /** node_info.network: the chain ID. */
  network?: string;
  /** node_info.version: the CometBFT version. */
  version?: string;
  /** node_info.moniker. */
  moniker?: string;
  /** sync_info.latest_block_time, RFC 3339 as sent. */
  latestBlockTime?: string;
};

export type CometStatusResult = { ok: true; status: CometStatus } | { ok: false; error: string };

const MAX_UINT64 = 18446744073709551615n;

/** Parses a `/status` response body. */
export function parseCometStatus(body: string): CometStatusResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, error: `malformed json: ${err instanceof Error ? err.message : String(err)}` };
  }
  return decodeCometStatus(json);
}

/** Reads an already-parsed `/status` response. */
export function decodeCometStatus(json: unknown): CometStatusResult {
  if (!isObject(json)) return { ok: false, error: `malformed status: expected a JSON object, got ${describe(json)}` };
  const rpcError = json.error;
  if (rpcError !== undefined && rpcError !== null && json.result === undefined) {
    return { ok: false, error: `rpc error: ${rpcErrorText(rpcError)}` };
  }
  const sei = json.validator_info !== undefined && json.validator_info !== null;
  const root = sei ? json : json.result;
  if (!isObject(root)) return { ok: false, error: `malformed status: result is ${describe(root)}` };

  const sync = root.sync_info;
  if (!isObject(sync)) return { ok: false, error: `malformed status: sync_info is ${describe(sync)}` };
  const catchingUp = sync.catching_up ?? false;
  if (typeof catchingUp !== 'boolean') {
    return { ok: false, error: `malformed status: sync_info.catching_up is ${describe(catchingUp)}` };
  }

  const status: CometStatus = { latestBlockHeight: parseBlockHeight(sync.latest_block_height), catchingUp };
  if (typeof sync.latest_block_time === 'string') status.latestBlockTime = sync.latest_block_time;
  const node = root.node_info;
  if (isObject(node)) {
    if (typeof node.id === 'string') status.nodeId = node.id;
    if (typeof node.network === 'string') status.network = node.network;
    if (typeof node.version === 'string') status.version = node.version;
    if (typeof node.moniker === 'string') status.moniker = node.moniker;
  }
  return { ok: true, status };
}

/**
 * Go's `strconv.ParseUint(s, 10, 64)` with the error ignored as 0: only decimal digits, no sign,
 * no spaces, at most 2^64-1. Heights far below 2^53 in practice, so a number holds them exactly.
 */
export function parseBlockHeight(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) return 0;
  if (BigInt(value) > MAX_UINT64) return 0;
  return Number(value);
}

function rpcErrorText(error: unknown): string {
  if (!isObject(error)) return String(error);
  const parts = [error.message, error.data].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(': ') : JSON.stringify(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
