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
import { recordWatch } from '../../support/watch-recorder.ts';

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
  /** Its leader elector's log lines (JSON on stderr). */
  logs: Array<{ msg?: string; holder?: string }>;
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
  const stops: Array<() => Promise<unknown>> = [];

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
    for (const stop of stops) await stop();
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
    const c: Candidate = {
      id,
      child,
      events: [],
      logs: [],
      exited: new Promise((r) => child.on('exit', (code) => r(code))),
    };
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
    let errBuffer = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      errBuffer += d;
      let nl: number;
      while ((nl = errBuffer.indexOf('\n')) >= 0) {
        const line = errBuffer.slice(0, nl);
        errBuffer = errBuffer.slice(nl + 1);
        try {
          c.logs.push(JSON.parse(line));
        } catch {
          // not a log record
        }
      }
    });
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

  /** Resolves once `c` has read the Lease and found `holder` leading (its elector logs that once). */
  const waitSeesLeader = (c: Candidate, holder: Candidate) =>
    eventually(
      () => c.logs.some((r) => r.msg === 'lease held by another candidate' && r.holder === holder.events[0]?.identity),
      { timeoutMs: 60_000, message: `${c.id} finds ${holder.id} leading` },
    );

  /** Every state of a Lease from a watch started before the candidates (test/support/watch-recorder.ts). */
  const watchLease = (name: string) =>
    recordWatch<Lease>(h.cluster.admin, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {}).then((w) => {
      stops.push(() => w.stop().catch(() => undefined));
      return { w, states: () => w.changes.filter((c) => c.object.metadata?.name === name).map((c) => c.object.spec!) };
    });

  it('hands over at the standby’s next try, not at the lease’s expiry, when the leader shuts down and releases the lease', async (t) => {
    const lease = await watchLease('graceful');
    const a = start('a', 'graceful');
    await waitLeading(a, 60_000);
    const b = start('b', 'graceful');
    await waitSeesLeader(b, a); // b has tried and found a leading
    assert.equal(leadingAt(b), undefined, 'only a leads');

    const termAt = Date.now();
    a.child.kill('SIGTERM');
    const bLeads = await waitLeading(b, 60_000);
    await a.exited; // (Deno's child_process reports a signal here even when the child exited 0 on SIGTERM)
    assert.equal(a.events.at(-1)?.event, 'stopped', 'a stopped its leader-only work before releasing');
    assertOneLeaderAtATime([a, b]);
    const current = await objectClient<Lease>(h.rest, resources.leases).get(ns, 'graceful');
    assert.equal(current?.spec?.holderIdentity, b.events[0]!.identity);
    assert.equal(current?.spec?.leaseTransitions, 1);
    // From the Lease's own history: a released it (empty holder), then b took it before a's last
    // renewal would have run out. Not "within N seconds of the SIGTERM", which a busy machine can
    // stretch: a standby that ignored the release would only have taken the Lease after expiry.
    const states = lease.states();
    const released = states.findIndex((s) => (s.holderIdentity ?? '') === '');
    const taken = states.findIndex((s) => s.holderIdentity === b.events[0]!.identity);
    assert.ok(
      released >= 0 && taken > released,
      `released, then taken: ${JSON.stringify(states.map((s) => s.holderIdentity))}`,
    );
    const lastRenewal = Date.parse(states.findLast((s) => s.holderIdentity === a.events[0]!.identity)!.renewTime!);
    const takenAt = Date.parse(states[taken]!.acquireTime!);
    t.diagnostic(`SIGTERM handover: ${bLeads - termAt} ms; taken ${takenAt - lastRenewal} ms after a's last renewal`);
    assert.ok(
      takenAt - lastRenewal < leaseMs,
      `taken ${takenAt - lastRenewal} ms after a's last renewal: it waited for expiry`,
    );
  });

  it('hands over after the lease duration, and no earlier, after the leader is SIGKILLed', async (t) => {
    const lease = await watchLease('killed');
    const a = start('a', 'killed');
    await waitLeading(a, 60_000);
    const b = start('b', 'killed');
    await waitSeesLeader(b, a);
    assert.equal(leadingAt(b), undefined, 'only a leads');

    a.killedAt = Date.now();
    a.child.kill('SIGKILL');
    const bLeads = await waitLeading(b, 120_000);
    const handover = bLeads - a.killedAt;
    assertOneLeaderAtATime([a, b]);
    const current = await objectClient<Lease>(h.rest, resources.leases).get(ns, 'killed');
    // MicroTime as written by us: six fractional digits, as the API server requires.
    assert.match(current?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(current?.spec?.holderIdentity, b.events[0]!.identity);
    // From the Lease's history: b took it no earlier than a lease duration after a's last renewal
    // (both written from this machine's clock). How much later depends on the machine's load;
    // client-go's worst case on a quiet one is reported, not asserted.
    const states = lease.states();
    const lastRenewal = Date.parse(states.findLast((s) => s.holderIdentity === a.events[0]!.identity)!.renewTime!);
    const takenAt = Date.parse(states.find((s) => s.holderIdentity === b.events[0]!.identity)!.acquireTime!);
    const bound = leaseMs + 2 * retryMs * 2.2;
    t.diagnostic(
      `SIGKILL handover: ${handover} ms; taken ${
        takenAt - lastRenewal
      } ms after a's last renewal (lease ${leaseMs} ms; ` +
        `worst case on a quiet machine with client-go's jitter ${bound} ms)`,
    );
    assert.ok(takenAt - lastRenewal >= leaseMs - 1, `taken ${takenAt - lastRenewal} ms after a's last renewal`);
  });
});
