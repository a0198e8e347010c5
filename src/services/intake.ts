// Findings intake: a document (SARIF, OSV, native JSON, or a zip export of OSV records) is stored
// unchanged with its SHA-256, parsed, tied to its scan run and deduplicated into vulnerability records.
// Small documents are processed in the request, in one transaction. Large ones are stored and queued:
// the job first validates the whole document (so a malformed one stores nothing), then links its
// findings in batches, each batch one transaction, resumable after a crash.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '../core/access.js';
import { AppError, invalidField, isAppError, notFound } from '../core/errors.js';
import type { ReportedFinding, TargetRef } from '../core/findings.js';
import { isUuid } from '../core/ids.js';
import type { LogEvent } from '../core/log/entry.js';
import { purlKey, repoKey } from '../core/targets.js';
import { detectFindingsFormat } from '../formats/detect.js';
import { parseNativeFindings } from '../formats/native-finding.js';
import { parseOsvDocuments, readOsvExport } from '../formats/osv.js';
import { parseSarif } from '../formats/sarif.js';
import { streamSarif } from '../formats/sarif-stream.js';
import * as claimStore from '../store/claims.js';
import * as docStore from '../store/documents.js';
import * as jobStore from '../store/jobs.js';
import * as targetStore from '../store/targets.js';
import { write, type Db, type ServiceContext } from './context.js';
import { linkBatch, type BatchItem, type LinkedRow, type LinkSummary, emptySummary, addSummary } from './dedup.js';
import type { ValidationService } from './validation.js';

/** SARIF results of kind `pass` or `notApplicable` (severity none) say there is no problem: not findings. */
function reportsProblem(f: ReportedFinding): boolean {
  return !(f.kind === 'code' && f.source === 'sarif' && f.severity === 'none');
}

/** Documents up to this size are processed while the client waits; larger ones become a job (202). */
export const inlineLimit = 1 << 20;
/** The largest document accepted at all (a 1 GB SARIF log fits). */
export const maxDocumentBytes = 2 * 1024 ** 3;
/** Non-SARIF documents are parsed whole; above this they are refused (OSV databases come as zip). */
const maxWholeParseBytes = 256 * 1024 ** 2;
export const batchSize = 2000;

export interface SubmissionContext {
  targetId?: string;
  purl?: string;
  repo?: string;
  version?: string;
  commit?: string;
  claimId?: string;
  scanner?: { name: string; version?: string | null };
  model?: { name: string; version?: string | null };
}

export interface SubmitInput {
  body: AsyncIterable<Uint8Array>;
  mediaType: string;
  filename: string | null;
  context: SubmissionContext;
}

export interface DocumentView {
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  filename: string | null;
  submittedAt: string;
}

export type SubmitOutcome =
  | { state: 'processed'; created: boolean; document: DocumentView; summary: LinkSummary }
  | { state: 'queued'; created: boolean; document: DocumentView; jobId: string };

function documentView(d: docStore.StoredDocument): DocumentView {
  return { id: d.id, sha256: d.sha256, size: d.size, mediaType: d.mediaType, filename: d.filename, submittedAt: d.submittedAt.toISOString() };
}

type Format = 'sarif' | 'osv' | 'native' | 'osv-zip';

function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** What a large document is, from its media type or its first bytes, without reading it all. */
function sniffFormat(mediaType: string, head: Buffer): Format | null {
  if (isZip(head) || /zip/.test(mediaType)) return 'osv-zip';
  if (/sarif/.test(mediaType)) return 'sarif';
  const text = head.subarray(0, 65536).toString('utf8');
  if (/sarif-schema|"runs"\s*:/.test(text)) return 'sarif';
  return null;
}

async function* chain(first: Buffer[], rest: AsyncIterator<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  yield* first;
  if (!rest) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalidField('/', `not valid JSON: ${(err as Error).message}`);
  }
}

function parseWhole(doc: unknown): { format: Exclude<Format, 'osv-zip'>; findings: ReportedFinding[] } {
  const format = detectFindingsFormat(doc);
  if (format === 'sarif') return { format, findings: parseSarif(doc).findings };
  if (format === 'osv') return { format, findings: parseOsvDocuments(doc) };
  return { format, findings: parseNativeFindings(doc) };
}

