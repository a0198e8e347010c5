// Import sources: an OSV export, the KEV catalog or an EPSS file fetched from a URL by a background job,
// when a coordinator asks or every so many hours. A run sends the last validators (conditional GET); a 304,
// or the same bytes as the last import, is recorded as `unchanged` without an import; new bytes go through
// the same import as an upload (recorded with what changed); a failure is recorded with its reason and
// changes nothing else. A source has at most one pending job: a run request while one waits moves it up.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, isAppError, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import * as sourceStore from '../store/import-sources.js';
import type { ImportSource, ImportSourceKind, ImportSourceStatus } from '../store/import-sources.js';
import * as jobStore from '../store/jobs.js';
import type { Job } from '../store/jobs.js';
import { maxImportBytes, type AdvisoryService, type ImportView } from './advisories.js';
import { write, type Db, type ServiceContext } from './context.js';

export const importSourceJobKind = 'import-source';
export const importSourceKinds = ['osv', 'kev', 'epss'] as const;
const maxEveryHours = 8760;
const maxRedirects = 5;
const defaultTimeoutMs = 30 * 60_000;

export interface ImportSourceView {
  id: string;
  kind: ImportSourceKind;
  url: string;
  /** Hours between runs; null: runs only when asked. */
  everyHours: number | null;
  /** When the pending run is due; null: none pending. */
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: ImportSourceStatus | null;
  lastError: string | null;
  lastImportId: string | null;
  lastSha256: string | null;
  etag: string | null;
  lastModified: string | null;
  createdByOrg: string | null;
  createdAt: string;
  disabled: boolean;
}

function sourceView(s: ImportSource): ImportSourceView {
  return {
    id: s.id,
    kind: s.kind,
    url: s.url,
    everyHours: s.everyHours,
    nextRunAt: s.nextRunAt?.toISOString() ?? null,
    lastRunAt: s.lastRunAt?.toISOString() ?? null,
    lastStatus: s.lastStatus,
    lastError: s.lastError,
    lastImportId: s.lastImportId,
    lastSha256: s.lastSha256,
    etag: s.etag,
    lastModified: s.lastModified,
    createdByOrg: s.createdByOrg,
    createdAt: s.createdAt.toISOString(),
    disabled: s.disabled,
  };
}

/** Why a URL cannot be fetched from, or null: absolute http(s), no credentials. */
export function sourceUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${JSON.stringify(url.slice(0, 200))} is not an absolute URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `only http and https URLs can be fetched, not ${u.protocol.replace(/:$/, '')}`;
  if (u.username || u.password) return 'the URL must not carry credentials';
  if (!u.hostname) return 'the URL names no host';
  return null;
}

/** A run that did not import, for a reason worth recording on the source. */
class RunFailure extends Error {}

type Fetched =
  | { notModified: true }
  | { notModified: false; dir: string; file: string; sha256: string; size: number; etag: string | null; lastModified: string | null };

export interface ImportSourceOptions {
  /** The largest body fetched (default: the largest import, `maxImportBytes`). */
  maxBytes?: number;
  /** How long one fetch may take, body included. */
  timeoutMs?: number;
}

