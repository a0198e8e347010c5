// Prometheus metrics: request counts and latency by route, and the transparency log's size.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransparencyLog } from '../services/transparency-log.js';
import type { Api } from './types.js';
import { publicAccess } from './access.js';

export function installMetrics(app: Api, log: TransparencyLog): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'clearinghouse_' });
  const requests = new Counter({
    name: 'clearinghouse_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'clearinghouse_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'clearinghouse_log_size',
    help: 'Entries in the transparency log (integrated tree size)',
    registers: [registry],
    async collect() {
      this.set(await log.size());
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { config: { access: publicAccess }, schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
