// The manager process, in controller-runtime's order: HTTP servers first (health, metrics),
// then the API connection, then — on the leader only — the reconcilers. It stops in reverse
// on SIGTERM/SIGINT, releasing the lease so a standby takes over in seconds. Losing the lease
// ends the process at once (exit 1), so a replica never reconciles without holding it.
import type { BindAddress } from './flags.ts';
import { createHealthApp } from '../http/health-app.ts';
import { createMetricsApp, createMetricsRegistry } from '../http/metrics-app.ts';
import { type RunningServer, serveHttp } from '../http/serve.ts';
import { createKubeClient, inClusterNamespace, type KubeClient, loadKubeConfig } from '../kube/client.ts';
import type { Registry } from 'prom-client';
import type { LeaderWork } from '../kube/controller.ts';
import { createLeaderElector, defaultIdentity } from '../kube/leader-election.ts';
import { createLeaseLock, type Lease } from '../kube/lease-lock.ts';
import { createCache } from '../kube/reflector.ts';
import { resources } from '../kube/resource.ts';
import { describeApiError } from '../kube/api-errors.ts';
import type { Logger } from '../log/log.ts';
import { API_KINDS } from '../api/kinds.ts';
import { serveTls, type TlsServer } from '../http/tls-server.ts';
import { createWebhookApp } from '../webhooks/routes.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type ManagerOptions = {
  metricsAddress: BindAddress;
  healthAddress: BindAddress;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace: string;
  kubeconfig: string;
  /** Reconcile objects in this namespace only; all namespaces when empty. */
  watchNamespace: string;
  /** undefined: no webhook server. */
  webhook?: { host: string; port: number; certDir: string };
  log: Logger;
};

/** Builds the leader work once the API client exists. */
export type LeaderWorkFactory = (ctx: { kube: KubeClient; registry: Registry; log: Logger }) => LeaderWork[];

export type Manager = { stop(reason: string): Promise<void>; done: Promise<number> };

export async function startManager(
  opts: ManagerOptions,
  makeLeaderWork: LeaderWorkFactory = () => [],
): Promise<Manager> {
  const { log } = opts;
  const registry = createMetricsRegistry();
  const health = createHealthApp();
  const servers: RunningServer[] = [];
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  const stopController = new AbortController();

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

  // Webhooks are served on every replica, leader or not (controller-runtime's
  // NeedLeaderElection() == false), so admission keeps working during a leader handover.
  let webhookServer: TlsServer | undefined;
  if (opts.webhook) {
    const { host, port, certDir } = opts.webhook;
    const certFile = join(certDir, 'tls.crt');
    const keyFile = join(certDir, 'tls.key');
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      throw new Error(
        `no webhook serving certificate in ${certDir} (tls.crt, tls.key): mount the cert-manager Secret there, ` +
          `run "cosmos-operator certs --dir ${certDir}", or pass --webhook-port=0 to run without webhooks`,
      );
    }
    webhookServer = await serveTls(
      createWebhookApp(API_KINDS, { registry, logger: log.child({ component: 'webhooks' }) }),
      {
        host: host || '0.0.0.0',
        port,
        certFile,
        keyFile,
        registry,
        logger: log,
      },
    );
    const address = `${webhookServer.address.host}:${webhookServer.address.port}`;
    log.info('serving admission webhooks', { address, certDir, kinds: API_KINDS.map((k) => k.kind) });
    health.checks.addReadyz('webhook', () => true);
  }

  const { kubeConfig, source } = loadKubeConfig({ kubeconfig: opts.kubeconfig });
  const kube = createKubeClient(kubeConfig);
  const leaderWork = makeLeaderWork({ kube, registry, log });
  const server = kubeConfig.server;
  log.info('using Kubernetes credentials', { source, server, context: kubeConfig.context });

  // Ready once the API server has answered; until then /readyz says why not.
  let apiState: true | string = 'API server not contacted yet';
  health.checks.addReadyz('apiserver', () => apiState);
  const connected = (async () => {
    for (let delay = 500; !stopController.signal.aborted; delay = Math.min(delay * 2, 10_000)) {
      try {
        const v = await kube.rest.request<{ gitVersion?: string }>({
          method: 'GET',
          path: '/version',
          signal: stopController.signal,
        });
        apiState = true;
        log.info('connected to the API server', { version: v.gitVersion });
        return true;
      } catch (err) {
        if (stopController.signal.aborted) return false;
        apiState = `cannot reach ${server}: ${describeApiError(err)}`;
        log.warn('API server not reachable, retrying', { error: apiState, retryInMs: delay });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    return false;
  })();

  // Leader work stops before the lease is released, so a standby never reconciles while our
  // last in-flight writes are still landing.
  const workStop = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  let exitCode = 0;
  const startLeaderWork = (signal: AbortSignal) => {
    running = Promise.all(
      leaderWork.map((w) =>
        w.run(signal).catch((err: unknown) => {
          log.error('leader work failed; stopping', { work: w.name, error: err });
          exitCode = 1;
          void stop(`${w.name} failed`);
        })
      ),
    );
  };

  let election: Promise<unknown> = Promise.resolve();
  const electionStop = new AbortController();
  if (opts.leaderElect) {
    const namespace = opts.leaderElectionNamespace || inClusterNamespace() || 'default';
    let leading: AbortController | undefined;
    const elector = createLeaderElector({
      lock: createLeaseLock(kube.rest, namespace, opts.leaderElectionId),
      identity: defaultIdentity(),
      log,
      registry,
      onStartedLeading: () => {
        log.info('became the leader; starting reconcilers', { lease: `${namespace}/${opts.leaderElectionId}` });
        leading = new AbortController();
        startLeaderWork(AbortSignal.any([leading.signal, workStop.signal]));
        void leaseWatch.stop(); // only a standby needs it
      },
      onStoppedLeading: () => leading?.abort(),
    });
    health.checks.addHealthz('leaderElection', () => elector.check());
    // A standby learns from a watch that the leader released the Lease (or that it was deleted)
    // and campaigns at once rather than at its next retry: a graceful handover then takes a
    // round trip instead of up to 4.4 s. The Lease is still read and written as client-go does.
    const leaseWatch = createCache<Lease>(kube.rest, {
      type: resources.leases,
      namespace,
      fieldSelector: `metadata.name=${opts.leaderElectionId}`,
      log: log.child({ component: 'lease-watch' }),
    });
    leaseWatch.subscribe({
      onAdd: () => {},
      onUpdate: (lease) => {
        if (!lease.spec?.holderIdentity) elector.nudge();
      },
      onDelete: () => elector.nudge(),
    });
    election = (async () => {
      if (!(await connected)) return;
      leaseWatch.start();
      const end = await elector.run(electionStop.signal).finally(() => leaseWatch.stop());
      if (end === 'lost') {
        // controller-runtime exits here too: another replica may already be reconciling.
        log.error('leader election lost; exiting');
        process.exit(1);
      }
    })();
  } else {
    void connected.then((ok) => ok && startLeaderWork(workStop.signal));
  }

  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { reason });
    stopController.abort();
    workStop.abort();
    await running;
    electionStop.abort();
    await election.catch((err: unknown) => log.error('stopping: leader election ended with an error', { error: err }));
    await webhookServer?.close();
    for (const s of servers.reverse()) await s.close();
    log.info('stopped');
    finish(exitCode);
  };

  return { stop, done };
}
