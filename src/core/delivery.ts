// Delivery of notifications, the pure part: the CloudEvents 1.0 envelope a webhook receives, its
// HMAC-SHA256 signature header (Stripe-style `t=<unix>,v1=<hex>`), and when a failed delivery is tried
// again (exponential backoff with full jitter, then dead).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const cloudEventsSpecVersion = '1.0';
/** The media type of a structured-mode CloudEvent in JSON (the body of a webhook POST). */
export const cloudEventsContentType = 'application/cloudevents+json';
/** The header carrying the signature of a webhook POST. */
export const signatureHeaderName = 'Clearinghouse-Signature';

export interface CloudEvent<D = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  data: D;
}

/** A CloudEvents 1.0 event in structured mode (JSON format): the attributes and `data` in one object. */
export function cloudEvent<D>(e: { id: string; type: string; source: string; subject?: string | null; time: Date | string; data: D }): CloudEvent<D> {
  if (!e.id) throw new Error('a CloudEvent needs an id');
  if (!e.source) throw new Error('a CloudEvent needs a source');
  if (!e.type) throw new Error('a CloudEvent needs a type');
  const time = typeof e.time === 'string' ? new Date(e.time) : e.time;
  if (Number.isNaN(time.getTime())) throw new Error(`CloudEvent time ${String(e.time)} is not an instant`);
  return {
    specversion: cloudEventsSpecVersion,
    id: e.id,
    source: e.source,
    type: e.type,
    ...(e.subject ? { subject: e.subject } : {}),
    time: time.toISOString(),
    datacontenttype: 'application/json',
    data: e.data,
  };
}

const attributeOrder = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'];

/** The same event with its attributes in the usual order (a database may have reordered a stored one's keys). */
export function inAttributeOrder(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of attributeOrder) if (k in event) out[k] = event[k];
  for (const [k, v] of Object.entries(event)) if (!(k in out)) out[k] = v;
  return out;
}

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return mac.digest('hex');
}

function unixSeconds(at: number | Date): number {
  return typeof at === 'number' ? Math.floor(at) : Math.floor(at.getTime() / 1000);
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the endpoint's secret>`. The timestamp is
 * signed with the body, so a receiver that refuses old timestamps refuses replays.
 */
export function signatureHeader(secret: string, timestamp: number | Date, body: string | Uint8Array): string {
  const t = unixSeconds(timestamp);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** The default replay window: a signature more than five minutes from the receiver's clock is refused. */
export const defaultToleranceSeconds = 300;

/**
 * What a receiver does: parse the header, refuse a timestamp outside the tolerance (either way), and compare
 * every `v1` signature with the expected one in constant time (several `v1` values may appear while a secret
 * is being rotated; one match is enough). `now` (default: the system clock) as a number is unix seconds.
 */
export function verifySignature(input: { secret: string; header: string | null | undefined; body: string | Uint8Array; now?: number | Date; toleranceSeconds?: number }): SignatureCheck {
  if (!input.header) return { ok: false, reason: `no ${signatureHeaderName} header` };
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of input.header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) v1.push(value.toLowerCase());
  }
  if (t === null) return { ok: false, reason: 'the signature header has no timestamp (t=)' };
  if (v1.length === 0) return { ok: false, reason: 'the signature header has no v1 signature' };
  const now = unixSeconds(input.now ?? new Date());
  const tolerance = input.toleranceSeconds ?? defaultToleranceSeconds;
  if (Math.abs(now - t) > tolerance) return { ok: false, reason: `the timestamp is ${Math.abs(now - t)} s from now, more than the ${tolerance} s tolerated` };
  const expected = Buffer.from(hmacHex(input.secret, t, input.body), 'hex');
  const match = v1.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'no signature matches the body with this secret' };
}

export interface RetryPolicy {
  /** The first retry waits up to this long. */
  baseMs: number;
  /** Each further retry may wait this many times longer. */
  factor: number;
  /** No wait is longer than this. */
  capMs: number;
  /** No wait is shorter than this (so a retry never runs in the same instant as the failure). */
  minMs: number;
  /** Attempts in all, the first one included; after the last failed one the delivery is dead. */
  maxAttempts: number;
}

/** 30 s base, doubling, capped at 6 h, 8 attempts, then dead. */
export const defaultRetryPolicy: RetryPolicy = Object.freeze({ baseMs: 30_000, factor: 2, capMs: 6 * 3_600_000, minMs: 1_000, maxAttempts: 8 });

/**
 * When to try again after `attempt` failed attempts (1 after the first), or null when that was the last:
 * "full jitter" — a uniformly random wait between `minMs` and min(cap, base × factor^(attempt−1)), drawn
 * from `random` (a source of numbers in [0, 1), injected so tests can fix it).
 */
