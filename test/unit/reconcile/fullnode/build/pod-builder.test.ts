import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../../../src/api/cosmosfullnode.ts';
import {
  buildPod,
  buildPods,
  chainHomeClaimName,
  observationsFromStatus,
  type PodObservations,
} from '../../../../../src/reconcile/fullnode/build/pod-builder.ts';
import { toLabelKey } from '../../../../../src/api/naming.ts';
import {
  aFullNode,
  asSentry,
  withAdditionalPods,
  withChain,
  withImage,
  withInstanceOverride,
  withoutUid,
  withPodTemplate,
  withReplicas,
  withSpec,
  withStartOrdinal,
  withStatus,
  withVersions,
} from '../../../../fixtures/fullnode.ts';

const NONE: PodObservations = { heights: {}, configChecksums: {}, snapshotCandidates: new Set() };
const INFRA = 'ghcr.io/strangelove-ventures/infra-toolkit:v0.1.6';
const OPERATOR = 'ghcr.io/strangelove-ventures/cosmos-operator:latest';
/** What the `restricted` Pod Security Standard asks of each container beyond the pod's own settings. */
const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function pod(node: CosmosFullNode, ordinal = 0, heights: Record<string, number> = {}): V1Pod {
  const built = buildPod(node, ordinal, heights);
  assert.ok(built, 'pod is disabled');
  return built;
}
const containers = (p: V1Pod) => p.spec!.containers;
const inits = (p: V1Pod) => p.spec!.initContainers!;
const named = (list: V1Container[], name: string) => list.find((c) => c.name === name)!;
const names = (list: { name?: string }[]) => list.map((c) => c.name);
const podNames = (pods: { pod: V1Pod }[]) => pods.map((p) => p.pod.metadata!.name);

