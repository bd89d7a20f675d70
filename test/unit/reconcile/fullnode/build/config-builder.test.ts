import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CosmosFullNode } from '../../../../../src/api/cosmosfullnode.ts';
import { isReconcileError } from '../../../../../src/kube/reconcile-result.ts';
import { revisionOf } from '../../../../../src/reconcile/diff.ts';
import {
  APP_OVERLAY_FILE,
  buildAppOverlay,
  buildConfigMaps,
  buildConfigOverlays,
  CONFIG_OVERLAY_FILE,
  haltHeightOf,
} from '../../../../../src/reconcile/fullnode/build/config-builder.ts';
import { buildPeers, type P2PService } from '../../../../../src/reconcile/fullnode/build/peers.ts';
import { parseToml, stringifyToml, type TomlTable } from '../../../../../src/reconcile/fullnode/build/toml-merge.ts';
import { aFullNode, type Change, withValue } from '../../../../fixtures/api/objects.ts';

const testdata = join(import.meta.dirname, 'testdata');
const golden = (file: string) => readFileSync(join(testdata, file), 'utf8');

const ID = { a: 'a'.repeat(40), b: 'b'.repeat(40), c: 'c'.repeat(40) };

function fullNode(...changes: Change[]): CosmosFullNode {
  return aFullNode('cosmoshub', ...changes) as unknown as CosmosFullNode;
}

/** Peers of cosmoshub-0..2 with IDs c, a, b; p2p-0 is a LoadBalancer at 1.2.3.4. */
function peersOf(node: CosmosFullNode, lbAddress: string | null = '1.2.3.4') {
  const ids: Record<string, string> = { 'cosmoshub-0': ID.c, 'cosmoshub-1': ID.a, 'cosmoshub-2': ID.b };
  const services = new Map<string, P2PService>([
    ['cosmoshub-p2p-0', {
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: lbAddress ? [{ ip: lbAddress }] : [] } },
    }],
    ['cosmoshub-p2p-1', { spec: { type: 'ClusterIP' } }],
    ['cosmoshub-p2p-2', { spec: { type: 'ClusterIP' } }],
  ]);
  return buildPeers(node, ids, services);
}

function comet(node: CosmosFullNode, instance = 'cosmoshub-0'): TomlTable {
  return parseToml(buildConfigOverlays(node, instance, peersOf(node))[CONFIG_OVERLAY_FILE]);
}

function app(node: CosmosFullNode, instance = 'cosmoshub-0'): TomlTable {
  return parseToml(buildConfigOverlays(node, instance, peersOf(node))[APP_OVERLAY_FILE]);
}

const p2p = (table: TomlTable) => table['p2p'] as TomlTable;

const fullSpec: Change[] = [
  withValue('spec.replicas', 2),
  withValue('spec.chain.logLevel', 'debug'),
  withValue('spec.chain.logFormat', 'json'),
  withValue('spec.chain.config', {
    rpcListenAddress: 'tcp://0.0.0.0:36657',
    p2pListenAddress: 'tcp://0.0.0.0:36656',
    peers: 'peer1@1.2.2.2:789,peer2@2.2.2.2:789',
    seeds: 'seed1@1.1.1.1:456,seed2@1.1.1.1:456',
    privatePeerIDs: 'private1,private2',
    unconditionalPeerIDs: 'unconditional1',
    maxInboundPeers: 40,
    maxOutboundPeers: 10,
    corsAllowedOrigins: ['*'],
    overrides:
      'log_level = "error"\n[p2p]\nseeds = "override@3.3.3.3:26656"\nflush_throttle_timeout = "10ms"\n[mempool]\nsize = 10000\n[consensus]\ntimeout_commit = "5s"\n[statesync]\ntrust_period = "168h0m0s"\nenable = false\n',
  }),
  withValue('spec.chain.app', {
    minGasPrice: '0.123token',
    apiEnableUnsafeCORS: true,
    grpcWebEnableUnsafeCORS: true,
    pruning: { strategy: 'custom', interval: 222, keepEvery: 333, keepRecent: 444, minRetainBlocks: 271500 },
    haltHeight: 34567,
    overrides:
      'minimum-gas-prices = "0.1override"\nnew-base = "new base value"\n[api]\nenable = false\nnew-field = "test"\n[telemetry]\nenabled = true\nglobal-labels = [["chain_id", "cosmoshub-4"]]\n[state-sync]\nsnapshot-interval = 1000\n',
  }),
  withValue('spec.chain.versions', [
    { height: 0, image: 'gaia:v1' },
    { height: 100, image: 'gaia:v2', setHaltHeight: true },
  ]),
  withValue('spec.instanceOverrides', { 'cosmoshub-0': { externalAddress: 'my.node.example:36656' } }),
  withValue('status', { observedGeneration: 1, phase: 'Complete', height: { 'cosmoshub-0': 50 } }),
];

