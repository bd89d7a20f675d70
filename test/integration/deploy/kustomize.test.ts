// deploy/: every kustomize base and overlay renders; the rendered manifests carry what
// docs/install.md promises (names, cert-manager CA injection, webhook wiring, least-privilege
// RBAC, a hardened Deployment); the API server accepts them (server-side dry run); and the
// external overlay really makes the API server call a webhook at its URL with the CA from
// `cosmos-operator certs`.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_KINDS } from '../../../src/api/kinds.ts';
import { runCertsCommand } from '../../../src/cli/certs-command.ts';
import { webhookPath, type WebhookType } from '../../../src/webhooks/routes.ts';
import { newNamespace, testCluster } from '../../cluster/connect.ts';
import { thirdPartyCRDs } from '../../cluster/third-party-crds.ts';
import {
  DEPLOY_DIR,
  type Deployment,
  type Manifest,
  ofKind,
  type PolicyRule,
  render,
  type Rendered,
  scratchDeploy,
  theOne,
  type WebhookConfiguration,
  withPrometheus,
} from './rendered.ts';

const NAMESPACE = 'cosmos-operator-system';
const PREFIX = 'cosmos-operator-';
const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
const CERTIFICATE = `${NAMESPACE}/${PREFIX}serving-cert`;
const CONFIGURATION_KINDS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const;
const TYPE_OF: Record<(typeof CONFIGURATION_KINDS)[number], WebhookType> = {
  MutatingWebhookConfiguration: 'mutate',
  ValidatingWebhookConfiguration: 'validate',
};
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  ...CONFIGURATION_KINDS,
]);
const RBAC_KINDS = new Set(['Role', 'ClusterRole']);
const timeout = 30 * 60_000; // a private control plane may have to build its binaries first

function rulesOf(rendered: Rendered): Array<{ owner: string; rule: PolicyRule }> {
  return rendered.objects
    .filter((o) => RBAC_KINDS.has(o.kind))
    .flatMap((o) =>
      ((o as Manifest & { rules?: PolicyRule[] }).rules ?? []).map((rule) => ({
        owner: `${o.kind}/${o.metadata.name}`,
        rule,
      }))
    );
}

function assertNoWildcards(rendered: Rendered): void {
  const rules = rulesOf(rendered);
  assert.ok(rules.length > 0, `${rendered.dir} has no RBAC rules at all`);
  for (const { owner, rule } of rules) {
    const words = [
      ...(rule.apiGroups ?? []),
      ...(rule.resources ?? []),
      ...rule.verbs,
      ...(rule.nonResourceURLs ?? []),
    ];
    assert.ok(!words.some((w) => w.includes('*')), `${owner} has a wildcard rule: ${JSON.stringify(rule)}`);
  }
}

describe('kubectl kustomize of deploy/', () => {
  for (const dir of ['crd', 'rbac', 'manager', 'webhook', 'certmanager', 'prometheus', 'default', 'external']) {
    it(`renders deploy/${dir} without error`, { timeout }, async () => {
      const rendered = await render(join(DEPLOY_DIR, dir));
      assert.ok(rendered.objects.length > 0, `deploy/${dir} rendered nothing`);
    });
  }

  it('renders deploy/default with the prometheus component switched on', { timeout }, async () => {
    const { dir, remove } = await scratchDeploy({ 'default/kustomization.yaml': withPrometheus });
    try {
      const rendered = await render(join(dir, 'default'));
      const monitor = theOne(rendered, 'ServiceMonitor');
      assert.equal(monitor.metadata.name, `${PREFIX}controller-manager-metrics-monitor`);
      assert.equal(monitor.metadata.namespace, NAMESPACE);
      const names = theOne<Deployment>(rendered, 'Deployment').spec.template.spec.containers.map((c) => c.name);
      assert.deepEqual(names, ['manager', 'kube-rbac-proxy']);
      assertNoWildcards(rendered);
    } finally {
      await remove();
    }
  });
});

