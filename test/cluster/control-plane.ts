// deno-lint-ignore-file no-explicit-any
// Starts a real Kubernetes control plane on loopback for integration tests: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, kwok (fake Nodes whose Pods become
// Running with loopback IPs) and a fake volume provisioner, all supervised (restarted when
// killed) and all stopped when the plane stops or this process ends. See README.md.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Binaries, findBinaries } from './binaries.ts';
import { adminKubeconfig, type ClusterHandle, clusterHandle } from './cluster-handle.ts';
import { AUDIT_MARKER_PATH, type ClusterState, type Component, COMPONENTS, writeState } from './cluster-state.ts';
import { apiJson, fileAuth } from './kube-http.ts';
import { writeKwokConfig } from './kwok-config.ts';
import { createPki } from './pki.ts';
import { PORT_LOCK_DIR, releasePorts, reservePorts } from './ports.ts';
import { probe, waitFor } from './probes.ts';
import { type ComponentSpec, startReaper, Supervisor } from './supervisor.ts';
import { thirdPartyCRDs, type ThirdPartyCRDSet } from './third-party-crds.ts';
import { DRIVER_NAME } from './volume-provisioner.ts';

/**
 * kwok hands out pod IPs from a loopback range; Linux routes all of 127.0.0.0/8 to `lo`, so a
 * test can listen on a pod's IP. The /16 is picked at random per control plane
 * (127.2.0.0/16 … 127.254.0.0/16), so two planes on one machine (a developer's `npm run cluster`
 * and a test run) almost never hand out the same pod address to fake RPC servers.
 */
export function pickPodCIDR(random: () => number = Math.random): string {
  return `127.${2 + Math.floor(random() * 253)}.0.0/16`;
}
export const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_IP = '10.96.0.1';
// kube-apiserver needs an advertise address: without one it takes the default-route interface's
// address and refuses to start on a host without a default route. A loopback one makes the
// `kubernetes` Endpoints invalid (with the default lease reconciler). A documentation address
// (TEST-NET-2, RFC 5737) is never routed; with --endpoint-reconciler-type=none nothing dials it.
export const ADVERTISE_ADDRESS = '198.51.100.10';
export const DEFAULT_STORAGE_CLASS = 'cosmos-test';
export const STORAGE_CLASSES = [DEFAULT_STORAGE_CLASS, 'standard'];
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/**
 * What kube-apiserver writes to `logs/audit.log` (read by test/support/audit-log.ts): every write
 * by a ServiceAccount (the tests run operators under their own), the ServiceAccounts' Lease
 * reads (a standby's campaign rounds), and the tests' marker requests. Writes by the harness's
 * own components (admin) are left out: they would make the file large for nothing.
 */
const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [
    { level: 'Metadata', nonResourceURLs: [`${AUDIT_MARKER_PATH}/*`] },
    {
      level: 'Metadata',
      userGroups: ['system:serviceaccounts'],
      verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
    },
    {
      level: 'Metadata',
      userGroups: ['system:serviceaccounts'],
      verbs: ['get'],
      resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
    },
    { level: 'None' },
  ],
};

export type ControlPlaneOptions = {
  /** Number of fake Nodes (default 3). */
  nodes?: number;
  /** Allocatable (= capacity) of each Node. */
  nodeCapacity?: { cpu?: string; memory?: string; pods?: string };
  /** Keep the directory after stop (also env COSMOS_TEST_KEEP=1). */
  keep?: boolean;
  /** Third-party CRD sets to install (default: VolumeSnapshot and friends). */
  crds?: ThirdPartyCRDSet[];
  /** Limit for each readiness wait (default 120 s). */
  timeoutMs?: number;
  /** Stop the plane, then exit, on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
  /** Extra command-line arguments per component. */
  extraArgs?: Partial<Record<Component, string[]>>;
  /** Progress lines (default: stderr with a `[cluster]` prefix). */
  log?: (line: string) => void;
  binaries?: Binaries;
};

