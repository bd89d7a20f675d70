// `npm test`: every check, in order, with one summary at the end.
//   1. type checking (tsc --noEmit), then format, lint and layer checks (tools/lint.ts)
//   2. unit tests on Node, then on Deno
//   3. one real control plane for the whole run (test/cluster), then the integration tests
//      on Node, and the src/kube and webhook integration tests on Deno
// One shared control plane per run, not per file: starting one costs seconds of etcd and
// API-server boot on a 2-core machine, and tests isolate themselves by namespace. Integration
// files run one at a time, because some kill and restart the shared kube-apiserver.
//
// Usage: node test/run.ts [all|unit|integration]   (default all)
import { spawn } from 'node:child_process';
import { join } from 'node:path';

type Leg = { name: string; passed: number; failed: number; skipped: number; ok: boolean };

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
const scope = process.argv[2] ?? 'all';
if (!['all', 'unit', 'integration'].includes(scope)) {
  process.stderr.write(`usage: node test/run.ts [all|unit|integration]\n`);
  process.exit(2);
}

const legs: Leg[] = [];

/** Runs a command, streaming its output, and returns its exit code and text. */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...env, PATH: `${bin}:${env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
      process.stderr.write(d);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

function banner(text: string): void {
  process.stdout.write(`\n==> ${text}\n`);
}

/** node:test's spec reporter ends with "ℹ pass N" / "ℹ fail N" / "ℹ skipped N" / "ℹ todo N". */
function nodeCounts(out: string): Omit<Leg, 'name' | 'ok'> {
  const num = (label: string) => last(out, label);
  return { passed: num('pass'), failed: num('fail') + num('cancelled'), skipped: num('skipped') + num('todo') };
}

function last(out: string, label: string): number {
  const re = new RegExp(`^\\S+ ${label} (\\d+)$`, 'gm');
  let n = 0;
  for (const m of out.matchAll(re)) n = Number(m[1]);
  return n;
}

/** deno test ends with "ok | 12 passed (40 steps) | 0 failed | 1 ignored". Steps are our it()s. */
function denoCounts(out: string): Omit<Leg, 'name' | 'ok'> {
  const line = [...out.matchAll(/^(?:ok|FAILED) \|.*$/gm)].pop()?.[0] ?? '';
  const pick = (re: RegExp) => Number(re.exec(line)?.[1] ?? 0);
  const steps = (word: string) => {
    const m = new RegExp(`(\\d+) ${word} \\((\\d+) steps?\\)`).exec(line);
    return m ? Number(m[2]) : pick(new RegExp(`(\\d+) ${word}`));
  };
  return { passed: steps('passed'), failed: steps('failed'), skipped: pick(/(\d+) ignored/) };
}

async function nodeTests(
  name: string,
  patterns: string[],
  env?: NodeJS.ProcessEnv,
  concurrency?: number,
): Promise<void> {
  banner(`${name} (Node ${process.versions.node})`);
  const limit = concurrency ? [`--test-concurrency=${concurrency}`] : [];
  const { code, out } = await run(join(bin, 'node'), ['--test', '--test-reporter=spec', ...limit, ...patterns], env);
  const counts = nodeCounts(out);
  legs.push({ name, ...counts, ok: code === 0 });
}

async function denoTests(name: string, dirs: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  banner(`${name} (Deno)`);
  const { code, out } = await run(join(bin, 'deno'), ['test', '-A', '--no-check', ...dirs], {
    ...(env ?? process.env),
    NO_COLOR: '1',
  });
  legs.push({ name, ...denoCounts(out), ok: code === 0 });
}

async function main(): Promise<number> {
  banner('type check (tsc --noEmit)');
  const tsc = await run(join(bin, 'tsc'), ['--noEmit', '-p', '.']);
  legs.push({
    name: 'type check',
    passed: tsc.code === 0 ? 1 : 0,
    failed: tsc.code === 0 ? 0 : 1,
    skipped: 0,
    ok: tsc.code === 0,
  });

  banner('format, lint, layers, unused exports (tools/lint.ts)');
  const lint = await run(join(bin, 'node'), [join(root, 'tools', 'lint.ts')]);
  legs.push({
    name: 'lint',
    passed: lint.code === 0 ? 1 : 0,
    failed: lint.code === 0 ? 0 : 1,
    skipped: 0,
    ok: lint.code === 0,
  });

  if (scope !== 'integration') {
    await nodeTests('unit tests on Node', ['test/unit/**/*.test.ts']);
    await denoTests('unit tests on Deno', ['test/unit/']);
  }

  if (scope !== 'unit') {
    banner('starting a control plane for the integration tests');
    const { startControlPlane } = await import('./cluster/control-plane.ts');
    const plane = await startControlPlane({ log: (line: string) => process.stdout.write(`[cluster] ${line}\n`) });
    const env = { ...process.env, COSMOS_TEST_CLUSTER: plane.stateFile, KUBECONFIG: plane.kubeconfig };
    try {
      await nodeTests(
        'integration and e2e tests on Node',
        ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
        env,
        1,
      );
      await denoTests('integration tests on Deno (src/kube, webhooks)', [
        'test/integration/kube/',
        'test/integration/webhooks/',
      ], env);
    } finally {
      await plane.stop();
    }
  }

  banner('summary');
  for (const l of legs) {
    process.stdout.write(
      `${l.ok ? 'ok  ' : 'FAIL'}  ${l.name}: ${l.passed} passed, ${l.failed} failed, ${l.skipped} skipped\n`,
    );
  }
  const total = legs.reduce((a, l) => ({ p: a.p + l.passed, f: a.f + l.failed, s: a.s + l.skipped }), {
    p: 0,
    f: 0,
    s: 0,
  });
  const allOk = legs.every((l) => l.ok);
  // A leg can fail without a counted test failure (a file that does not load); count it.
  const failed = total.f + legs.filter((l) => !l.ok && l.failed === 0).length;
  process.stdout.write(`${total.p} passed, ${failed} failed, ${total.s} skipped\n`);
  return allOk ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.stdout.write(`0 passed, 1 failed, 0 skipped\n`);
    process.exit(1);
  },
);
