// Generated and mutated objects of the three kinds, sent as AdmissionReview bodies through the real
// webhook app (createWebhookApp with API_KINDS) on both paths: the webhook never throws, never
// answers 5xx, always echoes the uid, names a field in every denial, and its defaulting is
// idempotent (the patched object, sent again, needs no patch). Pure: no cluster, no sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { API_KINDS, type ApiKind } from '../../../src/api/kinds.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createWebhookApp } from '../../../src/webhooks/routes.ts';
import {
  admissionReview,
  applyJsonPatch,
  mutate,
  mutatedObjectArb,
  mutationArb,
  patchOf,
  postReview,
  type ReviewAnswer,
} from '../../fixtures/admission-arbitraries.ts';
import '../../fixtures/property-seed.ts';

/** Runs per kind: 10,000 objects in all, each sent four times (two CREATE or UPDATE paths, then the re-sent patch). */
const RUNS: Record<string, number> = { CosmosFullNode: 5_000, ScheduledVolumeSnapshot: 2_500, StatefulJob: 2_500 };

function setup() {
  const errors: string[] = [];
  const logger = createLogger({
    level: 'warn',
    write: (line) => {
      const record = JSON.parse(line) as { level: string };
      if (record.level === 'error') errors.push(line);
    },
  });
  return { app: createWebhookApp(API_KINDS, { registry: new Registry(), logger }), errors };
}

function assertAnswered(answer: ReviewAnswer, uid: string): void {
  assert.equal(answer.httpStatus, 200, JSON.stringify(answer.review));
  assert.equal(answer.review.apiVersion, 'admission.k8s.io/v1');
  assert.equal(answer.review.kind, 'AdmissionReview');
  assert.equal(answer.review.response.uid, uid);
  assert.equal(typeof answer.review.response.allowed, 'boolean');
}

function assertValidationAnswer(answer: ReviewAnswer, uid: string): void {
  assertAnswered(answer, uid);
  const { response } = answer.review;
  if (response.allowed) {
    assert.equal(response.status, undefined);
    return;
  }
  assert.equal(response.status?.code, 422, `a denial is 422 Invalid, not an error: ${JSON.stringify(response.status)}`);
  assert.equal(response.status?.reason, 'Invalid');
  const causes = response.status?.details?.causes ?? [];
  assert.ok(causes.length >= 1, 'a denial has at least one cause');
  for (const cause of causes) {
    assert.equal(typeof cause.field, 'string');
    assert.ok(cause.field.length > 0, `cause without a field: ${JSON.stringify(cause)}`);
    assert.ok(cause.message.length > 0, `cause without a message: ${JSON.stringify(cause)}`);
  }
}

describe('webhook handlers on generated objects', () => {
  for (const kind of API_KINDS) {
    it(`${kind.kind}: ${RUNS[kind.kind]} mutated objects never crash the webhook, every denial names a field, defaulting is idempotent`, async (t) => {
      const { app, errors } = setup();
      let denied = 0;
      let patched = 0;
      let runs = 0;
      // On UPDATE the stored object is the defaulted base, or a mutated one (exercising ratcheting).
      const oldMutations = fc.array(mutationArb, { maxLength: 2 });
      await fc.assert(
        fc.asyncProperty(
          mutatedObjectArb(kind),
          fc.boolean(),
          oldMutations,
          fc.uuid(),
          async ({ base, object }, asUpdate, storedMutations, uid) => {
            runs++;
            const operation = asUpdate ? 'UPDATE' : 'CREATE';
            const oldObject = asUpdate ? kind.default(mutate(base, storedMutations)) : undefined;

            const validated = await postReview(
              app,
              'validate',
              kind,
              admissionReview(kind, `${uid}-v`, operation, object, oldObject),
            );
            assertValidationAnswer(validated, `${uid}-v`);
            if (!validated.review.response.allowed) denied++;

            const mutated = await postReview(
              app,
              'mutate',
              kind,
              admissionReview(kind, `${uid}-m`, operation, object, oldObject),
            );
            assertAnswered(mutated, `${uid}-m`);
            assert.equal(
              mutated.review.response.allowed,
              true,
              `defaulting never refuses: ${JSON.stringify(mutated.review.response.status)}`,
            );
            const ops = patchOf(mutated);
            if (ops.length > 0) {
              patched++;
              assert.equal(mutated.review.response.patchType, 'JSONPatch');
            }
            const defaulted = applyJsonPatch(object, ops);
            assert.deepEqual(defaulted, kind.default(object), 'the patch turns the object into default(object)');

            const again = await postReview(
              app,
              'mutate',
              kind,
              admissionReview(kind, `${uid}-m2`, operation, defaulted, oldObject),
            );
            assertAnswered(again, `${uid}-m2`);
            assert.deepEqual(patchOf(again), [], 'defaulting a defaulted object changes nothing');

            // What the API server validates: the defaulted object.
            assertValidationAnswer(
              await postReview(
                app,
                'validate',
                kind,
                admissionReview(kind, `${uid}-v2`, operation, defaulted, oldObject),
              ),
              `${uid}-v2`,
            );
          },
        ),
        { numRuns: RUNS[kind.kind]! },
      );
      assert.deepEqual(errors, [], 'nothing logged at error level');
      assert.equal(runs >= RUNS[kind.kind]!, true);
      // The generators must exercise both outcomes, or the properties say little.
      assert.ok(denied > runs * 0.2 && denied < runs * 0.95, `denied ${denied} of ${runs}`);
      assert.ok(patched > runs * 0.5, `patched ${patched} of ${runs}`);
      t.diagnostic?.(`${runs} objects: ${denied} denied, ${patched} patched`);
    });
  }

  it('a spec replaced by any JSON value is answered, never with 5xx', async () => {
    const { app, errors } = setup();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...API_KINDS), fc.jsonValue({ maxDepth: 4 }), async (kind: ApiKind, spec) => {
        const object = {
          apiVersion: `${kind.group}/${kind.version}`,
          kind: kind.kind,
          metadata: { name: 'x', namespace: 'default' },
          spec,
        };
        assertValidationAnswer(
          await postReview(app, 'validate', kind, admissionReview(kind, 'uid-any', 'CREATE', object)),
          'uid-any',
        );
        const mutated = await postReview(app, 'mutate', kind, admissionReview(kind, 'uid-any-m', 'CREATE', object));
        assertAnswered(mutated, 'uid-any-m');
        const defaulted = applyJsonPatch(object, patchOf(mutated));
        assert.deepEqual(
          patchOf(await postReview(app, 'mutate', kind, admissionReview(kind, 'uid-any-m2', 'CREATE', defaulted))),
          [],
        );
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(errors, []);
  });
});