describe('deploy/default, rendered', () => {
  let rendered: Rendered;
  before(async () => {
    rendered = await render(join(DEPLOY_DIR, 'default'));
  }, { timeout });

  it('prefixes every name it owns with cosmos-operator- and puts every namespaced object in cosmos-operator-system', () => {
    for (const o of rendered.objects) {
      const id = `${o.kind}/${o.metadata.name}`;
      if (o.kind === 'CustomResourceDefinition') continue; // named <plural>.<group> by the API
      if (o.kind === 'Namespace') {
        assert.equal(o.metadata.name, NAMESPACE);
        continue;
      }
      assert.ok(o.metadata.name.startsWith(PREFIX), `${id} lacks the ${PREFIX} prefix`);
      if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${id} is cluster-scoped`);
      else assert.equal(o.metadata.namespace, NAMESPACE, `${id} namespace`);
    }
  });

  it('annotates both webhook configurations with cert-manager.io/inject-ca-from naming the serving Certificate', () => {
    const certificate = theOne(rendered, 'Certificate');
    assert.equal(`${certificate.metadata.namespace}/${certificate.metadata.name}`, CERTIFICATE);
    for (const kind of CONFIGURATION_KINDS) {
      assert.equal(theOne(rendered, kind).metadata.annotations?.['cert-manager.io/inject-ca-from'], CERTIFICATE, kind);
    }
  });

  it('annotates the three CRDs with the same cert-manager.io/inject-ca-from', () => {
    const crds = ofKind(rendered, 'CustomResourceDefinition');
    assert.deepEqual(crds.map((c) => c.metadata.name).sort(), API_KINDS.map((k) => `${k.plural}.${k.group}`).sort());
    for (const crd of crds) {
      assert.equal(crd.metadata.annotations?.['cert-manager.io/inject-ca-from'], CERTIFICATE, crd.metadata.name);
    }
  });

  it('issues the serving certificate for the webhook Service, from the self-signed Issuer, into webhook-server-cert', () => {
    const service = theOne(rendered, 'Service', `${PREFIX}webhook-service`);
    const certificate = theOne<
      Manifest & { spec: { dnsNames: string[]; secretName: string; issuerRef: { kind: string; name: string } } }
    >(rendered, 'Certificate');
    const host = `${service.metadata.name}.${service.metadata.namespace}.svc`;
    assert.deepEqual(certificate.spec.dnsNames, [host, `${host}.cluster.local`]);
    assert.equal(certificate.spec.secretName, 'webhook-server-cert');
    const issuer = theOne<Manifest & { spec: Record<string, unknown> }>(rendered, 'Issuer');
    assert.deepEqual(certificate.spec.issuerRef, { kind: 'Issuer', name: issuer.metadata.name });
    assert.deepEqual(issuer.spec, { selfSigned: {} });
  });

  it('mounts the certificate Secret read-only where --webhook-cert-dir points, and serves webhooks on 9443', () => {
    const deployment = theOne<Deployment>(rendered, 'Deployment');
    const pod = deployment.spec.template.spec;
    const manager = pod.containers.find((c) => c.name === 'manager');
    assert.ok(manager, 'no manager container');
    assert.deepEqual(manager.command, ['cosmos-operator']);
    assert.equal(manager.args?.[0], 'manager');
    assert.ok(manager.args?.includes(`--webhook-cert-dir=${CERT_DIR}`), `args: ${manager.args}`);
    assert.ok(manager.args?.includes('--webhook-port=9443'), `args: ${manager.args}`);
    assert.ok(manager.ports?.some((p) => p.containerPort === 9443), 'no container port 9443');
    const volume = pod.volumes?.find((v) => v.secret?.secretName === 'webhook-server-cert');
    assert.ok(volume, 'no volume from Secret webhook-server-cert');
    assert.deepEqual(
      manager.volumeMounts?.find((m) => m.name === volume.name),
      { name: volume.name, mountPath: CERT_DIR, readOnly: true },
    );
  });

  it('routes the webhook Service from 443 to the manager pods on 9443', () => {
    const service = theOne<
      Manifest & {
        spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string }> };
      }
    >(
      rendered,
      'Service',
      `${PREFIX}webhook-service`,
    );
    assert.deepEqual(service.spec.ports.map((p) => [p.port, p.targetPort]), [[443, 9443]]);
    const labels = theOne<Deployment>(rendered, 'Deployment').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(labels[k], v, `pod label ${k}`);
  });

  it('points every webhook at the webhook Service on the path src/webhooks serves for its kind', () => {
    for (const kind of CONFIGURATION_KINDS) {
      const configuration = theOne<WebhookConfiguration>(rendered, kind);
      const expected = API_KINDS.map((k) => webhookPath(TYPE_OF[kind], k));
      assert.deepEqual(configuration.webhooks.map((w) => w.clientConfig.service?.path), expected, kind);
      for (const webhook of configuration.webhooks) {
        assert.deepEqual(webhook.clientConfig.service, {
          name: `${PREFIX}webhook-service`,
          namespace: NAMESPACE,
          path: webhook.clientConfig.service?.path,
        }, webhook.name);
        assert.equal(webhook.clientConfig.url, undefined, webhook.name);
      }
    }
  });

  it('matches only CREATE and UPDATE of each kind, fails closed within 10 s, and has no side effects', () => {
    for (const kind of CONFIGURATION_KINDS) {
      const configuration = theOne<WebhookConfiguration>(rendered, kind);
      for (const [i, webhook] of configuration.webhooks.entries()) {
        const api = API_KINDS[i];
        assert.ok(api, `${kind} has more webhooks than there are kinds`);
        assert.deepEqual(webhook.rules, [
          {
            apiGroups: [api.group],
            apiVersions: [api.version],
            operations: ['CREATE', 'UPDATE'],
            resources: [api.plural],
            scope: 'Namespaced',
          },
        ], webhook.name);
        assert.equal(webhook.failurePolicy, 'Fail', webhook.name);
        assert.equal(webhook.sideEffects, 'None', webhook.name);
        assert.equal(webhook.matchPolicy, 'Equivalent', webhook.name);
        assert.equal(webhook.timeoutSeconds, 10, webhook.name);
        assert.deepEqual(webhook.admissionReviewVersions, ['v1'], webhook.name);
      }
    }
  });

  it('runs two leader-elected replicas, metrics on loopback only, probes on 8081', () => {
    const deployment = theOne<Deployment>(rendered, 'Deployment');
    assert.equal(deployment.metadata.name, `${PREFIX}controller-manager`);
    assert.equal(deployment.spec.replicas, 2);
    assert.deepEqual(deployment.spec.selector.matchLabels, { 'control-plane': 'controller-manager' }); // the Go operator's, immutable
    const pod = deployment.spec.template.spec;
    assert.equal(pod.serviceAccountName, `${PREFIX}controller-manager`);
    const manager = pod.containers[0];
    assert.ok(manager);
    for (
      const flag of ['--leader-elect', '--metrics-bind-address=127.0.0.1:8080', '--health-probe-bind-address=:8081']
    ) {
      assert.ok(manager.args?.includes(flag), `missing ${flag} in ${manager.args}`);
    }
    const health = manager.ports?.find((p) => p.name === manager.livenessProbe?.httpGet?.port);
    assert.equal(health?.containerPort, 8081);
    assert.equal(manager.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(manager.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(manager.readinessProbe?.httpGet?.port, manager.livenessProbe?.httpGet?.port);
    assert.ok(theOne(rendered, 'PodDisruptionBudget'), 'no PodDisruptionBudget');
  });

  it('runs the manager as non-root with RuntimeDefault seccomp, no capabilities, a read-only root and resource bounds', () => {
    const pod = theOne<Deployment>(rendered, 'Deployment').spec.template.spec;
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    for (const c of pod.containers) {
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true, c.name);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], c.name);
      assert.ok(
        c.resources?.requests?.memory && c.resources.limits?.memory,
        `${c.name} has no memory request and limit`,
      );
    }
  });

  it('has no RBAC rule with a wildcard', () => {
    assertNoWildcards(rendered);
  });
});

// docs/compatibility.md §12: config/rbac/role.yaml of the Go operator, then what this operator adds.
const ALL_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const MANAGER_ROLE: ReadonlyArray<{ why: string; group: string; resources: string[]; verbs: string[] }> = [
  {
    why: 'Go',
    group: '',
    resources: ['configmaps', 'persistentvolumeclaims', 'pods', 'serviceaccounts', 'services'],
    verbs: ALL_VERBS,
  },
  { why: 'Go', group: '', resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { why: 'Go', group: 'batch', resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch'] },
  {
    why: 'Go',
    group: 'cosmos.strange.love',
    resources: ['cosmosfullnodes', 'scheduledvolumesnapshots', 'statefuljobs'],
    verbs: ALL_VERBS,
  },
  {
    why: 'Go',
    group: 'cosmos.strange.love',
    resources: ['cosmosfullnodes/finalizers', 'scheduledvolumesnapshots/finalizers', 'statefuljobs/finalizers'],
    verbs: ['update'],
  },
  {
    why: 'Go',
    group: 'cosmos.strange.love',
    resources: ['cosmosfullnodes/status', 'scheduledvolumesnapshots/status', 'statefuljobs/status'],
    verbs: ['get', 'patch', 'update'],
  },
  // Go's also had bind and escalate, for a version-check Role granting `namespaces`, which ours does not.
  { why: 'Go', group: 'rbac.authorization.k8s.io', resources: ['rolebindings', 'roles'], verbs: ALL_VERBS },
  {
    why: 'Go',
    group: 'snapshot.storage.k8s.io',
    resources: ['volumesnapshots'],
    verbs: ['create', 'delete', 'get', 'list', 'watch'],
  },
  // Never updated, patched or deleted by the operator: keys do not change, GC deletes the Secrets.
  {
    why: 'ours: node keys live in Secrets',
    group: '',
    resources: ['secrets'],
    verbs: ['create', 'get', 'list', 'watch'],
  },
];

function grants(rules: readonly PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) for (const v of r.verbs) out.add(`${g}|${res}|${v}`);
    }
  }
  return out;
}

describe('deploy/rbac, rendered', () => {
  let rendered: Rendered;
  let managerRole: Set<string>;
  before(async () => {
    rendered = await render(join(DEPLOY_DIR, 'rbac'));
    managerRole = grants(theOne<Manifest & { rules: PolicyRule[] }>(rendered, 'ClusterRole', 'manager-role').rules);
  }, { timeout });

  for (const row of MANAGER_ROLE) {
    it(`manager-role grants ${row.verbs.join(', ')} on ${row.group || 'core'} ${row.resources.join(', ')} (${row.why})`, () => {
      for (const res of row.resources) {
        for (const verb of row.verbs) {
          assert.ok(managerRole.has(`${row.group}|${res}|${verb}`), `missing ${verb} ${row.group}/${res}`);
        }
      }
    });
  }

  it('manager-role grants nothing beyond that table', () => {
    const table = new Set(
      MANAGER_ROLE.flatMap((row) => row.resources.flatMap((res) => row.verbs.map((v) => `${row.group}|${res}|${v}`))),
    );
    assert.deepEqual([...managerRole].filter((g) => !table.has(g)), []);
    const role = theOne<Manifest & { rules: PolicyRule[] }>(rendered, 'ClusterRole', 'manager-role');
    assert.ok(
      role.rules.every((r) => !r.nonResourceURLs && !r.resourceNames),
      'unexpected nonResourceURLs or resourceNames',
    );
  });

  it('grants Leases and events in a namespaced Role for leader election, not cluster-wide', () => {
    const role = theOne<Manifest & { rules: PolicyRule[] }>(rendered, 'Role', 'leader-election-role');
    assert.equal(role.metadata.namespace, 'system'); // kustomize's placeholder, set by the overlays
    const granted = grants(role.rules);
    for (const verb of ALL_VERBS) assert.ok(granted.has(`coordination.k8s.io|leases|${verb}`), `leases ${verb}`);
    assert.ok(granted.has('|events|create') && granted.has('|events|patch'));
    assert.ok(![...managerRole].some((g) => g.includes('|leases|')), 'manager-role must not grant Leases cluster-wide');
  });

  it('binds both roles to the ServiceAccount controller-manager', () => {
    const account = theOne(rendered, 'ServiceAccount');
    assert.equal(account.metadata.name, 'controller-manager');
    const subject = { kind: 'ServiceAccount', name: 'controller-manager', namespace: 'system' };
    const cluster = theOne<Manifest & { roleRef: { kind: string; name: string }; subjects: unknown[] }>(
      rendered,
      'ClusterRoleBinding',
    );
    assert.deepEqual([cluster.roleRef.kind, cluster.roleRef.name], ['ClusterRole', 'manager-role']);
    assert.deepEqual(cluster.subjects, [subject]);
    const local = theOne<Manifest & { roleRef: { kind: string; name: string }; subjects: unknown[] }>(
      rendered,
      'RoleBinding',
    );
    assert.deepEqual([local.roleRef.kind, local.roleRef.name], ['Role', 'leader-election-role']);
    assert.deepEqual(local.subjects, [subject]);
  });

  it('has no RBAC rule with a wildcard', () => {
    assertNoWildcards(rendered);
  });
});

describe('deploy/external, rendered', () => {
  it(
    'has no Deployment, Service, ConfigMap or cert-manager object, and no inject-ca-from annotation',
    { timeout },
    async () => {
      const rendered = await render(join(DEPLOY_DIR, 'external'));
      const kinds = new Set(rendered.objects.map((o) => o.kind));
      for (const kind of ['Deployment', 'Service', 'ConfigMap', 'Certificate', 'Issuer']) {
        assert.ok(
          !kinds.has(kind),
          `has a ${kind}`,
        );
      }
      for (const o of rendered.objects) {
        assert.equal(
          o.metadata.annotations?.['cert-manager.io/inject-ca-from'],
          undefined,
          o.metadata.name,
        );
      }
      assertNoWildcards(rendered);
    },
  );

  it(
    'sends every webhook to https://127.0.0.1:9443 on its path until webhook-client.env says otherwise',
    { timeout },
    async () => {
      const rendered = await render(join(DEPLOY_DIR, 'external'));
      for (const kind of CONFIGURATION_KINDS) {
        const configuration = theOne<WebhookConfiguration>(rendered, kind);
        assert.equal(
          configuration.metadata.name,
          `${PREFIX}${TYPE_OF[kind] === 'mutate' ? 'mutating' : 'validating'}-webhook-configuration`,
        );
        assert.deepEqual(
          configuration.webhooks.map((w) => w.clientConfig),
          API_KINDS.map((k) => ({ url: `https://127.0.0.1:9443${webhookPath(TYPE_OF[kind], k)}`, caBundle: '' })),
        );
      }
    },
  );

  it('takes the host and the caBundle from webhook-client.env', { timeout }, async () => {
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n').toString(
      'base64',
    );
    const { dir, remove } = await scratchDeploy({
      'external/webhook-client.env': `host=operator.example.com:10443\ncaBundle=${caBundle}\n`,
    });
    try {
      const rendered = await render(join(dir, 'external'));
      for (const kind of CONFIGURATION_KINDS) {
        for (const [i, w] of theOne<WebhookConfiguration>(rendered, kind).webhooks.entries()) {
          const api = API_KINDS[i];
          assert.ok(api);
          assert.deepEqual(w.clientConfig, {
            url: `https://operator.example.com:10443${webhookPath(TYPE_OF[kind], api)}`,
            caBundle,
          });
        }
      }
    } finally {
      await remove();
    }
  });
});

