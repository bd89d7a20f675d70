// The repository's full and sentry examples against a real control plane: every child the
// CosmosFullNode controller builds for them, field by field, against the Go operator's contract
// (docs/compatibility.md §2.2–§2.8, §2.13), and a sentry set's rolling update bounded by
// maxUnavailable. Expected values are written out as that page states them, never computed by the
// builders under test. The controller runs in this process under deploy/rbac's ClusterRole; pods
// are kwok's, their CometBFT RPC a fake served on each pod's IP (every pod in sync).
//
// Where this operator differs from the Go one on purpose (the Differences in those sections) the
// tests follow this operator and say so: node keys live in Secrets `<app>-node-key-<i>`, projected
// into the same directory the Go operator's ConfigMap item went to.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client.ts';
import { resources, type ResourceType } from '../../../src/kube/resource.ts';
import { eventually } from '../../cluster/connect.ts';
import { mostAtOnce, podsDown, recordingOf, recordWatch } from '../../support/watch-recorder.ts';
import {
  eventReasons,
  exampleNode,
  FULL_NODES,
  getFullNode,
  type Harness,
  harness,
  list,
  names,
  type Obj,
  operatorNamespace,
  updateSpec,
} from './harness.ts';

const PRIORITY_CLASSES: ResourceType = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  plural: 'priorityclasses',
  kind: 'PriorityClass',
  namespaced: false,
};
const NODES: ResourceType = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };

const INFRA = 'ghcr.io/strangelove-ventures/infra-toolkit:v0.1.6';
// The in-process controller keeps the Go operator's sidecar image (sidecar.ts), as §2.4 names it.
const OPERATOR_IMAGE = 'ghcr.io/strangelove-ventures/cosmos-operator:latest';
const SIDECAR_RESOURCES = { requests: { cpu: '5m', memory: '16Mi' } };
const SECURITY_CONTEXT = {
  runAsUser: 1025,
  runAsGroup: 1025,
  runAsNonRoot: true,
  fsGroup: 1025,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};
/**
 * Ours, not the Go operator's: what the `restricted` Pod Security Standard asks of every container
 * the operator builds (the chain's own `node` container is left as the Go operator left it).
 */
const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
/** Ours: the ServiceAccount token goes only where it is used (the version checks), read-only. */
const SERVICE_ACCOUNT_MOUNT = {
  name: 'vol-service-account',
  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  readOnly: true,
};
const REVISION = 'app.kubernetes.io/revision';
const ORDINAL = 'app.kubernetes.io/ordinal';
const CHECKSUM = 'cosmos.strange.love/config-checksum';

type Mount = { name: string; mountPath: string; readOnly?: boolean };
type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  workingDir?: string;
  volumeMounts?: Mount[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: unknown;
  securityContext?: unknown;
  imagePullPolicy?: string;
};
// deno-lint-ignore no-explicit-any
type Volume = { name: string; [source: string]: any };

// --- expected values the spec writes out ---------------------------------------------------------

/** §2.4 env of every operator container except healthcheck, in order. */
function chainEnv(home: string) {
  return [
    { name: 'HOME', value: '/home/operator' },
    { name: 'CHAIN_HOME', value: home },
    { name: 'GENESIS_FILE', value: `${home}/config/genesis.json` },
    { name: 'ADDRBOOK_FILE', value: `${home}/config/addrbook.json` },
    { name: 'CONFIG_DIR', value: `${home}/config` },
    { name: 'DATA_DIR', value: `${home}/data` },
  ];
}

/** §2.4 mounts: `node` and `version-check-interval` get the first two, init containers all four. */
function chainMounts(home: string): Mount[] {
  return [
    { name: 'vol-chain-home', mountPath: home },
    { name: 'vol-system-tmp', mountPath: '/tmp' },
  ];
}
function initMounts(home: string): Mount[] {
  return [...chainMounts(home), { name: 'vol-tmp', mountPath: '/home/operator/.tmp' }, {
    name: 'vol-config',
    mountPath: '/home/operator/.config',
  }];
}

/** §2.4 `node` ports, in order; a Sentry adds privval. */
function nodePorts(sentry: boolean) {
  const ports = [
    { name: 'api', containerPort: 1317, protocol: 'TCP' },
    { name: 'rosetta', containerPort: 8080, protocol: 'TCP' },
    { name: 'grpc', containerPort: 9090, protocol: 'TCP' },
    { name: 'prometheus', containerPort: 26660, protocol: 'TCP' },
    { name: 'p2p', containerPort: 26656, protocol: 'TCP' },
    { name: 'rpc', containerPort: 26657, protocol: 'TCP' },
    { name: 'grpc-web', containerPort: 9091, protocol: 'TCP' },
  ];
  return sentry ? [...ports, { name: 'privval', containerPort: 1234, protocol: 'TCP' }] : ports;
}

/** §2.3 RPC service ports (targets by the same names), before rpcTemplate.ports. */
const RPC_SERVICE_PORTS = [
  { name: 'api', protocol: 'TCP', port: 1317, targetPort: 'api' },
  { name: 'rosetta', protocol: 'TCP', port: 8080, targetPort: 'rosetta' },
  { name: 'grpc', protocol: 'TCP', port: 9090, targetPort: 'grpc' },
  { name: 'rpc', protocol: 'TCP', port: 26657, targetPort: 'rpc' },
  { name: 'grpc-web', protocol: 'TCP', port: 9091, targetPort: 'grpc-web' },
];

/** §2.4 readiness probes with the InSync strategy. */
const NODE_PROBE = {
  httpGet: { path: '/health', port: 26657, scheme: 'HTTP' },
  initialDelaySeconds: 1,
  timeoutSeconds: 10,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 5,
};
const HEALTHCHECK_PROBE = {
  httpGet: { path: '/', port: 1251, scheme: 'HTTP' },
  initialDelaySeconds: 1,
  timeoutSeconds: 10,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
};

/** §2.5 the app.toml defaults every app-overlay.toml starts from. */
const APP_DEFAULTS = {
  api: { enable: true, swagger: true, address: 'tcp://0.0.0.0:1317', 'enabled-unsafe-cors': false },
  grpc: { enable: true, address: '0.0.0.0:9090' },
  'grpc-web': { enable: true, address: '0.0.0.0:9091', 'enable-unsafe-cors': false },
};
const INSTRUMENTATION = { prometheus: true, prometheus_listen_addr: ':26660' };

// --- reading what the API server holds -----------------------------------------------------------

const byName = <T extends { name?: string; metadata?: { name?: string } }>(items: readonly T[], name: string): T => {
  const found = items.find((i) => (i.metadata?.name ?? i.name) === name);
  assert.ok(found, `${name} among ${items.map((i) => i.metadata?.name ?? i.name).join(', ')}`);
  return found;
};

/** Labels without the revision, after checking it is the 8 hex digits of a 32-bit hash (§2.11). */
function labelsOf(obj: Obj): Record<string, string> {
  const { [REVISION]: revision, ...rest } = obj.metadata?.labels ?? {};
  assert.match(revision ?? '', /^[0-9a-f]{8}$/, `revision label of ${obj.metadata?.name}`);
  return rest;
}

/**
 * The ServiceAccount admission plugin mounts a token into every container of a pod that does not
 * opt out (the additional pods); it is not ours. Main pods opt out and mount their own.
 */
