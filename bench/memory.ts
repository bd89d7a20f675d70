// Memory benchmark (docs/architecture.md §6.1: resident set with 1,000 CosmosFullNodes × 3 replicas
// in the cache; this script still checks the earlier 200 MB target). Starts a real control plane,
// runs the real operator program as a separate process, applies N CosmosFullNodes × R replicas on
// fake CometBFT nodes, waits until every status is Complete, lets it settle (forcing nothing: no GC
// call, no restart), then reads the operator's resident set from /proc/<pid>/status (VmRSS now,
// VmHWM the peak) and its JS heap from /metrics. Beside it, a baseline measured in the same run
// against the same API server: the same program with nothing to manage (--watch-namespace of an
// empty namespace).
//
// The operator runs with the manager container's env from deploy/manager/manager.yaml
// (MALLOC_ARENA_MAX), and as docs/install.md tells an image to run it: with Node's compile cache
// (NODE_COMPILE_CACHE) warmed by `cosmos-operator version`, so the sources' stripped form comes
// from disk and Node's TypeScript stripper (a WebAssembly module that stays resident once
// loaded) is never loaded. `--compile-cache off` measures the program without it.
//
// Usage: node bench/memory.ts [--fullnodes 1000] [--replicas 3] [--settle 30] [--limit-minutes 30] [--heap-snapshot DIR] [--compile-cache DIR|off] [--env KEY=VALUE …]
// --heap-snapshot also writes a V8 heap snapshot of the loaded operator into DIR after measuring
// (open it in Chrome DevTools' Memory tab to see what holds the heap).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load as loadYaml } from 'js-yaml';
import { type ControlPlane, startControlPlane } from '../test/cluster/control-plane.ts';
import { apiJson } from '../test/cluster/kube-http.ts';
import { fakeCometForPods } from '../test/support/fake-comet.ts';
import { type OperatorProcess, portOf, startOperator } from '../test/support/operator-process.ts';
import { CRD_FILES } from '../test/support/webhooks.ts';
import { benchFullNode } from './fullnode-fixture.ts';

const { values } = parseArgs({
  options: {
    fullnodes: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '3' },
    settle: { type: 'string', default: '30' },
    'limit-minutes': { type: 'string', default: '30' },
    'heap-snapshot': { type: 'string' },
    'compile-cache': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const fullnodes = Number(values.fullnodes);
const replicas = Number(values.replicas);
const settleSeconds = Number(values.settle);
const limitMs = Number(values['limit-minutes']) * 60_000;
const TARGET_MB = 200;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => `${n.toFixed(1)} MB`;

const OWNED = 'app.kubernetes.io/created-by=cosmos-operator';
/** What the fullnode controller caches: the CRs, and children of these kinds carrying OWNED. */
const CHILD_PATHS = ['pods', 'persistentvolumeclaims', 'configmaps', 'services', 'secrets', 'serviceaccounts']
  .map((p) => (ns: string) => `/api/v1/namespaces/${ns}/${p}`)
  .concat(
    ['roles', 'rolebindings'].map((p) => (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/${p}`),
  );

type Sample = {
  rssMB: number;
  peakMB: number;
  anonMB: number;
  fileMB: number;
  heapUsedMB?: number;
  heapTotalMB?: number;
  externalMB?: number;
};

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM of a process, and how VmRSS splits: anonymous (heaps, malloc) and file-backed (the binary's code, shared libraries), in MB. */
function residentSet(pid: number): { rssMB: number; peakMB: number; anonMB: number; fileMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return {
    rssMB: kB('VmRSS') / 1024,
    peakMB: kB('VmHWM') / 1024,
    anonMB: kB('RssAnon') / 1024,
    fileMB: kB('RssFile') / 1024,
  };
}

/** prom-client's process metrics (collectDefaultMetrics), when /metrics answers. */
async function heapOf(metricsAddress: string): Promise<Pick<Sample, 'heapUsedMB' | 'heapTotalMB' | 'externalMB'>> {
  try {
    const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
    const metric = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) / 2 ** 20 : undefined;
    };
    const out: Pick<Sample, 'heapUsedMB' | 'heapTotalMB' | 'externalMB'> = {};
    const used = metric('nodejs_heap_size_used_bytes');
    const total = metric('nodejs_heap_size_total_bytes');
    const external = metric('nodejs_external_memory_bytes');
    if (used !== undefined) out.heapUsedMB = used;
    if (total !== undefined) out.heapTotalMB = total;
    if (external !== undefined) out.externalMB = external;
    return out;
  } catch {
    return {};
  }
}

/** V8's heap spaces (used/committed MB), from prom-client's nodejs_heap_space_size_* gauges. */
async function heapSpaces(metricsAddress: string): Promise<string> {
  try {
    const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
    const bySpace = (metric: string) =>
      new Map(
        [...text.matchAll(new RegExp(`^${metric}\\{space="([^"]+)"\\} (\\S+)$`, 'gm'))].map((
          m,
        ) => [m[1]!, Number(m[2]) / 2 ** 20]),
      );
    const used = bySpace('nodejs_heap_space_size_used_bytes');
    const total = bySpace('nodejs_heap_space_size_total_bytes');
    return [...total].filter(([, t]) => t >= 0.5).map(([space, t]) =>
      `${space} ${(used.get(space) ?? 0).toFixed(1)}/${t.toFixed(1)}`
    ).join(', ');
  } catch {
    return 'n/a';
  }
}

