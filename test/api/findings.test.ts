// Findings intake over HTTP: SARIF, OSV and native JSON; idempotent resubmission; malformed documents
// refused with a JSON Pointer and nothing stored; large documents as jobs; duplicates across reporters
// visible to the later reporter without revealing the earlier one; coordinators merge and split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let labA: { orgId: string; token: string };
let labB: { orgId: string; token: string };
let operator: { orgId: string; token: string };
let auditor: { orgId: string; token: string };
let targetId: string;

beforeAll(async () => {
  app = await startTestApp();
  labA = await orgWithToken(app, { name: 'Lab A', kind: 'scanner' });
  labB = await orgWithToken(app, { name: 'Lab B', kind: 'scanner' });
  operator = await orgWithToken(app, { name: 'Grid Co', kind: 'operator', assetClass: 'ci', sector: 'energy' });
  auditor = await orgWithToken(app, { name: 'IG', kind: 'auditor' });
  const t = await call(app, 'POST', '/v1/targets', { body: { name: 'tinyhttpd', repo: 'https://example.org/tinyhttpd.git', criticality: 0.8 } });
  targetId = t.body.id;
});
afterAll(() => app?.close());

function sarif(results: Array<{ ruleId: string; line: number; snippet: string; file?: string; message?: string }>, tool = 'flawfinder', version = '2.0.19') {
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: tool,
            version,
            rules: [
              { id: 'FF1001', shortDescription: { text: 'strcpy does not check buffer size' }, properties: { tags: ['CWE-120'] } },
              { id: 'FF1010', shortDescription: { text: 'format string from input' }, properties: { tags: ['CWE-134'] } },
            ],
          },
        },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          level: 'error',
          message: { text: r.message ?? `problem at ${r.line}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.file ?? 'src/request.c' },
                region: { startLine: r.line, snippet: { text: r.snippet } },
              },
            },
          ],
        })),
      },
    ],
  };
}

function native(over: Record<string, unknown> = {}) {
  return {
    clearinghouseFinding: '1.0',
    title: 'Heap overflow in parse_header',
    description: 'A long Host header overflows a fixed buffer.',
    target: { repo: 'https://example.org/tinyhttpd.git' },
    commit: 'a1b2c3d',
    location: { path: 'src/request.c', startLine: 120, endLine: 124, function: 'parse_header', snippet: 'memcpy(host, value, len);' },
    cwe: 'CWE-787',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    scanner: { name: 'lab-agent', version: '1.0' },
    model: { name: 'frontier-x', version: '2026-05' },
    ...over,
  };
}

async function logSize(): Promise<number> {
  return (await app.services.log.checkpoint()).size;
}

describe(`findings intake (${engineName})`, () => {
  it('ingests a SARIF log for a target, ties it to a scan run, and is idempotent on resubmission', async () => {
    const doc = sarif([
      { ruleId: 'FF1001', line: 10, snippet: 'strcpy(buf, input);' },
      { ruleId: 'FF1010', line: 42, snippet: 'printf(user_supplied);' },
    ]);
    const res = await call(app, 'POST', `/v1/findings?targetId=${targetId}&commit=deadbeef`, { token: labA.token, body: doc });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ state: 'processed', created: true, summary: { findings: 2, newVulnerabilities: 2, duplicates: 0 } });
    expect(res.body.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    const size = await logSize();
    const again = await call(app, 'POST', `/v1/findings?targetId=${targetId}&commit=deadbeef`, { token: labA.token, body: doc });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, document: { id: res.body.document.id } });
    expect(await logSize()).toBe(size);
    const mine = await call(app, 'GET', `/v1/findings?documentId=${res.body.document.id}`, { token: labA.token });
    expect(mine.body.items).toHaveLength(2);
    expect(mine.body.items.map((f: any) => f.cwes[0]).sort()).toEqual([120, 134]);
    expect(mine.body.items.every((f: any) => f.status === 'first-report' && f.orgId === undefined)).toBe(true);
    const cov = await call(app, 'GET', '/v1/coverage?limit=500');
    const row = cov.body.items.find((r: any) => r.target.id === targetId);
    expect(row.runs[0]).toMatchObject({ orgId: labA.orgId, scanner: { name: 'flawfinder', version: '2.0.19' }, commit: 'deadbeef' });
  });

  it('does not store results that report no problem (SARIF kind pass and notApplicable)', async () => {
    const doc = sarif([
      { ruleId: 'FF1001', line: 500, snippet: 'strcpy(out, name);' },
      { ruleId: 'FF1001', line: 600, snippet: 'strncpy(out, name, sizeof out);' },
      { ruleId: 'FF1010', line: 700, snippet: 'puts(msg);' },
    ]) as any;
    doc.runs[0].results[1].kind = 'pass';
    doc.runs[0].results[2].kind = 'notApplicable';
    const res = await call(app, 'POST', `/v1/findings?targetId=${targetId}`, { token: labA.token, body: doc });
    expect(res.status, res.text).toBe(201);
    expect(res.body.summary).toMatchObject({ findings: 1, ignored: 2 });
  });

  it('refuses malformed documents with the JSON Pointer of the first problem and stores nothing', async () => {
    const size = await logSize();
    const before = (await call(app, 'GET', '/v1/findings?limit=500')).body.items.length;
    const badSarif = sarif([{ ruleId: 'FF1001', line: 10, snippet: 'x' }]) as any;
    badSarif.runs[0].results[0].locations[0].physicalLocation.region.startLine = 'ten';
    const cases: Array<[string, unknown, string | RegExp]> = [
      ['sarif', badSarif, '/runs/0/results/0/locations/0/physicalLocation/region/startLine'],
      ['osv', { id: 'OSV-1', modified: 'not a date', affected: [] }, '/modified'],
      ['native', native({ cwe: 'CWE-abc' }), '/cwe'],
      ['native cvss', native({ cvssVector: 'CVSS:3.1/AV:X/AC:L' }), '/cvssVector'],
      ['unknown', { hello: 'world' }, '/'],
    ];
    for (const [label, body, field] of cases) {
      const res = await call(app, 'POST', `/v1/findings?targetId=${targetId}`, { token: labA.token, body });
      expect(res.status, `${label}: ${res.text}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.field, label).toEqual(field);
    }
    const truncated = await call(app, 'POST', `/v1/findings?targetId=${targetId}`, {
      token: labA.token,
      raw: JSON.stringify(sarif([{ ruleId: 'FF1001', line: 1, snippet: 'y' }])).slice(0, 200),
      headers: { 'content-type': 'application/sarif+json' },
    });
    expect(truncated.status).toBe(400);
    expect(truncated.body.detail).toMatch(/JSON/);
    const noTarget = await call(app, 'POST', '/v1/findings', { token: labA.token, body: sarif([{ ruleId: 'FF1001', line: 3, snippet: 'z' }]) });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.field).toBe('/runs/0/results/0');
    expect(await logSize()).toBe(size);
    expect((await call(app, 'GET', '/v1/findings?limit=500')).body.items.length).toBe(before);
  });

  it('links a later reporter\'s duplicate to the first record and tells it so, without naming who found it first', async () => {
    const a = await call(app, 'POST', '/v1/findings', { token: labA.token, body: native() });
    expect(a.status, a.text).toBe(201);
    expect(a.body.summary.newVulnerabilities).toBe(1);
    // Lab B: same bug, lines drifted by 37 in a later version, different title and model
    const b = await call(app, 'POST', '/v1/findings', {
      token: labB.token,
      body: native({
        title: 'Out-of-bounds write when copying the Host header',
        commit: 'ffff000',
        location: { path: 'src/request.c', startLine: 157, endLine: 161, function: 'parse_header', snippet: 'memcpy(host,  value, len);' },
        scanner: { name: 'b-scanner', version: '0.9' },
        model: { name: 'other-model', version: '1' },
      }),
    });
    expect(b.status, b.text).toBe(201);
    expect(b.body.summary).toMatchObject({ findings: 1, newVulnerabilities: 0, duplicates: 1 });
    const bFindings = (await call(app, 'GET', `/v1/findings?documentId=${b.body.document.id}`, { token: labB.token })).body.items;
    const aFindings = (await call(app, 'GET', `/v1/findings?documentId=${a.body.document.id}`, { token: labA.token })).body.items;
    expect(bFindings[0]).toMatchObject({ status: 'duplicate', vulnId: aFindings[0].vulnId });
    expect(aFindings[0].status).toBe('first-report');
    expect(bFindings[0].linkReason).toMatch(/exact-key|near-location/);
    // B sees the record with its own finding only, and nothing about A
    const seenByB = await call(app, 'GET', `/v1/vulns/${bFindings[0].vulnDisplayId}`, { token: labB.token });
    expect(seenByB.status).toBe(200);
    expect(seenByB.body.findings).toHaveLength(1);
    expect(seenByB.text).not.toContain(labA.orgId);
    expect(seenByB.body.creditedOrgId).toBeUndefined();
    expect(seenByB.body.findingCount).toBe(1);
    // A's finding is not found for B; findings are not for operators
    expect((await call(app, 'GET', `/v1/findings/${aFindings[0].id}`, { token: labB.token })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/findings', { token: operator.token })).status).toBe(403);
    // the coordinator sees both and who is credited
    const full = await call(app, 'GET', `/v1/vulns/${aFindings[0].vulnId}`);
    expect(full.body.findings).toHaveLength(2);
    expect(full.body.creditedOrgId).toBe(labA.orgId);
    // an unrelated record stays invisible to B
    const other = (await call(app, 'GET', '/v1/findings?limit=500', { token: labA.token })).body.items.find((f: any) => f.vulnId !== aFindings[0].vulnId);
    expect((await call(app, 'GET', `/v1/vulns/${other.vulnId}`, { token: labB.token })).status).toBe(404);
    // auditors see metadata but not the reported detail
    const audited = await call(app, 'GET', `/v1/findings/${aFindings[0].id}`, { token: auditor.token });
    expect(audited.status).toBe(200);
    expect(audited.body.detail).toBeUndefined();
    expect((await call(app, 'GET', `/v1/findings/${aFindings[0].id}`, { token: labA.token })).body.detail.location.function).toBe('parse_header');
  });

  it('links advisories from different databases by alias', async () => {
    const ghsa = {
      id: 'GHSA-aaaa-bbbb-cccc',
      modified: '2024-01-02T00:00:00Z',
      published: '2024-01-01T00:00:00Z',
      aliases: ['CVE-2024-0001'],
      summary: 'Prototype pollution in tiny-merge',
      details: 'tiny-merge before 1.2.3 lets attackers set Object.prototype properties via a crafted __proto__ key.',
      affected: [{ package: { ecosystem: 'npm', name: 'tiny-merge' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }] }],
    };
    const other = { ...ghsa, id: 'OSV-2024-77', aliases: ['CVE-2024-0001'], summary: 'tiny-merge prototype pollution' };
    const first = await call(app, 'POST', '/v1/findings', { token: labA.token, body: [ghsa] });
    expect(first.status, first.text).toBe(201);
    const second = await call(app, 'POST', '/v1/findings', { token: labB.token, body: other });
    expect(second.status, second.text).toBe(201);
    expect(second.body.summary).toMatchObject({ duplicates: 1, reasons: { alias: 1 } });
  });

  it('processes a large document as a background job the client can poll, and fails a malformed one storing nothing', async () => {
    const results = Array.from({ length: 6000 }, (_, i) => ({ ruleId: i % 2 ? 'FF1001' : 'FF1010', line: i + 1, snippet: `call_${i}(arg_${i} , buffer_${i});`, file: `src/gen/file${i % 50}.c` }));
    const big = sarif(results);
    const res = await call(app, 'POST', `/v1/findings?targetId=${targetId}`, { token: labB.token, body: big });
    expect(res.status, res.text).toBe(202);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.jobId}`);
    const queued = await call(app, 'GET', `/v1/jobs/${res.body.jobId}`, { token: labB.token });
    expect(queued.body.status).toBe('queued');
    expect((await call(app, 'GET', `/v1/jobs/${res.body.jobId}`, { token: labA.token })).status).toBe(404);
    // resubmitting while queued returns the same job
    const again = await call(app, 'POST', `/v1/findings?targetId=${targetId}`, { token: labB.token, body: big });
    expect(again.status).toBe(200);
    expect(again.body.jobId).toBe(res.body.jobId);
    expect(await app.services.jobs.drain()).toBe(1);
    const done = await call(app, 'GET', `/v1/jobs/${res.body.jobId}`, { token: labB.token });
    expect(done.body.status, JSON.stringify(done.body)).toBe('succeeded');
    expect(done.body.result).toMatchObject({ findings: 6000 });
    const doc = await call(app, 'GET', `/v1/documents/${res.body.document.id}`, { token: labB.token });
    expect(doc.body.findings).toBe(6000);

    const size = await logSize();
    const broken = sarif(results.slice(0, 5000)) as any;
    broken.runs[0].results[4321].locations[0].physicalLocation.region.startLine = -5;
    const bad = await call(app, 'POST', `/v1/findings?targetId=${targetId}`, { token: labB.token, body: broken });
    expect(bad.status).toBe(202);
    await app.services.jobs.drain();
    const failed = await call(app, 'GET', `/v1/jobs/${bad.body.jobId}`, { token: labB.token });
    expect(failed.body.status).toBe('failed');
    expect(failed.body.error.field).toBe('/runs/0/results/4321/locations/0/physicalLocation/region/startLine');
    expect((await call(app, 'GET', `/v1/documents/${bad.body.document.id}`, { token: labB.token })).status).toBe(404);
    // the log records the submission and its rejection; no finding of it was stored
    const entries = (await call(app, 'GET', `/v1/log/entries?start=${size}&end=${await logSize()}`, { token: null })).body.entries;
    const actions = entries.map((e: any) => JSON.parse(Buffer.from(e.data, 'base64').toString()).action);
    expect(actions).toEqual(expect.arrayContaining(['document.submit', 'document.reject']));
    expect(actions).not.toContain('findings.link');
  });

  it('lets coordinators merge and split records with a recorded reason, and nobody else', async () => {
    const mine = (await call(app, 'GET', '/v1/findings?limit=500', { token: labA.token })).body.items.filter((f: any) => f.kind === 'code');
    const [x, y] = [mine[0], mine[1]];
    expect(x.vulnId).not.toBe(y.vulnId);
    expect((await call(app, 'POST', `/v1/vulns/${x.vulnId}/merge`, { token: labA.token, body: { into: y.vulnId, reason: 'same root cause' } })).status).toBe(403);
    expect((await call(app, 'POST', `/v1/vulns/${x.vulnId}/merge`, { body: { into: y.vulnId } })).status).toBe(400);
    const merged = await call(app, 'POST', `/v1/vulns/${x.vulnId}/merge`, { body: { into: y.vulnDisplayId, reason: 'same root cause in the header parser' } });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body.id).toBe(y.vulnId);
    expect(merged.body.decisions[0]).toMatchObject({ action: 'merge', reason: 'same root cause in the header parser' });
    const moved = merged.body.findings.find((f: any) => f.id === x.id);
    expect(moved.linkReason).toBe('coordinator-merge');
    const split = await call(app, 'POST', `/v1/vulns/${y.vulnId}/split`, { body: { findingIds: [x.id], reason: 'different sink after all' } });
    expect(split.status, split.text).toBe(201);
    expect(split.body.findings.map((f: any) => f.id)).toEqual([x.id]);
    expect((await call(app, 'POST', `/v1/vulns/${y.vulnId}/split`, { body: { findingIds: [x.id], reason: 'again' } })).status).toBe(400);
  });
});
