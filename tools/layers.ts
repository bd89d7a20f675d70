// The import rule of the source tree (docs/architecture.md, Layers): a file may import from its
// own folder and from folders on lower layers, never from a folder on its own layer or above,
// and no files import each other in a loop. `npm test` runs this check (tools/lint.ts), so an
// arrow that runs back up fails the build instead of creeping in.
//
//   node tools/layers.ts        prints every violation; exit 1 if there is one
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Bottom first. A folder may import only from folders on a lower row. Folders on one row are
 * siblings that stay independent of each other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['certs', 'src/log', 'src/syntax'],
  ['src/kube', 'src/api'],
  ['src/cosmos', 'src/http', 'src/schedule'],
  ['src/webhooks', 'src/reconcile', 'src/sidecar'],
  ['src/cli'],
  ['src/main.ts'],
  ['tools'],
];

/**
 * Inside a controller's folder (src/reconcile/<name>/): pure builders never reach the code that
 * talks to the API, and neither reaches the wiring at the folder's root.
 */
export const CONTROLLER_LEVELS: readonly string[] = ['build', 'control', ''];

export type ImportEdge = { from: string; to: string };
export type Violation = { kind: 'upward' | 'sibling' | 'unplaced' | 'controller' | 'loop'; message: string };

/** Files (relative to root, '/'-separated) under the given top-level entries, .ts only. */
export function sourceFiles(root: string, entries: readonly string[] = ['src', 'certs', 'tools']): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(root, rel);
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) walk(rel === '' ? name : `${rel}/${name}`);
    } else if (rel.endsWith('.ts')) out.push(rel);
  };
  for (const entry of entries) {
    try {
      walk(entry);
    } catch {
      // an entry that does not exist has no files
    }
  }
  return out;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The relative imports of each file, resolved to paths relative to root. */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const text = readFileSync(join(root, from), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec === undefined) continue;
      edges.push({ from, to: relative(root, resolve(root, dirname(from), spec)).split('\\').join('/') });
    }
  }
  return edges;
}

/** The row of LAYERS and the folder a path belongs to (the longest listed prefix), if any. */
export function placeOf(path: string): { layer: number; folder: string } | undefined {
  let best: { layer: number; folder: string } | undefined;
  LAYERS.forEach((row, layer) => {
    for (const folder of row) {
      if (path === folder || path.startsWith(`${folder}/`)) {
        if (!best || folder.length > best.folder.length) best = { layer, folder };
      }
    }
  });
  return best;
}

/** Level of a file inside src/reconcile/<controller>/, and the controller; undefined elsewhere. */
function controllerLevel(path: string): { controller: string; level: number } | undefined {
  const m = /^src\/reconcile\/([^/]+)\/(?:(build|control)\/)?[^/]+$/.exec(path);
  if (!m) return undefined;
  return { controller: m[1]!, level: CONTROLLER_LEVELS.indexOf(m[2] ?? '') };
}

export function checkEdges(edges: readonly ImportEdge[], files: readonly string[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    if (!placeOf(file)) {
      violations.push({
        kind: 'unplaced',
        message: `${file} is in no layer: add its folder to LAYERS in tools/layers.ts`,
      });
    }
  }
  for (const { from, to } of edges) {
    const a = placeOf(from);
    const b = placeOf(to);
    if (!a) continue;
    if (!b) {
      // package.json (the version) and JSON data files are leaves; anything else outside the layers is a mistake
      if (!to.endsWith('.json')) {
        violations.push({ kind: 'unplaced', message: `${from} imports ${to}, which is in no layer` });
      }
      continue;
    }
    if (a.folder !== b.folder) {
      if (b.layer > a.layer) {
        violations.push({
          kind: 'upward',
          message: `${from} imports ${to}: ${a.folder} may not import ${b.folder}, a layer above it`,
        });
      } else if (b.layer === a.layer) {
        violations.push({
          kind: 'sibling',
          message: `${from} imports ${to}: ${a.folder} and ${b.folder} are siblings on one layer`,
        });
      }
    }
    const ca = controllerLevel(from);
    const cb = controllerLevel(to);
    if (ca && cb && ca.controller === cb.controller && cb.level > ca.level) {
      violations.push({
        kind: 'controller',
        message:
          `${from} imports ${to}: in a controller, build/ imports neither control/ nor the folder's root, and control/ not the root`,
      });
    }
  }
  for (const loop of importLoops(edges)) {
    violations.push({ kind: 'loop', message: `import loop: ${[...loop, loop[0]].join(' -> ')}` });
  }
  return violations;
}

/** Strongly connected groups of more than one file (Tarjan), each in a stable order. */
export function importLoops(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    next.get(from)!.push(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      const selfLoop = group.length === 1 && (next.get(v) ?? []).includes(v);
      if (group.length > 1 || selfLoop) loops.push(group.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return loops;
}

/** Every violation in the tree at root. */
export function checkLayers(root: string): Violation[] {
  const files = sourceFiles(root);
  return checkEdges(importEdges(root, files), files);
}

if (import.meta.main) {
  const violations = checkLayers(join(import.meta.dirname, '..'));
  for (const v of violations) process.stdout.write(`${v.kind}: ${v.message}\n`);
  if (violations.length > 0) process.exit(1);
  process.stdout.write('layers: every import points down, no loops\n');
}