describe('buildPod', () => {
  it('names the pod after the ordinal and sets hostname and subdomain', () => {
    const p = pod(aFullNode('osmosis'), 5);
    assert.deepEqual([p.apiVersion, p.kind, p.metadata!.namespace, p.metadata!.name], [
      'v1',
      'Pod',
      'test',
      'osmosis-5',
    ]);
    assert.deepEqual([p.spec!.hostname, p.spec!.subdomain], ['osmosis-5', 'osmosis']);
  });

  it('labels the pod with the default labels and its instance', () => {
    assert.deepEqual(pod(aFullNode('osmosis'), 5).metadata!.labels, {
      'app.kubernetes.io/instance': 'osmosis-5',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/name': 'osmosis',
      'app.kubernetes.io/version': 'v1.2.3',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'FullNode',
    });
  });

  it('has no annotations of its own before the config checksum', () => {
    assert.deepEqual(pod(aFullNode()).metadata!.annotations, {});
  });

  it('adds template labels and annotations, the operator winning on a clash', () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({
        metadata: {
          labels: { custom: 'label', 'app.kubernetes.io/name': 'should not see me' },
          annotations: { custom: 'annotation' },
        },
      }),
    );
    const p = pod(node, 9);
    assert.equal(p.metadata!.labels!['custom'], 'label');
    assert.equal(p.metadata!.labels!['app.kubernetes.io/name'], 'osmosis');
    assert.equal(p.metadata!.annotations!['custom'], 'annotation');
  });

  it('is owned by the CosmosFullNode as its controller', () => {
    assert.deepEqual(pod(aFullNode('osmosis')).metadata!.ownerReferences, [
      {
        apiVersion: 'cosmos.strange.love/v1',
        kind: 'CosmosFullNode',
        name: 'osmosis',
        uid: 'c0ffee00-0000-4000-8000-000000000001',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('has no owner reference while the node has no uid', () => {
    assert.deepEqual(pod(aFullNode('osmosis', withoutUid)).metadata!.ownerReferences, []);
  });

  it('runs as uid and gid 1025, non-root, with the RuntimeDefault seccomp profile', () => {
    assert.deepEqual(pod(aFullNode()).spec!.securityContext, {
      runAsUser: 1025,
      runAsGroup: 1025,
      runAsNonRoot: true,
      fsGroup: 1025,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('gives the chain 30 seconds to stop by default', () => {
    assert.equal(pod(aFullNode()).spec!.terminationGracePeriodSeconds, 30);
  });

  it('runs as the version-check ServiceAccount unless the spec names one', () => {
    assert.equal(pod(aFullNode('osmosis')).spec!.serviceAccountName, 'osmosis-vc-sa');
    assert.equal(
      pod(aFullNode('osmosis', withSpec({ serviceAccountName: 'custom' }))).spec!.serviceAccountName,
      'custom',
    );
  });

  it('keeps the ordinal in the name of a pod whose CR name is 253 characters long', () => {
    const p = pod(aFullNode('a'.repeat(253)), 125);
    assert.match(p.metadata!.name!, /^a+-125$/);
    assert.ok(p.metadata!.name!.length <= 253);
    for (const value of Object.values(p.metadata!.labels!)) assert.ok(value.length <= 63, value);
  });

  it('runs the node, then the healthcheck sidecar', () => {
    assert.deepEqual(names(containers(pod(aFullNode()))), ['node', 'healthcheck']);
  });

  it('runs the node container with the template image, resources and pull policy in /home/operator', () => {
    const node = aFullNode('osmosis', withPodTemplate({ imagePullPolicy: 'Always' }));
    const c = named(containers(pod(node)), 'node');
    assert.equal(c.image, 'busybox:v1.2.3');
    assert.deepEqual(c.resources, { limits: { cpu: '5', memory: '5Gi' }, requests: { cpu: '1', memory: '500M' } });
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.workingDir, '/home/operator');
  });

  it('sets HOME, CHAIN_HOME, GENESIS_FILE, ADDRBOOK_FILE, CONFIG_DIR and DATA_DIR in that order', () => {
    assert.deepEqual(named(containers(pod(aFullNode())), 'node').env, [
      { name: 'HOME', value: '/home/operator' },
      { name: 'CHAIN_HOME', value: '/home/operator/cosmos' },
      { name: 'GENESIS_FILE', value: '/home/operator/cosmos/config/genesis.json' },
      { name: 'ADDRBOOK_FILE', value: '/home/operator/cosmos/config/addrbook.json' },
      { name: 'CONFIG_DIR', value: '/home/operator/cosmos/config' },
      { name: 'DATA_DIR', value: '/home/operator/cosmos/data' },
    ]);
  });

  it('puts the chain home under /home/operator/<homeDir>', () => {
    const env = named(containers(pod(aFullNode('osmosis', withChain({ homeDir: '.osmosisd' })))), 'node').env!;
    assert.equal(env.find((e) => e.name === 'CHAIN_HOME')!.value, '/home/operator/.osmosisd');
    assert.equal(env.find((e) => e.name === 'DATA_DIR')!.value, '/home/operator/.osmosisd/data');
  });

  it('gives every init container the same environment and working directory as the node', () => {
    const p = pod(aFullNode('osmosis', withChain({ snapshotURL: 'https://example.com/snapshot.tar' })));
    const env = named(containers(p), 'node').env;
    for (const c of inits(p)) {
      assert.deepEqual(c.env, env, c.name);
      assert.equal(c.workingDir, '/home/operator', c.name);
    }
  });

  it('starts the chain binary with start --home <home>', () => {
    const c = named(containers(pod(aFullNode('osmosis', withChain({ binary: 'gaiad' })), 1)), 'node');
    assert.deepEqual(c.command, ['gaiad']);
    assert.deepEqual(c.args, ['start', '--home', '/home/operator/cosmos']);
  });

  it('adds skip-invariants, log level, log format and the additional start args in that order', () => {
    const node = aFullNode(
      'osmosis',
      withChain({
        binary: 'gaiad',
        skipInvariants: true,
        logLevel: 'debug',
        logFormat: 'json',
        homeDir: '.other',
        additionalStartArgs: ['--foo', 'bar'],
      }),
    );
    assert.deepEqual(named(containers(pod(node)), 'node').args, [
      'start',
      '--home',
      '/home/operator/.other',
      '--x-crisis-skip-assert-invariants',
      '--log_level',
      'debug',
      '--log_format',
      'json',
      '--foo',
      'bar',
    ]);
  });

  it('makes a Sentry sleep 10 seconds before starting, for the remote signer, the command line as arguments', () => {
    const c = named(containers(pod(aFullNode('osmosis', asSentry, withChain({ binary: 'gaiad' })))), 'node');
    assert.deepEqual(c.command, ['sh']);
    assert.deepEqual(c.args, [
      '-c',
      'sleep "$1"\nshift\nexec "$@"',
      'node',
      '10',
      'gaiad',
      'start',
      '--home',
      '/home/operator/cosmos',
    ]);
  });

  it('makes a Sentry sleep privvalSleepSeconds', () => {
    const c = named(
      containers(pod(aFullNode('osmosis', asSentry, withChain({ binary: 'gaiad', privvalSleepSeconds: 60 })))),
      'node',
    );
    assert.deepEqual(c.args!.slice(2), ['node', '60', 'gaiad', 'start', '--home', '/home/operator/cosmos']);
  });

  it('starts a Sentry directly when privvalSleepSeconds is 0', () => {
    const c = named(
      containers(pod(aFullNode('osmosis', asSentry, withChain({ binary: 'gaiad', privvalSleepSeconds: 0 })))),
      'node',
    );
    assert.deepEqual(c.command, ['gaiad']);
  });

  it('ignores privvalSleepSeconds for a FullNode', () => {
    const c = named(
      containers(pod(aFullNode('osmosis', withChain({ binary: 'gaiad', privvalSleepSeconds: 30 })))),
      'node',
    );
    assert.deepEqual(c.command, ['gaiad']);
  });

  it('exposes the seven chain ports on the node container', () => {
    assert.deepEqual(
      named(containers(pod(aFullNode())), 'node').ports!.map((p) => [p.name, p.containerPort]),
      [
        ['api', 1317],
        ['rosetta', 8080],
        ['grpc', 9090],
        ['prometheus', 26660],
        ['p2p', 26656],
        ['rpc', 26657],
        ['grpc-web', 9091],
      ],
    );
  });

  it('exposes custom RPC and p2p ports and probes the custom RPC port', () => {
    const node = aFullNode(
      'osmosis',
      withChain({ config: { rpcListenAddress: 'tcp://0.0.0.0:27147', p2pListenAddress: 'tcp://0.0.0.0:27146' } }),
    );
    const p = pod(node);
    const c = named(containers(p), 'node');
    assert.equal(c.ports!.find((x) => x.name === 'rpc')!.containerPort, 27147);
    assert.equal(c.ports!.find((x) => x.name === 'p2p')!.containerPort, 27146);
    assert.equal(c.readinessProbe!.httpGet!.port, 27147);
    assert.deepEqual(named(containers(p), 'healthcheck').command, [
      '/manager',
      'healthcheck',
      '--rpc-host',
      'http://localhost:27147',
    ]);
  });

  it('exposes privval 1234 on a Sentry', () => {
    const ports = named(containers(pod(aFullNode('osmosis', asSentry))), 'node').ports!;
    assert.deepEqual(ports.at(-1), { name: 'privval', protocol: 'TCP', containerPort: 1234 });
  });

  it('runs the healthcheck sidecar from the operator image on port 1251 with small requests', () => {
    const c = named(containers(pod(aFullNode())), 'healthcheck');
    assert.equal(c.image, OPERATOR);
    assert.deepEqual(c.command, ['/manager', 'healthcheck', '--rpc-host', 'http://localhost:26657']);
    assert.equal(c.args, undefined);
    assert.equal(c.env, undefined);
    assert.deepEqual(c.ports, [{ containerPort: 1251, protocol: 'TCP' }]);
    assert.deepEqual(c.resources, { requests: { cpu: '5m', memory: '16Mi' } });
  });

  it('runs the sidecars from the image and command prefix it is given', () => {
    const p = buildPod(aFullNode('osmosis', withVersions({ height: 0, image: 'chain:v1' })), 0, {}, {
      sidecar: { image: 'example.com/ours:v2', command: ['/cosmos-operator'] },
    })!;
    assert.deepEqual(
      [
        named(containers(p), 'healthcheck'),
        named(containers(p), 'version-check-interval'),
        named(inits(p), 'version-check'),
      ].map((c) => [c.image, c.command![0], c.command![1]]),
      [
        ['example.com/ours:v2', '/cosmos-operator', 'healthcheck'],
        ['example.com/ours:v2', '/cosmos-operator', 'versioncheck'],
        ['example.com/ours:v2', '/cosmos-operator', 'versioncheck'],
      ],
    );
  });

  it('probes the node at /health on the RPC port and the sidecar at / on 1251 by default (InSync)', () => {
    const p = pod(aFullNode());
    assert.deepEqual(named(containers(p), 'node').readinessProbe, {
      httpGet: { path: '/health', port: 26657, scheme: 'HTTP' },
      initialDelaySeconds: 1,
      timeoutSeconds: 10,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 5,
    });
    assert.deepEqual(named(containers(p), 'healthcheck').readinessProbe, {
      httpGet: { path: '/', port: 1251, scheme: 'HTTP' },
      initialDelaySeconds: 1,
      timeoutSeconds: 10,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('adds no readiness probes with probe strategy None', () => {
    const p = pod(aFullNode('osmosis', withPodTemplate({ probes: { strategy: 'None' } })));
    for (const c of containers(p)) assert.equal(c.readinessProbe, undefined, c.name);
  });

  it('probes only the node with probe strategy Reachable', () => {
    const p = pod(aFullNode('osmosis', withPodTemplate({ probes: { strategy: 'Reachable' } })));
    assert.ok(named(containers(p), 'node').readinessProbe);
    assert.equal(named(containers(p), 'healthcheck').readinessProbe, undefined);
  });

  it('probes both containers with probe strategy InSync', () => {
    const p = pod(aFullNode('osmosis', withPodTemplate({ probes: { strategy: 'InSync' } })));
    assert.ok(named(containers(p), 'node').readinessProbe);
    assert.ok(named(containers(p), 'healthcheck').readinessProbe);
  });

  it('runs seven init containers with a snapshot URL, from the infra, chain and operator images', () => {
    const node = aFullNode(
      'osmosis',
      withImage('main-image:v1.2.3'),
      withChain({ snapshotURL: 'https://example.com/snapshot.tar' }),
    );
    const p = pod(node, 6);
    assert.deepEqual(names(inits(p)), [
      'clean-init',
      'chain-init',
      'genesis-init',
      'addrbook-init',
      'config-merge',
      'snapshot-restore',
      'version-check',
    ]);
    assert.deepEqual(
      inits(p).map((c) => c.image),
      [INFRA, 'main-image:v1.2.3', INFRA, INFRA, INFRA, INFRA, OPERATOR],
    );
  });

  it('runs no snapshot-restore without a snapshot URL or script', () => {
    assert.deepEqual(names(inits(pod(aFullNode()))), [
      'clean-init',
      'chain-init',
      'genesis-init',
      'addrbook-init',
      'config-merge',
      'version-check',
    ]);
  });

  it('empties the scratch directory first', () => {
    assert.deepEqual(inits(pod(aFullNode()))[0]!.args, ['-c', 'rm -rf "$HOME/.tmp/*"']);
  });

  it('initialises the chain with the instance as moniker, into the home once and into the scratch directory always', () => {
    const node = aFullNode(
      'osmosis',
      withChain({ chainID: 'osmosis-123', binary: 'osmosisd', additionalInitArgs: ['--overwrite'] }),
    );
    const [flag, script, name, ...command] = named(inits(pod(node, 6)), 'chain-init').args!;
    assert.deepEqual([flag, name], ['-c', 'chain-init']);
    // The command line is "$@", never script text (test/unit/reconcile/fullnode/build/shell-injection.test.ts runs it).
    assert.deepEqual(command, ['osmosisd', 'init', '--chain-id', 'osmosis-123', 'osmosis-6', '--overwrite']);
    assert.match(script!, /if \[ ! -d "\$CHAIN_HOME\/data" \]; then/);
    assert.ok(script!.includes('"$@" --home "$CHAIN_HOME"'));
    assert.ok(script!.includes('"$@" --home "$HOME/.tmp"'));
    assert.ok(!script!.includes('osmosis'), script);
  });

  it('uses the genesis from chain init when no genesis URL or script is set', () => {
    const args = named(inits(pod(aFullNode())), 'genesis-init').args!;
    assert.equal(args.length, 2);
    assert.ok(args[1]!.includes('mv "$INIT_GENESIS_FILE" "$GENESIS_FILE"'));
  });

  it('downloads the genesis URL, passed to the script as $1', () => {
    const args = named(
      inits(pod(aFullNode('osmosis', withChain({ genesisURL: 'https://example.com/genesis.json.gz' })))),
      'genesis-init',
    ).args!;
    assert.deepEqual([args[0], args[2], args[3]], ['-c', '-s', 'https://example.com/genesis.json.gz']);
    assert.ok(args[1]!.includes('GENESIS_URL="$1"'));
  });

  it('runs the genesis script instead of the genesis URL', () => {
    const args = named(
      inits(
        pod(
          aFullNode(
            'osmosis',
            withChain({ genesisURL: 'https://example.com/g.json', genesisScript: 'echo custom-genesis' }),
          ),
        ),
      ),
      'genesis-init',
    ).args!;
    assert.equal(args.length, 2);
    assert.ok(args[1]!.includes('echo custom-genesis'));
  });

  it('skips the genesis step once the data directory holds databases', () => {
    assert.ok(
      named(inits(pod(aFullNode())), 'genesis-init').args![1]!.startsWith(
        'if ls "$DATA_DIR"/*.db > /dev/null 2>&1; then',
      ),
    );
  });

  it('keeps the default address book without an address book URL or script', () => {
    assert.deepEqual(named(inits(pod(aFullNode())), 'addrbook-init').args, ['-c', 'echo Using default address book']);
  });

  it('downloads the address book URL unless one exists', () => {
    const args = named(
      inits(pod(aFullNode('osmosis', withChain({ addrbookURL: 'https://example.com/addrbook.json' })))),
      'addrbook-init',
    ).args!;
    assert.deepEqual([args[2], args[3]], ['-s', 'https://example.com/addrbook.json']);
    assert.ok(args[1]!.startsWith('if [ -f "$CONFIG_DIR/addrbook.json" ]; then'));
  });

  it('runs the address book script instead of the URL', () => {
    const args = named(
      inits(
        pod(
          aFullNode(
            'osmosis',
            withChain({ addrbookURL: 'https://example.com/a.json', addrbookScript: 'echo custom-book' }),
          ),
        ),
      ),
      'addrbook-init',
    ).args!;
    assert.equal(args.length, 2);
    assert.ok(args[1]!.includes('echo custom-book'));
  });

  it('merges the overlays over the init TOML, the overlay rightmost, and installs the node key', () => {
    const script = named(inits(pod(aFullNode())), 'config-merge').args![1]!;
    assert.ok(
      script.includes(
        'config-merge -f toml "$TMP_DIR/config.toml" "$OVERLAY_DIR/config-overlay.toml" > "$CONFIG_DIR/config.toml"',
      ),
    );
    assert.ok(
      script.includes(
        'config-merge -f toml "$TMP_DIR/app.toml" "$OVERLAY_DIR/app-overlay.toml" > "$CONFIG_DIR/app.toml"',
      ),
    );
    assert.ok(script.includes('cp "$OVERLAY_DIR/node_key.json" "$CONFIG_DIR/node_key.json"'));
  });

  it('restores the snapshot script instead of the snapshot URL, only into an empty data directory', () => {
    const args = named(
      inits(
        pod(
          aFullNode(
            'osmosis',
            withChain({ snapshotURL: 'https://example.com/s.tar.lz4', snapshotScript: 'echo restore' }),
          ),
        ),
      ),
      'snapshot-restore',
    ).args!;
    assert.equal(args.length, 2);
    assert.ok(args[1]!.includes('echo restore'));
    assert.ok(args[1]!.includes("-name '*.db'"));
  });

  it('runs the version check init container last, with small requests and a restricted security context', () => {
    const c = inits(pod(aFullNode())).at(-1)!;
    assert.equal(c.name, 'version-check');
    assert.deepEqual(c.command, ['/manager', 'versioncheck']);
    assert.deepEqual(c.resources, { requests: { cpu: '5m', memory: '16Mi' } });
    assert.deepEqual(c.securityContext, RESTRICTED);
  });

  it('gives every container it builds but the chain’s own no privilege escalation and no capabilities', () => {
    const p = pod(
      aFullNode(
        'osmosis',
        withVersions({ height: 0, image: 'chain:v1' }),
        withChain({ snapshotURL: 'https://x/s.tar' }),
      ),
    );
    assert.equal(inits(p).length, 7);
    for (const c of [...inits(p), ...containers(p)]) {
      assert.deepEqual(c.securityContext, c.name === 'node' ? undefined : RESTRICTED, c.name);
    }
  });

  it('a template entry can still tighten the chain container for the restricted Pod Security Standard', () => {
    const p = pod(
      aFullNode('osmosis', withPodTemplate({ containers: [{ name: 'node', securityContext: RESTRICTED }] })),
    );
    assert.deepEqual(named(containers(p), 'node').securityContext, RESTRICTED);
  });

  it('mounts the ServiceAccount token only into the version checks, which call the API server', () => {
    const p = pod(aFullNode('osmosis', withVersions({ height: 0, image: 'chain:v1' })));
    assert.equal(p.spec!.automountServiceAccountToken, false);
    assert.deepEqual(p.spec!.volumes!.at(-1), {
      name: 'vol-service-account',
      projected: {
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    });
    const withToken = [...inits(p), ...containers(p)]
      .filter((c) => c.volumeMounts?.some((m) => m.name === 'vol-service-account'))
      .map((c) => [c.name, c.volumeMounts!.find((m) => m.name === 'vol-service-account')]);
    const mount = {
      name: 'vol-service-account',
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    };
    assert.deepEqual(withToken, [['version-check', mount], ['version-check-interval', mount]]);
  });

  it('passes the database backend to both version checks', () => {
    const p = pod(
      aFullNode('osmosis', withChain({ databaseBackend: 'pebbledb' }), withVersions({ height: 0, image: 'chain:v1' })),
    );
    assert.deepEqual(named(inits(p), 'version-check').command, ['/manager', 'versioncheck', '-b', 'pebbledb']);
    assert.deepEqual(named(containers(p), 'version-check-interval').command, [
      '/manager',
      'versioncheck',
      '-d',
      '-b',
      'pebbledb',
    ]);
  });

  it('runs the version-check sidecar only when versions are set', () => {
    assert.equal(containers(pod(aFullNode())).length, 2);
    const c = named(
      containers(pod(aFullNode('osmosis', withVersions({ height: 0, image: 'chain:v1' })))),
      'version-check-interval',
    );
    assert.deepEqual(c.command, ['/manager', 'versioncheck', '-d']);
    assert.deepEqual(c.securityContext, RESTRICTED);
    assert.equal(c.workingDir, '/home/operator');
  });

  it('mounts the chain home PVC, a scratch dir, the config overlays, a system /tmp and the ServiceAccount', () => {
    const volumes = pod(aFullNode('osmosis'), 5).spec!.volumes!;
    assert.deepEqual(names(volumes), [
      'vol-chain-home',
      'vol-tmp',
      'vol-config',
      'vol-system-tmp',
      'vol-service-account',
    ]);
    assert.deepEqual(volumes[0]!.persistentVolumeClaim, { claimName: 'pvc-osmosis-5' });
    assert.deepEqual([volumes[1]!.emptyDir, volumes[3]!.emptyDir], [{}, {}]);
  });

  it('projects the overlays from the ConfigMap and the node key from the Secret into vol-config', () => {
    const config = pod(aFullNode('osmosis'), 5).spec!.volumes![2]!;
    assert.deepEqual(config.projected, {
      sources: [
        {
          configMap: {
            name: 'osmosis-5',
            items: [
              { key: 'config-overlay.toml', path: 'config-overlay.toml' },
              { key: 'app-overlay.toml', path: 'app-overlay.toml' },
            ],
          },
        },
        { secret: { name: 'osmosis-node-key-5', items: [{ key: 'node_key.json', path: 'node_key.json' }] } },
      ],
    });
  });

  it('mounts the node key from the ConfigMap, as the Go operator did, when told so', () => {
    const config = buildPod(aFullNode('osmosis'), 5, {}, { nodeKeySource: 'configMap' })!.spec!.volumes![2]!;
    assert.deepEqual(config.configMap, {
      name: 'osmosis-5',
      items: [
        { key: 'config-overlay.toml', path: 'config-overlay.toml' },
        { key: 'app-overlay.toml', path: 'app-overlay.toml' },
        { key: 'node_key.json', path: 'node_key.json' },
      ],
    });
  });

  it('mounts the chain home and /tmp into the node, the home read-only into the healthcheck', () => {
    const p = pod(aFullNode());
    assert.deepEqual(named(containers(p), 'node').volumeMounts, [
      { name: 'vol-chain-home', mountPath: '/home/operator/cosmos' },
      { name: 'vol-system-tmp', mountPath: '/tmp' },
    ]);
    assert.deepEqual(named(containers(p), 'healthcheck').volumeMounts, [{
      name: 'vol-chain-home',
      mountPath: '/home/operator/cosmos',
      readOnly: true,
    }]);
  });

  it('mounts the scratch dir and the config into every init container as well, the version check also the ServiceAccount', () => {
    for (const c of inits(pod(aFullNode()))) {
      assert.deepEqual(
        c.volumeMounts,
        [
          { name: 'vol-chain-home', mountPath: '/home/operator/cosmos' },
          { name: 'vol-system-tmp', mountPath: '/tmp' },
          { name: 'vol-tmp', mountPath: '/home/operator/.tmp' },
          { name: 'vol-config', mountPath: '/home/operator/.config' },
          ...(c.name === 'version-check'
            ? [{
              name: 'vol-service-account',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            }]
            : []),
        ],
        c.name,
      );
    }
  });

  it('takes scheduling fields from the template', () => {
    const affinity = {
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'affinity1' }] },
    };
    const node = aFullNode(
      'osmosis',
      withPodTemplate({
        affinity,
        imagePullSecrets: [{ name: 'pullSecrets' }],
        nodeSelector: { node: 'test' },
        tolerations: [{ key: 'toleration1' }],
        priorityClassName: 'priority1',
        priority: 55,
        terminationGracePeriodSeconds: 40,
      }),
    );
    const spec = pod(node).spec!;
    assert.deepEqual(spec.affinity, affinity);
    assert.deepEqual(spec.imagePullSecrets, [{ name: 'pullSecrets' }]);
    assert.deepEqual(spec.nodeSelector, { node: 'test' });
    assert.deepEqual(spec.tolerations, [{ key: 'toleration1' }]);
    assert.deepEqual([spec.priorityClassName, spec.priority, spec.terminationGracePeriodSeconds], [
      'priority1',
      55,
      40,
    ]);
  });

  it('merges template volumes, init containers and containers into the built ones by name', () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({
        volumes: [{ name: 'foo-vol', emptyDir: {} }],
        initContainers: [
          { name: 'chain-init', image: 'foo:latest', volumeMounts: [{ name: 'foo-vol', mountPath: '/foo' }] },
          { name: 'new-init', image: 'new-init:latest' },
        ],
        containers: [
          { name: 'node', volumeMounts: [{ name: 'foo-vol', mountPath: '/foo' }] },
          { name: 'new-sidecar', image: 'new-sidecar:latest' },
        ],
      }),
    );
    const p = pod(node);
    assert.deepEqual(names(p.spec!.volumes!), [
      'foo-vol',
      'vol-chain-home',
      'vol-tmp',
      'vol-config',
      'vol-system-tmp',
      'vol-service-account',
    ]);
    assert.deepEqual(names(containers(p)), ['node', 'new-sidecar', 'healthcheck']);
    assert.deepEqual(names(inits(p)), [
      'clean-init',
      'chain-init',
      'new-init',
      'genesis-init',
      'addrbook-init',
      'config-merge',
      'version-check',
    ]);
    assert.equal(named(inits(p), 'chain-init').image, 'foo:latest');
    assert.deepEqual(named(containers(p), 'node').volumeMounts!.map((m) => m.mountPath), [
      '/foo',
      '/home/operator/cosmos',
      '/tmp',
    ]);
    assert.deepEqual(named(inits(p), 'chain-init').volumeMounts!.map((m) => m.mountPath), [
      '/foo',
      '/home/operator/cosmos',
      '/tmp',
      '/home/operator/.tmp',
      '/home/operator/.config',
    ]);
  });

  it('puts a template container first when the template names no built container', () => {
    const node = aFullNode('osmosis', withPodTemplate({ containers: [{ name: 'first', image: 'first:v1' }] }));
    assert.deepEqual(names(containers(pod(node))), ['first', 'node', 'healthcheck']);
  });

  it('picks the image of the last version at or below the pod height, and labels the version', () => {
    const node = aFullNode(
      'osmosis',
      withVersions({ height: 0, image: 'image:v1.0.0' }, { height: 100, image: 'image:v2.0.0' }, {
        height: 300,
        image: 'image:v3.0.0',
      }, { height: 400, image: 'image:v4.0.0' }),
    );
    const heights = { 'osmosis-0': 1, 'osmosis-1': 150, 'osmosis-2': 300 };
    const got = [0, 1, 2].map((ordinal) => {
      const p = pod(node, ordinal, heights);
      return [
        named(containers(p), 'node').image,
        named(inits(p), 'chain-init').image,
        p.metadata!.labels!['app.kubernetes.io/version'],
      ];
    });
    assert.deepEqual(got, [
      ['image:v1.0.0', 'image:v1.0.0', 'v1.0.0'],
      ['image:v2.0.0', 'image:v2.0.0', 'v2.0.0'],
      ['image:v3.0.0', 'image:v3.0.0', 'v3.0.0'],
    ]);
  });

  it("applies a version's container and init container images by name, and only at that version", () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({
        initContainers: [{ name: 'new-init', image: 'new-init:latest' }],
        containers: [{ name: 'new-sidecar', image: 'new-sidecar:latest' }],
      }),
      withVersions(
        { height: 0, image: 'image:v1.0.0' },
        {
          height: 300,
          image: 'image:v3.0.0',
          initContainers: { 'chain-init': 'chain-init:v3.0.0', 'new-init': 'new-init:v3.0.0' },
          containers: { 'new-sidecar': 'new-sidecar:v3.0.0' },
        },
        { height: 400, image: 'image:v4.0.0' },
      ),
    );
    const at300 = pod(node, 2, { 'osmosis-2': 300 });
    assert.deepEqual(
      [
        named(containers(at300), 'node').image,
        named(containers(at300), 'new-sidecar').image,
        named(inits(at300), 'chain-init').image,
        named(inits(at300), 'new-init').image,
      ],
      ['image:v3.0.0', 'new-sidecar:v3.0.0', 'chain-init:v3.0.0', 'new-init:v3.0.0'],
    );
    const at400 = pod(node, 2, { 'osmosis-2': 400 });
    assert.deepEqual(
      [
        named(containers(at400), 'node').image,
        named(containers(at400), 'new-sidecar').image,
        named(inits(at400), 'chain-init').image,
        named(inits(at400), 'new-init').image,
      ],
      ['image:v4.0.0', 'new-sidecar:latest', 'image:v4.0.0', 'new-init:latest'],
    );
  });

  it('stops at the first version above the height when versions are out of order, as Go did', () => {
    const node = aFullNode(
      'osmosis',
      withVersions({ height: 0, image: 'image:v1' }, { height: 100, image: 'image:v2' }, {
        height: 50,
        image: 'image:v3',
      }),
    );
    assert.equal(named(containers(pod(node, 0, { 'osmosis-0': 60 })), 'node').image, 'image:v1');
  });

  it('uses the first version for a pod with no recorded height', () => {
    const p = pod(
      aFullNode('osmosis', withVersions({ height: 0, image: 'image:v1.0.0' }, { height: 10, image: 'image:v2.0.0' })),
    );
    assert.equal(named(containers(p), 'node').image, 'image:v1.0.0');
  });

  it('keeps the template image when the first version is above the height', () => {
    const p = pod(aFullNode('osmosis', withVersions({ height: 10, image: 'image:v2.0.0' })));
    assert.equal(named(containers(p), 'node').image, 'busybox:v1.2.3');
  });

  it("puts an instance override's image on node and chain-init, over the version's", () => {
    const node = aFullNode(
      'osmosis',
      withVersions({ height: 0, image: 'image:v1.0.0' }),
      withInstanceOverride('osmosis-0', { image: 'custom:v9' }),
    );
    const p = pod(node);
    assert.deepEqual([
      named(containers(p), 'node').image,
      named(inits(p), 'chain-init').image,
      p.metadata!.labels!['app.kubernetes.io/version'],
    ], ['custom:v9', 'custom:v9', 'v9']);
  });

  it("replaces the pod's node selector with an instance override's", () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({ nodeSelector: { pool: 'a', zone: 'z' } }),
      withInstanceOverride('osmosis-5', { nodeSelector: { 'kubernetes.io/hostname': 'worker-1' } }),
    );
    assert.deepEqual(pod(node, 5).spec!.nodeSelector, { 'kubernetes.io/hostname': 'worker-1' });
  });

  it("clears the pod's node selector with an empty instance override selector", () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({ nodeSelector: { pool: 'a' } }),
      withInstanceOverride('osmosis-0', { nodeSelector: {} }),
    );
    assert.equal(pod(node).spec!.nodeSelector, undefined);
  });

  it('builds no pod for an instance disabled with Pod or All', () => {
    const node = aFullNode(
      'osmosis',
      withInstanceOverride('osmosis-0', { disable: 'Pod' }),
      withInstanceOverride('osmosis-1', { disable: 'All' }),
    );
    assert.deepEqual([buildPod(node, 0, {}), buildPod(node, 1, {})], [undefined, undefined]);
  });

  it('normalises template label and annotation keys', () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({ metadata: { labels: { '_bad key_': 'v' }, annotations: { '/note': 'v' } } }),
    );
    const p = pod(node);
    assert.equal(p.metadata!.labels![toLabelKey('_bad key_')], 'v');
    assert.equal(p.metadata!.annotations!['note'], 'v');
  });

  it('builds deep-equal pods from the same input, sharing nothing with the node', () => {
    const node = aFullNode(
      'osmosis',
      withPodTemplate({
        containers: [{ name: 'node', env: [{ name: 'A', value: '1' }] }],
        affinity: { podAffinity: {} },
      }),
    );
    const snapshot = structuredClone(node);
    const first = pod(node);
    assert.deepEqual(pod(node), first);
    first.spec!.affinity!.podAffinity = { mutated: true } as never;
    named(containers(first), 'node').env![0]!.value = 'mutated';
    assert.deepEqual(node, snapshot);
    assert.deepEqual(pod(node), pod(snapshot));
  });

  it('is plain JSON', () => {
    const p = pod(aFullNode());
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });
});

