// Import sources over HTTP, on both databases, against a local HTTP server this file starts: a KEV catalog,
// an EPSS CSV and an OSV JSON export fetched by URL and imported by the job queue; the same bytes or a 304
// recorded as `unchanged` without an import; a changed file imported with what changed; a failing server
// or document recorded as `failed` with nothing stored; bad URLs and intervals refused naming the field;
// other organizations denied; a scheduled source re-imported when the test clock reaches its time, with
// one pending job; a deleted source left alone.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogRecord } from '../../src/core/log/entry.js';
import { parseCheckpoint } from '../../src/formats/checkpoint.js';
import { parseVerifierKey, verifyNote } from '../../src/formats/signed-note.js';
import { ImportSourceService, importSourceJobKind } from '../../src/services/import-sources.js';
import type { Job } from '../../src/store/jobs.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';
import { corpusPath, hasCorpus } from '../support/corpus.js';
import { engineName } from '../support/db.js';

interface Served {
  body?: string | Buffer;
  status?: number;
  etag?: string;
  redirect?: string;
  /** Sends the headers and part of the body, then nothing. */
  stall?: boolean;
}

let app: TestApp;
let http: Server;
let base: string;
const served = new Map<string, Served>();
const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];

/** The KEV catalog: the corpus's real one when present, else a small one written here. */
function kevCatalog(): any {
  if (hasCorpus) return JSON.parse(readFileSync(corpusPath('kev', 'known_exploited_vulnerabilities.json'), 'utf8'));
  const vulnerabilities = Array.from({ length: 12 }, (_, i) => ({
    cveID: `CVE-2024-${1000 + i}`,
    vendorProject: 'Example',
    product: 'Widget',
    vulnerabilityName: `Widget flaw ${i}`,
    dateAdded: '2025-01-02',
    shortDescription: 'A flaw.',
    requiredAction: 'Patch.',
    dueDate: '2025-01-23',
    knownRansomwareCampaignUse: 'Unknown',
  }));
  return { title: 'test catalog', catalogVersion: '2025.01.02', dateReleased: '2025-01-02T00:00:00Z', count: vulnerabilities.length, vulnerabilities };
}

