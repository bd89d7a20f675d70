// Every manifest in examples/ through `kubectl apply` with the webhooks registered: it is admitted
// without a warning, and what the API server stores is the file's spec with exactly the defaults
// that `default<Kind>()` fills in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { API_KINDS } from '../../src/api/kinds.ts';
import { newNamespace, type TestCluster, testCluster } from '../cluster/connect.ts';
import { exampleObjects } from '../fixtures/api/objects.ts';
import { startOperatorWithWebhooks, type WebhookOperator } from '../support/webhooks.ts';

type Json = Record<string, unknown>;

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** Leaf values the API server adds from `default:` in the CRD schema (Kubernetes' own defaults). */
const CRD_SCHEMA_DEFAULTS: Record<string, string[]> = {
  'cosmosfullnode-full.yaml': ['spec.podTemplate.containers.0.ports.0.protocol="TCP"'],
};

/** Paths of `want` whose value `got` lacks or differs in (`missing`), and leaves only `got` has (`extra`). */
function compare(want: unknown, got: unknown, path: string, out = { missing: [] as string[], extra: [] as string[] }) {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(want) && isObj(got) && Array.isArray(want) === Array.isArray(got)) {
    for (const key of Object.keys(want)) {
      if (!(key in got)) out.missing.push(`${path}.${key}`);
      else compare(want[key], got[key], `${path}.${key}`, out);
    }
    for (const key of Object.keys(got)) {
      if (!(key in want)) out.extra.push(`${path}.${key}=${JSON.stringify(got[key])}`);
    }
  } else if (JSON.stringify(want) !== JSON.stringify(got)) {
    out.missing.push(`${path}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  return out;
}

describe('examples/ through kubectl apply', () => {
  let cluster: TestCluster;
  let ns: string;
  let operator: WebhookOperator;

  before(async () => {
    cluster = await testCluster();
    ns = await newNamespace('admission-examples');
    operator = await startOperatorWithWebhooks(cluster, ns);
  });
  after(async () => operator?.stop());

  const examples = exampleObjects();

  it('covers every file in examples/', () => {
    assert.deepEqual(
      [...new Set(examples.map((e) => e.file))],
      [
        'cosmosfullnode-full.yaml',
        'cosmosfullnode-minimal.yaml',
        'cosmosfullnode-sentry.yaml',
        'cosmosfullnode-versioned-upgrade.yaml',
        'scheduledvolumesnapshot.yaml',
        'statefuljob.yaml',
      ],
    );
  });

  for (const file of [...new Set(examples.map((e) => e.file))]) {
    it(`applies ${file} and stores it with the defaults filled in`, async () => {
      const res = await cluster.kubectl(['apply', '-n', ns, '-f', join(EXAMPLES, file)]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '', 'no warnings');

      for (const { object } of examples.filter((e) => e.file === file)) {
        const kind = API_KINDS.find((k) => k.kind === object['kind'])!;
        const name = (object['metadata'] as Json)['name'] as string;
        assert.equal(
          res.stdout.includes(`${kind.plural.replace(/s$/, '')}.${kind.group}/${name} created`),
          true,
          res.stdout,
        );

        const got = await cluster.kubectl(['get', `${kind.plural}.${kind.group}`, name, '-n', ns, '-o', 'json']);
        assert.equal(got.code, 0, got.stderr);
        const stored = JSON.parse(got.stdout) as Json;
        const expected = kind.default(structuredClone(object));
        // Every defaulted field present with that value; anything else the API server added is a
        // default of the CRD schema's embedded Kubernetes types (ports' protocol TCP).
        const { missing, extra } = compare(expected['spec'], stored['spec'], 'spec');
        assert.deepEqual(missing, [], 'fields of the defaulted object missing or different in the stored one');
        assert.deepEqual(extra, CRD_SCHEMA_DEFAULTS[file] ?? []);
        assert.deepEqual((stored['metadata'] as Json)['labels'], (object['metadata'] as Json)['labels']);
      }
    });
  }
});
