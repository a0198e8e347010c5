// Operators' assets and SBOMs over HTTP, on both databases: registration with the operator's class and
// sector by default, need-to-know denials, real SBOMs from the corpus (CycloneDX and SPDX), atomic
// replacement, idempotent resubmission, and a malformed or truncated SBOM that changes nothing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let grid: { orgId: string; token: string };
let agency: { orgId: string; token: string };
let lab: { orgId: string; token: string };
let auditor: { orgId: string; token: string };

beforeAll(async () => {
  app = await startTestApp();
  grid = await orgWithToken(app, { name: 'Grid Co', kind: 'operator', assetClass: 'ci', sector: 'energy' });
  agency = await orgWithToken(app, { name: 'Civilian Agency', kind: 'operator', assetClass: 'fceb' });
  lab = await orgWithToken(app, { name: 'Lab', kind: 'scanner' });
  auditor = await orgWithToken(app, { name: 'IG', kind: 'auditor' });
});
afterAll(() => app?.close());

function cyclonedx(components: Array<{ name: string; version: string; purl?: string }>, serial = 1) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:3e671687-395b-41f5-a30f-a58921a69b7${serial}`,
    version: 1,
    metadata: { timestamp: '2026-11-01T10:00:00Z', component: { type: 'application', name: 'scada-gateway', version: '3.1' } },
    components: components.map((c) => ({ type: 'library', name: c.name, version: c.version, ...(c.purl ? { purl: c.purl } : {}) })),
  };
}

async function putSbom(token: string, asset: string, body: string | object) {
  return call(app, 'PUT', `/v1/assets/${asset}/sbom`, { token, raw: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

describe(`assets and SBOMs (${engineName})`, () => {
  let gateway: string;

  it('registers assets with the operator\'s class and sector unless told otherwise, and refuses others', async () => {
    const res = await call(app, 'POST', '/v1/assets', { token: grid.token, body: { name: 'SCADA gateway', criticality: 0.9 } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ orgId: grid.orgId, assetClass: 'ci', sector: 'energy', criticality: 0.9, sbom: null });
    gateway = res.body.id;
    const water = await call(app, 'POST', '/v1/assets', { token: grid.token, body: { name: 'Water plant HMI', assetClass: 'ci', sector: 'water-and-wastewater-systems' } });
    expect(water.body).toMatchObject({ sector: 'water-and-wastewater-systems', criticality: 0.5 });
    expect((await call(app, 'POST', '/v1/assets', { token: grid.token, body: { name: 'SCADA gateway' } })).status).toBe(409);
    const noSector = await call(app, 'POST', '/v1/assets', { token: agency.token, body: { name: 'Plant', assetClass: 'ci' } });
    expect(noSector.status).toBe(400);
    expect(noSector.body.field).toBe('/sector');
    expect((await call(app, 'POST', '/v1/assets', { token: lab.token, body: { name: 'x' } })).status).toBe(403);
    expect((await call(app, 'POST', '/v1/assets', { token: agency.token, body: { name: 'x', orgId: grid.orgId } })).status).toBe(403);
    const forOperator = await call(app, 'POST', '/v1/assets', { body: { name: 'Benefits portal', orgId: agency.orgId } });
    expect(forOperator.body).toMatchObject({ orgId: agency.orgId, assetClass: 'fceb', sector: null });
  });

  it('streams an SBOM in, replaces it atomically, and changes nothing for the same bytes or a broken document', async () => {
    const first = cyclonedx([
      { name: 'openssl', version: '3.0.7', purl: 'pkg:generic/openssl@3.0.7' },
      { name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
      { name: 'left-pad', version: '1.3.0' }, // no purl, no hint: counted as unidentified, as is the subject
    ]);
    const up = await putSbom(grid.token, gateway, first);
    expect(up.status, up.text).toBe(201);
    expect(up.body.sbom).toMatchObject({ format: 'cyclonedx', specVersion: '1.5', components: 2, unidentified: 2 });
    expect(up.body.sbom.summary.unidentifiedSamples.map((u: any) => u.name).sort()).toEqual(['left-pad', 'scada-gateway']);
    expect((await putSbom(grid.token, gateway, first)).status).toBe(200);
    const comps = await call(app, 'GET', `/v1/assets/${gateway}/components`, { token: grid.token });
    expect(comps.body.items.map((c: any) => c.purl)).toEqual(['pkg:generic/openssl@3.0.7', 'pkg:npm/lodash@4.17.20']);
    expect(comps.body.items.map((c: any) => c.purlKey)).toContain('pkg:npm/lodash');

    // a truncated upload and a malformed one are refused with the pointer; the SBOM in place stays
    const truncated = JSON.stringify(cyclonedx([{ name: 'zlib', version: '1.2.13', purl: 'pkg:generic/zlib@1.2.13' }], 2)).slice(0, -20);
    const cut = await putSbom(grid.token, gateway, truncated);
    expect(cut.status).toBe(400);
    expect(cut.body.field).toBeTruthy();
    const bad = cyclonedx([{ name: 'zlib', version: '1.2.13', purl: 'pkg:generic/zlib@1.2.13' }], 3) as any;
    delete bad.components[0].name;
    const refused = await putSbom(grid.token, gateway, bad);
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('/components/0/name');
    expect((await call(app, 'GET', `/v1/assets/${gateway}`, { token: grid.token })).body.sbom.sha256).toBe(up.body.sbom.sha256);

    const second = await putSbom(grid.token, gateway, cyclonedx([{ name: 'lodash', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.21' }], 4));
    expect(second.status).toBe(201);
    const now = await call(app, 'GET', `/v1/assets/${gateway}/components`, { token: grid.token });
    expect(now.body.items.map((c: any) => c.purl)).not.toContain('pkg:npm/lodash@4.17.20');
    expect(now.body.items.map((c: any) => c.purl)).toContain('pkg:npm/lodash@4.17.21');
  });

  it('keeps assets need-to-know: another operator and scanners see nothing; auditors and coordinators see all', async () => {
    expect((await call(app, 'GET', `/v1/assets/${gateway}`, { token: agency.token })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/assets/${gateway}/components`, { token: agency.token })).status).toBe(404);
    expect((await putSbom(agency.token, gateway, cyclonedx([]))).status).toBe(404);
    expect((await call(app, 'GET', '/v1/assets', { token: lab.token })).status).toBe(403);
    expect((await call(app, 'GET', '/v1/assets', { token: agency.token })).body.items.map((a: any) => a.name)).toEqual(['Benefits portal']);
    expect((await call(app, 'GET', '/v1/assets', { token: auditor.token })).body.items).toHaveLength(3);
    expect((await putSbom(auditor.token, gateway, cyclonedx([]))).status).toBe(403);
    // by name within one's own organization
    expect((await call(app, 'GET', `/v1/assets/${encodeURIComponent('SCADA gateway')}`, { token: grid.token })).body.id).toBe(gateway);
  });

  it.skipIf(corpusMissing('SBOM upload'))('takes every SBOM of the corpus, CycloneDX and SPDX', async () => {
    const files = [
      ...['juice-shop-11.1.2-npm-flat.cdx-1.4.json', 'jabref.cdx-1.6.json', 'ubuntu-latest-with-vulns.cdx-1.5.json', 'trivy-test-image.cdx-1.6.json'].map((f) => corpusPath('sbom', 'cyclonedx', f)),
      ...['SPDXJSONExample-v2.3.spdx.json', 'generic-image-with-vulns.spdx-2.3.json', 'oss-na-2023-sbom-with-security.spdx-2.3.json'].map((f) => corpusPath('sbom', 'spdx', f)),
    ];
    for (const [i, file] of files.entries()) {
      const asset = (await call(app, 'POST', '/v1/assets', { token: agency.token, body: { name: `corpus ${i}` } })).body.id;
      const res = await putSbom(agency.token, asset, readFileSync(file, 'utf8'));
      expect(res.status, `${file}: ${res.text}`).toBe(201);
      expect(res.body.sbom.components, file).toBeGreaterThan(0);
    }
  });
});