describe('deploy/ against the API server', () => {
  // A server-side dry run of a namespaced object fails with NotFound while its Namespace does
  // not exist, and a dry-run create of the Namespace does not make it exist. So the Namespace
  // (the same name in every overlay) is applied for real first, from the rendered default: it
  // is empty, it is what the dry runs would create, and it is deleted afterwards if this file
  // created it. Deleting it between dry runs would not do: a terminating namespace refuses
  // new content, dry runs included.
  let createdNamespace: string | undefined;

  before(async () => {
    const cluster = await testCluster();
    await cluster.installCRDs(await thirdPartyCRDs(['cert-manager', 'servicemonitor']));
    const namespace = theOne(await render(join(DEPLOY_DIR, 'default')), 'Namespace');
    const existed = (await cluster.kubectl(['get', 'namespace', namespace.metadata.name])).code === 0;
    const created = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(namespace) });
    assert.equal(created.code, 0, created.stderr);
    if (!existed) createdNamespace = namespace.metadata.name;
  }, { timeout });

  after(async () => {
    if (createdNamespace) {
      await (await testCluster()).kubectl(['delete', 'namespace', createdNamespace, '--wait=false']);
    }
  });

  async function dryRunApply(rendered: Rendered): Promise<{ stdout: string; stderr: string }> {
    const cluster = await testCluster();
    const res = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], {
      input: rendered.yaml,
      timeoutMs: 120_000,
    });
    assert.equal(res.code, 0, `server-side dry run of ${rendered.dir} failed:\n${res.stderr}`);
    return res;
  }

  it('accepts deploy/default in a server-side dry run, cert-manager objects included, without Pod Security warnings', {
    timeout,
  }, async () => {
    const rendered = await render(join(DEPLOY_DIR, 'default'));
    const { stdout, stderr } = await dryRunApply(rendered);
    assert.equal(stdout.trim().split('\n').length, rendered.objects.length, stdout);
    assert.match(
      stdout,
      /certificate\.cert-manager\.io\/cosmos-operator-serving-cert serverside-applied \(server dry run\)/,
    );
    assert.doesNotMatch(stderr, /PodSecurity/);
  });

  it('refuses deploy/default in a client-side apply: the CosmosFullNode CRD overflows the last-applied annotation', {
    timeout,
  }, async () => {
    // Why docs/install.md says `--server-side`. Should this start passing, the CRD has shrunk
    // below 256 KiB and the docs can relax.
    const rendered = await render(join(DEPLOY_DIR, 'default'));
    const res = await (await testCluster()).kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: rendered.yaml,
      timeoutMs: 120_000,
    });
    assert.notEqual(res.code, 0);
    assert.match(
      res.stderr,
      /"cosmosfullnodes\.cosmos\.strange\.love" is invalid: metadata\.annotations: Too long: may not be more than 262144 bytes/,
    );
  });

  it('accepts deploy/default with the prometheus component in a server-side dry run', { timeout }, async () => {
    const { dir, remove } = await scratchDeploy({ 'default/kustomization.yaml': withPrometheus });
    try {
      const { stdout, stderr } = await dryRunApply(await render(join(dir, 'default')));
      assert.match(
        stdout,
        /servicemonitor\.monitoring\.coreos\.com\/cosmos-operator-controller-manager-metrics-monitor serverside-applied/,
      );
      assert.doesNotMatch(stderr, /PodSecurity/);
    } finally {
      await remove();
    }
  });

  it(
    'accepts deploy/external with a CA bundle from `cosmos-operator certs` in a server-side dry run',
    { timeout },
    async () => {
      const { root, dir, remove } = await scratchDeploy();
      try {
        const caBundle = await issueCerts(join(root, 'certs'));
        await writeFile(join(dir, 'external', 'webhook-client.env'), `host=127.0.0.1:9443\ncaBundle=${caBundle}\n`);
        await dryRunApply(await render(join(dir, 'external')));
      } finally {
        await remove();
      }
    },
  );
});

