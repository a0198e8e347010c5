// Validation: build recipes, sandboxed reproduction of proofs of concept (with the proof-of-vulnerability
// contract), fix verification, root causes that follow a fix, corroboration across reporters, coordinators'
// attestations and rejections, and how well each reporter's findings hold up. Sandboxes run only in jobs:
// a request never waits on one.
import { createHash, randomUUID } from 'node:crypto';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import type { CodeFinding, ReportedFinding, TargetRef } from '../core/findings.js';
import { isUuid } from '../core/ids.js';
import type { LogEvent } from '../core/log/entry.js';
import { parseRecipe, type BuildRecipe } from '../core/validation/recipe.js';
import { automaticTransitionAllowed, confidenceOf, rejectionReasons, sameState, type RejectionReason, type ValidationMethod, type ValidationState } from '../core/validation/states.js';
import { fixVerdict, reproductionVerdict, type ObservedCrash, type RunObservation } from '../core/validation/verdict.js';
import { buildValidationStatement, outputEvidence, signEnvelope, type AttestationSigner, type DsseEnvelope } from '../formats/attestation.js';
import { describeOutcome, ReproductionRunner, type RunEvidence } from '../reproduction/runner.js';
import { defaultLimits, type SandboxLimits } from '../sandbox/bubblewrap.js';
import * as findingStore from '../store/findings.js';
import * as jobStore from '../store/jobs.js';
import * as targetStore from '../store/targets.js';
import * as validationStore from '../store/validation.js';
import type { Reproduction } from '../store/validation.js';
import { write, type Db, type ServiceContext } from './context.js';
import type { PolicyService } from './policy.js';

export const reproduceJobKind = 'reproduce';
export const verifyFixJobKind = 'verify-fix';

export interface RecipeView extends BuildRecipe {
  targetId: string;
  updatedAt: string;
  updatedByOrg: string;
}

export interface ReproductionView {
  id: string;
  vulnId: string;
  findingId: string;
  kind: Reproduction['kind'];
  status: Reproduction['status'];
  verdict: string | null;
  commit: string | null;
  pocSha256: string;
  signature: unknown;
  signatureKey: string | null;
  jobId: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Coordinators: every sandboxed run with its capped output. */
  runs?: unknown[];
  reporterOrg?: string;
}

