// Finds the six programs the control plane runs: prebuilt ones named by the environment, or the
// ones test/cluster/build.sh builds once into a cache outside the checkout. Also a real CometBFT
// (build-cometbft.sh), which no control plane needs: tests check the fake CometBFT against it.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOOLS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
] as const;
export type Tool = (typeof TOOLS)[number];

/** Absolute path of each tool, and the directory most of them came from (for cluster.json). */
export type Binaries = { dir: string; paths: Record<Tool, string> };

// envtest's asset directory (setup-envtest) holds exactly these three.
const ENVTEST_TOOLS: readonly Tool[] = ['etcd', 'kube-apiserver', 'kubectl'];

export const BUILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build.sh');
export const COMETBFT_BUILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-cometbft.sh');

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function present(dir: string, tools: readonly Tool[]): Promise<Tool[]> {
  const found: Tool[] = [];
  for (const t of tools) if (await isExecutable(path.join(dir, t))) found.push(t);
  return found;
}

/**
 * Resolution order, per tool:
 *  1. `KUBEBUILDER_ASSETS` (envtest convention): must hold etcd, kube-apiserver and kubectl;
 *     other tools found there are used too.
 *  2. `COSMOS_OPERATOR_K8S_BIN`: a directory with all six (an error names any that is missing).
 *  3. build.sh (cached; the first build takes minutes, progress goes to our stderr).
 */
export async function findBinaries(
  opts: { log?: (line: string) => void; env?: Record<string, string | undefined> } = {},
): Promise<Binaries> {
  const env = opts.env ?? process.env;
  const paths: Partial<Record<Tool, string>> = {};
  let dir = '';

  const assets = env.KUBEBUILDER_ASSETS;
  if (assets) {
    const found = await present(assets, TOOLS);
    const missing = ENVTEST_TOOLS.filter((t) => !found.includes(t));
    if (missing.length > 0) {
      throw new Error(
        `KUBEBUILDER_ASSETS=${assets} lacks ${missing.join(', ')} (expected executables etcd, kube-apiserver, kubectl)`,
      );
    }
    for (const t of found) paths[t] = path.join(assets, t);
    dir = assets;
  }

  const binDir = env.COSMOS_OPERATOR_K8S_BIN;
  if (binDir) {
    const found = await present(binDir, TOOLS);
    const missing = TOOLS.filter((t) => !found.includes(t) && !paths[t]);
    if (missing.length > 0) {
      throw new Error(
        `COSMOS_OPERATOR_K8S_BIN=${binDir} lacks ${missing.join(', ')} (it must hold executables ${TOOLS.join(', ')})`,
      );
    }
    for (const t of found) paths[t] ??= path.join(binDir, t);
    dir ||= binDir;
  }

  if (TOOLS.some((t) => !paths[t])) {
    const built = await runBuild(opts.log ?? ((l) => process.stderr.write(l + '\n')), env);
    const found = await present(built, TOOLS);
    const missing = TOOLS.filter((t) => !found.includes(t) && !paths[t]);
    if (missing.length > 0) throw new Error(`build.sh finished but ${built} lacks ${missing.join(', ')}`);
    for (const t of found) paths[t] ??= path.join(built, t);
    dir ||= built;
  }
  return { dir, paths: paths as Record<Tool, string> };
}

/**
 * The cometbft binary: `COSMOS_OPERATOR_COMETBFT` if set (a prebuilt one), else the one
 * build-cometbft.sh builds once (about 2 minutes on 2 cores; progress goes to our stderr).
 */
export async function findCometbft(
  opts: { log?: (line: string) => void; env?: Record<string, string | undefined> } = {},
): Promise<string> {
  const env = opts.env ?? process.env;
  const given = env.COSMOS_OPERATOR_COMETBFT;
  if (given) {
    if (!(await isExecutable(given))) throw new Error(`COSMOS_OPERATOR_COMETBFT=${given} is not an executable file`);
    return given;
  }
  const built = await runBuild(opts.log ?? ((l) => process.stderr.write(l + '\n')), env, COMETBFT_BUILD_SCRIPT);
  if (!(await isExecutable(built))) {
    throw new Error(`${COMETBFT_BUILD_SCRIPT} finished but ${built} is not an executable file`);
  }
  return built;
}

/** Runs a build script (a no-op when its cache is complete) and returns the path it prints last. */
export function runBuild(
  log: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
  script: string = BUILD_SCRIPT,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], env: env as NodeJS.ProcessEnv });
    let out = '';
    let errTail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8');
    let partial = '';
    child.stderr.on('data', (d: string) => {
      errTail = (errTail + d).slice(-4000);
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) log(l);
    });
    child.on('error', (e) => reject(new Error(`cannot run ${script}: ${e.message}`)));
    child.on('close', (code) => {
      if (partial) log(partial);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last) {
        reject(new Error(`${script} failed (exit ${code}); last output:\n${errTail}`));
      } else {
        resolve(last);
      }
    });
  });
}
