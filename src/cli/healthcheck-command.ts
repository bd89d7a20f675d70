// `cosmos-operator healthcheck`: the sidecar in every chain pod (docs/compatibility.md §4), with
// the Go operator's flags and defaults, so the container's arguments stay as the pod builder
// writes them (`healthcheck --rpc-host http://localhost:<rpc port>`).
import { parseGoDuration } from '../syntax/go-duration.ts';
import { createLogger, type LogFormat } from '../log/log.ts';
import { preferSmallHeap } from './heap-mode.ts';
import { startHealthcheckServer } from '../sidecar/healthcheck-server.ts';
import { type FlagSpec, type FlagValues, formatFlagHelp, parseBindAddress, parseFlags } from './flags.ts';

export const healthcheckFlags: readonly FlagSpec[] = [
  { name: 'rpc-host', type: 'string', default: 'http://localhost:26657', help: 'CometBFT RPC endpoint.' },
  {
    name: 'timeout',
    type: 'string',
    default: '5s',
    help: 'How long to wait for CometBFT /status before answering 503 (a Go duration).',
  },
  { name: 'addr', type: 'string', default: ':1251', help: 'Address to listen on (host:port or :port).' },
  {
    name: 'log-format',
    type: 'string',
    default: 'json',
    choices: ['json', 'console'],
    help: 'json (one JSON object per line) or console (for a person at a terminal).',
  },
];

const USAGE = `Usage: cosmos-operator healthcheck [flags]

Serves the healthcheck sidecar's API of a chain pod:
  GET /                 CometBFT /status at --rpc-host: 200 in sync, 422 catching up, 503 no answer
  GET /disk?dir=<path>  size and free bytes of the filesystem holding <path>

Flags:
${formatFlagHelp(healthcheckFlags)}
  -h, --help  Show this help.
`;

export type HealthcheckOptions = {
  /** host undefined: every interface. */
  listen: { host: string | undefined; port: number };
  rpcHost: string;
  rpc: { host: string; port: number };
  timeoutMs: number;
  logFormat: LogFormat;
};

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Turns parsed flag values into options, or an error naming the flag and what it accepts. */
export function healthcheckOptionsFromFlags(v: FlagValues): HealthcheckOptions | { error: string } {
  const addr = String(v['addr']);
  const bound = addr === '0' ? undefined : parseBindAddress(addr);
  if (bound === undefined || bound === 'disabled' || 'error' in bound) {
    return { error: `invalid --addr "${addr}": use host:port or :port, with a port from 0 to 65535` };
  }

  const rpcHost = String(v['rpc-host']);
  const rpc = rpcEndpoint(rpcHost);
  if ('error' in rpc) return { error: `invalid --rpc-host "${rpcHost}": ${rpc.error}` };

  const timeout = String(v['timeout']);
  const parsed = parseGoDuration(timeout);
  if (!parsed.ok) return { error: `invalid --timeout "${timeout}": ${parsed.message}` };
  const timeoutMs = Number(parsed.nanoseconds) / 1e6;
  if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    // Go takes 0 and then answers 503 to every probe; a pod that can never be ready is better
    // refused at start, where the message is seen.
    return { error: `invalid --timeout "${timeout}": must be above 0 and at most 596h31m23s` };
  }

  return {
    listen: { host: addr.startsWith(':') ? undefined : bound.host, port: bound.port },
    rpcHost,
    rpc,
    timeoutMs,
    logFormat: v['log-format'] as LogFormat,
  };
}

/**
 * The host and port of an http:// URL; its path is ignored (Go asks `<scheme>://<host>/status`
 * whatever the path). Go parses it per request and answers 503 forever when it is not a URL;
 * here that is a start-up error.
 */
function rpcEndpoint(text: string): { host: string; port: number } | { error: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: 'not a URL such as http://localhost:26657' };
  }
  if (url.protocol !== 'http:') {
    return { error: `the scheme must be http (CometBFT's RPC beside the sidecar), not ${url.protocol.slice(0, -1)}` };
  }
  if (url.hostname === '') return { error: 'no host in the URL' };
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 80 : Number(url.port) };
}

type Output = { out: (text: string) => void; err: (text: string) => void };

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Go's srv.Shutdown deadline: requests in flight get this long once a stop signal arrives. */
const SHUTDOWN_GRACE_MS = 5000;

/** Serves until SIGTERM or SIGINT; returns the exit code (0 stopped, 1 cannot listen, 2 usage). */
export async function runHealthcheckCommand(argv: string[], io: Output = stdio): Promise<number> {
  const parsed = parseFlags(healthcheckFlags, argv);
  if (!parsed.ok || parsed.positionals.length > 0) {
    const error = parsed.ok ? `unexpected argument "${parsed.positionals[0]}"` : parsed.error;
    io.err(`healthcheck: ${error}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const options = healthcheckOptionsFromFlags(parsed.values);
  if ('error' in options) {
    io.err(`healthcheck: ${options.error}\n`);
    return 2;
  }

  const log = createLogger({ format: options.logFormat });
  // One per chain pod: a small heap matters more than the little CPU it costs here.
  preferSmallHeap();
  // Listening for the signals before the server starts: one that arrives meanwhile still stops it.
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
  });
  let server;
  try {
    server = await startHealthcheckServer({ ...options, log });
  } catch (err) {
    log.error('cannot start the healthcheck server', { error: err });
    return 1;
  }
  log.info('serving healthcheck', {
    address: `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`,
    rpcHost: options.rpcHost,
    timeoutMs: options.timeoutMs,
  });
  const signal = await stopped;
  log.info('stopping the healthcheck server', { signal });
  await server.close(SHUTDOWN_GRACE_MS);
  return 0;
}
