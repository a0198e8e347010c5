// Stored, incremental matching over HTTP, on both databases: an SBOM that arrives after its advisory and an
// advisory that arrives after the SBOM meet through the package index; a changed or withdrawn advisory updates
// the verdicts; a full rematch (and the catch-up on start) finds exactly what the increments found; the queue
// holds the clearinghouse's own records for coordinators, and a maintainer's products for maintainers.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let agency: { orgId: string; token: string };
let utility: { orgId: string; token: string };
let maint: { orgId: string; token: string };
let otherMaint: { orgId: string; token: string };
let lab: { orgId: string; token: string };

beforeAll(async () => {
  app = await startTestApp();
  agency = await orgWithToken(app, { name: 'Agency', kind: 'operator', assetClass: 'fceb' });
  utility = await orgWithToken(app, { name: 'Utility', kind: 'operator', assetClass: 'ci', sector: 'water-and-wastewater-systems' });
  maint = await orgWithToken(app, { name: 'leftpad maintainers', kind: 'maintainer' });
  otherMaint = await orgWithToken(app, { name: 'other maintainers', kind: 'maintainer' });
  lab = await orgWithToken(app, { name: 'Lab', kind: 'scanner' });
});
afterAll(() => app?.close());

function osv(id: string, name: string, events: Array<Record<string, string>>, extra: Record<string, unknown> = {}) {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-01-01T00:00:00Z',
    summary: `${name} is vulnerable`,
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events }] }],
    ...extra,
  };
}

const importOsv = async (records: unknown[]) => {
  app.clock.advance(60_000);
  const res = await call(app, 'POST', '/v1/imports/osv?source=test', { raw: JSON.stringify(records), headers: { 'content-type': 'application/json' } });
  expect(res.status, res.text).toBe(201);
  return res.body.import;
};

const bom = (components: Array<[string, string]>) =>
  JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: components.map(([name, version]) => ({ type: 'library', name, version, purl: `pkg:npm/${name}@${version}` })) });

async function asset(op: { token: string }, name: string, components: Array<[string, string]>) {
  const created = await call(app, 'POST', '/v1/assets', { token: op.token, body: { name } });
  expect(created.status, created.text).toBe(201);
  const up = await call(app, 'PUT', `/v1/assets/${created.body.id}/sbom`, { token: op.token, raw: bom(components), headers: { 'content-type': 'application/json' } });
  expect(up.status, up.text).toBe(201);
  return created.body.id as string;
}

/** Every (asset, component, advisory, status) a coordinator sees, sorted. */
async function everything(): Promise<string[]> {
  const res = await call(app, 'GET', '/v1/exposure?limit=500');
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((i: any) => `${i.assetName} ${i.component} ${i.advisoryId} ${i.status}`).sort();
}