describe('buildConfigOverlays', () => {
  it('writes the comet defaults, in-cluster peers and the LoadBalancer address for a minimal spec', () => {
    const node = fullNode();
    assert.equal(
      buildConfigOverlays(node, 'cosmoshub-0', peersOf(node))[CONFIG_OVERLAY_FILE],
      golden('minimal-config-overlay.toml'),
    );
  });

  it('writes the app defaults and the minimum gas price for a minimal spec', () => {
    const node = fullNode();
    assert.equal(
      buildConfigOverlays(node, 'cosmoshub-0', peersOf(node))[APP_OVERLAY_FILE],
      golden('minimal-app-overlay.toml'),
    );
  });

  it('gives a Sentry the privval listener and no tx index, in both spellings', () => {
    const node = fullNode(
      withValue('spec.type', 'Sentry'),
      withValue('spec.chain.logLevel', 'debug'),
      withValue('spec.chain.logFormat', 'json'),
    );
    assert.equal(
      buildConfigOverlays(node, 'cosmoshub-1', peersOf(node))[CONFIG_OVERLAY_FILE],
      golden('sentry-config-overlay.toml'),
    );
  });

  it('writes every operator value and merges the overrides last for a full spec', () => {
    const node = fullNode(...fullSpec);
    const overlays = buildConfigOverlays(node, 'cosmoshub-0', peersOf(node));
    assert.equal(overlays[CONFIG_OVERLAY_FILE], golden('full-config-overlay.toml'));
    assert.equal(overlays[APP_OVERLAY_FILE], golden('full-app-overlay.toml'));
  });

  it('lists every other instance as a persistent peer, but not the instance itself', () => {
    const peers = String(p2p(comet(fullNode(), 'cosmoshub-1'))['persistent_peers']);
    assert.equal(
      peers,
      `${ID.b}@cosmoshub-p2p-2.default.svc.cluster.local:26656,${ID.c}@cosmoshub-p2p-0.default.svc.cluster.local:26656`,
    );
    assert.ok(!peers.includes(ID.a));
  });

  it('appends config.peers after the in-cluster peers', () => {
    const table = comet(
      fullNode(withValue('spec.replicas', 2), withValue('spec.chain.config', { peers: 'x@1.1.1.1:1' })),
    );
    assert.equal(p2p(table)['persistent_peers'], `${ID.a}@cosmoshub-p2p-1.default.svc.cluster.local:26656,x@1.1.1.1:1`);
  });

  it('writes empty persistent peers and seeds, and no peer IDs, for a lone instance', () => {
    const table = p2p(comet(fullNode(withValue('spec.replicas', 1))));
    assert.equal(table['persistent_peers'], '');
    assert.equal(table['persistent-peers'], '');
    assert.equal(table['seeds'], '');
    assert.equal(table['private_peer_ids'], undefined);
    assert.equal(table['unconditional_peer_ids'], undefined);
  });

  it('writes seeds in snake_case only', () => {
    const table = p2p(comet(fullNode(withValue('spec.chain.config', { seeds: 's@1.1.1.1:1' }))));
    assert.equal(table['seeds'], 's@1.1.1.1:1');
    assert.ok(!Object.keys(table).some((key) => key.startsWith('seeds') && key !== 'seeds'));
  });

  it('writes log level and format only when the spec sets them', () => {
    const table = comet(fullNode());
    assert.equal(table['log_level'], 'info', 'the comet default');
    assert.equal(table['log-level'], undefined);
    assert.equal(table['log-format'], undefined);
  });

  it('writes max peers and CORS origins only when the spec sets them', () => {
    const minimal = comet(fullNode());
    assert.equal(p2p(minimal)['max-num-inbound-peers'], undefined);
    assert.equal((minimal['rpc'] as TomlTable)['cors-allowed-origins'], undefined);
    const set = comet(fullNode(withValue('spec.chain.config', { maxInboundPeers: 0, corsAllowedOrigins: [] })));
    assert.equal(p2p(set)['max_num_inbound_peers'], 0n);
    assert.equal(p2p(set)['max-num-inbound-peers'], 0n);
    assert.deepEqual((set['rpc'] as TomlTable)['cors-allowed-origins'], []);
  });

  it('prefers the instance override of the external address over the LoadBalancer address', () => {
    const node = fullNode(
      withValue('spec.instanceOverrides', { 'cosmoshub-0': { externalAddress: 'override.example:1' } }),
    );
    assert.equal(p2p(comet(node))['external_address'], 'override.example:1');
    assert.equal(p2p(comet(node))['external-address'], 'override.example:1');
  });

  it('writes an empty external address override as given', () => {
    const node = fullNode(withValue('spec.instanceOverrides', { 'cosmoshub-0': { externalAddress: '' } }));
    assert.equal(p2p(comet(node))['external_address'], '');
  });

  it('writes no external address for an instance without one', () => {
    assert.equal(p2p(comet(fullNode(), 'cosmoshub-1'))['external_address'], undefined);
    const node = fullNode();
    const table = parseToml(buildConfigOverlays(node, 'cosmoshub-0', peersOf(node, null))[CONFIG_OVERLAY_FILE]);
    assert.equal(p2p(table)['external_address'], undefined);
  });

  it('lets the comet overrides win over operator values and defaults', () => {
    const node = fullNode(
      withValue('spec.chain.config', {
        overrides: 'priv_validator_laddr = "tcp://x:1"\n[p2p]\npersistent_peers = "mine"\n[tx_index]\nindexer = "psql"',
      }),
    );
    const table = comet(node);
    assert.equal(table['priv_validator_laddr'], 'tcp://x:1');
    assert.equal(p2p(table)['persistent_peers'], 'mine');
    assert.equal(
      p2p(table)['persistent-peers'],
      `${ID.a}@cosmoshub-p2p-1.default.svc.cluster.local:26656,${ID.b}@cosmoshub-p2p-2.default.svc.cluster.local:26656`,
    );
    assert.equal((table['tx_index'] as TomlTable)['indexer'], 'psql');
  });

  it('fails with a permanent error naming spec.chain.config.overrides for bad comet TOML', () => {
    const node = fullNode(withValue('spec.chain.config', { overrides: '[p2p' }));
    assert.throws(
      () => buildConfigOverlays(node, 'cosmoshub-0', peersOf(node)),
      (error: unknown) =>
        isReconcileError(error) &&
        error.kind === 'permanent' &&
        error.field === 'spec.chain.config.overrides' &&
        error.object === 'default/cosmoshub' &&
        error.message.startsWith('invalid toml in comet overrides'),
    );
  });

  it('fails with a permanent error naming spec.chain.app.overrides for bad app TOML', () => {
    const node = fullNode(withValue('spec.chain.app', { minGasPrice: '1u', overrides: 'a = ' }));
    assert.throws(
      () => buildConfigOverlays(node, 'cosmoshub-0', peersOf(node)),
      (error: unknown) =>
        isReconcileError(error) && error.field === 'spec.chain.app.overrides' &&
        error.message.startsWith('invalid toml in app overrides'),
    );
  });

  it('gives the same text whatever order the override keys come in', () => {
    const a = fullNode(
      withValue('spec.chain.config', { overrides: '[mempool]\nsize = 1\nrecheck = false\n[consensus]\nx = 1' }),
    );
    const b = fullNode(
      withValue('spec.chain.config', { overrides: '[consensus]\nx = 1\n[mempool]\nrecheck = false\nsize = 1' }),
    );
    assert.equal(
      buildConfigOverlays(a, 'cosmoshub-0', peersOf(a))[CONFIG_OVERLAY_FILE],
      buildConfigOverlays(b, 'cosmoshub-0', peersOf(b))[CONFIG_OVERLAY_FILE],
    );
  });
});

