// npm run cluster -- up [--detach] [--nodes N] [--keep] [--crds volumesnapshot,cert-manager,servicemonitor]
// npm run cluster -- env      prints `export KUBECONFIG=...` and `export COSMOS_TEST_CLUSTER=...`
// npm run cluster -- down     stops the cluster `up` started
//
// A control plane for working by hand or for running single test files against it. `up` runs in
// the foreground until Ctrl-C; its state lives in <repo>/.cluster/ (gitignored): `pid` (the
// harness process), and links `kubeconfig` and `cluster.json` into the plane's directory.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from './control-plane.ts';
import type { ThirdPartyCRDSet } from './third-party-crds.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const STATE = path.resolve(HERE, '../../.cluster');
const PID_FILE = path.join(STATE, 'pid');
const KUBECONFIG_LINK = path.join(STATE, 'kubeconfig');
const CLUSTER_LINK = path.join(STATE, 'cluster.json');
const UP_LOG = path.join(STATE, 'up.log');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(): number | undefined {
  try {
    const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
    return pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function exports(): string {
  return [
    `export KUBECONFIG=${KUBECONFIG_LINK}`,
    `export COSMOS_TEST_CLUSTER=${readlinkSync(CLUSTER_LINK)}`,
  ].join('\n');
}

function clearState(): void {
  for (const f of [PID_FILE, KUBECONFIG_LINK, CLUSTER_LINK]) rmSync(f, { force: true });
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function up(args: string[]): Promise<void> {
  const pid = runningPid();
  if (pid) {
    console.error(`a cluster is already running (pid ${pid}); stop it with: npm run cluster -- down`);
    console.log(exports());
    process.exit(1);
  }
  mkdirSync(STATE, { recursive: true });
  if (args.includes('--detach')) return detach(args.filter((a) => a !== '--detach'));

  clearState();
  const nodes = flag(args, '--nodes');
  const crds = flag(args, '--crds');
  const cp = await startControlPlane({
    ...(nodes ? { nodes: Number(nodes) } : {}),
    ...(crds ? { crds: crds.split(',') as ThirdPartyCRDSet[] } : {}),
    keep: args.includes('--keep') || undefined,
    handleSignals: false,
  });
  writeFileSync(PID_FILE, `${process.pid}\n`);
  symlinkSync(cp.kubeconfig, KUBECONFIG_LINK);
  symlinkSync(cp.stateFile, CLUSTER_LINK);
  const shutdown = (signal: string) => {
    console.error(`[cluster] ${signal}: stopping`);
    void cp.stop().finally(() => {
      clearState();
      console.error('[cluster] stopped');
      process.exit(0);
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGHUP', () => shutdown('SIGHUP'));
  console.log(
    `${exports()}\n# directory ${cp.dir}; logs in ${cp.dir}/logs; Ctrl-C (or npm run cluster -- down) stops it`,
  );
  setInterval(() => {}, 1 << 30); // stay up
}

/** Starts `up` in a new session with output to .cluster/up.log, and returns once it is ready. */
async function detach(args: string[]): Promise<void> {
  clearState();
  const out = openSync(UP_LOG, 'w');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'up', ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  let exited = false;
  child.on('exit', () => (exited = true));
  const started = Date.now();
  while (!(existsSync(CLUSTER_LINK) && runningPid() === child.pid)) {
    if (exited || Date.now() - started > 20 * 60_000) {
      console.error(
        `the cluster did not start; ${UP_LOG}:\n${readFileSync(UP_LOG, 'utf8').split('\n').slice(-40).join('\n')}`,
      );
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(
    `${exports()}\n# running in the background (pid ${child.pid}, log ${UP_LOG}); stop it with: npm run cluster -- down`,
  );
  process.exit(0);
}

async function down(): Promise<void> {
  const pid = runningPid();
  if (!pid) {
    clearState();
    console.error('no cluster is running');
    return;
  }
  process.kill(pid, 'SIGTERM');
  const started = Date.now();
  while (alive(pid) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) {
    // The plane's reaper notices the harness is gone and kills what is left.
    process.kill(pid, 'SIGKILL');
    console.error(`pid ${pid} ignored SIGTERM for 20 s; killed it`);
  }
  clearState();
  console.error('stopped');
}

function env(): void {
  if (!runningPid() || !existsSync(CLUSTER_LINK)) {
    console.error('no cluster is running; start one with: npm run cluster -- up');
    process.exit(1);
  }
  console.log(exports());
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'up':
    await up(rest);
    break;
  case 'down':
    await down();
    break;
  case 'env':
    env();
    break;
  default:
    console.error('usage: npm run cluster -- up [--detach] [--nodes N] [--keep] [--crds a,b] | env | down');
    process.exit(2);
}