/** OSV records: real RustSec ones from the corpus (from..to) when present, else a few written here. */
function osvRecords(from: number, to: number): any[] {
  if (hasCorpus) {
    const dir = corpusPath('osv', 'rustsec', 'crates');
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().slice(from, to).map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')));
  }
  return Array.from({ length: Math.min(to - from, 3) }, (_, i) => from + i + 1).map((n) => ({
    schema_version: '1.6.0',
    id: `RUSTSEC-2099-${String(n).padStart(4, '0')}`,
    modified: '2025-01-01T00:00:00Z',
    published: '2025-01-01T00:00:00Z',
    summary: `test advisory ${n}`,
    affected: [{ package: { ecosystem: 'crates.io', name: `clearinghouse-test-${n}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }] }],
  }));
}

const epss = (rows: Array<[string, number]>) => ['#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z', 'cve,epss,percentile', ...rows.map(([c, e]) => `${c},${e},0.5`)].join('\n');

beforeAll(async () => {
  app = await startTestApp();
  http = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    const f = served.get(path);
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such file');
      return;
    }
    if (f.redirect) {
      res.writeHead(302, { location: f.redirect }).end();
      return;
    }
    if (f.status && f.status >= 400) {
      res.writeHead(f.status, { 'content-type': 'text/plain' }).end('the server broke');
      return;
    }
    if (f.stall) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).write('{"title": ');
      return;
    }
    if (f.etag && req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, { etag: f.etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...(f.etag ? { etag: f.etag } : {}) }).end(f.body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
  await app?.close();
});

const register = (body: Record<string, unknown>, token?: string) => call(app, 'POST', '/v1/import-sources', { body, ...(token ? { token } : {}) });
const source = async (id: string) => (await call(app, 'GET', `/v1/import-sources/${id}`)).body;
const imports = async () => (await call(app, 'GET', '/v1/imports?limit=500')).body.items as any[];
const job = async (id: string) => (await call(app, 'GET', `/v1/jobs/${id}`)).body;

/** Asks for a run and lets the queue run everything due; returns the run's job. */
async function runNow(id: string) {
  app.clock.advance(60_000); // imports list newest first
  const res = await call(app, 'POST', `/v1/import-sources/${id}/run`, { body: {} });
  expect(res.status, res.text).toBe(202);
  expect(res.body.source.id).toBe(id);
  await app.services.jobs.drain();
  return job(res.body.jobId);
}

/** The source's jobs that have not ended, straight from the database (the API shows no run_after). */
async function pending(id: string) {
  return app.services.ctx.db.selectFrom('jobs').select(['id', 'status', 'run_after']).where('kind', '=', importSourceJobKind).where('subject_id', '=', id).where('status', 'in', ['queued', 'running']).execute();
}

async function logActions(objectId: string): Promise<string[]> {
  const key = (await call(app, 'GET', '/v1/log/key', { token: null })).text.trim();
  const cp = parseCheckpoint(verifyNote((await call(app, 'GET', '/v1/log/checkpoint', { token: null })).text, parseVerifierKey(key)));
  const res = await call(app, 'GET', `/v1/log/entries?start=0&end=${cp.size}`, { token: null });
  return (res.body.entries as Array<{ data: string }>).map((e) => decodeLogRecord(Buffer.from(e.data, 'base64'))).filter((r) => r.objectId === objectId).map((r) => r.action);
}

describe(`import sources (${engineName})`, () => {
  const kev = kevCatalog();

  it('registers a KEV source, runs it as a job and records the import with its counts', async () => {
    served.set('/kev.json', { body: JSON.stringify(kev) });
    const created = await register({ kind: 'kev', url: `${base}/kev.json` });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ kind: 'kev', url: `${base}/kev.json`, everyHours: null, nextRunAt: null, lastStatus: null, lastImportId: null, disabled: false });
    // registering without a schedule queues nothing
    expect(await pending(created.body.id)).toEqual([]);
    const done = await runNow(created.body.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result).toMatchObject({ status: 'ok', import: { kind: 'kev', source: `${base}/kev.json`, records: kev.count, added: kev.count, changed: 0 } });
    const s = await source(created.body.id);
    expect(s).toMatchObject({ lastStatus: 'ok', lastError: null, lastImportId: done.result.import.id, lastSha256: done.result.import.sha256, nextRunAt: null });
    expect((await imports())[0]).toMatchObject({ id: done.result.import.id, source: `${base}/kev.json` });
    expect(await logActions(created.body.id)).toEqual(['import-source.create', 'import-source.run', 'import-source.check']);
  });

  it('records the same bytes again as unchanged without an import, and a changed catalog as a new import with what changed', async () => {
    const s = (await call(app, 'GET', '/v1/import-sources')).body.items.find((x: any) => x.kind === 'kev');
    const before = await imports();
    const again = await runNow(s.id);
    expect(again.result).toMatchObject({ status: 'unchanged' });
    expect(again.result.import).toBeUndefined();
    expect(await imports()).toHaveLength(before.length);
    expect(await source(s.id)).toMatchObject({ lastStatus: 'unchanged', lastImportId: s.lastImportId });

    const changed = structuredClone(kev);
    const removed = changed.vulnerabilities.shift().cveID;
    changed.vulnerabilities.push({ ...changed.vulnerabilities[0], cveID: 'CVE-2099-12345' });
    served.set('/kev.json', { body: JSON.stringify(changed) });
    const third = await runNow(s.id);
    expect(third.result).toMatchObject({ status: 'ok', import: { added: 1, changed: 1, changes: { added: ['CVE-2099-12345'], changed: [removed] } } });
    expect(await imports()).toHaveLength(before.length + 1);
    expect(await source(s.id)).toMatchObject({ lastStatus: 'ok', lastImportId: third.result.import.id });
  });

  it('sends the ETag back and records a 304 as unchanged; a new version is imported', async () => {
    served.set('/epss.csv', { body: epss([['CVE-2021-44228', 0.94], ['CVE-2024-1000', 0.1]]), etag: '"v1"' });
    const s = (await register({ kind: 'epss', url: `${base}/epss.csv` })).body;
    const first = await runNow(s.id);
    expect(first.result).toMatchObject({ status: 'ok', import: { kind: 'epss', records: 2, added: 2 } });
    expect(await source(s.id)).toMatchObject({ etag: '"v1"' });
    const before = (await imports()).length;
    const second = await runNow(s.id);
    expect(seen.at(-1)).toMatchObject({ path: '/epss.csv', headers: { 'if-none-match': '"v1"' } });
    expect(second.result).toMatchObject({ status: 'unchanged' });
    expect(await imports()).toHaveLength(before);
    served.set('/epss.csv', { body: epss([['CVE-2021-44228', 0.95], ['CVE-2024-1000', 0.1], ['CVE-2024-1001', 0.2]]), etag: '"v2"' });
    const third = await runNow(s.id);
    expect(third.result).toMatchObject({ status: 'ok', import: { records: 3, added: 1, changed: 1, unchanged: 1 } });
    expect(await source(s.id)).toMatchObject({ etag: '"v2"', lastStatus: 'ok' });
  });

  it('imports a zipped OSV export fetched through a redirect', async () => {
    const records = osvRecords(100, 103);
    const zip = zipSync(Object.fromEntries(records.map((r) => [`${r.id}.json`, strToU8(JSON.stringify(r))])));
    served.set('/exports/all.zip', { body: Buffer.from(zip) });
    served.set('/latest.zip', { redirect: '/exports/all.zip' });
    const s = (await register({ kind: 'osv', url: `${base}/latest.zip` })).body;
    const done = await runNow(s.id);
    expect(done.result).toMatchObject({ status: 'ok', import: { kind: 'osv', source: `${base}/latest.zip`, records: 3 } });
    expect(seen.slice(-2).map((r) => r.path)).toEqual(['/latest.zip', '/exports/all.zip']);
  });

  it('records a failing server, a redirect to another scheme and a broken document as failed, storing nothing', async () => {
    const count = (await imports()).length;
    served.set('/broken.zip', { status: 500 });
    const osv = (await register({ kind: 'osv', url: `${base}/broken.zip` })).body;
    const failed = await runNow(osv.id);
    expect(failed.status).toBe('failed');
    expect(failed.error.detail).toMatch(/HTTP 500/);
    expect(await source(osv.id)).toMatchObject({ lastStatus: 'failed', lastError: 'HTTP 500 Internal Server Error', lastImportId: null, lastSha256: null });

    served.set('/moved', { redirect: 'ftp://127.0.0.1/kev.json' });
    const moved = (await register({ kind: 'kev', url: `${base}/moved` })).body;
    const refused = await runNow(moved.id);
    expect(refused.status).toBe('failed');
    expect((await source(moved.id)).lastError).toMatch(/redirected to ftp:.*only http and https/);

    // a source that imported before keeps its import when a later run fails
    const kevSource = (await call(app, 'GET', '/v1/import-sources')).body.items.find((x: any) => x.kind === 'kev' && x.url === `${base}/kev.json`);
    const good = served.get('/kev.json')!;
    served.set('/kev.json', { body: '{"title": "cut off' });
    const broken = await runNow(kevSource.id);
    expect(broken.status).toBe('failed');
    expect(broken.error.detail).toMatch(/not valid JSON/);
    expect(await source(kevSource.id)).toMatchObject({ lastStatus: 'failed', lastError: expect.stringMatching(/not valid JSON/), lastImportId: kevSource.lastImportId, lastSha256: kevSource.lastSha256 });
    expect(await imports()).toHaveLength(count);
    served.set('/kev.json', good);
    const back = await runNow(kevSource.id);
    expect(back.result).toMatchObject({ status: 'unchanged' });
  });

  it('gives up on a body over the size limit and on a server that stalls past the time limit', async () => {
    // the same service with small limits, running the job directly
    const small = new ImportSourceService(app.services.ctx, app.services.advisories, { maxBytes: 100, timeoutMs: 300 });
    const jobFor = (id: string) => ({ id: randomUUID(), kind: importSourceJobKind, subjectId: id }) as Job;
    served.set('/big.csv', { body: epss(Array.from({ length: 20 }, (_, i) => [`CVE-2024-${2000 + i}`, 0.1])) });
    const big = (await register({ kind: 'epss', url: `${base}/big.csv` })).body;
    await expect(small.runJob(jobFor(big.id))).rejects.toThrow(/more than the 100 bytes/);
    expect(await source(big.id)).toMatchObject({ lastStatus: 'failed', lastError: expect.stringMatching(/100 bytes/), lastImportId: null });
    served.set('/slow.json', { stall: true });
    const slow = (await register({ kind: 'kev', url: `${base}/slow.json` })).body;
    await expect(small.runJob(jobFor(slow.id))).rejects.toThrow(/timed out/);
    expect(await source(slow.id)).toMatchObject({ lastStatus: 'failed', lastError: expect.stringMatching(/timed out after/) });
  });

  it('refuses URLs it will not fetch and intervals out of range, naming the field', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/kev.json', 'https://user:secret@example.org/kev.json', 'not a url']) {
      const res = await register({ kind: 'kev', url });
      expect(res.status, url).toBe(400);
      expect(res.body.field).toBe('/url');
    }
    for (const everyHours of [0, 8761, 1.5]) {
      const res = await register({ kind: 'kev', url: `${base}/other.json`, everyHours });
      expect(res.status, String(everyHours)).toBe(400);
      expect(res.body.field).toBe('/everyHours');
    }
    const kind = await register({ kind: 'nvd', url: `${base}/other.json` });
    expect(kind.status).toBe(400);
    expect(kind.body.field).toBe('/kind');
    const twice = await register({ kind: 'kev', url: `${base}/kev.json` });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already fetches/);
  });

  it('lets coordinators act and auditors read; other organizations get 403, unknown ids 404', async () => {
    const operator = await orgWithToken(app, { name: 'Water Co', kind: 'operator', assetClass: 'sltt' });
    const scanner = await orgWithToken(app, { name: 'Lab', kind: 'scanner' });
    const auditor = await orgWithToken(app, { name: 'Inspector General', kind: 'auditor' });
    const id = (await call(app, 'GET', '/v1/import-sources')).body.items[0].id;
    for (const who of [operator, scanner]) {
      expect((await register({ kind: 'kev', url: `${base}/x.json` }, who.token)).status).toBe(403);
      expect((await call(app, 'GET', '/v1/import-sources', { token: who.token })).status).toBe(403);
      expect((await call(app, 'GET', `/v1/import-sources/${id}`, { token: who.token })).status).toBe(403);
      expect((await call(app, 'POST', `/v1/import-sources/${id}/run`, { token: who.token, body: {} })).status).toBe(403);
      expect((await call(app, 'DELETE', `/v1/import-sources/${id}`, { token: who.token })).status).toBe(403);
    }
    expect((await call(app, 'GET', '/v1/import-sources', { token: auditor.token })).status).toBe(200);
    expect((await call(app, 'GET', `/v1/import-sources/${id}`, { token: auditor.token })).status).toBe(200);
    expect((await call(app, 'POST', `/v1/import-sources/${id}/run`, { token: auditor.token, body: {} })).status).toBe(403);
    expect((await register({ kind: 'kev', url: `${base}/x.json` }, auditor.token)).status).toBe(403);
    for (const wrong of [randomUUID(), 'nope']) {
      expect((await call(app, 'GET', `/v1/import-sources/${wrong}`)).status).toBe(404);
      expect((await call(app, 'POST', `/v1/import-sources/${wrong}/run`, { body: {} })).status).toBe(404);
      expect((await call(app, 'DELETE', `/v1/import-sources/${wrong}`)).status).toBe(404);
    }
  });

  it('runs a scheduled OSV source at once, then again when the clock reaches its time, with one pending job', async () => {
    const records = osvRecords(0, 20);
    served.set('/osv.json', { body: JSON.stringify(records) });
    const t0 = app.clock.now();
    const s = (await register({ kind: 'osv', url: `${base}/osv.json`, everyHours: 24 })).body;
    expect(s).toMatchObject({ everyHours: 24, nextRunAt: t0.toISOString() });
    const queued = await pending(s.id);
    expect(queued).toHaveLength(1);
    // asking to run now while the run is queued answers the same job
    const asked = await call(app, 'POST', `/v1/import-sources/${s.id}/run`, { body: {} });
    expect(asked.body.jobId).toBe(queued[0]!.id);
    expect(await pending(s.id)).toHaveLength(1);
    expect(await app.services.jobs.drain()).toBe(1);
    const first = await job(queued[0]!.id);
    expect(first.result).toMatchObject({ status: 'ok', import: { kind: 'osv', records: records.length, added: records.length } });

    const next = new Date(t0.getTime() + 24 * 3_600_000);
    const scheduled = await pending(s.id);
    expect(scheduled).toHaveLength(1);
    expect(new Date(scheduled[0]!.run_after).toISOString()).toBe(next.toISOString());
    expect((await source(s.id)).nextRunAt).toBe(next.toISOString());
    // not due yet
    app.clock.advance(23 * 3_600_000);
    expect(await app.services.jobs.runOne()).toBe(false);

    const edited = structuredClone(records);
    edited[1].summary = `${edited[1].summary ?? ''} (corrected)`;
    served.set('/osv.json', { body: JSON.stringify(edited) });
    app.clock.set(new Date(next.getTime() + 60_000));
    expect(await app.services.jobs.runOne()).toBe(true);
    const second = await job(scheduled[0]!.id);
    expect(second.result).toMatchObject({ status: 'ok', import: { added: 0, changed: 1, changes: { changed: [edited[1].id] } } });
    const after = await pending(s.id);
    expect(after).toHaveLength(1);
    expect(new Date(after[0]!.run_after).toISOString()).toBe(new Date(next.getTime() + 60_000 + 24 * 3_600_000).toISOString());

    // run now while the scheduled run waits: the same job, moved up; still one pending
    const now = await call(app, 'POST', `/v1/import-sources/${s.id}/run`, { body: {} });
    expect(now.status).toBe(202);
    expect(now.body.jobId).toBe(after[0]!.id);
    const moved = await pending(s.id);
    expect(moved).toHaveLength(1);
    expect(new Date(moved[0]!.run_after).toISOString()).toBe(app.clock.now().toISOString());
    expect(await app.services.jobs.drain()).toBe(1);
    expect((await job(after[0]!.id)).result).toMatchObject({ status: 'unchanged' });
    expect(await pending(s.id)).toHaveLength(1);
  });

  it('stops a deleted source: its pending run does nothing and none follows', async () => {
    const s = (await call(app, 'GET', '/v1/import-sources')).body.items.find((x: any) => x.kind === 'osv' && x.everyHours === 24);
    const [waiting] = await pending(s.id);
    expect(waiting).toBeDefined();
    const deleted = await call(app, 'DELETE', `/v1/import-sources/${s.id}`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body).toMatchObject({ disabled: true, nextRunAt: null });
    const count = (await imports()).length;
    const requests = seen.length;
    app.clock.advance(48 * 3_600_000);
    expect(await app.services.jobs.drain()).toBe(1);
    expect((await job(waiting!.id)).result).toMatchObject({ status: 'skipped' });
    expect(seen).toHaveLength(requests);
    expect(await imports()).toHaveLength(count);
    expect(await pending(s.id)).toEqual([]);
    expect((await call(app, 'POST', `/v1/import-sources/${s.id}/run`, { body: {} })).status).toBe(409);
    expect((await call(app, 'DELETE', `/v1/import-sources/${s.id}`)).status).toBe(200);
    expect((await source(s.id)).disabled).toBe(true);
    expect(await logActions(s.id)).toContain('import-source.delete');
    // the URL can be registered again
    expect((await register({ kind: 'osv', url: `${base}/osv.json` })).status).toBe(201);
  });
});
