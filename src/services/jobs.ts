// Background jobs: what clients may see of them, and running one taken from the queue.
import type { Caller } from '../core/access.js';
import { AppError, invalidField, isAppError, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import * as jobStore from '../store/jobs.js';
import { jobStatuses, type Job } from '../store/jobs.js';
import type { ServiceContext } from './context.js';

export interface JobView {
  id: string;
  kind: string;
  subjectId: string | null;
  status: Job['status'];
  attempts: number;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function jobView(j: Job): JobView {
  return {
    id: j.id,
    kind: j.kind,
    subjectId: j.subjectId,
    status: j.status,
    attempts: j.attempts,
    progress: j.progress,
    result: j.result,
    error: j.error,
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

export type JobHandler = (job: Job, progress: (p: Record<string, unknown>) => Promise<void>) => Promise<Record<string, unknown>>;

const defaultLeaseMs = 60_000;

export class JobService {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly leaseMs: number;

  constructor(
    private readonly ctx: ServiceContext,
    options: { leaseMs?: number } = {},
  ) {
    this.leaseMs = options.leaseMs ?? defaultLeaseMs;
  }

  /** Jobs an organization may see: its own; coordinators and auditors see all. Newest first. */
  async list(caller: Caller, filter: { status?: string; kind?: string; limit: number; offset: number }): Promise<JobView[]> {
    if (filter.status !== undefined && !jobStatuses.includes(filter.status as Job['status'])) throw invalidField('status', `status must be one of ${jobStatuses.join(', ')}`);
    const all = caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    const rows = await jobStore.listJobs(this.ctx.db, { ...filter, ...(all ? {} : { orgId: caller.orgId }) });
    return rows.map(jobView);
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  async get(caller: Caller, id: string): Promise<JobView> {
    const job = isUuid(id) ? await jobStore.findJob(this.ctx.db, id) : null;
    if (!job || (job.orgId !== caller.orgId && caller.orgKind !== 'coordinator' && caller.orgKind !== 'auditor')) throw notFound('job', id);
    return jobView(job);
  }

  /**
   * Takes one runnable job and runs it to the end. Returns false when there was none. An error that is
   * the input's fault (an AppError) fails the job for good, with the problem for the client; anything
   * else is retried with backoff until the attempts are used up.
   */
  async runOne(): Promise<boolean> {
    const now = this.ctx.clock.now();
    const job = await jobStore.takeJob(this.ctx.db, [...this.handlers.keys()], now, this.leaseMs);
    if (!job) return false;
    const handler = this.handlers.get(job.kind)!;
    let lastProgress: Record<string, unknown> = {};
    const progress = async (p: Record<string, unknown>) => {
      lastProgress = p;
    };
    // The lease is renewed while the handler works (a sandbox run reports no progress for many seconds); a
    // worker that dies stops renewing, and after one lease another worker takes the job over.
    const heartbeat = setInterval(() => {
      jobStore.extendLease(this.ctx.db, job.id, new Date(this.ctx.clock.now().getTime() + this.leaseMs), lastProgress).catch((err) => this.ctx.warn(`job ${job.id}: lease not renewed`, err));
    }, Math.max(100, Math.min(2000, Math.floor(this.leaseMs / 3))));
    heartbeat.unref();
    try {
      const result = await handler(job, progress);
      await jobStore.finishJob(this.ctx.db, job.id, this.ctx.clock.now(), result);
    } catch (err) {
      const final = isAppError(err) || job.attempts >= job.maxAttempts;
      const error = isAppError(err)
        ? { code: err.code, status: err.status, detail: err.message, ...(err.field ? { field: err.field } : {}) }
        : { code: 'internal', status: 500, detail: err instanceof Error ? err.message : String(err) };
      const retryAt = new Date(this.ctx.clock.now().getTime() + 2 ** job.attempts * 5000);
      await jobStore.failJob(this.ctx.db, job.id, this.ctx.clock.now(), error, { final, retryAt });
      if (!isAppError(err)) this.ctx.warn(`job ${job.id} (${job.kind}) failed`, err);
    } finally {
      clearInterval(heartbeat);
    }
    return true;
  }

  /** Runs jobs until none is runnable (tests and the CLI use this; servers run the worker loop). */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOne()) n++;
    return n;
  }
}

export function jobNotFinished(id: string): AppError {
  return new AppError('conflict', `job ${id} has not finished`);
}
