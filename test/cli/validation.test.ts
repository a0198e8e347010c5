// Validation from the command line against a real `clearinghouse serve`, and a worker killed in the middle
// of a reproduction whose job completes after the server restarts: the recipe, validate, fix, attest,
// reject, job list, org quality, policy and attestation commands, with offline attestation verification.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAvailable } from '../../src/sandbox/bubblewrap.js';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { makePlantedRepo, type PlantedRepo } from '../support/planted-repo.js';
import { apiRequest, cli, startServer, type ServerProcess } from '../support/server-process.js';

const availability = await sandboxAvailable();
if (!availability.ok) console.warn(`validation CLI tests skipped: ${availability.reason}`);

let scratch: string;
let server: ServerProcess;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;
let admin: string;
let planted: PlantedRepo;

const api = (method: string, path: string, token: string, body?: unknown) => apiRequest(server, method, path, token, body);

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function finding(title: string, pocName: string, over: Record<string, unknown> = {}) {
  return {
    clearinghouseFinding: '1.0',
    title,
    target: { repo: 'https://example.org/tlv.git' },
    commit: planted.commits.introduced,
    location: { path: `src/${pocName}.c` },
    cwe: 'CWE-125',
    scanner: { name: 'lab-agent', version: '1.0' },
    proofOfConcept: { filename: `${pocName}.bin`, mediaType: 'application/octet-stream', contentBase64: planted.pocs['truncated-only']!.toString('base64') },
    ...over,
  };
}

