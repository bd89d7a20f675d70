// Idle benchmark (docs/architecture.md §6.1: API writes per minute after convergence with nothing
// changing, lease renewals only). Starts a control plane whose kube-apiserver writes an audit
// log of every write, runs the operator (with --leader-elect) against it, converges N
// CosmosFullNodes on fake CometBFT nodes whose heights stand still, then counts the operator's
// writes (User-Agent cosmos-operator) over the measured window, by resource. The baseline,
// measured in the same run, is the Lease renewals: the target is a ratio of 1.00.
//
// Usage: node bench/idle.ts [--fullnodes 10] [--replicas 3] [--minutes 5]
import { parseArgs } from 'node:util';
import { fakeCometForPods } from '../test/support/fake-comet.ts';
import { startOperator } from '../test/support/operator-process.ts';
import { CRD_FILES } from '../test/support/webhooks.ts';
import { startAuditedControlPlane, writeLines } from './audit.ts';
import { benchFullNode } from './fullnode-fixture.ts';

const { values } = parseArgs({
  options: {
    fullnodes: { type: 'string', default: '10' },
    replicas: { type: 'string', default: '3' },
    minutes: { type: 'string', default: '5' },
  },
});
const fullnodes = Number(values.fullnodes);
const replicas = Number(values.replicas);
const minutes = Number(values.minutes);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { plane, writes } = await startAuditedControlPlane((l) => say(`[cluster] ${l}`));
  const ns = 'idle';
  await plane.kubectl(['create', 'namespace', ns]);
  await plane.installCRDs(CRD_FILES);
  const comets = fakeCometForPods(plane, ns, 'app.kubernetes.io/created-by=cosmos-operator', {
    initial: () => ({ height: 1000 }),
  });
  const op = startOperator([
    'manager',
    `--kubeconfig=${plane.kubeconfig}`,
    '--leader-elect',
    `--leader-election-namespace=${ns}`,
    '--webhook-port=0',
    '--health-probe-bind-address=127.0.0.1:0',
    '--metrics-bind-address=127.0.0.1:0',
    '--log-level=warn',
  ]);
  try {
    const t0 = Date.now();
    const manifests = Array.from({ length: fullnodes }, (_, i) => benchFullNode(ns, i, replicas, plane.storageClass));
    const created = await plane.kubectl(['create', '-f', '-'], {
      input: manifests.map((m) => JSON.stringify(m)).join('\n'),
    });
    if (created.code !== 0) throw new Error(created.stderr);
    say(`created ${fullnodes} CosmosFullNodes × ${replicas} replicas; waiting for every status to be Complete`);
    for (;;) {
      const got = JSON.parse((await plane.kubectl(['get', 'cosmosfullnodes', '-n', ns, '-o', 'json'])).stdout) as {
        items: Array<{ status?: { phase?: string } }>;
      };
      const complete = got.items.filter((i) => i.status?.phase === 'Complete').length;
      if (complete === fullnodes) break;
      if (Date.now() - t0 > 600_000) throw new Error(`only ${complete}/${fullnodes} Complete after 10 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    say(
      `converged in ${
        ((Date.now() - t0) / 1000).toFixed(1)
      } s; settling 20 s, then measuring ${minutes} min with nothing changing`,
    );
    await new Promise((r) => setTimeout(r, 20_000));
    const start = new Date();
    await new Promise((r) => setTimeout(r, minutes * 60_000));
    const end = new Date();

    const seen = writes('cosmos-operator', start, end);
    const leases = [...seen.byResource].filter(([k]) => k.endsWith(' leases')).reduce((n, [, v]) => n + v, 0);
    const others = seen.total - leases;
    say(`\nidle benchmark: ${fullnodes} CosmosFullNodes × ${replicas} replicas, ${minutes} min window`);
    say(`operator writes:        ${(seen.total / minutes).toFixed(1)}/min`);
    say(`  Lease renewals:       ${(leases / minutes).toFixed(1)}/min   (baseline)`);
    say(`  everything else:      ${(others / minutes).toFixed(1)}/min`);
    for (const line of writeLines(seen)) say(line);
    say(
      `ratio to baseline (all writes / lease renewals): ${
        leases ? (seen.total / leases).toFixed(2) : 'n/a'
      }  (target 1.00)`,
    );
  } finally {
    await op.stop();
    await comets.close();
    await plane.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`idle benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
