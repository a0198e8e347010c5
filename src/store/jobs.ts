// Background jobs in the database: enqueued inside the transaction that makes them necessary, taken
// by workers with FOR UPDATE SKIP LOCKED under a lease. A worker that dies loses its lease and the
// job runs again; handlers are written to be resumable.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { JobsTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

export const jobStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export interface Job {
  id: string;
  kind: string;
  orgId: string | null;
  subjectId: string | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  /** Not taken before this instant (a scheduled job, or a retry's backoff). */
  runAfter: Date;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    kind: row.kind,
    orgId: row.org_id,
    subjectId: row.subject_id,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    progress: row.progress as Job['progress'],
    result: row.result as Job['result'],
    error: row.error as Job['error'],
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Enqueues a job, runnable at once or, with `runAfter`, not before that instant. */
export async function enqueueJob(trx: Db, job: { id: string; kind: string; orgId: string | null; subjectId: string | null; now: Date; runAfter?: Date }): Promise<Job> {
  const row = await trx
    .insertInto('jobs')
    .values({ id: job.id, kind: job.kind, org_id: job.orgId, subject_id: job.subjectId, status: 'queued', run_after: job.runAfter ?? job.now, created_at: job.now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

/** Takes the oldest runnable job of the given kinds (queued, or running with an expired lease) and leases it. */
export async function takeJob(db: Db, kinds: string[], now: Date, leaseMs: number): Promise<Job | null> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM jobs
      WHERE kind = ANY(${kinds}::text[]) AND run_after <= ${now}
        AND (status = 'queued' OR (status = 'running' AND lease_until < ${now}))
      ORDER BY run_after, created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    `.execute(trx);
    if (!rows[0]) return null;
    const row = await trx
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        lease_until: new Date(now.getTime() + leaseMs),
        started_at: sql`coalesce(started_at, ${now})`,
      }))
      .where('id', '=', rows[0].id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJob(row);
  });
}

export async function extendLease(db: Db, id: string, until: Date, progress: Record<string, unknown>): Promise<void> {
  await db.updateTable('jobs').set({ lease_until: until, progress: JSON.stringify(progress) }).where('id', '=', id).where('status', '=', 'running').execute();
}

export async function finishJob(db: Db, id: string, at: Date, result: Record<string, unknown>): Promise<void> {
  await db.updateTable('jobs').set({ status: 'succeeded', finished_at: at, lease_until: null, result: JSON.stringify(result) }).where('id', '=', id).execute();
}

/** A failure is final when the error is the input's fault or attempts are used up; otherwise it retries later. */
export async function failJob(db: Db, id: string, at: Date, error: Record<string, unknown>, opts: { final: boolean; retryAt: Date }): Promise<void> {
  await db
    .updateTable('jobs')
    .set(
      opts.final
        ? { status: 'failed', finished_at: at, lease_until: null, error: JSON.stringify(error) }
        : { status: 'queued', run_after: opts.retryAt, lease_until: null, error: JSON.stringify(error) },
    )
    .where('id', '=', id)
    .execute();
}

export async function findJob(db: Db, id: string): Promise<Job | null> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toJob(row) : null;
}

/** The jobs of one kind for one subject that have not ended (queued or running), queued ones first, soonest first. */
export async function pendingJobs(db: Db, kind: string, subjectId: string): Promise<Job[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('status', 'in', ['queued', 'running'])
    .orderBy(sql`status = 'queued'`, 'desc')
    .orderBy('run_after')
    .orderBy('created_at')
    .execute();
  return rows.map(toJob);
}

/** Moves a queued job's start; a job already taken is left alone. */
export async function rescheduleJob(trx: Db, id: string, runAfter: Date): Promise<void> {
  await trx.updateTable('jobs').set({ run_after: runAfter }).where('id', '=', id).where('status', '=', 'queued').execute();
}

export async function findJobBySubject(db: Db, subjectId: string): Promise<Job | null> {
  const row = await db.selectFrom('jobs').selectAll().where('subject_id', '=', subjectId).orderBy('created_at', 'desc').executeTakeFirst();
  return row ? toJob(row) : null;
}

export async function listJobs(db: Db, filter: { orgId?: string; status?: string; kind?: string; limit: number; offset: number }): Promise<Job[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  if (filter.status) q = q.where('status', '=', filter.status as JobStatus);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toJob);
}

/** Serializes "is one queued? else queue one" for a kind of scheduled job, across processes. */
export async function lockJobKind(trx: Db, kind: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`job:${kind}`}))`.execute(trx);
}
