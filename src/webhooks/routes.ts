// The webhook HTTP surface: one validating and one defaulting path per kind, named as
// kubebuilder names them, instrumented with controller-runtime's webhook metrics
// (pkg/webhook/internal/metrics). Every decodable request gets HTTP 200 with an
// AdmissionReview, whatever the handlers do; undecodable ones get 400/413 with a reason.
import { type Context, Hono } from 'hono';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../log/log.ts';
import {
  type AdmissionRequest,
  type AdmissionReviewResponse,
  encodeAdmissionReview,
  encodeDecodeFailure,
  readAdmissionReview,
} from './admission-review.ts';
import { decideDefaulting, decideValidation, type Decision, type KindHandlers } from './admit.ts';
import { errored } from './responses.ts';

export type { KindHandlers } from './admit.ts';

export type WebhookType = 'validate' | 'mutate';

/** kubebuilder's path: `/<type>-<group with dots as dashes>-<version>-<kind lower case>`. */
export function webhookPath(type: WebhookType, gvk: { group: string; version: string; kind: string }): string {
  return `/${type}-${gvk.group.replaceAll('.', '-')}-${gvk.version}-${gvk.kind.toLowerCase()}`;
}

/** prometheus.ExponentialBuckets(10e-9, 10, 12): 1e-8 … 1e3 s, as controller-runtime's webhook latency. */
const LATENCY_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

type WebhookMetrics = {
  requests: Counter<'webhook' | 'code'>;
  latency: Histogram<'webhook'>;
  inFlight: Gauge<'webhook'>;
};

/** The same metric objects for one registry however many apps are built on it. */
function webhookMetrics(registry: Registry): WebhookMetrics {
  const existing = registry.getSingleMetric('controller_runtime_webhook_requests_total');
  if (existing !== undefined) {
    return {
      requests: existing as Counter<'webhook' | 'code'>,
      latency: registry.getSingleMetric('controller_runtime_webhook_latency_seconds') as Histogram<'webhook'>,
      inFlight: registry.getSingleMetric('controller_runtime_webhook_requests_in_flight') as Gauge<'webhook'>,
    };
  }
  return {
    requests: new Counter({
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight',
      help: 'Current number of admission requests being served.',
      labelNames: ['webhook'],
      registers: [registry],
    }),
  };
}

export type WebhookAppDeps = { registry: Registry; logger: Logger };

export function createWebhookApp(handlers: readonly KindHandlers[], deps: WebhookAppDeps): Hono {
  const app = new Hono();
  const metrics = webhookMetrics(deps.registry);
  const seen = new Set<string>();

  for (const kind of handlers) {
    for (const type of ['validate', 'mutate'] as const) {
      const path = webhookPath(type, kind);
      if (seen.has(path)) throw new Error(`two webhooks for ${path}`);
      seen.add(path);
      // Pre-initialise the likeliest codes, as controller-runtime does, so rate() works from the start.
      metrics.requests.inc({ webhook: path, code: '200' }, 0);
      metrics.requests.inc({ webhook: path, code: '500' }, 0);
      metrics.inFlight.set({ webhook: path }, 0);
      const decide = type === 'validate' ? decideValidation : decideDefaulting;
      const log = deps.logger.child({ webhook: path });
      // Label children bound once: no label hashing on the hot path.
      const latency = metrics.latency.labels({ webhook: path });
      const inFlight = metrics.inFlight.labels({ webhook: path });
      const ok = metrics.requests.labels({ webhook: path, code: '200' });

      app.post(path, async (c) => {
        const stopTimer = latency.startTimer();
        inFlight.inc();
        let status = 500;
        try {
          const [httpStatus, body] = await answer(c, kind, decide, log);
          status = httpStatus;
          return c.json(body, httpStatus);
        } finally {
          inFlight.dec();
          if (status === 200) ok.inc();
          else metrics.requests.inc({ webhook: path, code: String(status) });
          stopTimer();
        }
      });
      app.all(path, (c) => c.text(`${c.req.method} not allowed; POST an AdmissionReview\n`, 405, { allow: 'POST' }));
    }
  }

  // Last resort for a bug in this file: still a JSON AdmissionReview with a reason, never an empty 500.
  app.onError((error, c) => {
    deps.logger.error('webhook request failed', { path: c.req.path, error });
    return c.json(unanswerable(`internal error: ${error.message}`), 500);
  });
  return app;
}

async function answer(
  c: Context,
  kind: KindHandlers,
  decide: (kind: KindHandlers, request: AdmissionRequest) => Decision,
  log: Logger,
): Promise<[200 | 400 | 413, AdmissionReviewResponse]> {
  const decoded = await readAdmissionReview(c.req.raw);
  if (!decoded.ok) {
    log.warn('rejected a malformed admission request', { reason: decoded.failure.message });
    return [decoded.failure.httpStatus, encodeDecodeFailure(decoded.failure)];
  }
  const { request } = decoded.review;
  const decision = decide(kind, request);
  const fields = {
    uid: request.uid,
    operation: request.operation,
    namespace: request.namespace,
    name: request.name,
    dryRun: request.dryRun,
    outcome: decision.outcome,
  };
  if (decision.error !== undefined) {
    const error = decision.error;
    log.error('webhook handler threw', { ...fields, error, stack: error instanceof Error ? error.stack : undefined });
  } else {
    log.debug('admission request answered', fields);
  }
  return [200, encodeAdmissionReview(decoded.review, decision.response)];
}

function unanswerable(message: string): AdmissionReviewResponse {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: '', ...errored(500, message) },
  };
}