export class IntakeService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly validation: ValidationService,
  ) {}

  /** What follows linking in the same transaction: corroboration of records others reported too, and reproductions to queue. */
  private async afterLink(trx: Db, linked: LinkedRow[]): Promise<LogEvent[]> {
    const joined = linked.filter((l) => l.reason !== 'new').map((l) => l.vulnId);
    return [...(await this.validation.corroborate(trx, joined)), ...(await this.validation.autoReproduce(trx, linked))];
  }

  /** `reviewFinding`: a partner's AI-system finding from a model review enters the same workflow. */
  async submit(caller: Caller, input: SubmitInput, opts: { reviewFinding?: boolean } = {}): Promise<SubmitOutcome> {
    const allowed = caller.orgKind === 'scanner' || caller.orgKind === 'coordinator' || (opts.reviewFinding === true && caller.orgKind === 'partner');
    if (!allowed) {
      throw new AppError('forbidden', 'only scanner and coordinator organizations submit findings');
    }
    const context = await this.checkContext(caller, input.context);
    // Read up to the inline limit; what is left streams straight into storage.
    const iterator = input.body[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes <= inlineLimit) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      const buf = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      head.push(buf);
      headBytes += buf.length;
    }
    if (headBytes === 0) throw invalidField('/', 'the document is empty');
    if (ended) return this.submitInline(caller, Buffer.concat(head), input, context);
    return this.submitLarge(caller, head, iterator, input, context);
  }

  /** Checks the submission's own claims about the scan: the claim must be the caller's, the target must exist. */
  private async checkContext(caller: Caller, c: SubmissionContext): Promise<SubmissionContext & { targetRef: TargetRef | null }> {
    let targetRef: TargetRef | null = null;
    if (c.claimId !== undefined) {
      const claim = isUuid(c.claimId) ? await claimStore.findClaim(this.ctx.db, c.claimId) : null;
      if (!claim || claim.orgId !== caller.orgId) throw invalidField('claimId', `claim ${c.claimId} not found`);
      if (c.targetId !== undefined && c.targetId !== claim.targetId) throw invalidField('targetId', 'targetId differs from the claim\'s target');
      c = { ...c, targetId: claim.targetId };
    }
    if (c.targetId !== undefined) {
      const t = isUuid(c.targetId) ? await targetStore.findTarget(this.ctx.db, c.targetId) : null;
      if (!t) throw invalidField('targetId', `target ${c.targetId} not found`);
      targetRef = t.purl ? { purl: t.purl, repo: t.repoUrl } : { purl: null, repo: t.repoUrl! };
    } else if (c.purl !== undefined || c.repo !== undefined) {
      try {
        if (c.purl) purlKey(c.purl);
      } catch (err) {
        throw invalidField('purl', `not a valid package URL: ${(err as Error).message}`);
      }
      try {
        if (c.repo) repoKey(c.repo);
      } catch {
        throw invalidField('repo', 'not a repository URL or absolute path');
      }
      targetRef = c.purl ? { purl: c.purl, repo: c.repo ?? null } : { purl: null, repo: c.repo! };
    }
    return { ...c, targetRef };
  }

  private async existing(caller: Caller, sha256: string): Promise<SubmitOutcome | null> {
    const doc = await docStore.findDocumentBySha(this.ctx.db, caller.orgId, sha256);
    if (!doc) return null;
    const job = await jobStore.findJobBySubject(this.ctx.db, doc.id);
    if (job && job.status !== 'succeeded') return { state: 'queued', created: false, document: documentView(doc), jobId: job.id };
    const reasons = await docStore.linkReasonsOfDocument(this.ctx.db, doc.id);
    const findings = Object.values(reasons).reduce((a, b) => a + b, 0);
    const summary: LinkSummary = { findings, newVulnerabilities: reasons.new ?? 0, duplicates: findings - (reasons.new ?? 0), reasons, skipped: 0, ignored: 0 };
    return { state: 'processed', created: false, document: documentView(doc), summary };
  }

  private async submitInline(caller: Caller, bytes: Buffer, input: SubmitInput, context: SubmissionContext & { targetRef: TargetRef | null }): Promise<SubmitOutcome> {
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const again = await this.existing(caller, sha256);
    if (again) return again;
    let findings: ReportedFinding[];
    if (isZip(bytes)) {
      findings = await this.readZip(bytes);
    } else {
      findings = parseWhole(parseJson(bytes)).findings;
    }
    const docId = randomUUID();
    const now = this.ctx.clock.now();
    try {
      return await write(this.ctx, caller, async (trx) => {
        await docStore.writeChunks(trx, docId, [bytes], maxDocumentBytes);
        const doc: docStore.StoredDocument = {
          id: docId,
          orgId: caller.orgId,
          tokenId: caller.tokenId,
          sha256,
          size: bytes.length,
          mediaType: input.mediaType,
          filename: input.filename,
          context: stripRef(context),
          submittedAt: now,
        };
        await docStore.insertDocument(trx, doc);
        const summary = await this.linkAll(trx, caller, docId, findings, context, now);
        const events: LogEvent[] = [
          { action: 'document.submit', objectType: 'document', objectId: docId, stateSha256: sha256 },
          ...summary.events,
        ];
        return { result: { state: 'processed' as const, created: true, document: documentView(doc), summary: publicSummary(summary) }, events };
      });
    } catch (err) {
      // Two identical submissions at once: the second loses the unique race and answers like a resubmission.
      if ((err as { constraint?: string }).constraint === 'documents_once_per_org') {
        const again2 = await this.existing(caller, sha256);
        if (again2) return again2;
      }
      throw err;
    }
  }

  private async linkAll(
    trx: Db,
    caller: Caller,
    docId: string,
    findings: ReportedFinding[],
    context: SubmissionContext & { targetRef: TargetRef | null },
    now: Date,
  ): Promise<LinkSummary & { events: LogEvent[] }> {
    const total = emptySummary();
    const events: LogEvent[] = [];
    const runs = new ScanRunCache(trx, caller.orgId, docId, context, now);
    const problems = findings.filter(reportsProblem);
    total.ignored = findings.length - problems.length;
    for (let i = 0; i < problems.length; i += batchSize) {
      const items = await this.prepare(trx, problems.slice(i, i + batchSize), context, runs);
      const { summary, event, linked } = await linkBatch(trx, this.ctx, { orgId: caller.orgId, documentId: docId, submittedAt: now }, items);
      addSummary(total, summary);
      if (event) events.push(event);
      events.push(...(await this.afterLink(trx, linked)));
    }
    return { ...total, events };
  }

  /** Ties each finding to its target (registered or not) and scan run. */
  private async prepare(trx: Db, findings: ReportedFinding[], context: SubmissionContext & { targetRef: TargetRef | null }, runs: ScanRunCache): Promise<BatchItem[]> {
    const items: BatchItem[] = [];
    for (const f of findings) {
      if (f.kind === 'advisory') {
        items.push({ finding: f, targetRef: null, targetId: null, scanRunId: null });
        continue;
      }
      const ref = f.target ?? context.targetRef;
      if (!ref) {
        throw invalidField(f.pointer, 'the finding does not say what was scanned: give targetId, purl or repo with the submission');
      }
      const targetId = await runs.targetIdOf(ref);
      const scanRunId = await runs.runFor(f, targetId);
      items.push({ finding: f, targetRef: ref, targetId, scanRunId });
    }
    return items;
  }

  private async readZip(bytes: Buffer): Promise<ReportedFinding[]> {
    const dir = await mkdtemp(join(tmpdir(), 'clearinghouse-osv-'));
    try {
      const path = join(dir, 'export.zip');
      await writeFile(path, bytes);
      const out: ReportedFinding[] = [];
      for await (const batch of readOsvExport(path)) out.push(...batch);
      return out;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async submitLarge(
    caller: Caller,
    head: Buffer[],
    rest: AsyncIterator<Uint8Array>,
    input: SubmitInput,
    context: SubmissionContext & { targetRef: TargetRef | null },
  ): Promise<SubmitOutcome> {
    const first = Buffer.concat(head);
    const format = sniffFormat(input.mediaType, first);
    const docId = randomUUID();
    const jobId = randomUUID();
    const now = this.ctx.clock.now();
    class Resubmitted extends Error {
      constructor(readonly sha256: string) {
        super('resubmitted');
      }
    }
    try {
      return await write(this.ctx, caller, async (trx) => {
        const { sha256, size } = await docStore.writeChunks(trx, docId, chain([first], rest), maxDocumentBytes);
        if (format !== 'sarif' && format !== 'osv-zip' && size > maxWholeParseBytes) {
          throw new AppError('payload-too-large', `a ${format ?? 'non-SARIF'} document above ${maxWholeParseBytes} bytes is not accepted; send OSV databases as a zip export`);
        }
        if (await docStore.findDocumentBySha(trx, caller.orgId, sha256)) throw new Resubmitted(sha256);
        const doc: docStore.StoredDocument = {
          id: docId,
          orgId: caller.orgId,
          tokenId: caller.tokenId,
          sha256,
          size,
          mediaType: input.mediaType,
          filename: input.filename,
          context: { ...stripRef(context), format },
          submittedAt: now,
        };
        await docStore.insertDocument(trx, doc);
        await jobStore.enqueueJob(trx, { id: jobId, kind: intakeJobKind, orgId: caller.orgId, subjectId: docId, now });
        return {
          result: { state: 'queued' as const, created: true, document: documentView(doc), jobId },
          events: [{ action: 'document.submit', objectType: 'document', objectId: docId, stateSha256: sha256 }],
        };
      });
    } catch (err) {
      if (err instanceof Resubmitted) return (await this.existing(caller, err.sha256))!;
      throw err;
    }
  }

  /**
   * The intake job: validate the whole stored document, then link its findings batch by batch.
   * Findings already stored (a previous attempt that died) are skipped, so a rerun completes the work.
   */
  async runJob(job: jobStore.Job, onProgress: (p: Record<string, unknown>) => Promise<void>): Promise<Record<string, unknown>> {
    const doc = job.subjectId ? await docStore.findDocument(this.ctx.db, job.subjectId) : null;
    if (!doc) throw new AppError('not-found', `document ${job.subjectId} of job ${job.id} is gone`);
    const caller: Caller = { orgId: doc.orgId, orgKind: 'scanner', tokenId: doc.tokenId ?? '', scopes: ['write'] };
    const context = { ...(doc.context as SubmissionContext), targetRef: null as TargetRef | null };
    const checked = await this.checkContext(caller, context).catch(() => ({ ...context, targetRef: null }));
    const batches = () => this.documentBatches(doc);
    // Pass 1: the whole document must parse before any of it is linked.
    let total = 0;
    try {
      for await (const batch of batches()) {
        total += batch.length;
        await onProgress({ phase: 'validating', findings: total });
      }
    } catch (err) {
      if (isAppError(err)) {
        await write(this.ctx, null, async (trx) => {
          await docStore.deleteDocument(trx, doc.id);
          return { result: null, events: [{ action: 'document.reject', objectType: 'document', objectId: doc.id, stateSha256: doc.sha256 }] };
        });
      }
      throw err;
    }
    // Pass 2: link, a batch per transaction.
    // Only a rerun can find this document's findings already stored (the unique key refuses any overlap anyway).
    const resumed = job.attempts > 1;
    const summary = emptySummary();
    let done = 0;
    // The next batch is parsed while the database writes this one.
    const iterator = batches()[Symbol.asyncIterator]();
    let upcoming = iterator.next();
    for (;;) {
      const current = await upcoming;
      if (current.done) break;
      const batch = current.value;
      upcoming = iterator.next();
      upcoming.catch(() => undefined); // surfaced when awaited
      const s = await write(this.ctx, null, async (trx) => {
        const runs = new ScanRunCache(trx, doc.orgId, doc.id, checked, doc.submittedAt);
        const items = await this.prepare(trx, batch.filter(reportsProblem), checked, runs);
        const { summary: s, event, linked } = await linkBatch(trx, this.ctx, { orgId: doc.orgId, documentId: doc.id, submittedAt: doc.submittedAt }, items, { skipExisting: resumed });
        s.ignored = batch.length - items.length;
        return { result: s, events: [...(event ? [event] : []), ...(await this.afterLink(trx, linked))] };
      });
      addSummary(summary, s);
      done += batch.length;
      await onProgress({ phase: 'linking', findings: total, processed: done });
    }
    return publicSummary(summary) as unknown as Record<string, unknown>;
  }

  private async *documentBatches(doc: docStore.StoredDocument): AsyncGenerator<ReportedFinding[]> {
    const format = (doc.context as { format?: Format | null }).format ?? null;
    if (format === 'sarif') {
      yield* streamSarif(docStore.readChunks(this.ctx.db, doc.id), { batchSize, reopen: () => docStore.readChunks(this.ctx.db, doc.id) });
      return;
    }
    const parts: Buffer[] = [];
    for await (const c of docStore.readChunks(this.ctx.db, doc.id)) parts.push(c);
    const bytes = Buffer.concat(parts);
    const findings = isZip(bytes) ? await this.readZip(bytes) : parseWhole(parseJson(bytes)).findings;
    for (let i = 0; i < findings.length; i += batchSize) yield findings.slice(i, i + batchSize);
  }

  async getDocument(caller: Caller, id: string) {
    const doc = isUuid(id) ? await docStore.findDocument(this.ctx.db, id) : null;
    if (!doc || (doc.orgId !== caller.orgId && caller.orgKind !== 'coordinator')) throw notFound('document', id);
    const job = await jobStore.findJobBySubject(this.ctx.db, doc.id);
    return { ...documentView(doc), jobId: job?.id ?? null, findings: await docStore.countFindingsOfDocument(this.ctx.db, doc.id) };
  }
}

export const intakeJobKind = 'intake';

function stripRef<T extends { targetRef?: unknown }>(c: T): Omit<T, 'targetRef'> {
  const { targetRef: _ignored, ...rest } = c;
  return rest;
}

function publicSummary(s: LinkSummary): LinkSummary {
  const { events: _e, ...rest } = s as LinkSummary & { events?: unknown };
  return rest as LinkSummary;
}

/** One scan run per tool (and model) per document and target; targets looked up once. */
class ScanRunCache {
  private readonly targets = new Map<string, string | null>();
  private readonly runs = new Map<string, string>();

  constructor(
    private readonly trx: Db,
    private readonly orgId: string,
    private readonly documentId: string,
    private readonly context: SubmissionContext,
    private readonly now: Date,
  ) {}

  async targetIdOf(ref: TargetRef): Promise<string | null> {
    const pk = ref.purl ? purlKey(ref.purl) : null;
    const rk = ref.repo ? repoKey(ref.repo) : null;
    const cacheKey = `${pk}|${rk}`;
    if (!this.targets.has(cacheKey)) {
      const t = await targetStore.findTargetByRef(this.trx, { purlKey: pk, repoKey: rk });
      this.targets.set(cacheKey, t?.id ?? null);
    }
    return this.targets.get(cacheKey)!;
  }

  async runFor(f: ReportedFinding, targetId: string | null): Promise<string> {
    const scanner = this.context.scanner ?? { name: f.scanner.name, version: f.scanner.version };
    const model = f.scanner.model ?? (this.context.model ? { name: this.context.model.name, version: this.context.model.version ?? null } : null);
    const version = (f.kind === 'code' ? f.version : null) ?? this.context.version ?? null;
    const commit = (f.kind === 'code' ? f.commit : null) ?? this.context.commit ?? null;
    const key = JSON.stringify([targetId, scanner.name, scanner.version ?? null, model, version, commit]);
    let id = this.runs.get(key);
    if (!id) {
      id = await targetStore.findOrInsertScanRun(this.trx, {
        id: randomUUID(),
        orgId: this.orgId,
        targetId,
        claimId: this.context.claimId ?? null,
        documentId: this.documentId,
        scanner: { name: scanner.name, version: scanner.version ?? null },
        model,
        version,
        commit,
        scannedAt: this.now,
      });
      this.runs.set(key, id);
    }
    return id;
  }
}
