// Runs `cosmos-operator` as a child process, as a person or a Deployment would, and reads its
// JSON log lines so a test can wait for what it says (for example the port it bound).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export type LogRecord = { ts: string; level: string; msg: string; [k: string]: unknown };

export type OperatorProcess = {
  readonly child: ChildProcess;
  readonly logs: LogRecord[];
  /** Resolves with the first log record (past or future) for which `match` is true. */
  waitForLog(match: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Resolves with the exit code (or 128 + signal number style null code → -1). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export function startOperator(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  onLog?: (record: LogRecord) => void,
): OperatorProcess {
  const runtime = process.execPath;
  const child = spawn(runtime, [join(root, 'src', 'main.ts'), ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogRecord[] = [];
  const waiters: Array<{ match: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }> = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let rec: LogRecord;
      try {
        rec = JSON.parse(line) as LogRecord;
      } catch {
        continue;
      }
      logs.push(rec);
      onLog?.(rec);
      for (const w of [...waiters]) {
        if (w.match(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
    }
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  );

  return {
    child,
    logs,
    exited,
    waitForLog(match, timeoutMs = 120_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(`operator did not log the expected line within ${timeoutMs} ms; stderr:\n${stderr.slice(-3000)}`),
          );
        }, timeoutMs);
        const entry = {
          match,
          resolve: (r: LogRecord) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        waiters.push(entry);
        void exited.then(() => {
          if (waiters.includes(entry)) {
            clearTimeout(timer);
            reject(new Error(`operator exited before logging the expected line; stderr:\n${stderr.slice(-3000)}`));
          }
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** "127.0.0.1:41234" from a `serving …` log record → the port. */
export function portOf(record: LogRecord): number {
  const address = String(record.address ?? '');
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in log record: ${JSON.stringify(record)}`);
  return port;
}
