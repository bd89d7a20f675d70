// The operator's version: from package.json, overridable at deploy time (COSMOS_OPERATOR_VERSION)
// the way the Go operator sets it with ldflags. Read when asked, not when the module loads, so a
// binary built with a startup snapshot (tools/build.ts --snapshot) keeps no build-time environment.
// The commit is stamped by the single-binary build: tools/build.ts defines
// COSMOS_OPERATOR_BUILD_COMMIT as `git rev-parse --short HEAD`, `-dirty` when the tree had changes,
// or "unknown" outside git. Run from the sources nothing stamps it and an image has no git, so it
// reads "source" (reading .git would name the commit, but not whether the tree was dirty).
import pkg from '../../package.json' with { type: 'json' };

declare const COSMOS_OPERATOR_BUILD_COMMIT: string | undefined;

export function operatorVersion(): string {
  return process.env.COSMOS_OPERATOR_VERSION || pkg.version;
}

export const commit: string = typeof COSMOS_OPERATOR_BUILD_COMMIT === 'string'
  ? COSMOS_OPERATOR_BUILD_COMMIT
  : 'source';

/** What `cosmos-operator version` and `--version` print: `0.1.0 (commit a44fc11)`, `0.1.0 (source)`. */
export function versionLine(): string {
  const version = operatorVersion();
  return commit === 'source' ? `${version} (source)` : `${version} (commit ${commit})`;
}
