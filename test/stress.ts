// `npm run test:stress`: the whole suite (`node test/run.ts`, arguments passed on) while two busy
// loops hold both cores, as on a CI machine shared with other jobs. A test that passes only on a
// quiet machine (a sampler, a fixed sleep, a deadline sized for an idle CPU) fails here first.
// Prints the suite's duration and its summary line, and exits with the suite's code.
//
// The loops run at nice 0, as the suite does, and end with this process however it ends: killed
// on exit and on SIGINT/SIGTERM, and each loop also exits by itself once this process is gone
// (it checks its parent a few times a second), so even a SIGKILL leaves no core spinning.
import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const node = process.execPath;
const LOOPS = 2;

// `for(;;){}` with a look at the parent every few million turns.
const busyLoop = `const parent = process.ppid; let i = 0;
for (;;) { if (++i === 5e7) { i = 0; if (process.ppid !== parent) process.exit(0); } }`;

const loops: ChildProcess[] = [];
function stopLoops(): void {
  for (const loop of loops) {
    if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGKILL');
  }
}
process.on('exit', stopLoops);

for (let i = 0; i < LOOPS; i++) {
  const loop = spawn(node, ['-e', busyLoop], { stdio: 'ignore' });
  try {
    setPriority(loop.pid!, 0);
  } catch {
    // not allowed to raise it back to 0: it runs at this process's niceness
  }
  loops.push(loop);
}
process.stdout.write(`stress: ${LOOPS} busy loops (pids ${loops.map((l) => l.pid).join(', ')}) hold the cores\n`);

const started = Date.now();
let summary = '';
let pending = '';
const suite = spawn(node, [join(root, 'test', 'run.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
suite.stdout!.setEncoding('utf8');
suite.stdout!.on('data', (chunk: string) => {
  process.stdout.write(chunk);
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) if (/^\d+ passed, \d+ failed, \d+ skipped$/.test(line)) summary = line;
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopLoops();
    suite.kill(signal); // the suite stops its control plane, then exits; we follow
  });
}

suite.on('close', (code, signal) => {
  stopLoops();
  const seconds = Math.round((Date.now() - started) / 1000);
  const duration = `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const exit = code ?? (signal ? 128 : 1);
  process.stdout.write(
    `\nstress: the suite took ${duration} with ${LOOPS} busy loops on the cores; exit ${exit}; ` +
      `${summary || '(no summary line)'}\n`,
  );
  process.exit(exit);
});
