// Delivery of notifications over HTTP, on both databases, against a local webhook receiver (node:http) and a
// local SMTP server (smtp-server) this file starts: a signed CloudEvents 1.0 POST verified by the receiver;
// a receiver failing twice retried with backoff under the test clock; one always failing dead after the last
// attempt, listed as dead-letter and put back by a retry; e-mail with the type and subject in the subject
// line, the link and TLP in the text and no embargoed detail; notifications refusing detail; other
// organizations kept out (404/403); the secret never stored in plaintext; every outcome in the log.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/core/access.js';
import { maxWaitMs, verifySignature } from '../../src/core/delivery.js';
import { decodeLogRecord } from '../../src/core/log/entry.js';
import { isAppError } from '../../src/core/errors.js';
import { DeliveryService, deliveryJobKind, type NotificationInput } from '../../src/services/delivery.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';
import { engineName } from '../support/db.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

let app: TestApp;
let http: Server;
let smtp: SMTPServer;
let base: string;
const received: Received[] = [];
const mails: Mail[] = [];
/** What each receiver path answers, in turn; the last answer repeats. */
const answers = new Map<string, number[]>();

const embargoed = 'heap overflow in parse_header() when the length field exceeds 0x7fff';

type Org = Awaited<ReturnType<typeof orgWithToken>>;
let maintainer: Org;
let operator: Org;
let scanner: Org;
let auditor: Org;
let readOnly: string;

beforeAll(async () => {
  http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      if (path === '/stall') return; // never answers
      const queue = answers.get(path) ?? [404];
      const status = queue.length > 1 ? queue.shift()! : queue[0]!;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver broke');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (raw += c));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  app = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, mailFrom: 'Clearinghouse Test <ch@clearinghouse.test>' });
  maintainer = await orgWithToken(app, { name: 'Libfoo Maintainers', kind: 'maintainer' });
  operator = await orgWithToken(app, { name: 'Grid Co', kind: 'operator', assetClass: 'ci', sector: 'energy' });
  scanner = await orgWithToken(app, { name: 'Frontier Lab', kind: 'scanner' });
  auditor = await orgWithToken(app, { name: 'Inspector', kind: 'auditor' });
  readOnly = (await call(app, 'POST', '/v1/tokens', { body: { orgId: maintainer.orgId, name: 'ro', scopes: ['read'] } })).body.token;
});

afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await app?.close();
});

const caseId = '7d3f4c52-2f6e-4c1b-9a57-3c1d2b0e9f11';

function notification(orgIds: string[], over: Partial<NotificationInput['event']> = {}): NotificationInput {
  return {
    orgIds,
    caseId,
    event: {
      type: 'clearinghouse.case.notified',
      subject: caseId,
      data: { tlp: 'AMBER', resource: `/v1/cases/${caseId}`, title: 'Vulnerability in libfoo', ids: { caseId, vulnId: 'CHV-2026-0001' } },
      ...over,
    },
  };
}

/** What a disclosure case does: enqueue inside its own transaction. */
async function enqueue(input: NotificationInput, actor: Caller | null = null) {
  return app.services.ctx.db.transaction().execute((trx) => app.services.delivery.enqueue(trx, input, actor));
}

