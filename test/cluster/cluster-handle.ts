// deno-lint-ignore-file no-explicit-any
// What a test does with a running control plane, whether this process started it or another
// one did (the handle then only reads cluster.json): kubectl, CRDs, ServiceAccount
// kubeconfigs, and killing components to watch clients cope.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ApiAuth, apiJson, fileAuth } from './kube-http.ts';
import { logTail, probe, waitFor } from './probes.ts';
import type { ClusterState, Component } from './cluster-state.ts';

export type KubectlResult = { code: number; stdout: string; stderr: string };

export type ClusterHandle = {
  /** Path of cluster.json. */
  readonly stateFile: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly version: string;
  readonly nodes: string[];
  readonly podCIDR: string;
  readonly storageClass: string;
  readonly storageClasses: string[];
  readonly caFile: string;
  /** Admin credentials for direct HTTPS calls (see kube-http.ts). */
  readonly admin: ApiAuth;
  /** The current state (pids change when the supervisor restarts a component). */
  state(): ClusterState;
  pids(): Record<Component, number>;
  /** Runs kubectl with the admin kubeconfig. Never throws on a non-zero exit: check `code`. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Applies CRD files (or directories of them), then waits until discovery serves each. Returns CRD names. */
  installCRDs(dirOrFiles: string | string[]): Promise<string[]>;
  /** A kubeconfig file authenticating as the ServiceAccount through a TokenRequest token. */
  serviceAccountKubeconfig(namespace: string, name: string, opts?: { expirationSeconds?: number }): Promise<string>;
  /** Resolves when the component is healthy (kube-apiserver: /readyz with admin credentials). */
  waitReady(component: Component, timeoutMs?: number): Promise<void>;
  /**
   * Sends `signal` (default SIGKILL) to the component, waits for the supervisor to start a new
   * process and for it to be healthy. Returns the new pid.
   */
  kill(component: Component, signal?: NodeJS.Signals): Promise<number>;
  /** kill() with SIGTERM: a graceful restart. */
  restart(component: Component): Promise<number>;
};

export function runKubectl(
  kubectl: string,
  kubeconfig: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${kubectl}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

function tail(file: string, n = 30): string {
  try {
    return logTail(readFileSync(file, 'utf8'), n);
  } catch {
    return '(no log)';
  }
}

function kubeconfigYaml(
  o: { server: string; caData: string; user: string; userFields: Record<string, string>; namespace: string },
): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: cosmos-test',
    '  cluster:',
    `    server: ${o.server}`,
    `    certificate-authority-data: ${o.caData}`,
    'users:',
    `- name: ${o.user}`,
    '  user:',
    ...Object.entries(o.userFields).map(([k, v]) => `    ${k}: ${v}`),
    'contexts:',
    '- name: cosmos-test',
    '  context:',
    '    cluster: cosmos-test',
    `    user: ${o.user}`,
    `    namespace: ${o.namespace}`,
    'current-context: cosmos-test',
    '',
  ].join('\n');
}

/** The admin kubeconfig, with certificates embedded so the file stands alone. */
export function adminKubeconfig(server: string, caFile: string, certFile: string, keyFile: string): string {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  return kubeconfigYaml({
    server,
    caData: b64(caFile),
    user: 'admin',
    userFields: { 'client-certificate-data': b64(certFile), 'client-key-data': b64(keyFile) },
    namespace: 'default',
  });
}

export function clusterHandle(stateFile: string, initial: ClusterState): ClusterHandle {
  // Re-read cluster.json only when it changed: the supervisor may live in another process.
  let cached = initial;
  let cachedMtime = 0;
  const state = (): ClusterState => {
    try {
      const m = statSync(stateFile).mtimeMs;
      if (m !== cachedMtime) {
        cached = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
        cachedMtime = m;
      }
    } catch {
      // removed while stopping: keep the last known state
    }
    return cached;
  };
  const s0 = initial;
  const admin = fileAuth(s0.server, s0.caFile, s0.clientCertFile, s0.clientKeyFile);
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) =>
    runKubectl(s0.kubectl, s0.kubeconfig, args, opts);

  const waitReady = async (component: Component, timeoutMs = 120_000): Promise<void> => {
    await waitFor(`${component} ready`, () => probe(state(), admin, component), {
      timeoutMs,
      component,
      logTail: (c) => tail(state().logs[c as Component]),
    });
  };

  const kill = async (component: Component, signal: NodeJS.Signals = 'SIGKILL'): Promise<number> => {
    const old = state().pids[component];
    process.kill(old, signal);
    const fresh = await waitFor(
      `${component} restarted by the supervisor`,
      async () => {
        const pid = state().pids[component];
        if (pid === old) throw new Error(`still pid ${old}`);
        return pid;
      },
      { timeoutMs: 120_000, component, logTail: (c) => tail(state().logs[c as Component]) },
    );
    await waitReady(component);
    return fresh;
  };

  const installCRDs = async (dirOrFiles: string | string[]): Promise<string[]> => {
    const sources = Array.isArray(dirOrFiles) ? dirOrFiles : [dirOrFiles];
    if (sources.length === 0) return [];
    // Server-side apply: cert-manager's CRDs exceed the 256 KiB last-applied annotation.
    const res = await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-o',
      'json',
      ...sources.flatMap((f) => ['-f', f]),
    ]);
    if (res.code !== 0) throw new Error(`kubectl apply of ${sources.join(', ')} failed: ${res.stderr}`);
    const out = JSON.parse(res.stdout);
    const objects: any[] = out.kind === 'List' ? out.items : [out];
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    await Promise.all(
      crds.map((crd) =>
        waitFor(
          `CRD ${crd.metadata.name} served`,
          async () => {
            for (const v of crd.spec.versions as any[]) {
              if (!v.served) continue;
              const list = await apiJson(admin, 'GET', `/apis/${crd.spec.group}/${v.name}`);
              if (!(list.resources as any[]).some((r) => r.name === crd.spec.names.plural)) {
                throw new Error(`${crd.spec.group}/${v.name} does not list ${crd.spec.names.plural} yet`);
              }
            }
          },
          { timeoutMs: 120_000, intervalMs: 100 },
        )
      ),
    );
    return crds.map((c) => c.metadata.name as string);
  };

  const serviceAccountKubeconfig = async (
    namespace: string,
    name: string,
    opts: { expirationSeconds?: number } = {},
  ): Promise<string> => {
    const tr = await apiJson(admin, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: opts.expirationSeconds ?? 24 * 3600 },
      },
    });
    const dir = path.join(s0.dir, 'serviceaccounts');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${namespace}.${name}.kubeconfig`);
    writeFileSync(
      file,
      kubeconfigYaml({
        server: s0.server,
        caData: readFileSync(s0.caFile).toString('base64'),
        user: `serviceaccount-${namespace}-${name}`,
        userFields: { token: tr.status.token as string },
        namespace,
      }),
      { mode: 0o600 },
    );
    return file;
  };

  return {
    stateFile,
    dir: s0.dir,
    kubeconfig: s0.kubeconfig,
    server: s0.server,
    version: s0.version,
    nodes: s0.nodes,
    podCIDR: s0.podCIDR,
    storageClass: s0.storageClass,
    storageClasses: s0.storageClasses,
    caFile: s0.caFile,
    admin,
    state,
    pids: () => state().pids,
    kubectl,
    installCRDs,
    serviceAccountKubeconfig,
    waitReady,
    kill,
    restart: (component) => kill(component, 'SIGTERM'),
  };
}
