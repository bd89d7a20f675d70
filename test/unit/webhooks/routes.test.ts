import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { API_KINDS } from '../../../src/api/kinds.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createWebhookApp, type KindHandlers, webhookPath } from '../../../src/webhooks/routes.ts';
import { aFullNode, aReview, type ReviewOptions, stubFullNodeHandlers } from '../../fixtures/webhooks/admission.ts';

const VALIDATE = '/validate-cosmos-strange-love-v1-cosmosfullnode';
const MUTATE = '/mutate-cosmos-strange-love-v1-cosmosfullnode';

function setup(handlers: KindHandlers[] = [stubFullNodeHandlers()]) {
  const registry = new Registry();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { app: createWebhookApp(handlers, { registry, logger }), registry, lines };
}

function post(app: ReturnType<typeof setup>['app'], path: string, body: unknown, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return app.request(path, {
    method: 'POST',
    body: text,
    headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) },
  });
}

async function review(res: Response) {
  // deno-lint-ignore no-explicit-any
  return (await res.json()) as { apiVersion: string; kind: string; response: Record<string, any> };
}

async function sample(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
}

describe('webhookPath', () => {
  it('names paths as kubebuilder does', () => {
    const svs = { group: 'cosmos.strange.love', version: 'v1alpha1', kind: 'ScheduledVolumeSnapshot' };
    assert.equal(
      webhookPath('validate', { group: 'cosmos.strange.love', version: 'v1', kind: 'CosmosFullNode' }),
      VALIDATE,
    );
    assert.equal(webhookPath('mutate', svs), '/mutate-cosmos-strange-love-v1alpha1-scheduledvolumesnapshot');
    assert.equal(
      webhookPath('validate', { ...svs, kind: 'StatefulJob' }),
      '/validate-cosmos-strange-love-v1alpha1-statefuljob',
    );
  });
});

describe('createWebhookApp', () => {
  it('serves a validating and a mutating path for every kind', async () => {
    const kinds = ['CosmosFullNode', 'ScheduledVolumeSnapshot', 'StatefulJob'].map((kind, i) =>
      stubFullNodeHandlers({
        kind,
        version: i === 0 ? 'v1' : 'v1alpha1',
        validate: () => ({ causes: [], warnings: [] }),
        default: (o) => o,
      })
    );
    const { app } = setup(kinds);
    for (const kind of kinds) {
      for (const type of ['validate', 'mutate'] as const) {
        const body: ReviewOptions = { kind: { group: kind.group, version: kind.version, kind: kind.kind } };
        const res = await post(app, webhookPath(type, kind), aReview(body));
        assert.equal(res.status, 200, webhookPath(type, kind));
        assert.equal((await review(res)).response.allowed, true);
      }
    }
  });

  it('answers a valid object with 200 and allowed, echoing the uid', async () => {
    const { app } = setup();
    const res = await post(app, VALIDATE, aReview({ uid: 'uid-1', object: aFullNode({ replicas: 3 }) }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await review(res), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'uid-1', allowed: true },
    });
  });

  it('denies an invalid object with a 422 Invalid status in a 200 answer', async () => {
    const { app } = setup();
    const res = await post(app, VALIDATE, aReview({ object: aFullNode({ replicas: -1 }) }));
    assert.equal(res.status, 200);
    const { response } = await review(res);
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 422);
    assert.equal(response.status.reason, 'Invalid');
    assert.deepEqual(response.status.details.causes, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be >= 0' },
    ]);
  });

  it('answers the mutating path with a JSONPatch of the defaults', async () => {
    const { app } = setup();
    const { response } = await review(await post(app, MUTATE, aReview({ object: aFullNode({}) })));
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch, 'base64').toString()), [
      { op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'cosmosfullnode' } },
      { op: 'add', path: '/spec/replicas', value: 1 },
    ]);
  });

  it('answers a throwing handler with 200, allowed false and code 500, and logs the error', async () => {
    const { app, lines } = setup([
      stubFullNodeHandlers({
        validate: () => {
          throw new Error('validator bug');
        },
      }),
    ]);
    const res = await post(app, VALIDATE, aReview());
    assert.equal(res.status, 200);
    const { response } = await review(res);
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 500);
    assert.match(response.status.message, /validator bug/);
    const logged = lines.find((l) => l.level === 'error');
    assert.equal(logged?.msg, 'webhook handler threw');
    assert.equal(logged?.webhook, VALIDATE);
    assert.match(String(logged?.stack), /validator bug/);
  });

  it('rejects a body that is not JSON with 400 and the reason', async () => {
    const { app } = setup();
    const res = await post(app, VALIDATE, 'not json');
    assert.equal(res.status, 400);
    const { response } = await review(res);
    assert.equal(response.allowed, false);
    assert.match(response.status.message, /not JSON/);
  });

  it('answers an object nested thousands deep with 400, not a 500 from a blown stack (real handlers)', async () => {
    const { app } = setup([...API_KINDS]);
    // Written as text: JSON.stringify itself would overflow on it.
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const object = {
      ...aFullNode(),
      spec: { ...aFullNode().spec, podTemplate: { metadata: { annotations: 'DEEP' } } },
    };
    const body = JSON.stringify(aReview({ object })).replace('"DEEP"', deep);
    for (const path of [VALIDATE, MUTATE]) {
      const res = await post(app, path, body);
      assert.equal(res.status, 400, path);
      assert.match((await review(res)).response.status.message, /levels deep/);
    }
  });

  it('rejects a wrong content type with 400', async () => {
    const { app } = setup();
    const res = await post(app, VALIDATE, aReview(), 'application/yaml');
    assert.equal(res.status, 400);
    assert.match(
      (await review(res)).response.status.message,
      /contentType=application\/yaml, expected application\/json/,
    );
  });

  it('rejects a request without a uid with 400', async () => {
    const { app } = setup();
    const body = aReview();
    delete (body.request as { uid?: string }).uid;
    const res = await post(app, VALIDATE, body);
    assert.equal(res.status, 400);
    assert.match((await review(res)).response.status.message, /request\.uid/);
  });

  it('rejects a body over 7 MiB with 413', async () => {
    const { app } = setup();
    const res = await app.request(VALIDATE, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', 'content-length': String(8 * 1024 * 1024) },
    });
    assert.equal(res.status, 413);
  });

  it('answers GET on a webhook path with 405', async () => {
    const { app } = setup();
    const res = await app.request(VALIDATE);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  it('refuses to register two handlers for the same kind', () => {
    assert.throws(() => setup([stubFullNodeHandlers(), stubFullNodeHandlers()]), /two webhooks/);
  });
});

