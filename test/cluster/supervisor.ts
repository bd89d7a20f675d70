// Runs the control plane's processes: each in its own process group, logging to
// <logDir>/<name>.log, restarted with the same arguments when it dies while the plane is not
// stopping (so a test can SIGKILL kube-apiserver and watch clients cope), and stopped with
// SIGTERM then SIGKILL. A detached shell "reaper" kills whatever is left if the harness
// process itself dies without cleaning up (SIGKILL, a crash, a test runner timeout).
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { logTail } from './probes.ts';

export type ComponentSpec = {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
};

type Component = {
  spec: ComponentSpec;
  child: ChildProcess;
  pid: number;
  startedAt: number;
  /** Exits seen so far; the start-up waits give up early on a component that keeps crashing. */
  exits: number;
  exited: Promise<void>;
};

const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 10_000;

export class Supervisor {
  readonly logDir: string;
  readonly pidsFile: string;
  #components = new Map<string, Component>();
  #stopping = false;
  #onChange: () => void;

  /** `onChange` runs (synchronously) whenever a pid changes, to keep state files current. */
  constructor(logDir: string, pidsFile: string, onChange: () => void = () => {}) {
    this.logDir = logDir;
    this.pidsFile = pidsFile;
    this.#onChange = onChange;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  logFile(name: string): string {
    return path.join(this.logDir, `${name}.log`);
  }

  /** The last `n` lines of a component's log, for error messages. */
  logTail(name: string, n = 30): string {
    try {
      return logTail(readFileSync(this.logFile(name), 'utf8'), n);
    } catch {
      return '(no log)';
    }
  }

  pids(): Record<string, number> {
    return Object.fromEntries([...this.#components].map(([name, c]) => [name, c.pid]));
  }

  exits(name: string): number {
    return this.#components.get(name)?.exits ?? 0;
  }

  start(spec: ComponentSpec): void {
    if (this.#components.has(spec.name)) throw new Error(`component ${spec.name} already started`);
    this.#spawn(spec, 0);
  }

  #spawn(spec: ComponentSpec, exits: number): void {
    const log = this.logFile(spec.name);
    appendFileSync(
      log,
      `--- harness: starting ${spec.command} ${spec.args.join(' ')} at ${new Date().toISOString()}\n`,
    );
    // The shell execs the program, so the pid we hold is the program's; the redirection
    // happens in the child, which works the same on Node and Deno.
    const child = spawn('/bin/sh', ['-c', 'exec "$@" >>"$0" 2>&1', log, spec.command, ...spec.args], {
      detached: true, // own process group: a terminal's Ctrl-C reaches only the harness, which stops things in order
      stdio: 'ignore',
      env: { ...process.env, ...spec.env },
    });
    child.unref(); // a test process whose work is done may exit; the exit hook below stops the plane
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${spec.command}`);
    let markExited = () => {};
    const c: Component = {
      spec,
      child,
      pid,
      startedAt: Date.now(),
      exits,
      exited: new Promise<void>((r) => (markExited = r)),
    };
    this.#components.set(spec.name, c);
    child.on('error', (e) => appendFileSync(log, `--- harness: spawn error: ${e.message}\n`));
    child.on('exit', (code, signal) => {
      c.exits++;
      markExited();
      if (this.#stopping) return;
      const quick = Date.now() - c.startedAt < 10_000;
      const delay = quick
        ? Math.min(RESTART_DELAY_MS * 2 ** Math.min(c.exits - 1, 4), MAX_RESTART_DELAY_MS)
        : RESTART_DELAY_MS;
      appendFileSync(
        log,
        `--- harness: ${spec.name} exited (code ${code}, signal ${signal}); restarting in ${delay} ms\n`,
      );
      const t = setTimeout(() => {
        if (!this.#stopping) {
          this.#spawn(spec, c.exits);
          this.#changed();
        }
      }, delay);
      t.unref();
    });
    this.#changed();
  }

  #changed(): void {
    writeFileSync(this.pidsFile, Object.values(this.pids()).join(' ') + '\n');
    this.#onChange();
  }

  /** Stops components tier by tier (each tier in parallel): SIGTERM, then SIGKILL after `graceMs`. */
  async stop(tiers: string[][], graceMs = 5000): Promise<void> {
    this.#stopping = true;
    const named = new Set(tiers.flat());
    const rest = [...this.#components.keys()].filter((n) => !named.has(n));
    for (const tier of [rest, ...tiers]) {
      await Promise.all(
        tier.map(async (name) => {
          const c = this.#components.get(name);
          if (!c || c.child.exitCode !== null || c.child.signalCode !== null) return;
          killGroup(c.pid, 'SIGTERM');
          const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
          if ((await Promise.race([c.exited.then(() => 'exited' as const), timer])) === 'timeout') {
            killGroup(c.pid, 'SIGKILL');
            await Promise.race([c.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
          }
        }),
      );
    }
  }

  /** For `process.on("exit")`, where nothing async runs: signal every group now. */
  signalAllSync(signal: NodeJS.Signals): void {
    this.#stopping = true;
    for (const c of this.#components.values()) killGroup(c.pid, signal);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Starts a detached shell that waits for `harnessPid` to end, then SIGTERMs the process groups
 * listed in `pidsFile`, SIGKILLs them 3 s later, and removes `removePaths`. The harness kills it
 * (by pid) after a normal stop.
 */
export function startReaper(opts: { harnessPid: number; pidsFile: string; removePaths: string[] }): number {
  const script = [
    'h="$1"; pids="$2"; shift 2',
    'while kill -0 "$h" 2>/dev/null; do sleep 1; done',
    'if [ -f "$pids" ]; then',
    '  for p in $(cat "$pids"); do kill -TERM -"$p" 2>/dev/null; done',
    '  sleep 3',
    '  for p in $(cat "$pids"); do kill -KILL -"$p" 2>/dev/null; done',
    'fi',
    'rm -rf "$@"',
  ].join('\n');
  const child = spawn(
    '/bin/sh',
    ['-c', script, 'reaper', String(opts.harnessPid), opts.pidsFile, ...opts.removePaths],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the reaper shell');
  return child.pid;
}