async function webhook(org: Org, path: string, extra: Record<string, unknown> = {}) {
  const res = await call(app, 'POST', '/v1/webhooks', { token: org.token, body: { url: `${base}${path}`, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string; url: string; orgId: string };
}

async function delivery(id: string, token = app.adminToken) {
  const res = await call(app, 'GET', `/v1/deliveries/${id}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const pendingDeliveryJobs = () => app.services.ctx.db.selectFrom('jobs').select(['id', 'run_after']).where('kind', '=', deliveryJobKind).where('status', '=', 'queued').execute();

/** Every logged action on one object, from the published log (paged, 1,000 entries at a time). */
async function logActions(objectId: string): Promise<string[]> {
  await app.services.log.integrate();
  const size = (await call(app, 'GET', '/v1/log/checkpoint', { token: null })).text.split('\n')[1];
  const out: string[] = [];
  for (let start = 0; start < Number(size); start += 1000) {
    const res = await call(app, 'GET', `/v1/log/entries?start=${start}&end=${Math.min(Number(size), start + 1000)}`, { token: null });
    for (const e of res.body.entries as Array<{ data: string }>) {
      const r = decodeLogRecord(Buffer.from(e.data, 'base64'));
      if (r.objectId === objectId) out.push(r.action);
    }
  }
  return out;
}

/** Unfolds headers and decodes quoted-printable, enough to read what nodemailer wrote. */
function readable(raw: string): string {
  return raw
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .replace(/=\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

describe(`delivery by webhook (${engineName})`, () => {
  let ok: Awaited<ReturnType<typeof webhook>>;

  it('registers an endpoint, refusing bad URLs and event types by field; the secret is shown once and never stored in plaintext', async () => {
    const ftp = await call(app, 'POST', '/v1/webhooks', { token: maintainer.token, body: { url: 'ftp://example.org/hook' } });
    expect(ftp.status).toBe(400);
    expect(ftp.body).toMatchObject({ field: '/url', detail: expect.stringMatching(/https/) });
    const plain = await call(app, 'POST', '/v1/webhooks', { token: maintainer.token, body: { url: 'http://hooks.example.org/ch' } });
    expect(plain.status).toBe(400);
    expect(plain.body.detail).toMatch(/loopback/);
    const types = await call(app, 'POST', '/v1/webhooks', { token: maintainer.token, body: { url: `${base}/ok`, eventTypes: ['clearinghouse.case.*', 'Not A Type'] } });
    expect(types.status).toBe(400);
    expect(types.body.field).toBe('/eventTypes/1');
    const unknownMember = await call(app, 'POST', '/v1/webhooks', { token: maintainer.token, body: { url: `${base}/ok`, secret: 'mine' } });
    expect(unknownMember.status).toBe(400);
    const ro = await call(app, 'POST', '/v1/webhooks', { token: readOnly, body: { url: `${base}/ok` } });
    expect(ro.status).toBe(403);
    const forOther = await call(app, 'POST', '/v1/webhooks', { token: maintainer.token, body: { url: `${base}/ok`, orgId: operator.orgId } });
    expect(forOther.status).toBe(403);

    ok = await webhook(maintainer, '/ok');
    expect(ok.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(ok.orgId).toBe(maintainer.orgId);
    const again = await call(app, 'POST', '/v1/webhooks', { token: maintainer.token, body: { url: `${base}/ok` } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ field: '/url', webhookId: ok.id });

    const listed = await call(app, 'GET', '/v1/webhooks', { token: maintainer.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: ok.id, url: `${base}/ok`, eventTypes: null, enabled: true })]);
    expect(listed.text).not.toContain(ok.secret);

    const rows = await app.services.ctx.db.selectFrom('webhook_endpoints').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(ok.secret);
    expect(JSON.stringify(rows)).not.toContain(ok.secret.slice(6));
    expect(rows[0]!.secret_sealed).toMatch(/^v1:/);
    expect(await logActions(ok.id)).toEqual(['webhook.create']);
  });

  it('delivers a signed CloudEvent that the receiver verifies; the filter and the content rules hold', async () => {
    answers.set('/ok', [200]);
    const filtered = await webhook(maintainer, '/advisories-only', { eventTypes: ['clearinghouse.advisory.*'] });
    answers.set('/advisories-only', [200]);

    // detail in a notification is refused, and the caller's transaction writes nothing
    await expect(enqueue(notification([maintainer.orgId], { data: { tlp: 'AMBER', resource: `/v1/cases/${caseId}`, description: embargoed } as never }))).rejects.toMatchObject({ code: 'invalid-field', field: '/event/data/description' });
    expect(await app.services.ctx.db.selectFrom('deliveries').selectAll().execute()).toHaveLength(0);

    const before = app.clock.now();
    const queued = await enqueue(notification([maintainer.orgId]));
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ channel: 'webhook', endpointId: ok.id, status: 'pending', attempts: 0, caseId, eventType: 'clearinghouse.case.notified' });
    expect(await pendingDeliveryJobs()).toHaveLength(1);

    expect(await app.services.jobs.runOne()).toBe(true);
    const got = received.filter((r) => r.path === '/ok');
    expect(got).toHaveLength(1);
    const req = got[0]!;
    expect(req.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(verifySignature({ secret: ok.secret, header: req.headers['clearinghouse-signature'] as string, body: req.body, now: app.clock.now() })).toMatchObject({ ok: true });
    expect(verifySignature({ secret: ok.secret, header: req.headers['clearinghouse-signature'] as string, body: req.body, now: new Date(app.clock.now().getTime() + 3_600_000) })).toMatchObject({ ok: false });
    const event = JSON.parse(req.body);
    expect(event).toEqual({
      specversion: '1.0',
      id: queued[0]!.eventId,
      source: '//clearinghouse.test/log',
      type: 'clearinghouse.case.notified',
      subject: caseId,
      time: before.toISOString(),
      datacontenttype: 'application/json',
      data: { tlp: 'AMBER', resource: `/v1/cases/${caseId}`, title: 'Vulnerability in libfoo', ids: { caseId, vulnId: 'CHV-2026-0001' } },
    });
    expect(received.filter((r) => r.path === '/advisories-only')).toHaveLength(0);

    const d = await delivery(queued[0]!.id, maintainer.token);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null, deliveredAt: expect.any(String) });
    expect(d.event).toEqual(event);
    expect(await logActions(d.id)).toEqual(['delivery.create', 'delivery.delivered']);
    // nothing left to do: the job did not queue itself again
    expect(await pendingDeliveryJobs()).toHaveLength(0);

    // an advisory event reaches the filtered endpoint (and the unfiltered one)
    const adv = await enqueue({ orgIds: [maintainer.orgId], event: { type: 'clearinghouse.advisory.published', subject: 'CHA-2026-0001', data: { tlp: 'CLEAR', resource: '/v1/advisories/CHA-2026-0001' } } });
    expect(adv.map((x) => x.endpointId).sort()).toEqual([ok.id, filtered.id].sort());
    await app.services.jobs.drain();
    expect(received.filter((r) => r.path === '/advisories-only')).toHaveLength(1);
    await call(app, 'DELETE', `/v1/webhooks/${filtered.id}`, { token: maintainer.token });
  });

  it('retries a receiver that fails twice, with backoff, then delivers', async () => {
    const flaky = await webhook(operator, '/flaky');
    answers.set('/flaky', [500, 500, 200]);
    const [q] = await enqueue(notification([operator.orgId]));
    expect(await app.services.jobs.runOne()).toBe(true);
    let d = await delivery(q!.id, operator.token);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: expect.stringMatching(/^HTTP 500 Internal Server Error: receiver broke/) });
    const wait1 = Date.parse(d.nextAttemptAt) - app.clock.now().getTime();
    expect(wait1).toBeGreaterThanOrEqual(1000);
    expect(wait1).toBeLessThanOrEqual(maxWaitMs(1));
    // the job waits for the retry: nothing runs before then
    const jobs = await pendingDeliveryJobs();
    expect(jobs).toHaveLength(1);
    expect(new Date(jobs[0]!.run_after).toISOString()).toBe(d.nextAttemptAt);
    expect(await app.services.jobs.runOne()).toBe(false);

    app.clock.advance(maxWaitMs(1));
    expect(await app.services.jobs.runOne()).toBe(true);
    d = await delivery(q!.id, operator.token);
    expect(d).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 500 });
    expect(Date.parse(d.nextAttemptAt) - app.clock.now().getTime()).toBeLessThanOrEqual(maxWaitMs(2));

    app.clock.advance(maxWaitMs(2));
    expect(await app.services.jobs.runOne()).toBe(true);
    d = await delivery(q!.id, operator.token);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });

    const got = received.filter((r) => r.path === '/flaky');
    expect(got).toHaveLength(3);
    // the same event each time (receivers deduplicate by id), each attempt signed afresh
    expect(new Set(got.map((r) => JSON.parse(r.body).id))).toEqual(new Set([q!.eventId]));
    for (const r of got) expect(verifySignature({ secret: flaky.secret, header: r.headers['clearinghouse-signature'] as string, body: r.body, now: app.clock.now(), toleranceSeconds: 3600 })).toMatchObject({ ok: true });
    expect(await logActions(q!.id)).toEqual(['delivery.create', 'delivery.failed', 'delivery.failed', 'delivery.delivered']);
  });

  it('gives up after the last attempt: dead, in the dead-letter list, and a retry puts it back', async () => {
    await webhook(scanner, '/down');
    answers.set('/down', [503]);
    const [q] = await enqueue(notification([scanner.orgId]));
    for (let attempt = 1; attempt <= 8; attempt++) {
      expect(await app.services.jobs.runOne()).toBe(true);
      const d = await delivery(q!.id);
      expect(d.attempts).toBe(attempt);
      if (attempt < 8) {
        expect(d.status).toBe('pending');
        app.clock.advance(maxWaitMs(attempt));
      } else {
        expect(d).toMatchObject({ status: 'dead', nextAttemptAt: null, lastStatusCode: 503, lastError: expect.stringMatching(/^HTTP 503/) });
      }
    }
    expect(received.filter((r) => r.path === '/down')).toHaveLength(8);
    expect(await pendingDeliveryJobs()).toHaveLength(0);
    expect(await app.services.jobs.runOne()).toBe(false);

    const mine = await call(app, 'GET', '/v1/deliveries?status=dead', { token: scanner.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([q!.id]);
    const all = await call(app, 'GET', '/v1/deliveries?status=dead', { token: auditor.token });
    expect(all.body.items.map((x: { id: string }) => x.id)).toContain(q!.id);
    const others = await call(app, 'GET', '/v1/deliveries?status=dead', { token: operator.token });
    expect(others.body.items).toEqual([]);
    const byCase = await call(app, 'GET', `/v1/deliveries?caseId=${caseId}&status=dead`);
    expect(byCase.body.items.map((x: { id: string }) => x.id)).toEqual([q!.id]);
    expect((await call(app, 'GET', '/v1/deliveries?status=lost')).status).toBe(400);
    expect((await call(app, 'GET', '/v1/deliveries?caseId=nope')).body.field).toBe('caseId');

    // another organization cannot retry it (not visible: 404); an auditor sees it but may not (403)
    expect((await call(app, 'POST', `/v1/deliveries/${q!.id}/retry`, { token: operator.token, body: {} })).status).toBe(404);
    expect((await call(app, 'POST', `/v1/deliveries/${q!.id}/retry`, { token: auditor.token, body: {} })).status).toBe(403);
    const retried = await call(app, 'POST', `/v1/deliveries/${q!.id}/retry`, { token: scanner.token, body: {} });
    expect(retried.status, retried.text).toBe(202);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: app.clock.now().toISOString() });
    expect((await call(app, 'POST', `/v1/deliveries/${q!.id}/retry`, { token: scanner.token, body: {} })).status).toBe(409);

    answers.set('/down', [204]);
    expect(await app.services.jobs.runOne()).toBe(true);
    expect(await delivery(q!.id, scanner.token)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
    expect(await logActions(q!.id)).toEqual(['delivery.create', ...Array(7).fill('delivery.failed'), 'delivery.dead', 'delivery.retry', 'delivery.delivered']);
  });

  it('a removed endpoint gets nothing more: pending deliveries to it die at once', async () => {
    const gone = await webhook(scanner, '/gone');
    answers.set('/gone', [200]);
    const out = await enqueue(notification([scanner.orgId]));
    const toGone = out.find((d) => d.endpointId === gone.id)!;
    const removed = await call(app, 'DELETE', `/v1/webhooks/${gone.id}`, { token: scanner.token });
    expect(removed.status).toBe(200);
    expect(removed.body.enabled).toBe(false);
    expect((await call(app, 'DELETE', `/v1/webhooks/${gone.id}`, { token: scanner.token })).status).toBe(200);
    await app.services.jobs.drain();
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(0);
    expect(await delivery(toGone.id, scanner.token)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'the webhook endpoint was removed' });
    expect((await call(app, 'POST', `/v1/deliveries/${toGone.id}/retry`, { token: scanner.token, body: {} })).status).toBe(409);
    // the next notification does not go to it
    expect((await enqueue(notification([scanner.orgId]))).map((d) => d.endpointId)).not.toContain(gone.id);
    await app.services.jobs.drain();
  });

  it("keeps organizations out of each other's endpoints and deliveries; coordinators send test events", async () => {
    const mineList = await call(app, 'GET', '/v1/webhooks', { token: operator.token });
    expect(mineList.body.items.map((w: { orgId: string }) => w.orgId)).toEqual([operator.orgId]);
    expect((await call(app, 'GET', `/v1/webhooks?orgId=${maintainer.orgId}`, { token: operator.token })).status).toBe(403);
    expect((await call(app, 'DELETE', `/v1/webhooks/${ok.id}`, { token: operator.token })).status).toBe(404);
    expect((await call(app, 'GET', `/v1/webhooks/${ok.id}`, { token: operator.token })).status).toBe(404);
    const own = await call(app, 'GET', `/v1/webhooks/${ok.id}`, { token: maintainer.token });
    expect(own.body).toMatchObject({ id: ok.id, enabled: true });
    expect(own.text).not.toContain(ok.secret);
    expect((await call(app, 'DELETE', '/v1/webhooks/not-a-uuid', { token: operator.token })).status).toBe(404);
    const allHooks = await call(app, 'GET', `/v1/webhooks?orgId=${maintainer.orgId}`, { token: auditor.token });
    expect(allHooks.body.items.map((w: { id: string }) => w.id)).toContain(ok.id);

    const opDeliveries = await call(app, 'GET', '/v1/deliveries', { token: operator.token });
    expect(opDeliveries.body.items.length).toBeGreaterThan(0);
    expect(opDeliveries.body.items.every((d: { orgId: string }) => d.orgId === operator.orgId)).toBe(true);
    const maintainerDelivery = (await call(app, 'GET', '/v1/deliveries', { token: maintainer.token })).body.items[0];
    expect((await call(app, 'GET', `/v1/deliveries/${maintainerDelivery.id}`, { token: operator.token })).status).toBe(404);

    // test events: coordinators only (403 for others), to the named endpoint only
    expect((await call(app, 'POST', `/v1/webhooks/${ok.id}/test`, { token: maintainer.token, body: {} })).status).toBe(403);
    const test = await call(app, 'POST', `/v1/webhooks/${ok.id}/test`, { body: {} });
    expect(test.status, test.text).toBe(202);
    expect(test.body).toMatchObject({ endpointId: ok.id, eventType: 'clearinghouse.test', status: 'pending' });
    const before = received.length;
    await app.services.jobs.drain();
    expect(received.length).toBe(before + 1);
    const sent = received.at(-1)!;
    expect(sent.path).toBe('/ok');
    expect(JSON.parse(sent.body)).toMatchObject({ type: 'clearinghouse.test', data: { tlp: 'CLEAR', resource: `/v1/webhooks/${ok.id}` } });
    expect(verifySignature({ secret: ok.secret, header: sent.headers['clearinghouse-signature'] as string, body: sent.body, now: app.clock.now() })).toMatchObject({ ok: true });
    expect((await call(app, 'POST', `/v1/webhooks/00000000-0000-4000-8000-000000000000/test`, { body: {} })).status).toBe(404);
  });

  it('a sealed secret copied to another endpoint does not open: the delivery fails instead of signing with it', async () => {
    const a = await webhook(operator, '/copy-a');
    const b = await webhook(operator, '/copy-b');
    answers.set('/copy-b', [200]);
    const rowA = await app.services.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    await app.services.ctx.db.updateTable('webhook_endpoints').set({ secret_sealed: rowA.secret_sealed, secret_key: rowA.secret_key }).where('id', '=', b.id).execute();
    await call(app, 'DELETE', `/v1/webhooks/${a.id}`, { token: operator.token });
    const q = (await enqueue({ orgIds: [operator.orgId], event: { type: 'clearinghouse.advisory.published', data: { tlp: 'CLEAR', resource: '/v1/advisories/x' } } })).find((d) => d.endpointId === b.id);
    await app.services.jobs.runOne();
    expect(received.filter((r) => r.path === '/copy-b')).toHaveLength(0);
    expect(await delivery(q!.id, operator.token)).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/does not open/) });
    await call(app, 'DELETE', `/v1/webhooks/${b.id}`, { token: operator.token });
    app.clock.advance(maxWaitMs(1));
    await app.services.jobs.drain();
    expect(await delivery(q!.id, operator.token)).toMatchObject({ status: 'dead' });
  });
});

describe(`delivery timeouts (${engineName})`, () => {
  it('a receiver that does not answer in time is a failed attempt', async () => {
    const stall = await webhook(auditor, '/stall');
    const [q] = await enqueue(notification([auditor.orgId]));
    const job = await app.services.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', deliveryJobKind).where('status', '=', 'queued').executeTakeFirstOrThrow();
    const impatient = new DeliveryService(app.services.ctx, { timeoutMs: 300 });
    await impatient.runJob({ id: job.id } as never);
    expect(received.filter((r) => r.path === '/stall')).toHaveLength(1);
    expect(await delivery(q!.id, auditor.token)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: 'timed out after 0.3 s' });
    await call(app, 'DELETE', `/v1/webhooks/${stall.id}`, { token: auditor.token });
    app.clock.advance(maxWaitMs(1));
    await app.services.jobs.drain();
    expect(await delivery(q!.id, auditor.token)).toMatchObject({ status: 'dead', lastError: 'the webhook endpoint was removed' });
  });
});

describe(`delivery by e-mail (${engineName})`, () => {
  it('registers a contact, refusing a bad address by field, and refuses contacts where mail is not configured', async () => {
    const bad = await call(app, 'POST', '/v1/mail-contacts', { token: maintainer.token, body: { address: 'psirt at example.org' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/address');
    const created = await call(app, 'POST', '/v1/mail-contacts', { token: maintainer.token, body: { address: 'psirt@libfoo.example' } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ orgId: maintainer.orgId, address: 'psirt@libfoo.example', enabled: true });
    expect((await call(app, 'POST', '/v1/mail-contacts', { token: maintainer.token, body: { address: 'PSIRT@libfoo.example' } })).status).toBe(409);
    const listed = await call(app, 'GET', '/v1/mail-contacts', { token: maintainer.token });
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
    expect((await call(app, 'GET', '/v1/mail-contacts', { token: operator.token })).body.items).toEqual([]);
    expect((await call(app, 'DELETE', `/v1/mail-contacts/${created.body.id}`, { token: operator.token })).status).toBe(404);

    const noMail = new DeliveryService(app.services.ctx, {});
    const caller: Caller = { orgId: maintainer.orgId, orgKind: 'maintainer', tokenId: maintainer.tokenId, scopes: ['write'] };
    const refused = await noMail.registerMailContact(caller, { address: 'other@libfoo.example' }).catch((e: unknown) => e);
    expect(isAppError(refused) && refused.code).toBe('conflict');
    expect((refused as Error).message).toMatch(/e-mail is not configured.*CLEARINGHOUSE_SMTP_URL/);
  });

  it('sends one e-mail per notification: type and subject in the subject line, link and TLP in the text, the CloudEvent attached, no detail', async () => {
    await expect(enqueue(notification([maintainer.orgId], { data: { tlp: 'AMBER', resource: `/v1/cases/${caseId}`, title: embargoed.replace(/\n/g, ' '), ids: { poc: embargoed } } }))).rejects.toMatchObject({ field: '/event/data/ids/poc' });
    const out = await enqueue(notification([maintainer.orgId]));
    const mailDelivery = out.find((d) => d.channel === 'email')!;
    expect(mailDelivery).toMatchObject({ status: 'pending', contactId: expect.any(String), endpointId: null });
    await app.services.jobs.drain();
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.to).toEqual(['psirt@libfoo.example']);
    expect(m.from).toBe('ch@clearinghouse.test');
    const text = readable(m.raw);
    expect(text).toContain(`Subject: [Clearinghouse TLP:AMBER] clearinghouse.case.notified: ${caseId}`);
    expect(text).toContain(`GET /v1/cases/${caseId}`);
    expect(text).toContain('TLP:      TLP:AMBER');
    expect(text).toContain('Title:    Vulnerability in libfoo');
    expect(text).toMatch(new RegExp(`^X-Clearinghouse-Event-Id: ${mailDelivery.eventId}$`, 'im'));
    expect(text).toMatch(/Content-Type: application\/cloudevents\+json;\s*name="?event\.json/);
    expect(m.raw).not.toContain('parse_header');
    expect(await delivery(mailDelivery.id, maintainer.token)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 250 });
    expect(await logActions(mailDelivery.id)).toEqual(['delivery.create', 'delivery.delivered']);

    // nothing stored anywhere in the deliveries carries the detail
    const rows = await app.services.ctx.db.selectFrom('deliveries').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain('parse_header');
  });

  it('with the public URL known, a notification carries the absolute link to the resource', async () => {
    const withUrl = new DeliveryService(app.services.ctx, { publicUrl: 'https://ch.example/' });
    const out = await app.services.ctx.db.transaction().execute((trx) => withUrl.enqueue(trx, notification([maintainer.orgId])));
    expect((out[0]!.event as { data: { link: string } }).data.link).toBe(`https://ch.example/v1/cases/${caseId}`);
    const sent = mails.length;
    await app.services.jobs.drain();
    expect(mails).toHaveLength(sent + 1);
    expect(readable(mails.at(-1)!.raw)).toContain(`GET https://ch.example/v1/cases/${caseId}`);
  });

  it('retries mail the SMTP server refuses, then sends it', async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        const err = new Error('mailbox busy') as Error & { responseCode: number };
        err.responseCode = 451;
        callback(err);
      },
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (refusing.server.address() as AddressInfo).port;
      const viaRefusing = new DeliveryService(app.services.ctx, { smtpUrl: `smtp://127.0.0.1:${port}`, random: () => 0.5 });
      const [q] = (await enqueue({ orgIds: [maintainer.orgId], event: { type: 'clearinghouse.advisory.published', subject: 'CHA-1', data: { tlp: 'CLEAR', resource: '/v1/advisories/CHA-1' } } })).filter((d) => d.channel === 'email');
      const job = await app.services.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', deliveryJobKind).where('status', '=', 'queued').executeTakeFirstOrThrow();
      await viaRefusing.runJob({ id: job.id } as never);
      expect(await delivery(q!.id, maintainer.token)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 451, lastError: expect.stringMatching(/^SMTP: .*mailbox busy/) });
      app.clock.advance(maxWaitMs(1));
      await app.services.jobs.drain();
      expect(await delivery(q!.id, maintainer.token)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(mails.at(-1)!.raw).toContain('clearinghouse.advisory.published: CHA-1');
    } finally {
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });
});
