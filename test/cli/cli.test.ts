// The command line against a real server process: organizations, tokens, errors, and `log verify`
// catching an entry changed behind the system's back.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/connect.js';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { cli, startServer, type ServerProcess } from '../support/server-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'ch-cli-'));
const home = join(scratch, 'data'); // created by the server itself
const stateFile = join(scratch, 'verifier-state.json');
let server: ServerProcess;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;

beforeAll(async () => {
  if (serverUrl) database = await createServerDatabase();
  env = { ...process.env, CLEARINGHOUSE_HOME: home, DATABASE_URL: database?.url ?? '', CLEARINGHOUSE_TOKEN: '', CLEARINGHOUSE_URL: '' };
  server = await startServer(env);
  env.CLEARINGHOUSE_URL = server.url;
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

async function ok(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const res = await cli(args, { ...env, ...extraEnv });
  expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
  return res;
}

describe(`clearinghouse CLI (${engineName})`, () => {
  it('first start wrote the signing key and an admin token readable only by its owner, and printed the token once', () => {
    const token = readFileSync(join(home, 'admin.token'), 'utf8').trim();
    expect(token).toMatch(/^chs_/);
    expect(statSync(join(home, 'admin.token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'log-signing.key')).mode & 0o777).toBe(0o600);
    expect(server.stderr().split(token).length - 1).toBe(1);
  });

  it('creates and lists organizations, as a table or as JSON', async () => {
    const created = await ok(['org', 'create', '--name', 'Grid Co', '--kind', 'operator', '--asset-class', 'ci', '--sector', 'energy']);
    expect(created.stdout).toMatch(/Grid Co\s+operator\s+ci\s+energy/);
    await ok(['org', 'create', '--name', 'Frontier Lab', '--kind', 'scanner']);
    const listed = await ok(['org', 'list', '--json']);
    const orgs = JSON.parse(listed.stdout) as Array<{ name: string; kind: string }>;
    expect(orgs.map((o) => o.name)).toEqual(['Clearinghouse coordinators', 'Grid Co', 'Frontier Lab']);
    const table = await ok(['org', 'list', '--kind', 'scanner']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND/);
    expect(table.stdout).toContain('Frontier Lab');
    expect(table.stdout).not.toContain('Grid Co');
  });

  it('fails with one line naming the field and a non-zero status', async () => {
    const res = await cli(['org', 'create', '--name', 'Water Co', '--kind', 'operator', '--asset-class', 'ci'], env);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^clearinghouse: .*sector.*\(field \/sector\) \[HTTP 400\]/);
    const noServer = await cli(['org', 'list'], { ...env, CLEARINGHOUSE_URL: 'http://127.0.0.1:1' });
    expect(noServer.code).toBe(3);
    expect(noServer.stderr).toMatch(/^clearinghouse: cannot reach http:\/\/127\.0\.0\.1:1/);
    const badToken = await cli(['org', 'list'], { ...env, CLEARINGHOUSE_TOKEN: 'chs_' + 'x'.repeat(43) });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain('HTTP 401');
  });

  it('issues, uses and revokes tokens', async () => {
    const orgs = JSON.parse((await ok(['org', 'list', '--json', '--kind', 'operator'])).stdout) as Array<{ id: string }>;
    const issued = JSON.parse((await ok(['token', 'create', '--org', orgs[0]!.id, '--name', 'soc', '--scopes', 'read', '--expires-in-days', '30', '--json'])).stdout);
    expect(issued.token).toMatch(/^chs_/);
    const me = await ok(['whoami'], { CLEARINGHOUSE_TOKEN: issued.token });
    expect(me.stdout).toContain('Grid Co (operator)');
    const list = await ok(['token', 'list', '--org', orgs[0]!.id]);
    expect(list.stdout).toContain(issued.prefix);
    expect(list.stdout).not.toContain(issued.token);
    await ok(['token', 'revoke', issued.id]);
    const denied = await cli(['whoami'], { ...env, CLEARINGHOUSE_TOKEN: issued.token });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/revoked/);
  });

  it('verifies the log, then catches an entry altered behind the system\'s back and names it', async () => {
    const cp = await ok(['log', 'checkpoint']);
    expect(cp.stdout).toMatch(/^[^\n]+\n\d+\n[A-Za-z0-9+/=]{44}\n\n\u2014 /);
    const first = await ok(['log', 'verify', '--state', stateFile]);
    expect(first.stdout).toContain('log verified');
    expect(first.stdout).toContain('first verification from here');
    await ok(['org', 'create', '--name', 'County Hospital', '--kind', 'operator', '--asset-class', 'sltt']);
    const second = await ok(['log', 'verify', '--state', stateFile, '--json']);
    const report = JSON.parse(second.stdout);
    expect(report.previousSize).toBeLessThan(report.size);
    expect(report.entriesChecked).toBe(report.size);

    // Someone with database access rewrites entry 3 (which organization created a token).
    const tamper = async () => {
      const store = serverUrl ? await openStore({ engine: 'server', url: database!.url }) : await openStore({ engine: 'embedded', dataDir: join(home, 'db') });
      const row = await store.db.selectFrom('log_entries').select('data').where('idx', '=', 3).executeTakeFirstOrThrow();
      const altered = Buffer.from(row.data.toString('utf8').replace(/"action":"[a-z.]+"/, '"action":"token.revoke"'));
      expect(altered.equals(row.data)).toBe(false);
      await store.db.updateTable('log_entries').set({ data: altered }).where('idx', '=', 3).execute();
      await store.close();
    };
    if (serverUrl) await tamper();
    else {
      // the embedded database belongs to the server process: stop it, edit the files, start it again
      await server.stop();
      await tamper();
      server = await startServer({ ...env, CLEARINGHOUSE_URL: '' });
      env.CLEARINGHOUSE_URL = server.url;
    }
    const caught = await cli(['log', 'verify', '--state', stateFile], env);
    expect(caught.code).toBe(1);
    expect(caught.stderr).toMatch(/^clearinghouse: entry 3 does not match the signed tree/);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).size).toBe(report.size);
  }, 90_000);

  it('keeps its data directory private', () => {
    expect(existsSync(join(home, 'log-signing.key'))).toBe(true);
    expect(statSync(home).mode & 0o077).toBe(0);
  });

  it('registers an asset and uploads its SBOM as a stream, refusing a broken one with its pointer', async () => {
    const org = JSON.parse((await cli(['--json', 'org', 'create', '--name', 'Plant Operator', '--kind', 'operator', '--asset-class', 'ci', '--sector', 'energy'], env)).stdout);
    const token = JSON.parse((await cli(['--json', 'token', 'create', '--org', org.id, '--scopes', 'read,write'], env)).stdout).token;
    const as = { ...env, CLEARINGHOUSE_TOKEN: token };
    const added = await cli(['asset', 'add', '--name', 'Turbine controller', '--criticality', '0.8'], as);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/class:\s+ci \/ energy/);
    const file = join(home, 'turbine.cdx.json');
    const bom = (purl: string) => ({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'zlib', version: '1.2.13', purl }] });
    writeFileSync(file, JSON.stringify(bom('pkg:generic/zlib@1.2.13')));
    const up = await cli(['sbom', 'upload', file, '--asset', 'Turbine controller'], as);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^stored for Turbine controller: cyclonedx 1\.6: 1 components/);
    expect((await cli(['sbom', 'upload', file, '--asset', 'Turbine controller'], as)).stdout).toMatch(/^unchanged/);
    writeFileSync(file, JSON.stringify(bom('pkg:generic/zlib@1.2.13')).slice(0, -10));
    const broken = await cli(['sbom', 'upload', file, '--asset', 'Turbine controller'], as);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/field \/components/);
    const list = await cli(['asset', 'list'], as);
    expect(list.stdout).toMatch(/Turbine controller\s+ci\/energy\s+0\.8\s+1\s+cyclonedx 1\.6/);
  });

  it.skipIf(corpusMissing('OSV import from the CLI'))('imports a directory of OSV records and answers an exact-version query', async () => {
    const dir = join(home, 'osv');
    mkdirSync(dir);
    const source = corpusPath('osv', 'rustsec', 'crates');
    const files = readdirSync(source).filter((f) => f.endsWith('.json')).sort().slice(0, 20);
    for (const f of files) copyFileSync(join(source, f), join(dir, f));
    const imported = await cli(['import', 'osv', dir], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/records:\s+20/);
    expect(imported.stdout).toMatch(/added:\s+20/);
    const record = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    const name = record.affected[0].package.name;
    const hit = await cli(['--json', 'query', `pkg:cargo/${name}@0.0.1`], env);
    expect(hit.code, hit.stderr).toBe(0);
    expect(JSON.parse(hit.stdout)).toMatchObject({ package: `pkg:cargo/${name}`, version: '0.0.1' });
    const bad = await cli(['query', `pkg:cargo/${name}`], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/field purl/);
  });

  it('scores CVSS vectors locally, and names the metric of a malformed one', async () => {
    const offline = { ...env, CLEARINGHOUSE_URL: 'http://127.0.0.1:1' };
    const v31 = await cli(['score', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], offline);
    expect(v31.code, v31.stderr).toBe(0);
    expect(v31.stdout.split('\n')[0]).toBe('9.8 critical');
    const v40 = await cli(['--json', 'score', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U'], offline);
    expect(JSON.parse(v40.stdout)).toMatchObject({ version: '4.0', baseScore: 9.3, score: 8.1, severity: 'high', nomenclature: 'CVSS-BT' });
    const bad = await cli(['score', 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], offline);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/metric AV cannot be "Q"/);
  });
});