describe(`stored incremental matching (${engineName})`, () => {
  it('matches an SBOM against the advisories before it, and an advisory against the SBOMs before it', async () => {
    await importOsv([osv('TEST-LEFTPAD-1', 'leftpad-ch', [{ introduced: '1.0.0' }, { fixed: '1.3.0' }])]);
    await asset(agency, 'payroll', [['leftpad-ch', '1.2.0'], ['rightpad-ch', '2.0.0']]);
    await asset(utility, 'scada-hmi', [['leftpad-ch', '1.3.0'], ['rightpad-ch', '2.0.1']]);
    expect(await everything()).toEqual(['payroll pkg:npm/leftpad-ch@1.2.0 TEST-LEFTPAD-1 affected']);

    // a new advisory for a package both SBOMs hold, at versions already known
    await importOsv([osv('TEST-RIGHTPAD-1', 'rightpad-ch', [{ introduced: '0' }, { last_affected: '2.0.1' }])]);
    expect(await everything()).toEqual([
      'payroll pkg:npm/leftpad-ch@1.2.0 TEST-LEFTPAD-1 affected',
      'payroll pkg:npm/rightpad-ch@2.0.0 TEST-RIGHTPAD-1 affected',
      'scada-hmi pkg:npm/rightpad-ch@2.0.1 TEST-RIGHTPAD-1 affected',
    ]);
    const one = await call(app, 'GET', '/v1/exposure?advisory=TEST-RIGHTPAD-1', { token: utility.token });
    expect(one.body.items.map((i: any) => i.assetName)).toEqual(['scada-hmi']);
  });

  it('re-decides a changed advisory and forgets a withdrawn one', async () => {
    await importOsv([
      osv('TEST-LEFTPAD-1', 'leftpad-ch', [{ introduced: '1.0.0' }, { fixed: '1.3.0' }]),
      osv('TEST-RIGHTPAD-1', 'rightpad-ch', [{ introduced: '0' }, { fixed: '2.0.1' }]),
    ]);
    expect(await everything()).toEqual(['payroll pkg:npm/leftpad-ch@1.2.0 TEST-LEFTPAD-1 affected', 'payroll pkg:npm/rightpad-ch@2.0.0 TEST-RIGHTPAD-1 affected']);
    await importOsv([osv('TEST-RIGHTPAD-1', 'rightpad-ch', [{ introduced: '0' }, { fixed: '2.0.1' }], { withdrawn: '2026-02-01T00:00:00Z' })]);
    expect(await everything()).toEqual(['payroll pkg:npm/leftpad-ch@1.2.0 TEST-LEFTPAD-1 affected']);
  });

  it('replacing an SBOM changes exposure at once; a full rematch finds exactly what the increments found', async () => {
    const hmi = (await call(app, 'GET', '/v1/assets/scada-hmi', { token: utility.token })).body.id;
    const up = await call(app, 'PUT', `/v1/assets/${hmi}/sbom`, { token: utility.token, raw: bom([['leftpad-ch', '1.0.5']]), headers: { 'content-type': 'application/json' } });
    expect(up.status, up.text).toBe(201);
    const before = await everything();
    expect(before).toContain('scada-hmi pkg:npm/leftpad-ch@1.0.5 TEST-LEFTPAD-1 affected');
    const r = await call(app, 'POST', '/v1/exposure/rematch', { body: {} });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ matcherVersion: expect.any(Number), packages: 2, matches: 2 });
    expect(await everything()).toEqual(before);
    expect((await call(app, 'POST', '/v1/exposure/rematch', { token: utility.token, body: {} })).status).toBe(403);
  });

  it('catches up on start when the verdicts were stored by another matcher, filling versions stored before it kept them', async () => {
    const before = await everything();
    await sql`UPDATE sbom_components SET match_version = NULL`.execute(app.services.ctx.db);
    await sql`DELETE FROM version_matches`.execute(app.services.ctx.db);
    await sql`UPDATE matcher_state SET matcher_version = 0`.execute(app.services.ctx.db);
    expect(await everything()).toEqual([]);
    const report = await app.services.matching.catchUp();
    expect(report).toMatchObject({ backfilled: expect.any(Number), matches: 2 });
    expect(report!.backfilled).toBeGreaterThanOrEqual(5);
    expect(await everything()).toEqual(before);
    expect(await app.services.matching.catchUp()).toBeNull();
  });

  it("puts the clearinghouse's own records in the coordinator's queue, with exposure at the versions reported", async () => {
    const target = await call(app, 'POST', '/v1/targets', { body: { purl: 'pkg:npm/leftpad-ch', maintainerOrgId: maint.orgId, criticality: 0.9 } });
    expect(target.status, target.text).toBe(201);
    const finding = {
      clearinghouseFinding: '1.0',
      title: 'Prototype pollution in pad()',
      description: 'pad() merges options into Object.prototype.',
      target: { purl: 'pkg:npm/leftpad-ch' },
      version: '1.0.5',
      location: { path: 'index.js', startLine: 10, function: 'pad' },
      cwe: 'CWE-1321',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      scanner: { name: 'lab-agent', version: '1.0' },
    };
    const sub = await call(app, 'POST', '/v1/findings', { token: lab.token, body: finding });
    expect(sub.status, sub.text).toBe(201);
    const queue = await call(app, 'GET', '/v1/queue?limit=1000');
    expect(queue.status, queue.text).toBe(200);
    const own = queue.body.items.find((i: any) => i.source === 'clearinghouse');
    expect(own).toMatchObject({ advisoryId: expect.stringMatching(/^CHV-\d{4}-\d+$/), vulnId: expect.any(String), exposedAssets: 1, assets: ['scada-hmi'], cvssScore: 9.8 });
    expect(own.explanation.find((e: any) => e.input === 'exposure').value).toMatchObject({ ci: 1 });
    // an operator's queue holds no embargoed record, only public advisories on its own assets
    const op = await call(app, 'GET', '/v1/queue', { token: utility.token });
    expect(op.body.items.map((i: any) => [i.advisoryId, i.source])).toEqual([['TEST-LEFTPAD-1', 'osv']]);
    expect(op.body.items[0].assets).toEqual(['scada-hmi']);
  });

  it("shows a maintainer the advisories naming its products, counted by class with no operator named; others nothing", async () => {
    const mine = await call(app, 'GET', '/v1/queue', { token: maint.token });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.items.map((i: any) => i.advisoryId)).toEqual(['TEST-LEFTPAD-1']);
    expect(mine.body.items[0]).toMatchObject({ source: 'osv', exposedAssets: 2, assets: [] });
    expect(JSON.stringify(mine.body)).not.toContain(agency.orgId);
    expect(JSON.stringify(mine.body)).not.toContain('payroll');
    expect((await call(app, 'GET', '/v1/queue', { token: otherMaint.token })).body.items).toEqual([]);
    expect((await call(app, 'GET', '/v1/queue', { token: lab.token })).status).toBe(403);
    expect((await call(app, 'GET', '/v1/exposure', { token: maint.token })).status).toBe(403);
  });
});