/** Several readings a few seconds apart; the figure is their median (the peak is the highest VmHWM). */
async function measure(op: OperatorProcess, metricsAddress: string, samples = 5, gapMs = 3000): Promise<Sample> {
  const taken: Sample[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(gapMs);
    taken.push({ ...residentSet(op.child.pid!), ...(await heapOf(metricsAddress)) });
  }
  const median = (pick: (s: Sample) => number | undefined) => {
    const xs = taken.map(pick).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    return xs.length ? xs[Math.floor(xs.length / 2)] : undefined;
  };
  const out: Sample = {
    rssMB: median((s) => s.rssMB)!,
    peakMB: Math.max(...taken.map((s) => s.peakMB)),
    anonMB: median((s) => s.anonMB)!,
    fileMB: median((s) => s.fileMB)!,
  };
  const heapUsed = median((s) => s.heapUsedMB);
  const heapTotal = median((s) => s.heapTotalMB);
  const external = median((s) => s.externalMB);
  if (heapUsed !== undefined) out.heapUsedMB = heapUsed;
  if (heapTotal !== undefined) out.heapTotalMB = heapTotal;
  if (external !== undefined) out.externalMB = external;
  say(`  samples (RSS MB): ${taken.map((s) => s.rssMB.toFixed(1)).join(', ')}`);
  say(`  V8 heap spaces (used/committed MB): ${await heapSpaces(metricsAddress)}`);
  return out;
}

function describe(s: Sample): string {
  const heap = s.heapUsedMB !== undefined
    ? `, JS heap ${mb(s.heapUsedMB)} used of ${mb(s.heapTotalMB ?? NaN)}, external ${mb(s.externalMB ?? NaN)}`
    : '';
  return `RSS ${mb(s.rssMB)} (peak ${mb(s.peakMB)}; anonymous ${mb(s.anonMB)}, file-backed ${mb(s.fileMB)})${heap}`;
}

