// Voluntary frontier-model review. A developer registers a model with its cyber-capability results (typed in or
// read from Inspect evaluation logs), may submit it for review up to 30 days before its planned release, grants
// trusted partners time-boxed access, and receives one review report. Coverage is decided by published,
// versioned criteria and each determination is kept as made. Nothing here approves, denies or clears: the
// window closes at the release date whatever the state of the review, and the developer may move the date or
// withdraw at any time.
import { createHash, randomUUID } from 'node:crypto';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { parseInstant, textField } from '../core/input-fields.js';
import { isUuid } from '../core/ids.js';
import { defaultCriteria, evaluateModel, parseCriteria, type Criteria } from '../core/models/criteria.js';
import { benchmarkOf, readInspectLog } from '../formats/inspect-eval.js';
import { newDataKey, openText, sealText, unwrapDataKey } from '../secrets/envelope.js';
import * as modelStore from '../store/models.js';
import * as orgStore from '../store/orgs.js';
import * as targetStore from '../store/targets.js';
import { write, type Db, type ServiceContext } from './context.js';
import type { IntakeService } from './intake.js';

/** The longest review window: from submission to the planned public release. */
export const maxWindowDays = 30;
export const grantScopes = ['api-access', 'weights-access', 'eval-logs'] as const;
export const findingKinds = ['cyber-capability', 'ai-system-vulnerability', 'safeguard-gap'] as const;
const severities = ['critical', 'high', 'medium', 'low', 'none'] as const;
const day = 86_400_000;

export type WindowState = 'open' | 'closed' | 'withdrawn';

export interface ModelView {
  id: string;
  developerOrg: string;
  name: string;
  version: string;
  plannedReleaseAt: string;
  trainingFlop: number | null;
  modalities: string[];
  modelCard: string | null;
  createdAt: string;
  results: Array<{ id: string; benchmark: string; benchmarkVersion: string | null; metric: string | null; score: number; evaluatedAt: string; source: string; task: string | null; scorer: string | null }>;
  determinations: Array<{ criteriaVersion: string; covered: boolean; tier: string | null; rule: string; evaluatedAt: string }>;
  reviews: ReviewView[];
}

export interface ReviewView {
  id: string;
  modelId: string;
  submittedAt: string;
  windowEndsAt: string;
  withdrawnAt: string | null;
  /** `open` until the release date or withdrawal; there is no approval state. */
  window: WindowState;
  grants: Array<{ id: string; partnerOrg: string; partnerName: string; scopes: string[]; grantedAt: string; expiresAt: string; endsAt: string; active: boolean }>;
  findings: Array<{ id: string; partnerOrg: string; kind: string; severity: string; title: string; vulnId: string | null; createdAt: string }>;
}

export function windowState(r: modelStore.ReviewRow, now: Date): WindowState {
  if (r.withdrawnAt) return 'withdrawn';
  return now.getTime() >= r.windowEndsAt.getTime() ? 'closed' : 'open';
}

/** When a grant ends: its own expiry, the window's end or the withdrawal, whichever comes first; or its revocation. */
function grantEnd(g: modelStore.GrantRow, r: modelStore.ReviewRow): Date {
  return new Date(Math.min(g.expiresAt.getTime(), r.windowEndsAt.getTime(), r.withdrawnAt?.getTime() ?? Infinity, g.revokedAt?.getTime() ?? Infinity));
}

