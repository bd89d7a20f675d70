// Whatever our webhook admits, the API server's CRD schema admits too: mutated objects from the
// shared arbitraries go through the webhook handlers in process (mutate, patch, validate, as the API
// server calls them); a sample of the admitted ones is then created with `--dry-run=server` through
// kubectl, with the webhooks registered, in a few List batches. Every item must pass. The seed is
// printed; set ADMISSION_SEED to replay a run, ADMISSION_GENERATED to generate more (a longer hunt).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { API_KINDS } from '../../src/api/kinds.ts';
import { createLogger } from '../../src/log/log.ts';
import { createWebhookApp } from '../../src/webhooks/routes.ts';
import { newNamespace, type TestCluster, testCluster } from '../cluster/connect.ts';
import { admit, anyMutatedObjectArb, type Json } from '../fixtures/admission-arbitraries.ts';
import { startOperatorWithWebhooks, type WebhookOperator } from '../support/webhooks.ts';

const GENERATED = Number(process.env['ADMISSION_GENERATED'] ?? 1_000);
/** Every admitted object is sent (about a fifth of those generated), at least this many. */
const MIN_SAMPLE = 100;
const BATCH = 60;

describe('the CRD schema admits what the webhook admits', () => {
  let cluster: TestCluster;
  let ns: string;
  let operator: WebhookOperator;

  before(async () => {
    cluster = await testCluster();
    ns = await newNamespace('admission-property');
    operator = await startOperatorWithWebhooks(cluster, ns);
  });
  after(async () => operator?.stop());

  it(`creates (server dry run) every one of ${GENERATED} generated objects our handlers admit`, async (t) => {
    const seed = process.env['ADMISSION_SEED'] !== undefined
      ? Number(process.env['ADMISSION_SEED'])
      : Date.now() % 2 ** 31;
    t.diagnostic?.(`seed ${seed} (ADMISSION_SEED=${seed} replays it)`);
    const app = createWebhookApp(API_KINDS, {
      registry: new Registry(),
      logger: createLogger({ level: 'error', write: () => {} }),
    });

    const admitted: { name: string; object: Json; kind: string }[] = [];
    const generated = fc.sample(anyMutatedObjectArb, { numRuns: GENERATED, seed });
    for (const [i, { kind, object }] of generated.entries()) {
      // Unique names (validation depends on the name: instance overrides, additional pods).
      const name = `gen-${i}`;
      const candidate = { ...object, metadata: { ...(object['metadata'] as Json), name, namespace: ns } };
      const { validate } = await admit(app, kind, candidate, { uid: name });
      if (validate.review.response.allowed) admitted.push({ name, object: candidate, kind: kind.kind });
    }
    const sample = admitted;
    t.diagnostic?.(
      `${generated.length} generated, ${admitted.length} admitted by the handlers, ${sample.length} sent to the API server`,
    );
    assert.ok(
      sample.length >= MIN_SAMPLE,
      `only ${admitted.length} of ${GENERATED} admitted: the generators need tuning`,
    );

    const refused: string[] = [];
    const created = new Set<string>();
    for (let start = 0; start < sample.length; start += BATCH) {
      const batch = sample.slice(start, start + BATCH);
      const list = { apiVersion: 'v1', kind: 'List', items: batch.map((b) => b.object) };
      // --validate=false: unknown fields a mutation left are pruned, as the API server does by
      // default, instead of refused by kubectl's strict decoding; the schema still checks the rest.
      const res = await cluster.kubectl(['create', '--dry-run=server', '--validate=false', '-f', '-'], {
        input: JSON.stringify(list),
        timeoutMs: 120_000,
      });
      for (const line of res.stdout.split('\n')) {
        const m = /^[a-z.]+\/(gen-\d+) created \(server dry run\)$/.exec(line);
        if (m !== null) created.add(m[1]!);
      }
      // Warnings (instance overrides naming no pod after the renaming, …) are fine; errors are not.
      const errors = res.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Warning: '));
      if (res.code !== 0 || errors.length > 0) refused.push(errors.join('\n'));
    }
    const missing = sample.filter((s) => !created.has(s.name));
    const detail = missing.map((s) => `${s.kind} ${s.name}: ${JSON.stringify(s.object['spec'])}`).join('\n');
    assert.deepEqual(refused, [], `the API server refused objects our webhook admits:\n${detail}`);
    assert.deepEqual(missing.map((s) => s.name), []);
    assert.equal(created.size, sample.length);
  });
});
