// Frontier-model review from the command line against a real `clearinghouse serve`: a developer registers a
// model with an Inspect log, evaluates it, submits it (a window past 30 days refused in one line), grants a
// partner; the partner reads its access and files a finding; the developer reads the report.
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { apiRequest, cli, startServer, type ServerProcess } from '../support/server-process.js';

let scratch: string;
let server: ServerProcess;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;
let lab: string;
let partner: string;
let partnerId: string;

const fixtures = fileURLToPath(new URL('../fixtures/inspect/', import.meta.url));
const day = 86_400_000;

describe(`model review from the CLI (${engineName})`, () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ch-models-cli-'));
    if (serverUrl) database = await createServerDatabase();
    env = { ...process.env, CLEARINGHOUSE_HOME: join(scratch, 'data'), DATABASE_URL: database?.url ?? '', CLEARINGHOUSE_TOKEN: '', CLEARINGHOUSE_URL: '' };
    server = await startServer(env);
    env.CLEARINGHOUSE_URL = server.url;
    const admin = readFileSync(join(scratch, 'data', 'admin.token'), 'utf8').trim();
    const l = await apiRequest(server, 'POST', '/v1/orgs', admin, { name: 'Frontier Lab', kind: 'scanner' });
    lab = (await apiRequest(server, 'POST', '/v1/tokens', admin, { orgId: l.id, scopes: ['read', 'write'] })).token;
    const p = await apiRequest(server, 'POST', '/v1/orgs', admin, { name: 'Reviewer', kind: 'partner' });
    partnerId = p.id;
    partner = (await apiRequest(server, 'POST', '/v1/tokens', admin, { orgId: p.id, scopes: ['read', 'write'] })).token;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('runs a review from registration to the report', async () => {
    const asLab = { ...env, CLEARINGHOUSE_TOKEN: lab };
    const asPartner = { ...env, CLEARINGHOUSE_TOKEN: partner };
    const release = new Date(Date.now() + 20 * day).toISOString();
    const log = join(fixtures, readdirSync(fixtures).find((f) => f.endsWith('.json'))!);
    const reg = await cli(['model', 'register', '--name', 'frontier-z', '--model-version', '1', '--release', release, '--flop', '2e26', '--eval-log', log, '--json'], asLab);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout.trim().startsWith('{'), reg.stdout).toBe(true);
    const m = JSON.parse(reg.stdout);
    expect(m.results.length).toBe(1);
    const ev = await cli(['model', 'evaluate', m.id], asLab);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toMatch(/covered:\s+yes/);
    const far = await cli(['model', 'submit', m.id, '--release', new Date(Date.now() + 45 * day).toISOString()], asLab);
    expect(far.code).toBe(1);
    expect(far.stderr.trim().split('\n')).toHaveLength(1);
    expect(far.stderr).toMatch(/at most 30 days/);
    const sub = await cli(['model', 'submit', m.id, '--json'], asLab);
    expect(sub.code, sub.stderr).toBe(0);
    const review = JSON.parse(sub.stdout);
    const grant = await cli(['model', 'grant', review.id, '--partner', partnerId, '--scopes', 'api-access', '--instructions', 'use key K-77', '--json'], asLab);
    expect(grant.code, grant.stderr).toBe(0);
    const grantId = JSON.parse(grant.stdout).grants[0].id;
    const access = await cli(['model', 'access', grantId], asPartner);
    expect(access.code, access.stderr).toBe(0);
    expect(access.stdout).toContain('use key K-77');
    const finding = await cli(['model', 'finding', review.id, '--kind', 'safeguard-gap', '--severity', 'medium', '--title', 'Refusals bypassed by role-play', '--description', 'details'], asPartner);
    expect(finding.code, finding.stderr).toBe(0);
    const report = await cli(['model', 'report', review.id], asLab);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('Refusals bypassed by role-play');
    expect(report.stdout).toMatch(/approves nothing/);
    const shown = await cli(['criteria', 'show'], { ...env, CLEARINGHOUSE_TOKEN: '' });
    expect(shown.code, shown.stderr).toBe(0);
  });
});