export class ModelService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly intake: IntakeService,
  ) {}

  private isDeveloper(caller: Caller, m: modelStore.ModelRow): boolean {
    return caller.orgId === m.developerOrg;
  }

  /** The model if the caller may see it: its developer, coordinators and auditors, partners holding a grant on it. */
  private async visibleModel(caller: Caller, id: string, db: Db = this.ctx.db): Promise<modelStore.ModelRow> {
    const m = isUuid(id) ? await modelStore.findModel(db, id) : null;
    if (!m) throw notFound('model', id);
    if (this.isDeveloper(caller, m) || caller.orgKind === 'coordinator' || caller.orgKind === 'auditor') return m;
    if (caller.orgKind === 'partner') {
      for (const r of await modelStore.reviewsOf(db, m.id)) if ((await modelStore.grantsOf(db, r.id)).some((g) => g.partnerOrg === caller.orgId)) return m;
    }
    throw notFound('model', id);
  }

  private async reviewFor(caller: Caller, id: string, db: Db = this.ctx.db, lock = false): Promise<{ r: modelStore.ReviewRow; m: modelStore.ModelRow }> {
    const r = isUuid(id) ? await modelStore.findReview(db, id, { lock }) : null;
    if (!r) throw notFound('review', id);
    const m = await this.visibleModel(caller, r.modelId, db).catch(() => null);
    if (!m) throw notFound('review', id);
    return { r, m };
  }

  async register(caller: Caller, body: Record<string, unknown>): Promise<ModelView> {
    let developerOrg = caller.orgId;
    if (caller.orgKind === 'coordinator' && typeof body.developerOrgId === 'string') developerOrg = body.developerOrgId;
    else if (caller.orgKind !== 'scanner') throw new AppError('forbidden', 'AI developers (scanner organizations) register their models; coordinators may name developerOrgId');
    const dev = isUuid(developerOrg) ? await orgStore.findOrg(this.ctx.db, developerOrg) : null;
    if (!dev || dev.profile.kind !== 'scanner') throw invalidField('/developerOrgId', 'the developer must be a scanner (AI lab) organization');
    const name = textField(body.name, '/name', 200)!;
    const version = textField(body.version, '/version', 100)!;
    const plannedReleaseAt = parseInstant(body.plannedReleaseAt, '/plannedReleaseAt');
    let trainingFlop: number | null = null;
    if (body.trainingFlop !== undefined && body.trainingFlop !== null) {
      if (typeof body.trainingFlop !== 'number' || !Number.isFinite(body.trainingFlop) || body.trainingFlop <= 0) throw invalidField('/trainingFlop', 'must be a positive number of floating-point operations, e.g. 3.2e25');
      trainingFlop = body.trainingFlop;
    }
    const modalities = body.modalities ?? ['text'];
    if (!Array.isArray(modalities) || modalities.length === 0 || modalities.some((x) => typeof x !== 'string' || !/^[a-z][a-z0-9-]{0,30}$/.test(x))) throw invalidField('/modalities', 'a list of modalities such as text, image, audio, video, code');
    const modelCard = textField(body.modelCard, '/modelCard', 100_000, false);
    const results = body.results === undefined ? [] : body.results;
    if (!Array.isArray(results) || results.length > 200) throw invalidField('/results', 'a list of at most 200 evaluation results');
    const now = this.ctx.clock.now();
    const rows: modelStore.ResultRow[] = results.map((x, i) => {
      const at = `/results/${i}`;
      if (typeof x !== 'object' || x === null) throw invalidField(at, 'an evaluation result is an object');
      const r = x as Record<string, unknown>;
      if (typeof r.score !== 'number' || !Number.isFinite(r.score)) throw invalidField(`${at}/score`, 'must be a number');
      return {
        id: randomUUID(),
        modelId: '',
        benchmark: textField(r.benchmark, `${at}/benchmark`, 200)!,
        benchmarkVersion: textField(r.benchmarkVersion, `${at}/benchmarkVersion`, 100, false),
        metric: textField(r.metric, `${at}/metric`, 100, false),
        score: r.score,
        evaluatedAt: parseInstant(r.evaluatedAt, `${at}/evaluatedAt`),
        source: 'manual',
        logSha256: null,
        task: null,
        scorer: null,
        createdAt: now,
      };
    });
    const id = randomUUID();
    await write(this.ctx, caller, async (trx) => {
      if (await modelStore.findModelByName(trx, developerOrg, name, version)) throw new AppError('conflict', `${name} ${version} is already registered`);
      const m: modelStore.ModelRow = { id, developerOrg, name, version, plannedReleaseAt, trainingFlop, modalities: modalities as string[], modelCard, createdAt: now };
      await modelStore.insertModel(trx, m);
      await modelStore.insertResults(trx, rows.map((r) => ({ ...r, modelId: id })));
      return { result: null, events: [{ action: 'model.register', objectType: 'model', objectId: id, stateSha256: digestOf({ ...m, plannedReleaseAt: m.plannedReleaseAt.toISOString(), createdAt: now.toISOString(), results: rows.length }) }] };
    });
    return this.view(caller, id);
  }

  /** Adds the headline result of an Inspect evaluation log (EvalLog JSON or .eval archive); the same log twice adds nothing. */
  async importEvalLog(caller: Caller, modelId: string, bytes: Uint8Array, fileName: string | null): Promise<{ created: boolean; model: ModelView }> {
    const m = await this.visibleModel(caller, modelId);
    if (!this.isDeveloper(caller, m) && caller.orgKind !== 'coordinator') throw new AppError('forbidden', "only the model's developer or a coordinator adds its results");
    const log = readInspectLog(bytes, fileName ?? undefined);
    // a run still going, or read from its journal only, is not a result to put beside a model
    if (log.partial || log.status !== 'success') throw invalidField('/status', `the log is of an unfinished run (status ${log.status}${log.partial ? ', partial' : ''}); import the finished log`);
    if (!log.headline) throw invalidField('/results/scores', 'the log has no metric to take as its headline result');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const bench = benchmarkOf(log.task.name);
    const created = await write(this.ctx, caller, async (trx) => {
      if (await modelStore.resultWithLog(trx, m.id, sha256)) return { result: false, events: [] };
      await modelStore.insertResults(trx, [
        {
          id: randomUUID(),
          modelId: m.id,
          benchmark: bench?.benchmark ?? log.task.name,
          benchmarkVersion: bench?.version ?? (log.task.version === null || log.task.version === undefined ? null : String(log.task.version)),
          metric: log.headline!.metric,
          score: log.headline!.value,
          evaluatedAt: new Date(log.created),
          source: log.format,
          logSha256: sha256,
          task: log.task.name,
          scorer: log.headline!.scorer,
          createdAt: this.ctx.clock.now(),
        },
      ]);
      return { result: true, events: [{ action: 'model.result.import', objectType: 'model', objectId: m.id, stateSha256: sha256 }] };
    });
    return { created, model: await this.view(caller, m.id) };
  }

  // ---- criteria ----

  /** The criteria in force: the latest published, or the documented default until a coordinator publishes any. */
  async currentCriteria(db: Db = this.ctx.db): Promise<Criteria> {
    const c = await modelStore.latestCriteria(db);
    return c ? parseCriteria(c.document) : defaultCriteria;
  }

  async publishCriteria(caller: Caller, document: unknown): Promise<Criteria> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators publish covered-model criteria');
    const criteria = parseCriteria(document);
    await write(this.ctx, caller, async (trx) => {
      const existing = await modelStore.findCriteria(trx, criteria.version);
      if (existing) {
        if (digestOf(existing.document) === digestOf(criteria)) return { result: null, events: [] };
        throw new AppError('conflict', `criteria version ${criteria.version} is already published with other content; publish a new version`);
      }
      await modelStore.insertCriteria(trx, { version: criteria.version, document: criteria, publishedAt: this.ctx.clock.now(), publishedByOrg: caller.orgId });
      return { result: null, events: [{ action: 'criteria.publish', objectType: 'criteria', objectId: criteria.version, stateSha256: digestOf(criteria) }] };
    });
    return criteria;
  }

  /** Decides coverage under the criteria in force and keeps the determination as made. */
  async evaluate(caller: Caller, modelId: string): Promise<{ covered: boolean; tier: string | null; rule: string; criteriaVersion: string; evaluatedAt: string; checked: unknown }> {
    const m = await this.visibleModel(caller, modelId);
    if (caller.orgKind === 'partner') throw new AppError('forbidden', "partners do not evaluate models' coverage");
    const now = this.ctx.clock.now();
    return write(this.ctx, caller, async (trx) => {
      const criteria = await this.currentCriteria(trx);
      // the default is stored the first time it decides something, so the determination can name it
      if (!(await modelStore.findCriteria(trx, criteria.version))) await modelStore.insertCriteria(trx, { version: criteria.version, document: criteria, publishedAt: now, publishedByOrg: null });
      const results = await modelStore.results(trx, m.id);
      const d = evaluateModel(criteria, { trainingFlop: m.trainingFlop, results: results.map((r) => ({ benchmark: r.benchmark, metric: r.metric ?? undefined, score: r.score, date: r.evaluatedAt.toISOString() })) });
      const row: modelStore.DeterminationRow = { id: randomUUID(), modelId: m.id, criteriaVersion: criteria.version, covered: d.covered, tier: d.tier, rule: d.rule, detail: d.checked, evaluatedAt: now };
      await modelStore.insertDetermination(trx, row);
      return {
        result: { covered: d.covered, tier: d.tier, rule: d.rule, criteriaVersion: criteria.version, evaluatedAt: now.toISOString(), checked: d.checked },
        events: [{ action: 'model.evaluate', objectType: 'model', objectId: m.id, stateSha256: digestOf({ ...row, evaluatedAt: now.toISOString() }) }],
      };
    });
  }

  // ---- submission ----

  async submit(caller: Caller, modelId: string, body: { releaseAt?: unknown }): Promise<ReviewView> {
    const m = await this.visibleModel(caller, modelId);
    if (!this.isDeveloper(caller, m)) throw new AppError('forbidden', 'a model is submitted for review by its developer, voluntarily');
    const now = this.ctx.clock.now();
    const releaseAt = body.releaseAt === undefined ? m.plannedReleaseAt : parseInstant(body.releaseAt, '/releaseAt');
    this.checkWindow(now, releaseAt, '/releaseAt');
    const id = randomUUID();
    await write(this.ctx, caller, async (trx) => {
      await modelStore.findModel(trx, m.id, { lock: true });
      const live = (await modelStore.reviewsOf(trx, m.id)).find((r) => windowState(r, now) === 'open');
      if (live) throw new AppError('conflict', `the model is already under review until ${live.windowEndsAt.toISOString()} (review ${live.id})`);
      await modelStore.insertReview(trx, { id, modelId: m.id, developerOrg: m.developerOrg, submittedAt: now, windowEndsAt: releaseAt, withdrawnAt: null });
      if (releaseAt.getTime() !== m.plannedReleaseAt.getTime()) await modelStore.setPlannedRelease(trx, m.id, releaseAt);
      return { result: null, events: [{ action: 'model.submit', objectType: 'model-review', objectId: id, stateSha256: digestOf({ model: m.id, submittedAt: now.toISOString(), windowEndsAt: releaseAt.toISOString() }) }] };
    });
    return this.reviewView(caller, id);
  }

  private checkWindow(from: Date, releaseAt: Date, at: string): void {
    if (releaseAt.getTime() <= from.getTime()) throw invalidField(at, 'the planned release must be in the future');
    if (releaseAt.getTime() - from.getTime() > maxWindowDays * day) {
      throw invalidField(at, `a review window is at most ${maxWindowDays} days: submit no earlier than ${new Date(releaseAt.getTime() - maxWindowDays * day).toISOString()} for a release at ${releaseAt.toISOString()}`);
    }
  }

  /** The developer moves the release date: the window follows (never past 30 days from submission). */
  async moveRelease(caller: Caller, reviewId: string, body: { releaseAt?: unknown }): Promise<ReviewView> {
    const releaseAt = parseInstant(body.releaseAt, '/releaseAt');
    await write(this.ctx, caller, async (trx) => {
      const { r, m } = await this.reviewFor(caller, reviewId, trx, true);
      if (!this.isDeveloper(caller, m)) throw new AppError('forbidden', 'only the developer moves its release date');
      const now = this.ctx.clock.now();
      if (windowState(r, now) !== 'open') throw new AppError('conflict', `the review window is ${windowState(r, now)}; the release date is the developer's alone to set`);
      this.checkWindow(now, releaseAt, '/releaseAt');
      if (releaseAt.getTime() - r.submittedAt.getTime() > maxWindowDays * day) throw invalidField('/releaseAt', `the window may run at most ${maxWindowDays} days from the submission (${r.submittedAt.toISOString()})`);
      await modelStore.updateReview(trx, r.id, { windowEndsAt: releaseAt });
      await modelStore.setPlannedRelease(trx, m.id, releaseAt);
      return { result: null, events: [{ action: 'model.release-moved', objectType: 'model-review', objectId: r.id, stateSha256: digestOf({ windowEndsAt: releaseAt.toISOString() }) }] };
    });
    return this.reviewView(caller, reviewId);
  }

  async withdraw(caller: Caller, reviewId: string): Promise<ReviewView> {
    await write(this.ctx, caller, async (trx) => {
      const { r, m } = await this.reviewFor(caller, reviewId, trx, true);
      if (!this.isDeveloper(caller, m)) throw new AppError('forbidden', 'only the developer withdraws its submission');
      if (r.withdrawnAt) return { result: null, events: [] };
      const now = this.ctx.clock.now();
      await modelStore.updateReview(trx, r.id, { withdrawnAt: now });
      return { result: null, events: [{ action: 'model.withdraw', objectType: 'model-review', objectId: r.id, stateSha256: digestOf({ withdrawnAt: now.toISOString() }) }] };
    });
    return this.reviewView(caller, reviewId);
  }

  // ---- grants ----

  async grant(caller: Caller, reviewId: string, body: { partnerOrgId?: unknown; scopes?: unknown; instructions?: unknown; expiresAt?: unknown }): Promise<ReviewView> {
    if (typeof body.partnerOrgId !== 'string' || !isUuid(body.partnerOrgId)) throw invalidField('/partnerOrgId', 'a partner organization id');
    const partnerOrgId = body.partnerOrgId;
    if (!Array.isArray(body.scopes) || body.scopes.length === 0 || body.scopes.some((s) => !(grantScopes as readonly string[]).includes(s as string))) throw invalidField('/scopes', `one or more of ${grantScopes.join(', ')}`);
    const scopes = [...new Set(body.scopes as string[])];
    const instructions = textField(body.instructions, '/instructions', 20_000)!;
    const expiresAt = body.expiresAt === undefined ? null : parseInstant(body.expiresAt, '/expiresAt');
    const id = randomUUID();
    await write(this.ctx, caller, async (trx) => {
      const { r, m } = await this.reviewFor(caller, reviewId, trx, true);
      if (!this.isDeveloper(caller, m) && caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'the developer or a coordinator grants early access');
      const now = this.ctx.clock.now();
      if (windowState(r, now) !== 'open') throw new AppError('conflict', `the review window is ${windowState(r, now)}`);
      const partner = await orgStore.findOrg(trx, partnerOrgId);
      if (!partner || partner.profile.kind !== 'partner') throw invalidField('/partnerOrgId', 'early access goes to partner organizations (trusted government reviewers)');
      const ends = new Date(Math.min(expiresAt?.getTime() ?? Infinity, r.windowEndsAt.getTime()));
      if (ends.getTime() <= now.getTime()) throw invalidField('/expiresAt', 'the grant would end before it starts');
      const { key, wrapped } = newDataKey(this.ctx.masterKey, `grant:${id}`);
      await modelStore.insertGrant(trx, { id, reviewId: r.id, partnerOrg: partnerOrgId, scopes, grantedByOrg: caller.orgId, grantedAt: now, expiresAt: ends, revokedAt: null, dataKey: wrapped, instructionsSealed: sealText(key, instructions, `grant:${id}:instructions`) });
      return { result: null, events: [{ action: 'model.grant', objectType: 'model-grant', objectId: id, stateSha256: digestOf({ review: r.id, partner: partnerOrgId, scopes, expiresAt: ends.toISOString() }) }] };
    });
    return this.reviewView(caller, reviewId);
  }

  /** A grantee reads its access instructions and credentials while the grant is active; each view is logged. */
  async access(caller: Caller, grantId: string): Promise<{ grantId: string; scopes: string[]; endsAt: string; instructions: string }> {
    const g = isUuid(grantId) ? await modelStore.findGrant(this.ctx.db, grantId) : null;
    if (!g || g.partnerOrg !== caller.orgId) throw notFound('grant', grantId);
    const r = (await modelStore.findReview(this.ctx.db, g.reviewId))!;
    const now = this.ctx.clock.now();
    const end = grantEnd(g, r);
    if (now.getTime() >= end.getTime()) throw new AppError('gone', `the grant ended at ${end.toISOString()}${r.withdrawnAt && r.withdrawnAt.getTime() === end.getTime() ? ' (the submission was withdrawn)' : ''}`);
    const key = unwrapDataKey(this.ctx.masterKey, g.dataKey, `grant:${g.id}`);
    const instructions = openText(key, g.instructionsSealed, `grant:${g.id}:instructions`);
    await write(this.ctx, caller, async () => ({ result: null, events: [{ action: 'model.grant.view', objectType: 'model-grant', objectId: g.id, stateSha256: digestOf({ viewer: caller.orgId, at: now.toISOString() }) }] }));
    return { grantId: g.id, scopes: g.scopes, endsAt: end.toISOString(), instructions };
  }

  // ---- findings and the report ----

  async fileFinding(caller: Caller, reviewId: string, body: { kind?: unknown; severity?: unknown; title?: unknown; description?: unknown; evidence?: unknown }): Promise<{ id: string; vulnId: string | null }> {
    if (caller.orgKind !== 'partner') throw new AppError('forbidden', 'review findings are filed by partners with access');
    if (typeof body.kind !== 'string' || !(findingKinds as readonly string[]).includes(body.kind)) throw invalidField('/kind', `one of ${findingKinds.join(', ')}`);
    if (typeof body.severity !== 'string' || !(severities as readonly string[]).includes(body.severity)) throw invalidField('/severity', `one of ${severities.join(', ')}`);
    const title = textField(body.title, '/title', 300)!;
    if (title.includes('\n')) throw invalidField('/title', 'one line');
    const description = textField(body.description, '/description', 100_000)!;
    const evidence = body.evidence === undefined ? [] : body.evidence;
    if (!Array.isArray(evidence) || evidence.length > 20) throw invalidField('/evidence', 'at most 20 attachments');
    evidence.forEach((e, i) => {
      const x = e as Record<string, unknown>;
      if (typeof x !== 'object' || x === null || typeof x.filename !== 'string' || typeof x.mediaType !== 'string' || typeof x.contentBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(x.contentBase64)) {
        throw invalidField(`/evidence/${i}`, 'an attachment is {filename, mediaType, contentBase64}');
      }
    });
    const { r, m } = await this.reviewFor(caller, reviewId);
    const now = this.ctx.clock.now();
    const active = (await modelStore.grantsOf(this.ctx.db, r.id)).some((g) => g.partnerOrg === caller.orgId && now.getTime() < grantEnd(g, r).getTime());
    if (!active) throw new AppError('forbidden', 'findings are filed while your grant on this review is active');
    // an AI-system vulnerability enters the vulnerability workflow, the model as the affected product
    let vulnId: string | null = null;
    if (body.kind === 'ai-system-vulnerability') vulnId = await this.intoVulnerabilityWorkflow(caller, m, { title, description, severity: body.severity });
    const id = randomUUID();
    await write(this.ctx, caller, async (trx) => {
      const { key, wrapped } = newDataKey(this.ctx.masterKey, `review-finding:${id}`);
      await modelStore.insertFinding(trx, {
        id,
        reviewId: r.id,
        partnerOrg: caller.orgId,
        kind: body.kind as modelStore.FindingRow['kind'],
        severity: body.severity as string,
        title,
        dataKey: wrapped,
        bodySealed: sealText(key, JSON.stringify({ description, evidence }), `review-finding:${id}`),
        vulnId,
        createdAt: now,
      });
      return { result: null, events: [{ action: 'model.finding', objectType: 'model-review', objectId: r.id, stateSha256: digestOf({ id, kind: body.kind, severity: body.severity, vulnId }) }] };
    });
    return { id, vulnId };
  }

  /** The model as a target (its developer maintains it) and the finding as a record through intake. */
  private async intoVulnerabilityWorkflow(caller: Caller, m: modelStore.ModelRow, f: { title: string; description: string; severity: string }): Promise<string> {
    const dev = await orgStore.findOrg(this.ctx.db, m.developerOrg);
    const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
    const purlKey = `pkg:generic/${slug(dev?.name ?? 'developer')}/${slug(m.name)}`;
    await write(this.ctx, caller, async (trx) => {
      if (await targetStore.findTargetByRef(trx, { purlKey, repoKey: null })) return { result: null, events: [] };
      const t = await targetStore.insertTarget(trx, { name: `${m.name} (AI model)`, purl: purlKey, purlKey, repoUrl: null, repoKey: null, criticality: 0.9, maintainerOrgId: m.developerOrg, id: randomUUID(), createdAt: this.ctx.clock.now(), createdByOrg: caller.orgId });
      return { result: null, events: [{ action: 'target.create', objectType: 'target', objectId: t.id, stateSha256: digestOf({ purlKey }) }] };
    });
    const doc = { clearinghouseFinding: '1.0', title: f.title, description: f.description, target: { purl: purlKey }, version: m.version, severity: f.severity, scanner: { name: 'model-review', version: '1' } };
    const bytes = Buffer.from(JSON.stringify(doc));
    const outcome = await this.intake.submit(caller, { body: (async function* () { yield bytes; })(), mediaType: 'application/json', filename: null, context: {} }, { reviewFinding: true });
    const vulnId = await modelStore.vulnOfDocument(this.ctx.db, outcome.document.id);
    if (!vulnId) throw new AppError('unprocessable', 'the finding did not become a vulnerability record');
    return vulnId;
  }

  /** The one review report of a submission, for its developer (and coordinators); each delivery is logged. */
  async report(caller: Caller, reviewId: string): Promise<{ report: Record<string, unknown>; text: string }> {
    const { r, m } = await this.reviewFor(caller, reviewId);
    if (!this.isDeveloper(caller, m) && caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'the review report goes to the developer');
    const now = this.ctx.clock.now();
    const grants = await modelStore.grantsOf(this.ctx.db, r.id);
    const findings = await modelStore.findingsOf(this.ctx.db, r.id);
    const names = new Map<string, string>();
    for (const orgId of new Set([...grants.map((g) => g.partnerOrg), ...findings.map((f) => f.partnerOrg)])) names.set(orgId, (await orgStore.findOrg(this.ctx.db, orgId))?.name ?? orgId);
    const determinations = await modelStore.determinations(this.ctx.db, m.id);
    const report = {
      model: { id: m.id, name: m.name, version: m.version, plannedReleaseAt: m.plannedReleaseAt.toISOString(), trainingFlop: m.trainingFlop },
      review: { id: r.id, submittedAt: r.submittedAt.toISOString(), windowEndsAt: r.windowEndsAt.toISOString(), withdrawnAt: r.withdrawnAt?.toISOString() ?? null, window: windowState(r, now) },
      coverage: determinations.map((d) => ({ criteriaVersion: d.criteriaVersion, covered: d.covered, tier: d.tier, rule: d.rule, evaluatedAt: d.evaluatedAt.toISOString() })),
      grants: grants.map((g) => ({ partner: names.get(g.partnerOrg), scopes: g.scopes, grantedAt: g.grantedAt.toISOString(), endedAt: grantEnd(g, r).toISOString() })),
      findings: findings.map((f) => {
        const body = JSON.parse(openText(unwrapDataKey(this.ctx.masterKey, f.dataKey, `review-finding:${f.id}`), f.bodySealed, `review-finding:${f.id}`)) as { description: string; evidence: unknown[] };
        return { id: f.id, partner: names.get(f.partnerOrg), kind: f.kind, severity: f.severity, title: f.title, description: body.description, evidence: body.evidence, vulnerabilityRecord: f.vulnId, filedAt: f.createdAt.toISOString() };
      }),
      note: 'This review is voluntary and advisory. It approves nothing and withholds nothing: the release date is the developer\'s.',
      generatedAt: now.toISOString(),
    };
    const lines = [
      `Review report — ${m.name} ${m.version}`,
      `Submitted ${report.review.submittedAt}; window ${report.review.window}, ends ${report.review.windowEndsAt}${r.withdrawnAt ? `; withdrawn ${report.review.withdrawnAt}` : ''}`,
      ...report.coverage.map((c) => `Coverage (criteria ${c.criteriaVersion}): ${c.covered ? `covered, ${c.tier}` : 'not covered'} — ${c.rule}`),
      `Early access: ${report.grants.length ? report.grants.map((g) => `${g.partner} (${g.scopes.join(', ')}) until ${g.endedAt}`).join('; ') : 'none'}`,
      `Findings: ${report.findings.length}`,
      ...report.findings.map((f) => `  [${f.severity}] ${f.kind}: ${f.title} — ${f.partner}${f.vulnerabilityRecord ? ' (entered the vulnerability workflow)' : ''}\n    ${f.description.replace(/\n/g, '\n    ')}`),
      report.note,
    ];
    await write(this.ctx, caller, async () => ({ result: null, events: [{ action: 'model.report.deliver', objectType: 'model-review', objectId: r.id, stateSha256: digestOf(report) }] }));
    return { report, text: `${lines.join('\n')}\n` };
  }

  // ---- views ----

  async reviewView(caller: Caller, reviewId: string): Promise<ReviewView> {
    const { r, m } = await this.reviewFor(caller, reviewId);
    const now = this.ctx.clock.now();
    const seesAll = this.isDeveloper(caller, m) || caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    const grants = (await modelStore.grantsOf(this.ctx.db, r.id)).filter((g) => seesAll || g.partnerOrg === caller.orgId);
    const findings = (await modelStore.findingsOf(this.ctx.db, r.id)).filter((f) => seesAll || f.partnerOrg === caller.orgId);
    const names = new Map<string, string>();
    for (const g of grants) if (!names.has(g.partnerOrg)) names.set(g.partnerOrg, (await orgStore.findOrg(this.ctx.db, g.partnerOrg))?.name ?? g.partnerOrg);
    return {
      id: r.id,
      modelId: r.modelId,
      submittedAt: r.submittedAt.toISOString(),
      windowEndsAt: r.windowEndsAt.toISOString(),
      withdrawnAt: r.withdrawnAt?.toISOString() ?? null,
      window: windowState(r, now),
      grants: grants.map((g) => ({ id: g.id, partnerOrg: g.partnerOrg, partnerName: names.get(g.partnerOrg)!, scopes: g.scopes, grantedAt: g.grantedAt.toISOString(), expiresAt: g.expiresAt.toISOString(), endsAt: grantEnd(g, r).toISOString(), active: now.getTime() < grantEnd(g, r).getTime() })),
      findings: findings.map((f) => ({ id: f.id, partnerOrg: f.partnerOrg, kind: f.kind, severity: f.severity, title: f.title, vulnId: f.vulnId, createdAt: f.createdAt.toISOString() })),
    };
  }

  async view(caller: Caller, modelId: string): Promise<ModelView> {
    const m = await this.visibleModel(caller, modelId);
    const reviews = [];
    for (const r of await modelStore.reviewsOf(this.ctx.db, m.id)) {
      const v = await this.reviewView(caller, r.id).catch(() => null);
      if (v) reviews.push(v);
    }
    return {
      id: m.id,
      developerOrg: m.developerOrg,
      name: m.name,
      version: m.version,
      plannedReleaseAt: m.plannedReleaseAt.toISOString(),
      trainingFlop: m.trainingFlop,
      modalities: m.modalities,
      modelCard: m.modelCard,
      createdAt: m.createdAt.toISOString(),
      results: (await modelStore.results(this.ctx.db, m.id)).map((r) => ({ id: r.id, benchmark: r.benchmark, benchmarkVersion: r.benchmarkVersion, metric: r.metric, score: r.score, evaluatedAt: r.evaluatedAt.toISOString(), source: r.source, task: r.task, scorer: r.scorer })),
      determinations: (await modelStore.determinations(this.ctx.db, m.id)).map((d) => ({ criteriaVersion: d.criteriaVersion, covered: d.covered, tier: d.tier, rule: d.rule, evaluatedAt: d.evaluatedAt.toISOString() })),
      reviews,
    };
  }

  async list(caller: Caller, page: { limit: number; offset: number }): Promise<ModelView[]> {
    const all = caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    const filter = all ? {} : caller.orgKind === 'partner' ? { partnerOrg: caller.orgId } : { developerOrg: caller.orgId };
    const rows = await modelStore.listModels(this.ctx.db, { ...filter, ...page });
    return Promise.all(rows.map((m) => this.view(caller, m.id)));
  }
}
