// Disclosure cases over HTTP on both databases: a case opened over a validated record reaches its maintainer
// through the intake budget, its operators in waves (federal first) and the public at the deadline; an
// unaffected operator never sees it; every read of detail is logged; holds need a rationale and an exact
// review instant; the embargoed detail is stored sealed only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCsaf } from '../../src/formats/publication/csaf-validate.js';
import { verifyDetached } from '../../src/formats/publication/openpgp.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { engineName } from '../support/db.js';
import { call, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
type Org = { orgId: string; token: string };
let maint: Org, lab: Org, fed: Org, util: Org, bystander: Org, auditor: Org;
const secret = 'SECRET-DETAIL-7f3a: the length field of the chunk header is trusted';
const pocText = 'POC-BYTES-91be';
let caseId = '';

const day = 86_400_000;

/** An organization with a token that outlives the months this test moves the clock through. */
async function orgWithToken(_app: TestApp, org: Record<string, unknown>): Promise<Org> {
  const created = await call(app, 'POST', '/v1/orgs', { body: org });
  expect(created.status, created.text).toBe(201);
  const issued = await call(app, 'POST', '/v1/tokens', { body: { orgId: created.body.id, name: 'test', scopes: ['read', 'write', 'admin'], expiresInDays: 365 } });
  expect(issued.status, issued.text).toBe(201);
  return { orgId: created.body.id, token: issued.body.token };
}

async function validatedRecord(name: string, version: string, title: string): Promise<string> {
  const res = await call(app, 'POST', '/v1/findings', {
    token: lab.token,
    body: {
      clearinghouseFinding: '1.0',
      title,
      description: `${secret} (${title})`,
      target: { purl: `pkg:npm/${name}` },
      version,
      location: { path: 'lib/chunk.js', startLine: 88, function: 'readChunk' },
      cwe: 'CWE-787',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      proofOfConcept: { filename: 'poc.bin', mediaType: 'application/octet-stream', contentBase64: Buffer.from(pocText).toString('base64') },
      scanner: { name: 'lab-agent', version: '1.0' },
    },
  });
  expect(res.status, res.text).toBe(201);
  const vuln = (await call(app, 'GET', `/v1/findings?documentId=${res.body.document.id}`, { token: lab.token })).body.items[0].vulnId;
  const att = await call(app, 'POST', `/v1/vulns/${vuln}/attest`, { body: { rationale: 'read the code; the overflow is real', confidence: 0.9 } });
  expect(att.status, att.text).toBe(200);
  return vuln;
}

async function sbom(op: Org, asset: string, name: string, version: string) {
  const a = await call(app, 'POST', '/v1/assets', { token: op.token, body: { name: asset } });
  expect(a.status, a.text).toBe(201);
  const doc = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name, version, purl: `pkg:npm/${name}@${version}` }] };
  const up = await call(app, 'PUT', `/v1/assets/${a.body.id}/sbom`, { token: op.token, raw: JSON.stringify(doc), headers: { 'content-type': 'application/json' } });
  expect(up.status, up.text).toBe(201);
}

beforeAll(async () => {
  app = await startTestApp();
  maint = await orgWithToken(app, { name: 'chunky maintainers', kind: 'maintainer' });
  lab = await orgWithToken(app, { name: 'Lab', kind: 'scanner' });
  fed = await orgWithToken(app, { name: 'Agency', kind: 'operator', assetClass: 'fceb' });
  util = await orgWithToken(app, { name: 'Utility', kind: 'operator', assetClass: 'ci', sector: 'energy' });
  bystander = await orgWithToken(app, { name: 'Bystander', kind: 'operator', assetClass: 'sltt' });
  auditor = await orgWithToken(app, { name: 'Auditor', kind: 'auditor' });
  for (const name of ['chunky-ch', 'other-ch', 'third-ch']) {
    const t = await call(app, 'POST', '/v1/targets', { body: { purl: `pkg:npm/${name}`, maintainerOrgId: maint.orgId, criticality: 0.8 } });
    expect(t.status, t.text).toBe(201);
  }
  await sbom(fed, 'benefits', 'chunky-ch', '2.1.0');
  await sbom(util, 'historian', 'chunky-ch', '2.1.0');
  await sbom(bystander, 'records', 'chunky-ch', '3.0.0');
  // every organization listens by webhook: only participants, in their wave, may ever be sent anything
  for (const org of [maint, fed, util, bystander]) {
    const w = await call(app, 'POST', '/v1/webhooks', { token: org.token, body: { url: 'http://127.0.0.1:9/hook' } });
    expect(w.status, w.text).toBe(201);
  }
  const pool = await call(app, 'POST', '/v1/cve-ids', { body: { ids: ['CVE-2026-90001', 'CVE-2026-90002', 'CVE-2026-90003'] } });
  expect(pool.body).toMatchObject({ added: 3, free: 3 });
});
afterAll(() => app?.close());

