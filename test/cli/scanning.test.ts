// Scanning from the command line against a real server: two reference scanner agents of two
// organizations, run at once with a real scanner (Debian's flawfinder) on small C projects with planted
// bugs — their claims never overlap in time on a target, every target is scanned by both, the later
// reporter's findings are duplicates — and then the target, claim, submit, findings, vuln and job commands.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { apiRequest, cli, startServer, type ServerProcess } from '../support/server-process.js';

const flawfinder = (() => {
  try {
    execFileSync('flawfinder', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();
if (!flawfinder) console.warn('agent test skipped: flawfinder is not installed (apt-get install -y flawfinder)');

const fixtures = fileURLToPath(new URL('../../bench/fixtures/planted-c/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ch-agent-'));
let server: ServerProcess;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;

const api = (method: string, path: string, token: string, body?: unknown) => apiRequest(server, method, path, token, body);

beforeAll(async () => {
  if (serverUrl) database = await createServerDatabase();
  env = { ...process.env, CLEARINGHOUSE_HOME: join(scratch, 'data'), DATABASE_URL: database?.url ?? '', CLEARINGHOUSE_TOKEN: '', CLEARINGHOUSE_URL: '' };
  server = await startServer(env);
  env.CLEARINGHOUSE_URL = server.url;
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!flawfinder)(`reference scanner agent (${engineName})`, () => {
  it('two agents of two organizations deconflict their claims and report duplicates across organizations', async () => {
    const { readFileSync } = await import('node:fs');
    const admin = readFileSync(join(scratch, 'data', 'admin.token'), 'utf8').trim();
    const tokens: string[] = [];
    for (const name of ['Lab A', 'Lab B']) {
      const org = await api('POST', '/v1/orgs', admin, { name, kind: 'scanner' });
      tokens.push((await api('POST', '/v1/tokens', admin, { orgId: org.id, scopes: ['write'] })).token);
    }
    // four small C projects: the two fixture versions, and copies of them as separate projects
    const projects = ['v1', 'v2', 'v1', 'v2'].map((v, i) => {
      const dir = join(scratch, `project-${i}`);
      cpSync(join(fixtures, v), dir, { recursive: true });
      return dir;
    });
    for (const [i, dir] of projects.entries()) await api('POST', '/v1/targets', admin, { name: `project-${i}`, repo: dir, criticality: 0.5 + i / 10 });

    const agent = (token: string) =>
      cli(['agent', '--exec', 'flawfinder --sarif {dir} > {out}', '--lease-hours', '1', '--max-targets', '10', '--model', 'test-model'], { ...env, CLEARINGHOUSE_TOKEN: token });
    const [a, b] = await Promise.all([agent(tokens[0]!), agent(tokens[1]!)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toMatch(/scanned 4 targets; no target is free/);
    expect(b.stdout).toMatch(/scanned 4 targets/);
    expect(a.stderr).toMatch(/claimed project-\d/);

    const claims = (await api('GET', '/v1/claims?limit=500', admin)).items as Array<{ targetId: string; orgId: string; createdAt: string; releasedAt: string | null; releaseReason: string | null }>;
    expect(claims).toHaveLength(8);
    expect(claims.every((c) => c.releaseReason === 'finished')).toBe(true);
    // on each target, the two organizations' leases never overlap in time
    const byTarget = new Map<string, typeof claims>();
    for (const c of claims) byTarget.set(c.targetId, [...(byTarget.get(c.targetId) ?? []), c]);
    expect(byTarget.size).toBe(4);
    for (const list of byTarget.values()) {
      expect(new Set(list.map((c) => c.orgId)).size).toBe(2);
      const [x, y] = list.sort((p, q) => p.createdAt.localeCompare(q.createdAt));
      expect(Date.parse(x!.releasedAt!)).toBeLessThanOrEqual(Date.parse(y!.createdAt));
    }
    // both organizations reported on every target; the later report on a target duplicates the earlier
    const findings = (await api('GET', '/v1/findings?limit=500', admin)).items as Array<{ orgId: string; status: string; linkReason: string; targetId: string }>;
    expect(findings.length).toBeGreaterThan(8);
    const dupes = findings.filter((f) => f.status === 'duplicate');
    expect(dupes.length).toBeGreaterThan(0);
    expect(new Set(dupes.map((f) => f.linkReason)).size).toBeGreaterThan(0);
    const coverage = (await api('GET', '/v1/coverage?limit=500', admin)).items as Array<{ runs: Array<{ scanner: { name: string }; model: { name: string } | null; commit: string | null }> }>;
    expect(coverage.every((c) => c.runs.length === 2 && c.runs.every((r) => r.scanner.name === 'Flawfinder' || /flawfinder/i.test(r.scanner.name)))).toBe(true);
    expect(coverage[0]!.runs[0]!.model?.name).toBe('test-model');
  }, 240_000);
});

describe(`target, claim, submit, findings, vuln and job commands (${engineName})`, () => {
  it('does a scanner\'s and a coordinator\'s work from the command line', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const admin = readFileSync(join(scratch, 'data', 'admin.token'), 'utf8').trim();
    const asAdmin = { ...env, CLEARINGHOUSE_TOKEN: admin };
    const run = async (args: string[], e: NodeJS.ProcessEnv) => {
      const res = await cli(args, e);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
      return res;
    };
    const org = JSON.parse((await run(['org', 'create', '--name', 'CLI Lab', '--kind', 'scanner', '--json'], asAdmin)).stdout);
    const token = JSON.parse((await run(['token', 'create', '--org', org.id, '--scopes', 'write', '--json'], asAdmin)).stdout).token;
    const asLab = { ...env, CLEARINGHOUSE_TOKEN: token };

    const added = JSON.parse((await run(['target', 'add', '--purl', 'pkg:github/example/cli-target', '--criticality', '0.99', '--json'], asAdmin)).stdout);
    const csv = join(scratch, 'targets.csv');
    writeFileSync(csv, 'name,purl,criticality\nlibone,pkg:npm/libone,0.2\nlibtwo,pkg:npm/libtwo,0.3\n');
    expect((await run(['target', 'import', csv], asAdmin)).stdout).toMatch(/2 created, 0 updated/);
    const badCsv = join(scratch, 'bad.csv');
    writeFileSync(badCsv, 'name,purl\nbroken,not a purl\n');
    const refused = await cli(['target', 'import', badCsv], asAdmin);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^clearinghouse: .*\(field \/targets\/0\/purl\) \[HTTP 400\]/);
    expect((await run(['target', 'list'], asLab)).stdout).toMatch(/libone/);

    const claim = JSON.parse((await run(['claim', 'create', added.id, '--scope', 'memory-safety', '--lease-hours', '2', '--json'], asLab)).stdout);
    expect(claim.scope).toBe('memory-safety');
    expect((await run(['claim', 'renew', claim.id], asLab)).stdout).toMatch(/active/);
    expect((await run(['claim', 'list', '--active'], asLab)).stdout).toContain(claim.id);

    const sarifFile = fileURLToPath(new URL('../../bench/fixtures/planted-c/sarif/flawfinder-v1.sarif', import.meta.url));
    const submitted = await run(['submit', sarifFile, '--claim', claim.id, '--model', 'cli-model'], asLab);
    expect(submitted.stdout).toMatch(/^stored [0-9a-f-]{36} \(sha256 [0-9a-f]{16}…, \d+ bytes\)\n\d+ findings: \d+ new vulnerabilities/);
    const again = await run(['submit', sarifFile, '--claim', claim.id, '--model', 'cli-model'], asLab);
    expect(again.stdout).toMatch(/^already submitted/);
    const nativeFile = join(scratch, 'finding.json');
    writeFileSync(nativeFile, JSON.stringify({ clearinghouseFinding: '1.0', title: 'Overflow', version: '1.0.0', target: { purl: 'pkg:github/example/cli-target' }, cwe: 'CWE-787', scanner: { name: 'cli' }, location: { path: 'a.c', startLine: 3, snippet: 'strcpy(dst, src);' } }));
    await run(['submit', nativeFile], asLab);
    const malformed = join(scratch, 'malformed.json');
    writeFileSync(malformed, '{"clearinghouseFinding": "1.0", "title": 7}');
    const bad = await cli(['submit', malformed], asLab);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^clearinghouse: .*\(field \/title\)/);

    // an OSV database as a directory of records (JSON and YAML), zipped on the way
    const { mkdirSync } = await import('node:fs');
    const osvDir = join(scratch, 'osv-db', 'npm');
    mkdirSync(osvDir, { recursive: true });
    const osv = (id: string) => ({ id, modified: '2025-01-01T00:00:00Z', summary: `issue ${id}`, affected: [{ package: { ecosystem: 'npm', name: `pkg-${id}` }, versions: ['1.0.0'] }] });
    writeFileSync(join(osvDir, 'OSV-1.json'), JSON.stringify(osv('OSV-CLI-1')));
    writeFileSync(join(osvDir, 'OSV-2.yaml'), `id: OSV-CLI-2\nmodified: "2025-01-02T00:00:00Z"\nsummary: issue two\naffected:\n  - package: {ecosystem: npm, name: pkg-two}\n    versions: ["2.0.0"]\n`);
    writeFileSync(join(osvDir, 'README.txt'), 'not a record');
    const dirSubmit = await run(['submit', join(scratch, 'osv-db'), '--json'], asLab);
    expect(JSON.parse(dirSubmit.stdout).summary.findings).toBe(2);
    expect(dirSubmit.stderr).toMatch(/zipping 2 OSV records/);

    const findings = JSON.parse((await run(['findings', 'list', '--json'], asLab)).stdout) as Array<{ id: string; vulnId: string; vulnDisplayId: string }>;
    expect(findings.length).toBeGreaterThan(2);
    expect((await run(['findings', 'list'], asLab)).stdout.split('\n')[0]).toMatch(/^FINDING\s+VULN\s+STATUS/);
    const shown = await run(['vuln', 'show', findings[0]!.vulnDisplayId], asLab);
    expect(shown.stdout).toContain(findings[0]!.vulnDisplayId);
    const other = findings.find((f) => f.vulnId !== findings[0]!.vulnId)!;
    expect((await cli(['vuln', 'merge', findings[0]!.vulnId, '--into', other.vulnId, '--reason', 'same bug'], asLab)).code).toBe(1);
    expect((await run(['vuln', 'merge', findings[0]!.vulnId, '--into', other.vulnId, '--reason', 'same bug'], asAdmin)).stdout).toMatch(/^merged into CHV-/);
    expect((await run(['vuln', 'split', other.vulnId, '--findings', findings[0]!.id, '--reason', 'not the same after all'], asAdmin)).stdout).toMatch(/^new record CHV-\d+-\d+ with 1 findings/);
    expect((await run(['claim', 'release', claim.id, '--finished'], asLab)).stdout).toMatch(/released/);
    const job = await cli(['job', 'show', '00000000-0000-0000-0000-000000000000'], asLab);
    expect(job.code).toBe(1);
    expect(job.stderr).toMatch(/not found.*HTTP 404/);
  }, 120_000);
});
