// The operator with its admission webhooks wired into the real API server, as in the
// "operator outside the cluster" mode (deploy/external): certificates from `cosmos-operator
// certs`, webhook configurations that call https://127.0.0.1:<port>/<path> with that CA.
// The configurations are scoped to one namespace (namespaceSelector), so other tests sharing
// the control plane are never routed to this operator, and they are deleted on stop.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KINDS } from '../../src/api/kinds.ts';
import { runCertsCommand } from '../../src/cli/certs-command.ts';
import { webhookPath } from '../../src/webhooks/routes.ts';
import { eventually, type TestCluster } from '../cluster/connect.ts';
import { type LogRecord, type OperatorProcess, startOperator } from './operator-process.ts';

const CRD_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'crd');
export const CRD_FILES = API_KINDS.map((k) => join(CRD_DIR, `${k.group}_${k.plural}.yaml`));

export type WebhookOperator = { op: OperatorProcess; port: number; certDir: string; stop(): Promise<void> };

/** A loopback port nothing listens on now (the kernel's pick; free again once this returns). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Webhook configurations for every kind calling the operator on 127.0.0.1:port; for `namespace` only when given. */
export function webhookConfigurations(name: string, port: number, caBundle: string, namespace?: string): unknown[] {
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    timeoutSeconds: 10,
    ...(namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } : {}),
  };
  const hooks = (type: 'validate' | 'mutate') =>
    API_KINDS.map((k) => ({
      ...common,
      name: `${type === 'validate' ? 'v' : 'm'}${k.kind.toLowerCase()}.${name}.cosmos.strange.love`,
      clientConfig: { url: `https://127.0.0.1:${port}${webhookPath(type, k)}`, caBundle },
      rules: [{
        apiGroups: [k.group],
        apiVersions: [k.version],
        operations: ['CREATE', 'UPDATE'],
        resources: [k.plural],
        scope: 'Namespaced',
      }],
    }));
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name },
      webhooks: hooks('validate'),
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name },
      webhooks: hooks('mutate'),
    },
  ];
}

/**
 * Resolves once the API server calls both webhooks for CosmosFullNodes in `namespace`: a
 * server-side dry run (nothing is stored) is refused by the validating one and defaulted by the
 * mutating one. kube-apiserver reads webhook configurations through an informer, so for a moment
 * after they are applied (longer on a busy machine) a create is admitted without calling them;
 * a test that raced that moment would see its bad spec stored.
 */
async function untilRouted(cluster: TestCluster, namespace: string): Promise<void> {
  const probe = (overrides?: string) =>
    JSON.stringify({
      apiVersion: 'cosmos.strange.love/v1',
      kind: 'CosmosFullNode',
      metadata: { name: 'webhook-probe', namespace },
      spec: {
        replicas: 1,
        chain: {
          chainID: 'cosmoshub-4',
          network: 'mainnet',
          binary: 'gaiad',
          ...(overrides !== undefined ? { config: { overrides } } : {}),
        },
        podTemplate: { image: 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0' },
        volumeClaimTemplate: { storageClassName: 'cosmos-test', resources: { requests: { storage: '10Gi' } } },
      },
    });
  await eventually(
    async () => {
      const refused = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], {
        input: probe('[p2p\nbroken'),
      });
      assert.match(refused.stderr, /must be valid TOML/, 'the validating webhook refuses bad TOML');
      const defaulted = await cluster.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], {
        input: probe(),
      });
      assert.equal(defaulted.code, 0, defaulted.stderr);
      const stored = JSON.parse(defaulted.stdout) as { spec: { strategy?: { maxUnavailable?: unknown } } };
      assert.equal(stored.spec.strategy?.maxUnavailable, '25%', 'the mutating webhook fills in defaults');
    },
    { timeoutMs: 60_000, message: `the API server calls the webhooks for ${namespace}` },
  );
}

/**
 * Installs the CRDs, issues certificates, starts `cosmos-operator manager` with its webhook
 * server on a free loopback port, and registers the webhooks for `namespace`. Resolves once
 * the API server routes admission to it.
 */
export async function startOperatorWithWebhooks(
  cluster: TestCluster,
  namespace: string | undefined,
  extraArgs: string[] = [],
  onLog?: (record: LogRecord) => void,
): Promise<WebhookOperator> {
  await cluster.installCRDs(CRD_FILES);
  const certDir = mkdtempSync(join(tmpdir(), 'cosmos-webhook-certs-'));
  const printed: string[] = [];
  const code = await runCertsCommand(['--dir', certDir, '--host', '127.0.0.1'], {
    out: (t) => printed.push(t),
    err: () => {},
  });
  if (code !== 0) throw new Error(`cosmos-operator certs exited ${code}`);
  const caBundle = Buffer.from(readFileSync(join(certDir, 'ca.crt'))).toString('base64');

  const port = await freePort();
  const op = startOperator(
    [
      'manager',
      `--kubeconfig=${cluster.kubeconfig}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
      `--webhook-port=${port}`,
      '--webhook-host=127.0.0.1',
      `--webhook-cert-dir=${certDir}`,
      ...(namespace ? [`--watch-namespace=${namespace}`] : []),
      ...extraArgs,
    ],
    process.env,
    onLog,
  );
  await op.waitForLog((r) => r.msg === 'serving admission webhooks');

  const name = namespace ? `cosmos-operator-test-${namespace}` : 'cosmos-operator-local';
  const manifests = webhookConfigurations(name, port, caBundle, namespace);
  const applied = await cluster.kubectl(['apply', '--server-side', '-f', '-'], {
    input: manifests.map((m) => JSON.stringify(m)).join('\n'),
  });
  if (applied.code !== 0) throw new Error(`applying webhook configurations failed: ${applied.stderr}`);
  await untilRouted(cluster, namespace ?? 'default');

  return {
    op,
    port,
    certDir,
    async stop() {
      await cluster.kubectl([
        'delete',
        'validatingwebhookconfiguration,mutatingwebhookconfiguration',
        name,
        '--ignore-not-found',
      ]);
      await op.stop();
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}