/** Runs `cosmos-operator certs --dir dir` in process; returns the base64 CA bundle it prints. */
async function issueCerts(dir: string): Promise<string> {
  let out = '';
  let err = '';
  const code = await runCertsCommand(['--dir', dir], { out: (t) => (out += t), err: (t) => (err += t) });
  assert.equal(code, 0, err);
  return out.trim();
}

// The real thing for deploy/external: the API server, given the rendered configurations with the
// CA from `cosmos-operator certs`, calls a TLS server at the URL and path the overlay names. A
// stub stands in for the operator (it allows every mutation and denies every validation, naming
// the path), so this tests the manifests, not the handlers. The configurations are renamed and
// limited to this test's namespace: webhook configurations are cluster-wide, and the control
// plane may be shared with other test files.
describe('deploy/external with a webhook server outside the cluster', () => {
  let server: Server | undefined;
  let ns: string;
  let scratch: Awaited<ReturnType<typeof scratchDeploy>> | undefined;
  const names: string[] = [];
  const seen: Array<{ path: string; operation: string; kind: string }> = [];

  before(async () => {
    const cluster = await testCluster();
    ns = await newNamespace('deploy-external');
    await cluster.installCRDs(API_KINDS.map((k) => join(DEPLOY_DIR, 'crd', `${k.group}_${k.plural}.yaml`)));

    scratch = await scratchDeploy();
    const certDir = join(scratch.root, 'certs');
    const caBundle = await issueCerts(certDir);
    server = createServer({
      cert: await readFile(join(certDir, 'tls.crt')),
      key: await readFile(join(certDir, 'tls.key')),
    }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          request: { uid: string; operation: string; kind: { kind: string } };
        };
        const path = new URL(req.url ?? '/', 'https://stub').pathname; // the API server adds ?timeout=10s
        seen.push({ path, operation: review.request.operation, kind: review.request.kind.kind });
        const response = path.startsWith('/validate-')
          ? {
            uid: review.request.uid,
            allowed: false,
            status: { code: 403, message: `stub webhook denies at ${path}` },
          }
          : { uid: review.request.uid, allowed: true };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    await writeFile(
      join(scratch.dir, 'external', 'webhook-client.env'),
      `host=127.0.0.1:${port}\ncaBundle=${caBundle}\n`,
    );
    const rendered = await render(join(scratch.dir, 'external'));
    const configurations = CONFIGURATION_KINDS.map((kind) => {
      const c = theOne<WebhookConfiguration>(rendered, kind);
      const name = `${c.metadata.name}-${ns}`;
      names.push(`${kind.toLowerCase()}/${name}`);
      const onlyHere = { matchLabels: { 'kubernetes.io/metadata.name': ns } };
      return {
        ...c,
        metadata: { ...c.metadata, name },
        webhooks: c.webhooks.map((w) => ({ ...w, namespaceSelector: onlyHere })),
      };
    });
    const applied = await cluster.kubectl(['apply', '--server-side', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: configurations }),
    });
    assert.equal(applied.code, 0, applied.stderr);
  }, { timeout });

  after(async () => {
    const cluster = await testCluster();
    for (const name of names) await cluster.kubectl(['delete', name, '--ignore-not-found']);
    if (ns) await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await scratch?.remove();
  });

  it('makes the API server call the mutating and then the validating URL of the kind, trusting the CA', {
    timeout: 120_000,
  }, async () => {
    const cluster = await testCluster();
    const manifest = await readFile(join(DEPLOY_DIR, '..', 'examples', 'cosmosfullnode-minimal.yaml'), 'utf8');
    // Configurations take a moment to reach the API server's admission plugins; until then
    // the create succeeds without calling anything, so retry in a fresh name each time (for up
    // to a minute: a busy machine can be slow to get there).
    let res;
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const named = manifest.replace('name: cosmoshub', `name: cosmoshub-${attempt}`);
      res = await cluster.kubectl(['create', '-n', ns, '-f', '-'], { input: named });
      if (res.code !== 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(res && res.code !== 0, 'the create was never sent to the webhooks within a minute');
    assert.match(res.stderr, /stub webhook denies at \/validate-cosmos-strange-love-v1-cosmosfullnode/);
    assert.deepEqual(seen.slice(-2), [
      { path: '/mutate-cosmos-strange-love-v1-cosmosfullnode', operation: 'CREATE', kind: 'CosmosFullNode' },
      { path: '/validate-cosmos-strange-love-v1-cosmosfullnode', operation: 'CREATE', kind: 'CosmosFullNode' },
    ]);
  });
});