function operatorIn(plane: ControlPlane, namespace: string, env: NodeJS.ProcessEnv = process.env): OperatorProcess {
  return startOperator(
    [
      'manager',
      `--kubeconfig=${plane.kubeconfig}`,
      '--webhook-port=0',
      `--watch-namespace=${namespace}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
    ],
    env,
  );
}

/** Waits until the operator's caches have synced; returns its metrics address. */
async function started(op: OperatorProcess): Promise<string> {
  const metrics = await op.waitForLog((r) => r.msg === 'serving metrics', 60_000);
  await op.waitForLog((r) => r.msg === 'caches synced; starting workers', 120_000);
  return `127.0.0.1:${portOf(metrics)}`;
}

/** Signals the operator to write a heap snapshot and waits until the file is complete. */
async function heapSnapshot(op: OperatorProcess, dir: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  op.child.kill('SIGUSR2');
  let size = -1;
  for (let i = 0; i < 120; i++) {
    await sleep(2000);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    // Complete once its size stops changing.
    const now = statSync(`${dir}/${file}`).size;
    if (now > 0 && now === size) {
      say(`heap snapshot: ${dir}/${file}`);
      return;
    }
    size = now;
  }
  say('heap snapshot: none written within 120 s');
}

async function countCached(plane: ControlPlane, ns: string): Promise<{ total: number; byKind: string[] }> {
  const byKind: string[] = [];
  let total = 0;
  const crs = await apiJson<{ items: unknown[] }>(
    plane.admin,
    'GET',
    `/apis/cosmos.strange.love/v1/namespaces/${ns}/cosmosfullnodes`,
  );
  total += crs.items.length;
  byKind.push(`cosmosfullnodes ${crs.items.length}`);
  for (const path of CHILD_PATHS) {
    const p = path(ns);
    const list = await apiJson<{ items: unknown[] }>(
      plane.admin,
      'GET',
      `${p}?labelSelector=${encodeURIComponent(OWNED)}`,
      { timeoutMs: 120_000 },
    );
    total += list.items.length;
    byKind.push(`${p.slice(p.lastIndexOf('/') + 1)} ${list.items.length}`);
  }
  return { total, byKind };
}

/** The literal `env` values of the Deployment's manager container (deploy/manager/manager.yaml). */
function deploymentEnv(): Record<string, string> {
  const file = join(import.meta.dirname, '..', 'deploy', 'manager', 'manager.yaml');
  const deployment = loadYaml(readFileSync(file, 'utf8')) as {
    spec: {
      template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> } };
    };
  };
  const manager = deployment.spec.template.spec.containers.find((c) => c.name === 'manager');
  if (!manager) throw new Error(`${file}: no container "manager"`);
  return Object.fromEntries((manager.env ?? []).flatMap((e) => (e.value !== undefined ? [[e.name, e.value]] : [])));
}

/** The environment the operator runs in: the Deployment's, `--env`, and a compile cache warmed as an image build would warm it, unless `off`. */
function operatorEnv(): NodeJS.ProcessEnv {
  const deployed = deploymentEnv();
  say(
    `operator environment from deploy/manager/manager.yaml: ${
      Object.entries(deployed).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'
    }`,
  );
  const extra = Object.fromEntries(
    values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  if (values.env.length > 0) say(`operator environment adds: ${values.env.join(' ')}`);
  const base = { ...process.env, ...deployed, ...extra };
  const choice = values['compile-cache'];
  if (choice === 'off') {
    say('Node compile cache: off (the stripper loads)');
    const { NODE_COMPILE_CACHE: _, ...rest } = base;
    return rest;
  }
  const dir = choice ?? mkdtempSync(join(tmpdir(), 'cosmos-operator-compile-cache-'));
  const env = { ...base, NODE_COMPILE_CACHE: dir };
  const warm = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'src', 'main.ts'), 'version'], {
    env,
    encoding: 'utf8',
  });
  if (warm.status !== 0) throw new Error(`warming the compile cache failed: ${warm.stderr}`);
  say(`Node compile cache: ${dir}, warmed by \`cosmos-operator version\` (docs/install.md, The image)`);
  return env;
}

async function main(): Promise<void> {
  const want = fullnodes * replicas;
  const env = operatorEnv();
  // 3 kwok nodes, room for every pod (the harness's default is 1,000 pods per node).
  const plane = await startControlPlane({
    handleSignals: true,
    nodeCapacity: { pods: String(Math.max(1000, Math.ceil(want / 3) + 100)) },
    log: (l) => say(`[cluster] ${l}`),
  });
  try {
    await plane.installCRDs(CRD_FILES);
    for (const ns of ['empty', 'memory']) await plane.kubectl(['create', 'namespace', ns]);

    // Baseline: the same program against the same API server, with nothing to manage.
    say(`baseline: the operator watching the empty namespace; settling ${settleSeconds} s`);
    const idle = operatorIn(plane, 'empty', env);
    let baseline: Sample;
    try {
      const metrics = await started(idle);
      await sleep(settleSeconds * 1000);
      baseline = await measure(idle, metrics);
      say(`baseline: ${describe(baseline)}`);
    } finally {
      await idle.stop();
    }

    // The operator under load, its pods answered by fake CometBFT nodes.
    const comets = fakeCometForPods(plane, 'memory', OWNED, { initial: () => ({ height: 1000 }) });
    const snapshotDir = values['heap-snapshot'];
    const snapshotEnv = snapshotDir
      ? {
        ...env,
        NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`,
      }
      : env;
    const op = operatorIn(plane, 'memory', snapshotEnv);
    try {
      const metrics = await started(op);
      await sleep(5000);
      const before = residentSet(op.child.pid!);
      say(`operator watching "memory" before anything is applied: RSS ${mb(before.rssMB)}`);

      const t0 = Date.now();
      const cpu0 = cpuSeconds(op.child.pid!);
      for (let from = 0; from < fullnodes; from += 100) {
        const batch = Array.from(
          { length: Math.min(100, fullnodes - from) },
          (_, i) => JSON.stringify(benchFullNode('memory', from + i, replicas, plane.storageClass)),
        );
        const created = await plane.kubectl(['create', '-f', '-'], { input: batch.join('\n'), timeoutMs: 300_000 });
        if (created.code !== 0) throw new Error(created.stderr);
      }
      say(
        `applied ${fullnodes} CosmosFullNodes × ${replicas} replicas in ${
          ((Date.now() - t0) / 1000).toFixed(1)
        } s; waiting for every status to be Complete`,
      );

      let complete = 0;
      let lastLine = 0;
      for (;;) {
        const list = await apiJson<{ items: Array<{ status?: { phase?: string } }> }>(
          plane.admin,
          'GET',
          '/apis/cosmos.strange.love/v1/namespaces/memory/cosmosfullnodes',
          { timeoutMs: 60_000 },
        );
        complete = list.items.filter((i) => i.status?.phase === 'Complete').length;
        if (complete === fullnodes) break;
        if (Date.now() - t0 > limitMs) break;
        if (Date.now() - lastLine >= 15_000) {
          lastLine = Date.now();
          const { rssMB } = residentSet(op.child.pid!);
          say(
            `  ${
              ((Date.now() - t0) / 1000).toFixed(0)
            } s: ${complete}/${fullnodes} Complete, ${comets.all().size}/${want} pods answering CometBFT, operator RSS ${
              mb(rssMB)
            }`,
          );
        }
        await sleep(2000);
      }
      const converged = complete === fullnodes;
      const convergeSeconds = (Date.now() - t0) / 1000;
      const convergeCpu = cpuSeconds(op.child.pid!) - cpu0;
      if (converged) say(`all ${fullnodes} Complete at ${convergeSeconds.toFixed(1)} s; settling ${settleSeconds} s`);
      else {say(
          `NOT CONVERGED: ${complete}/${fullnodes} Complete after ${
            (limitMs / 60_000).toFixed(0)
          } min; measuring what is there (use a smaller --fullnodes)`,
        );}
      await sleep(settleSeconds * 1000);

      const cached = await countCached(plane, 'memory');
      const loaded = await measure(op, metrics);
      const overBaseline = loaded.rssMB - baseline.rssMB;
      say(
        `\nmemory benchmark: ${fullnodes} CosmosFullNodes × ${replicas} replicas (${complete} Complete${
          converged ? `, converged in ${convergeSeconds.toFixed(1)} s` : ', NOT converged'
        }), Node ${process.versions.node}`,
      );
      say(
        `objects in the operator's caches: ${cached.total} (${
          cached.byKind.join(', ')
        }; counted from the API server with the caches' selectors)`,
      );
      say(`operator:  ${describe(loaded)}`);
      say(`operator CPU while converging: ${convergeCpu.toFixed(1)} s`);
      say(`baseline:  ${describe(baseline)}  (same program, nothing to manage)`);
      say(
        `the caches and their work: ${mb(overBaseline)} over the baseline, ${
          ((overBaseline * 1024) / Math.max(cached.total, 1)).toFixed(1)
        } KB per cached object`,
      );
      say(
        `\nmemory: ${mb(loaded.rssMB)} with ${fullnodes}×${replicas}, ${mb(baseline.rssMB)} empty, ratio ${
          (loaded.rssMB / TARGET_MB).toFixed(2)
        } to the ${TARGET_MB} MB target (peak ${mb(loaded.peakMB)}, ratio ${(loaded.peakMB / TARGET_MB).toFixed(2)})`,
      );
      if (snapshotDir) await heapSnapshot(op, snapshotDir);
      if (!converged) process.exitCode = 1;
    } finally {
      await op.stop();
      await comets.close();
    }
  } finally {
    await plane.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`memory benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
