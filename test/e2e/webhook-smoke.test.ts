// The admission webhooks seen through kubectl, against the real API server: a bad spec is
// refused at `kubectl apply` with one line per bad field; a good one is stored with defaults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newNamespace, type TestCluster, testCluster } from '../cluster/connect.ts';
import { startOperatorWithWebhooks, type WebhookOperator } from '../support/webhooks.ts';

const minimal = (ns: string, name: string, replicas: unknown) =>
  JSON.stringify({
    apiVersion: 'cosmos.strange.love/v1',
    kind: 'CosmosFullNode',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      chain: { chainID: 'cosmoshub-4', network: 'mainnet', binary: 'gaiad', config: { overrides: '[p2p\nbroken' } },
      podTemplate: { image: 'ghcr.io/strangelove-ventures/heighliner/gaia:v14.1.0' },
      volumeClaimTemplate: { storageClassName: 'cosmos-test', resources: { requests: { storage: '10Gi' } } },
    },
  });

describe('admission webhooks through kubectl', () => {
  let cluster: TestCluster;
  let ns: string;
  let operator: WebhookOperator;

  before(async () => {
    cluster = await testCluster();
    ns = await newNamespace('webhook-smoke');
    operator = await startOperatorWithWebhooks(cluster, ns);
  });
  after(async () => operator?.stop());

  it('refuses a spec with bad TOML overrides, naming the field and the parse error', async () => {
    const res = await cluster.kubectl(['apply', '-f', '-'], { input: minimal(ns, 'bad-toml', 1) });
    assert.equal(res.code, 1);
    assert.equal(
      res.stderr,
      'The CosmosFullNode "bad-toml" is invalid: spec.chain.config.overrides: Invalid value: "[p2p\\nbroken": must be valid TOML: illegal character in key at line 1, column 5\n',
    );
  });

  it('prints one line per bad field when several are wrong', async () => {
    const spec = JSON.parse(minimal(ns, 'two-bad', 1));
    spec.spec.strategy = { maxUnavailable: 'three' };
    const res = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(spec) });
    assert.equal(res.code, 1);
    const lines = res.stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'The CosmosFullNode "two-bad" is invalid: ');
    assert.deepEqual(lines.slice(1).map((l) => l.split(':')[0]).sort(), [
      '* spec.chain.config.overrides',
      '* spec.strategy.maxUnavailable',
    ]);
  });

  it('stores a good spec with the defaults filled in', async () => {
    const good = JSON.parse(minimal(ns, 'good', 1));
    delete good.spec.chain.config;
    const res = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(good) });
    assert.equal(res.code, 0, res.stderr);
    const stored = JSON.parse(
      (await cluster.kubectl(['get', 'cosmosfullnode', 'good', '-n', ns, '-o', 'json'])).stdout,
    );
    assert.equal(stored.spec.strategy.maxUnavailable, '25%');
    assert.equal(stored.spec.volumeRetentionPolicy, 'Delete');
    assert.equal(stored.spec.chain.homeDir, 'cosmos');
  });
});
