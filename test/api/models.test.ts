// Voluntary frontier-model review over HTTP on both databases: registration with results typed in and read
// from an Inspect log, coverage under published criteria (earlier determinations kept), the 30-day bound, a
// partner's time-boxed grant with sealed instructions, an AI-system finding that becomes a vulnerability
// record, the developer's report — and no path anywhere that can block, delay or condition a release.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName } from '../support/db.js';
import { call, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
type Org = { orgId: string; token: string };
let lab: Org, partner: Org, otherPartner: Org, operator: Org;
const day = 86_400_000;
const secretInstructions = 'endpoint https://eval.lab.example/v1 token SECRET-GRANT-TOKEN-4c1d';
let modelId = '';
let reviewId = '';
let grantId = '';

async function org(body: Record<string, unknown>): Promise<Org> {
  const created = await call(app, 'POST', '/v1/orgs', { body });
  expect(created.status, created.text).toBe(201);
  const issued = await call(app, 'POST', '/v1/tokens', { body: { orgId: created.body.id, name: 'test', scopes: ['read', 'write'], expiresInDays: 365 } });
  return { orgId: created.body.id, token: issued.body.token };
}

const inAbout = (days: number) => new Date(app.clock.now().getTime() + days * day).toISOString();

beforeAll(async () => {
  app = await startTestApp();
  lab = await org({ name: 'Frontier Lab', kind: 'scanner' });
  partner = await org({ name: 'Government Reviewer', kind: 'partner' });
  otherPartner = await org({ name: 'Other Reviewer', kind: 'partner' });
  operator = await org({ name: 'Operator', kind: 'operator', assetClass: 'fceb' });
});
afterAll(() => app?.close());

describe(`frontier-model review (${engineName})`, () => {
  it('registers a model with its results, typed and read from an Inspect log', async () => {
    expect((await call(app, 'POST', '/v1/models', { token: partner.token, body: { name: 'x', version: '1', plannedReleaseAt: inAbout(20) } })).status).toBe(403);
    const bad = await call(app, 'POST', '/v1/models', { token: lab.token, body: { name: 'frontier-x', version: '1', plannedReleaseAt: '2027-01-01' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/plannedReleaseAt');
    const res = await call(app, 'POST', '/v1/models', {
      token: lab.token,
      body: { name: 'frontier-x', version: '2026-12', plannedReleaseAt: inAbout(20), trainingFlop: 3e26, modalities: ['text', 'code'], results: [{ benchmark: 'CVE-Bench', score: 0.31, evaluatedAt: '2026-11-01T00:00:00Z' }] },
    });
    expect(res.status, res.text).toBe(201);
    modelId = res.body.id;
    const dir = new URL('../fixtures/inspect/', import.meta.url);
    const logs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    expect(logs.length).toBeGreaterThan(0);
    const log = readFileSync(new URL(logs[0]!, dir));
    const imported = await call(app, 'POST', `/v1/models/${modelId}/results?filename=${logs[0]}`, { token: lab.token, raw: log, headers: { 'content-type': 'application/json' } });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.model.results.map((r: any) => r.source)).toContain('eval-json');
    const again = await call(app, 'POST', `/v1/models/${modelId}/results`, { token: lab.token, raw: log, headers: { 'content-type': 'application/json' } });
    expect(again.status).toBe(200);
    const broken = await call(app, 'POST', `/v1/models/${modelId}/results`, { token: lab.token, raw: '{"version": 2, "status": "success"}', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.body.field).toBeTruthy();
  });

  it('decides coverage under the criteria in force and keeps every determination as made', async () => {
    const first = await call(app, 'POST', `/v1/models/${modelId}/evaluate`, { token: lab.token });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ covered: true, rule: expect.stringMatching(/FLOP/) });
    const current = await call(app, 'GET', '/v1/criteria', { token: null });
    expect(current.status).toBe(200);
    const stricter = structuredClone(current.body);
    stricter.version = '2099.1';
    for (const tier of stricter.tiers) for (const rule of tier.rules) if (rule.kind === 'training-compute') rule.minFlop = rule.minFlop * 1000;
    for (const tier of stricter.tiers) tier.rules = tier.rules.filter((r: any) => r.kind === 'training-compute');
    expect((await call(app, 'POST', '/v1/criteria', { token: lab.token, body: stricter })).status).toBe(403);
    const pub = await call(app, 'POST', '/v1/criteria', { body: stricter });
    expect(pub.status, pub.text).toBe(201);
    const second = await call(app, 'POST', `/v1/models/${modelId}/evaluate`, { token: lab.token });
    expect(second.body).toMatchObject({ covered: false, criteriaVersion: '2099.1' });
    const m = await call(app, 'GET', `/v1/models/${modelId}`, { token: lab.token });
    expect(m.body.determinations.map((d: any) => [d.criteriaVersion, d.covered])).toEqual([
      [first.body.criteriaVersion, true],
      ['2099.1', false],
    ]);
    const conflicting = await call(app, 'POST', '/v1/criteria', { body: { ...stricter, description: 'changed' } });
    expect(conflicting.status).toBe(409);
  });

  it('takes a voluntary submission with a window of at most 30 days', async () => {
    const far = await call(app, 'POST', `/v1/models/${modelId}/submit`, { token: lab.token, body: { releaseAt: inAbout(40) } });
    expect(far.status).toBe(400);
    expect(far.body.field).toBe('/releaseAt');
    expect(far.body.detail).toMatch(/at most 30 days/);
    expect((await call(app, 'POST', `/v1/models/${modelId}/submit`, { token: partner.token, body: {} })).status).toBe(403);
    const sub = await call(app, 'POST', `/v1/models/${modelId}/submit`, { token: lab.token, body: {} });
    expect(sub.status, sub.text).toBe(201);
    expect(sub.body.window).toBe('open');
    reviewId = sub.body.id;
    expect((await call(app, 'POST', `/v1/models/${modelId}/submit`, { token: lab.token, body: {} })).status).toBe(409);
    const moved = await call(app, 'POST', `/v1/reviews/${reviewId}/release`, { token: lab.token, body: { releaseAt: inAbout(15) } });
    expect(moved.status, moved.text).toBe(200);
    expect(Date.parse(moved.body.windowEndsAt)).toBeCloseTo(Date.parse(inAbout(15)), -3);
  });

  it('grants a partner time-boxed access whose instructions only the grantee reads, each view logged', async () => {
    const notPartner = await call(app, 'POST', `/v1/reviews/${reviewId}/grants`, { token: lab.token, body: { partnerOrgId: operator.orgId, scopes: ['api-access'], instructions: 'x' } });
    expect(notPartner.status).toBe(400);
    expect(notPartner.body.field).toBe('/partnerOrgId');
    const g = await call(app, 'POST', `/v1/reviews/${reviewId}/grants`, { token: lab.token, body: { partnerOrgId: partner.orgId, scopes: ['api-access', 'eval-logs'], instructions: secretInstructions } });
    expect(g.status, g.text).toBe(201);
    grantId = g.body.grants[0].id;
    expect(g.body.grants[0]).toMatchObject({ active: true, endsAt: g.body.windowEndsAt });
    const before = (await app.services.log.checkpoint()).size;
    const a = await call(app, 'GET', `/v1/grants/${grantId}/access`, { token: partner.token });
    expect(a.status, a.text).toBe(200);
    expect(a.body.instructions).toBe(secretInstructions);
    expect((await app.services.log.checkpoint()).size).toBe(before + 1);
    expect((await call(app, 'GET', `/v1/grants/${grantId}/access`, { token: otherPartner.token })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/models/${modelId}`, { token: otherPartner.token })).status).toBe(404);
    const { rows } = await sql<{ t: string }>`SELECT review_grants::text AS t FROM review_grants`.execute(app.services.ctx.db);
    expect(rows.map((r) => r.t).join('\n')).not.toContain('SECRET-GRANT-TOKEN');
  });

  it('turns an AI-system vulnerability finding into a vulnerability record with the model as its product', async () => {
    const f = await call(app, 'POST', `/v1/reviews/${reviewId}/findings`, {
      token: partner.token,
      body: { kind: 'ai-system-vulnerability', severity: 'high', title: 'Tool-call injection escapes the sandbox', description: 'A crafted tool result makes the agent run shell commands outside its sandbox.', evidence: [{ filename: 'transcript.txt', mediaType: 'text/plain', contentBase64: Buffer.from('transcript').toString('base64') }] },
    });
    expect(f.status, f.text).toBe(201);
    expect(f.body.vulnId).toMatch(/^[0-9a-f-]{36}$/);
    const v = await call(app, 'GET', `/v1/vulns/${f.body.vulnId}`);
    expect(v.status, v.text).toBe(200);
    const t = await call(app, 'GET', `/v1/targets/${v.body.targetId ?? v.body.target?.id}`);
    expect(t.body).toMatchObject({ purl: expect.stringMatching(/^pkg:generic\/frontier-lab\/frontier-x/), maintainerOrgId: lab.orgId });
    // validated, it becomes a disclosure case whose maintainer is the developer and whose product is the model
    expect((await call(app, 'POST', `/v1/vulns/${f.body.vulnId}/attest`, { body: { rationale: 'reproduced against the staging endpoint', confidence: 0.9 } })).status).toBe(200);
    const opened = await call(app, 'POST', '/v1/cases', { body: { vulnerabilities: [f.body.vulnId], title: 'Sandbox escape in frontier-x tool use' } });
    expect(opened.status, opened.text).toBe(201);
    expect(opened.body.products).toEqual([expect.objectContaining({ purlKey: expect.stringMatching(/^pkg:generic\/frontier-lab\/frontier-x/), affectedVersions: ['2026-12'] })]);
    expect(opened.body.participants.map((p: any) => [p.orgName, p.role])).toEqual(expect.arrayContaining([['Frontier Lab', 'maintainer'], ['Government Reviewer', 'reporter']]));
    expect((await call(app, 'GET', `/v1/cases/${opened.body.id}`, { token: lab.token })).status).toBe(200);
    const cap = await call(app, 'POST', `/v1/reviews/${reviewId}/findings`, { token: partner.token, body: { kind: 'cyber-capability', severity: 'medium', title: 'Solves 40% of Cybench unaided', description: 'details' } });
    expect(cap.status).toBe(201);
    expect(cap.body.vulnId).toBeNull();
    // a partner without a grant does not learn the review exists
    expect((await call(app, 'POST', `/v1/reviews/${reviewId}/findings`, { token: otherPartner.token, body: { kind: 'safeguard-gap', severity: 'low', title: 'x', description: 'y' } })).status).toBe(404);
  });

  it('delivers one report to the developer, as JSON and readable text', async () => {
    const r = await call(app, 'GET', `/v1/reviews/${reviewId}/report`, { token: lab.token });
    expect(r.status, r.text).toBe(200);
    expect(r.body.findings.map((f: any) => f.kind)).toEqual(['ai-system-vulnerability', 'cyber-capability']);
    expect(r.body.note).toMatch(/approves nothing/);
    const txt = await call(app, 'GET', `/v1/reviews/${reviewId}/report?format=text`, { token: lab.token });
    expect(txt.text).toContain('Tool-call injection escapes the sandbox');
    expect((await call(app, 'GET', `/v1/reviews/${reviewId}/report`, { token: partner.token })).status).toBe(403);
  });

  it('closes the window at the release date whatever the state of the review; no path can block a release', async () => {
    app.clock.advance(16 * day);
    const r = await call(app, 'GET', `/v1/reviews/${reviewId}`, { token: lab.token });
    expect(r.body.window).toBe('closed');
    expect(r.body.grants[0].active).toBe(false);
    expect((await call(app, 'GET', `/v1/grants/${grantId}/access`, { token: partner.token })).status).toBe(410);
    expect((await call(app, 'POST', `/v1/reviews/${reviewId}/findings`, { token: partner.token, body: { kind: 'safeguard-gap', severity: 'low', title: 'late', description: 'late' } })).status).toBe(403);
    // nobody but the developer moves the release date or ends the submission: no one can delay a release
    const m3 = await call(app, 'POST', '/v1/models', { token: lab.token, body: { name: 'frontier-w', version: '1', plannedReleaseAt: inAbout(12) } });
    const s3 = await call(app, 'POST', `/v1/models/${m3.body.id}/submit`, { token: lab.token, body: {} });
    for (const token of [partner.token, app.adminToken]) {
      expect([403, 404]).toContain((await call(app, 'POST', `/v1/reviews/${s3.body.id}/release`, { token, body: { releaseAt: inAbout(25) } })).status);
      expect([403, 404]).toContain((await call(app, 'POST', `/v1/reviews/${s3.body.id}/withdraw`, { token, body: {} })).status);
    }
    expect((await call(app, 'GET', `/v1/models/${m3.body.id}`, { token: lab.token })).body.plannedReleaseAt).toBe(m3.body.plannedReleaseAt);
    // the API has no way to approve, deny, clear, hold or block a model, for anyone
    const spec = (await call(app, 'GET', '/openapi.json', { token: null })).body;
    const modelPaths = Object.keys(spec.paths).filter((p) => /models|reviews|grants|criteria/.test(p));
    expect(modelPaths.length).toBeGreaterThan(8);
    for (const p of modelPaths) expect(p).not.toMatch(/approv|deny|denial|clear|block|hold|gate|permit|licen/i);
    expect(JSON.stringify(modelPaths.map((p) => spec.paths[p]))).not.toMatch(/"(approved|denied|cleared|blocked|rejected)"/);
  });

  it('lets the developer withdraw at any time, which ends every grant; all of it is in the transparency log', async () => {
    const m2 = await call(app, 'POST', '/v1/models', { token: lab.token, body: { name: 'frontier-y', version: '1', plannedReleaseAt: inAbout(10), trainingFlop: 2e25 } });
    const sub = await call(app, 'POST', `/v1/models/${m2.body.id}/submit`, { token: lab.token, body: {} });
    const g = await call(app, 'POST', `/v1/reviews/${sub.body.id}/grants`, { token: lab.token, body: { partnerOrgId: partner.orgId, scopes: ['weights-access'], instructions: 'bucket s3://weights' } });
    const w = await call(app, 'POST', `/v1/reviews/${sub.body.id}/withdraw`, { token: lab.token, body: {} });
    expect(w.status, w.text).toBe(200);
    expect(w.body).toMatchObject({ window: 'withdrawn' });
    expect((await call(app, 'GET', `/v1/grants/${g.body.grants[0].id}/access`, { token: partner.token })).status).toBe(410);
    const { rows } = await sql<{ action: string }>`SELECT DISTINCT action FROM log_entries WHERE action LIKE 'model.%' OR action LIKE 'criteria.%'`.execute(app.services.ctx.db);
    expect(rows.map((r) => r.action).sort()).toEqual(
      expect.arrayContaining(['criteria.publish', 'model.evaluate', 'model.finding', 'model.grant', 'model.grant.view', 'model.register', 'model.release-moved', 'model.report.deliver', 'model.result.import', 'model.submit', 'model.withdraw']),
    );
  });
});