describe(`disclosure cases (${engineName})`, () => {
  it('opens a case over a validated record: reporters, the maintainer and the exposed operators by wave', async () => {
    const vuln = await validatedRecord('chunky-ch', '2.1.0', 'Heap overflow in readChunk');
    const unvalidated = await call(app, 'POST', '/v1/findings', {
      token: lab.token,
      body: { clearinghouseFinding: '1.0', title: 'Something else', description: 'x', target: { purl: 'pkg:npm/other-ch' }, version: '1.0.0', cwe: 'CWE-20', scanner: { name: 'lab-agent', version: '1.0' } },
    });
    const other = (await call(app, 'GET', `/v1/findings?documentId=${unvalidated.body.document.id}`, { token: lab.token })).body.items[0].vulnId;
    const refused = await call(app, 'POST', '/v1/cases', { body: { vulnerabilities: [other], title: 'x' } });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('/vulnerabilities/0');
    expect((await call(app, 'POST', '/v1/cases', { token: maint.token, body: { vulnerabilities: [vuln], title: 'x' } })).status).toBe(403);

    const opened = await call(app, 'POST', '/v1/cases', { body: { vulnerabilities: [vuln], title: 'Memory corruption in chunky-ch' } });
    expect(opened.status, opened.text).toBe(201);
    caseId = opened.body.id;
    const c = opened.body;
    expect(c).toMatchObject({ displayId: expect.stringMatching(/^CHC-\d{4}-1$/), state: 'maintainer-notified', tlp: 'AMBER', wave: { current: 1 } });
    expect(c.deadline.publishAt).toBe(new Date(Date.parse(c.maintainerNotifiedAt) + 90 * day).toISOString());
    const roles = c.participants.map((p: any) => [p.orgName, p.role, p.wave, p.notifiedAt !== null]);
    expect(roles).toEqual(
      expect.arrayContaining([
        ['Lab', 'reporter', 0, true],
        ['chunky maintainers', 'maintainer', 1, true],
        ['Agency', 'operator', 2, false],
        ['Utility', 'operator', 3, false],
      ]),
    );
    expect(roles.map((r: any) => r[0])).not.toContain('Bystander');
    expect(c.products).toEqual([expect.objectContaining({ purlKey: 'pkg:npm/chunky-ch', affectedVersions: ['2.1.0'], status: 'known_affected' })]);
    // opening a second case over the same record is refused
    expect((await call(app, 'POST', '/v1/cases', { body: { vulnerabilities: [vuln], title: 'again' } })).status).toBe(409);
  });

  it('shows the detail only to those with need-to-know, logs every read, and hides the case from the rest', async () => {
    const logBefore = (await app.services.log.checkpoint()).size;
    const m = await call(app, 'GET', `/v1/cases/${caseId}`, { token: maint.token });
    expect(m.status, m.text).toBe(200);
    expect(m.body.detail.description).toContain(secret);
    expect(m.body.detail.proofsOfConcept[0].contentBase64).toBe(Buffer.from(pocText).toString('base64'));
    expect((await app.services.log.checkpoint()).size).toBe(logBefore + 1);
    const entries = await sql<{ action: string }>`SELECT action FROM log_entries ORDER BY idx DESC LIMIT 1`.execute(app.services.ctx.db);
    expect(entries.rows[0]!.action).toBe('case.detail.read');
    // operators whose wave has not come, and unaffected ones, do not know the case exists
    for (const op of [fed, util, bystander]) {
      expect((await call(app, 'GET', `/v1/cases/${caseId}`, { token: op.token })).status).toBe(404);
      expect((await call(app, 'GET', '/v1/cases', { token: op.token })).body.items).toEqual([]);
    }
    const a = await call(app, 'GET', `/v1/cases/${caseId}`, { token: auditor.token });
    expect(a.status).toBe(200);
    expect(a.body.detail).toBeUndefined();
    expect(JSON.stringify(a.body)).not.toContain('SECRET-DETAIL');
  });

  it('keeps a thread with TLP labels and per-product VEX statements', async () => {
    const post = await call(app, 'POST', `/v1/cases/${caseId}/messages`, { token: maint.token, body: { body: 'Confirmed; patch in review.' } });
    expect(post.status, post.text).toBe(201);
    expect(post.body.tlp).toBe('AMBER');
    const red = await call(app, 'POST', `/v1/cases/${caseId}/messages`, { token: maint.token, body: { body: 'internal: the fix also touches the parser', tlp: 'TLP:RED' } });
    expect(red.status).toBe(201);
    const loose = await call(app, 'POST', `/v1/cases/${caseId}/messages`, { token: maint.token, body: { body: 'x', tlp: 'CLEAR' } });
    expect(loose.status).toBe(400);
    expect(loose.body.field).toBe('/tlp');
    const seenByLab = await call(app, 'GET', `/v1/cases/${caseId}/messages`, { token: lab.token });
    expect(seenByLab.body.items.map((m: any) => m.body)).toEqual(['Confirmed; patch in review.']);
    const seenByCoord = await call(app, 'GET', `/v1/cases/${caseId}/messages`);
    expect(seenByCoord.body.items).toHaveLength(2);
    expect((await call(app, 'POST', `/v1/cases/${caseId}/messages`, { token: bystander.token, body: { body: 'hi' } })).status).toBe(404);

    const st = await call(app, 'PUT', `/v1/cases/${caseId}/statements`, { token: maint.token, body: { purlKey: 'pkg:npm/chunky-ch', status: 'under_investigation' } });
    expect(st.status, st.text).toBe(200);
    expect(st.body.products[0].status).toBe('under_investigation');
    const noJust = await call(app, 'PUT', `/v1/cases/${caseId}/statements`, { token: maint.token, body: { purlKey: 'pkg:npm/chunky-ch', status: 'known_not_affected' } });
    expect(noJust.status).toBe(400);
    expect(noJust.body.field).toBe('/justification');
    expect((await call(app, 'PUT', `/v1/cases/${caseId}/statements`, { token: lab.token, body: { purlKey: 'pkg:npm/chunky-ch', status: 'fixed' } })).status).toBe(403);
  });

  it('notifies federal operators when a fix is available, sltt and ci operators after the gap, and adds the fix grace to the deadline', async () => {
    const fix = await call(app, 'POST', `/v1/cases/${caseId}/fix`, { token: maint.token, body: { state: 'fix-available', fixedVersions: ['2.1.1'] } });
    expect(fix.status, fix.text).toBe(200);
    expect(fix.body).toMatchObject({ state: 'fix-available', fixedVersions: ['2.1.1'], wave: { current: 2 } });
    expect(fix.body.deadline.publishAt).toBe(new Date(Date.parse(fix.body.maintainerNotifiedAt) + 120 * day).toISOString());
    const f = await call(app, 'GET', `/v1/cases/${caseId}`, { token: fed.token });
    expect(f.status).toBe(200);
    // an operator gets the description, not the proof of concept or the code
    expect(Object.keys(f.body.detail)).toEqual(['description']);
    expect(f.body.participants.filter((p: any) => p.role === 'operator').map((p: any) => p.orgName)).toEqual(['Agency']);
    expect((await call(app, 'GET', `/v1/cases/${caseId}`, { token: util.token })).status).toBe(404);
    // an operator whose SBOM arrives after the federal wave joins the case and hears of it at once
    const late = await orgWithToken(app, { name: 'Late Agency', kind: 'operator', assetClass: 'nss' });
    await sbom(late, 'late-system', 'chunky-ch', '2.1.0');
    expect((await call(app, 'GET', `/v1/cases/${caseId}`, { token: late.token })).status).toBe(404);
    app.clock.advance(25 * 3_600_000);
    const tick = await app.services.cases.tick();
    expect(tick.waves).toBe(1);
    expect(tick.joined).toBe(1);
    const lateView = await call(app, 'GET', `/v1/cases/${caseId}`, { token: late.token });
    expect(lateView.status).toBe(200);
    expect(lateView.body.participants.filter((p: any) => p.role === 'operator').map((p: any) => [p.orgName, p.wave])).toEqual([['Late Agency', 2]]);
    expect((await call(app, 'GET', `/v1/cases/${caseId}`, { token: util.token })).status).toBe(200);
    expect((await call(app, 'GET', `/v1/cases/${caseId}`, { token: bystander.token })).status).toBe(404);
  });

  it('holds only with a rationale and an exact review instant, escalates a hold past review, and publishes at the deadline', async () => {
    const bare = await call(app, 'POST', `/v1/cases/${caseId}/hold`, { body: { rationale: 'an operational equity needs two more weeks', reviewAt: '2027-01-15' } });
    expect(bare.status).toBe(400);
    expect(bare.body.field).toBe('/reviewAt');
    const reviewAt = new Date(app.clock.now().getTime() + 10 * day).toISOString();
    const held = await call(app, 'POST', `/v1/cases/${caseId}/hold`, { body: { rationale: 'an operational equity needs two more weeks', reviewAt } });
    expect(held.status, held.text).toBe(200);
    expect(held.body).toMatchObject({ state: 'equities-hold', hold: { reviewAt } });
    app.clock.advance(11 * day);
    expect((await app.services.cases.tick()).escalations).toBe(1);
    const released = await call(app, 'POST', `/v1/cases/${caseId}/release`, { body: {} });
    expect(released.body.state).toBe('fix-available');
    // the reminder, then publication at the deadline
    const c = released.body;
    app.clock.set(new Date(Date.parse(c.deadline.remindAt) + 1000));
    expect((await app.services.cases.tick()).reminders).toBe(1);
    app.clock.set(new Date(Date.parse(c.deadline.publishAt) + 1000));
    const t = await app.services.cases.tick();
    expect(t.published).toEqual([c.displayId]);
    const pub = await call(app, 'GET', `/v1/cases/${caseId}`, { token: bystander.token });
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ state: 'published', cveId: 'CVE-2026-90001', advisoryId: `CHA-${c.displayId.slice(4)}`, wave: { current: 4 } });
    expect(pub.body.timeline.map((e: any) => e.kind)).toEqual(
      expect.arrayContaining(['opened', 'maintainer-notified', 'fix-available', 'wave', 'equities-hold', 'escalation', 'hold-released', 'reminder', 'published']),
    );
  });

  it('publishes signed CSAF, VEX, OSV and CVE documents that pass their validators, in the CSAF feed and the OSV API', async () => {
    const c = (await call(app, 'GET', `/v1/cases/${caseId}`)).body;
    const adv = await call(app, 'GET', `/v1/advisories/${c.advisoryId}`, { token: null });
    expect(adv.status, adv.text).toBe(200);
    expect(adv.body).toMatchObject({ id: c.advisoryId, cveId: 'CVE-2026-90001', title: 'Memory corruption in chunky-ch' });
    const meta = await call(app, 'GET', '/.well-known/csaf/provider-metadata.json', { token: null });
    expect(meta.status).toBe(200);
    const key = meta.body.public_openpgp_keys[0];
    const armored = (await call(app, 'GET', `/.well-known/csaf/openpgp/${key.fingerprint}.asc`, { token: null })).text;
    for (const kind of ['csaf', 'vex', 'osv', 'cve']) {
      const doc = await call(app, 'GET', `/v1/advisories/${c.advisoryId}/${kind}.json`, { token: null });
      expect(doc.status, `${kind}: ${doc.text}`).toBe(200);
      const asc = (await call(app, 'GET', `/v1/advisories/${c.advisoryId}/${kind}.json.asc`, { token: null })).text;
      expect(await verifyDetached(armored, new TextEncoder().encode(doc.text), asc)).toBe(true);
      const sha = (await call(app, 'GET', `/v1/advisories/${c.advisoryId}/${kind}.json.sha256`, { token: null })).text;
      expect(sha.split(/\s+/)[0]).toBe(createHash('sha256').update(doc.text).digest('hex'));
      // a proof of concept is never in a published document
      expect(doc.text).not.toContain(Buffer.from(pocText).toString('base64'));
    }
    // published at the deadline, long after the fix: policy lets the technical detail out with it
    expect(Date.parse(c.deadline.detailAt)).toBeLessThanOrEqual(Date.parse(c.publishedAt));
    expect((await call(app, 'GET', `/v1/advisories/${c.advisoryId}/osv.json`, { token: null })).text).toContain('SECRET-DETAIL');
    for (const kind of ['csaf', 'vex']) {
      const doc = JSON.parse((await call(app, 'GET', `/v1/advisories/${c.advisoryId}/${kind}.json`, { token: null })).text);
      const v = await validateCsaf(doc);
      expect(v.errors, JSON.stringify(v.errors)).toEqual([]);
    }
    const feed = await call(app, 'GET', '/.well-known/csaf/feed-tlp-white.json', { token: null });
    const entries = feed.body.feed.entry;
    expect(entries.length).toBe(2);
    const csafUrl = new URL(entries[0].content.src);
    const viaFeed = await call(app, 'GET', csafUrl.pathname, { token: null });
    expect(viaFeed.status, viaFeed.text).toBe(200);
    const query = await call(app, 'POST', '/v1/query', { token: null, body: { package: { purl: 'pkg:npm/chunky-ch' }, version: '2.1.0' } });
    expect(query.status, query.text).toBe(200);
    expect(query.body.vulns.map((v: any) => v.aliases), JSON.stringify(query.body)).toContainEqual(['CVE-2026-90001']);
    expect((await call(app, 'POST', '/v1/query', { token: null, body: { package: { purl: 'pkg:npm/chunky-ch' }, version: '3.0.0' } })).body.vulns).toEqual([]);
    const zip = await app.api.inject({ method: 'GET', url: '/v1/osv/all.zip' });
    const files = unzipSync(new Uint8Array(zip.rawPayload));
    expect(Object.keys(files)).toHaveLength(1);
    const osv = JSON.parse(strFromU8(Object.values(files)[0]!));
    if (!corpusMissing('OSV and CVE schemas')) {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats.default(ajv);
      const validOsv = ajv.compile(JSON.parse(readFileSync(corpusPath('schemas', 'osv', 'osv-schema.json'), 'utf8')));
      expect(validOsv(osv), JSON.stringify(validOsv.errors)).toBe(true);
      const ajv7 = new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv7);
      const validCve = ajv7.compile(JSON.parse(readFileSync(corpusPath('schemas', 'cve', 'CVE_JSON_5.1_bundled.json'), 'utf8')));
      const cve = JSON.parse((await call(app, 'GET', `/v1/advisories/${c.advisoryId}/cve.json`, { token: null })).text);
      expect(validCve(cve), JSON.stringify(validCve.errors)).toBe(true);
    }
  });

  it('caps what one maintainer receives per period and shows the coordinator what waits', async () => {
    const pol = await call(app, 'PATCH', '/v1/policy', { body: { 'maintainer.noticesPerPeriod': 1 } });
    expect(pol.status, pol.text).toBe(200);
    const v1 = await validatedRecord('other-ch', '1.0.0', 'Out-of-bounds read in other');
    const v2 = await validatedRecord('third-ch', '1.0.0', 'Out-of-bounds write in third');
    const a = await call(app, 'POST', '/v1/cases', { body: { vulnerabilities: [v1], title: 'other-ch' } });
    const b = await call(app, 'POST', '/v1/cases', { body: { vulnerabilities: [v2], title: 'third-ch' } });
    expect(a.status, a.text).toBe(201);
    expect(b.status, b.text).toBe(201);
    const states = [a.body.state, b.body.state].sort();
    expect(states).toEqual(['maintainer-notified', 'open']);
    const waiting = b.body.state === 'open' ? b.body : a.body;
    expect(waiting.deadline.publishAt).toBeNull();
    const notices = await call(app, 'GET', '/v1/cases/notices');
    expect(notices.body.items.map((n: any) => n.caseId)).toEqual([waiting.id]);
    expect((await call(app, 'GET', `/v1/cases/${waiting.id}`, { token: maint.token })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/cases/notices', { token: maint.token })).status).toBe(403);
    app.clock.advance(7 * day + 1000);
    expect((await app.services.cases.tick()).digests).toBe(1);
    const now = await call(app, 'GET', `/v1/cases/${waiting.id}`, { token: maint.token });
    expect(now.status).toBe(200);
    expect(now.body.state).toBe('maintainer-notified');
    // the clock started when the maintainer was notified, not when the case was opened
    expect(Date.parse(now.body.maintainerNotifiedAt)).toBeGreaterThan(Date.parse(now.body.openedAt) + 7 * day);
  });

  it('reports in public what is held, deadlines met, holds, time to fix and publish, and notice timing by class', async () => {
    const r = await call(app, 'GET', '/v1/transparency', { token: null });
    expect(r.status, r.text).toBe(200);
    // two cases live (their records held), one published at its deadline after a hold
    expect(r.body.heldUndisclosed.total).toBe(2);
    expect(r.body.deadlines).toMatchObject({ met: 1, missed: 0 });
    expect(r.body.equitiesHolds).toMatchObject({ active: 0, decisions: 1 });
    expect(r.body.daysFromReport.toFix.count).toBe(1);
    expect(r.body.daysFromReport.toPublication.median).toBeGreaterThan(100);
    expect(Object.keys(r.body.notificationHours)).toEqual(['maintainer', 'operator:nss', 'operator:fceb', 'operator:ci']);
    expect(r.body.notificationHours['operator:ci'].median).toBeGreaterThan(r.body.notificationHours['operator:fceb'].median);
    expect(JSON.stringify(r.body)).not.toMatch(/CHC-|CHV-|Agency|Utility|Late/);
  });

  it('sends notices only to participants, in wave order, with no detail; an unaffected operator is sent nothing', async () => {
    const of = async (org: Org) => (await call(app, 'GET', '/v1/deliveries?limit=500', { token: org.token })).body.items;
    const m = await of(maint);
    expect(m.length).toBeGreaterThan(0);
    expect(await of(bystander)).toEqual([]);
    const f = await of(fed);
    const u = await of(util);
    const firstOf = (items: any[]) => items.map((d) => Date.parse(d.createdAt)).sort((a, b) => a - b)[0]!;
    // the test clock stood still between opening and the fix, so the maintainer's and the federal notices share an instant
    expect(firstOf(m)).toBeLessThanOrEqual(firstOf(f));
    expect(firstOf(f)).toBeLessThan(firstOf(u));
    const all = JSON.stringify([...m, ...f, ...u]);
    for (const needle of ['SECRET-DETAIL', 'readChunk', Buffer.from(pocText).toString('base64')]) expect(all).not.toContain(needle);
  });

  it('stores the embargoed detail, messages and hold rationale sealed: no plaintext in the case tables', async () => {
    const tables = ['cases', 'case_messages', 'case_events', 'equities_decisions', 'case_products', 'case_participants', 'deliveries'];
    for (const t of tables) {
      const { rows } = await sql<{ t: string }>`SELECT ${sql.ref(t)}::text AS t FROM ${sql.table(t)}`.execute(app.services.ctx.db).catch(() => ({ rows: [] as Array<{ t: string }> }));
      const all = rows.map((r) => r.t).join('\n');
      for (const needle of ['SECRET-DETAIL', Buffer.from(pocText).toString('base64'), 'patch in review', 'operational equity', 'readChunk']) expect(all, `${t} holds ${needle}`).not.toContain(needle);
    }
  });
});
