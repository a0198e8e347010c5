// Targets, claims and coverage over HTTP: overlapping claims of two organizations conflict (409 with
// when the target frees up), policy allows concurrency, leases expire by themselves, next picks by priority.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let labA: { orgId: string; token: string };
let labB: { orgId: string; token: string };
let maint: { orgId: string; token: string };
let operator: { orgId: string; token: string };
let auditor: { orgId: string; token: string };

beforeAll(async () => {
  app = await startTestApp();
  labA = await orgWithToken(app, { name: 'Lab A', kind: 'scanner' });
  labB = await orgWithToken(app, { name: 'Lab B', kind: 'scanner' });
  maint = await orgWithToken(app, { name: 'zlib maintainers', kind: 'maintainer' });
  operator = await orgWithToken(app, { name: 'Grid Co', kind: 'operator', assetClass: 'ci', sector: 'energy' });
  auditor = await orgWithToken(app, { name: 'IG', kind: 'auditor' });
});
afterAll(() => app?.close());

async function addTarget(body: Record<string, unknown>, token?: string) {
  const res = await call(app, 'POST', '/v1/targets', { body, ...(token ? { token } : {}) });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

describe(`targets (${engineName})`, () => {
  it('adds targets by purl and/or repository, refuses duplicates and bad identifiers with the field', async () => {
    const t = await addTarget({ purl: 'pkg:github/madler/zlib@1.3.1', repo: 'https://github.com/madler/zlib.git', criticality: 0.9 });
    expect(t).toMatchObject({ name: 'zlib', purl: 'pkg:github/madler/zlib@1.3.1', criticality: 0.9, maxConcurrentScanners: 1 });
    // the same package by another spelling
    const dupe = await call(app, 'POST', '/v1/targets', { body: { purl: 'pkg:github/madler/zlib' } });
    expect(dupe.status).toBe(409);
    expect(dupe.body.field).toBe('/purl');
    const dupeRepo = await call(app, 'POST', '/v1/targets', { body: { repo: 'git@GitHub.com:madler/zlib' } });
    expect(dupeRepo.status).toBe(409);
    for (const [body, field] of [
      [{ purl: 'not-a-purl' }, '/purl'],
      [{ repo: 'relative/path' }, '/repo'],
      [{ name: 'nothing' }, '/purl'],
      [{ purl: 'pkg:npm/x', criticality: 3 }, '/criticality'],
    ] as const) {
      const res = await call(app, 'POST', '/v1/targets', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });

  it('lets maintainers add their own projects only, and refuses scanners and operators', async () => {
    const own = await call(app, 'POST', '/v1/targets', { token: maint.token, body: { purl: 'pkg:npm/maintained-lib' } });
    expect(own.status, own.text).toBe(201);
    expect(own.body.maintainerOrgId).toBe(maint.orgId);
    const other = await call(app, 'POST', '/v1/targets', { token: maint.token, body: { purl: 'pkg:npm/other-lib', maintainerOrgId: labA.orgId } });
    expect(other.status).toBe(400);
    expect((await call(app, 'POST', '/v1/targets', { token: labA.token, body: { purl: 'pkg:npm/x1' } })).status).toBe(403);
    expect((await call(app, 'POST', '/v1/targets', { token: operator.token, body: { purl: 'pkg:npm/x2' } })).status).toBe(403);
    expect((await call(app, 'POST', '/v1/targets', { token: null, body: { purl: 'pkg:npm/x3' } })).status).toBe(401);
  });

  it('imports a JSON list or CSV all or nothing, naming the bad row', async () => {
    const before = (await call(app, 'GET', '/v1/targets?limit=500')).body.items.length;
    const bad = await call(app, 'POST', '/v1/targets/import', {
      body: [{ purl: 'pkg:pypi/requests', criticality: 0.8 }, { purl: 'pkg:pypi/urllib3' }, { purl: '::bad' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/targets/2/purl');
    expect((await call(app, 'GET', '/v1/targets?limit=500')).body.items.length).toBe(before);

    const csv = 'name,purl,repo,criticality\nrequests,pkg:pypi/requests,,0.8\nurllib3,pkg:pypi/urllib3,https://github.com/urllib3/urllib3,0.7\n';
    const ok = await call(app, 'POST', '/v1/targets/import', { raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ created: 2, updated: 0 });
    // importing again updates instead of failing
    const again = await call(app, 'POST', '/v1/targets/import', { body: { targets: [{ purl: 'pkg:pypi/Requests', criticality: 0.95 }] } });
    expect(again.body).toMatchObject({ created: 0, updated: 1 });
    expect(again.body.targets[0].criticality).toBe(0.95);
    const badCsv = await call(app, 'POST', '/v1/targets/import', { raw: 'name,purl\n"unterminated,pkg:npm/a\n', headers: { 'content-type': 'text/csv' } });
    expect(badCsv.status).toBe(400);
  });
});

describe(`claims (${engineName})`, () => {
  it('refuses another organization an overlapping claim with 409 and the instant it frees up; allows disjoint scopes', async () => {
    const t = await addTarget({ purl: 'pkg:generic/libpng', criticality: 0.7 });
    const a = await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id, scope: 'memory-safety', leaseHours: 10 } });
    expect(a.status, a.text).toBe(201);
    expect(a.body).toMatchObject({ scope: 'memory-safety', state: 'active' });
    const clash = await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id, scope: 'CWE-787' } });
    expect(clash.status).toBe(409);
    expect(clash.body.freeAt).toBe(a.body.expiresAt);
    expect(clash.body.detail).toContain(a.body.expiresAt);
    const all = await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id, scope: 'all' } });
    expect(all.status).toBe(409);
    const disjoint = await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id, scope: 'injection' } });
    expect(disjoint.status, disjoint.text).toBe(201);
    // the same organization may hold more than one claim
    expect((await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id, scope: ['CWE-416'] } })).status).toBe(201);
  });

  it('frees a target when a lease expires, and lets a finished release record coverage', async () => {
    const t = await addTarget({ purl: 'pkg:generic/openssl', criticality: 0.95 });
    const a = await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id, leaseHours: 1 } });
    expect((await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id } })).status).toBe(409);
    app.clock.advance(61 * 60_000);
    const b = await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id } });
    expect(b.status, b.text).toBe(201);
    // A cannot revive its expired lease while B holds the target
    expect((await call(app, 'POST', `/v1/claims/${a.body.id}/renew`, { token: labA.token, body: {} })).status).toBe(409);
    const renewed = await call(app, 'POST', `/v1/claims/${b.body.id}/renew`, { token: labB.token, body: { leaseHours: 5 } });
    expect(renewed.status).toBe(200);
    expect(renewed.body.renewals).toBe(1);
    const released = await call(app, 'POST', `/v1/claims/${b.body.id}/release`, {
      token: labB.token,
      body: { finished: true, scanner: { name: 'flawfinder', version: '2.0.19' }, model: { name: 'lab-b-model', version: '3' }, commit: 'abc123' },
    });
    expect(released.body).toMatchObject({ state: 'released', releaseReason: 'finished' });
    // released early: A can claim again at once
    expect((await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id } })).status).toBe(201);
    const cov = await call(app, 'GET', '/v1/coverage?limit=500');
    expect(cov.status).toBe(200);
    const row = cov.body.items.find((r: any) => r.target.id === t.id);
    expect(row.runs[0]).toMatchObject({ orgId: labB.orgId, scanner: { name: 'flawfinder', version: '2.0.19' }, model: { name: 'lab-b-model', version: '3' }, commit: 'abc123' });
    expect(row.target.lastScannedAt).not.toBeNull();
    // coverage is for coordinators and auditors
    expect((await call(app, 'GET', '/v1/coverage', { token: auditor.token })).status).toBe(200);
    expect((await call(app, 'GET', '/v1/coverage', { token: labA.token })).status).toBe(403);
  });

  it('allows N concurrent scanners when a coordinator sets that policy', async () => {
    const t = await addTarget({ purl: 'pkg:generic/sqlite', criticality: 0.6 });
    expect((await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id } })).status).toBe(201);
    expect((await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id } })).status).toBe(409);
    expect((await call(app, 'PUT', `/v1/targets/${t.id}/policy`, { token: labA.token, body: { maxConcurrentScanners: 2 } })).status).toBe(403);
    const policy = await call(app, 'PUT', `/v1/targets/${t.id}/policy`, { body: { maxConcurrentScanners: 2 } });
    expect(policy.body.maxConcurrentScanners).toBe(2);
    expect((await call(app, 'POST', '/v1/claims', { token: labB.token, body: { targetId: t.id } })).status).toBe(201);
  });

  it('keeps claims need-to-know: others\' claims are 404, non-scanners cannot claim', async () => {
    const t = await addTarget({ purl: 'pkg:generic/curl', criticality: 0.5 });
    const a = await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id, scope: 'crypto' } });
    expect((await call(app, 'GET', `/v1/claims/${a.body.id}`, { token: labB.token })).status).toBe(404);
    expect((await call(app, 'POST', `/v1/claims/${a.body.id}/renew`, { token: labB.token, body: {} })).status).toBe(404);
    expect((await call(app, 'POST', `/v1/claims/${a.body.id}/release`, { token: labB.token, body: {} })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/claims/${a.body.id}`, { token: labA.token })).status).toBe(200);
    expect((await call(app, 'POST', '/v1/claims', { token: operator.token, body: { targetId: t.id } })).status).toBe(403);
    expect((await call(app, 'POST', '/v1/claims', { token: null, body: { targetId: t.id } })).status).toBe(401);
    const mine = await call(app, 'GET', '/v1/claims?active=true', { token: labB.token });
    expect(mine.body.items.every((c: any) => c.orgId === labB.orgId)).toBe(true);
    const bad = await call(app, 'POST', '/v1/claims', { token: labA.token, body: { targetId: t.id, scope: 'telepathy' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/scope');
  });

  it('hands out the most critical, stalest free target with next, and never the same one to two organizations', async () => {
    // release everything first so only priority decides
    for (const who of [labA, labB]) {
      for (const c of (await call(app, 'GET', '/v1/claims?active=true&limit=500', { token: who.token })).body.items) {
        await call(app, 'POST', `/v1/claims/${c.id}/release`, { token: who.token, body: {} });
      }
    }
    const top = await addTarget({ purl: 'pkg:generic/kernel-thing', criticality: 1 });
    const first = await call(app, 'POST', '/v1/claims/next', { token: labA.token, body: { scope: 'all' } });
    expect(first.status, first.text).toBe(201);
    expect(first.body.target.id).toBe(top.id);
    const second = await call(app, 'POST', '/v1/claims/next', { token: labB.token, body: { scope: 'all' } });
    expect(second.status).toBe(201);
    expect(second.body.target.id).not.toBe(top.id);
    // concurrent next calls get distinct targets
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(app, 'POST', '/v1/claims/next', { token: i % 2 ? labA.token : labB.token, body: { leaseHours: 2 } })),
    );
    const claimed = results.filter((r) => r.status === 201).map((r) => r.body.target.id);
    const byOrg = new Map<string, string[]>();
    results.forEach((r, i) => r.status === 201 && byOrg.set(r.body.target.id, [...(byOrg.get(r.body.target.id) ?? []), i % 2 ? 'A' : 'B']));
    for (const orgs of byOrg.values()) expect(new Set(orgs).size).toBe(orgs.length);
    expect(claimed.length).toBeGreaterThan(0);
    // eventually nothing is free for A: 204
    let status = 201;
    for (let i = 0; i < 50 && status === 201; i++) status = (await call(app, 'POST', '/v1/claims/next', { token: labA.token, body: {} })).status;
    expect(status).toBe(204);
  });

  it('records every claim decision in the transparency log', async () => {
    const entries = await call(app, 'GET', '/v1/log/entries?start=0&end=1000', { token: null });
    const actions = new Set(entries.body.entries.map((e: any) => JSON.parse(Buffer.from(e.data, 'base64').toString()).action));
    for (const a of ['target.create', 'target.update', 'target.policy', 'claim.create', 'claim.renew', 'claim.finish', 'claim.release', 'scan.record']) {
      expect(actions, a).toContain(a);
    }
  });
});
