// Delivery of notifications to organizations: by webhook (a CloudEvents 1.0 JSON POST signed with
// HMAC-SHA256) and by e-mail over SMTP. Other services call `enqueue` inside their own transaction; one
// delivery row per enabled endpoint or contact is written with it, and a background job sends them, retrying
// failures with exponential backoff and full jitter until delivered or dead (the visible dead-letter list).
// Every delivery and every attempt's outcome is in the transparency log. A notification carries no embargoed
// detail — ids, a title the recipient may see, the API resource and its TLP label — the recipient fetches the
// detail through the API with its own token, where the read is checked and logged.
import { randomBytes, randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { seesAllOrgs, type Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import {
  cloudEvent,
  cloudEventsContentType,
  defaultRetryPolicy,
  inAttributeOrder,
  isEventFilter,
  isEventType,
  isMailAddress,
  matchesEventFilter,
  nextAttemptAt,
  notificationDataProblem,
  signatureHeader,
  signatureHeaderName,
  webhookUrlProblem,
  type NotificationData,
  type RetryPolicy,
} from '../core/delivery.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import type { LogEvent } from '../core/log/entry.js';
import { newDataKey, openText, sealText, unwrapDataKey } from '../secrets/envelope.js';
import * as store from '../store/delivery.js';
import { deliveryStatuses, type Delivery, type DeliveryStatus, type MailContact, type WebhookEndpoint } from '../store/delivery.js';
import type { Job } from '../store/jobs.js';
import * as orgStore from '../store/orgs.js';
import { actorOf, write, type Db, type ServiceContext } from './context.js';

export const deliveryJobKind = 'delivery';
/** The subject of every delivery job: there is one queue, not one per delivery. */
export const deliveryQueueSubject = '00000000-0000-4000-8000-00000000de11';
export const testEventType = 'clearinghouse.test';

const defaultTimeoutMs = 10_000;
const defaultBatch = 16;
const defaultMaxPerRun = 1_000;
/** How long a claimed delivery is held by the worker trying it (longer than any one attempt). */
const claimMs = 5 * 60_000;
const maxEventTypes = 50;

export interface WebhookView {
  id: string;
  orgId: string;
  url: string;
  /** Event types sent to it (exact, or a prefix ending in `.*`); null: every type. */
  eventTypes: string[] | null;
  enabled: boolean;
  createdAt: string;
}

export interface CreatedWebhookView extends WebhookView {
  /** The signing secret: returned once, at creation, and never again (stored sealed). */
  secret: string;
}

export interface MailContactView {
  id: string;
  orgId: string;
  address: string;
  enabled: boolean;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  orgId: string;
  channel: 'webhook' | 'email';
  endpointId: string | null;
  contactId: string | null;
  eventId: string;
  eventType: string;
  subject: string | null;
  caseId: string | null;
  status: DeliveryStatus;
  attempts: number;
  /** Pending: when it is tried next. */
  nextAttemptAt: string | null;
  lastError: string | null;
  /** HTTP status of the last webhook attempt, or the SMTP reply code of the last e-mail attempt. */
  lastStatusCode: number | null;
  deliveredAt: string | null;
  createdAt: string;
  /** The CloudEvent sent (no embargoed detail). */
  event: Record<string, unknown>;
}

function webhookView(e: WebhookEndpoint): WebhookView {
  return { id: e.id, orgId: e.orgId, url: e.url, eventTypes: e.eventTypes, enabled: e.enabled, createdAt: e.createdAt.toISOString() };
}

function contactView(c: MailContact): MailContactView {
  return { id: c.id, orgId: c.orgId, address: c.address, enabled: c.enabled, createdAt: c.createdAt.toISOString() };
}

export function deliveryView(d: Delivery): DeliveryView {
  return {
    id: d.id,
    orgId: d.orgId,
    channel: d.channel,
    endpointId: d.endpointId,
    contactId: d.contactId,
    eventId: d.eventId,
    eventType: d.eventType,
    subject: d.subject,
    caseId: d.caseId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastError: d.lastError,
    lastStatusCode: d.lastStatusCode,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    event: inAttributeOrder(d.payload),
  };
}

/** What the log commits to about a delivery: its state, not the attempt clock of a claim. */
function deliveryState(d: Delivery): unknown {
  return deliveryView(d);
}

/** One notification for organizations, as another service hands it over. */
export interface NotificationInput {
  /** The organizations to notify (each one's enabled endpoints and contacts get a delivery). */
  orgIds: readonly string[];
  event: {
    /** Dotted reverse-DNS type, e.g. `clearinghouse.case.notified`. */
    type: string;
    /** What it is about, e.g. a case id; the CloudEvent `subject`. */
    subject?: string | null;
    data: NotificationData;
  };
  /** The disclosure case it notifies of, for filtering deliveries by case. */
  caseId?: string | null;
}

export interface DeliveryOptions {
  /** SMTP server for e-mail (`smtp://host:port`, `smtps://user:pass@host`); null: e-mail is not configured. */
  smtpUrl?: string | null;
  /** The From of e-mail notifications. */
  mailFrom?: string | null;
  /** The CloudEvents `source` of this clearinghouse's events. */
  source?: string;
  /** Where the API is reached from outside (`https://clearinghouse.example`): notifications then carry an absolute `link`. */
  publicUrl?: string | null;
  retryPolicy?: RetryPolicy;
  /** The random source of the backoff's jitter, numbers in [0, 1). */
  random?: () => number;
  /** How long one webhook POST or SMTP exchange may take. */
  timeoutMs?: number;
}

interface AttemptResult {
  ok: boolean;
  error: string | null;
  statusCode: number | null;
  /** Never worth retrying (the endpoint or contact was removed). */
  final?: boolean;
}

const oneLine = (s: string, max = 300) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max);

export class DeliveryService {
  private readonly smtpUrl: string | null;
  private readonly mailFrom: string;
  private readonly source: string;
  private readonly publicUrl: string | null;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private transport: Transporter | null = null;

  constructor(
    private readonly ctx: ServiceContext,
    options: DeliveryOptions = {},
  ) {
    this.smtpUrl = options.smtpUrl || null;
    this.mailFrom = options.mailFrom || 'Clearinghouse <clearinghouse@localhost>';
    this.source = options.source ?? '/clearinghouse';
    this.publicUrl = options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : null;
    this.policy = options.retryPolicy ?? defaultRetryPolicy;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    if (this.smtpUrl && !/^smtps?:\/\//i.test(this.smtpUrl)) throw new AppError('bad-request', `CLEARINGHOUSE_SMTP_URL must be an smtp:// or smtps:// URL, not ${JSON.stringify(this.smtpUrl.replace(/\/\/[^@/]*@/, '//…@'))}`);
  }

  /** Whether e-mail can be sent (an SMTP URL is configured). */
  get mailConfigured(): boolean {
    return this.smtpUrl !== null;
  }

  // ---- webhook endpoints ----

  /** Registers a webhook endpoint of the caller's organization (a coordinator may name another's); the secret is returned once. */
  async registerWebhook(caller: Caller, input: { url: string; eventTypes?: readonly string[] | null; orgId?: string }): Promise<CreatedWebhookView> {
    const orgId = await this.ownerFor(caller, input.orgId);
    if (typeof input.url !== 'string') throw invalidField('/url', 'url must be an https URL');
    const problem = webhookUrlProblem(input.url);
    if (problem) throw invalidField('/url', problem);
    const url = new URL(input.url).href;
    const eventTypes = this.eventFilter(input.eventTypes);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const { key, wrapped } = newDataKey(this.ctx.masterKey, `webhook:${id}`);
    const sealed = sealText(key, secret, `webhook:${id}:secret`);
    const now = this.ctx.clock.now();
    return write(this.ctx, caller, async (trx) => {
      const existing = await store.findEnabledEndpointByUrl(trx, orgId, url);
      if (existing) throw new AppError('conflict', `webhook ${existing.id} already sends to ${url}; remove it first`, { field: '/url', extra: { webhookId: existing.id } });
      const endpoint = await store.insertEndpoint(trx, { id, orgId, url, secretSealed: sealed, secretKey: wrapped, eventTypes, enabled: true, createdAt: now, createdByToken: isUuid(caller.tokenId) ? caller.tokenId : null });
      const view = webhookView(endpoint);
      return { result: { ...view, secret }, events: [{ action: 'webhook.create', objectType: 'webhook', objectId: id, stateSha256: digestOf(view) }] };
    });
  }

  /** Webhook endpoints: an organization's own; coordinators and auditors see all (or one organization's). Newest first. */
  async listWebhooks(caller: Caller, filter: { orgId?: string; limit: number; offset: number }): Promise<WebhookView[]> {
    const orgId = this.listScope(caller, filter.orgId);
    return (await store.listEndpoints(this.ctx.db, { ...(orgId ? { orgId } : {}), limit: filter.limit, offset: filter.offset })).map(webhookView);
  }

  /** One endpoint: its organization's, or any for coordinators and auditors. */
  async getWebhook(caller: Caller, id: string): Promise<WebhookView> {
    const endpoint = isUuid(id) ? await store.findEndpoint(this.ctx.db, id) : null;
    if (!endpoint || (endpoint.orgId !== caller.orgId && !seesAllOrgs(caller))) throw notFound('webhook', id);
    return webhookView(endpoint);
  }

  /** Removes an endpoint: kept, disabled, for the record; nothing more is sent to it (idempotent). */
  async disableWebhook(caller: Caller, id: string): Promise<WebhookView> {
    const endpoint = await this.endpointFor(caller, id);
    if (!endpoint.enabled) return webhookView(endpoint);
    return write(this.ctx, caller, async (trx) => {
      const view = webhookView(await store.disableEndpoint(trx, id));
      return { result: view, events: [{ action: 'webhook.delete', objectType: 'webhook', objectId: id, stateSha256: digestOf(view) }] };
    });
  }

  /** Coordinators: sends a `clearinghouse.test` event to one endpoint (through the queue, like any delivery). */
  async testWebhook(caller: Caller, id: string): Promise<DeliveryView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators send test events');
    const endpoint = await this.endpointFor(caller, id);
    if (!endpoint.enabled) throw new AppError('conflict', `webhook ${id} is removed`);
    const views = await write(this.ctx, caller, async (trx) => {
      const out = await this.createDeliveries(
        trx,
        { endpoints: [endpoint], contacts: [] },
        { type: testEventType, subject: endpoint.id, data: { tlp: 'CLEAR', resource: `/v1/webhooks/${endpoint.id}`, title: 'Test event from the clearinghouse', ids: { webhookId: endpoint.id } } },
        null,
      );
      return { result: out.views, events: out.events };
    });
    return views[0]!;
  }

  // ---- e-mail contacts ----

  /** Registers an e-mail contact of the caller's organization (a coordinator may name another's). Refused when e-mail is not configured. */
  async registerMailContact(caller: Caller, input: { address: string; orgId?: string }): Promise<MailContactView> {
    const orgId = await this.ownerFor(caller, input.orgId);
    if (typeof input.address !== 'string' || !isMailAddress(input.address.trim())) throw invalidField('/address', 'address must be an e-mail address (name@example.org)');
    if (!this.mailConfigured) throw new AppError('conflict', 'e-mail is not configured on this server (CLEARINGHOUSE_SMTP_URL is unset): register a webhook, or ask the operators to configure SMTP', { field: '/address' });
    const address = input.address.trim();
    const now = this.ctx.clock.now();
    return write(this.ctx, caller, async (trx) => {
      const existing = await store.findEnabledContactByAddress(trx, orgId, address);
      if (existing) throw new AppError('conflict', `mail contact ${existing.id} already has ${existing.address}`, { field: '/address', extra: { contactId: existing.id } });
      const contact = await store.insertContact(trx, { id: randomUUID(), orgId, address, enabled: true, createdAt: now, createdByToken: isUuid(caller.tokenId) ? caller.tokenId : null });
      const view = contactView(contact);
      return { result: view, events: [{ action: 'mail-contact.create', objectType: 'mail-contact', objectId: contact.id, stateSha256: digestOf(view) }] };
    });
  }

  async listMailContacts(caller: Caller, filter: { orgId?: string; limit: number; offset: number }): Promise<MailContactView[]> {
    const orgId = this.listScope(caller, filter.orgId);
    return (await store.listContacts(this.ctx.db, { ...(orgId ? { orgId } : {}), limit: filter.limit, offset: filter.offset })).map(contactView);
  }

  async disableMailContact(caller: Caller, id: string): Promise<MailContactView> {
    const contact = isUuid(id) ? await store.findContact(this.ctx.db, id) : null;
    if (!contact || !this.mayManage(caller, contact.orgId)) throw notFound('mail contact', id);
    if (!contact.enabled) return contactView(contact);
    return write(this.ctx, caller, async (trx) => {
      const view = contactView(await store.disableContact(trx, id));
      return { result: view, events: [{ action: 'mail-contact.delete', objectType: 'mail-contact', objectId: id, stateSha256: digestOf(view) }] };
    });
  }

  // ---- notifications ----

  /**
   * Queues one notification for organizations, inside the caller's transaction `trx`: one delivery per
   * enabled webhook endpoint (whose event filter admits the type) and per enabled e-mail contact of each
   * organization, each logged (`delivery.create`) with `actor`, and the delivery job queued. Commits or
   * vanishes with the caller's transaction. The data is checked to carry nothing but ids, a title, the API
   * resource and a TLP label (`invalid-field` naming what else it carries).
   */
  async enqueue(trx: Db, input: NotificationInput, actor: Caller | null = null): Promise<DeliveryView[]> {
    const orgIds = [...new Set(input.orgIds)];
    orgIds.forEach((id, i) => {
      if (!isUuid(id)) throw invalidField(`/orgIds/${i}`, `${JSON.stringify(id)} is not an organization id`);
    });
    if (input.caseId != null && !isUuid(input.caseId)) throw invalidField('/caseId', 'caseId must be a UUID');
    const endpoints = (await store.enabledEndpointsOf(trx, orgIds)).filter((e) => matchesEventFilter(e.eventTypes, input.event.type));
    const contacts = await store.enabledContactsOf(trx, orgIds);
    const out = await this.createDeliveries(trx, { endpoints, contacts }, input.event, input.caseId ?? null);
    await this.ctx.log.record(trx, actorOf(actor), out.events);
    return out.views;
  }

  /** Deliveries: an organization's own; coordinators and auditors see all. Newest first. */
  async listDeliveries(caller: Caller, filter: { status?: string; caseId?: string; orgId?: string; limit: number; offset: number }): Promise<DeliveryView[]> {
    if (filter.status !== undefined && !(deliveryStatuses as readonly string[]).includes(filter.status)) throw invalidField('status', `status must be one of ${deliveryStatuses.join(', ')}`);
    if (filter.caseId !== undefined && !isUuid(filter.caseId)) throw invalidField('caseId', 'caseId must be a UUID');
    const orgId = this.listScope(caller, filter.orgId);
    const rows = await store.listDeliveries(this.ctx.db, {
      ...(orgId ? { orgId } : {}),
      ...(filter.status ? { status: filter.status as DeliveryStatus } : {}),
      ...(filter.caseId ? { caseId: filter.caseId } : {}),
      limit: filter.limit,
      offset: filter.offset,
    });
    return rows.map(deliveryView);
  }

  async getDelivery(caller: Caller, id: string): Promise<DeliveryView> {
    const d = isUuid(id) ? await store.findDelivery(this.ctx.db, id) : null;
    if (!d || (d.orgId !== caller.orgId && !seesAllOrgs(caller))) throw notFound('delivery', id);
    return deliveryView(d);
  }

  /** A dead delivery back to pending, its attempts reset and due now (coordinators, or its organization). */
  async retry(caller: Caller, id: string): Promise<DeliveryView> {
    const found = isUuid(id) ? await store.findDelivery(this.ctx.db, id) : null;
    if (!found || (found.orgId !== caller.orgId && !seesAllOrgs(caller))) throw notFound('delivery', id);
    if (found.orgId !== caller.orgId && caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators and the notified organization retry a delivery');
    const now = this.ctx.clock.now();
    return write(this.ctx, caller, async (trx) => {
      const d = (await store.findDelivery(trx, id, { lock: true }))!;
      if (d.status !== 'dead') throw new AppError('conflict', `delivery ${id} is ${d.status}; only a dead delivery is retried`, { extra: { status: d.status } });
      if (d.endpointId) {
        const e = await store.findEndpoint(trx, d.endpointId);
        if (!e?.enabled) throw new AppError('conflict', `webhook ${d.endpointId} of delivery ${id} is removed; register the endpoint again`);
      }
      if (d.contactId) {
        const c = await store.findContact(trx, d.contactId);
        if (!c?.enabled) throw new AppError('conflict', `mail contact ${d.contactId} of delivery ${id} is removed`);
      }
      const revived = await store.revive(trx, id, now);
      await this.ensureJob(trx, now, now);
      const view = deliveryView(revived);
      return { result: view, events: [{ action: 'delivery.retry', objectType: 'delivery', objectId: id, stateSha256: digestOf(deliveryState(revived)) }] };
    });
  }

  // ---- the job ----

  /**
   * The delivery job: tries every due delivery (a few at a time), records each outcome, and queues itself
   * again for the soonest next attempt. An attempt's failure is the delivery's, never the job's.
   */
  async runJob(job: Job, options: { maxPerRun?: number; batch?: number } = {}): Promise<Record<string, unknown>> {
    const maxPerRun = options.maxPerRun ?? defaultMaxPerRun;
    const batchSize = options.batch ?? defaultBatch;
    const counts = { delivered: 0, retrying: 0, dead: 0 };
    let tried = 0;
    while (tried < maxPerRun) {
      const now = this.ctx.clock.now();
      const batch = await store.claimDue(this.ctx.db, now, new Date(now.getTime() + claimMs), Math.min(batchSize, maxPerRun - tried));
      if (batch.length === 0) break;
      tried += batch.length;
      const outcomes = await Promise.all(batch.map((d) => this.attempt(d)));
      for (const o of outcomes) counts[o]++;
    }
    const now = this.ctx.clock.now();
    const next = await this.ctx.db.transaction().execute(async (trx) => {
      const at = await store.earliestPending(trx);
      if (!at) return null;
      const runAfter = at.getTime() > now.getTime() ? at : now;
      await this.ensureJob(trx, now, runAfter, job.id);
      return runAfter;
    });
    return { ...counts, tried, nextRunAt: next?.toISOString() ?? null };
  }

  // ---- internals ----

  private async createDeliveries(
    trx: Db,
    to: { endpoints: WebhookEndpoint[]; contacts: MailContact[] },
    event: NotificationInput['event'],
    caseId: string | null,
  ): Promise<{ views: DeliveryView[]; events: LogEvent[] }> {
    if (typeof event?.type !== 'string' || !isEventType(event.type)) throw invalidField('/event/type', 'the event type is dotted lower-case words, e.g. clearinghouse.case.notified');
    if (event.subject != null && (typeof event.subject !== 'string' || event.subject.length > 200 || /[\r\n]/.test(event.subject))) throw invalidField('/event/subject', 'the subject is one line of at most 200 characters');
    const problem = notificationDataProblem(event.data);
    if (problem) throw invalidField(`/event${problem.field}`, problem.message);
    const now = this.ctx.clock.now();
    const eventId = randomUUID();
    const data: NotificationData & { link?: string } = {
      tlp: event.data.tlp,
      resource: event.data.resource,
      ...(this.publicUrl ? { link: `${this.publicUrl}${event.data.resource}` } : {}),
      ...(event.data.title != null ? { title: event.data.title } : {}),
      ...(event.data.ids ? { ids: { ...event.data.ids } } : {}),
    };
    const payload = cloudEvent({ id: eventId, type: event.type, source: this.source, subject: event.subject ?? null, time: now, data }) as unknown as Record<string, unknown>;
    const common = { eventId, eventType: event.type, subject: event.subject ?? null, payload, caseId, createdAt: now, nextAttemptAt: now };
    const rows = [
      ...to.endpoints.map((e) => ({ ...common, id: randomUUID(), orgId: e.orgId, channel: 'webhook' as const, endpointId: e.id, contactId: null })),
      ...to.contacts.map((c) => ({ ...common, id: randomUUID(), orgId: c.orgId, channel: 'email' as const, endpointId: null, contactId: c.id })),
    ];
    const inserted = await store.insertDeliveries(trx, rows);
    if (inserted.length > 0) await this.ensureJob(trx, now, now);
    return {
      views: inserted.map(deliveryView),
      events: inserted.map((d) => ({ action: 'delivery.create', objectType: 'delivery', objectId: d.id, stateSha256: digestOf(deliveryState(d)) })),
    };
  }

  private ensureJob(trx: Db, now: Date, runAfter: Date, except?: string): Promise<unknown> {
    return store.ensureQueuedJob(trx, { id: randomUUID(), kind: deliveryJobKind, subjectId: deliveryQueueSubject, now, runAfter, ...(except ? { except } : {}) });
  }

  /** One attempt at one claimed delivery, its outcome recorded and logged. */
  private async attempt(d: Delivery): Promise<'delivered' | 'retrying' | 'dead'> {
    let result: AttemptResult;
    try {
      result = d.channel === 'webhook' ? await this.sendWebhook(d) : await this.sendMail(d);
    } catch (err) {
      result = { ok: false, error: oneLine(err instanceof Error ? err.message : String(err)), statusCode: null };
    }
    const attempts = d.attempts + 1;
    const at = this.ctx.clock.now();
    const retryAt = result.ok || result.final ? null : nextAttemptAt(attempts, at, this.policy, this.random);
    const status: DeliveryStatus = result.ok ? 'delivered' : retryAt ? 'pending' : 'dead';
    await write(this.ctx, null, async (trx) => {
      const updated = await store.recordAttempt(trx, d.id, { status, attempts, nextAttemptAt: retryAt, error: result.ok ? null : result.error, statusCode: result.statusCode, deliveredAt: result.ok ? at : null });
      const action = status === 'delivered' ? 'delivery.delivered' : status === 'dead' ? 'delivery.dead' : 'delivery.failed';
      return { result: updated, events: [{ action, objectType: 'delivery', objectId: d.id, stateSha256: digestOf(deliveryState(updated)) }] };
    });
    return status === 'delivered' ? 'delivered' : status === 'dead' ? 'dead' : 'retrying';
  }

  private async sendWebhook(d: Delivery): Promise<AttemptResult> {
    const endpoint = d.endpointId ? await store.findEndpoint(this.ctx.db, d.endpointId) : null;
    if (!endpoint?.enabled) return { ok: false, final: true, error: 'the webhook endpoint was removed', statusCode: null };
    const secret = openText(unwrapDataKey(this.ctx.masterKey, endpoint.secretKey, `webhook:${endpoint.id}`), endpoint.secretSealed, `webhook:${endpoint.id}:secret`);
    const body = JSON.stringify(inAttributeOrder(d.payload));
    let res: Response;
    try {
      res = await fetch(endpoint.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': `${cloudEventsContentType}; charset=utf-8`,
          'user-agent': 'clearinghouse-webhook',
          [signatureHeaderName]: signatureHeader(secret, this.ctx.clock.now(), body),
        },
      });
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${this.timeoutMs / 1000} s` : `cannot reach ${new URL(endpoint.url).host}: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`;
      return { ok: false, error: why, statusCode: null };
    }
    const text = await startOf(res, res.status >= 200 && res.status < 300 ? 0 : 200);
    if (res.status >= 200 && res.status < 300) return { ok: true, error: null, statusCode: res.status };
    const redirected = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    return { ok: false, error: oneLine(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${redirected}${text ? `: ${text}` : ''}`), statusCode: res.status };
  }

  private async sendMail(d: Delivery): Promise<AttemptResult> {
    const contact = d.contactId ? await store.findContact(this.ctx.db, d.contactId) : null;
    if (!contact?.enabled) return { ok: false, final: true, error: 'the mail contact was removed', statusCode: null };
    if (!this.smtpUrl) return { ok: false, error: 'e-mail is not configured on this server (CLEARINGHOUSE_SMTP_URL is unset)', statusCode: null };
    this.transport ??= nodemailer.createTransport(new SMTPTransport({ url: this.smtpUrl, connectionTimeout: this.timeoutMs, greetingTimeout: this.timeoutMs, socketTimeout: this.timeoutMs }));
    const event = d.payload as { id: string; type: string; time: string; subject?: string; data: NotificationData & { link?: string } };
    const message = notificationMail(event);
    try {
      const info = await this.transport.sendMail({
        from: this.mailFrom,
        to: contact.address,
        subject: message.subject,
        text: message.text,
        headers: { 'X-Clearinghouse-Event-Id': event.id, 'X-Clearinghouse-Event-Type': event.type },
        attachments: [{ filename: 'event.json', content: JSON.stringify(inAttributeOrder(d.payload), null, 2), contentType: cloudEventsContentType }],
      });
      const code = /^(\d{3})/.exec(String((info as { response?: unknown }).response ?? ''))?.[1];
      return { ok: true, error: null, statusCode: code ? Number(code) : null };
    } catch (err) {
      const e = err as { message?: string; responseCode?: number };
      return { ok: false, error: oneLine(`SMTP: ${e.message ?? String(err)}`), statusCode: typeof e.responseCode === 'number' ? e.responseCode : null };
    }
  }

  /** The organization a registration is for: the caller's own; a coordinator may name another. */
  private async ownerFor(caller: Caller, orgId: string | undefined): Promise<string> {
    if (orgId === undefined || orgId === caller.orgId) return caller.orgId;
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'an organization registers only its own endpoints and contacts', { field: '/orgId' });
    if (!isUuid(orgId) || !(await orgStore.findOrg(this.ctx.db, orgId))) throw invalidField('/orgId', `organization ${orgId} not found`);
    return orgId;
  }

  /** Which organization a listing covers: the caller's own, or for coordinators and auditors all (or the one named). */
  private listScope(caller: Caller, orgId: string | undefined): string | undefined {
    if (seesAllOrgs(caller)) {
      if (orgId !== undefined && !isUuid(orgId)) throw invalidField('orgId', 'orgId must be a UUID');
      return orgId;
    }
    if (orgId !== undefined && orgId !== caller.orgId) throw new AppError('forbidden', 'an organization sees only its own', { field: 'orgId' });
    return caller.orgId;
  }

  private mayManage(caller: Caller, orgId: string): boolean {
    return orgId === caller.orgId || caller.orgKind === 'coordinator';
  }

  private async endpointFor(caller: Caller, id: string): Promise<WebhookEndpoint> {
    const endpoint = isUuid(id) ? await store.findEndpoint(this.ctx.db, id) : null;
    if (!endpoint || !this.mayManage(caller, endpoint.orgId)) throw notFound('webhook', id);
    return endpoint;
  }

  private eventFilter(types: readonly string[] | null | undefined): string[] | null {
    if (types === undefined || types === null) return null;
    if (!Array.isArray(types)) throw invalidField('/eventTypes', 'eventTypes must be a list of event types');
    if (types.length === 0) return null;
    if (types.length > maxEventTypes) throw invalidField('/eventTypes', `at most ${maxEventTypes} event types`);
    types.forEach((t, i) => {
      if (typeof t !== 'string' || !isEventFilter(t)) throw invalidField(`/eventTypes/${i}`, `${JSON.stringify(t)} is not an event type (dotted lower-case words, e.g. clearinghouse.case.notified, or a prefix such as clearinghouse.case.*)`);
    });
    return [...new Set(types)];
  }
}

