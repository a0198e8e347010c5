// OpenAPI 3.1 document, docs page, health and Prometheus metrics; and the rule that every route declares access.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../support/app.js';
import { engineName } from '../support/db.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe(`operations endpoints (${engineName})`, () => {
  it('serves a valid OpenAPI 3.1 document in which every operation states its access', async () => {
    const res = await call(app, 'GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const operations = Object.entries(res.body.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(10);
    for (const { path, method, op } of operations) {
      expect(op['x-clearinghouse-access'], `${method} ${path}`).toBeDefined();
      if (op['x-clearinghouse-access'] !== 'public') {
        expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
        expect(op.responses['401'], `${method} ${path}`).toBeDefined();
      }
    }
    expect(res.body.paths['/v1/orgs'].post['x-clearinghouse-access']).toEqual({ kinds: ['coordinator'], scope: 'admin' });
    expect(res.body.paths['/v1/log/checkpoint'].get['x-clearinghouse-access']).toBe('public');
  });

  it('serves the API docs page', async () => {
    const res = await call(app, 'GET', '/docs/', { token: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });

  it('reports health', async () => {
    const res = await call(app, 'GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', logSize: expect.any(Number) });
  });

  it('exposes request counts, latency histograms and the log size in Prometheus text format', async () => {
    await call(app, 'GET', '/v1/orgs');
    const res = await call(app, 'GET', '/metrics', { token: null });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/clearinghouse_http_requests_total\{method="GET",route="\/v1\/orgs",status="200"\} 1/);
    expect(res.text).toMatch(/clearinghouse_http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/v1\/orgs"\} \d+/);
    expect(res.text).toMatch(/clearinghouse_log_size \d+/);
  });

  it('refuses to register a route without an access rule', async () => {
    const { buildApi } = await import('../../src/api/server.js');
    const api = await buildApi(app.services);
    expect(() => api.get('/v1/undeclared', async () => 'x')).toThrow(/declares no access rule/);
    await api.close();
  });
});
