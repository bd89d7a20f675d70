// Exports nothing uses: dead code that deno lint cannot see, because it only looks inside a file
// and an export might be taken by another. `npm test` runs this check (tools/lint.ts). An export
// is used when its own file uses it, or any file of src/, certs/, tools/, test/ or bench/ imports
// it by name, re-exports it, or imports its whole module (`import * as`, a dynamic `import()`).
// (An export its own file uses is part of the module's surface, such as the type of a parameter,
// and is left alone.)
//
//   node tools/unused-exports.ts     prints each unused export; exit 1 if there is one
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sourceFiles } from './layers.ts';

export type UnusedExport = { file: string; name: string };

const DECLARED =
  /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/gm;
const LISTED = /^export\s+(?:type\s+)?\{([^}]*)\}(?:\s*from\s*['"]([^'"]+)['"])?/gm;
const NAMED_IMPORT =
  /(?:^|[\s;])(import|export)\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const WHOLE_IMPORT =
  /import\s+\*\s+as\s+[\w$]+\s+from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** `a, type b, c as d` → the names as the exporting module calls them: a, b, c. */
function sourceNames(list: string): string[] {
  return list
    .split(',')
    .map((part) => part.trim().replace(/^type\s+/, ''))
    .filter((part) => part !== '')
    .map((part) => part.split(/\s+as\s+/)[0]!.trim());
}

export function findUnusedExports(root: string): UnusedExport[] {
  const exporters = sourceFiles(root, ['src', 'certs']);
  const readers = sourceFiles(root, ['src', 'certs', 'tools', 'test', 'bench']);
  const exported = new Map<string, Set<string>>();
  for (const file of exporters) {
    const text = readFileSync(join(root, file), 'utf8');
    const names = new Set<string>();
    for (const m of text.matchAll(DECLARED)) names.add(m[1]!);
    for (const m of text.matchAll(LISTED)) {
      for (const part of m[1]!.split(',')) {
        const alias = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim();
        if (alias) names.add(alias);
      }
    }
    exported.set(file, names);
  }

  const used = new Map<string, Set<string>>();
  const whole = new Set<string>();
  const target = (from: string, spec: string) =>
    relative(root, resolve(root, dirname(from), spec)).split('\\').join('/');
  for (const file of readers) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(NAMED_IMPORT)) {
      const to = target(file, m[3]!);
      if (!used.has(to)) used.set(to, new Set());
      for (const name of sourceNames(m[2]!)) used.get(to)!.add(name);
    }
    for (const m of text.matchAll(WHOLE_IMPORT)) whole.add(target(file, (m[1] ?? m[2])!));
  }

  const unused: UnusedExport[] = [];
  for (const [file, names] of exported) {
    if (whole.has(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const name of names) {
      if (used.get(file)?.has(name)) continue;
      const mentions = text.match(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;
      if (mentions <= 1) unused.push({ file, name });
    }
  }
  return unused;
}

if (import.meta.main) {
  const unused = findUnusedExports(join(import.meta.dirname, '..'));
  for (const u of unused) process.stdout.write(`${u.file}: ${u.name} is exported but nothing imports it\n`);
  if (unused.length > 0) process.exit(1);
  process.stdout.write('exports: every export is imported somewhere\n');
}