export function reproductionView(r: Reproduction, full: boolean): ReproductionView {
  const view: ReproductionView = {
    id: r.id,
    vulnId: r.vulnId,
    findingId: r.findingId,
    kind: r.kind,
    status: r.status,
    verdict: r.verdict,
    commit: r.commit,
    pocSha256: r.pocSha256,
    signature: r.signature,
    signatureKey: r.signatureKey,
    jobId: r.jobId,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
  if (full) {
    view.runs = r.runs;
    view.reporterOrg = r.reporterOrg;
  }
  return view;
}

export interface ValidationView {
  state: ValidationState['state'];
  method: ValidationMethod | null;
  confidence: number | null;
  rejectionReason: RejectionReason | null;
  crashSignature: string | null;
  fix: { commit: string; status: 'pending' | 'fix-verified' | 'fix-failed' | 'error' } | null;
  rootCause: { id: string; records: Array<{ id: string; displayId: string }> } | null;
}

export interface ReporterQualityView {
  orgId: string;
  orgName: string;
  findings: number;
  duplicates: number;
  duplicateRate: number | null;
  reproductionsTried: number;
  reproduced: number;
  notReproduced: number;
  reproductionRate: number | null;
}

function pocOf(f: ReportedFinding): { filename: string; content: Buffer; sha256: string } | null {
  if (f.kind !== 'code' || !f.proofOfConcept) return null;
  const content = Buffer.from(f.proofOfConcept.contentBase64, 'base64');
  return { filename: f.proofOfConcept.filename, content, sha256: createHash('sha256').update(content).digest('hex') };
}

function stateEvent(vulnId: string, to: ValidationState, evidence: unknown): LogEvent {
  return { action: 'vuln.validation', objectType: 'vulnerability', objectId: vulnId, stateSha256: digestOf({ to, evidence }) };
}

function outcomeText(e: RunEvidence | null, o: RunObservation): string {
  if (e) return describeOutcome(e.outcome);
  return o.result === 'error' ? `error: ${o.message.slice(0, 80)}` : o.result;
}

export class ValidationService {
  private readonly runner: ReproductionRunner;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly policy: PolicyService,
    private readonly signer: AttestationSigner,
    workDir: string,
  ) {
    this.runner = new ReproductionRunner(workDir, () => this.sandboxLimits());
  }

  private async sandboxLimits(): Promise<SandboxLimits> {
    const p = await this.policy.current();
    return {
      ...defaultLimits,
      cpuSeconds: p['sandbox.cpuSeconds'],
      wallMs: p['sandbox.wallSeconds'] * 1000,
      memoryBytes: p['sandbox.memoryMb'] * 2 ** 20,
      maxProcesses: p['sandbox.maxProcesses'],
      maxOutputBytes: p['sandbox.maxOutputKb'] * 1024,
    };
  }

  // ---- recipes ----

  private async targetFor(caller: Caller, targetId: string, write: boolean) {
    const target = isUuid(targetId) ? await targetStore.findTarget(this.ctx.db, targetId) : null;
    if (!target) throw notFound('target', targetId);
    const maintainer = target.maintainerOrgId === caller.orgId;
    if (write ? caller.orgKind !== 'coordinator' && !maintainer : caller.orgKind !== 'coordinator' && caller.orgKind !== 'auditor' && !maintainer) {
      throw new AppError('forbidden', write ? "only coordinators and the target's maintainers set its build recipe" : "only coordinators, auditors and the target's maintainers read its build recipe");
    }
    return target;
  }

  async setRecipe(caller: Caller, targetId: string, body: unknown): Promise<RecipeView> {
    const target = await this.targetFor(caller, targetId, true);
    const recipe = parseRecipe(body);
    await write(this.ctx, caller, async (trx) => {
      await validationStore.upsertRecipe(trx, target.id, recipe, caller.orgId, this.ctx.clock.now());
      return { result: null, events: [{ action: 'target.recipe', objectType: 'target', objectId: target.id, stateSha256: digestOf(recipe) }] };
    });
    return this.getRecipe(caller, targetId);
  }

  async getRecipe(caller: Caller, targetId: string): Promise<RecipeView> {
    const target = await this.targetFor(caller, targetId, false);
    const r = await validationStore.findRecipe(this.ctx.db, target.id);
    if (!r) throw notFound('build recipe of target', targetId);
    const { updatedAt, ...rest } = r;
    return { ...rest, updatedAt: updatedAt.toISOString() };
  }

  // ---- requests ----

  private async liveVuln(db: Db, idOrDisplay: string, lock = false) {
    const v = await findingStore.findVuln(db, idOrDisplay, { lock });
    if (!v) throw notFound('vulnerability', idOrDisplay);
    if (v.mergedInto) throw new AppError('conflict', `${v.displayId} was merged into another record; validate that one`);
    return v;
  }

  /**
   * Queues a sandboxed reproduction of each proof of concept in the record (or of one finding's), skipping
   * those already queued or reproduced. Coordinators only; the work happens in jobs.
   */
  async requestReproduction(caller: Caller, vulnIdOrDisplay: string, body: { findingId?: unknown }): Promise<{ reproductions: ReproductionView[] }> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators request validation');
    if (body.findingId !== undefined && (typeof body.findingId !== 'string' || !isUuid(body.findingId))) throw invalidField('/findingId', 'findingId must be the id of a finding in the record');
    const created = await write(this.ctx, caller, async (trx) => {
      const v = await this.liveVuln(trx, vulnIdOrDisplay, true);
      if (!v.targetId || !(await validationStore.findRecipe(trx, v.targetId))) {
        throw new AppError('conflict', `${v.displayId} has no target with a build recipe; set one with PUT /v1/targets/{id}/recipe`);
      }
      const findings = await findingStore.listFindings(trx, { vulnId: v.id, limit: 10_000, offset: 0 });
      const chosen = findings.filter((f) => (body.findingId ? f.id === body.findingId : true) && pocOf(f.data as ReportedFinding));
      if (body.findingId && chosen.length === 0) {
        throw invalidField('/findingId', findings.some((f) => f.id === body.findingId) ? 'that finding carries no proof of concept' : `finding ${body.findingId} is not in ${v.displayId}`);
      }
      if (chosen.length === 0) throw new AppError('conflict', `no finding in ${v.displayId} carries a proof of concept to reproduce`);
      const ids: string[] = [];
      for (const f of chosen) {
        if (await validationStore.openReproduction(trx, f.id)) continue;
        ids.push(await this.enqueueReproduction(trx, { vulnId: v.id, findingId: f.id, reporterOrg: f.orgId, finding: f.data as CodeFinding, requestedBy: caller.orgId }));
      }
      return { result: ids, events: ids.map((id) => ({ action: 'vuln.reproduce.request', objectType: 'reproduction', objectId: id, stateSha256: digestOf({ vuln: v.id, reproduction: id }) })) };
    });
    const rows = await Promise.all(created.map((id) => validationStore.findReproduction(this.ctx.db, id)));
    return { reproductions: rows.filter((r): r is Reproduction => r !== null).map((r) => reproductionView(r, true)) };
  }

  private async enqueueReproduction(trx: Db, r: { vulnId: string; findingId: string; reporterOrg: string; finding: CodeFinding; requestedBy: string | null }): Promise<string> {
    const poc = pocOf(r.finding)!;
    const id = randomUUID();
    const jobId = randomUUID();
    const now = this.ctx.clock.now();
    await jobStore.enqueueJob(trx, { id: jobId, kind: reproduceJobKind, orgId: r.reporterOrg, subjectId: id, now });
    await validationStore.insertReproduction(trx, {
      id,
      vulnId: r.vulnId,
      findingId: r.findingId,
      reporterOrg: r.reporterOrg,
      kind: 'reproduction',
      commit: r.finding.commit ?? r.finding.version,
      pocSha256: poc.sha256,
      jobId,
      requestedByOrg: r.requestedBy,
      at: now,
    });
    return id;
  }

  /**
   * Called by intake in the linking transaction: queues reproductions for new findings that carry a proof of
   * concept, when policy says so and their target has a recipe. Returns the log events.
   */
  async autoReproduce(trx: Db, linked: Array<{ findingId: string; vulnId: string; orgId: string; targetId: string | null; finding: ReportedFinding }>): Promise<LogEvent[]> {
    const withPoc = linked.filter((l) => l.targetId && pocOf(l.finding));
    if (withPoc.length === 0) return [];
    if (!(await this.policy.current(trx))['validation.autoReproduce']) return [];
    const events: LogEvent[] = [];
    const recipes = new Map<string, boolean>();
    for (const l of withPoc) {
      if (!recipes.has(l.targetId!)) recipes.set(l.targetId!, (await validationStore.findRecipe(trx, l.targetId!)) !== null);
      if (!recipes.get(l.targetId!)) continue;
      const id = await this.enqueueReproduction(trx, { vulnId: l.vulnId, findingId: l.findingId, reporterOrg: l.orgId, finding: l.finding as CodeFinding, requestedBy: null });
      events.push({ action: 'vuln.reproduce.request', objectType: 'reproduction', objectId: id, stateSha256: digestOf({ vuln: l.vulnId, reproduction: id }) });
    }
    return events;
  }

  /** Records the commit said to fix the record and queues its verification against the reproduced proof of concept. */
  async recordFix(caller: Caller, vulnIdOrDisplay: string, body: { commit?: unknown }): Promise<{ reproduction: ReproductionView }> {
    if (typeof body.commit !== 'string' || !/^[0-9A-Za-z][0-9A-Za-z._\/-]{0,199}$/.test(body.commit) || body.commit.includes('..')) {
      throw invalidField('/commit', 'commit must name the fixing commit (or tag) in the target\'s source');
    }
    const commit = body.commit;
    const id = await write(this.ctx, caller, async (trx) => {
      const v = await this.liveVuln(trx, vulnIdOrDisplay, true);
      const target = v.targetId ? await targetStore.findTarget(trx, v.targetId) : null;
      if (caller.orgKind !== 'coordinator' && !(target && target.maintainerOrgId === caller.orgId)) {
        throw new AppError('forbidden', "only coordinators and the target's maintainers record fixes");
      }
      const reproduced = (await validationStore.reproductionsOf(trx, v.id)).find((r) => r.kind === 'reproduction' && r.status === 'reproduced');
      if (!reproduced) throw new AppError('conflict', `${v.displayId} has no reproduced proof of concept to verify a fix against`);
      const rid = randomUUID();
      const jobId = randomUUID();
      const now = this.ctx.clock.now();
      await jobStore.enqueueJob(trx, { id: jobId, kind: verifyFixJobKind, orgId: null, subjectId: rid, now });
      await validationStore.insertReproduction(trx, {
        id: rid,
        vulnId: v.id,
        findingId: reproduced.findingId,
        reporterOrg: reproduced.reporterOrg,
        kind: 'fix-verification',
        commit,
        pocSha256: reproduced.pocSha256,
        jobId,
        requestedByOrg: caller.orgId,
        at: now,
      });
      await validationStore.setFix(trx, v.id, { commit, status: 'pending' });
      return { result: rid, events: [{ action: 'vuln.fix.record', objectType: 'vulnerability', objectId: v.id, stateSha256: digestOf({ commit, reproduction: rid }) }] };
    });
    return { reproduction: reproductionView((await validationStore.findReproduction(this.ctx.db, id))!, true) };
  }

  // ---- coordinators' decisions ----

  async attest(caller: Caller, vulnIdOrDisplay: string, body: { rationale?: unknown; confidence?: unknown }): Promise<ValidationView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators attest');
    const rationale = requireRationale(body.rationale);
    const confidence = body.confidence ?? 0.8;
    if (typeof confidence !== 'number' || !(confidence > 0 && confidence <= 1)) throw invalidField('/confidence', 'confidence must be a number above 0 and at most 1');
    return this.decide(caller, vulnIdOrDisplay, { state: 'validated', method: 'attestation', confidence }, { rationale });
  }

  async reject(caller: Caller, vulnIdOrDisplay: string, body: { reason?: unknown; rationale?: unknown; duplicateOf?: unknown }): Promise<ValidationView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators reject');
    if (!rejectionReasons.includes(body.reason as RejectionReason)) throw invalidField('/reason', `reason must be one of ${rejectionReasons.join(', ')}`);
    const reason = body.reason as RejectionReason;
    const rationale = requireRationale(body.rationale);
    let duplicateOf: string | null = null;
    if (reason === 'duplicate') {
      if (typeof body.duplicateOf !== 'string' || body.duplicateOf === '') throw invalidField('/duplicateOf', 'a duplicate names the record it duplicates');
      const other = await findingStore.findVuln(this.ctx.db, body.duplicateOf);
      if (!other) throw invalidField('/duplicateOf', `vulnerability ${body.duplicateOf} not found`);
      duplicateOf = other.id;
    } else if (body.duplicateOf !== undefined) {
      throw invalidField('/duplicateOf', 'duplicateOf goes only with reason duplicate');
    }
    return this.decide(caller, vulnIdOrDisplay, { state: 'rejected', reason }, { rationale, ...(duplicateOf ? { duplicateOf } : {}) });
  }

  private async decide(caller: Caller, vulnIdOrDisplay: string, to: ValidationState, evidence: Record<string, unknown>): Promise<ValidationView> {
    const vulnId = await write(this.ctx, caller, async (trx) => {
      const v = await this.liveVuln(trx, vulnIdOrDisplay, true);
      if (evidence.duplicateOf === v.id) throw invalidField('/duplicateOf', 'a record cannot duplicate itself');
      const current = (await validationStore.findValidation(trx, v.id))!;
      const events = await this.transition(trx, v.id, current.state, to, evidence, caller.orgId, true);
      return { result: v.id, events };
    });
    return this.validationOf(vulnId);
  }

  /** Moves a record to `to` when allowed (coordinators: always), logging the transition with its evidence. */
  private async transition(trx: Db, vulnId: string, from: ValidationState, to: ValidationState, evidence: Record<string, unknown>, actorOrg: string | null, byCoordinator = false): Promise<LogEvent[]> {
    if (!byCoordinator) {
      if (sameState(from, to) || !automaticTransitionAllowed(from, to)) return [];
      // a rejection a coordinator decided stands against machine evidence, whatever its reason
      if (from.state === 'rejected' && (await validationStore.validationEvents(trx, vulnId)).at(-1)?.actorOrg) return [];
    }
    await validationStore.setValidation(trx, { id: randomUUID(), vulnId, from, to, evidence, actorOrg, at: this.ctx.clock.now() });
    return [stateEvent(vulnId, to, evidence)];
  }

  /**
   * Corroboration, called by intake after linking a batch: records now reported by enough independent
   * organizations become validated by corroboration (or gain confidence). One grouped query per batch.
   */
  async corroborate(trx: Db, vulnIds: string[]): Promise<LogEvent[]> {
    if (vulnIds.length === 0) return [];
    const minOrgs = (await this.policy.current(trx))['validation.corroborationOrgs'];
    const events: LogEvent[] = [];
    for (const r of await validationStore.corroboratedRecords(trx, [...new Set(vulnIds)], minOrgs)) {
      const to: ValidationState = { state: 'validated', method: 'corroboration', confidence: confidenceOf.corroboration(r.orgs) };
      events.push(...(await this.transition(trx, r.vulnId, r.state, to, { independentOrganizations: r.orgs, policyMinimum: minOrgs }, null)));
    }
    return events;
  }

  // ---- reads ----

  async validationOf(vulnId: string): Promise<ValidationView> {
    const v = (await validationStore.findValidation(this.ctx.db, vulnId))!;
    let rootId = v.rootCauseId;
    if (!rootId && (await validationStore.rootCauseMembers(this.ctx.db, v.vulnId)).length > 1) rootId = v.vulnId;
    return {
      state: v.state.state,
      method: v.state.state === 'validated' ? v.state.method : null,
      confidence: v.state.state === 'validated' ? v.state.confidence : null,
      rejectionReason: v.state.state === 'rejected' ? v.state.reason : null,
      crashSignature: v.crashSignature,
      fix: v.fixCommit && v.fixStatus ? { commit: v.fixCommit, status: v.fixStatus as NonNullable<ValidationView['fix']>['status'] } : null,
      rootCause: rootId ? { id: rootId, records: await validationStore.rootCauseMembers(this.ctx.db, rootId) } : null,
    };
  }

  /** Reproductions of a record: coordinators see all with their runs; a reporter sees those of its own findings. */
  async reproductionsFor(caller: Caller, vulnId: string): Promise<ReproductionView[]> {
    const all = caller.orgKind === 'coordinator';
    const rows = await validationStore.reproductionsOf(this.ctx.db, vulnId);
    return rows.filter((r) => all || caller.orgKind === 'auditor' || r.reporterOrg === caller.orgId).map((r) => reproductionView(r, all));
  }

  async events(vulnId: string) {
    return (await validationStore.validationEvents(this.ctx.db, vulnId)).map((e) => ({
      from: e.from.state,
      to: e.to,
      evidence: e.evidence,
      actorOrg: e.actorOrg,
      at: e.at.toISOString(),
    }));
  }

  async attestation(caller: Caller, reproductionId: string): Promise<DsseEnvelope> {
    const r = isUuid(reproductionId) ? await validationStore.findReproduction(this.ctx.db, reproductionId) : null;
    if (!r || !(caller.orgKind === 'coordinator' || caller.orgKind === 'auditor' || r.reporterOrg === caller.orgId)) throw notFound('reproduction', reproductionId);
    if (!r.attestation) throw new AppError('conflict', `reproduction ${r.id} has no attestation (status ${r.status})`);
    return r.attestation as DsseEnvelope;
  }

  async quality(caller: Caller): Promise<ReporterQualityView[]> {
    if (caller.orgKind !== 'coordinator' && caller.orgKind !== 'auditor') throw new AppError('forbidden', 'reporter quality is visible to coordinators and auditors');
    const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);
    return (await validationStore.reporterQuality(this.ctx.db)).map((q) => ({
      ...q,
      duplicateRate: rate(q.duplicates, q.findings),
      reproductionRate: rate(q.reproduced, q.reproductionsTried),
    }));
  }

  // ---- jobs ----

  private async jobContext(reproductionId: string | null) {
    const r = reproductionId ? await validationStore.findReproduction(this.ctx.db, reproductionId) : null;
    if (!r) throw new AppError('not-found', `reproduction ${reproductionId} is gone`);
    const finding = await findingStore.findFinding(this.ctx.db, r.findingId);
    if (!finding) throw new AppError('not-found', `finding ${r.findingId} is gone`);
    const vuln = (await validationStore.findValidation(this.ctx.db, r.vulnId))!;
    const recipe = vuln.targetId ? await validationStore.findRecipe(this.ctx.db, vuln.targetId) : null;
    const target = vuln.targetId ? await targetStore.findTarget(this.ctx.db, vuln.targetId) : null;
    return { r, finding, data: finding.data as CodeFinding, vuln, recipe, target };
  }

  private sign(input: {
    r: Reproduction;
    data: CodeFinding;
    target: { purl: string | null; repoUrl: string | null };
    commit: string;
    result: 'reproduced' | 'not-reproduced' | 'fix-verified' | 'fix-failed';
    crash: ObservedCrash | null;
    verdict: string;
    runs: Array<{ observation: RunObservation; evidence: RunEvidence | null }>;
    limits: SandboxLimits;
    startedAt: Date;
  }): DsseEnvelope {
    const primary = input.runs.find((x) => x.evidence)?.evidence ?? null;
    const stream = (s: 'stdout' | 'stderr') => (primary ? outputEvidence(Buffer.from(primary[s].base64, 'base64'), primary[s].truncated) : outputEvidence(Buffer.alloc(0), false));
    const statement = buildValidationStatement({
      kind: input.r.kind,
      result: input.result,
      vulnerabilityId: input.r.vulnId,
      findingId: input.r.findingId,
      poc: { sha256: input.r.pocSha256, name: input.data.proofOfConcept?.filename ?? 'poc' },
      reporter: { orgId: input.r.reporterOrg, scanner: input.data.scanner },
      // a target has a purl, a repository or both (the store's check constraint)
      target: { purl: input.target.purl, repo: input.target.repoUrl, commit: input.commit } as TargetRef & { commit: string },
      crash: input.crash,
      verdict: input.verdict,
      runs: input.runs.map(({ observation, evidence }) => ({
        role: observation.role,
        commit: observation.commit,
        outcome: outcomeText(evidence, observation),
        crashKey: observation.result === 'crash' ? observation.crash.key : null,
      })),
      sandbox: { limits: input.limits },
      startedAt: input.startedAt,
      finishedAt: this.ctx.clock.now(),
      evidence: { stdout: stream('stdout'), stderr: stream('stderr') },
    });
    return signEnvelope(statement, this.signer);
  }

  /** The reproduce job: build, run the proof of concept (and the contract's commits), decide, attest, record. */
  async runReproductionJob(job: jobStore.Job): Promise<Record<string, unknown>> {
    const { r, data, vuln, recipe, target } = await this.jobContext(job.subjectId);
    if (r.status !== 'queued') return { reproduction: r.id, status: r.status, note: 'already finished' };
    const startedAt = this.ctx.clock.now();
    const limits = await this.sandboxLimits();
    if (!recipe || !target) {
      await this.finishError(r, 'no-recipe', 'the target has no build recipe');
      return { reproduction: r.id, status: 'error', verdict: 'no-recipe' };
    }
    const poc = pocOf(data)!;
    const reported = data.commit ?? data.version ?? null;
    const runs: Array<{ observation: RunObservation; evidence: RunEvidence | null }> = [];
    const runAt = async (commit: string | null, role: RunObservation['role']) => {
      const out = await this.runner.runPoc(target.id, recipe, commit, role, poc);
      runs.push(out);
      return out.observation;
    };
    const first = await runAt(reported, 'reported');
    let contractNote: string | null = null;
    if (first.result === 'crash') {
      await runAt(reported, 'reported-retry');
      if (data.introducedCommit) {
        if (recipe.sourceKind !== 'git') {
          contractNote = 'the source has no history: the introducing commit and its parent were not checked';
        } else {
          await runAt(data.introducedCommit, 'introduced');
          const parent = await this.runner.parentOf(recipe, data.introducedCommit).catch(() => null);
          if (parent) await runAt(parent, 'parent');
        }
      }
    }
    const verdict = reproductionVerdict(runs.map((x) => x.observation), data.proofOfConcept?.expectedCrash ?? null);
    const commit = first.commit ?? reported ?? recipe.commit ?? 'unknown';
    const evidenceRuns = runs.map((x) => x.evidence ?? { role: x.observation.role, commit: x.observation.commit, error: x.observation.result === 'error' ? x.observation.message : null });
    if (verdict.status === 'error') {
      await this.finishError(r, verdict.verdict, verdict.detail, evidenceRuns);
      return { reproduction: r.id, status: 'error', verdict: verdict.verdict, detail: verdict.detail };
    }
    const crash = verdict.status === 'reproduced' ? verdict.crash : null;
    const attestation = this.sign({ r, data, target, commit, result: verdict.status, crash, verdict: verdict.verdict, runs, limits, startedAt });
    const merged = await write(this.ctx, null, async (trx) => {
      const events: LogEvent[] = [];
      const current = (await validationStore.findValidation(trx, r.vulnId, { lock: true }))!;
      await validationStore.finishReproduction(trx, r.id, {
        status: verdict.status,
        verdict: verdict.verdict,
        commit,
        signature: crash,
        signatureKey: crash?.key ?? null,
        runs: contractNote ? [...evidenceRuns, { note: contractNote }] : evidenceRuns,
        attestation,
        at: this.ctx.clock.now(),
      });
      events.push({ action: 'vuln.reproduce', objectType: 'reproduction', objectId: r.id, stateSha256: digestOf(attestation) });
      let mergedInto: string | null = null;
      if (verdict.status === 'reproduced') {
        const to: ValidationState = { state: 'validated', method: 'reproduction', confidence: verdict.contract ? confidenceOf.reproductionWithContract : confidenceOf.reproduction };
        events.push(...(await this.transition(trx, r.vulnId, current.state, to, { reproduction: r.id, verdict: verdict.verdict, signature: verdict.crash.key, commit }, null)));
        await validationStore.setCrashSignature(trx, r.vulnId, verdict.crash.key);
        if (!current.mergedInto && current.targetId) mergedInto = await this.mergeSameSignature(trx, r.vulnId, current.targetId, verdict.crash.key, events);
      } else if (current.state.state === 'unvalidated') {
        events.push(...(await this.transition(trx, r.vulnId, current.state, { state: 'rejected', reason: 'not-reproducible' }, { reproduction: r.id, verdict: verdict.verdict, detail: verdict.detail, commit }, null)));
      }
      return { result: mergedInto, events };
    });
    return { reproduction: r.id, status: verdict.status, verdict: verdict.verdict, signature: crash?.key ?? null, ...(merged ? { mergedInto: merged } : {}) };
  }

  /**
   * Two different proofs of concept with the same crash signature on the same target are one vulnerability:
   * the later record is merged into the earlier one, as a decision of the clearinghouse's own.
   */
  private async mergeSameSignature(trx: Db, vulnId: string, targetId: string, key: string, events: LogEvent[]): Promise<string | null> {
    const other = await validationStore.recordWithSignature(trx, targetId, key, vulnId);
    if (!other) return null;
    const [a, b] = await Promise.all([findingStore.findVuln(trx, vulnId, { lock: true }), findingStore.findVuln(trx, other.id, { lock: true })]);
    if (!a || !b) return null;
    const [from, into] = a.createdAt.getTime() > b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a.id > b.id) ? [a, b] : [b, a];
    const reason = `same crash signature on the same target: ${key}`;
    await findingStore.mergeVulns(trx, from.id, into.id);
    await findingStore.insertDecision(trx, { id: randomUUID(), vulnId: from.id, action: 'merge', otherVulnId: into.id, findingIds: [], reason, actorOrg: null, decidedAt: this.ctx.clock.now() });
    events.push({ action: 'vuln.merge', objectType: 'vulnerability', objectId: from.id, stateSha256: digestOf({ from: from.id, into: into.id, reason }) });
    return into.id;
  }

  private async finishError(r: Reproduction, verdict: string, detail: string, runs: unknown[] = []): Promise<void> {
    await write(this.ctx, null, async (trx) => {
      await validationStore.finishReproduction(trx, r.id, { status: 'error', verdict, commit: r.commit, signature: null, signatureKey: null, runs: [...runs, { error: detail }], attestation: null, at: this.ctx.clock.now() });
      if (r.kind === 'fix-verification') await validationStore.setFix(trx, r.vulnId, { commit: r.commit!, status: 'error' });
      return { result: null, events: [{ action: r.kind === 'reproduction' ? 'vuln.reproduce' : 'vuln.fix.verify', objectType: 'reproduction', objectId: r.id, stateSha256: digestOf({ status: 'error', verdict, detail }) }] };
    });
  }

  /**
   * The verify-fix job: the proof of concept that reproduced the record runs at the fixing commit. The
   * proofs of concept of the target's other reproduced, unfixed records run there too; those that stop
   * crashing share the root cause, are linked to this record (each keeps its own findings, so every finder
   * keeps credit) and are marked fixed by the same commit.
   */
  async runFixJob(job: jobStore.Job): Promise<Record<string, unknown>> {
    const { r, data, recipe, target } = await this.jobContext(job.subjectId);
    if (r.status !== 'queued') return { reproduction: r.id, status: r.status, note: 'already finished' };
    if (!recipe || !target) {
      await this.finishError(r, 'no-recipe', 'the target has no build recipe');
      return { reproduction: r.id, status: 'error', verdict: 'no-recipe' };
    }
    const startedAt = this.ctx.clock.now();
    const limits = await this.sandboxLimits();
    const fixCommit = r.commit!;
    const candidates = await validationStore.reproducedUnfixed(this.ctx.db, target.id);
    const own = (await validationStore.reproductionsOf(this.ctx.db, r.vulnId)).find((x) => x.kind === 'reproduction' && x.status === 'reproduced');
    if (!own) {
      await this.finishError(r, 'nothing-reproduced', 'no reproduced proof of concept for this record');
      return { reproduction: r.id, status: 'error', verdict: 'nothing-reproduced' };
    }
    type Checked = { vulnId: string; base: Reproduction; data: CodeFinding; run: { observation: RunObservation; evidence: RunEvidence | null }; verdict: ReturnType<typeof fixVerdict> };
    const checked: Checked[] = [];
    for (const c of [{ vulnId: r.vulnId, reproduction: own }, ...candidates.filter((c) => c.vulnId !== r.vulnId)]) {
      const f = c.vulnId === r.vulnId ? { data } : await findingStore.findFinding(this.ctx.db, c.reproduction.findingId);
      const fd = f?.data as CodeFinding | undefined;
      const poc = fd ? pocOf(fd) : null;
      if (!fd || !poc) continue;
      const run = await this.runner.runPoc(target.id, recipe, fixCommit, 'fix', poc);
      const crash = c.reproduction.signature as ObservedCrash;
      checked.push({ vulnId: c.vulnId, base: c.reproduction, data: fd, run, verdict: fixVerdict(run.observation, crash) });
    }
    const mine = checked[0]!;
    if (mine.verdict.status === 'error') {
      await this.finishError(r, mine.verdict.verdict, mine.verdict.detail, [mine.run.evidence]);
      return { reproduction: r.id, status: 'error', verdict: mine.verdict.verdict, detail: mine.verdict.detail };
    }
    const commit = mine.run.observation.commit ?? fixCommit;
    const alsoFixed = mine.verdict.status === 'fix-verified' ? checked.slice(1).filter((c) => c.verdict.status === 'fix-verified') : [];
    const result = await write(this.ctx, null, async (trx) => {
      const events: LogEvent[] = [];
      const record = async (row: Reproduction, c: Checked) => {
        const status = c.verdict.status as 'fix-verified' | 'fix-failed';
        const attestation = this.sign({ r: row, data: c.data, target, commit, result: status, crash: c.run.observation.result === 'crash' ? c.run.observation.crash : null, verdict: c.verdict.verdict, runs: [c.run], limits, startedAt });
        await validationStore.finishReproduction(trx, row.id, {
          status,
          verdict: c.verdict.verdict,
          commit,
          signature: c.run.observation.result === 'crash' ? c.run.observation.crash : null,
          signatureKey: c.run.observation.result === 'crash' ? c.run.observation.crash.key : null,
          runs: [c.run.evidence],
          attestation,
          at: this.ctx.clock.now(),
        });
        events.push({ action: 'vuln.fix.verify', objectType: 'reproduction', objectId: row.id, stateSha256: digestOf(attestation) });
      };
      await record(r, mine);
      // The group is named by its earliest record; members point at it.
      const group = [r.vulnId, ...alsoFixed.map((c) => c.vulnId)];
      const vulns = await Promise.all(group.map((id) => findingStore.findVuln(trx, id)));
      const root = alsoFixed.length ? vulns.filter((v) => v !== null).sort((a, b) => a!.createdAt.getTime() - b!.createdAt.getTime() || a!.id.localeCompare(b!.id))[0]!.id : null;
      await validationStore.setFix(trx, r.vulnId, { commit: fixCommit, status: mine.verdict.status as 'fix-verified' | 'fix-failed', ...(root ? { rootCauseId: root === r.vulnId ? null : root } : {}) });
      for (const c of alsoFixed) {
        const rowId = randomUUID();
        await validationStore.insertReproduction(trx, { id: rowId, vulnId: c.vulnId, findingId: c.base.findingId, reporterOrg: c.base.reporterOrg, kind: 'fix-verification', commit: fixCommit, pocSha256: c.base.pocSha256, jobId: job.id, requestedByOrg: null, at: this.ctx.clock.now() });
        await record({ ...c.base, id: rowId, kind: 'fix-verification' }, c);
        await validationStore.setFix(trx, c.vulnId, { commit: fixCommit, status: 'fix-verified', rootCauseId: root === c.vulnId ? null : root });
      }
      if (root) events.push({ action: 'vuln.root-cause', objectType: 'vulnerability', objectId: root, stateSha256: digestOf({ root, records: [...group].sort(), fixCommit }) });
      return { result: { status: mine.verdict.status, verdict: mine.verdict.verdict, rootCause: root, sameRootCause: alsoFixed.map((c) => c.vulnId) }, events };
    });
    return { reproduction: r.id, ...result };
  }
}

function requireRationale(v: unknown): string {
  if (typeof v !== 'string' || v.trim().length < 3 || v.length > 4000) throw invalidField('/rationale', 'say why (3–4000 characters); the rationale is recorded');
  return v.trim();
}
