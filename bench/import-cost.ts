// What loading code costs in resident memory, before any object is cached (docs/architecture.md
// §6.2): a bare process, @kubernetes/client-node alone,
// and the operator program's own import graph (src/main.ts, all of whose imports are static).
// Each case runs in a fresh process that records every module it loads; the report says which
// packages under node_modules the operator's graph pulls in, so a dependency that should stay
// out of the runtime (client-node) is seen at once.
//
// Usage: node bench/import-cost.ts          (parent: runs the cases, prints a table)
// Internal: node bench/import-cost.ts case <bare|client-node|operator>
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(import.meta.dirname, '..');
const cases = ['bare', 'client-node', 'operator'] as const;
type Case = (typeof cases)[number];
type Report = { case: Case; rssMB: number; heapMB: number; modules: number; packages: Record<string, number> };

const statusField = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

/** The package a module URL belongs to ("@kubernetes/client-node", "hono"), or undefined for our own sources. */
function packageOf(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = fileURLToPath(url);
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = path.slice(at + '/node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

async function runCase(which: Case): Promise<void> {
  const loaded = new Set<string>();
  registerHooks({
    load(url, context, next) {
      loaded.add(url);
      return next(url, context);
    },
  });
  // The operator's main module runs its command on import and exits: report from the exit handler.
  process.on('exit', () => {
    const packages: Record<string, number> = {};
    for (const url of loaded) {
      const p = packageOf(url);
      if (p) packages[p] = (packages[p] ?? 0) + 1;
    }
    const report: Report = {
      case: which,
      rssMB: statusField('VmRSS'),
      heapMB: process.memoryUsage().heapUsed / 2 ** 20,
      modules: loaded.size,
      packages,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  });
  if (which === 'client-node') await import('@kubernetes/client-node');
  if (which === 'operator') {
    // `version` loads the whole static graph of src/main.ts (the manager's included), prints, exits.
    process.argv = [process.argv[0]!, join(root, 'src', 'main.ts'), 'version'];
    await import('../src/main.ts');
  }
}

function runParent(): void {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Node ${process.versions.node}; resident set right after loading, each case in a fresh process`);
  const reports: Report[] = [];
  for (const c of cases) {
    const out = spawnSync(process.execPath, [import.meta.filename, 'case', c], { cwd: root, encoding: 'utf8' });
    const line = out.stdout.trim().split('\n').pop() ?? '';
    if (out.status !== 0 || !line.startsWith('{')) {
      throw new Error(`case ${c} failed (exit ${out.status}): ${out.stderr}`);
    }
    reports.push(JSON.parse(line) as Report);
  }
  for (const r of reports) {
    say(
      `${r.case.padEnd(12)} RSS ${r.rssMB.toFixed(0).padStart(4)} MB   heap ${
        r.heapMB.toFixed(1).padStart(5)
      } MB   ${r.modules} modules`,
    );
  }
  const op = reports.find((r) => r.case === 'operator')!;
  say(`\npackages in the operator's import graph (modules loaded):`);
  for (const [p, n] of Object.entries(op.packages).sort((a, b) => b[1] - a[1])) say(`  ${p}: ${n}`);
  const clientNode = op.packages['@kubernetes/client-node'];
  say(
    `\n@kubernetes/client-node in the operator's runtime graph: ${clientNode ? `yes (${clientNode} modules)` : 'no'}`,
  );
}

if (process.argv[2] === 'case') await runCase(process.argv[3] as Case);
else runParent();