describe.skipIf(!availability.ok)(`validation from the CLI and a killed worker (${engineName})`, () => {
  let lab: string;
  let targetId: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ch-validation-cli-'));
    planted = await makePlantedRepo(join(scratch, 'tlv'));
    if (serverUrl) database = await createServerDatabase();
    env = {
      ...process.env,
      CLEARINGHOUSE_HOME: join(scratch, 'data'),
      DATABASE_URL: database?.url ?? '',
      CLEARINGHOUSE_TOKEN: '',
      CLEARINGHOUSE_URL: '',
      // a short lease so that a killed worker's job is taken over quickly
      CLEARINGHOUSE_JOB_LEASE_MS: '3000',
      CLEARINGHOUSE_WORKERS: '1',
      CLEARINGHOUSE_WORK_DIR: join(tmpdir(), `ch-validation-cli-work-${process.pid}`),
    };
    server = await startServer(env);
    env.CLEARINGHOUSE_URL = server.url;
    admin = readFileSync(join(scratch, 'data', 'admin.token'), 'utf8').trim();
    const org = await api('POST', '/v1/orgs', admin, { name: 'Lab A', kind: 'scanner' });
    lab = (await api('POST', '/v1/tokens', admin, { orgId: org.id, scopes: ['write'] })).token;
    targetId = (await api('POST', '/v1/targets', admin, { name: 'tlv', repo: 'https://example.org/tlv.git', criticality: 0.9 })).id;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (env?.CLEARINGHOUSE_WORK_DIR) await rm(env.CLEARINGHOUSE_WORK_DIR, { recursive: true, force: true });
  });

  it('finishes a reproduction whose worker was killed mid-run once the server is back', async () => {
    // the build takes a few seconds, so the kill lands while the job is running
    const slow = await cli(
      ['target', 'recipe', targetId, '--source-kind', 'git', '--source', planted.dir, '--commit', planted.commits.fixed, '--build', `sleep 4; ${planted.buildCommand}`, '--run', planted.runCommand],
      { ...env, CLEARINGHOUSE_TOKEN: admin },
    );
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.stdout).toMatch(/source:\s+git /);
    const submitted = await api('POST', '/v1/findings', lab, finding('Over-read in checksum_value', 'killed'));
    const job = await until('the reproduction to start', async () => {
      const jobs = (await api('GET', '/v1/jobs?kind=reproduce', admin)).items;
      return jobs.find((j: any) => j.status === 'running');
    });
    expect(job.attempts).toBe(1);
    await server.stop('SIGKILL');
    server = await startServer(env);
    env.CLEARINGHOUSE_URL = server.url;
    const done = await until('the job to finish after the restart', async () => {
      const j = await api('GET', `/v1/jobs/${job.id}`, admin);
      return j.status === 'succeeded' || j.status === 'failed' ? j : null;
    });
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.attempts).toBe(2);
    const doc = await api('GET', `/v1/findings?documentId=${submitted.document.id}`, lab);
    const v = await api('GET', `/v1/vulns/${doc.items[0].vulnId}`, admin);
    expect(v.validation).toMatchObject({ state: 'validated', method: 'reproduction', crashSignature: planted.expectedKey });
    expect(v.reproductions).toHaveLength(1);
    expect(v.reproductions[0].status).toBe('reproduced');
  }, 180_000);

  it('runs the validation commands, and verifies an attestation offline with only the key', async () => {
    const as = (token: string) => ({ ...env, CLEARINGHOUSE_TOKEN: token });
    await cli(['target', 'recipe', targetId, '--source-kind', 'git', '--source', planted.dir, '--commit', planted.commits.fixed, '--build', planted.buildCommand, '--run', planted.runCommand], as(admin));
    const shown = await cli(['target', 'recipe', targetId], as(admin));
    expect(shown.stdout).toContain(planted.runCommand);
    const incomplete = await cli(['target', 'recipe', targetId, '--source', planted.dir], as(admin));
    expect(incomplete.code).not.toBe(0);
    expect(incomplete.stderr).toMatch(/missing --source-kind/);
    expect((await cli(['target', 'recipe', targetId, '--source-kind', 'git', '--source', planted.dir, '--commit', 'x', '--build', 'make', '--run', './prog'], as(admin))).stderr).toMatch(/field \/runCommand/);

    // a finding submitted before the policy turned automatic reproduction off is reproduced on request
    const policy = await cli(['policy', 'set', 'validation.autoReproduce=false'], as(admin));
    expect(policy.code, policy.stderr).toBe(0);
    expect((await cli(['policy', 'set', 'validation.autoReproduce=false'], as(lab))).code).not.toBe(0);
    expect((await cli(['policy', 'show'], env)).stdout).toMatch(/validation\.autoReproduce\s+false\s+true/);
    const submitted = await api('POST', '/v1/findings', lab, finding('Checksum over-read', 'manual', { location: { path: 'src/manual.c', function: 'read_tlv' } }));
    const vulnId = (await api('GET', `/v1/findings?documentId=${submitted.document.id}`, lab)).items[0].vulnId;
    expect((await api('GET', `/v1/vulns/${vulnId}`, admin)).reproductions).toEqual([]);
    expect((await cli(['vuln', 'validate', vulnId], as(lab))).code).not.toBe(0);
    const validated = await cli(['vuln', 'validate', vulnId], as(admin));
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toMatch(/validation:\s+validated by reproduction \(confidence 0\.95\)/);
    expect(validated.stdout).toContain(planted.expectedKey);
    // the same bug as the record reproduced in the test before: same crash signature, so merged into it
    const root = (await api('GET', `/v1/vulns/${vulnId}`, admin)).mergedInto;
    expect(root).toBeTruthy();
    const shownVuln = await cli(['vuln', 'show', root], as(lab));
    expect(shownVuln.code, shownVuln.stderr).toBe(0);
    expect(shownVuln.stdout).toMatch(/validation:\s+validated by reproduction/);
    expect(shownVuln.stdout).toMatch(/reproduced\s+reproduced/);

    // the attestation: downloaded, then verified with nothing but the key (no server, no token)
    const reproductionId = (await api('GET', `/v1/vulns/${vulnId}`, admin)).reproductions[0].id;
    const file = join(scratch, 'attestation.json');
    expect((await cli(['attestation', 'get', reproductionId, '-o', file], as(lab))).code).toBe(0);
    const key = (await api('GET', '/v1/attestations/key', admin)).vkey;
    const offline = { ...process.env, CLEARINGHOUSE_URL: 'http://127.0.0.1:9', CLEARINGHOUSE_TOKEN: '' };
    const verified = await cli(['attestation', 'verify', file, '--key', key], offline);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^verified: signed by the clearinghouse key/);
    expect(verified.stdout).toMatch(/result:\s+reproduced \(reproduced\)/);
    const pem = join(scratch, 'key.pem');
    writeFileSync(pem, (await api('GET', '/v1/attestations/key', admin)).pem);
    expect((await cli(['attestation', 'verify', file, '--key', pem], offline)).code).toBe(0);
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
    statement.predicate.result = 'not-reproduced';
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    writeFileSync(file, JSON.stringify(envelope));
    const forged = await cli(['attestation', 'verify', file, '--key', key], offline);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toMatch(/does not verify/);

    expect((await cli(['vuln', 'fix', vulnId, '--commit', planted.commits.fixed], as(admin))).stderr).toMatch(/merged into another record/);
    const fix = await cli(['vuln', 'fix', root, '--commit', planted.commits.fixed], as(admin));
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stdout).toMatch(/fix:\s+[0-9a-f]{40} \(fix-verified\)/);

    const other = await api('POST', '/v1/findings', lab, finding('Not really a bug', 'other', { location: { path: 'src/other.c' }, proofOfConcept: null }));
    const otherVuln = (await api('GET', `/v1/findings?documentId=${other.document.id}`, lab)).items[0].vulnId;
    const rejected = await cli(['vuln', 'reject', otherVuln, '--reason', 'not-a-vulnerability', '--rationale', 'the length is checked by the caller'], as(admin));
    expect(rejected.stdout).toMatch(/rejected: not-a-vulnerability/);
    const attested = await cli(['vuln', 'attest', otherVuln, '--rationale', 'the caller check is missing on one path', '--confidence', '0.6'], as(admin));
    expect(attested.stdout).toMatch(/validated by attestation \(confidence 0\.6\)/);
    expect((await cli(['vuln', 'attest', otherVuln, '--rationale', 'x', '--confidence', '2'], as(admin))).stderr).toMatch(/--confidence/);

    const jobs = await cli(['job', 'list', '--kind', 'reproduce'], as(lab));
    expect(jobs.stdout).toMatch(/reproduce\s+succeeded/);
    const quality = await cli(['org', 'quality'], as(admin));
    expect(quality.stdout).toMatch(/Lab A\s+\d+\s+[\d.]+%\s+2\s+100\.0%/);
    expect((await cli(['org', 'quality'], as(lab))).code).not.toBe(0);
  }, 180_000);
});
