// Leader election between candidates in separate processes, on a real Lease: one leader at a
// time, a standby takes over after the leader is killed, and at once after it shuts down.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { objectClient } from '../../../src/kube/objects.ts';
import type { Lease } from '../../../src/kube/lease-lock.ts';
import { resources } from '../../../src/kube/resource.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import { electorScript, type KubeHarness, kubeHarness } from './fixtures/harness.ts';

type ElectorEvent = {
  event: 'ready' | 'leading' | 'stopped';
  id: string;
  identity: string;
  t: number;
  reason?: string;
};

type Candidate = {
  id: string;
  child: ChildProcess;
  events: ElectorEvent[];
  exited: Promise<number | null>;
  killedAt?: number;
};

const leaseMs = 15_000;
const retryMs = 2_000;

/** The runtime running this test runs the candidates too. */
function runtimeCommand(script: string): [string, string[]] {
  return 'Deno' in globalThis ? [process.execPath, ['run', '-A', script]] : [process.execPath, [script]];
}

describe('leader election between processes', () => {
  let h: KubeHarness;
  let ns: string;
  const candidates: Candidate[] = [];

  before(
    async () => {
      h = await kubeHarness();
      ns = await newNamespace('kube-election');
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    for (const c of candidates) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(candidates.map((c) => c.exited));
    if (h) await h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  function start(id: string, lease: string): Candidate {
    const [cmd, args] = runtimeCommand(electorScript);
    const child = spawn(cmd, [
      ...args,
      '--kubeconfig',
      h.cluster.kubeconfig,
      '--namespace',
      ns,
      '--lease',
      lease,
      '--id',
      id,
    ], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const c: Candidate = { id, child, events: [], exited: new Promise((r) => child.on('exit', (code) => r(code))) };
    let buffer = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('{')) c.events.push(JSON.parse(line) as ElectorEvent);
      }
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (stderr += d));
    void c.exited.then((code) => {
      if (code && code !== 0 && !c.killedAt) process.stderr.write(`elector ${id} exited ${code}:\n${stderr}\n`);
    });
    candidates.push(c);
    return c;
  }

  const leadingAt = (c: Candidate) => c.events.find((e) => e.event === 'leading')?.t;
  const waitLeading = (c: Candidate, timeoutMs: number) =>
    eventually(() => leadingAt(c) ?? false, { timeoutMs, intervalMs: 20, message: `${c.id} leads` });

  /** Each candidate's leading interval; it ends at "stopped", at its SIGKILL, or is still open. */
  function intervals(cs: Candidate[]): Array<{ id: string; from: number; to: number }> {
    return cs.flatMap((c) => {
      const from = leadingAt(c);
      if (from === undefined) return [];
      const to = c.events.find((e) => e.event === 'stopped')?.t ?? c.killedAt ?? Infinity;
      return [{ id: c.id, from, to }];
    });
  }

  function assertOneLeaderAtATime(cs: Candidate[]) {
    const spans = intervals(cs).sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i++) {
      assert.ok(
        spans[i]!.from > spans[i - 1]!.to,
        `${spans[i]!.id} led from ${spans[i]!.from} while ${spans[i - 1]!.id} led until ${spans[i - 1]!.to}`,
      );
    }
  }

  it('hands over within seconds when the leader shuts down and releases the lease', async (t) => {
    const a = start('a', 'graceful');
    await waitLeading(a, 60_000);
    const b = start('b', 'graceful');
    await eventually(() => b.events.some((e) => e.event === 'ready'), { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 2 * retryMs)); // b has tried and found a leading
    assert.equal(leadingAt(b), undefined, 'only a leads');

    const termAt = Date.now();
    a.child.kill('SIGTERM');
    const bLeads = await waitLeading(b, 15_000);
    const handover = bLeads - termAt;
    await a.exited; // (Deno's child_process reports a signal here even when the child exited 0 on SIGTERM)
    assert.equal(a.events.at(-1)?.event, 'stopped', 'a stopped its leader-only work before releasing');
    assertOneLeaderAtATime([a, b]);
    const lease = await objectClient<Lease>(h.rest, resources.leases).get(ns, 'graceful');
    assert.equal(lease?.spec?.holderIdentity, b.events[0]!.identity);
    assert.equal(lease?.spec?.leaseTransitions, 1);
    t.diagnostic(
      `SIGTERM handover: ${handover} ms (release, then the standby's next try: at most ${retryMs * 2.2} ms later)`,
    );
    assert.ok(handover <= retryMs * 2.2 + 1500, `handover took ${handover} ms`);
  });

  it('hands over within the lease duration plus the retry periods after the leader is SIGKILLed', async (t) => {
    const a = start('a', 'killed');
    await waitLeading(a, 60_000);
    const b = start('b', 'killed');
    await eventually(() => b.events.some((e) => e.event === 'ready'), { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 3 * retryMs));
    assert.equal(leadingAt(b), undefined, 'only a leads');

    a.killedAt = Date.now();
    a.child.kill('SIGKILL');
    const bLeads = await waitLeading(b, 40_000);
    const handover = bLeads - a.killedAt;
    assertOneLeaderAtATime([a, b]);
    const lease = await objectClient<Lease>(h.rest, resources.leases).get(ns, 'killed');
    // MicroTime as written by us: six fractional digits, as the API server requires.
    assert.match(lease?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(lease?.spec?.holderIdentity, b.events[0]!.identity);
    // client-go's bound: the standby saw a's last renewal up to one acquire period late, and
    // tries again up to one period after the lease expired; a period is 2 s + up to 1.2 × 2 s.
    const bound = leaseMs + 2 * retryMs * 2.2;
    t.diagnostic(
      `SIGKILL handover: ${handover} ms (lease ${leaseMs} ms + retry ${retryMs} ms = ${
        leaseMs + retryMs
      } ms; worst case with client-go's jitter ${bound} ms)`,
    );
    assert.ok(handover <= bound + 1000, `handover took ${handover} ms`);
  });
});
