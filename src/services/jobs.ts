// Background jobs: what clients may see of them, and running one taken from the queue.
import type { Caller } from '../core/access.js';
import { AppError, isAppError, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import * as jobStore from '../store/jobs.js';
import type { Job } from '../store/jobs.js';
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

const leaseMs = 60_000;

export class JobService {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(private readonly ctx: ServiceContext) {}

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
    const job = await jobStore.takeJob(this.ctx.db, [...this.handlers.keys()], now, leaseMs);
    if (!job) return false;
    const handler = this.handlers.get(job.kind)!;
    let lastBeat = Date.now();
    const progress = async (p: Record<string, unknown>) => {
      // Renew the lease while working, but not on every batch.
      if (Date.now() - lastBeat < 2000) return;
      lastBeat = Date.now();
      await jobStore.extendLease(this.ctx.db, job.id, new Date(this.ctx.clock.now().getTime() + leaseMs), p);
    };
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
