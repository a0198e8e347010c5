// Every SARIF log and every OSV record in ../shared/corpus (real documents written by others) ingests
// through POST /v1/findings: SARIF logs one by one, each OSV database as a zip export.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';

const skip = corpusMissing('corpus intake');
let app: TestApp;
let lab: { orgId: string; token: string };
let targetId: string;

beforeAll(async () => {
  if (skip) return;
  app = await startTestApp({ bodyLimit: 64 * 1024 * 1024 });
  lab = await orgWithToken(app, { name: 'Corpus Lab', kind: 'scanner' });
  targetId = (await call(app, 'POST', '/v1/targets', { body: { name: 'corpus', repo: 'https://example.org/corpus.git' } })).body.id;
});
afterAll(() => app?.close());

function files(dir: string, match: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, match));
    else if (match.test(name)) out.push(p);
  }
  return out.sort();
}

/** Submits a document and, when it was queued, runs the job; returns the number of findings stored. */
async function ingest(raw: Buffer, contentType: string, query: string): Promise<number> {
  const s = await ingestSummary(raw, contentType, query);
  return s.findings + s.ignored;
}

async function ingestSummary(raw: Buffer, contentType: string, query: string): Promise<{ findings: number; ignored: number }> {
  const res = await call(app, 'POST', `/v1/findings${query}`, { token: lab.token, raw, headers: { 'content-type': contentType } });
  expect([200, 201, 202], res.text).toContain(res.status);
  if (res.body.state === 'processed') return res.body.summary;
  await app.services.jobs.drain();
  const job = await call(app, 'GET', `/v1/jobs/${res.body.jobId}`, { token: lab.token });
  expect(job.body.status, JSON.stringify(job.body.error)).toBe('succeeded');
  return job.body.result;
}

describe.skipIf(skip)(`corpus documents through the API (${engineName})`, () => {
  it('ingests every SARIF log: one finding per result, but for results that report no problem', async () => {
    const logs = files(corpusPath('sarif'), /\.sarif$/);
    expect(logs.length).toBeGreaterThanOrEqual(20);
    let total = 0;
    for (const file of logs) {
      const raw = readFileSync(file);
      const doc = JSON.parse(raw.toString('utf8')) as { runs?: Array<{ results?: unknown[] }> };
      const expected = (doc.runs ?? []).reduce((n, r) => n + (r.results?.length ?? 0), 0);
      const stored = await ingest(raw, 'application/sarif+json', `?targetId=${targetId}`);
      expect(stored, relative(corpusPath('sarif'), file)).toBe(expected);
      total += stored;
    }
    expect(total).toBeGreaterThan(1000);
  });

  it('ingests every OSV record of every database as a zip export, and refuses what is not OSV', async () => {
    const sources: Array<[string, RegExp]> = [
      ['osv/go', /\.json$/],
      ['osv/pypa', /\.ya?ml$/],
      ['osv/rustsec', /\.json$/],
      ['osv/ghsa', /\.json$/],
    ];
    for (const [dir, match] of sources) {
      const paths = files(corpusPath(dir), match);
      const zip = Buffer.from(zipSync(Object.fromEntries(paths.map((p) => [relative(corpusPath(dir), p), readFileSync(p)]))));
      const stored = await ingest(zip, 'application/zip', '');
      expect(stored, dir).toBe(paths.length);
    }
    const nodejs = files(corpusPath('osv/nodejs-security-wg'), /^\d+\.json$/)[0]!;
    const refused = await call(app, 'POST', '/v1/findings', { token: lab.token, raw: readFileSync(nodejs), headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/not OSV|nodejs|security-wg/i);
  });
});
