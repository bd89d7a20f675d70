// Scheduler benchmark (docs/architecture.md §6.1: fire lag with 1,000 schedules, p99 under 1 s).
// N ScheduledVolumeSnapshots on `* * * * *`, their stored `lastSnapshot.startedAt` staggered
// across the current minute, run for --minutes on the real clock: every minute all N fall due at
// once (the worst case for one timer: a herd). A simulated controller stands behind the wake-up:
// wake() only enqueues the key, as the work queue does; a drain on the next turn of the event loop
// reads the object, computes the next run (src/schedule/due.ts), stores `startedAt = now` when it
// is due and sets the key's next time. Fire lag is due time → wake-up, from the high-resolution
// clock.
//
// Beside it, a baseline measured in the same run with the same controller: one plain setTimeout
// per key (re-armed after each run, as Go's RequeueAfter is), instead of one timer for all. Each
// mode runs in a fresh process, one after the other, so the resident sets compare cleanly and the
// two do not share the CPU.
//
// Usage: node bench/schedule.ts [--schedules 1000] [--minutes 1]
// Internal: node bench/schedule.ts run <scheduler|baseline> <schedules> <minutes>
// Other processes on the machine skew every figure: the load average is printed before and after.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ScheduledVolumeSnapshot } from '../src/api/scheduledvolumesnapshot.ts';
import { computeNextRun } from '../src/schedule/due.ts';
import { createScheduler } from '../src/schedule/scheduler.ts';

