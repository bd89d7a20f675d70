// `npm start`: the newcomer's first command. Brings up a local control plane (building its
// binaries the first time, with progress), installs the CRDs, starts the operator against it
// with its admission webhooks registered (as `deploy/external` does for an operator outside a
// cluster), and shows that it works: readiness, a bad spec refused by `kubectl apply`, a good
// one stored with defaults, and what to try next. Ctrl-C stops everything.
import { join } from 'node:path';
import { startControlPlane } from './control-plane.ts';
import { startOperatorWithWebhooks } from '../support/webhooks.ts';
import { portOf, type LogRecord } from '../support/operator-process.ts';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'cosmosfullnode-minimal.yaml');

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The operator's JSON log records, shown as a person reads them. */
function showLog(r: LogRecord): void {
  const { ts, level, msg, ...rest } = r;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  say(`[operator] ${ts.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ' ' + extra : ''}`);
}

async function main(): Promise<void> {
  say('==> starting a local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)');
  const plane = await startControlPlane({ handleSignals: false, log: (l) => say(`[cluster] ${l}`) });
  const kubectl = join(plane.state().binDir, 'kubectl');

  say('==> installing the CRDs and starting cosmos-operator with its admission webhooks');
  let operator;
  try {
    operator = await startOperatorWithWebhooks(plane, undefined, ['--leader-elect', '--leader-election-namespace=default'], showLog);
  } catch (err) {
    await plane.stop();
    throw err;
  }
  const op = operator;

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\n==> stopping the operator and the control plane');
    await op.stop();
    await plane.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  void op.op.exited.then(({ code }) => {
    if (!stopping) {
      say(`operator exited unexpectedly (code ${code})`);
      void stop(1);
    }
  });

  const health = portOf(await op.op.waitForLog((r) => r.msg === 'serving health probes'));
  const metrics = portOf(await op.op.waitForLog((r) => r.msg === 'serving metrics'));
  await op.op.waitForLog((r) => r.msg === 'connected to the API server', 60_000);
  const readyz = await (await fetch(`http://127.0.0.1:${health}/readyz?verbose`)).text();

  say('\n==> cosmos-operator is running');
  say(`readiness (http://127.0.0.1:${health}/readyz?verbose):`);
  say(readyz.trimEnd().replace(/^/gm, '  '));

  say('\n==> a bad spec is refused at kubectl apply, one line per bad field:');
  const bad = JSON.stringify({
    apiVersion: 'cosmos.strange.love/v1',
    kind: 'CosmosFullNode',
    metadata: { name: 'bad-example', namespace: 'default' },
    spec: {
      replicas: 2,
      chain: { chainID: 'cosmoshub-4', network: 'mainnet', binary: 'gaiad', config: { overrides: '[p2p\nmax_num_inbound_peers = ' } },
      podTemplate: { image: 'ghcr.io/strangelove-ventures/heighliner/gaia:v14.1.0' },
      strategy: { maxUnavailable: 'half' },
      volumeClaimTemplate: { storageClassName: 'cosmos-test', resources: { requests: { storage: '10Gi' } } },
    },
  });
  say('  $ kubectl apply -f bad.yaml');
  const refused = await plane.kubectl(['apply', '-f', '-'], { input: bad });
  say(`${refused.stderr.trimEnd().replace(/^/gm, '  ')}\n  (exit code ${refused.code})`);

  say('\n==> a good spec is stored with the defaults filled in:');
  say(`  $ kubectl apply -f ${example.slice(root.length + 1)}`);
  const applied = await plane.kubectl(['apply', '-n', 'default', '-f', example]);
  say(`  ${(applied.stdout || applied.stderr).trim()}`);
  const got = await plane.kubectl(['get', 'cosmosfullnodes', '-n', 'default']);
  say(got.stdout.trimEnd().replace(/^/gm, '  '));

  say('\nTry:');
  say(`  export KUBECONFIG=${plane.kubeconfig}`);
  say(`  alias kubectl=${kubectl}      # or your own kubectl`);
  say('  kubectl get cosmosfullnodes -A -o yaml');
  say('  kubectl explain cosmosfullnode.spec.chain.config');
  say(`  curl -s http://127.0.0.1:${metrics}/metrics | grep ^controller_runtime_webhook`);
  say('Press Ctrl-C to stop everything.');
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
