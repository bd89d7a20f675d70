// Files shipped inside Go modules (kwok's stage definitions, third-party CRDs), fetched through
// the Go module cache as kubebuilder projects' envtest suites do: `go mod download -json M@V`
// prints the extracted directory as `Dir`. Works offline once the module is cached.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUILD_SCRIPT } from './binaries.ts';

const dirs = new Map<string, Promise<string>>();

/** The read-only directory of `module@version` in the module cache, downloading it if needed. */
export function goModuleDir(module: string, version: string): Promise<string> {
  const key = `${module}@${version}`;
  let dir = dirs.get(key);
  if (!dir) {
    dir = new Promise<string>((resolve, reject) => {
      execFile(
        'go',
        ['mod', 'download', '-json', key],
        // cwd outside any module, so no go.mod around it is consulted or edited
        { cwd: os.tmpdir(), env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-modcacherw' }, maxBuffer: 1 << 20 },
        (err, stdout, stderr) => {
          let info: { Dir?: string; Error?: string } = {};
          try {
            info = JSON.parse(stdout);
          } catch {
            // fall through to the error below
          }
          if (info.Dir) resolve(info.Dir);
          else if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
            reject(new Error(`go not found on PATH: it is needed to fetch ${key} from the Go module cache`));
          } else reject(new Error(`go mod download ${key} failed: ${info.Error ?? stderr ?? err?.message}`));
        },
      );
    });
    dir.catch(() => dirs.delete(key));
    dirs.set(key, dir);
  }
  return dir;
}

/** A version pinned in build.sh (e.g. `KWOK_VERSION`), so stage files match the built kwok. */
export async function pinnedVersion(variable: string): Promise<string> {
  const text = await readFile(BUILD_SCRIPT, 'utf8');
  const m = new RegExp(`^${variable}=(\\S+)`, 'm').exec(text);
  if (!m?.[1]) throw new Error(`${BUILD_SCRIPT} does not set ${variable}`);
  return m[1];
}

/** Files in `dir` whose names pass `keep`, sorted, as absolute paths. */
export async function filesIn(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  return (await readdir(dir)).filter(keep).sort().map((f) => path.join(dir, f));
}
