// Connecting to the API server: where the credentials come from, and the clients built on them.
// Order (controller-runtime's config.GetConfig): --kubeconfig, $KUBECONFIG, in-cluster
// service-account credentials, ~/.kube/config.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  currentConnection,
  inClusterConnection,
  type KubeConfig,
  mergeKubeConfigFiles,
  readKubeConfigFile,
} from './kubeconfig.ts';
import { type ObjectClient, objectClient } from './objects.ts';
import type { KubeObject, ResourceType } from './resource.ts';
import { createRestClient, type RestClient } from './rest.ts';

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigSource = 'flag' | 'env' | 'in-cluster' | 'home';

export type LoadOptions = {
  /** The --kubeconfig flag; empty means unset. */
  kubeconfig?: string;
  env?: Record<string, string | undefined>;
  /** Prefix for the in-cluster credential paths; tests set it. */
  inClusterRoot?: string;
  home?: string;
};

export function loadKubeConfig(opts: LoadOptions = {}): { kubeConfig: KubeConfig; source: KubeConfigSource } {
  const env = opts.env ?? process.env;
  const root = opts.inClusterRoot ?? '';

  if (opts.kubeconfig) {
    return {
      kubeConfig: currentConnection(readKubeConfigFile(opts.kubeconfig), undefined, opts.kubeconfig),
      source: 'flag',
    };
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (fromEnv.length > 0) {
    // kubectl's merge: the first file to name a cluster, user, context or the current context wins.
    const merged = mergeKubeConfigFiles(fromEnv.map((f) => readKubeConfigFile(f)));
    return { kubeConfig: currentConnection(merged, undefined, `$KUBECONFIG (${fromEnv.join(':')})`), source: 'env' };
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(`${root}${serviceAccountDir}/token`)) {
    // The token file is read again as it ages, so projected (rotated) tokens keep working.
    return { kubeConfig: inClusterConnection(env, root), source: 'in-cluster' };
  }
  const home = join(opts.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) {
    return { kubeConfig: currentConnection(readKubeConfigFile(home), undefined, home), source: 'home' };
  }
  throw new Error(
    'no Kubernetes credentials: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account',
  );
}

/** The namespace of the pod we run in, from its service account; undefined outside a cluster. */
export function inClusterNamespace(saDir = serviceAccountDir): string | undefined {
  const file = join(saDir, 'namespace');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

export type KubeClient = {
  readonly kubeConfig: KubeConfig;
  readonly rest: RestClient;
  /** Plain-JSON CRUD for any resource type, custom resources included. */
  objects<T extends KubeObject = KubeObject>(type: ResourceType): ObjectClient<T>;
};

export function createKubeClient(kc: KubeConfig): KubeClient {
  const rest = createRestClient(kc);
  return {
    kubeConfig: kc,
    rest,
    objects: (type) => objectClient(rest, type),
  };
}
