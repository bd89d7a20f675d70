// `npm start`: the newcomer's first command. Brings up a local control plane (building its
// binaries the first time, with progress), installs the CRDs, starts the operator against it
// with its admission webhooks registered (as `deploy/external` does for an operator outside a
// cluster), and shows that it works: readiness, a bad spec refused by `kubectl apply`, a good
// one stored with defaults, and what to try next. Ctrl-C stops everything.
import { join } from 'node:path';
import { startControlPlane } from './control-plane.ts';
import { startOperatorWithWebhooks } from '../support/webhooks.ts';
import { type LogRecord, portOf } from '../support/operator-process.ts';
import { fakeCometForPods } from '../support/fake-comet.ts';
import { apiJson } from './kube-http.ts';
import { DRIVER_NAME } from './volume-provisioner.ts';

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
    operator = await startOperatorWithWebhooks(plane, undefined, [
      '--leader-elect',
      '--leader-election-namespace=default',
    ], showLog);
  } catch (err) {
    await plane.stop();
    throw err;
  }
  const op = operator;

  let stopping = false;
  const cleanup: Array<() => Promise<void>> = [];
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\n==> stopping the operator and the control plane');
    for (const c of cleanup) await c().catch(() => {});
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
      chain: {
        chainID: 'cosmoshub-4',
        network: 'mainnet',
        binary: 'gaiad',
        config: { overrides: '[p2p\nmax_num_inbound_peers = ' },
      },
      podTemplate: { image: 'ghcr.io/strangelove-ventures/heighliner/gaia:v14.1.0' },
      strategy: { maxUnavailable: 'half' },
      volumeClaimTemplate: { storageClassName: 'cosmos-test', resources: { requests: { storage: '10Gi' } } },
    },
  });
  say('  $ kubectl apply -f bad.yaml');
  const refused = await plane.kubectl(['apply', '-f', '-'], { input: bad });
  say(`${refused.stderr.trimEnd().replace(/^/gm, '  ')}\n  (exit code ${refused.code})`);

  // The example asks for StorageClass premium-rwo (GKE's); here it is served by the harness's
  // stand-in volume provisioner.
  await plane.kubectl(['apply', '--server-side', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'premium-rwo' },
      provisioner: DRIVER_NAME,
      allowVolumeExpansion: true,
      volumeBindingMode: 'Immediate',
    }),
  });
  // Each pod's CometBFT RPC: a fake node on the pod's IP whose height rises every 2 s.
  const comets = fakeCometForPods(plane, 'default', 'app.kubernetes.io/name=cosmoshub');
  const heights = setInterval(() => {
    for (const comet of comets.all().values()) comet.setHeight(comet.height() + 1);
  }, 2000);
  // No cloud here: give LoadBalancer Services an address, as a cloud's controller would.
  const lb = setInterval(() => void assignLoadBalancerAddresses(plane), 1000);
  cleanup.push(async () => {
    clearInterval(heights);
    clearInterval(lb);
    await comets.close();
  });

  say('\n==> a good spec is stored with the defaults filled in, and the operator builds its nodes:');
  say(`  $ kubectl apply -f ${example.slice(root.length + 1)}`);
  const applied = await plane.kubectl(['apply', '-n', 'default', '-f', example]);
  say(`  ${(applied.stdout || applied.stderr).trim()}`);
  const started = Date.now();
  let phase = '';
  while (Date.now() - started < 120_000) {
    const got = await plane.kubectl([
      'get',
      'cosmosfullnode',
      'cosmoshub',
      '-n',
      'default',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    if (got.stdout !== phase) {
      phase = got.stdout;
      say(`  phase: ${phase || '(none yet)'}  (+${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    if (phase === 'Complete') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const table = await plane.kubectl(['get', 'cosmosfullnodes,pods,pvc,services', '-n', 'default', '-o', 'wide']);
  say(table.stdout.trimEnd().replace(/^/gm, '  '));
  say('  CometBFT heights reported by each pod (rising every 2 s):');
  for (const [pod, comet] of comets.all()) say(`    ${pod}: ${comet.height()}`);

  say('\nTry:');
  say(`  export KUBECONFIG=${plane.kubeconfig}`);
  say(`  alias kubectl=${kubectl}      # or your own kubectl`);
  say('  kubectl get cosmosfullnodes -A -o yaml');
  say('  kubectl scale cosmosfullnode cosmoshub --replicas=4 && kubectl get pods -w');
  say(
    '  kubectl patch cosmosfullnode cosmoshub --type=merge -p \'{"spec":{"podTemplate":{"image":"ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.1"}}}\'   # a rolling update',
  );
  say('  kubectl describe cosmosfullnode cosmoshub');
  say('  kubectl explain cosmosfullnode.spec.chain.config');
  say(`  curl -s http://127.0.0.1:${metrics}/metrics | grep ^controller_runtime_webhook`);
  say('Press Ctrl-C to stop everything. Every 15 s, what the CosmosFullNode reports:');
  const report = setInterval(async () => {
    const got = await plane.kubectl(['get', 'cosmosfullnode', 'cosmoshub', '-n', 'default', '--no-headers']);
    const rpc = [...comets.all()].map(([pod, c]) => `${pod}=${c.height()}`).join(' ');
    say(`  ${got.stdout.trim().replace(/\s+/g, ' ')}   | RPC heights: ${rpc}`);
  }, 15_000);
  cleanup.unshift(async () => clearInterval(report));
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/** Stands in for a cloud's load-balancer controller: an address for every LoadBalancer Service. */
async function assignLoadBalancerAddresses(plane: { admin: Parameters<typeof apiJson>[0] }): Promise<void> {
  try {
    const list = await apiJson<
      {
        items: Array<
          {
            metadata: { name: string; namespace: string };
            spec: { type?: string };
            status?: { loadBalancer?: { ingress?: unknown[] } };
          }
        >;
      }
    >(plane.admin, 'GET', '/api/v1/services');
    let n = 0;
    for (const svc of list.items) {
      n++;
      if (svc.spec.type !== 'LoadBalancer' || (svc.status?.loadBalancer?.ingress ?? []).length > 0) continue;
      await apiJson(
        plane.admin,
        'PATCH',
        `/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}/status`,
        {
          body: { status: { loadBalancer: { ingress: [{ ip: `203.0.113.${n % 250}` }] } } },
          contentType: 'application/merge-patch+json',
        },
      );
    }
  } catch {
    // The next round tries again.
  }
}
