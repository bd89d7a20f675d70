// `npm run lint`, and a leg of `npm test`: the checks that keep the tree as docs/architecture.md
// describes it, each of which fails the run.
//   1. deno fmt --check: one format for all TypeScript (deno.json: 120 columns, single quotes)
//   2. deno lint: the recommended rules, unused variables among them (deno.json says which are off, and why)
//   3. tools/layers.ts: every import points down a layer, and no files import each other in a loop
//   4. tools/unused-exports.ts: no export that nothing uses
// deno fmt and deno lint need no dependency of their own: Deno is one already, for running the
// tests on Deno. Prettier and ESLint would add two toolchains to do the same.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
const checks: [string, string, string[]][] = [
  ['format', join(bin, 'deno'), ['fmt', '--check']],
  ['lint', join(bin, 'deno'), ['lint']],
  ['layers', process.execPath, [join(root, 'tools', 'layers.ts')]],
  ['exports', process.execPath, [join(root, 'tools', 'unused-exports.ts')]],
];

let failed = 0;
for (const [name, cmd, args] of checks) {
  const run = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  const ok = run.status === 0;
  if (!ok) failed++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${name}\n`);
}
if (failed > 0) {
  process.stdout.write(`\n${failed} check(s) failed. \`node_modules/.bin/deno fmt\` formats the tree.\n`);
  process.exit(1);
}
