// Delivery of notifications: webhook endpoints (secrets sealed), e-mail contacts, and deliveries, each one
// notification to one endpoint or contact, claimed by the delivery job with FOR UPDATE SKIP LOCKED.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DeliveriesTable, MailContactsTable, Schema, WebhookEndpointsTable } from './schema.js';

type Db = Kysely<Schema>;

export type DeliveryChannel = DeliveriesTable['channel'];
export type DeliveryStatus = DeliveriesTable['status'];
export const deliveryStatuses: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead'];

export interface WebhookEndpoint {
  id: string;
  orgId: string;
  url: string;
  secretSealed: string;
  secretKey: string;
  eventTypes: string[] | null;
  enabled: boolean;
  createdAt: Date;
  createdByToken: string | null;
}

export interface MailContact {
  id: string;
  orgId: string;
  address: string;
  enabled: boolean;
  createdAt: Date;
  createdByToken: string | null;
}

export interface Delivery {
  id: string;
  orgId: string;
  channel: DeliveryChannel;
  endpointId: string | null;
  contactId: string | null;
  eventId: string;
  eventType: string;
  subject: string | null;
  payload: Record<string, unknown>;
  caseId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

function toEndpoint(r: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return { id: r.id, orgId: r.org_id, url: r.url, secretSealed: r.secret_sealed, secretKey: r.secret_key, eventTypes: r.event_types, enabled: r.enabled, createdAt: r.created_at, createdByToken: r.created_by_token };
}

function toContact(r: Selectable<MailContactsTable>): MailContact {
  return { id: r.id, orgId: r.org_id, address: r.address, enabled: r.enabled, createdAt: r.created_at, createdByToken: r.created_by_token };
}

function toDelivery(r: Selectable<DeliveriesTable>): Delivery {
  return {
    id: r.id,
    orgId: r.org_id,
    channel: r.channel,
    endpointId: r.endpoint_id,
    contactId: r.contact_id,
    eventId: r.event_id,
    eventType: r.event_type,
    subject: r.subject,
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    caseId: r.case_id,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    lastStatusCode: r.last_status_code,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
  };
}

// ---- webhook endpoints ----

export async function insertEndpoint(trx: Db, e: WebhookEndpoint): Promise<WebhookEndpoint> {
  const row = await trx
    .insertInto('webhook_endpoints')
    .values({ id: e.id, org_id: e.orgId, url: e.url, secret_sealed: e.secretSealed, secret_key: e.secretKey, event_types: e.eventTypes, enabled: e.enabled, created_at: e.createdAt, created_by_token: e.createdByToken })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEndpoint(row);
}

export async function findEndpoint(db: Db, id: string): Promise<WebhookEndpoint | null> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEndpoint(row) : null;
}

export async function findEnabledEndpointByUrl(db: Db, orgId: string, url: string): Promise<WebhookEndpoint | null> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('url', '=', url).where('enabled', '=', true).executeTakeFirst();
  return row ? toEndpoint(row) : null;
}

/** Newest first; `orgId` limits to one organization. */
export async function listEndpoints(db: Db, filter: { orgId?: string; limit: number; offset: number }): Promise<WebhookEndpoint[]> {
  let q = db.selectFrom('webhook_endpoints').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toEndpoint);
}

export async function enabledEndpointsOf(db: Db, orgIds: readonly string[]): Promise<WebhookEndpoint[]> {
  if (orgIds.length === 0) return [];
  const rows = await db.selectFrom('webhook_endpoints').selectAll().where('org_id', 'in', [...orgIds]).where('enabled', '=', true).orderBy('created_at').orderBy('id').execute();
  return rows.map(toEndpoint);
}