export function nextAttemptAt(attempt: number, now: Date, policy: RetryPolicy = defaultRetryPolicy, random: () => number = Math.random): Date | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a whole number from 1, not ${attempt}`);
  if (attempt >= policy.maxAttempts) return null;
  const ceiling = Math.max(policy.minMs, Math.min(policy.capMs, policy.baseMs * policy.factor ** (attempt - 1)));
  const r = Math.min(Math.max(random(), 0), 1);
  const wait = Math.max(policy.minMs, Math.floor(r * ceiling));
  return new Date(now.getTime() + wait);
}

/** The longest wait `nextAttemptAt` may choose after `attempt` failed attempts. */
export function maxWaitMs(attempt: number, policy: RetryPolicy = defaultRetryPolicy): number {
  return Math.max(policy.minMs, Math.min(policy.capMs, policy.baseMs * policy.factor ** (attempt - 1)));
}

/** TLP 2.0 labels a notification may carry (the label of what its link leads to). */
export const notificationTlps = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type NotificationTlp = (typeof notificationTlps)[number];

/**
 * What a notification may say, and nothing more: no embargoed detail ever leaves in a webhook or an e-mail.
 * The recipient fetches the detail through the API with its own token, where the read is checked and logged.
 */
export interface NotificationData {
  /** The TLP 2.0 label of what `resource` leads to. */
  tlp: NotificationTlp;
  /** The API resource holding the detail: a path under /v1/ (e.g. `/v1/cases/<id>`). */
  resource: string;
  /** A title the recipient may see (never embargoed text); one line. */
  title?: string | null;
  /** Identifiers of what the notification is about, e.g. `{ caseId, vulnId, advisoryId }`. */
  ids?: Record<string, string>;
}
// (the delivery service adds `link`, the absolute URL of `resource`, when the server's public URL is known)

const maxTitle = 200;
const maxIds = 20;

/**
 * Why the data of a notification is not acceptable, with the JSON Pointer at fault, or null. Anything beyond
 * the four members is refused, so detail cannot slip into a notification by accident.
 */
export function notificationDataProblem(data: unknown): { field: string; message: string } | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { field: '/data', message: 'notification data must be an object' };
  const d = data as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!['tlp', 'resource', 'title', 'ids'].includes(key)) return { field: `/data/${key}`, message: `a notification carries only tlp, resource, title and ids, not ${key}: the recipient fetches detail through the API` };
  }
  if (typeof d.tlp !== 'string' || !(notificationTlps as readonly string[]).includes(d.tlp)) return { field: '/data/tlp', message: `tlp must be one of ${notificationTlps.join(', ')}` };
  if (typeof d.resource !== 'string' || !/^\/v1\/[A-Za-z0-9._~\-/]*$/.test(d.resource) || d.resource.length > 300 || d.resource.includes('..')) return { field: '/data/resource', message: 'resource must be an API path under /v1/ (letters, digits, . _ ~ - /)' };
  if (d.title !== undefined && d.title !== null) {
    if (typeof d.title !== 'string' || d.title.length > maxTitle || /[\r\n]/.test(d.title)) return { field: '/data/title', message: `title must be one line of at most ${maxTitle} characters` };
  }
  if (d.ids !== undefined) {
    if (typeof d.ids !== 'object' || d.ids === null || Array.isArray(d.ids)) return { field: '/data/ids', message: 'ids must be an object of strings' };
    const entries = Object.entries(d.ids);
    if (entries.length > maxIds) return { field: '/data/ids', message: `at most ${maxIds} ids` };
    for (const [k, v] of entries) {
      if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(k)) return { field: `/data/ids/${k}`, message: 'an id name is a word of letters and digits' };
      if (typeof v !== 'string' || v.length > 100 || /[\s]/.test(v)) return { field: `/data/ids/${k}`, message: 'an id is a string of at most 100 characters without spaces' };
    }
  }
  return null;
}

/** An event type: dotted lower-case words, reverse-DNS style (`clearinghouse.case.notified`). */
export function isEventType(value: string): boolean {
  return value.length <= 100 && /^[a-z0-9]+(?:[.-][a-z0-9]+)+$/.test(value);
}

/** An endpoint's filter: exact types, or a prefix ending in `.*` (`clearinghouse.case.*`); none means every type. */
export function matchesEventFilter(filter: readonly string[] | null, type: string): boolean {
  if (!filter || filter.length === 0) return true;
  return filter.some((f) => (f.endsWith('.*') ? type.startsWith(f.slice(0, -1)) : f === type));
}

export function isEventFilter(value: string): boolean {
  return value.endsWith('.*') ? /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/.test(value.slice(0, -2)) && value.length <= 100 : isEventType(value);
}

/** Why a webhook URL is not acceptable, or null: https, or http to a loopback host (local receivers, tests). */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${JSON.stringify(url.slice(0, 200))} is not an absolute URL`;
  }
  if (u.username || u.password) return 'the URL must not carry credentials';
  if (!u.hostname) return 'the URL names no host';
  if (u.hash) return 'the URL must not have a fragment';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:') return isLoopbackHost(u.hostname) ? null : 'a webhook URL must be https (http only to a loopback host: localhost, 127.0.0.0/8, [::1])';
  return `a webhook URL must be https, not ${u.protocol.replace(/:$/, '')}`;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A plausible e-mail address (one @, a dotted or local domain, no spaces or angle brackets), at most 254 characters. */
export function isMailAddress(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value);
}
