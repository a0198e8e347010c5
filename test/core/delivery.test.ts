// The pure part of delivery: the CloudEvents 1.0 envelope, the Stripe-style HMAC-SHA256 signature header and
// its verification (tampering, wrong secret, replay window, rotation), backoff with full jitter, and the
// checks that keep detail out of notifications and http webhooks on loopback.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  cloudEvent,
  defaultRetryPolicy,
  isEventFilter,
  isEventType,
  isMailAddress,
  matchesEventFilter,
  maxWaitMs,
  nextAttemptAt,
  notificationDataProblem,
  signatureHeader,
  verifySignature,
  webhookUrlProblem,
} from '../../src/core/delivery.js';

describe('cloudEvent', () => {
  it('builds a structured-mode CloudEvents 1.0 JSON object', () => {
    const e = cloudEvent({ id: 'e1', type: 'clearinghouse.case.notified', source: '//ch.example/log', subject: 'case-1', time: new Date('2026-06-02T10:00:00Z'), data: { tlp: 'AMBER' } });
    expect(e).toEqual({
      specversion: '1.0',
      id: 'e1',
      source: '//ch.example/log',
      type: 'clearinghouse.case.notified',
      subject: 'case-1',
      time: '2026-06-02T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: { tlp: 'AMBER' },
    });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('omits an absent subject and refuses missing required attributes or a bad time', () => {
    expect('subject' in cloudEvent({ id: 'e', type: 't.x', source: '/s', time: '2026-01-01T00:00:00Z', data: null })).toBe(false);
    expect(() => cloudEvent({ id: '', type: 't.x', source: '/s', time: new Date(), data: null })).toThrow(/id/);
    expect(() => cloudEvent({ id: 'e', type: '', source: '/s', time: new Date(), data: null })).toThrow(/type/);
    expect(() => cloudEvent({ id: 'e', type: 't.x', source: '', time: new Date(), data: null })).toThrow(/source/);
    expect(() => cloudEvent({ id: 'e', type: 't.x', source: '/s', time: 'yesterday', data: null })).toThrow(/instant/);
  });
});

describe('signatureHeader / verifySignature', () => {
  const secret = 'whsec_test';
  const body = '{"specversion":"1.0","id":"e1"}';
  const t = 1_780_000_000;

  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, t, body)).toBe(`t=${t},v1=${expected}`);
    expect(signatureHeader(secret, new Date(t * 1000 + 999), body)).toBe(`t=${t},v1=${expected}`);
    expect(signatureHeader(secret, t, Buffer.from(body))).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies within the tolerance and refuses tampering, another secret, and replays', () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignature({ secret, header, body, now: t + 10 })).toEqual({ ok: true, timestamp: t });
    expect(verifySignature({ secret, header, body: body.replace('e1', 'e2'), now: t })).toMatchObject({ ok: false, reason: expect.stringMatching(/no signature matches/) });
    expect(verifySignature({ secret: 'whsec_other', header, body, now: t })).toMatchObject({ ok: false });
    expect(verifySignature({ secret, header, body, now: t + 301 })).toMatchObject({ ok: false, reason: expect.stringMatching(/301 s from now/) });
    expect(verifySignature({ secret, header, body, now: t - 301 })).toMatchObject({ ok: false });
    expect(verifySignature({ secret, header, body, now: t + 900, toleranceSeconds: 1000 })).toMatchObject({ ok: true });
    // without `now`, the system clock
    expect(verifySignature({ secret, header: signatureHeader(secret, new Date(), body), body })).toMatchObject({ ok: true });
    expect(verifySignature({ secret, header, body })).toMatchObject({ ok: false, reason: expect.stringMatching(/tolerated/) });
    // the timestamp is signed: moving it breaks the signature
    expect(verifySignature({ secret, header: header.replace(`t=${t}`, `t=${t + 5}`), body, now: t })).toMatchObject({ ok: false });
  });

  it('refuses a missing or malformed header, and accepts any one of several v1 values (rotation)', () => {
    expect(verifySignature({ secret, header: undefined, body })).toMatchObject({ ok: false, reason: expect.stringMatching(/no Clearinghouse-Signature/) });
    expect(verifySignature({ secret, header: 'v1=abc', body, now: t })).toMatchObject({ ok: false, reason: expect.stringMatching(/no timestamp/) });
    expect(verifySignature({ secret, header: `t=${t}`, body, now: t })).toMatchObject({ ok: false, reason: expect.stringMatching(/no v1/) });
    const good = signatureHeader(secret, t, body).split(',v1=')[1]!;
    const other = signatureHeader('whsec_old', t, body).split(',v1=')[1]!;
    expect(verifySignature({ secret, header: `t=${t},v1=${other},v1=${good}`, body, now: t })).toMatchObject({ ok: true });
  });
});