const MODES = ['scheduler', 'baseline'] as const;
type Mode = (typeof MODES)[number];
type Report = {
  mode: Mode;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  runs: number;
  cpuMs: number;
  rssMB: number;
  hwmMB: number;
  heapMB: number;
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const statusMB = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
/**
 * Wall time in ms with sub-millisecond resolution: the monotonic clock, tied to Date.now() at the
 * instant Date.now() ticks over to its next millisecond (performance.timeOrigin can be a few ms
 * off the wall clock). Slewing by NTP during a run moves it by microseconds at most.
 */
const wallAtMonotonicZero = (() => {
  const first = Date.now();
  let now = first;
  while (now === first) now = Date.now();
  return now - performance.now();
})();
const hiresNow = () => wallAtMonotonicZero + performance.now();

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function objects(count: number): Map<string, ScheduledVolumeSnapshot> {
  const now = Date.now();
  const minuteStart = now - (now % 60_000);
  const out = new Map<string, ScheduledVolumeSnapshot>();
  for (let i = 0; i < count; i++) {
    // Staggered within the current minute, so every one is next due at the coming minute and none
    // starts with a catch-up run (whose lag would count from a slot before the process started).
    const startedAt = new Date(minuteStart + Math.floor((i / count) * (now - minuteStart))).toISOString();
    out.set(`bench/svs-${i}`, {
      metadata: { namespace: 'bench', name: `svs-${i}`, creationTimestamp: new Date(minuteStart).toISOString() },
      spec: { fullNodeRef: { name: 'node' }, schedule: '* * * * *', volumeSnapshotClassName: 'csi' },
      status: {
        observedGeneration: 1,
        phase: 'WaitingForNext',
        createdAt: new Date(minuteStart).toISOString(),
        lastSnapshot: { name: `svs-${i}-0`, startedAt },
      },
    });
  }
  return out;
}

async function runMode(mode: Mode, count: number, minutes: number): Promise<void> {
  const store = objects(count);
  const dueAtOf = new Map<string, number>();
  const lags: number[] = [];
  let runs = 0;

  // One timer for all, or one per key; the same `set` for the controller either way.
  const leading = new AbortController();
  let set: (key: string, dueAt: number) => void;
  if (mode === 'scheduler') {
    const scheduler = createScheduler({ wake });
    void scheduler.run(leading.signal);
    set = (key, dueAt) => scheduler.set(key, dueAt);
  } else {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    leading.signal.addEventListener('abort', () => timers.forEach((t) => clearTimeout(t)));
    set = (key, dueAt) => {
      clearTimeout(timers.get(key));
      timers.set(key, setTimeout(() => wake(key), Math.max(0, dueAt - Date.now())));
    };
  }

  // The controller: wake-ups are queued; a drain reconciles them on the next turn of the loop.
  const queued: string[] = [];
  let draining = false;
  function wake(key: string): void {
    lags.push(hiresNow() - dueAtOf.get(key)!);
    queued.push(key);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  }
  function drain(): void {
    draining = false;
    for (const key of queued.splice(0)) reconcile(key);
  }
  function reconcile(key: string): void {
    const svs = store.get(key)!;
    const now = new Date();
    let next = computeNextRun(svs, now);
    if (next.state === 'due') {
      runs++;
      svs.status!.lastSnapshot = { name: `${svs.metadata.name}-${now.getTime()}`, startedAt: now.toISOString() };
      next = computeNextRun(svs, now);
    }
    if (next.state !== 'waiting') throw new Error(`${key}: unexpected ${next.state}`);
    dueAtOf.set(key, next.dueAt.getTime());
    set(key, next.dueAt.getTime());
  }

  for (const key of store.keys()) reconcile(key);
  const cpuStart = process.cpuUsage();
  // Every wave that falls inside the window has woken and drained 1.5 s after it.
  await new Promise((resolve) => setTimeout(resolve, minutes * 60_000 + 1500));
  const cpu = process.cpuUsage(cpuStart);
  leading.abort();

  const sorted = [...lags].sort((a, b) => a - b);
  const report: Report = {
    mode,
    samples: lags.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    runs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMB: statusMB('VmRSS'),
    hwmMB: statusMB('VmHWM'),
    heapMB: process.memoryUsage().heapUsed / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runParent(): void {
  const { values } = parseArgs({
    options: { schedules: { type: 'string', default: '1000' }, minutes: { type: 'string', default: '1' } },
  });
  const count = Number(values.schedules);
  const minutes = Number(values.minutes);
  if (!(count > 0) || !(minutes > 0)) throw new Error('--schedules and --minutes must be positive');
  say(
    `Node ${process.versions.node}; ${count} schedules on "* * * * *", ${minutes} min per mode; load average ${
      loadavg()[0]!.toFixed(2)
    } before`,
  );
  const reports: Report[] = [];
  for (const mode of MODES) {
    const out = spawnSync(process.execPath, [import.meta.filename, 'run', mode, String(count), String(minutes)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = out.stdout.trim().split('\n').pop() ?? '';
    if (out.status !== 0 || !line.startsWith('{')) {
      throw new Error(`${mode} failed (exit ${out.status}): ${out.stdout}`);
    }
    reports.push(JSON.parse(line) as Report);
  }
  const ms = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(2)} ms`);
  for (const r of reports) {
    say(
      `${r.mode.padEnd(10)} fire lag p50 ${ms(r.p50Ms).padStart(10)}  p99 ${ms(r.p99Ms).padStart(10)}  max ${
        ms(r.maxMs).padStart(10)
      }  (${r.samples} wake-ups, ${r.runs} runs)  CPU ${r.cpuMs.toFixed(0)} ms  RSS ${r.rssMB.toFixed(1)} MB (peak ${
        r.hwmMB.toFixed(1)
      }, heap ${r.heapMB.toFixed(1)})`,
    );
  }
  const [s, b] = reports as [Report, Report];
  say(
    `ratio to baseline: p50 ${(s.p50Ms / b.p50Ms).toFixed(2)}, p99 ${(s.p99Ms / b.p99Ms).toFixed(2)}, CPU ${
      (s.cpuMs / b.cpuMs).toFixed(2)
    }, RSS ${(s.rssMB / b.rssMB).toFixed(2)}; target p99 under 1 s: ${s.p99Ms < 1000 ? 'met' : 'NOT met'}`,
  );
  say(`load average after: ${loadavg()[0]!.toFixed(2)} (1 min)`);
}

if (process.argv[2] === 'run') {
  const mode = process.argv[3] as Mode;
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}`);
  await runMode(mode, Number(process.argv[4]), Number(process.argv[5]));
} else {
  runParent();
}
