// Renders deploy/ with the harness's kubectl (`kubectl kustomize`) and gives the tests typed
// views of what came out. The YAML text is kept too: it is what gets applied, unchanged.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { testCluster } from '../../cluster/connect.ts';

export const DEPLOY_DIR = join(import.meta.dirname, '..', '..', '..', 'deploy');

export type Metadata = {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

export type Manifest = { apiVersion: string; kind: string; metadata: Metadata; [field: string]: unknown };

export type PolicyRule = {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
  resourceNames?: string[];
};

export type Webhook = {
  name: string;
  clientConfig: {
    service?: { name: string; namespace?: string; path?: string; port?: number };
    url?: string;
    caBundle?: string;
  };
  rules: Array<
    { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[]; scope?: string }
  >;
  failurePolicy?: string;
  matchPolicy?: string;
  sideEffects?: string;
  admissionReviewVersions: string[];
  timeoutSeconds?: number;
  matchConditions?: Array<{ name: string; expression: string }>;
  namespaceSelector?: unknown;
};

export type WebhookConfiguration = Manifest & { webhooks: Webhook[] };

export type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};

export type Deployment = Manifest & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName?: string;
        securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
        containers: Container[];
        volumes?: Array<{ name: string; secret?: { secretName: string } }>;
      };
    };
  };
};

export type Rendered = { dir: string; yaml: string; objects: Manifest[] };

/** `kubectl kustomize dir`; throws with kustomize's message when it fails. */
export async function render(dir: string): Promise<Rendered> {
  const cluster = await testCluster();
  const res = await cluster.kubectl(['kustomize', dir], { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${res.code}): ${res.stderr.trim()}`);
  // loadAllYaml returns client-node model instances for built-in kinds; a JSON round trip makes
  // them plain objects (no prototypes, no undefined fields) that compare with deepEqual.
  const objects = (loadAllYaml(res.stdout) as unknown[])
    .filter((o) => o !== null && o !== undefined)
    .map((o) => JSON.parse(JSON.stringify(o)) as Manifest);
  return { dir, yaml: res.stdout, objects };
}

export function ofKind<T extends Manifest = Manifest>(rendered: Rendered, kind: string): T[] {
  return rendered.objects.filter((o) => o.kind === kind) as T[];
}

/** The one object of `kind` (named `name`, if given); fails the test when there is not exactly one. */
export function theOne<T extends Manifest = Manifest>(rendered: Rendered, kind: string, name?: string): T {
  const found = ofKind<T>(rendered, kind).filter((o) => name === undefined || o.metadata.name === name);
  if (found.length !== 1) {
    const all = rendered.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(
      `${rendered.dir}: expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length} among ${all}`,
    );
  }
  return found[0] as T;
}

/**
 * A scratch copy of deploy/ for variants a user would make by editing files (a component
 * switched on, webhook-client.env filled in): each edit is the new text of a file under deploy/,
 * or a function of its old text. `root` is the copy's parent, free for other scratch files.
 */
export async function scratchDeploy(
  edits: Record<string, string | ((text: string) => string)> = {},
): Promise<{ root: string; dir: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'cosmos-operator-deploy-'));
  const dir = join(root, 'deploy');
  await cp(DEPLOY_DIR, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    await writeFile(path, typeof edit === 'string' ? edit : edit(await readFile(path, 'utf8')));
  }
  return { root, dir, remove: () => rm(root, { recursive: true, force: true }) };
}

/** deploy/default/kustomization.yaml with its commented-out prometheus component switched on. */
export function withPrometheus(text: string): string {
  const on = text.replace('# components:\n#   - ../prometheus', 'components:\n  - ../prometheus');
  if (on === text) {
    throw new Error('deploy/default/kustomization.yaml no longer has the commented-out prometheus component');
  }
  return on;
}
