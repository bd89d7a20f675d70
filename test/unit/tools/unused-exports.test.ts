import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findUnusedExports } from '../../../tools/unused-exports.ts';

const root = join(import.meta.dirname, '..', '..', '..');

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'unused-exports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('findUnusedExports', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('finds no unused export in this tree', () => {
    assert.deepEqual(findUnusedExports(root), []);
  });

  it('reports an export that neither its file nor any other uses', () => {
    const dir = tree({
      'src/a.ts': 'export const used = 1;\nexport function dead(): number {\n  return 2;\n}\n',
      'src/b.ts': "import { used } from './a.ts';\nconsole.log(used);\n",
    });
    dirs.push(dir);
    assert.deepEqual(findUnusedExports(dir), [{ file: 'src/a.ts', name: 'dead' }]);
  });

  it('counts imports from tests, renamed and type-only imports, and whole-module imports as uses', () => {
    const dir = tree({
      'src/a.ts': 'export const a = 1;\nexport type B = number;\nexport const c = 3;\n',
      'src/d.ts': 'export const d = 4;\n',
      'test/a.test.ts': "import { a as renamed, type B } from '../src/a.ts';\nimport * as all from '../src/d.ts';\n",
      'tools/c.ts': "const { c } = await import('../src/a.ts');\n",
    });
    dirs.push(dir);
    assert.deepEqual(findUnusedExports(dir), []);
  });

  it('leaves alone an export its own file uses (part of the module surface, such as a parameter type)', () => {
    const dir = tree({
      'src/a.ts': 'export type Options = { n: number };\nexport function run(o: Options) {\n  return o;\n}\n',
      'src/b.ts': "import { run } from './a.ts';\nrun({ n: 1 });\n",
    });
    dirs.push(dir);
    assert.deepEqual(findUnusedExports(dir), []);
  });
});