/** The first characters of an answer's body (for the last error), reading no more than that. */
async function startOf(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // the status is what counts
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** The e-mail for one notification: the type and subject in the subject line; the link and TLP in the text; no detail. */
export function notificationMail(event: { id: string; type: string; time: string; subject?: string; data: NotificationData & { link?: string } }): { subject: string; text: string } {
  const d = event.data;
  const tlp = `TLP:${d.tlp}`;
  const lines = [
    `${tlp}`,
    '',
    'A notification from the clearinghouse.',
    '',
    `Event:    ${event.type}`,
    ...(event.subject ? [`Subject:  ${event.subject}`] : []),
    ...(d.title ? [`Title:    ${d.title}`] : []),
    `TLP:      ${tlp}`,
    `Event id: ${event.id}`,
    `Time:     ${event.time}`,
    ...Object.entries(d.ids ?? {}).map(([k, v]) => `${`${k}:`.padEnd(9)} ${v}`),
    '',
    'This message carries no detail. Fetch it through the clearinghouse API with your organization\'s token',
    '(the read is checked and recorded in the transparency log):',
    '',
    `  GET ${d.link ?? d.resource}`,
    '',
    `Handle what you fetch as ${tlp}. The CloudEvent is attached as event.json.`,
    '',
  ];
  return { subject: `[Clearinghouse ${tlp}] ${event.type}${event.subject ? `: ${event.subject}` : ''}`, text: lines.join('\n') };
}