const ours = <T extends { name: string }>(items: readonly T[] | undefined): T[] =>
  (items ?? []).filter((i) => !i.name.startsWith('kube-api-access-'));
const mountsOf = (c: Container): Mount[] =>
  ours(c.volumeMounts).map((
    { name, mountPath, readOnly },
  ) => (readOnly ? { name, mountPath, readOnly } : { name, mountPath }));
/** Command and args as one line: §2.4 names the line, not how it is split between the two. */
const commandLine = (c: Container): string[] => [...(c.command ?? []), ...(c.args ?? [])];
const containersOf = (pod: Obj): Container[] => pod.spec.containers;
const initContainersOf = (pod: Obj): Container[] => pod.spec.initContainers ?? [];
const servicePorts = (svc: Obj) =>
  (svc.spec.ports as { nodePort?: number }[]).map(({ nodePort: _allocated, ...port }) => port);

/** Which file of the `vol-config` directory comes from which object, however the volume is made. */
function configDirectory(volume: Volume): Record<string, string> {
  const files: Record<string, string> = {};
  const add = (kind: string, source: { name: string; items?: { key: string; path: string }[] }) => {
    for (const item of source.items ?? []) files[item.path] = `${kind} ${source.name}:${item.key}`;
  };
  if (volume.configMap) add('ConfigMap', volume.configMap);
  for (const source of volume.projected?.sources ?? []) {
    if (source.configMap) add('ConfigMap', source.configMap);
    if (source.secret) add('Secret', source.secret);
  }
  return files;
}

/** The node key in a Secret: a real ed25519 key in CometBFT's JSON form; returns its node ID (§2.5). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
function nodeIdOf(secret: Obj): string {
  const text = Buffer.from(secret.data?.['node_key.json'] ?? '', 'base64').toString('utf8');
  const json = JSON.parse(text) as { priv_key: { type: string; value: string } };
  assert.deepEqual(Object.keys(json), ['priv_key']);
  assert.equal(json.priv_key.type, 'tendermint/PrivKeyEd25519');
  const key = Buffer.from(json.priv_key.value, 'base64');
  assert.equal(key.length, 64, 'seed and public key');
  const derived = createPublicKey(
    createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, key.subarray(0, 32)]), format: 'der', type: 'pkcs8' }),
  )
    .export({ format: 'der', type: 'spki' })
    .subarray(-32);
  assert.deepEqual(derived, key.subarray(32), 'the public half belongs to the seed');
  return createHash('sha256').update(key.subarray(32)).digest().subarray(0, 20).toString('hex');
}

/** Every `sh -c` script must at least parse: a typo would only show on a real node. */
function assertShellParses(container: Container): void {
  assert.deepEqual(container.command, ['sh'], container.name);
  assert.equal(container.args?.[0], '-c', container.name);
  execFileSync('sh', ['-n', '-c', container.args![1]!]);
}

/** An overlay file as plain JSON (smol-toml's tables have no prototype, which deepEqual tells apart). */
const toml = (cm: Obj, file: string) =>
  // deno-lint-ignore no-explicit-any
  JSON.parse(JSON.stringify(parseToml(cm.data?.[file] ?? ''))) as Record<string, any>;

// -------------------------------------------------------------------------------------------------

