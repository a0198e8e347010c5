// OSV imports and the exact-version query over HTTP, on both databases, with real records from the corpus
// (RustSec, crates.io): a JSON array and a zip import, a re-import that records what changed, a malformed
// record that refuses the whole import, the query decided by the ecosystem's version order, and denials.
import { readdirSync, readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAffected } from '../../src/core/versions/index.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

const missing = corpusMissing('OSV imports');
let app: TestApp;
let lab: { orgId: string; token: string };
let records: any[] = [];

beforeAll(async () => {
  app = await startTestApp();
  lab = await orgWithToken(app, { name: 'Lab', kind: 'scanner' });
  if (!missing) {
    const dir = corpusPath('osv', 'rustsec', 'crates');
    records = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')));
  }
});
afterAll(() => app?.close());

const importJson = (body: unknown, token = app.adminToken) => {
  app.clock.advance(60_000); // imports list newest first
  return call(app, 'POST', '/v1/imports/osv?source=rustsec', { token, raw: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
};

/** A record with a SEMVER range that has a real (non-zero) introduced version and a fixed one. */
function sample() {
  for (const r of records) {
    for (const a of r.affected ?? []) {
      const events = a.ranges?.[0]?.events ?? [];
      const introduced = events.find((e: any) => e.introduced && e.introduced !== '0')?.introduced;
      const fixed = events.find((e: any) => e.fixed)?.fixed;
      const cve = (r.aliases ?? []).find((x: string) => x.startsWith('CVE-'));
      if (a.package?.ecosystem === 'crates.io' && introduced && fixed && cve && !r.withdrawn) return { record: r, affected: a, introduced, fixed, cve };
    }
  }
  throw new Error('no suitable RustSec record in the corpus');
}

describe.skipIf(missing)(`OSV imports and queries (${engineName})`, () => {
  it('imports a JSON array of real records, and a re-import records what changed', async () => {
    const first = await importJson(records);
    expect(first.status, first.text).toBe(201);
    expect(first.body.import).toMatchObject({ records: records.length, added: records.length, changed: 0, unchanged: 0 });
    const again = await importJson(records);
    expect(again.body.import).toMatchObject({ records: records.length, added: 0, changed: 0, unchanged: records.length });
    const edited = structuredClone(records);
    edited[3].summary = `${edited[3].summary ?? ''} (corrected)`;
    const third = await importJson(edited);
    expect(third.body.import).toMatchObject({ added: 0, changed: 1, unchanged: records.length - 1, changes: { changed: [edited[3].id] } });
    const list = await call(app, 'GET', '/v1/imports');
    expect(list.body.items.map((i: any) => i.changed)).toEqual([1, 0, 0]);
  });

  it('answers the exact-version query with the ecosystem\'s order, through the package index', async () => {
    const { record, affected, introduced, fixed } = sample();
    const purl = (v: string) => `pkg:cargo/${affected.package.name}@${v}`;
    const at = await call(app, 'GET', `/v1/query?purl=${encodeURIComponent(purl(introduced))}`, { token: lab.token });
    expect(at.status, at.text).toBe(200);
    expect(isAffected(introduced, affected, 'crates.io').status).toBe('affected');
    expect(at.body.matches.map((m: any) => m.advisoryId)).toContain(record.id);
    expect(at.body.matches.find((m: any) => m.advisoryId === record.id)).toMatchObject({ status: 'affected', because: expect.stringMatching(/range|versions/) });
    const after = await call(app, 'GET', `/v1/query?purl=${encodeURIComponent(purl(fixed))}`, { token: lab.token });
    expect(after.body.matches.map((m: any) => m.advisoryId)).not.toContain(record.id);
    const noVersion = await call(app, 'GET', `/v1/query?purl=${encodeURIComponent(`pkg:cargo/${affected.package.name}`)}`, { token: lab.token });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.field).toBe('purl');
    expect((await call(app, 'GET', `/v1/query?purl=${encodeURIComponent(purl(fixed))}`, { token: null })).status).toBe(401);
  });

  it('imports a zip export, and refuses a malformed record naming it, storing nothing of that import', async () => {
    const dir = corpusPath('osv', 'go', 'data', 'osv');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().slice(0, 50);
    const zip = zipSync(Object.fromEntries(files.map((f) => [f, strToU8(readFileSync(`${dir}/${f}`, 'utf8'))])));
    const res = await call(app, 'POST', '/v1/imports/osv?source=go.zip', { raw: Buffer.from(zip), headers: { 'content-type': 'application/zip' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.import).toMatchObject({ records: 50, added: 50 });

    const before = (await call(app, 'GET', '/v1/imports')).body.items.length;
    const broken = structuredClone(records.slice(0, 5));
    broken[2].affected[0].ranges[0].events = [{ introduced: 7 }];
    const refused = await importJson(broken);
    expect(refused.status).toBe(400);
    expect(refused.body.field).toMatch(/^\/2\/affected\/0\/ranges\/0\/events\/0/);
    expect((await call(app, 'GET', '/v1/imports')).body.items.length).toBe(before);
  });

  it('shows each operator what its assets run that the advisories affect, and nothing of another operator\'s', async () => {
    const { record, affected, introduced, fixed } = sample();
    const agency = await orgWithToken(app, { name: 'Agency', kind: 'operator', assetClass: 'fceb' });
    const utility = await orgWithToken(app, { name: 'Utility', kind: 'operator', assetClass: 'ci', sector: 'energy' });
    const bom = (version: string) => ({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: [
        { type: 'library', name: affected.package.name, version, purl: `pkg:cargo/${affected.package.name}@${version}` },
        { type: 'library', name: 'unrelated', version: '1.0.0', purl: 'pkg:cargo/clearinghouse-unrelated-crate@1.0.0' },
      ],
    });
    const upload = async (op: { token: string }, name: string, version: string) => {
      const asset = (await call(app, 'POST', '/v1/assets', { token: op.token, body: { name } })).body.id;
      const res = await call(app, 'PUT', `/v1/assets/${asset}/sbom`, { token: op.token, raw: JSON.stringify(bom(version)), headers: { 'content-type': 'application/json' } });
      expect(res.status, res.text).toBe(201);
      return asset;
    };
    await upload(agency, 'benefits portal', introduced);
    await upload(utility, 'historian', introduced);
    await upload(utility, 'patched historian', fixed);
    const mine = await call(app, 'GET', '/v1/exposure', { token: utility.token });
    expect(mine.status, mine.text).toBe(200);
    const hits = mine.body.items.filter((i: any) => i.advisoryId === record.id);
    expect(hits.map((i: any) => [i.assetName, i.component, i.status])).toEqual([['historian', `pkg:cargo/${affected.package.name}@${introduced}`, 'affected']]);
    expect(mine.body.items.every((i: any) => i.orgId === utility.orgId)).toBe(true);
    // coordinators see every operator's, federal asset classes first
    const all = (await call(app, 'GET', '/v1/exposure')).body.items.filter((i: any) => i.advisoryId === record.id);
    expect(all.map((i: any) => i.assetName)).toEqual(['benefits portal', 'historian']);
    expect((await call(app, 'GET', '/v1/exposure?asset=historian', { token: agency.token })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/exposure', { token: lab.token })).status).toBe(403);
  });

  it('ranks the remediation queue from KEV, EPSS, CVSS and exposure, and explains every input', async () => {
    const { record, cve } = sample();
    const kev = JSON.parse(readFileSync(corpusPath('kev', 'known_exploited_vulnerabilities.json'), 'utf8'));
    const listed = kev.vulnerabilities.some((v: any) => v.cveID === cve);
    if (!listed) {
      kev.vulnerabilities.push({ ...kev.vulnerabilities[0], cveID: cve, knownRansomwareCampaignUse: 'Unknown' });
      kev.count += 1;
    }
    const k = await call(app, 'POST', '/v1/imports/kev?source=kev.json', { raw: JSON.stringify(kev), headers: { 'content-type': 'application/json' } });
    expect(k.status, k.text).toBe(201);
    expect(k.body.import).toMatchObject({ kind: 'kev', records: kev.count, added: kev.count });
    const csv = ['#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z', 'cve,epss,percentile', `${cve},0.91234,0.99876`, 'CVE-2021-44228,0.94,0.9999'].join('\n');
    const e = await call(app, 'POST', '/v1/imports/epss?source=epss.csv', { raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(e.status, e.text).toBe(201);
    expect(e.body.import).toMatchObject({ kind: 'epss', records: 2, added: 2 });
    const badCsv = await call(app, 'POST', '/v1/imports/epss', { raw: 'cve,epss,percentile\nCVE-2020-1,2.5,0.1', headers: { 'content-type': 'text/csv' } });
    expect(badCsv.status).toBe(400);
    expect(badCsv.body.field).toBe('line 2');

    const all = await call(app, 'GET', '/v1/queue');
    expect(all.status, all.text).toBe(200);
    const item = all.body.items.find((i: any) => i.advisoryId === record.id);
    expect(item).toMatchObject({ decision: expect.stringMatching(/^(Act|Attend)$/), epss: 0.91234, assets: ['benefits portal', 'historian'] });
    const inputs = item.explanation.map((x: any) => x.input);
    for (const input of ['kev', 'epss']) expect(inputs.join(' ')).toContain(input);
    expect(item.explanation.find((x: any) => x.input.startsWith('kev')).value).toBeTruthy();
    // an operator's queue weighs its own assets only
    const op = (await call(app, 'GET', '/v1/exposure')).body.items.find((i: any) => i.assetName === 'historian');
    expect(op).toBeTruthy();
    expect((await call(app, 'GET', '/v1/queue', { token: lab.token })).status).toBe(403);
    expect((await call(app, 'POST', '/v1/imports/kev', { token: lab.token, raw: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(403);
  });

  it('lets only coordinators import, and coordinators and auditors see imports', async () => {
    expect((await importJson(records.slice(0, 1), lab.token)).status).toBe(403);
    expect((await call(app, 'GET', '/v1/imports', { token: lab.token })).status).toBe(403);
  });
});
