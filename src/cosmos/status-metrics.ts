// Metrics of the CometBFT status cache, on the Registry the caller passes (never prom-client's
// global one); created once per registry, as src/kube/metrics.ts does.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type StatusRequestResult = 'success' | 'http_error' | 'timeout' | 'network_error' | 'malformed' | 'aborted';

export type StatusCacheMetrics = {
  /** One per GET /status, by outcome. Pods without an IP are not requested, so not counted. */
  requests: Counter<'result'>;
  requestDuration: Histogram;
  /** onChange calls: `state` (reachability, sync or pod set changed) or `height` (throttled). */
  notifications: Counter<'reason'>;
  trackedFullNodes: Gauge;
};

const perRegistry = new WeakMap<Registry, StatusCacheMetrics>();

export function statusCacheMetrics(registry: Registry): StatusCacheMetrics {
  const existing = perRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: StatusCacheMetrics = {
    requests: new Counter({
      name: 'cosmos_operator_comet_status_requests_total',
      help: 'CometBFT /status requests made by the status cache, by result',
      labelNames: ['result'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'cosmos_operator_comet_status_request_duration_seconds',
      help: 'Time from sending a CometBFT /status request to its parsed answer or failure',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    notifications: new Counter({
      name: 'cosmos_operator_comet_status_notifications_total',
      help: 'CosmosFullNodes enqueued by the status cache, by reason',
      labelNames: ['reason'],
      registers,
    }),
    trackedFullNodes: new Gauge({
      name: 'cosmos_operator_comet_tracked_fullnodes',
      help: 'CosmosFullNodes whose pods the status cache polls',
      registers,
    }),
  };
  perRegistry.set(registry, m);
  return m;
}
