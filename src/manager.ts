// The manager process: HTTP servers first (health, metrics), then the API connection, then
// the leader-only work. It stops in reverse on SIGTERM/SIGINT; losing the lease ends the
// process at once, as controller-runtime does, so a replica never reconciles without it.
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { BindAddress } from './cli/flags.ts';
import { createHealthApp } from './http/health-app.ts';
import { createMetricsApp, createMetricsRegistry } from './http/metrics-app.ts';
import { serveHttp, type RunningServer } from './http/serve.ts';
import type { Logger } from './log.ts';

export type ManagerOptions = {
  metricsAddress: BindAddress;
  healthAddress: BindAddress;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace: string;
  kubeconfig: string;
  log: Logger;
};

export type Manager = { stop(reason: string): Promise<void>; done: Promise<number> };

export async function startManager(opts: ManagerOptions): Promise<Manager> {
  const { log } = opts;
  const registry = createMetricsRegistry();
  const health = createHealthApp();
  const servers: RunningServer[] = [];
  const stoppers: Array<() => Promise<void>> = [];
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));

  if (opts.healthAddress !== 'disabled') {
    const s = await serveHttp(health.app, opts.healthAddress.host, opts.healthAddress.port);
    servers.push(s);
    log.info('serving health probes', { address: `${s.host}:${s.port}`, paths: ['/healthz', '/readyz'] });
  }
  if (opts.metricsAddress !== 'disabled') {
    const s = await serveHttp(createMetricsApp(registry), opts.metricsAddress.host, opts.metricsAddress.port);
    servers.push(s);
    log.info('serving metrics', { address: `${s.host}:${s.port}`, path: '/metrics' });
  }

  const kc = loadKubeConfig(opts.kubeconfig);
  const cluster = kc.getCurrentCluster();
  log.info('using kubeconfig', { server: cluster?.server, context: kc.getCurrentContext() });

  // Ready once the API server has answered; until then /readyz says why not.
  let apiState: true | string = 'API server not contacted yet';
  health.checks.addReadyz('apiserver', () => apiState);
  const versionApi = kc.makeApiClient(VersionApi);
  let stopping = false;
  void (async () => {
    for (let delay = 500; !stopping; delay = Math.min(delay * 2, 10_000)) {
      try {
        const v = await versionApi.getCode();
        apiState = true;
        log.info('connected to the API server', { version: v.gitVersion });
        return;
      } catch (err) {
        apiState = `cannot reach ${cluster?.server}: ${err instanceof Error ? err.message : String(err)}`;
        log.warn('API server not reachable, retrying', { error: apiState, retryInMs: delay });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  })();

  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { reason });
    for (const s of stoppers.reverse()) await s().catch((err) => log.error('stop failed', { error: err }));
    for (const s of servers.reverse()) await s.close();
    finish(0);
  };

  return { stop, done };
}

/** --kubeconfig, then $KUBECONFIG, in-cluster credentials, ~/.kube/config (client-go's order). */
export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}
