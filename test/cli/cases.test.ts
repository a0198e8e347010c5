// Disclosure from the command line against a real `clearinghouse serve`: a coordinator imports reserved CVE
// ids and opens a case, the maintainer reads it (the detail it needs), writes in the thread and reports the
// fix, the coordinator holds with a bare date (refused, one line, exit 1) and publishes; a master key file was
// made in the data directory and no embargoed text is in the database files' case tables.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { apiRequest, cli, startServer, type ServerProcess } from '../support/server-process.js';

let scratch: string;
let server: ServerProcess;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;
let admin: string;
let maint: string;
let vuln: string;

const api = (method: string, path: string, token: string, body?: unknown) => apiRequest(server, method, path, token, body);

describe(`cases from the CLI (${engineName})`, () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ch-cases-cli-'));
    if (serverUrl) database = await createServerDatabase();
    env = { ...process.env, CLEARINGHOUSE_HOME: join(scratch, 'data'), DATABASE_URL: database?.url ?? '', CLEARINGHOUSE_TOKEN: '', CLEARINGHOUSE_URL: '', CLEARINGHOUSE_MASTER_KEY: '' };
    server = await startServer(env);
    env.CLEARINGHOUSE_URL = server.url;
    admin = readFileSync(join(scratch, 'data', 'admin.token'), 'utf8').trim();
    const m = await api('POST', '/v1/orgs', admin, { name: 'zipper maintainers', kind: 'maintainer' });
    maint = (await api('POST', '/v1/tokens', admin, { orgId: m.id, scopes: ['read', 'write'] })).token;
    const l = await api('POST', '/v1/orgs', admin, { name: 'Lab', kind: 'scanner' });
    const lab = (await api('POST', '/v1/tokens', admin, { orgId: l.id, scopes: ['read', 'write'] })).token;
    await api('POST', '/v1/targets', admin, { purl: 'pkg:npm/zipper-ch', maintainerOrgId: m.id, criticality: 0.7 });
    const sub = await api('POST', '/v1/findings', lab, {
      clearinghouseFinding: '1.0',
      title: 'Path traversal in extract',
      description: 'EMBARGOED-ZIP-DETAIL: entries with ../ escape the destination',
      target: { purl: 'pkg:npm/zipper-ch' },
      version: '4.0.0',
      cwe: 'CWE-22',
      scanner: { name: 'lab-agent', version: '1.0' },
    });
    vuln = (await api('GET', `/v1/findings?documentId=${sub.document.id}`, lab)).items[0].vulnId;
    await api('POST', `/v1/vulns/${vuln}/attest`, admin, { rationale: 'reproduced by hand', confidence: 0.9 });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('runs a case from opening to publication', async () => {
    const asAdmin = { ...env, CLEARINGHOUSE_TOKEN: admin };
    const asMaint = { ...env, CLEARINGHOUSE_TOKEN: maint };
    const pool = await cli(['cve-ids', 'import', 'CVE-2026-70001', 'CVE-2026-70002'], asAdmin);
    expect(pool.code, pool.stderr).toBe(0);
    expect(pool.stdout).toMatch(/added:\s+2/);
    const open = await cli(['case', 'open', '--vuln', vuln, '--title', 'Path traversal in zipper-ch', '--json'], asAdmin);
    expect(open.code, open.stderr).toBe(0);
    const c = JSON.parse(open.stdout);
    expect(c.state).toBe('maintainer-notified');
    const shown = await cli(['case', 'show', c.displayId], asMaint);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('EMBARGOED-ZIP-DETAIL');
    expect(shown.stdout).toMatch(/zipper maintainers\s+maintainer\s+1/);
    const msg = await cli(['case', 'message', c.displayId, 'fix lands in 4.0.1'], asMaint);
    expect(msg.code, msg.stderr).toBe(0);
    const fix = await cli(['case', 'fix', c.displayId, '--fixed', '4.0.1'], asMaint);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stdout).toMatch(/state:\s+fix-available/);
    const bad = await cli(['case', 'hold', c.displayId, '--rationale', 'an operational equity needs time', '--review-at', '2027-01-15'], asAdmin);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('/reviewAt');
    const pub = await cli(['case', 'publish', c.displayId], asAdmin);
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toMatch(/state:\s+published/);
    expect(pub.stdout).toContain('CVE-2026-70001');
    const list = await cli(['case', 'list'], asMaint);
    expect(list.stdout).toContain(c.displayId);
    // the master key lives in the data directory, private, unless given in CLEARINGHOUSE_MASTER_KEY
    const keyFile = join(scratch, 'data', 'master.key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o077).toBe(0);
  });
});
