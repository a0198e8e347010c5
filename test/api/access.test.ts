// Organizations, tokens and the denials that make access need-to-know: 401 without a valid token,
// 403 for the wrong kind or scope, 404 for another organization's objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciSectors, orgKinds } from '../../src/core/orgs.js';
import { hashToken } from '../../src/core/tokens.js';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let gridCo: { orgId: string; token: string; tokenId: string };
let hospital: { orgId: string; token: string; tokenId: string };
let scanner: { orgId: string; token: string; tokenId: string };
let auditor: { orgId: string; token: string; tokenId: string };

beforeAll(async () => {
  app = await startTestApp();
  gridCo = await orgWithToken(app, { name: 'Grid Co', kind: 'operator', assetClass: 'ci', sector: 'energy' });
  hospital = await orgWithToken(app, { name: 'County Hospital', kind: 'operator', assetClass: 'ci', sector: 'healthcare-and-public-health' });
  scanner = await orgWithToken(app, { name: 'Frontier Lab', kind: 'scanner' });
  auditor = await orgWithToken(app, { name: 'Inspector General', kind: 'auditor' });
});
afterAll(() => app?.close());

describe(`organizations (${engineName})`, () => {
  it('creates organizations of every kind, operators with an asset class and ci operators with a sector', async () => {
    for (const kind of orgKinds) {
      const body = kind === 'operator' ? { name: `Org ${kind}`, kind, assetClass: 'fceb' } : { name: `Org ${kind}`, kind };
      const res = await call(app, 'POST', '/v1/orgs', { body });
      expect(res.status, res.text).toBe(201);
      expect(res.body.kind).toBe(kind);
    }
    for (const sector of ciSectors.slice(0, 3)) {
      const res = await call(app, 'POST', '/v1/orgs', { body: { name: `Sector ${sector}`, kind: 'operator', assetClass: 'ci', sector } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ assetClass: 'ci', sector });
    }
  });

  it('names the field at fault and stores nothing when the input is wrong', async () => {
    const before = (await call(app, 'GET', '/v1/orgs?limit=500')).body.items.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'No Class', kind: 'operator' }, '/assetClass'],
      [{ name: 'No Sector', kind: 'operator', assetClass: 'ci' }, '/sector'],
      [{ name: 'Sector Without Ci', kind: 'operator', assetClass: 'nss', sector: 'energy' }, '/sector'],
      [{ name: 'Scanner With Class', kind: 'scanner', assetClass: 'nss' }, '/assetClass'],
      [{ name: 'Bad Kind', kind: 'vendor' }, '/kind'],
      [{ kind: 'scanner' }, '/name'],
      [{ name: 'Extra', kind: 'scanner', colour: 'blue' }, '/colour'],
      [{ name: 'Bad Sector', kind: 'operator', assetClass: 'ci', sector: 'space' }, '/sector'],
    ];
    for (const [body, field] of cases) {
      const res = await call(app, 'POST', '/v1/orgs', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, field });
      expect(res.body.detail).toEqual(expect.any(String));
    }
    const after = (await call(app, 'GET', '/v1/orgs?limit=500')).body.items.length;
    expect(after).toBe(before);
  });

  it('refuses a duplicate name with 409', async () => {
    const res = await call(app, 'POST', '/v1/orgs', { body: { name: 'grid co', kind: 'scanner' } });
    expect(res.status).toBe(409);
    expect(res.body.field).toBe('/name');
  });

  it('rejects a body that is not JSON, or too large, with problem+json', async () => {
    const bad = await call(app, 'POST', '/v1/orgs', { raw: '{"name": "x", ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('/problems/bad-request');
    const wrongType = await call(app, 'POST', '/v1/orgs', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrongType.status).toBe(415);
    const huge = await call(app, 'POST', '/v1/orgs', { raw: JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024), kind: 'scanner' }), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect(huge.body.type).toBe('/problems/payload-too-large');
  });

  it('shows coordinators and auditors every organization, and everyone else only their own', async () => {
    const all = await call(app, 'GET', '/v1/orgs?limit=500');
    expect(all.body.items.length).toBeGreaterThan(5);
    const audit = await call(app, 'GET', '/v1/orgs?limit=500', { token: auditor.token });
    expect(audit.body.items.length).toBe(all.body.items.length);
    const own = await call(app, 'GET', '/v1/orgs', { token: gridCo.token });
    expect(own.body.items.map((o: { id: string }) => o.id)).toEqual([gridCo.orgId]);
    expect((await call(app, 'GET', `/v1/orgs/${gridCo.orgId}`, { token: gridCo.token })).status).toBe(200);
    expect((await call(app, 'GET', `/v1/orgs/${gridCo.orgId}`, { token: auditor.token })).status).toBe(200);
  });

  it('paginates', async () => {
    const first = await call(app, 'GET', '/v1/orgs?limit=2&offset=0');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextOffset).toBe(2);
    const second = await call(app, 'GET', '/v1/orgs?limit=2&offset=2');
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect((await call(app, 'GET', '/v1/orgs?limit=0')).body.field).toBe('limit');
  });
});