describe('buildAppOverlay', () => {
  it('writes pruning numbers as strings and min-retain-blocks as an integer, defaulting to 0', () => {
    const table = app(
      fullNode(withValue('spec.chain.app', { minGasPrice: '1u', pruning: { strategy: 'everything' } })),
    );
    assert.equal(table['pruning'], 'everything');
    assert.equal(table['pruning-interval'], '0');
    assert.equal(table['pruning-keep-every'], '0');
    assert.equal(table['pruning-keep-recent'], '0');
    assert.equal(table['min-retain-blocks'], 0n);
  });

  it('writes no pruning keys without pruning', () => {
    assert.equal(app(fullNode())['pruning'], undefined);
  });

  it('writes spec.chain.app.haltHeight without versions', () => {
    assert.equal(
      app(fullNode(withValue('spec.chain.app', { minGasPrice: '1u', haltHeight: 1234 })))['halt-height'],
      1234n,
    );
    assert.equal(app(fullNode())['halt-height'], undefined);
  });

  it("always writes the versions' halt height when versions are set, 0 included, ignoring app.haltHeight", () => {
    const versions = withValue('spec.chain.versions', [
      { height: 0, image: 'v1' },
      { height: 100, image: 'v2', setHaltHeight: true },
    ]);
    const app1234 = withValue('spec.chain.app', { minGasPrice: '1u', haltHeight: 1234 });
    assert.equal(app(fullNode(versions, app1234))['halt-height'], 100n, 'no status height yet: 0 is below 100');
    const past = fullNode(
      versions,
      app1234,
      withValue('status', { observedGeneration: 1, phase: 'Complete', height: { 'cosmoshub-0': 100 } }),
    );
    assert.equal(app(past)['halt-height'], 0n);
    assert.equal(app(past, 'cosmoshub-1')['halt-height'], 100n, 'each instance by its own height');
  });

  it('lets the app overrides win over operator values and defaults', () => {
    const node = fullNode(
      withValue('spec.chain.app', {
        minGasPrice: '1u',
        apiEnableUnsafeCORS: true,
        overrides: '[api]\nenabled-unsafe-cors = false\nswagger = false',
      }),
    );
    const api = buildAppOverlay(node, 'cosmoshub-0')['api'] as TomlTable;
    assert.equal(api['enabled-unsafe-cors'], false);
    assert.equal(api['swagger'], false);
    assert.equal(api['enable'], true);
  });

  it('writes an empty minimum gas price when spec.chain.app is absent', () => {
    assert.equal(app(fullNode(withValue('spec.chain.app', undefined)))['minimum-gas-prices'], '');
  });
});

