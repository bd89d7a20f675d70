// Connecting to the API server: where the credentials come from, and the clients built on them.
// Order (controller-runtime's config.GetConfig): --kubeconfig, $KUBECONFIG, in-cluster
// service-account credentials, ~/.kube/config.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type ApiConstructor, type ApiType } from '@kubernetes/client-node';
import { objectClient, type ObjectClient } from './objects.ts';
import type { KubeObject, ResourceType } from './resource.ts';
import { createRestClient, type RestClient } from './rest.ts';

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigSource = 'flag' | 'env' | 'in-cluster' | 'home';

export type LoadOptions = {
  /** The --kubeconfig flag; empty means unset. */
  kubeconfig?: string;
  env?: Record<string, string | undefined>;
  /** Prefix for the in-cluster credential paths (client-node's loadFromCluster); tests set it. */
  inClusterRoot?: string;
  home?: string;
};

export function loadKubeConfig(opts: LoadOptions = {}): { kubeConfig: KubeConfig; source: KubeConfigSource } {
  const env = opts.env ?? process.env;
  const root = opts.inClusterRoot ?? '';
  const kc = new KubeConfig();

  if (opts.kubeconfig) {
    kc.loadFromFile(opts.kubeconfig);
    return { kubeConfig: kc, source: 'flag' };
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  if (fromEnv.length > 0) {
    kc.loadFromFile(fromEnv[0]!);
    // kubectl's merge: the first file to name a cluster, user or context wins. (client-node's
    // mergeConfig throws on a duplicate name instead.)
    for (const file of fromEnv.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      for (const c of more.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
      for (const u of more.users) if (!kc.getUser(u.name)) kc.addUser(u);
      for (const c of more.contexts) if (!kc.getContextObject(c.name)) kc.addContext(c);
    }
    return { kubeConfig: kc, source: 'env' };
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(`${root}${serviceAccountDir}/token`)) {
    // The token file is read again as it expires, so projected (rotated) tokens keep working.
    kc.loadFromCluster(root);
    return { kubeConfig: kc, source: 'in-cluster' };
  }
  const home = join(opts.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) {
    kc.loadFromFile(home);
    return { kubeConfig: kc, source: 'home' };
  }
  throw new Error('no Kubernetes credentials: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account');
}

/** The namespace of the pod we run in, from its service account; undefined outside a cluster. */
export function inClusterNamespace(saDir = serviceAccountDir): string | undefined {
  const file = join(saDir, 'namespace');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

export type KubeClient = {
  readonly kubeConfig: KubeConfig;
  readonly rest: RestClient;
  /** A generated typed API (CoreV1Api, AppsV1Api, ...). */
  api<T extends ApiType>(ctor: ApiConstructor<T>): T;
  /** Plain-JSON CRUD for any resource type, custom resources included. */
  objects<T extends KubeObject = KubeObject>(type: ResourceType): ObjectClient<T>;
};

export function createKubeClient(kc: KubeConfig): KubeClient {
  const rest = createRestClient(kc);
  return {
    kubeConfig: kc,
    rest,
    api: (ctor) => kc.makeApiClient(ctor),
    objects: (type) => objectClient(rest, type),
  };
}