describe(`denials (${engineName})`, () => {
  it('401 without a token, with a malformed, unknown, revoked or expired token', async () => {
    const none = await call(app, 'GET', '/v1/orgs', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await call(app, 'GET', '/v1/orgs', { headers: { authorization: 'Basic abc' }, token: null })).status).toBe(401);
    expect((await call(app, 'GET', '/v1/orgs', { token: 'chs_' + 'A'.repeat(43) })).status).toBe(401);
    expect((await call(app, 'GET', '/v1/orgs', { token: 'not-a-token' })).status).toBe(401);

    const t = await call(app, 'POST', '/v1/tokens', { body: { orgId: hospital.orgId, name: 'to revoke' } });
    expect((await call(app, 'GET', '/v1/whoami', { token: t.body.token })).status).toBe(200);
    expect((await call(app, 'POST', `/v1/tokens/${t.body.id}/revoke`, { body: {} })).status).toBe(200);
    const revoked = await call(app, 'GET', '/v1/whoami', { token: t.body.token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toMatch(/revoked/);

    const short = await call(app, 'POST', '/v1/tokens', { body: { orgId: hospital.orgId, name: 'short', expiresInDays: 1 } });
    app.clock.advance(2 * 86_400_000);
    const expired = await call(app, 'GET', '/v1/whoami', { token: short.body.token });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired/);
  });

  it('403 for the wrong kind of organization or a missing scope', async () => {
    const notCoordinator = await call(app, 'POST', '/v1/orgs', { token: scanner.token, body: { name: 'Rogue', kind: 'coordinator' } });
    expect(notCoordinator.status).toBe(403);
    expect((await call(app, 'POST', '/v1/orgs', { token: auditor.token, body: { name: 'Rogue 2', kind: 'scanner' } })).status).toBe(403);
    const readOnly = await call(app, 'POST', '/v1/tokens', { token: gridCo.token, body: { name: 'read only', scopes: ['read'] } });
    expect(readOnly.status).toBe(201);
    expect((await call(app, 'POST', '/v1/tokens', { token: readOnly.body.token, body: { name: 'escalate' } })).status).toBe(403);
    const writeOnly = await call(app, 'POST', '/v1/tokens', { token: gridCo.token, body: { name: 'rw', scopes: ['read', 'write'] } });
    const escalate = await call(app, 'POST', '/v1/tokens', { token: writeOnly.body.token, body: { name: 'escalate', scopes: ['admin'] } });
    expect(escalate.status).toBe(403);
  });

  it("404 for another organization's objects, so their existence does not leak", async () => {
    expect((await call(app, 'GET', `/v1/orgs/${hospital.orgId}`, { token: gridCo.token })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/orgs/00000000-0000-4000-8000-000000000000`, { token: gridCo.token })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/orgs/not-a-uuid`)).status).toBe(404);
    expect((await call(app, 'GET', `/v1/tokens?orgId=${hospital.orgId}`, { token: gridCo.token })).status).toBe(404);
    expect((await call(app, 'POST', '/v1/tokens', { token: gridCo.token, body: { orgId: hospital.orgId } })).status).toBe(404);
    expect((await call(app, 'POST', `/v1/tokens/${hospital.tokenId}/revoke`, { token: gridCo.token, body: {} })).status).toBe(404);
    // the hospital's token still works: the denied revoke changed nothing
    expect((await call(app, 'GET', '/v1/whoami', { token: hospital.token })).status).toBe(200);
    // an auditor sees tokens but may not revoke them
    expect((await call(app, 'GET', `/v1/tokens?orgId=${hospital.orgId}`, { token: auditor.token })).status).toBe(200);
    expect((await call(app, 'POST', `/v1/tokens/${hospital.tokenId}/revoke`, { token: auditor.token, body: {} })).status).toBe(403);
  });

  it('an unknown route is a 404 problem, not a leak of the route table', async () => {
    const res = await call(app, 'GET', '/v1/nothing-here', { token: null });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('/problems/not-found');
  });
});

describe(`tokens (${engineName})`, () => {
  it('shows the secret once and stores only its SHA-256', async () => {
    const issued = await call(app, 'POST', '/v1/tokens', { token: scanner.token, body: { name: 'ci agent', scopes: ['read', 'write'], expiresInDays: 30 } });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^chs_[A-Za-z0-9_-]{43}$/);
    expect(issued.body.token.startsWith(issued.body.prefix)).toBe(true);
    const listed = await call(app, 'GET', '/v1/tokens', { token: scanner.token });
    const mine = listed.body.items.find((t: { id: string }) => t.id === issued.body.id);
    expect(mine).toBeDefined();
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    const row = await app.services.store.db.selectFrom('api_tokens').selectAll().where('id', '=', issued.body.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(issued.body.token));
    const everything = JSON.stringify(await app.services.store.db.selectFrom('api_tokens').selectAll().execute());
    expect(everything).not.toContain(issued.body.token.slice(12));
  });

  it('limits lifetimes and validates expiry instants', async () => {
    expect((await call(app, 'POST', '/v1/tokens', { body: { expiresInDays: 1000 } })).body.field).toBe('/expiresInDays');
    expect((await call(app, 'POST', '/v1/tokens', { body: { expiresAt: '2030-01-01' } })).body.field).toBe('/expiresAt');
    expect((await call(app, 'POST', '/v1/tokens', { body: { scopes: ['root'] } })).body.field).toBe('/scopes/0');
  });

  it('revocation is idempotent and logged once', async () => {
    const t = await call(app, 'POST', '/v1/tokens', { body: { name: 'twice' } });
    const sizeBefore = await app.services.log.size();
    expect((await call(app, 'POST', `/v1/tokens/${t.body.id}/revoke`, { body: {} })).status).toBe(200);
    expect((await call(app, 'POST', `/v1/tokens/${t.body.id}/revoke`, { body: {} })).status).toBe(200);
    expect(await app.services.log.size()).toBe(sizeBefore + 1);
  });
});