describe('buildPods', () => {
  it('builds one pod per ordinal from the start ordinal, each with its ordinal', () => {
    const pods = buildPods(aFullNode('agoric', withReplicas(3), withStartOrdinal(2)), NONE);
    assert.deepEqual(podNames(pods), ['agoric-2', 'agoric-3', 'agoric-4']);
    assert.deepEqual(
      pods.map((p) => p.ordinal),
      [2, 3, 4],
    );
  });

  it('annotates each pod with the checksum of its ConfigMap', () => {
    const pods = buildPods(aFullNode('agoric', withReplicas(2)), {
      ...NONE,
      configChecksums: { 'agoric-0': 'c0', 'agoric-1': 'c1' },
    });
    assert.deepEqual(
      pods.map((p) => p.pod.metadata!.annotations!['cosmos.strange.love/config-checksum']),
      ['c0', 'c1'],
    );
  });

  it('annotates an empty checksum when the ConfigMap has none', () => {
    const [first] = buildPods(aFullNode('agoric'), NONE);
    assert.equal(first!.pod.metadata!.annotations!['cosmos.strange.love/config-checksum'], '');
  });

  it('matches buildPod apart from the checksum annotation', () => {
    const node = aFullNode('agoric', withReplicas(1));
    const [first] = buildPods(node, NONE);
    assert.deepEqual(first!.pod.spec, buildPod(node, 0, {})!.spec);
  });

  it('skips instances disabled with Pod or All and overrides the image of another', () => {
    const node = aFullNode(
      'agoric',
      withReplicas(6),
      withImage('agoric:latest'),
      withInstanceOverride('agoric-2', { disable: 'Pod' }),
      withInstanceOverride('agoric-4', { disable: 'All' }),
      withInstanceOverride('agoric-5', { image: 'some_image:custom' }),
    );
    const pods = buildPods(node, NONE);
    assert.deepEqual(podNames(pods), ['agoric-0', 'agoric-1', 'agoric-3', 'agoric-5']);
    assert.deepEqual(
      pods.map((p) => p.pod.spec!.containers[0]!.image),
      ['agoric:latest', 'agoric:latest', 'agoric:latest', 'some_image:custom'],
    );
  });

  it('leaves out pods held back for a scheduled volume snapshot', () => {
    const node = aFullNode(
      'agoric',
      withReplicas(6),
      withStatus({
        scheduledSnapshotStatus: {
          'some.scheduled.snapshot.1': { podCandidate: 'agoric-1' },
          'some.scheduled.snapshot.2': { podCandidate: 'agoric-2' },
          'some.scheduled.snapshot.ignored': { podCandidate: 'agoric-99' },
        },
      }),
    );
    assert.deepEqual(podNames(buildPods(node, observationsFromStatus(node, {}))), [
      'agoric-0',
      'agoric-3',
      'agoric-4',
      'agoric-5',
    ]);
  });

  it('picks versions by the heights it is given', () => {
    const node = aFullNode(
      'agoric',
      withReplicas(2),
      withVersions({ height: 0, image: 'a:v1' }, { height: 50, image: 'a:v2' }),
    );
    const pods = buildPods(node, { ...NONE, heights: { 'agoric-1': 60 } });
    assert.deepEqual(
      pods.map((p) => p.pod.spec!.containers[0]!.image),
      ['a:v1', 'a:v2'],
    );
  });

  it('builds no pods for zero replicas', () => {
    assert.deepEqual(buildPods(aFullNode('agoric', withReplicas(0)), NONE), []);
  });
});