describe('the CosmosFullNode examples', () => {
  let h: Harness;

  before(async () => {
    h = await harness();
  }, { timeout: 30 * 60_000 });

  const environment = (prefix: string) => operatorNamespace(h, prefix);

  /** Gives LoadBalancer `name` the ingress a cloud would, so its p2p address becomes known (§2.6). */
  async function giveLoadBalancerAddress(ns: string, name: string, ip: string) {
    await eventually(async () => assert.ok(await h.admin.objects(resources.services).get(ns, name)), {
      message: `Service ${name}`,
    });
    await h.admin.rest.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${ns}/services/${name}/status`,
      body: { status: { loadBalancer: { ingress: [{ ip }] } } },
      contentType: 'application/merge-patch+json',
    });
  }

  /** Complete, every wanted pod Running, and every main pod carrying its ConfigMap's current revision. */
  async function settled(ns: string, name: string, podNames: string[], timeoutMs = 180_000) {
    return eventually(
      async () => {
        const node = await getFullNode(h, ns, name);
        assert.equal(node.status?.phase, 'Complete');
        assert.equal(node.status?.observedGeneration, node.metadata.generation);
        const pods = await list(h, resources.pods, ns);
        assert.deepEqual(names(pods), [...podNames].sort());
        const configMaps = await list(h, resources.configMaps, ns);
        for (const pod of pods) {
          assert.equal(pod.status?.phase, 'Running', pod.metadata?.name);
          assert.equal(pod.metadata?.deletionTimestamp, undefined);
          const cm = configMaps.find((c) => c.metadata?.name === pod.metadata?.name);
          if (cm) {
            assert.equal(
              pod.metadata?.annotations?.[CHECKSUM],
              cm.metadata?.labels?.[REVISION],
              `${pod.metadata?.name} runs its ConfigMap's revision`,
            );
          }
        }
        return node;
      },
      { timeoutMs, message: `${ns}/${name} settled` },
    );
  }

  // ------------------------------------------------------------------------------------------------
  describe('examples/cosmosfullnode-full.yaml', () => {
    const APP = 'osmosis-mainnet';
    const HOME = '/home/operator/.osmosisd';
    const V25 = 'ghcr.io/strangelove-ventures/heighliner/osmosis:v25.0.0';
    const DEBUG = 'ghcr.io/strangelove-ventures/heighliner/osmosis:v26.0.1-debug';
    const PEER = '4d9ac3510d9f5cfc975a28eb2a7b8da866f7bc47';
    const LB = { 0: '198.51.100.10', 1: '198.51.100.11' } as Record<number, string>;
    const MAIN = [0, 1, 2].map((i) => `${APP}-${i}`);
    const EXPORTERS = [0, 1, 2].map((i) => `${APP}-exporter-${i}`);
    let env: Awaited<ReturnType<typeof environment>>;
    let ns: string;
    let chainNode: string;
    let largeNode: string;

    /** §2.2 default labels: the CR's `team` label added; version "latest" as the template names no image. */
    const defaults = (extra: Record<string, string> = {}) => ({
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/name': APP,
      'app.kubernetes.io/version': 'latest',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'FullNode',
      team: 'infra',
      ...extra,
    });

    before(async () => {
      env = await environment('example-full');
      ns = env.ns;
      // What the example expects the cluster to have: its PriorityClass, its ServiceAccount, and
      // nodes in the pools its nodeSelectors name, tainted as its toleration expects (so no
      // other test's pods land there). The PriorityClass is cluster-wide and left in place: harmless,
      // and another run on a shared plane may be using it.
      const priorityClasses = h.admin.objects(PRIORITY_CLASSES);
      if ((await priorityClasses.get(undefined, 'chain-nodes')) === undefined) {
        await priorityClasses.create({ metadata: { name: 'chain-nodes' }, value: 1000 } as Obj).catch(
          (err: { code?: number }) => {
            if (err.code !== 409) throw err;
          },
        );
      }
      await h.admin.objects(resources.serviceAccounts).create({ metadata: { namespace: ns, name: 'osmosis-nodes' } });
      chainNode = `${ns}-chain`;
      largeNode = `${ns}-chain-large`;
      for (
        const [name, pool, ip] of [
          [chainNode, 'chain', '127.1.1.1'],
          [largeNode, 'chain-large', '127.1.1.2'],
        ] as const
      ) {
        await createKwokNode(name, { 'cloud.google.com/gke-nodepool': pool }, ip);
        env.cleanups.unshift(() => h.admin.objects(NODES).delete(undefined, name));
      }
      // Once the operator has stopped (the last cleanup, run first), and before the nodes go: kwok
      // deletes the pods while it still manages their nodes.
      env.cleanups.splice(
        env.cleanups.length - 1,
        0,
        () => h.cluster.kubectl(['delete', 'pods', '--all', '-n', ns, '--wait=true', '--timeout=30s']),
      );

      await h.admin.objects(FULL_NODES).create(exampleNode('cosmosfullnode-full.yaml', ns, h.cluster.storageClass));
      await giveLoadBalancerAddress(ns, `${APP}-p2p-0`, LB[0]!);
      await giveLoadBalancerAddress(ns, `${APP}-p2p-1`, LB[1]!);
      await settled(ns, APP, [...MAIN, ...EXPORTERS], 120_000);
    }, { timeout: 5 * 60_000 });

    after(async () => {
      await env?.cleanup();
    });

    /** A Node kwok manages, tainted `dedicated=chain:NoSchedule` like the example's pool. */
    async function createKwokNode(name: string, labels: Record<string, string>, ip: string) {
      const capacity = { cpu: '64', memory: '512Gi', pods: '110', 'ephemeral-storage': '1Ti' };
      await h.admin.objects(NODES).create({
        metadata: {
          name,
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            type: 'kwok',
            ...labels,
          },
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        },
        spec: { providerID: `kwok://${name}`, taints: [{ key: 'dedicated', value: 'chain', effect: 'NoSchedule' }] },
        status: {
          allocatable: capacity,
          capacity,
          addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
        },
      } as Obj);
    }

    const nodeIds = async () => {
      const secrets = await list(h, resources.secrets, ns);
      return [0, 1, 2].map((i) => nodeIdOf(byName(secrets, `${APP}-node-key-${i}`)));
    };

    it('makes a p2p Service per instance, the first maxP2PExternalAddresses of them LoadBalancers from p2pTemplate, and one RPC Service with rpcTemplate’s ports appended', async () => {
      const services = await list(h, resources.services, ns);
      assert.deepEqual(names(services), [`${APP}-p2p-0`, `${APP}-p2p-1`, `${APP}-p2p-2`, `${APP}-rpc`]);

      for (const i of [0, 1, 2]) {
        const svc = byName(services, `${APP}-p2p-${i}`);
        const external = i < 2;
        assert.deepEqual(
          labelsOf(svc),
          defaults({ 'app.kubernetes.io/instance': `${APP}-${i}`, 'app.kubernetes.io/component': 'p2p' }),
          svc.metadata?.name,
        );
        assert.equal(svc.metadata?.annotations?.[ORDINAL], String(i));
        assert.equal(
          svc.metadata?.annotations?.['networking.gke.io/load-balancer-type'],
          external ? 'External' : undefined,
          'p2pTemplate metadata on the external ones only',
        );
        assert.deepEqual(svc.spec.selector, { 'app.kubernetes.io/instance': `${APP}-${i}` });
        assert.deepEqual(servicePorts(svc), [{ name: 'p2p', protocol: 'TCP', port: 26656, targetPort: 'p2p' }]);
        assert.equal(svc.spec.type, external ? 'LoadBalancer' : 'ClusterIP');
        assert.equal(svc.spec.externalTrafficPolicy, external ? 'Local' : undefined);
        assert.equal(svc.metadata?.ownerReferences?.[0]?.kind, 'CosmosFullNode');
        assert.equal(svc.metadata?.ownerReferences?.[0]?.controller, true);
      }

      const rpc = byName(services, `${APP}-rpc`);
      assert.deepEqual(labelsOf(rpc), defaults({ 'app.kubernetes.io/component': 'rpc', expose: 'internal' }));
      assert.equal(rpc.metadata?.annotations?.[ORDINAL], '3', 'diff ordinal: position after the three p2p services');
      assert.equal(rpc.spec.type, 'ClusterIP');
      assert.deepEqual(rpc.spec.selector, { 'app.kubernetes.io/name': APP });
      assert.deepEqual(servicePorts(rpc), [...RPC_SERVICE_PORTS, {
        name: 'metrics',
        protocol: 'TCP',
        port: 26660,
        targetPort: 26660,
      }]);
    });

    it('writes each instance’s config-overlay.toml: CometBFT defaults, then the operator’s peers, peer IDs, limits, listen addresses, CORS and external address (snake_case and kebab-case), then the user’s overrides', async () => {
      const configMaps = await list(h, resources.configMaps, ns, `app.kubernetes.io/name=${APP}`);
      assert.deepEqual(names(configMaps), MAIN);
      const ids = await nodeIds();
      const address = (j: number) => `${ids[j]}@${APP}-p2p-${j}.${ns}.svc.cluster.local:26656`;
      for (const i of [0, 1, 2]) {
        const cm = byName(configMaps, `${APP}-${i}`);
        assert.deepEqual(labelsOf(cm), defaults({ 'app.kubernetes.io/instance': `${APP}-${i}` }));
        assert.equal(cm.metadata?.annotations?.[ORDINAL], String(i));
        // Node keys are in Secrets here (§2.5), so the ConfigMap holds only the overlays.
        assert.deepEqual(Object.keys(cm.data ?? {}).sort(), ['app-overlay.toml', 'config-overlay.toml']);

        const others = [0, 1, 2].filter((j) => j !== i);
        const peers = [...others.map(address).sort(), `${PEER}@37.187.38.191:26656`].join(',');
        const otherIds = [...others.map((j) => ids[j]!).sort(), PEER].join(',');
        // The instance override's external address wins; the others take their LoadBalancer's.
        const external = i === 2 ? 'osmosis-2.example.com:26656' : `${LB[i]}:26656`;
        assert.deepEqual(
          toml(cm, 'config-overlay.toml'),
          {
            log_level: 'info',
            'log-level': 'info',
            log_format: 'json',
            'log-format': 'json',
            priv_validator_laddr: '',
            p2p: {
              laddr: 'tcp://0.0.0.0:26656',
              max_num_inbound_peers: 40,
              'max-num-inbound-peers': 40,
              max_num_outbound_peers: 10,
              'max-num-outbound-peers': 10,
              persistent_peers: peers,
              'persistent-peers': peers,
              seeds: 'ade4d8bc8cbe014af6ebdf3cb7b1e9ad36f412c0@seeds.polkachu.com:12556',
              private_peer_ids: otherIds,
              'private-peer-ids': otherIds,
              unconditional_peer_ids: otherIds,
              'unconditional-peer-ids': otherIds,
              external_address: external,
              'external-address': external,
            },
            rpc: { laddr: 'tcp://0.0.0.0:26657', cors_allowed_origins: ['*'], 'cors-allowed-origins': ['*'] },
            tx_index: { indexer: 'kv' },
            instrumentation: INSTRUMENTATION,
            consensus: { timeout_commit: '2s' },
          },
          `${cm.metadata?.name} config-overlay.toml`,
        );
      }
    });

    it('writes each instance’s app-overlay.toml: Cosmos SDK defaults, gas price, CORS flags, the versions’ halt height, pruning numbers as strings, then the user’s overrides', async () => {
      const configMaps = await list(h, resources.configMaps, ns, `app.kubernetes.io/name=${APP}`);
      assert.equal(configMaps.length, 3);
      for (const cm of configMaps) {
        assert.deepEqual(
          toml(cm, 'app-overlay.toml'),
          {
            'minimum-gas-prices': '0.0025uosmo',
            // Nodes below 19090000 halt there, for the upgrade to v26 (§2.9).
            'halt-height': 19090000,
            pruning: 'custom',
            'pruning-interval': '17',
            'pruning-keep-every': '0',
            'pruning-keep-recent': '10000',
            'min-retain-blocks': 100000,
            ...APP_DEFAULTS,
            api: { ...APP_DEFAULTS.api, 'max-open-connections': 2000 },
          },
          `${cm.metadata?.name} app-overlay.toml`,
        );
      }
    });

    it('keeps each instance’s node key in its own Secret: a valid ed25519 key, a distinct node ID', async () => {
      const secrets = await list(h, resources.secrets, ns, `app.kubernetes.io/name=${APP}`);
      assert.deepEqual(names(secrets), [0, 1, 2].map((i) => `${APP}-node-key-${i}`));
      for (const i of [0, 1, 2]) {
        const secret = byName(secrets, `${APP}-node-key-${i}`);
        assert.equal(secret.type, 'Opaque');
        assert.deepEqual(Object.keys(secret.data ?? {}), ['node_key.json']);
        const labels = secret.metadata?.labels ?? {};
        assert.deepEqual([
          labels['app.kubernetes.io/created-by'],
          labels['app.kubernetes.io/name'],
          labels['app.kubernetes.io/instance'],
        ], ['cosmos-operator', APP, `${APP}-${i}`]);
        assert.equal(secret.metadata?.ownerReferences?.[0]?.controller, true);
      }
      assert.equal(new Set(await nodeIds()).size, 3);
    });

    it('labels and annotates each main pod (operator keys over the template’s), runs it as the named ServiceAccount, and applies the template’s scheduling fields', async () => {
      const pods = await list(h, resources.pods, ns, `app.kubernetes.io/name=${APP}`);
      assert.deepEqual(names(pods), MAIN);
      const configMaps = await list(h, resources.configMaps, ns);
      const secrets = await list(h, resources.secrets, ns);
      for (const i of [0, 1, 2]) {
        const pod = byName(pods, `${APP}-${i}`);
        // The version label follows the image the pod runs: the height-0 version's, or the override's.
        const version = i === 2 ? 'v26.0.1-debug' : 'v25.0.0';
        assert.deepEqual(
          labelsOf(pod),
          defaults({ 'app.kubernetes.io/instance': `${APP}-${i}`, 'app.kubernetes.io/version': version, tier: 'rpc' }),
        );
        assert.deepEqual(pod.metadata?.annotations, {
          [ORDINAL]: String(i),
          [CHECKSUM]: byName(configMaps, `${APP}-${i}`).metadata?.labels?.[REVISION],
          // Ours: the node ID of the key it runs, so a new key restarts it (hand-edits.test.ts).
          'cosmos.strange.love/node-id': nodeIdOf(byName(secrets, `${APP}-node-key-${i}`)),
          'prometheus.io/scrape': 'true',
        });
        assert.equal(pod.metadata?.ownerReferences?.[0]?.kind, 'CosmosFullNode');

        const spec = pod.spec;
        assert.equal(spec.serviceAccountName, 'osmosis-nodes');
        // Ours: no token in every container; the admission plugin added no kube-api-access volume.
        assert.equal(spec.automountServiceAccountToken, false);
        assert.deepEqual(spec.volumes.filter((v: Volume) => v.name.startsWith('kube-api-access-')), []);
        assert.equal(spec.hostname, `${APP}-${i}`);
        assert.equal(spec.subdomain, APP);
        assert.deepEqual(spec.securityContext, SECURITY_CONTEXT);
        assert.equal(spec.terminationGracePeriodSeconds, 60);
        assert.equal(spec.priorityClassName, 'chain-nodes');
        assert.deepEqual(spec.imagePullSecrets, [{ name: 'ghcr-pull' }]);
        assert.deepEqual(spec.tolerations[0], {
          key: 'dedicated',
          operator: 'Equal',
          value: 'chain',
          effect: 'NoSchedule',
        });
        assert.deepEqual(spec.affinity, {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: 'kubernetes.io/hostname',
                  labelSelector: { matchLabels: { 'app.kubernetes.io/name': APP } },
                },
              },
            ],
          },
        });
        // instanceOverrides.nodeSelector replaces the template's, and the scheduler honours both.
        assert.deepEqual(spec.nodeSelector, { 'cloud.google.com/gke-nodepool': i === 2 ? 'chain-large' : 'chain' });
        assert.equal(spec.nodeName, i === 2 ? largeNode : chainNode);
      }
    });

    it('mounts the instance’s PVC as the chain home, two scratch directories, and the overlays beside the node key; template volumes are added', async () => {
      for (const i of [0, 1, 2]) {
        const pod = (await h.admin.objects<Obj>(resources.pods).get(ns, `${APP}-${i}`))!;
        const volumes = ours<Volume>(pod.spec.volumes);
        assert.deepEqual(volumes.map((v) => v.name).sort(), [
          'scratch',
          'vol-chain-home',
          'vol-config',
          'vol-service-account',
          'vol-system-tmp',
          'vol-tmp',
        ]);
        // What the kube-api-access volume would hold (the API server defaults the mode).
        assert.deepEqual(byName(volumes, 'vol-service-account').projected, {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
              },
            },
          ],
        });
        assert.deepEqual(byName(volumes, 'vol-chain-home').persistentVolumeClaim, { claimName: `pvc-${APP}-${i}` });
        assert.deepEqual(byName(volumes, 'vol-tmp').emptyDir, {});
        assert.deepEqual(byName(volumes, 'vol-system-tmp').emptyDir, {});
        assert.deepEqual(byName(volumes, 'scratch').emptyDir, { sizeLimit: '10Gi' });
        assert.deepEqual(configDirectory(byName(volumes, 'vol-config')), {
          'config-overlay.toml': `ConfigMap ${APP}-${i}:config-overlay.toml`,
          'app-overlay.toml': `ConfigMap ${APP}-${i}:app-overlay.toml`,
          'node_key.json': `Secret ${APP}-node-key-${i}:node_key.json`,
        });
      }
    });

    it('runs node, healthcheck and version-check-interval as the spec says, beside the template’s sidecar', async () => {
      for (const i of [0, 1, 2]) {
        const pod = (await h.admin.objects<Obj>(resources.pods).get(ns, `${APP}-${i}`))!;
        const containers = containersOf(pod);
        assert.deepEqual(containers.map((c) => c.name).sort(), [
          'healthcheck',
          'node',
          'sidecar',
          'version-check-interval',
        ]);
        const operatorOrder = containers.map((c) => c.name).filter((n) => n !== 'sidecar');
        assert.deepEqual(operatorOrder, ['node', 'healthcheck', 'version-check-interval']);

        const node = byName(containers, 'node');
        assert.equal(node.image, i === 2 ? DEBUG : V25);
        assert.deepEqual(commandLine(node), [
          'osmosisd',
          'start',
          '--home',
          HOME,
          '--x-crisis-skip-assert-invariants',
          '--log_level',
          'info',
          '--log_format',
          'json',
          '--reject-config-defaults',
        ]);
        assert.deepEqual(node.env, chainEnv(HOME));
        assert.equal(node.workingDir, '/home/operator');
        assert.deepEqual(node.ports, nodePorts(false));
        assert.deepEqual(node.readinessProbe, NODE_PROBE);
        assert.equal(node.livenessProbe, undefined);
        assert.deepEqual(node.resources, { requests: { cpu: '4', memory: '32Gi' }, limits: { memory: '48Gi' } });
        assert.equal(node.imagePullPolicy, 'IfNotPresent');
        assert.deepEqual(mountsOf(node), chainMounts(HOME));
        assert.equal(node.securityContext, undefined, 'the chain container is the Go operator’s');

        const health = byName(containers, 'healthcheck');
        assert.equal(health.image, OPERATOR_IMAGE);
        assert.deepEqual(commandLine(health), ['/manager', 'healthcheck', '--rpc-host', 'http://localhost:26657']);
        assert.deepEqual(health.ports, [{ containerPort: 1251, protocol: 'TCP' }]);
        assert.deepEqual(health.resources, SIDECAR_RESOURCES);
        assert.deepEqual(health.readinessProbe, HEALTHCHECK_PROBE);
        assert.equal(health.env, undefined);
        assert.deepEqual(health.securityContext, RESTRICTED);
        assert.deepEqual(mountsOf(health), [{ name: 'vol-chain-home', mountPath: HOME, readOnly: true }]);

        // Present because chain.versions is set; -b because databaseBackend is.
        const versionCheck = byName(containers, 'version-check-interval');
        assert.equal(versionCheck.image, OPERATOR_IMAGE);
        assert.deepEqual(commandLine(versionCheck), ['/manager', 'versioncheck', '-d', '-b', 'goleveldb']);
        assert.deepEqual(versionCheck.env, chainEnv(HOME));
        assert.equal(versionCheck.workingDir, '/home/operator');
        assert.deepEqual(versionCheck.resources, SIDECAR_RESOURCES);
        assert.deepEqual(versionCheck.securityContext, RESTRICTED, 'the Go operator’s was empty');
        assert.deepEqual(mountsOf(versionCheck), [...chainMounts(HOME), SERVICE_ACCOUNT_MOUNT]);

        // Merged by name from the template; the v26 image for it applies only past 19090000.
        const sidecar = byName(containers, 'sidecar');
        assert.equal(sidecar.image, 'ghcr.io/example/osmosis-indexer:v25');
        assert.deepEqual(sidecar.ports, [{ name: 'indexer', containerPort: 8088, protocol: 'TCP' }]);
        assert.deepEqual(mountsOf(sidecar), [{ name: 'scratch', mountPath: '/scratch' }]);
      }
    });

    it('runs the init containers in the spec’s order with their images, scripts, env and mounts, the template’s one added', async () => {
      for (const i of [0, 1, 2]) {
        const pod = (await h.admin.objects<Obj>(resources.pods).get(ns, `${APP}-${i}`))!;
        const inits = initContainersOf(pod);
        const operatorInits = [
          'clean-init',
          'chain-init',
          'genesis-init',
          'addrbook-init',
          'config-merge',
          'snapshot-restore',
          'version-check',
        ];
        assert.deepEqual(inits.map((c) => c.name).filter((n) => n !== 'fix-permissions'), operatorInits);
        assert.equal(inits.length, operatorInits.length + 1);

        for (const name of operatorInits) {
          const c = byName(inits, name);
          assert.equal(
            c.image,
            { 'chain-init': i === 2 ? DEBUG : V25, 'version-check': OPERATOR_IMAGE }[name] ?? INFRA,
            `${name} image`,
          );
          assert.deepEqual(c.env, chainEnv(HOME), `${name} env`);
          assert.equal(c.workingDir, '/home/operator');
          assert.equal(c.imagePullPolicy, 'IfNotPresent');
          assert.deepEqual(
            mountsOf(c),
            name === 'version-check' ? [...initMounts(HOME), SERVICE_ACCOUNT_MOUNT] : initMounts(HOME),
            `${name} mounts`,
          );
          assert.deepEqual(c.securityContext, RESTRICTED, `${name} securityContext`);
          if (name !== 'version-check') assertShellParses(c);
        }

        assert.deepEqual(byName(inits, 'clean-init').args, ['-c', 'rm -rf "$HOME/.tmp/*"']);

        // Ours: the init command line reaches the script as arguments ("$@"), not as its text.
        const [, chainInit, name0, ...init] = byName(inits, 'chain-init').args!;
        assert.deepEqual(
          [name0, ...init],
          ['chain-init', 'osmosisd', 'init', '--chain-id', 'osmosis-1', `${APP}-${i}`, '--overwrite'],
        );
        assert.match(chainInit!, /set -eu/);
        assert.match(chainInit!, /\$CHAIN_HOME\/data/);
        assert.ok(chainInit!.includes(`"$@" --home "$CHAIN_HOME"`), chainInit);
        assert.ok(chainInit!.includes(`"$@" --home "$HOME/.tmp"`), chainInit);

        // Download scripts take the URL as $1: `sh -c <script> -s <URL>`.
        const genesis = byName(inits, 'genesis-init').args!;
        assert.deepEqual([genesis.length, genesis[2], genesis[3]], [
          4,
          '-s',
          'https://snapshots.polkachu.com/genesis/osmosis/genesis.json',
        ]);
        assert.match(genesis[1]!, /\$DATA_DIR"?\/\*\.db/);
        const addrbook = byName(inits, 'addrbook-init').args!;
        assert.deepEqual([addrbook.length, addrbook[2], addrbook[3]], [
          4,
          '-s',
          'https://snapshots.polkachu.com/addrbook/osmosis/addrbook.json',
        ]);
        assert.match(addrbook[1]!, /\$CONFIG_DIR\/addrbook\.json/);

        const merge = byName(inits, 'config-merge').args![1]!;
        assert.match(merge, /node_key\.json/);
        for (const file of ['config.toml', 'app.toml']) {
          assert.ok(
            merge.includes(
              `config-merge -f toml "$TMP_DIR/${file}" "$OVERLAY_DIR/${
                file.replace('.toml', '-overlay.toml')
              }" > "$CONFIG_DIR/${file}"`,
            ),
            merge,
          );
        }

        // The snapshot script wins over a URL, and needs no $1.
        const snapshot = byName(inits, 'snapshot-restore').args!;
        assert.equal(snapshot.length, 2);
        assert.ok(
          snapshot[1]!.includes(
            'wget -qO- https://snapshots.example.com/osmosis/latest.tar.lz4 | lz4 -dc | tar -xf - -C "$CHAIN_HOME"',
          ),
          snapshot[1],
        );
        assert.match(snapshot[1]!, /find "?\$DATA_DIR"? -maxdepth 1 -name '\*\.db'/);

        const versionCheck = byName(inits, 'version-check');
        assert.deepEqual(commandLine(versionCheck), ['/manager', 'versioncheck', '-b', 'goleveldb']);
        assert.deepEqual(versionCheck.resources, SIDECAR_RESOURCES);

        const fix = byName(inits, 'fix-permissions');
        assert.deepEqual([fix.image, commandLine(fix), mountsOf(fix)], ['busybox:1.36', [
          'sh',
          '-c',
          'chmod -R g+w /scratch',
        ], [{ name: 'scratch', mountPath: '/scratch' }]]);
      }
    });

    it('builds additionalVersionedPods beside each instance from their own pod spec, outside the RPC Service’s selector', async () => {
      const all = await list(h, resources.pods, ns);
      const exporters = all.filter((p) => p.metadata?.labels?.['cosmos.strange.love/belongs-to'] !== undefined);
      assert.deepEqual(names(exporters), EXPORTERS);
      for (const i of [0, 1, 2]) {
        const pod = byName(exporters, `${APP}-exporter-${i}`);
        // The name label differs from the main pods' (§2.8); the version label is not compared here.
        const { 'app.kubernetes.io/version': _version, ...labels } = labelsOf(pod);
        const { 'app.kubernetes.io/version': _default, ...expected } = defaults({
          'app.kubernetes.io/name': `${APP}-${APP}-exporter`,
          'app.kubernetes.io/instance': `${APP}-exporter-${i}`,
          role: 'exporter',
        });
        assert.deepEqual(labels, { ...expected, 'cosmos.strange.love/belongs-to': `${APP}-${i}` });
        assert.equal(pod.metadata?.annotations?.[ORDINAL], String(i * 100 + 1000));
        assert.equal(pod.metadata?.annotations?.[CHECKSUM], '');
        // The entry's pod spec as given: no operator volumes, env or security context.
        assert.deepEqual(
          containersOf(pod).map((c) => [c.name, c.image, commandLine(c), c.env, mountsOf(c)]),
          [['exporter', 'ghcr.io/example/cosmos-exporter:v1', ['--node', 'localhost:9090'], undefined, []]],
        );
        assert.deepEqual(ours(pod.spec.volumes), []);
        assert.equal(pod.spec.initContainers, undefined);
        assert.deepEqual(pod.spec.securityContext ?? {}, {});
        assert.deepEqual(pod.spec.affinity, {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  labelSelector: { matchLabels: { 'app.kubernetes.io/instance': `${APP}-${i}` } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              },
            ],
          },
        });
      }
      const rpc = (await h.admin.objects<Obj>(resources.services).get(ns, `${APP}-rpc`))!;
      const selector = Object.entries(rpc.spec.selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(
        ',',
      );
      assert.deepEqual(names(await list(h, resources.pods, ns, selector)), MAIN);
    });

    it('creates a PVC per instance from the volumeClaimTemplate, an instance override’s replacing it, and warns about data sources it cannot find', async () => {
      const pvcs = await list(h, resources.persistentVolumeClaims, ns);
      assert.deepEqual(names(pvcs), MAIN.map((n) => `pvc-${n}`));
      for (const i of [0, 1, 2]) {
        const pvc = byName(pvcs, `pvc-${APP}-${i}`);
        // The override's template has no metadata, so instance 2 has no `backup` label.
        assert.deepEqual(
          labelsOf(pvc),
          defaults({ 'app.kubernetes.io/instance': `${APP}-${i}`, ...(i === 2 ? {} : { backup: 'daily' }) }),
        );
        assert.equal(pvc.metadata?.annotations?.[ORDINAL], String(i));
        assert.deepEqual(pvc.spec.accessModes, ['ReadWriteOnce']);
        assert.equal(pvc.spec.storageClassName, h.cluster.storageClass);
        assert.equal(pvc.spec.volumeMode, 'Filesystem');
        assert.equal(pvc.spec.resources.requests.storage, '1Gi');
        // No snapshot matches autoDataSource, and the override's named one does not exist: both are created empty.
        assert.equal(pvc.spec.dataSource, undefined);
        assert.equal(pvc.status?.phase, 'Bound');
      }
      // Events are sent in the background: wait for them rather than read once.
      await eventually(async () => {
        const reasons = await eventReasons(h, ns, APP);
        assert.ok(reasons.includes('AutoDataSourceFindSnapshot'), reasons.join(', '));
        assert.ok(reasons.includes('DataSourceGetSnapshot'), reasons.join(', '));
      }, { message: 'the data source events' });
    });

    it('creates no version-check ServiceAccount, Role or RoleBinding when the spec names its own ServiceAccount', async () => {
      for (const type of [resources.serviceAccounts, resources.roles, resources.roleBindings]) {
        assert.deepEqual(
          names(await list(h, type, ns, 'app.kubernetes.io/created-by=cosmos-operator')),
          [],
          type.plural,
        );
      }
      assert.equal(await h.admin.objects(resources.serviceAccounts).get(ns, `${APP}-vc-sa`), undefined);
    });

    it('reports Complete with status.peers naming the LoadBalancer addresses, and 0.0.0.0 for the instance without one', async () => {
      const node = await getFullNode(h, ns, APP);
      assert.equal(node.status?.phase, 'Complete');
      const ids = await nodeIds();
      // instanceOverrides.externalAddress goes into config.toml only, not status (§2.6).
      assert.deepEqual(
        node.status?.peers,
        [`${ids[0]}@${LB[0]}:26656`, `${ids[1]}@${LB[1]}:26656`, `${ids[2]}@0.0.0.0:26656`].sort(),
      );
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('examples/cosmosfullnode-sentry.yaml', () => {
    const APP = 'cosmoshub-sentry';
    const HOME = '/home/operator/cosmos';
    const V18 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v18.1.0';
    const V19 = 'ghcr.io/strangelove-ventures/heighliner/gaia:v19.0.0';
    const LB_IP = '198.51.100.20';
    const MAIN = [0, 1, 2].map((i) => `${APP}-${i}`);
    let env: Awaited<ReturnType<typeof environment>>;
    let ns: string;

    const defaults = (extra: Record<string, string> = {}) => ({
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/name': APP,
      'app.kubernetes.io/version': 'v18.1.0',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'Sentry',
      ...extra,
    });

    before(async () => {
      env = await environment('example-sentry');
      ns = env.ns;
      await h.admin.objects(FULL_NODES).create(exampleNode('cosmosfullnode-sentry.yaml', ns, h.cluster.storageClass));
      await giveLoadBalancerAddress(ns, `${APP}-p2p-0`, LB_IP);
      await settled(ns, APP, MAIN);
    }, { timeout: 5 * 60_000 });

    after(async () => {
      await env?.cleanup();
    });

    const nodeIds = async () => {
      const secrets = await list(h, resources.secrets, ns);
      return [0, 1, 2].map((i) => nodeIdOf(byName(secrets, `${APP}-node-key-${i}`)));
    };

    it('adds a privval Service per instance for the remote signer, published before the pod is ready', async () => {
      const services = await list(h, resources.services, ns);
      assert.deepEqual(names(services), [
        ...[0, 1, 2].map((i) => `${APP}-p2p-${i}`),
        ...[0, 1, 2].map((i) => `${APP}-privval-${i}`),
        `${APP}-rpc`,
      ]);
      for (const i of [0, 1, 2]) {
        const privval = byName(services, `${APP}-privval-${i}`);
        assert.deepEqual(
          labelsOf(privval),
          defaults({ 'app.kubernetes.io/instance': `${APP}-${i}`, 'app.kubernetes.io/component': 'cosmos-sentry' }),
        );
        assert.equal(
          privval.metadata?.annotations?.[ORDINAL],
          String(3 + i),
          'diff ordinal: position after the p2p services',
        );
        assert.deepEqual(servicePorts(privval), [{
          name: 'sentry-privval',
          protocol: 'TCP',
          port: 1234,
          targetPort: 'privval',
        }]);
        assert.deepEqual(privval.spec.selector, { 'app.kubernetes.io/instance': `${APP}-${i}` });
        assert.equal(privval.spec.type, 'ClusterIP');
        assert.equal(privval.spec.publishNotReadyAddresses, true);

        // maxP2PExternalAddresses defaults to 1.
        const p2p = byName(services, `${APP}-p2p-${i}`);
        assert.deepEqual(
          labelsOf(p2p),
          defaults({ 'app.kubernetes.io/instance': `${APP}-${i}`, 'app.kubernetes.io/component': 'p2p' }),
        );
        assert.deepEqual(servicePorts(p2p), [{ name: 'p2p', protocol: 'TCP', port: 26656, targetPort: 'p2p' }]);
        assert.deepEqual(
          [p2p.spec.type, p2p.spec.externalTrafficPolicy],
          i === 0 ? ['LoadBalancer', 'Local'] : ['ClusterIP', undefined],
        );
      }
      const rpc = byName(services, `${APP}-rpc`);
      assert.equal(rpc.metadata?.annotations?.[ORDINAL], '6');
      assert.deepEqual(labelsOf(rpc), defaults({ 'app.kubernetes.io/component': 'rpc' }));
      assert.deepEqual(servicePorts(rpc), RPC_SERVICE_PORTS);
      assert.deepEqual([rpc.spec.type, rpc.spec.selector], ['ClusterIP', { 'app.kubernetes.io/name': APP }]);
    });

    it('runs each sentry’s node after sleeping privvalSleepSeconds, exposes the privval port, and has no readiness probes with strategy None', async () => {
      const pods = await list(h, resources.pods, ns);
      assert.deepEqual(names(pods), MAIN);
      for (const i of [0, 1, 2]) {
        const pod = byName(pods, `${APP}-${i}`);
        assert.deepEqual(labelsOf(pod), defaults({ 'app.kubernetes.io/instance': `${APP}-${i}` }));
        assert.equal(pod.metadata?.annotations?.[ORDINAL], String(i));
        assert.equal(pod.spec.serviceAccountName, `${APP}-vc-sa`);
        assert.deepEqual([pod.spec.hostname, pod.spec.subdomain], [`${APP}-${i}`, APP]);
        assert.deepEqual(pod.spec.securityContext, SECURITY_CONTEXT);
        assert.equal(pod.spec.terminationGracePeriodSeconds, 30);

        const containers = containersOf(pod);
        assert.deepEqual(
          containers.map((c) => c.name),
          ['node', 'healthcheck'],
          'no version-check-interval without chain.versions',
        );
        const node = byName(containers, 'node');
        assert.equal(node.image, V18);
        // Ours: the seconds and the command line are arguments, and the node is exec'd (Go's ran
        // `sleep 20\ngaiad start --home …` as script text, and sh stayed PID 1).
        assert.deepEqual(commandLine(node), [
          'sh',
          '-c',
          'sleep "$1"\nshift\nexec "$@"',
          'node',
          '20',
          'gaiad',
          'start',
          '--home',
          HOME,
        ]);
        assert.deepEqual(node.ports, nodePorts(true));
        assert.deepEqual(node.env, chainEnv(HOME));
        assert.deepEqual(mountsOf(node), chainMounts(HOME));
        assert.equal(node.readinessProbe, undefined);
        assert.equal(node.livenessProbe, undefined);
        const health = byName(containers, 'healthcheck');
        assert.deepEqual(commandLine(health), ['/manager', 'healthcheck', '--rpc-host', 'http://localhost:26657']);
        assert.equal(health.readinessProbe, undefined);

        const inits = initContainersOf(pod);
        assert.deepEqual(inits.map((c) => c.name), [
          'clean-init',
          'chain-init',
          'genesis-init',
          'addrbook-init',
          'config-merge',
          'version-check',
        ], 'no snapshot-restore without a snapshot URL or script');
        assert.equal(byName(inits, 'chain-init').image, V18);
        assert.deepEqual(byName(inits, 'chain-init').args!.slice(2), [
          'chain-init',
          'gaiad',
          'init',
          '--chain-id',
          'cosmoshub-4',
          `${APP}-${i}`,
        ]);
        assert.deepEqual(byName(inits, 'genesis-init').args!.slice(2), [
          '-s',
          'https://snapshots.polkachu.com/genesis/cosmos/genesis.json',
        ]);
        assert.deepEqual(byName(inits, 'addrbook-init').args, ['-c', 'echo Using default address book']);
        // No databaseBackend: no -b, versioncheck takes goleveldb itself.
        assert.deepEqual(commandLine(byName(inits, 'version-check')), ['/manager', 'versioncheck']);
        for (const c of inits) {
          assert.deepEqual(
            mountsOf(c),
            c.name === 'version-check' ? [...initMounts(HOME), SERVICE_ACCOUNT_MOUNT] : initMounts(HOME),
            `${c.name} mounts`,
          );
          if (c.name !== 'version-check') assertShellParses(c);
        }
      }
    });

    it('writes each sentry’s config-overlay.toml with the privval listen address and a null tx indexer, in both spellings', async () => {
      const configMaps = await list(h, resources.configMaps, ns);
      const ids = await nodeIds();
      for (const i of [0, 1, 2]) {
        const cm = byName(configMaps, `${APP}-${i}`);
        const others = [0, 1, 2].filter((j) => j !== i);
        const peers = others.map((j) => `${ids[j]}@${APP}-p2p-${j}.${ns}.svc.cluster.local:26656`).sort().join(',');
        const otherIds = others.map((j) => ids[j]!).sort().join(',');
        assert.deepEqual(
          toml(cm, 'config-overlay.toml'),
          {
            log_level: 'info',
            log_format: 'plain',
            priv_validator_laddr: 'tcp://0.0.0.0:1234',
            'priv-validator-laddr': 'tcp://0.0.0.0:1234',
            tx_index: { indexer: 'null' },
            'tx-index': { indexer: 'null' },
            p2p: {
              laddr: 'tcp://0.0.0.0:26656',
              max_num_inbound_peers: 20,
              max_num_outbound_peers: 20,
              persistent_peers: peers,
              'persistent-peers': peers,
              seeds: 'ade4d8bc8cbe014af6ebdf3cb7b1e9ad36f412c0@seeds.polkachu.com:14956',
              private_peer_ids: otherIds,
              'private-peer-ids': otherIds,
              unconditional_peer_ids: otherIds,
              'unconditional-peer-ids': otherIds,
              ...(i === 0 ? { external_address: `${LB_IP}:26656`, 'external-address': `${LB_IP}:26656` } : {}),
            },
            rpc: { laddr: 'tcp://0.0.0.0:26657', cors_allowed_origins: [] },
            instrumentation: INSTRUMENTATION,
          },
          `${cm.metadata?.name} config-overlay.toml`,
        );
        assert.deepEqual(
          toml(cm, 'app-overlay.toml'),
          { 'minimum-gas-prices': '0.005uatom', ...APP_DEFAULTS },
          `${cm.metadata?.name} app-overlay.toml`,
        );
      }
    });

    it('creates the version-check ServiceAccount, Role and RoleBinding, which let the pods read themselves and their CosmosFullNode and patch its status, and nothing more', async () => {
      const vc = 'app.kubernetes.io/component=vc';
      const [accounts, roles, bindings] = await Promise.all([
        list(h, resources.serviceAccounts, ns, vc),
        list(h, resources.roles, ns, vc),
        list(h, resources.roleBindings, ns, vc),
      ]);
      assert.deepEqual([names(accounts), names(roles), names(bindings)], [[`${APP}-vc-sa`], [`${APP}-vc-r`], [
        `${APP}-vc-rb`,
      ]]);
      for (const obj of [...accounts, ...roles, ...bindings]) {
        const labels = obj.metadata?.labels ?? {};
        assert.deepEqual([
          labels['app.kubernetes.io/created-by'],
          labels['app.kubernetes.io/component'],
          labels['app.kubernetes.io/name'],
        ], ['cosmos-operator', 'vc', APP]);
        assert.deepEqual([obj.metadata?.ownerReferences?.[0]?.kind, obj.metadata?.ownerReferences?.[0]?.controller], [
          'CosmosFullNode',
          true,
        ]);
      }
      const role = roles[0] as Obj & { rules: unknown };
      // Ours: no `namespaces` (Go's Role listed it, but a Role cannot grant a cluster-scoped
      // resource), and only this CosmosFullNode.
      assert.deepEqual(role.rules, [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: ['cosmos.strange.love'], resources: ['cosmosfullnodes'], resourceNames: [APP], verbs: ['get'] },
        {
          apiGroups: ['cosmos.strange.love'],
          resources: ['cosmosfullnodes/status'],
          resourceNames: [APP],
          verbs: ['patch'],
        },
      ]);
      const binding = bindings[0] as Obj & { subjects: unknown; roleRef: unknown };
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: `${APP}-vc-sa`, namespace: ns }]);
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${APP}-vc-r` });

      // What versioncheck does (§5), as the pods' ServiceAccount; the status patch as a server dry run.
      const asPod = await h.cluster.serviceAccountKubeconfig(ns, `${APP}-vc-sa`);
      const kubectl = (...args: string[]) => h.cluster.kubectl([`--kubeconfig=${asPod}`, '-n', ns, ...args]);
      for (
        const args of [
          ['get', 'pod', `${APP}-0`, '-o', 'name'],
          ['get', 'pods', '-o', 'name'],
          ['get', 'cosmosfullnode', APP, '-o', 'name'],
        ]
      ) {
        const result = await kubectl(...args);
        assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      }
      // A bare merge patch, as versioncheck sends it (kubectl would GET the status first, which the Role does not allow).
      const pod = createKubeClient(loadKubeConfig({ kubeconfig: asPod }).kubeConfig);
      await pod.rest.request({
        method: 'PATCH',
        path: `/apis/cosmos.strange.love/v1/namespaces/${ns}/cosmosfullnodes/${APP}/status`,
        query: { dryRun: 'All' },
        body: { status: { height: { [`${APP}-0`]: 2 } } },
        contentType: 'application/merge-patch+json',
      });
      for (
        const args of [
          ['auth', 'can-i', 'delete', 'pods'],
          ['auth', 'can-i', 'update', 'cosmosfullnodes'],
          ['auth', 'can-i', 'get', 'secrets'],
          ['auth', 'can-i', 'get', 'cosmosfullnodes/someone-else'],
          ['auth', 'can-i', 'patch', 'cosmosfullnodes/someone-else', '--subresource=status'],
        ]
      ) {
        const result = await kubectl(...args);
        assert.equal(result.stdout.trim(), 'no', args.join(' '));
      }
    });

    it('creates a PVC per instance and a node-key Secret per instance', async () => {
      const pvcs = await list(h, resources.persistentVolumeClaims, ns);
      assert.deepEqual(names(pvcs), MAIN.map((n) => `pvc-${n}`));
      for (const pvc of pvcs) {
        const instance = pvc.metadata!.name!.slice('pvc-'.length);
        assert.deepEqual(labelsOf(pvc), defaults({ 'app.kubernetes.io/instance': instance }));
        assert.deepEqual([
          pvc.spec.accessModes,
          pvc.spec.volumeMode,
          pvc.spec.resources.requests.storage,
          pvc.status?.phase,
        ], [['ReadWriteOnce'], 'Filesystem', '1Gi', 'Bound']);
      }
      assert.equal(new Set(await nodeIds()).size, 3);
      const node = await getFullNode(h, ns, APP);
      const ids = await nodeIds();
      assert.deepEqual(
        node.status?.peers,
        [`${ids[0]}@${LB_IP}:26656`, `${ids[1]}@0.0.0.0:26656`, `${ids[2]}@0.0.0.0:26656`].sort(),
      );
    });

    // Last: it replaces every pod.
    it('rolls an image update of the sentries without ever having more than maxUnavailable (1) of them down', async (t) => {
      const podsNow = async () =>
        (await list(h, resources.pods, ns, `app.kubernetes.io/name=${APP}`)).sort((
          a,
          b,
        ) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
      const before = new Map((await podsNow()).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
      assert.equal(before.size, 3);

      // Every change to the sentries from before the update until the rollout has settled, from a
      // watch: every state the API server went through, however long the machine takes.
      const watch = await recordWatch<Obj>(h.cluster.admin, `/api/v1/namespaces/${ns}/pods`, {
        labelSelector: `app.kubernetes.io/name=${APP}`,
      });
      const recording = await recordingOf(watch, async () => {
        await updateSpec(h, ns, APP, (n) => (n.spec.podTemplate.image = V19));
        await eventually(
          async () => {
            const pods = await podsNow();
            assert.equal(pods.length, 3);
            for (const pod of pods) {
              assert.equal(byName(containersOf(pod), 'node').image, V19);
              assert.equal(byName(initContainersOf(pod), 'chain-init').image, V19);
              assert.equal(pod.metadata?.labels?.['app.kubernetes.io/version'], 'v19.0.0');
              assert.notEqual(pod.metadata!.uid, before.get(pod.metadata!.name!));
            }
          },
          { timeoutMs: 180_000, message: 'every sentry on the new image' },
        );
        await settled(ns, APP, MAIN);
      });
      // Down = not Running, or being deleted, or not there at all.
      const down = mostAtOnce(recording, podsDown(3));
      t.diagnostic(`most sentries down at once: ${down.count} (${recording.changes.length} pod changes watched)`);
      assert.ok(down.count >= 1, `the watch saw the rollout: ${down.history}`);
      assert.ok(down.count <= 1, `at most 1 sentry down at once, saw ${down.count} ${down.at}: ${down.history}`);
    });
  });
});
