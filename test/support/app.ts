// A whole clearinghouse for a test file: database, services under a manual clock, and the HTTP API
// driven through Fastify's inject (the full request pipeline, without a socket).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { buildApi } from '../../src/api/server.js';
import type { Api } from '../../src/api/types.js';
import { generateSigner } from '../../src/formats/signed-note.js';
import { createServices, type Services } from '../../src/services/index.js';
import { openTestStore, type TestStore } from './db.js';

export interface TestApp {
  api: Api;
  services: Services;
  clock: ManualClock;
  testStore: TestStore;
  /** The first coordinator's admin token. */
  adminToken: string;
  close(): Promise<void>;
}

export async function startTestApp(options: { bodyLimit?: number; smtpUrl?: string; mailFrom?: string } = {}): Promise<TestApp> {
  const testStore = await openTestStore();
  const clock = new ManualClock(new Date());
  const workDir = await mkdtemp(join(tmpdir(), 'clearinghouse-test-work-'));
  const services = await createServices({ store: testStore.store, signer: generateSigner('clearinghouse.test/log'), clock, warn: () => undefined, workDir, smtpUrl: options.smtpUrl ?? null, mailFrom: options.mailFrom ?? null });
  const first = await services.bootstrap();
  if (!first) throw new Error('bootstrap created no token on a fresh database');
  const api = await buildApi(services, options.bodyLimit ? { bodyLimit: options.bodyLimit } : {});
  await api.ready();
  return {
    api,
    services,
    clock,
    testStore,
    adminToken: first.token,
    close: async () => {
      await api.close();
      await testStore.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
  text: string;
}

/** Sends one request; `token` null means none. */
export async function call<T = any>(app: TestApp, method: string, url: string, opts: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string | Buffer } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? app.adminToken : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await app.api.inject({
    method: method as 'GET',
    url,
    headers,
    ...(opts.raw !== undefined ? { payload: opts.raw } : opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, body: (type.includes("json") ? res.json() : res.body) as T, headers: res.headers, text: res.body };
}

/** Creates an organization and an admin token for it; returns both. */
export async function orgWithToken(app: TestApp, org: Record<string, unknown>, scopes = ['read', 'write', 'admin']): Promise<{ orgId: string; token: string; tokenId: string }> {
  const created = await call(app, 'POST', '/v1/orgs', { body: org });
  if (created.status !== 201) throw new Error(`creating org failed: ${created.text}`);
  const issued = await call(app, 'POST', '/v1/tokens', { body: { orgId: created.body.id, name: 'test', scopes } });
  if (issued.status !== 201) throw new Error(`issuing token failed: ${issued.text}`);
  return { orgId: created.body.id, token: issued.body.token, tokenId: issued.body.id };
}
