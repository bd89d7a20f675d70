// `npm start`: the newcomer's first command. Brings up a local control plane (building its
// binaries the first time, with progress), starts the operator against it, and shows that it
// works: its readiness, its metrics, and the kubeconfig to try things with. Ctrl-C stops all.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startControlPlane } from './control-plane.ts';

const root = join(import.meta.dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function waitReady(url: string, timeoutMs: number): Promise<string> {
  const start = Date.now();
  let last = '';
  while (Date.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      last = await res.text();
      if (res.ok) return last;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the operator did not become ready within ${timeoutMs / 1000} s: ${last}`);
}

async function main(): Promise<void> {
  say('==> starting a local Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)');
  const plane = await startControlPlane({ handleSignals: false, log: (l) => say(`[cluster] ${l}`) });

  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  say('==> starting cosmos-operator against it');
  const operator = spawn(
    process.execPath,
    [
      join(root, 'src', 'main.ts'),
      'manager',
      `--kubeconfig=${plane.kubeconfig}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      '--leader-elect',
      '--log-format=console',
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  operator.stderr.on('data', (d: Buffer) => process.stdout.write(d.toString().replace(/^(?=.)/gm, '[operator] ')));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\n==> stopping the operator and the control plane');
    operator.kill('SIGTERM');
    await new Promise((r) => (operator.exitCode !== null ? r(null) : operator.once('exit', r)));
    await plane.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  operator.once('exit', (code) => {
    if (!stopping) {
      say(`operator exited unexpectedly (code ${code})`);
      void stop(1);
    }
  });

  const readyz = await waitReady(`http://127.0.0.1:${healthPort}/readyz?verbose`, 60_000);
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const shown = metrics
    .split('\n')
    .filter((l) => /^(process_resident_memory_bytes|leader_election_master_status|controller_runtime_reconcile_total)/.test(l))
    .slice(0, 8);

  say('\n==> cosmos-operator is running');
  say(`readiness (http://127.0.0.1:${healthPort}/readyz?verbose):`);
  say(readyz.trimEnd().replace(/^/gm, '  '));
  say(`metrics (http://127.0.0.1:${metricsPort}/metrics), a few of them:`);
  say(shown.join('\n').replace(/^/gm, '  '));
  say('\nTry:');
  say(`  export KUBECONFIG=${plane.kubeconfig}`);
  say(`  kubectl get nodes,leases -A          # kubectl is also at ${join(plane.state().binDir, 'kubectl')}`);
  say(`  curl -s http://127.0.0.1:${metricsPort}/metrics | grep ^workqueue`);
  say('Press Ctrl-C to stop everything.');
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
