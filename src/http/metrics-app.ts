// /metrics in the Prometheus text format from one registry per process, passed in (never
// prom-client's global), with the process_* collectors that dashboards built for
// controller-runtime query (process_cpu_seconds_total, process_resident_memory_bytes).
import { Hono } from 'hono';
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createMetricsApp(registry: Registry): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const body = await registry.metrics();
    return c.body(body, 200, { 'content-type': registry.contentType });
  });
  return app;
}