describe('observationsFromStatus', () => {
  it('reads heights and snapshot candidates from the status', () => {
    const node = aFullNode(
      'agoric',
      withStatus({ height: { 'agoric-0': 7 }, scheduledSnapshotStatus: { key: { podCandidate: 'agoric-0' } } }),
    );
    const observed = observationsFromStatus(node, { 'agoric-0': 'sum' });
    assert.deepEqual(observed.heights, { 'agoric-0': 7 });
    assert.deepEqual([...observed.snapshotCandidates], ['agoric-0']);
    assert.deepEqual(observed.configChecksums, { 'agoric-0': 'sum' });
  });

  it('observes nothing without a status', () => {
    const observed = observationsFromStatus(aFullNode('agoric'), {});
    assert.deepEqual([observed.heights, [...observed.snapshotCandidates]], [{}, []]);
  });
});

describe('additional versioned pods', () => {
  const entry = { name: 'horcrux', containers: [{ name: 'signer', image: 'horcrux:v1' }] };
  const build = (...changes: Parameters<typeof aFullNode>[1][]) =>
    buildPods(aFullNode('agoric', withReplicas(2), withAdditionalPods(entry), ...changes), NONE);

  it('builds <name>-<ordinal> after the main pods, with diff ordinal ordinal*100+index+1000', () => {
    const pods = build();
    assert.deepEqual(podNames(pods), ['agoric-0', 'agoric-1', 'horcrux-0', 'horcrux-1']);
    assert.deepEqual(
      pods.map((p) => p.ordinal),
      [0, 1, 1000, 1100],
    );
  });

  it('uses the pod spec as given, without operator volumes, env or security context', () => {
    const p = build()[2]!.pod;
    assert.deepEqual(p.spec, { containers: [{ name: 'signer', image: 'horcrux:v1' }] });
  });

  it('labels it apart from the RPC service, with its own instance and the instance it belongs to', () => {
    const labels = build()[2]!.pod.metadata!.labels!;
    assert.equal(labels['app.kubernetes.io/name'], 'agoric-horcrux');
    assert.equal(labels['app.kubernetes.io/instance'], 'horcrux-0');
    assert.equal(labels['cosmos.strange.love/belongs-to'], 'agoric-0');
    assert.equal(labels['app.kubernetes.io/component'], 'CosmosFullNode');
  });

  it('adds the entry metadata, the operator winning on a clash', () => {
    const pods = buildPods(
      aFullNode(
        'agoric',
        withAdditionalPods({
          ...entry,
          metadata: { labels: { team: 'sig', 'cosmos.strange.love/belongs-to': 'x' }, annotations: { note: 'n' } },
        }),
      ),
      NONE,
    );
    const meta = pods[1]!.pod.metadata!;
    assert.deepEqual(
      [meta.labels!['team'], meta.labels!['cosmos.strange.love/belongs-to'], meta.annotations!['note']],
      ['sig', 'agoric-0', 'n'],
    );
  });

  it('annotates an empty config checksum', () => {
    assert.equal(build()[2]!.pod.metadata!.annotations!['cosmos.strange.love/config-checksum'], '');
  });

  it('replaces its affinity with a preference for the node of its instance', () => {
    const pods = buildPods(
      aFullNode('agoric', withAdditionalPods({ ...entry, preferSameNode: true, affinity: { nodeAffinity: {} } })),
      NONE,
    );
    assert.deepEqual(pods[1]!.pod.spec!.affinity, {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'agoric-0' } },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    });
  });

  it('follows the version of its instance by container name', () => {
    const node = aFullNode(
      'agoric',
      withAdditionalPods(entry),
      withVersions({ height: 0, image: 'a:v1' }, { height: 10, image: 'a:v2', containers: { signer: 'horcrux:v2' } }),
    );
    const pods = buildPods(node, { ...NONE, heights: { 'agoric-0': 20 } });
    assert.equal(pods[1]!.pod.spec!.containers[0]!.image, 'horcrux:v2');
  });

  it('is disabled, re-imaged and re-scheduled by an instance override under its own name', () => {
    const disabled = build(withInstanceOverride('horcrux-0', { disable: 'Pod' }));
    assert.deepEqual(podNames(disabled), ['agoric-0', 'agoric-1', 'horcrux-1']);
    const overridden = build(
      withInstanceOverride('horcrux-1', { image: 'horcrux:custom', nodeSelector: { pool: 'signers' } }),
    );
    assert.deepEqual([overridden[3]!.pod.spec!.containers[0]!.image, overridden[3]!.pod.spec!.nodeSelector], [
      'horcrux:custom',
      { pool: 'signers' },
    ]);
  });

  it('is still built for a disabled main instance', () => {
    assert.deepEqual(podNames(build(withInstanceOverride('agoric-0', { disable: 'Pod' }))), [
      'agoric-1',
      'horcrux-0',
      'horcrux-1',
    ]);
  });
});

describe('chainHomeClaimName', () => {
  it('finds the chain home claim wherever the volume is', () => {
    const p = pod(aFullNode('osmosis'), 5);
    p.spec!.volumes = [{ name: 'foo' }, ...p.spec!.volumes!];
    assert.equal(chainHomeClaimName(p), 'pvc-osmosis-5');
  });

  it('is empty for a pod without one', () => {
    assert.equal(chainHomeClaimName({ spec: { containers: [] } }), '');
  });
});