export async function disableEndpoint(trx: Db, id: string): Promise<WebhookEndpoint> {
  const row = await trx.updateTable('webhook_endpoints').set({ enabled: false }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toEndpoint(row);
}

// ---- e-mail contacts ----

export async function insertContact(trx: Db, c: MailContact): Promise<MailContact> {
  const row = await trx
    .insertInto('mail_contacts')
    .values({ id: c.id, org_id: c.orgId, address: c.address, enabled: c.enabled, created_at: c.createdAt, created_by_token: c.createdByToken })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toContact(row);
}

export async function findContact(db: Db, id: string): Promise<MailContact | null> {
  const row = await db.selectFrom('mail_contacts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toContact(row) : null;
}

export async function findEnabledContactByAddress(db: Db, orgId: string, address: string): Promise<MailContact | null> {
  const row = await db
    .selectFrom('mail_contacts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(sql<boolean>`lower(address) = lower(${address})`)
    .where('enabled', '=', true)
    .executeTakeFirst();
  return row ? toContact(row) : null;
}

export async function listContacts(db: Db, filter: { orgId?: string; limit: number; offset: number }): Promise<MailContact[]> {
  let q = db.selectFrom('mail_contacts').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toContact);
}

export async function enabledContactsOf(db: Db, orgIds: readonly string[]): Promise<MailContact[]> {
  if (orgIds.length === 0) return [];
  const rows = await db.selectFrom('mail_contacts').selectAll().where('org_id', 'in', [...orgIds]).where('enabled', '=', true).orderBy('created_at').orderBy('id').execute();
  return rows.map(toContact);
}

export async function disableContact(trx: Db, id: string): Promise<MailContact> {
  const row = await trx.updateTable('mail_contacts').set({ enabled: false }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toContact(row);
}

// ---- deliveries ----

export async function insertDeliveries(
  trx: Db,
  rows: Array<Pick<Delivery, 'id' | 'orgId' | 'channel' | 'endpointId' | 'contactId' | 'eventId' | 'eventType' | 'subject' | 'payload' | 'caseId' | 'createdAt'> & { nextAttemptAt: Date }>,
): Promise<Delivery[]> {
  if (rows.length === 0) return [];
  const out = await trx
    .insertInto('deliveries')
    .values(
      rows.map((d) => ({
        id: d.id,
        org_id: d.orgId,
        channel: d.channel,
        endpoint_id: d.endpointId,
        contact_id: d.contactId,
        event_id: d.eventId,
        event_type: d.eventType,
        subject: d.subject,
        payload: JSON.stringify(d.payload),
        case_id: d.caseId,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: d.nextAttemptAt,
        created_at: d.createdAt,
      })),
    )
    .returningAll()
    .execute();
  const byId = new Map(out.map((r) => [r.id, toDelivery(r)]));
  return rows.map((r) => byId.get(r.id)!);
}

export async function findDelivery(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<Delivery | null> {
  let q = db.selectFrom('deliveries').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toDelivery(row) : null;
}

/** Newest first. */
export async function listDeliveries(db: Db, filter: { orgId?: string; status?: DeliveryStatus; caseId?: string; limit: number; offset: number }): Promise<Delivery[]> {
  let q = db.selectFrom('deliveries').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.caseId) q = q.where('case_id', '=', filter.caseId);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toDelivery);
}

/**
 * Claims up to `limit` pending deliveries due at `now`, skipping rows another worker holds, and pushes each
 * one's next attempt to `claimUntil`: while it is being tried nobody else takes it, and if the worker dies
 * it is due again then (delivery is at least once; receivers deduplicate by the event id).
 */
export async function claimDue(db: Db, now: Date, claimUntil: Date, limit: number): Promise<Delivery[]> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM deliveries
      WHERE status = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at, created_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    `.execute(trx);
    if (rows.length === 0) return [];
    const updated = await trx
      .updateTable('deliveries')
      .set({ next_attempt_at: claimUntil })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .returningAll()
      .execute();
    return updated.map(toDelivery).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  });
}

/** One attempt's outcome: delivered, pending again at `nextAttemptAt`, or dead. */
export async function recordAttempt(
  trx: Db,
  id: string,
  outcome: { status: DeliveryStatus; attempts: number; nextAttemptAt: Date | null; error: string | null; statusCode: number | null; deliveredAt: Date | null },
): Promise<Delivery> {
  const row = await trx
    .updateTable('deliveries')
    .set({ status: outcome.status, attempts: outcome.attempts, next_attempt_at: outcome.nextAttemptAt, last_error: outcome.error, last_status_code: outcome.statusCode, delivered_at: outcome.deliveredAt })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDelivery(row);
}

/** A dead delivery back to pending, due at `at`, with its attempts reset (its last error is kept until the next attempt). */
export async function revive(trx: Db, id: string, at: Date): Promise<Delivery> {
  const row = await trx.updateTable('deliveries').set({ status: 'pending', attempts: 0, next_attempt_at: at }).where('id', '=', id).where('status', '=', 'dead').returningAll().executeTakeFirstOrThrow();
  return toDelivery(row);
}

/** The soonest next attempt of any pending delivery, or null when none is pending. */
export async function earliestPending(db: Db): Promise<Date | null> {
  const row = await db.selectFrom('deliveries').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('status', '=', 'pending').executeTakeFirst();
  const at = row?.at as Date | string | null | undefined;
  return at ? new Date(at) : null;
}

// ---- the delivery job ----

/**
 * Makes sure a job of `kind` is queued to run no later than `runAfter`. A queued one is taken with
 * FOR UPDATE SKIP LOCKED and moved up if needed: held by this transaction, no worker can start it before
 * the deliveries written here are committed, so it cannot miss them. When another transaction holds the
 * queued one (or there is none), a new one is queued; the extra job finds little to do and the queue
 * settles back to one.
 */
export async function ensureQueuedJob(trx: Db, job: { id: string; kind: string; subjectId: string; now: Date; runAfter: Date; except?: string }): Promise<{ id: string; created: boolean }> {
  const { rows } = await sql<{ id: string; run_after: Date | string }>`
    SELECT id, run_after FROM jobs
    WHERE kind = ${job.kind} AND subject_id = ${job.subjectId} AND status = 'queued' AND id <> ${job.except ?? '00000000-0000-0000-0000-000000000000'}
    ORDER BY run_after, created_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED
  `.execute(trx);
  const queued = rows[0];
  if (queued) {
    if (new Date(queued.run_after).getTime() > job.runAfter.getTime()) await trx.updateTable('jobs').set({ run_after: job.runAfter }).where('id', '=', queued.id).execute();
    return { id: queued.id, created: false };
  }
  await trx.insertInto('jobs').values({ id: job.id, kind: job.kind, org_id: null, subject_id: job.subjectId, status: 'queued', run_after: job.runAfter, created_at: job.now }).execute();
  return { id: job.id, created: true };
}