describe('nextAttemptAt', () => {
  const now = new Date('2026-06-02T00:00:00Z');
  const at = (attempt: number, r: number) => nextAttemptAt(attempt, now, defaultRetryPolicy, () => r);

  it('waits a random share of base × 2^(attempt−1), at least a second', () => {
    expect(at(1, 0.5)!.getTime() - now.getTime()).toBe(15_000);
    expect(at(1, 0.999999)!.getTime() - now.getTime()).toBe(29_999);
    expect(at(2, 0.5)!.getTime() - now.getTime()).toBe(30_000);
    expect(at(3, 0.5)!.getTime() - now.getTime()).toBe(60_000);
    expect(at(7, 1)!.getTime() - now.getTime()).toBe(30_000 * 64);
    expect(at(1, 0)!.getTime() - now.getTime()).toBe(1_000);
    expect(maxWaitMs(1)).toBe(30_000);
    expect(maxWaitMs(4)).toBe(240_000);
  });

  it('is capped, and null (dead) after the last attempt', () => {
    const policy = { ...defaultRetryPolicy, maxAttempts: 30 };
    expect(nextAttemptAt(20, now, policy, () => 1)!.getTime() - now.getTime()).toBe(6 * 3_600_000);
    expect(at(7, 0.3)).not.toBeNull();
    expect(at(8, 0.3)).toBeNull();
    expect(at(9, 0.3)).toBeNull();
    expect(() => at(0, 0.3)).toThrow(/attempt/);
  });

  it('spreads retries over the whole window (full jitter)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const waits = Array.from({ length: 400 }, () => nextAttemptAt(4, now, defaultRetryPolicy, random)!.getTime() - now.getTime());
    expect(Math.min(...waits)).toBeLessThan(30_000);
    expect(Math.max(...waits)).toBeGreaterThan(210_000);
    expect(waits.every((w) => w >= 1_000 && w <= 240_000)).toBe(true);
  });
});

describe('what a notification may carry', () => {
  it('accepts ids, a title, an API resource and a TLP label', () => {
    expect(notificationDataProblem({ tlp: 'AMBER', resource: '/v1/cases/4b1c', title: 'Heap overflow in libfoo', ids: { caseId: '4b1c', cve: 'CVE-2026-0001' } })).toBeNull();
    expect(notificationDataProblem({ tlp: 'AMBER+STRICT', resource: '/v1/cases/x' })).toBeNull();
  });

  it('refuses anything else, naming the member', () => {
    expect(notificationDataProblem({ tlp: 'AMBER', resource: '/v1/cases/x', description: 'the overflow is in parse()' })).toEqual({ field: '/data/description', message: expect.stringMatching(/only tlp, resource, title and ids/) });
    expect(notificationDataProblem({ tlp: 'amber', resource: '/v1/x' })?.field).toBe('/data/tlp');
    expect(notificationDataProblem({ tlp: 'RED', resource: 'https://evil.example/x' })?.field).toBe('/data/resource');
    expect(notificationDataProblem({ tlp: 'RED', resource: '/v1/../admin' })?.field).toBe('/data/resource');
    expect(notificationDataProblem({ tlp: 'RED', resource: '/v1/x', title: 'two\nlines' })?.field).toBe('/data/title');
    expect(notificationDataProblem({ tlp: 'RED', resource: '/v1/x', ids: { poc: 'a b c' } })?.field).toBe('/data/ids/poc');
    expect(notificationDataProblem({ tlp: 'RED', resource: '/v1/x', ids: { detail: { nested: true } } })?.field).toBe('/data/ids/detail');
    expect(notificationDataProblem(null)?.field).toBe('/data');
  });
});

describe('event types, filters, URLs and addresses', () => {
  it('matches exact types and prefixes', () => {
    expect(isEventType('clearinghouse.case.notified')).toBe(true);
    expect(isEventType('Clearinghouse.Case')).toBe(false);
    expect(isEventType('single')).toBe(false);
    expect(isEventFilter('clearinghouse.case.*')).toBe(true);
    expect(isEventFilter('*')).toBe(false);
    expect(matchesEventFilter(null, 'a.b')).toBe(true);
    expect(matchesEventFilter([], 'a.b')).toBe(true);
    expect(matchesEventFilter(['clearinghouse.case.*'], 'clearinghouse.case.notified')).toBe(true);
    expect(matchesEventFilter(['clearinghouse.case.*'], 'clearinghouse.cases')).toBe(false);
    expect(matchesEventFilter(['clearinghouse.test'], 'clearinghouse.case.notified')).toBe(false);
  });

  it('wants https, or http to a loopback host', () => {
    expect(webhookUrlProblem('https://hooks.example.org/ch')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeNull();
    expect(webhookUrlProblem('http://localhost/hook')).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9/hook')).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.org/ch')).toMatch(/must be https/);
    expect(webhookUrlProblem('http://127.0.0.1.example.org/ch')).toMatch(/must be https/);
    expect(webhookUrlProblem('ftp://example.org/x')).toMatch(/not ftp/);
    expect(webhookUrlProblem('https://user:pw@example.org/x')).toMatch(/credentials/);
    expect(webhookUrlProblem('not a url')).toMatch(/not an absolute URL/);
  });

  it('knows an e-mail address when it sees one', () => {
    expect(isMailAddress('psirt@example.org')).toBe(true);
    expect(isMailAddress('security+ch@sub.example.co.uk')).toBe(true);
    expect(isMailAddress('root@localhost')).toBe(true);
    expect(isMailAddress('no-at-sign')).toBe(false);
    expect(isMailAddress('a b@example.org')).toBe(false);
    expect(isMailAddress('x@example.org\nBcc: y@example.org')).toBe(false);
    expect(isMailAddress('<x@example.org>')).toBe(false);
  });
});