describe('haltHeightOf', () => {
  it('is undefined without versions or app.haltHeight', () => {
    assert.equal(haltHeightOf(fullNode(), 'cosmoshub-0'), undefined);
  });
});

describe('buildConfigMaps', () => {
  it('builds one ConfigMap per ordinal named after the pod, with the two overlays and no node key', () => {
    const node = fullNode(withValue('spec.ordinals', { start: 2 }), withValue('spec.replicas', 2));
    const maps = buildConfigMaps(node, []);
    assert.deepEqual(
      maps.map((m) => [m.object.metadata.name, m.object.metadata.namespace, m.ordinal, Object.keys(m.object.data)]),
      [
        ['cosmoshub-2', 'default', 0, [CONFIG_OVERLAY_FILE, APP_OVERLAY_FILE]],
        ['cosmoshub-3', 'default', 1, [CONFIG_OVERLAY_FILE, APP_OVERLAY_FILE]],
      ],
    );
  });

  it('labels each ConfigMap like its pod', () => {
    const [map] = buildConfigMaps(fullNode(withValue('metadata.labels', { team: 'infra' })), []);
    assert.deepEqual(map!.object.metadata.labels, {
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/name': 'cosmoshub',
      'app.kubernetes.io/version': 'v18.1.0',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'FullNode',
      'app.kubernetes.io/instance': 'cosmoshub-0',
      team: 'infra',
    });
    assert.equal(map!.object.kind, 'ConfigMap');
    assert.equal(map!.object.apiVersion, 'v1');
  });

  // docs/compatibility.md §13, item 3.
  it('changes the revision when a LoadBalancer address appears (which rolls the pod, §13.3)', () => {
    const node = fullNode();
    const before = buildConfigMaps(node, peersOf(node, null))[0]!.object;
    const after = buildConfigMaps(node, peersOf(node))[0]!.object;
    assert.notEqual(revisionOf(before), revisionOf(after));
    assert.equal(revisionOf(buildConfigMaps(node, peersOf(node))[0]!.object), revisionOf(after));
  });
});

describe('golden files', () => {
  it('are themselves sorted, as stringifyToml writes them', () => {
    for (
      const file of [
        'minimal-config-overlay.toml',
        'minimal-app-overlay.toml',
        'sentry-config-overlay.toml',
        'full-config-overlay.toml',
        'full-app-overlay.toml',
      ]
    ) {
      assert.equal(stringifyToml(parseToml(golden(file))), golden(file), file);
    }
  });
});
