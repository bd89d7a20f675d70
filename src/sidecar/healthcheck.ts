// The healthcheck sidecar's HTTP API (docs/compatibility.md §4): what the Go operator's
// `manager healthcheck` serves on port 1251 in every chain pod, byte for byte but the
// Content-Type. Pure request → response: CometBFT's /status and statfs(2) come in as functions,
// so every answer is unit tested without a node or a disk.
//
//   GET /disk?dir=<path>  statfs of <path>: {"dir","all_bytes","free_bytes","error"}
//   GET <any other path>  CometBFT /status: {"address","in_sync","error"}, 200 / 422 / 503
import { posix } from 'node:path';
import { Hono } from 'hono';
import type { CometStatusResponse } from '../cosmos/comet-client.ts';
import type { Logger } from '../log/log.ts';

/** CometBFT's /status at --rpc-host within --timeout; `signal` aborts it when the prober hangs up. */
export type CometStatusFetcher = (signal: AbortSignal) => Promise<CometStatusResponse>;

/** statfs(2) figures as bigints, so their products are exact (Go multiplies uint64s). */
export type FsStats = {
  readonly bsize: bigint;
  readonly blocks: bigint;
  /** Free blocks, those reserved for root included: what /disk reports. */
  readonly bfree: bigint;
  /** Free blocks an unprivileged user may take: not reported (see below). */
  readonly bavail: bigint;
};

/** statfs(2) of a path; throws with the text /disk reports (Go's errno text, "no such file or directory"). */
export type StatFs = (path: string) => Promise<FsStats>;

export type HealthcheckAppOptions = {
  /** --rpc-host as given: echoed in every `address`. */
  rpcHost: string;
  fetchStatus: CometStatusFetcher;
  statfs: StatFs;
  log: Logger;
};

const NO_DIR = 'query param dir must be specified';

export function createHealthcheckApp(options: HealthcheckAppOptions): Hono {
  const { rpcHost, fetchStatus, statfs, log } = options;
  const app = new Hono();
  // Go starts from 0, so the first answer is always logged; then only a change of status code.
  let lastStatus = 0;

  // Go's ServeMux: "/disk" exactly, any method; "/disk/" and everything else is the sync check.
  app.all('/disk', async (c) => {
    // URLSearchParams decodes as Go's Query(): "+" is a space, the first value wins.
    const dir = new URL(c.req.url).searchParams.get('dir') ?? '';
    if (dir === '') return json(400, diskBody({ dir, error: NO_DIR }));
    let stats: FsStats;
    try {
      stats = await statfs(goClean(dir));
    } catch (err) {
      return json(500, diskBody({ dir, error: errorText(err) }));
    }
    // Free is Bfree, as Go reports it, not Bavail: root's reserved blocks count as free although
    // the node (not root) cannot write them. Kept so `free_bytes`, and the selfHeal
    // `usedSpacePercentage` judged from it, mean what they meant with Go's sidecar, also while a
    // fleet runs both during a migration (docs/compatibility.md §4).
    return json(200, diskBody({ dir, all: stats.blocks * stats.bsize, free: stats.bfree * stats.bsize }));
  });

  app.all('*', async (c) => {
    let result: CometStatusResponse;
    try {
      result = await fetchStatus(c.req.raw.signal);
    } catch (err) {
      result = { ok: false, kind: 'network', error: errorText(err) };
    }
    const body: { address: string; in_sync: boolean; error?: string } = {
      address: rpcHost,
      in_sync: result.ok && !result.status.catchingUp,
    };
    if (!result.ok && result.error !== '') body.error = result.error;
    const status = !result.ok ? 503 : result.status.catchingUp ? 422 : 200;
    if (status !== lastStatus) {
      lastStatus = status;
      log.info('health state changed', { statusCode: status, response: body });
    }
    return json(status, goJson(body));
  });

  return app;
}

/**
 * Go's DiskUsageResponse: `dir` always (empty on a 400), the byte counts only when not 0 and
 * `error` only when not empty (`omitempty`). Written by hand because JSON.stringify has no bigints.
 */
function diskBody(r: { dir: string; all?: bigint; free?: bigint; error?: string }): string {
  let out = `{"dir":${goString(r.dir)}`;
  if (r.all) out += `,"all_bytes":${r.all}`;
  if (r.free) out += `,"free_bytes":${r.free}`;
  if (r.error) out += `,"error":${goString(r.error)}`;
  return `${out}}\n`;
}

/**
 * Go's json.Encoder adds a newline. Go's sniffed `text/plain; charset=utf-8` (it set the header
 * after WriteHeader) is not copied: this is JSON and says so (docs/compatibility.md §4).
 */
function json(status: 200 | 400 | 422 | 500 | 503, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}

/** json.Encoder's output for a value of strings and booleans: compact, HTML-escaped, a newline. */
function goJson(value: Record<string, string | boolean>): string {
  return `${escapeLikeGo(JSON.stringify(value))}\n`;
}

function goString(text: string): string {
  return escapeLikeGo(JSON.stringify(text));
}

/** Go escapes <, >, &, U+2028 and U+2029 inside JSON strings; they can only occur inside strings here. */
function escapeLikeGo(jsonText: string): string {
  return jsonText.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's filepath.Clean on Linux: lexical, no trailing slash (statfs of "file/" fails, of Clean's "file" not). */
function goClean(path: string): string {
  const clean = posix.normalize(path);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