export class ImportSourceService {
  private readonly maxBytes: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly advisories: AdvisoryService,
    options: ImportSourceOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? maxImportBytes;
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  }

  /**
   * Registers a source. A scheduled one (`everyHours`) is queued to run at once, then every so many hours;
   * without `everyHours` it runs only when asked. One enabled source per kind and URL.
   */
  async register(caller: Caller, input: { kind: string; url: string; everyHours?: number | null }): Promise<ImportSourceView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators register import sources');
    if (!(importSourceKinds as readonly string[]).includes(input.kind)) throw invalidField('/kind', `kind must be one of ${importSourceKinds.join(', ')}`);
    const kind = input.kind as ImportSourceKind;
    if (typeof input.url !== 'string') throw invalidField('/url', 'url must be an http or https URL');
    const problem = sourceUrlProblem(input.url);
    if (problem) throw invalidField('/url', problem);
    const url = new URL(input.url).href;
    const every = input.everyHours ?? null;
    if (every !== null && (!Number.isInteger(every) || every < 1 || every > maxEveryHours)) throw invalidField('/everyHours', `everyHours must be a whole number of hours from 1 to ${maxEveryHours}`);
    const now = this.ctx.clock.now();
    return write(this.ctx, caller, async (trx) => {
      const existing = await sourceStore.findEnabledSource(trx, kind, url);
      if (existing) throw new AppError('conflict', `import source ${existing.id} already fetches ${url}; run it, or delete it first`, { field: '/url', extra: { sourceId: existing.id } });
      const source = await sourceStore.insertSource(trx, { id: randomUUID(), kind, url, everyHours: every, nextRunAt: every === null ? null : now, createdByOrg: caller.orgId, createdByToken: isUuid(caller.tokenId) ? caller.tokenId : null, createdAt: now });
      if (every !== null) await this.ensurePending(trx, source, now, now, { takeRunning: false });
      const view = sourceView(source);
      return { result: view, events: [{ action: 'import-source.create', objectType: 'import-source', objectId: source.id, stateSha256: digestOf(view) }] };
    });
  }

  async list(caller: Caller, page: { limit: number; offset: number }): Promise<ImportSourceView[]> {
    this.mayRead(caller);
    return (await sourceStore.listSources(this.ctx.db, page)).map(sourceView);
  }

  async get(caller: Caller, id: string): Promise<ImportSourceView> {
    this.mayRead(caller);
    return sourceView(await this.find(this.ctx.db, id));
  }

  /** Queues a run now. A pending run is reused (moved up if it was scheduled later): never two per source. */
  async run(caller: Caller, id: string): Promise<{ jobId: string; source: ImportSourceView }> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators run import sources');
    await this.find(this.ctx.db, id);
    const now = this.ctx.clock.now();
    return write(this.ctx, caller, async (trx) => {
      const source = await this.find(trx, id, true);
      if (source.disabled) throw new AppError('conflict', `import source ${id} is deleted`);
      const job = await this.ensurePending(trx, source, now, now, { takeRunning: true });
      const updated = job.status === 'queued' ? await sourceStore.setNextRun(trx, id, now) : source;
      const view = sourceView(updated);
      return { result: { jobId: job.id, source: view }, events: [{ action: 'import-source.run', objectType: 'import-source', objectId: id, stateSha256: digestOf({ source: view, jobId: job.id }) }] };
    });
  }

  /** Deletes a source: it is kept, disabled, for the record; its pending job then does nothing. */
  async disable(caller: Caller, id: string): Promise<ImportSourceView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators delete import sources');
    await this.find(this.ctx.db, id);
    return write(this.ctx, caller, async (trx) => {
      const source = await this.find(trx, id, true);
      if (source.disabled) return { result: sourceView(source), events: [] };
      const view = sourceView(await sourceStore.disableSource(trx, id));
      return { result: view, events: [{ action: 'import-source.delete', objectType: 'import-source', objectId: id, stateSha256: digestOf(view) }] };
    });
  }

  /**
   * The job: fetch, import unless unchanged, record the outcome and queue the next scheduled run. A failed
   * run fails the job with its reason (the source records it too); the schedule goes on regardless.
   */
  async runJob(job: Job): Promise<Record<string, unknown>> {
    const found = job.subjectId && isUuid(job.subjectId) ? await sourceStore.findSource(this.ctx.db, job.subjectId) : null;
    if (!found) throw new AppError('not-found', `import source ${job.subjectId} of job ${job.id} is gone`);
    if (found.disabled) return { sourceId: found.id, status: 'skipped', reason: 'the source was deleted' };
    const at = this.ctx.clock.now();
    let outcome: { status: ImportSourceStatus; error: string | null; import?: ImportView; sha256?: string; etag?: string | null; lastModified?: string | null };
    let failure: AppError | null = null;
    try {
      outcome = await this.fetchAndImport(found);
    } catch (err) {
      failure = isAppError(err) ? err : new AppError('unavailable', err instanceof Error ? err.message : String(err));
      const where = failure.field && failure.field !== '/' ? ` (at ${failure.field})` : '';
      outcome = { status: 'failed', error: `${failure.message}${where}`.slice(0, 2000) };
    }
    const recorded = await write(this.ctx, null, async (trx) => {
      const source = await this.find(trx, found.id, true);
      const next = source.everyHours !== null && !source.disabled ? new Date(at.getTime() + source.everyHours * 3_600_000) : null;
      let updated = await sourceStore.recordRun(trx, source.id, {
        at,
        status: outcome.status,
        error: outcome.error,
        nextRunAt: next,
        ...(outcome.import ? { importId: outcome.import.id } : {}),
        ...(outcome.sha256 !== undefined ? { sha256: outcome.sha256 } : {}),
        ...(outcome.etag !== undefined ? { etag: outcome.etag } : {}),
        ...(outcome.lastModified !== undefined ? { lastModified: outcome.lastModified } : {}),
      });
      if (next) {
        const pending = await this.ensurePending(trx, updated, next, this.ctx.clock.now(), { takeRunning: false, except: job.id });
        if (pending.runAfter.getTime() !== next.getTime()) updated = await sourceStore.setNextRun(trx, source.id, pending.runAfter);
      }
      const view = sourceView(updated);
      return { result: view, events: [{ action: 'import-source.check', objectType: 'import-source', objectId: source.id, stateSha256: digestOf(view) }] };
    });
    if (failure) throw new AppError(failure.code, failure.message, { ...(failure.field ? { field: failure.field } : {}) });
    return { sourceId: recorded.id, status: outcome.status, nextRunAt: recorded.nextRunAt, ...(outcome.import ? { import: outcome.import } : {}) };
  }

  private mayRead(caller: Caller): void {
    if (caller.orgKind !== 'coordinator' && caller.orgKind !== 'auditor') throw new AppError('forbidden', 'import sources are visible to coordinators and auditors');
  }

  private async find(db: Db, id: string, lock = false): Promise<ImportSource> {
    const s = isUuid(id) ? await sourceStore.findSource(db, id, { lock }) : null;
    if (!s) throw notFound('import source', id);
    return s;
  }

  /**
   * The source's one pending job, due no later than `runAfter`: a queued one is moved up if needed; with
   * `takeRunning` a running one answers too; otherwise a new one is queued.
   */
  private async ensurePending(trx: Db, source: ImportSource, runAfter: Date, now: Date, opts: { takeRunning: boolean; except?: string }): Promise<Job> {
    const pending = (await jobStore.pendingJobs(trx, importSourceJobKind, source.id)).filter((j) => j.id !== opts.except);
    const queued = pending.find((j) => j.status === 'queued');
    if (queued) {
      if (queued.runAfter.getTime() > runAfter.getTime()) {
        await jobStore.rescheduleJob(trx, queued.id, runAfter);
        return { ...queued, runAfter };
      }
      return queued;
    }
    const running = opts.takeRunning ? pending.find((j) => j.status === 'running') : undefined;
    if (running) return running;
    return jobStore.enqueueJob(trx, { id: randomUUID(), kind: importSourceJobKind, orgId: source.createdByOrg, subjectId: source.id, now, runAfter });
  }

  private async fetchAndImport(source: ImportSource): Promise<{ status: ImportSourceStatus; error: null; import?: ImportView; sha256?: string; etag?: string | null; lastModified?: string | null }> {
    const fetched = await this.fetchSource(source);
    if (fetched.notModified) return { status: 'unchanged', error: null };
    try {
      const validators = { etag: fetched.etag, lastModified: fetched.lastModified };
      if (source.lastSha256 === fetched.sha256) return { status: 'unchanged', error: null, sha256: fetched.sha256, ...validators };
      if (!source.createdByOrg) throw new RunFailure('the source has no registering organization to import for');
      // the import acts for the coordinator organization that registered the source
      const caller: Caller = { orgId: source.createdByOrg, orgKind: 'coordinator', tokenId: source.createdByToken ?? '', scopes: ['write'] };
      const input = { body: createReadStream(fetched.file), source: source.url };
      const out = source.kind === 'osv' ? await this.advisories.importOsv(caller, input) : source.kind === 'kev' ? await this.advisories.importKev(caller, input) : await this.advisories.importEpss(caller, input);
      return { status: 'ok', error: null, import: out.import, sha256: fetched.sha256, ...validators };
    } finally {
      await rm(fetched.dir, { recursive: true, force: true });
    }
  }

  /** GETs the URL (conditionally, when validators are known), following http(s) redirects, into a private temporary file. */
  private async fetchSource(source: ImportSource): Promise<Fetched> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'clearinghouse-import' };
    if (source.etag) headers['if-none-match'] = source.etag;
    if (source.lastModified) headers['if-modified-since'] = source.lastModified;
    let url = new URL(source.url);
    let res: Response;
    for (let hop = 0; ; hop++) {
      try {
        res = await fetch(url, { headers, redirect: 'manual', signal });
      } catch (err) {
        throw new RunFailure(fetchProblem(err, this.timeoutMs));
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) break;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) throw new RunFailure(`more than ${maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RunFailure(`redirected to an invalid URL ${JSON.stringify(location.slice(0, 200))}`);
      }
      const problem = sourceUrlProblem(next.href);
      if (problem) throw new RunFailure(`redirected to ${next.protocol}//${next.host}: ${problem}`);
      url = next;
    }
    if (res.status === 304) {
      await res.body?.cancel().catch(() => undefined);
      return { notModified: true };
    }
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel().catch(() => undefined);
      throw new RunFailure(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${url.href !== source.url ? ` from ${url.href} (redirected)` : ''}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new RunFailure(`the file is ${declared} bytes, more than the ${this.maxBytes} bytes an import may be`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'clearinghouse-fetch-'));
    const file = join(dir, 'body');
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(file);
    try {
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          if (size > this.maxBytes) throw new RunFailure(`the file is more than the ${this.maxBytes} bytes an import may be`);
          hash.update(chunk);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      out.destroy();
      await rm(dir, { recursive: true, force: true });
      throw err instanceof RunFailure ? err : new RunFailure(`reading ${url.href}: ${fetchProblem(err, this.timeoutMs)}`);
    }
    return { notModified: false, dir, file, sha256: hash.digest('hex'), size, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
  }
}

function fetchProblem(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  return `cannot fetch: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`;
}