export type ControlPlane = ClusterHandle & {
  /** Stops every process (SIGTERM, SIGKILL after 5 s) and removes the directory unless kept. */
  stop(): Promise<void>;
};

const HERE = path.dirname(fileURLToPath(import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

function nodeObject(name: string, index: number, capacity: Record<string, string>): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { providerID: `kwok://${name}` },
    // Nodes, unlike most kinds, keep the status given at creation; kwok's node-initialize
    // stage keeps what is set here and adds conditions.
    status: {
      allocatable: capacity,
      capacity,
      addresses: [
        { type: 'InternalIP', address: `127.1.0.${index + 1}` },
        { type: 'Hostname', address: name },
      ],
    },
  };
}

function storageClassObject(name: string, isDefault: boolean): unknown {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    provisioner: DRIVER_NAME,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  };
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const t0 = Date.now();
  const log = opts.log ?? ((l: string) => process.stderr.write(`[cluster] ${l}\n`));
  const keep = opts.keep ?? process.env.COSMOS_TEST_KEEP === '1';
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const nodeCount = opts.nodes ?? 3;
  const podCIDR = pickPodCIDR();

  const dir = await mkdtemp(path.join(os.tmpdir(), 'cosmos-cp-'));
  const logDir = path.join(dir, 'logs');
  const kwokDir = path.join(dir, 'kwok');
  await Promise.all([mkdir(logDir), mkdir(kwokDir)]);
  const stateFile = path.join(dir, 'cluster.json');
  const ports = await reservePorts(5);
  const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedulerPort] = ports as [number, number, number, number, number];
  const server = `https://127.0.0.1:${apiPort}`;

  let state: ClusterState | undefined;
  const supervisor = new Supervisor(logDir, path.join(dir, 'pids'), () => {
    if (state) {
      state.pids = supervisor.pids() as Record<Component, number>;
      writeState(stateFile, state);
    }
  });
  const portLocks = ports.map((p) => path.join(PORT_LOCK_DIR, `${p}.lock`));
  const reaperPid = startReaper({
    harnessPid: process.pid,
    pidsFile: supervisor.pidsFile,
    removePaths: keep ? portLocks : [dir, ...portLocks],
  });

  let stopping: Promise<void> | undefined;
  const onExit = () => supervisor.signalAllSync('SIGTERM'); // the reaper SIGKILLs leftovers and cleans up
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the control plane`);
    void stop().finally(() => process.exit(128 + (os.constants.signals[signal] ?? 1)));
  };
  const stop = (): Promise<void> => (stopping ??= (async () => {
    // Children and timers are unref'd (so a finished test process may exit); hold the
    // event loop open until every process is gone.
    const hold = setInterval(() => {}, 1000);
    await supervisor.stop([
      ['kwok', 'volume-provisioner', 'kube-scheduler', 'kube-controller-manager'],
      ['kube-apiserver'],
      ['etcd'],
    ]);
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      process.kill(-reaperPid, 'SIGKILL');
    } catch {
      // already gone
    }
    releasePorts(ports);
    if (keep) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
    clearInterval(hold);
  })());
  process.on('exit', onExit);
  if (opts.handleSignals ?? true) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  try {
    const [bins, pki, kwokConfig, crdFiles] = await Promise.all([
      opts.binaries ?? findBinaries({ log }),
      createPki(path.join(dir, 'pki'), { serviceIP: SERVICE_IP, advertiseAddress: ADVERTISE_ADDRESS }),
      writeKwokConfig(kwokDir),
      thirdPartyCRDs(opts.crds ?? ['volumesnapshot']),
    ]);
    const bin = bins.paths;
    const kubeconfig = path.join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, adminKubeconfig(server, pki.caCert, pki.adminCert, pki.adminKey), { mode: 0o600 });
    const admin = fileAuth(server, pki.caCert, pki.adminCert, pki.adminKey);

    const health: Record<Component, string | null> = {
      etcd: `http://127.0.0.1:${etcdPort}/health`,
      'kube-apiserver': `${server}/readyz`,
      'kube-controller-manager': `https://127.0.0.1:${kcmPort}/healthz`,
      'kube-scheduler': `https://127.0.0.1:${schedulerPort}/healthz`,
      kwok: null,
      'volume-provisioner': null,
    };
    const logs = Object.fromEntries(COMPONENTS.map((c) => [c, supervisor.logFile(c)])) as Record<Component, string>;
    // A provisional state for the probes; pids are filled in as processes start.
    const probeState = (): ClusterState => ({ pids: supervisor.pids(), health, server } as unknown as ClusterState);
    const ready = (component: Component) =>
      waitFor(`${component}`, () => probe(probeState(), admin, component), {
        timeoutMs,
        component,
        logTail: (c) => supervisor.logTail(c),
        abort: () => (supervisor.exits(component) >= 3
          ? `${component} exited ${supervisor.exits(component)} times`
          : undefined),
      });
    const run = (spec: ComponentSpec) =>
      supervisor.start({ ...spec, args: [...spec.args, ...(opts.extraArgs?.[spec.name as Component] ?? [])] });

    run({
      name: 'etcd',
      command: bin.etcd,
      args: [
        '--name=etcd',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=etcd=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync=true', // tests never need durability; fsync dominates etcd latency
        '--log-level=warn',
      ],
    });
    await ready('etcd');

    // The audit log (audit.ts): what test ServiceAccounts wrote, when the API server received it.
    // Unless the caller brings its own (bench/audit.ts logs every write).
    const ownAudit = !(opts.extraArgs?.['kube-apiserver'] ?? []).some((a) => a.startsWith('--audit-log-path'));
    const auditLog = path.join(logDir, 'audit.log');
    if (ownAudit) await writeFile(path.join(dir, 'audit-policy.json'), JSON.stringify(AUDIT_POLICY));
    run({
      name: 'kube-apiserver',
      command: bin['kube-apiserver'],
      args: [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--advertise-address=${ADVERTISE_ADDRESS}`,
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        // Default admission plugins stay on, ServiceAccount included: kube-controller-manager
        // creates the `default` ServiceAccounts it requires, and tokens are signed with sa.key.
        `--service-account-issuer=${SA_ISSUER}`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        `--api-audiences=${SA_ISSUER}`,
        ...(ownAudit
          ? [
            `--audit-policy-file=${path.join(dir, 'audit-policy.json')}`,
            `--audit-log-path=${auditLog}`,
            '--audit-log-format=json',
          ]
          : []),
      ],
    });
    await ready('kube-apiserver');
    const version = (await apiJson(admin, 'GET', '/version')).gitVersion as string;

    const common = [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      '--leader-elect=false',
    ];
    run({
      name: 'kube-controller-manager',
      command: bin['kube-controller-manager'],
      args: [
        ...common,
        `--secure-port=${kcmPort}`,
        // Endpoints/EndpointSlices cannot hold loopback addresses (validation rejects
        // 127.0.0.0/8), and every pod IP here is one; those controllers would only fail forever.
        '--controllers=*,-endpoints-controller,-endpointslice-controller,-endpointslice-mirroring-controller',
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        '--kube-api-qps=1000',
        '--kube-api-burst=2000',
      ],
    });
    // A config file rather than flags: the client flags are deprecated and ignored next to one.
    // Backoff 1 s (default 1 s up to 10 s): a pod created just before its claim is bound is
    // retried within a second, so tests don't wait on the scheduler's backoff.
    const schedulerConfig = path.join(dir, 'kube-scheduler.yaml');
    await writeFile(
      schedulerConfig,
      [
        'apiVersion: kubescheduler.config.k8s.io/v1',
        'kind: KubeSchedulerConfiguration',
        'clientConnection:',
        `  kubeconfig: ${kubeconfig}`,
        '  qps: 200',
        '  burst: 400',
        'leaderElection:',
        '  leaderElect: false',
        'podInitialBackoffSeconds: 1',
        'podMaxBackoffSeconds: 1',
        '',
      ].join('\n'),
    );
    run({
      name: 'kube-scheduler',
      command: bin['kube-scheduler'],
      args: [
        `--config=${schedulerConfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedulerPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      ],
    });
    run({
      name: 'kwok',
      command: bin.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`,
        `--config=${kwokConfig}`,
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--cidr=${podCIDR}`,
        '--node-ip=127.1.0.1',
        '--node-lease-duration-seconds=40',
      ],
      env: { KWOK_WORKDIR: kwokDir },
    });
    const provisioner = path.join(HERE, 'volume-provisioner.ts');
    run({
      name: 'volume-provisioner',
      command: process.execPath,
      args: [...(isDeno ? ['run', '-A', provisioner] : [provisioner]), server, pki.caCert, pki.adminCert, pki.adminKey],
    });

    const capacity = { cpu: '64', memory: '512Gi', pods: '1000', 'ephemeral-storage': '1Ti', ...opts.nodeCapacity };
    const nodes = Array.from({ length: nodeCount }, (_, i) => `kwok-node-${i + 1}`);
    await Promise.all([
      ...nodes.map((n, i) => apiJson(admin, 'POST', '/api/v1/nodes', { body: nodeObject(n, i, capacity) })),
      ...STORAGE_CLASSES.map((sc) =>
        apiJson(admin, 'POST', '/apis/storage.k8s.io/v1/storageclasses', {
          body: storageClassObject(sc, sc === DEFAULT_STORAGE_CLASS),
        })
      ),
    ]);

    state = {
      dir,
      kubeconfig,
      server,
      version,
      binDir: bins.dir,
      kubectl: bin.kubectl,
      pids: supervisor.pids() as Record<Component, number>,
      harnessPid: process.pid,
      health,
      logs,
      nodes,
      podCIDR,
      storageClass: DEFAULT_STORAGE_CLASS,
      storageClasses: STORAGE_CLASSES,
      volumeDriver: DRIVER_NAME,
      caFile: pki.caCert,
      clientCertFile: pki.adminCert,
      clientKeyFile: pki.adminKey,
      startSeconds: 0,
      ...(ownAudit ? { auditLog } : {}),
    };
    writeState(stateFile, state);
    const handle = clusterHandle(stateFile, state);
    const fromLog = (c: string) => supervisor.logTail(c);

    await Promise.all([
      handle.installCRDs(crdFiles),
      ready('kube-controller-manager'),
      ready('kube-scheduler'),
      waitFor(
        'ServiceAccount default/default (made by kube-controller-manager)',
        () => apiJson(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default'),
        { timeoutMs, component: 'kube-controller-manager', logTail: fromLog },
      ),
      waitFor(
        'kwok Nodes Ready and untainted',
        async () => {
          const list = await apiJson(admin, 'GET', '/api/v1/nodes');
          for (const name of nodes) {
            const node = (list.items as any[]).find((n) => n.metadata.name === name);
            const readyCond = (node?.status?.conditions as any[] | undefined)?.find((c) => c.type === 'Ready');
            if (readyCond?.status !== 'True') throw new Error(`${name} not Ready`);
            // The TaintNodesByCondition admission plugin taints new Nodes not-ready; the
            // node-lifecycle controller lifts it once kwok reports Ready.
            if ((node.spec.taints ?? []).length > 0) {
              throw new Error(`${name} still tainted ${JSON.stringify(node.spec.taints)}`);
            }
          }
        },
        { timeoutMs, component: 'kwok', logTail: fromLog },
      ),
    ]);

    state.startSeconds = Math.round((Date.now() - t0) / 100) / 10;
    state.pids = supervisor.pids() as Record<Component, number>;
    writeState(stateFile, state);
    log(`control plane ${version} ready in ${state.startSeconds} s; kubeconfig ${kubeconfig}`);
    return { ...handle, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