describe('webhook metrics', () => {
  it('pre-initialises request counts for codes 200 and 500 on every path', async () => {
    const { registry } = setup();
    for (const webhook of [VALIDATE, MUTATE]) {
      assert.equal(await sample(registry, 'controller_runtime_webhook_requests_total', { webhook, code: '200' }), 0);
      assert.equal(await sample(registry, 'controller_runtime_webhook_requests_total', { webhook, code: '500' }), 0);
      assert.equal(await sample(registry, 'controller_runtime_webhook_requests_in_flight', { webhook }), 0);
    }
  });

  it('counts requests by path and HTTP code', async () => {
    const { app, registry } = setup();
    await post(app, VALIDATE, aReview());
    await post(app, VALIDATE, aReview({ object: aFullNode({ replicas: -1 }) }));
    await post(app, VALIDATE, 'garbage');
    assert.equal(
      await sample(registry, 'controller_runtime_webhook_requests_total', { webhook: VALIDATE, code: '200' }),
      2,
    );
    assert.equal(
      await sample(registry, 'controller_runtime_webhook_requests_total', { webhook: VALIDATE, code: '400' }),
      1,
    );
    assert.equal(
      await sample(registry, 'controller_runtime_webhook_requests_total', { webhook: MUTATE, code: '200' }),
      0,
    );
    assert.equal(await sample(registry, 'controller_runtime_webhook_requests_in_flight', { webhook: VALIDATE }), 0);
  });

  it('observes latency in controller-runtime buckets, 1e-8 s to 1e3 s', async () => {
    const { app, registry } = setup();
    await post(app, MUTATE, aReview());
    const text = await registry.getSingleMetricAsString('controller_runtime_webhook_latency_seconds');
    assert.match(text, new RegExp(`controller_runtime_webhook_latency_seconds_count\\{webhook="${MUTATE}"\\} 1`));
    const bounds = [...text.matchAll(/le="([^"]+)",webhook="\/mutate[^"]*"/g)].map((m) => m[1]);
    assert.deepEqual(bounds, [
      '1e-8',
      '1e-7',
      '0.000001',
      '0.00001',
      '0.0001',
      '0.001',
      '0.01',
      '0.1',
      '1',
      '10',
      '100',
      '1000',
      '+Inf',
    ]);
  });

  it('shares one set of metrics between apps built on the same registry', () => {
    const registry = new Registry();
    const logger = createLogger({ write: () => {} });
    createWebhookApp([stubFullNodeHandlers()], { registry, logger });
    assert.doesNotThrow(() => createWebhookApp([stubFullNodeHandlers()], { registry, logger }));
  });
});
