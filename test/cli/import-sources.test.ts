// `clearinghouse import kev URL` against a real server process and a local HTTP server: the source
// registered and run by the server's worker, `--wait` printing what the import counted, a second run
// reusing the source and finding nothing changed, `import sources` listing it, and one-line errors.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../support/corpus.js';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { cli, startServer, type ServerProcess } from '../support/server-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'ch-cli-sources-'));
let server: ServerProcess;
let files: Server;
let base: string;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;

const kev = hasCorpus
  ? readFileSync(corpusPath('kev', 'known_exploited_vulnerabilities.json'), 'utf8')
  : JSON.stringify({
      catalogVersion: '2025.01.02',
      dateReleased: '2025-01-02T00:00:00Z',
      count: 2,
      vulnerabilities: ['CVE-2024-1000', 'CVE-2024-1001'].map((cveID) => ({ cveID, vendorProject: 'Example', product: 'Widget', vulnerabilityName: 'Widget flaw', dateAdded: '2025-01-02', shortDescription: 'A flaw.', requiredAction: 'Patch.', dueDate: '2025-01-23' })),
    });
const kevCount = (JSON.parse(kev) as { count: number }).count;

beforeAll(async () => {
  files = createServer((req, res) => {
    if (req.url === '/kev.json') res.writeHead(200, { 'content-type': 'application/json' }).end(kev);
    else res.writeHead(500, { 'content-type': 'text/plain' }).end('the server broke');
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  if (serverUrl) database = await createServerDatabase();
  env = { ...process.env, CLEARINGHOUSE_HOME: join(scratch, 'data'), DATABASE_URL: database?.url ?? '', CLEARINGHOUSE_TOKEN: '', CLEARINGHOUSE_URL: '' };
  server = await startServer(env);
  env.CLEARINGHOUSE_URL = server.url;
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => files?.close(r));
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe(`clearinghouse import from a URL (${engineName})`, () => {
  it('registers and runs a KEV source, waits, and prints what the import counted; again, nothing changed', async () => {
    const first = await cli(['import', 'kev', `${base}/kev.json`, '--wait'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^source:\s+[0-9a-f-]{36}\n/);
    expect(first.stdout).toMatch(/every:\s+when asked/);
    expect(first.stdout).toMatch(/job:\s+[0-9a-f-]{36}/);
    expect(first.stdout).toMatch(/status:\s+ok/);
    expect(first.stdout).toMatch(new RegExp(`records:\\s+${kevCount}\\n`));
    expect(first.stdout).toMatch(new RegExp(`added:\\s+${kevCount}\\n`));
    const id = /^source:\s+(\S+)/.exec(first.stdout)![1];

    const again = await cli(['--json', 'import', 'kev', `${base}/kev.json`, '--wait'], env);
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout);
    expect(out.source.id).toBe(id);
    expect(out.result).toMatchObject({ status: 'unchanged' });

    const listed = await cli(['import', 'sources'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+kev\\s+${base}/kev.json\\s+when asked\\s+\\S+\\s+unchanged`));
  });

  it('schedules with --every, and fails in one line on a bad URL, a bad interval or a failing server', async () => {
    const scheduled = await cli(['import', 'kev', `${base}/broken.json`, '--every', '24'], env);
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toMatch(/every:\s+24 hours/);
    const failing = await cli(['import', 'kev', `${base}/broken.json`, '--wait'], env);
    expect(failing.code).toBe(1);
    // progress lines while waiting, then the error in one line
    const lines = failing.stderr.trim().split('\n');
    expect(lines.slice(0, -1).every((l) => l.startsWith('job '))).toBe(true);
    expect(lines.at(-1)).toMatch(/^clearinghouse: http:\/\/127\.0\.0\.1:\d+\/broken\.json: HTTP 500 Internal Server Error$/);

    const ftp = await cli(['import', 'kev', 'ftp://example.org/kev.json'], env);
    expect(ftp.code).toBe(1);
    expect(ftp.stderr.trim().split('\n')).toHaveLength(1);
    expect(ftp.stderr).toMatch(/only http and https .*\(field \/url\) \[HTTP 400\]/);
    const every = await cli(['import', 'kev', `${base}/other.json`, '--every', '0'], env);
    expect(every.code).toBe(1);
    expect(every.stderr).toMatch(/^clearinghouse: --every must be a whole number of hours from 1 to 8760/);

    const id = /^source:\s+(\S+)/.exec(scheduled.stdout)![1]!;
    const deleted = await cli(['import', 'delete', id], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await cli(['import', 'sources'], env)).stdout).toMatch(new RegExp(`${id}\\s+kev\\s+\\S+\\s+deleted`));
  });
});
