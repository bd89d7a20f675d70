// V8 sizes its heap for a browser tab on the machine it finds: on a host with gigabytes free it
// lets the young generation grow to 128 MB and the old one to about four times the live data
// before collecting, and shrinks neither while allocation goes on, which for the operator (polling
// every pod's CometBFT every 5 s) is always. Measured with bench/memory.ts, 200 CosmosFullNodes × 3:
// 287 MB resident with V8's defaults, 135 MB in its memory-saver mode, for about a third more
// CPU while converging (docs/architecture.md §6.1, memory at 1,000 × 3). The flag is read at every
// collection, so setting it at start-up takes effect. Deno ignores setFlagsFromString: there, pass
// `--v8-flags=--memory-saver-mode`.
import v8 from 'node:v8';

/** Turns on V8's memory-saver mode unless the command line already says either way (`--no-memory-saver-mode`). */
export function preferSmallHeap(execArgv: readonly string[] = process.execArgv): boolean {
  if ('Deno' in globalThis) return false;
  if (execArgv.some((a) => /^--(no-)?memory[-_]saver[-_]mode\b/.test(a))) return false;
  v8.setFlagsFromString('--memory-saver-mode');
  return true;
}
