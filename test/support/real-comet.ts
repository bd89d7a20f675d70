// A real single-validator CometBFT node on 127.0.0.1 (the binary from test/cluster's
// findCometbft), to check the fake one (fake-comet.ts) and our client against the real wire
// format. The built-in kvstore app stands in for a Cosmos SDK chain: /status comes from
// CometBFT, not from the app.
//
//   const node = await startRealComet(await findCometbft());
//   await fetchCometStatus(node.host, node.rpcPort);  …  await node.stop();
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PORT_LOCK_DIR, releasePorts, reservePorts } from '../cluster/ports.ts';
import { startReaper } from '../cluster/supervisor.ts';

export type RealComet = {
  readonly host: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  /** `chain_id` of the genesis `cometbft init` generated. */
  readonly chainId: string;
  readonly home: string;
  /** The node's log so far. */
  log(): string;
  /** Stops the node (SIGTERM, SIGKILL after 5 s) and removes its home. Idempotent. */
  stop(): Promise<void>;
};

export type RealCometOptions = {
  /** consensus.timeout_commit, the pause after each block: 200ms (CometBFT's default, 1 s, makes tests wait for heights). */
  timeoutCommit?: string;
  /** How long to wait for the first blocks; 60 s (a loaded 2-core machine). */
  readyTimeoutMs?: number;
};

/** Starts a node and resolves once its RPC reports a block height of at least 2. */
export async function startRealComet(binary: string, options: RealCometOptions = {}): Promise<RealComet> {
  const host = '127.0.0.1';
  const home = await mkdtemp(path.join(os.tmpdir(), 'cosmos-operator-cometbft-'));
  const logFile = path.join(home, 'cometbft.log');
  const [rpcPort, p2pPort] = (await reservePorts(2)) as [number, number];
  let node: ChildProcess | undefined;
  let reaper: number | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopped: Promise<void> | undefined;

  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };

  const stop = () => (stopped ??= (async () => {
    try {
      if (reaper !== undefined) process.kill(reaper, 'SIGKILL');
    } catch {
      // already gone
    }
    if (node?.pid !== undefined && node.exitCode === null && node.signalCode === null) {
      node.kill('SIGTERM');
      const timer = setTimeout(() => node?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', onExit);
    releasePorts([rpcPort, p2pPort]);
    rmSync(home, { recursive: true, force: true });
  })());
  const onExit = () => {
    node?.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  try {
    await promisify(execFile)(binary, ['init', '--home', home]);
    const configFile = path.join(home, 'config', 'config.toml');
    const config = await readFile(configFile, 'utf8');
    const fast = config.replace(/^timeout_commit = .*$/m, `timeout_commit = "${options.timeoutCommit ?? '200ms'}"`);
    if (fast === config) throw new Error(`no timeout_commit line in ${configFile}`);
    await writeFile(configFile, fast);
    const genesis = JSON.parse(await readFile(path.join(home, 'config', 'genesis.json'), 'utf8')) as {
      chain_id: string;
    };

    const out = openSync(logFile, 'a');
    try {
      node = spawn(
        binary,
        [
          'start',
          '--home',
          home,
          '--proxy_app=kvstore',
          '--rpc.laddr',
          `tcp://${host}:${rpcPort}`,
          '--p2p.laddr',
          `tcp://${host}:${p2pPort}`,
        ],
        // Its own process group, so the reaper below can kill it as it kills the control plane's.
        { stdio: ['ignore', out, out], detached: true },
      );
    } finally {
      closeSync(out);
    }
    const child = node;
    let spawnError: Error | undefined;
    // A spawn that fails (ENOENT, EACCES) emits "error" and never "exit".
    exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (err) => {
        spawnError = err;
        resolve();
      });
    });
    // The "exit" hook above misses a test process killed by a signal (a runner's timeout): the
    // control plane's reaper (supervisor.ts) outlives it, then kills the node and removes its
    // home and port locks.
    if (child.pid !== undefined) {
      const pidsFile = path.join(home, 'pids');
      writeFileSync(pidsFile, `${child.pid}\n`);
      const locks = [rpcPort, p2pPort].map((p) => path.join(PORT_LOCK_DIR, `${p}.lock`));
      reaper = startReaper({ harnessPid: process.pid, pidsFile, removePaths: [home, ...locks] });
    }

    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (spawnError) throw new Error(`cannot start ${binary}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `cometbft exited (${child.exitCode ?? child.signalCode}) before producing blocks; log:\n${tail(log())}`,
        );
      }
      const height = await blockHeight(host, rpcPort);
      if (typeof height === 'number' && height >= 2) break;
      if (Date.now() > deadline) {
        const why = typeof height === 'number' ? `height ${height}` : height;
        throw new Error(`cometbft on ${host}:${rpcPort} produced no blocks in time (${why}); log:\n${tail(log())}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { host, rpcPort, p2pPort, chainId: genesis.chain_id, home, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The node's height, or why there is none. Read here rather than through src/cosmos, so a bug in
 * the client under test fails the test that shows it, not the start-up.
 */
function blockHeight(host: string, port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/status', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const height = (JSON.parse(body) as { result?: { sync_info?: { latest_block_height?: unknown } } }).result
            ?.sync_info?.latest_block_height;
          resolve(
            typeof height === 'string' && /^\d+$/.test(height)
              ? Number(height)
              : `HTTP ${res.statusCode}, latest_block_height ${String(height)}`,
          );
        } catch {
          resolve(`HTTP ${res.statusCode}, not JSON: ${body.slice(0, 200)}`);
        }
      });
      res.on('error', (err) => resolve(err.message));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 2 s')));
    req.on('error', (err) => resolve(err.message));
  });
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
