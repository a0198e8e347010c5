// `clearinghouse webhook add|list|test|remove`, `mail add` and `deliveries` against a real server process and a
// local receiver: the secret printed once, the endpoint listed without it, a test event delivered by the
// server's worker and verified with that secret, and one-line errors (bad URL, e-mail not configured).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/core/delivery.js';
import { createServerDatabase, engineName, serverUrl } from '../support/db.js';
import { cli, startServer, type ServerProcess } from '../support/server-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'ch-cli-delivery-'));
let server: ServerProcess;
let receiver: Server;
let base: string;
let env: NodeJS.ProcessEnv;
let database: Awaited<ReturnType<typeof createServerDatabase>> | null = null;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  if (serverUrl) database = await createServerDatabase();
  env = { ...process.env, CLEARINGHOUSE_HOME: join(scratch, 'data'), DATABASE_URL: database?.url ?? '', CLEARINGHOUSE_TOKEN: '', CLEARINGHOUSE_URL: '', CLEARINGHOUSE_SMTP_URL: '' };
  server = await startServer(env);
  env.CLEARINGHOUSE_URL = server.url;
}, 90_000);

afterAll(async () => {
  await server?.stop();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe(`clearinghouse webhook (${engineName})`, () => {
  it('adds a webhook printing its secret once, lists it without the secret, and a test event arrives signed with it', async () => {
    const added = await cli(['webhook', 'add', `${base}/hook`, '--events', 'clearinghouse.case.*,clearinghouse.test'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^webhook:\s+[0-9a-f-]{36}\n/);
    expect(added.stdout).toMatch(/events:\s+clearinghouse\.case\.\*, clearinghouse\.test\n/);
    expect(added.stdout).toMatch(/shown only now/);
    const id = /^webhook:\s+(\S+)/.exec(added.stdout)![1]!;
    const secret = /secret:\s+(whsec_\S+)/.exec(added.stdout)![1]!;

    const listed = await cli(['webhook', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+ORG\s+URL\s+EVENTS\s+STATE/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+\\S+\\s+${base}/hook\\s+clearinghouse\\.case\\.\\*,clearinghouse\\.test\\s+enabled`));
    expect(listed.stdout).not.toContain(secret);
    const json = JSON.parse((await cli(['--json', 'webhook', 'list'], env)).stdout);
    expect(json).toEqual([expect.objectContaining({ id, url: `${base}/hook`, enabled: true })]);
    expect(JSON.stringify(json)).not.toContain(secret);

    const test = await cli(['webhook', 'test', id], env);
    expect(test.code, test.stderr).toBe(0);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(verifySignature({ secret, header: got.headers['clearinghouse-signature'] as string, body: got.body })).toEqual({ ok: true, timestamp: expect.any(Number) });
    expect(JSON.parse(got.body)).toMatchObject({ specversion: '1.0', type: 'clearinghouse.test' });

    let deliveries = '';
    for (let i = 0; i < 50; i++) {
      deliveries = (await cli(['deliveries'], env)).stdout;
      if (/delivered/.test(deliveries)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(deliveries).toMatch(/webhook\s+clearinghouse\.test\s+\S+\s+delivered\s+1/);
    expect((await cli(['deliveries', '--status', 'dead'], env)).stdout).toBe('no deliveries\n');

    const removed = await cli(['webhook', 'remove', id], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await cli(['webhook', 'list'], env)).stdout).toMatch(new RegExp(`${id}.*removed`));
  });

  it('fails in one line: a plain-http URL off loopback, a bad status, e-mail not configured', async () => {
    const plain = await cli(['webhook', 'add', 'http://hooks.example.org/ch'], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toMatch(/must be https.*\(field \/url\) \[HTTP 400\]/);
    const status = await cli(['deliveries', '--status', 'lost'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^clearinghouse: --status must be pending, delivered or dead/);
    const mail = await cli(['mail', 'add', 'psirt@example.org'], env);
    expect(mail.code).toBe(1);
    expect(mail.stderr).toMatch(/e-mail is not configured on this server \(CLEARINGHOUSE_SMTP_URL is unset\).*\[HTTP 409\]/);
    const retry = await cli(['deliveries', 'retry', '00000000-0000-4000-8000-000000000000'], env);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/delivery 00000000-0000-4000-8000-000000000000 not found \[HTTP 404\]/);
  });
});
