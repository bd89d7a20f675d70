// The healthcheck sidecar's server (docs/compatibility.md §4): the app of healthcheck.ts with
// the real CometBFT client and statfs(2), served with Go's http.Server settings.
import { statfs } from 'node:fs/promises';
import { fetchCometStatus } from '../cosmos/comet-client.ts';
import { type RunningServer, serveHttp } from '../http/serve.ts';
import type { Logger } from '../log/log.ts';
import { createHealthcheckApp, type FsStats } from './healthcheck.ts';

export type HealthcheckServerOptions = {
  /** Where to listen; host undefined means every interface, IPv6 and IPv4, as Go's ":1251". */
  listen: { host: string | undefined; port: number };
  /** --rpc-host as given, and the host and port it names. */
  rpcHost: string;
  rpc: { host: string; port: number };
  /** --timeout: one /status request, connect to last byte. */
  timeoutMs: number;
  log: Logger;
};

/** Go's http.Server ReadTimeout and WriteTimeout of the healthcheck command. */
const SERVER_TIMEOUTS_MS = { read: 30_000, write: 30_000 };

export async function startHealthcheckServer(options: HealthcheckServerOptions): Promise<RunningServer> {
  const { rpc, timeoutMs } = options;
  const app = createHealthcheckApp({
    rpcHost: options.rpcHost,
    fetchStatus: (signal) => fetchCometStatus(rpc.host, rpc.port, { timeoutMs, signal }),
    statfs: statfsBytes,
    log: options.log,
  });
  const serve = (host: string) => serveHttp(app, host, options.listen.port, { timeoutsMs: SERVER_TIMEOUTS_MS });
  if (options.listen.host !== undefined) return serve(options.listen.host);
  // "::" takes IPv4 too (dual stack, as Go's wildcard listener), so probes reach the pod IP in
  // IPv4, IPv6 and dual-stack clusters; a kernel without IPv6 gets IPv4 only.
  try {
    return await serve('::');
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw err;
    return serve('0.0.0.0');
  }
}

/** statfs(2) with bigint figures; a failure carries Go's errno text ("no such file or directory"). */
async function statfsBytes(path: string): Promise<FsStats> {
  try {
    const s = await statfs(path, { bigint: true });
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail };
  } catch (err) {
    throw new Error(goErrnoText(err));
  }
}

/**
 * Node and Deno write "ENOENT: no such file or directory, statfs '/x'"; Go's syscall.Errno says
 * "no such file or directory" (both lower-case strerror texts).
 */
function goErrnoText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /^E[A-Z0-9]+: (.+?), statfs /.exec(message)?.[1] ?? message;
}
