// Coordinated disclosure cases: a coordinator opens one over validated records; the maintainer hears of it
// through its intake budget (digests, most urgent first, capped per period across all reporters); deadlines
// run from that notice; operators follow in waves, federal first; every read of embargoed detail is logged;
// the detail itself is stored sealed under the case's own data key.
import { randomUUID } from 'node:crypto';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { assertMessageTlp, assertMove, isLive, mayReadMessage, parseTlp, vexJustifications, vexStatuses, type CaseState, type Tlp, type VexStatus } from '../core/disclosure/case-state.js';
import { deadlineFor, type DeadlinePolicy } from '../core/disclosure/deadlines.js';
import { planDigest } from '../core/disclosure/intake-budget.js';
import { nextWave, waveNames, waveOf, waves, type Wave } from '../core/disclosure/waves.js';
import type { NotificationData } from '../core/delivery.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { parseInstant, textField } from '../core/input-fields.js';
import type { AssetClass, OperatorClass } from '../core/orgs.js';
import type { PolicyValues } from '../core/policy.js';
import { cvssVectorProblem } from '../core/scoring/cvss.js';
import { vulnerabilityPriority, type OperatorExposure } from '../core/scoring/priority.js';
import { newDataKey, openText, sealText, unwrapDataKey } from '../secrets/envelope.js';
import * as caseStore from '../store/cases.js';
import * as jobStore from '../store/jobs.js';
import type { CaseRow } from '../store/cases.js';
import * as matchStore from '../store/matching.js';
import * as targetStore from '../store/targets.js';
import { write, type Db, type ServiceContext } from './context.js';
import type { PolicyService } from './policy.js';
import type { PublicationService } from './publication.js';

export const caseTickJobKind = 'case-tick';
/** How often the scheduled case work runs (deadlines are days; a quarter of an hour is exact enough). */
export const caseTickMs = 15 * 60_000;
/** The scheduled run's fixed subject, so that at most one is queued. */
const caseTickSubject = '00000000-0000-4000-8000-0000000ca5e5';

/** Where case notices go (webhooks and e-mail); called inside the transaction that decided them. */
export interface CaseNotifier {
  notify(trx: Db, n: { orgIds: string[]; type: string; subject: string; data: NotificationData; caseId: string }): Promise<void>;
}

/** The embargoed part of a case: only ever stored sealed. */
export interface CaseDetail {
  description: string;
  locations: Array<{ vuln: string; path: string | null; startLine: number | null; function: string | null }>;
  proofsOfConcept: Array<{ vuln: string; name: string | null; contentBase64: string | null; url: string | null }>;
}

export interface CaseView {
  id: string;
  displayId: string;
  title: string;
  state: CaseState;
  tlp: Tlp;
  exploited: boolean;
  wave: { current: number; name: string };
  openedAt: string;
  maintainerNotifiedAt: string | null;
  fixAvailableAt: string | null;
  fixedVersions: string[];
  fixCommit: string | null;
  deadline: { publishAt: string | null; detailAt: string | null; remindAt: string | null; rule: string | null };
  hold: { reviewAt: string } | null;
  publishedAt: string | null;
  closedAt: string | null;
  advisoryId: string | null;
  cveId: string | null;
  vulnerabilities: Array<{ id: string; displayId: string; title: string; severity: string | null; cwes: number[] }>;
  products: Array<{ purlKey: string; name: string; affectedVersions: string[]; status: VexStatus; justification: string | null; impactStatement: string | null; statusAt: string }>;
  participants: Array<{ orgId: string; orgName: string; role: string; wave: number; assetClass: string | null; assets: number; notifiedAt: string | null }>;
  timeline: Array<{ at: string; kind: string; actorOrg: string | null; detail: Record<string, unknown> }>;
  /** Present for readers with need-to-know; operators see the description, not the proof of concept or code. */
  detail?: Partial<CaseDetail>;
  /** Maintainer notices waiting for room in the budget (coordinators). */
  waitingNotice?: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const classRank = (c: string | null) => ['nss', 'dow', 'fceb', 'sltt', 'ci'].indexOf(c ?? '');

function deadlinePolicy(p: PolicyValues): DeadlinePolicy {
  return {
    deadlineDays: p['disclosure.deadlineDays'],
    fixGraceDays: p['disclosure.fixGraceDays'],
    exploitedDays: p['disclosure.exploitedDays'],
    detailDelayDays: p['disclosure.detailDelayDays'],
    reminderDays: p['disclosure.reminderDays'],
  };
}

/** Operators whose current SBOMs hold a product at a named version: each in its most federal exposed class. */
async function exposedOperators(trx: Db, products: Array<{ vulnId: string; purlKey: string; versions: string[] }>): Promise<Map<string, { assetClass: string; sector: string | null; assets: number }>> {
  const groups = await matchStore.ownRecordGroups(trx, products);
  const byOrg = new Map<string, { assetClass: string; sector: string | null; assets: number }>();
  for (const list of groups.values()) {
    for (const g of list) {
      const prev = byOrg.get(g.orgId);
      if (!prev || classRank(g.assetClass) < classRank(prev.assetClass)) byOrg.set(g.orgId, { assetClass: g.assetClass, sector: g.sector, assets: (prev?.assets ?? 0) + g.assets });
      else prev.assets += g.assets;
    }
  }
  return byOrg;
}

export class CaseService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly policy: PolicyService,
    private readonly notifier: CaseNotifier,
    private readonly publication: PublicationService,
  ) {}

  private key(c: Pick<CaseRow, 'id' | 'dataKey'>): Buffer {
    return unwrapDataKey(this.ctx.masterKey, c.dataKey, `case:${c.id}`);
  }

  private async event(trx: Db, caseId: string, kind: string, actorOrg: string | null, detail: Record<string, unknown>): Promise<void> {
    await caseStore.insertEvent(trx, { id: randomUUID(), caseId, at: this.ctx.clock.now(), kind, actorOrg, detail });
  }

  /** Reads a case the caller may see; another organization's (or one whose wave has not reached it) is not found. */
  private async visible(caller: Caller, idOrDisplay: string, db: Db = this.ctx.db, lock = false): Promise<{ c: CaseRow; roles: string[] }> {
    const c = await caseStore.findCase(db, idOrDisplay, { lock });
    if (!c) throw notFound('case', idOrDisplay);
    if (caller.orgKind === 'coordinator' || caller.orgKind === 'auditor') return { c, roles: [caller.orgKind] };
    const { roles } = await caseStore.isNotifiedParticipant(db, c.id, caller.orgId);
    if (roles.length === 0 && c.state !== 'published') throw notFound('case', idOrDisplay);
    return { c, roles };
  }

  /**
   * Opens a case over validated records: products from their targets, reporters from their findings,
   * operators from exposure at the reported versions; the detail sealed under a new data key; the maintainer's
   * notice queued in its intake budget (and sent at once when the budget has room).
   */
  async open(caller: Caller, body: { vulnerabilities?: unknown; title?: unknown; tlp?: unknown; exploited?: unknown }): Promise<CaseView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators open cases');
    if (!Array.isArray(body.vulnerabilities) || body.vulnerabilities.length === 0 || body.vulnerabilities.length > 100) throw invalidField('/vulnerabilities', 'name 1 to 100 vulnerability records (ids or CHV ids)');
    const title = textField(body.title, '/title', 300)!;
    const tlp = body.tlp === undefined ? 'AMBER' : parseTlp(body.tlp, '/tlp');
    if (tlp === 'CLEAR') throw invalidField('/tlp', 'an embargoed case cannot be TLP:CLEAR');
    if (body.exploited !== undefined && typeof body.exploited !== 'boolean') throw invalidField('/exploited', 'must be true or false');
    const policy = await this.policy.current();
    const id = randomUUID();
    const now = this.ctx.clock.now();
    const created = await write(this.ctx, caller, async (trx) => {
      const vulns: Array<{ id: string; displayId: string; targetId: string | null }> = [];
      for (const [i, ref] of (body.vulnerabilities as unknown[]).entries()) {
        if (typeof ref !== 'string') throw invalidField(`/vulnerabilities/${i}`, 'must be a record id or CHV id');
        const v = await caseStore.findVulnForCase(trx, ref);
        if (!v) throw invalidField(`/vulnerabilities/${i}`, `record ${ref} not found`);
        if (v.mergedInto) throw invalidField(`/vulnerabilities/${i}`, `record ${v.displayId} was merged into another; open the case for that one`);
        if (v.validationState !== 'validated') throw invalidField(`/vulnerabilities/${i}`, `record ${v.displayId} is ${v.validationState}; a case is opened for validated records`);
        if (await caseStore.caseOfVuln(trx, v.id)) throw new AppError('conflict', `record ${v.displayId} is already in a case`);
        vulns.push({ id: v.id, displayId: v.displayId, targetId: v.targetId });
      }
      const findings = await caseStore.findingsOf(trx, vulns.map((v) => v.id));
      const displayOf = new Map(vulns.map((v) => [v.id, v.displayId]));
      // products: one per target package, with the versions reporters named
      const products = new Map<string, caseStore.CaseProduct>();
      const versionsByVuln = new Map<string, Set<string>>();
      for (const f of findings) {
        const v = typeof f.data.version === 'string' ? f.data.version : null;
        if (v) versionsByVuln.set(f.vulnId, (versionsByVuln.get(f.vulnId) ?? new Set()).add(v));
      }
      const exposureInput: Array<{ vulnId: string; purlKey: string; versions: string[] }> = [];
      for (const v of vulns) {
        if (!v.targetId) continue;
        const t = await targetStore.findTarget(trx, v.targetId);
        if (!t) continue;
        const purlKey = t.purlKey ?? `pkg:generic/${encodeURIComponent(t.name)}${t.repoUrl ? `?vcs_url=${encodeURIComponent(t.repoUrl)}` : ''}`;
        const versions = [...(versionsByVuln.get(v.id) ?? [])];
        const prev = products.get(purlKey);
        products.set(purlKey, {
          purlKey,
          name: t.name,
          maintainerOrg: t.maintainerOrgId,
          affectedVersions: [...new Set([...(prev?.affectedVersions ?? []), ...versions])].sort(),
          status: 'known_affected',
          justification: null,
          impactStatement: null,
          statusByOrg: caller.orgId,
          statusAt: now,
        });
        if (t.purlKey && versions.length) exposureInput.push({ vulnId: v.id, purlKey: t.purlKey, versions });
      }
      // operators exposed at a reported version
      const byOrg = await exposedOperators(trx, exposureInput);
      const exposure: OperatorExposure[] = [...byOrg].map(([orgId, e]) => ({
        operatorId: orgId,
        operatorClass: (e.assetClass === 'ci' ? { assetClass: 'ci', sector: e.sector } : { assetClass: e.assetClass, sector: null }) as OperatorClass,
        assets: e.assets,
      }));
      const vector = findings.map((f) => f.data.cvssVector).find((x): x is string => typeof x === 'string' && !cvssVectorProblem(x)) ?? null;
      const hasPoc = findings.some((f) => f.data.proofOfConcept && typeof f.data.proofOfConcept === 'object');
      const priority = vulnerabilityPriority({ vulnerabilityId: vulns[0]!.displayId, cvssVector: vector, proofOfConcept: hasPoc, reproduced: true, exposure, kev: body.exploited ? { dateAdded: now.toISOString(), dueDate: now.toISOString(), knownRansomwareCampaignUse: false } : null });
      // the embargoed detail, sealed
      const detail: CaseDetail = {
        description: [...new Set(findings.map((f) => (typeof f.data.description === 'string' ? f.data.description : null)).filter((x): x is string => !!x))].join('\n\n'),
        locations: findings
          .map((f) => ({ f, l: f.data.location as { path?: string; startLine?: number; function?: string } | null }))
          .filter(({ l }) => l && typeof l === 'object')
          .map(({ f, l }) => ({ vuln: displayOf.get(f.vulnId)!, path: l!.path ?? null, startLine: l!.startLine ?? null, function: l!.function ?? null })),
        proofsOfConcept: findings
          .map((f) => ({ f, p: f.data.proofOfConcept as { filename?: string; contentBase64?: string } | null }))
          .filter(({ p }) => p && typeof p === 'object')
          .map(({ f, p }) => ({ vuln: displayOf.get(f.vulnId)!, name: p!.filename ?? null, contentBase64: p!.contentBase64 ?? null, url: null })),
      };
      const { key, wrapped } = newDataKey(this.ctx.masterKey, `case:${id}`);
      const year = now.getUTCFullYear();
      const row: CaseRow = {
        id,
        displayId: `CHC-${year}-${await caseStore.nextCaseNumber(trx, year)}`,
        title,
        state: 'open',
        heldFrom: null,
        tlp,
        dataKey: wrapped,
        detailSealed: sealText(key, JSON.stringify(detail), `case:${id}:detail`),
        priorityKey: priority.key,
        exploited: body.exploited === true,
        wave: 0,
        federalWaveAt: null,
        openedByOrg: caller.orgId,
        openedAt: now,
        maintainerNotifiedAt: null,
        fixAvailableAt: null,
        fixedVersions: [],
        fixCommit: null,
        publishAt: null,
        detailAt: null,
        remindAt: null,
        remindedAt: null,
        escalatedAt: null,
        deadlineRule: null,
        holdReviewAt: null,
        publishedAt: null,
        closedAt: null,
        advisoryId: null,
        cveId: null,
      };
      await caseStore.insertCase(trx, row);
      await caseStore.addCaseVulns(trx, id, vulns.map((v) => v.id));
      await caseStore.upsertProducts(trx, id, [...products.values()]);
      const participants: Array<Omit<caseStore.Participant, 'orgName'>> = [];
      for (const orgId of new Set(findings.map((f) => f.orgId))) participants.push({ orgId, role: 'reporter', wave: waves.reporters, assetClass: null, assets: 0, notifiedAt: now });
      const maintainers = new Set([...products.values()].map((p) => p.maintainerOrg).filter((x): x is string => !!x));
      for (const orgId of maintainers) participants.push({ orgId, role: 'maintainer', wave: waves.maintainer, assetClass: null, assets: 0, notifiedAt: null });
      for (const [orgId, e] of byOrg) participants.push({ orgId, role: 'operator', wave: waveOf('operator', e.assetClass as AssetClass), assetClass: e.assetClass, assets: e.assets, notifiedAt: null });
      await caseStore.addParticipants(trx, id, participants);
      await this.event(trx, id, 'opened', caller.orgId, { vulnerabilities: vulns.map((v) => v.displayId), tlp, maintainers: maintainers.size, operators: byOrg.size, reporters: participants.filter((p) => p.role === 'reporter').length });
      for (const m of maintainers) await caseStore.queueNotice(trx, { caseId: id, maintainerOrg: m, priorityKey: priority.key, queuedAt: now });
      for (const m of maintainers) await this.runDigest(trx, m, policy);
      return { result: row, events: [{ action: 'case.open', objectType: 'case', objectId: id, stateSha256: digestOf({ id, state: 'open', vulns: vulns.map((v) => v.id) }) }] };
    });
    return this.view(caller, created.id);
  }

  /**
   * Sends a maintainer the case notices its budget has room for, most urgent first; each notice starts its
   * case's clock (the maintainer is notified now) and is delivered.
   */
  private async runDigest(trx: Db, maintainerOrg: string, policy: PolicyValues): Promise<number> {
    const now = this.ctx.clock.now();
    const pending = await caseStore.waitingNotices(trx, maintainerOrg);
    if (pending.length === 0) return 0;
    const sent = await caseStore.sentNoticeTimes(trx, maintainerOrg, new Date(now.getTime() - policy['maintainer.periodDays'] * 86_400_000));
    const plan = planDigest(pending, sent, { cap: policy['maintainer.noticesPerPeriod'], periodDays: policy['maintainer.periodDays'] }, now);
    if (plan.send.length === 0) return 0;
    await caseStore.markNoticesSent(trx, maintainerOrg, plan.send.map((n) => n.caseId), now);
    const digest: Array<{ case: string; title: string }> = [];
    for (const n of plan.send) {
      const c = (await caseStore.findCase(trx, n.caseId, { lock: true }))!;
      await caseStore.notifyWave(trx, c.id, waves.maintainer, now, [maintainerOrg]);
      digest.push({ case: c.displayId, title: c.title });
      if (c.state === 'open') {
        const d = deadlineFor(deadlinePolicy(policy), { maintainerNotifiedAt: now, fixAvailableAt: c.fixAvailableAt, exploited: c.exploited });
        await caseStore.updateCase(trx, c.id, { state: 'maintainer-notified', wave: Math.max(c.wave, waves.maintainer), maintainerNotifiedAt: now, publishAt: d.publishAt, detailAt: d.detailAt, remindAt: d.remindAt, deadlineRule: d.rule });
        await this.event(trx, c.id, 'maintainer-notified', null, { wave: waveNames[waves.maintainer], publishAt: iso(d.publishAt), rule: d.rule });
        await this.ctx.log.record(trx, { kind: 'system' }, [{ action: 'case.wave', objectType: 'case', objectId: c.id, stateSha256: digestOf({ wave: waves.maintainer, at: now.toISOString() }) }]);
      }
    }
    await this.notifier.notify(trx, { orgIds: [maintainerOrg], type: 'clearinghouse.case.digest', subject: `${digest.length} case(s)`, data: { tlp: 'AMBER', resource: '/v1/cases', title: `${digest.length} new case(s) for your products; ${plan.waiting.length} more waiting`, ids: Object.fromEntries(digest.slice(0, 20).map((d, i) => [`case${i + 1}`, d.case])) }, caseId: plan.send[0]!.caseId });
    return plan.send.length;
  }

  async view(caller: Caller, idOrDisplay: string): Promise<CaseView> {
    const { c, roles } = await this.visible(caller, idOrDisplay);
    const [vulns, products, participants, timeline] = await Promise.all([caseStore.caseVulns(this.ctx.db, c.id), caseStore.products(this.ctx.db, c.id), caseStore.participants(this.ctx.db, c.id), caseStore.events(this.ctx.db, c.id)]);
    const isCoordinator = caller.orgKind === 'coordinator';
    const seesDetail = isCoordinator || roles.some((r) => r === 'maintainer' || r === 'reporter' || r === 'operator');
    const view: CaseView = {
      id: c.id,
      displayId: c.displayId,
      title: c.title,
      state: c.state,
      tlp: c.tlp,
      exploited: c.exploited,
      wave: { current: c.wave, name: waveNames[c.wave as Wave] },
      openedAt: c.openedAt.toISOString(),
      maintainerNotifiedAt: iso(c.maintainerNotifiedAt),
      fixAvailableAt: iso(c.fixAvailableAt),
      fixedVersions: c.fixedVersions,
      fixCommit: c.fixCommit,
      deadline: { publishAt: iso(c.publishAt), detailAt: iso(c.detailAt), remindAt: iso(c.remindAt), rule: c.deadlineRule },
      hold: c.state === 'equities-hold' && c.holdReviewAt ? { reviewAt: c.holdReviewAt.toISOString() } : null,
      publishedAt: iso(c.publishedAt),
      closedAt: iso(c.closedAt),
      advisoryId: c.advisoryId,
      cveId: c.cveId,
      vulnerabilities: vulns.map((v) => ({ id: v.id, displayId: v.displayId, title: v.title, severity: v.severity, cwes: v.cwes })),
      products: products.map((p) => ({ purlKey: p.purlKey, name: p.name, affectedVersions: p.affectedVersions, status: p.status, justification: p.justification, impactStatement: p.impactStatement, statusAt: p.statusAt.toISOString() })),
      // operators learn who else is exposed only as counts; coordinators and auditors see everyone
      participants: participants
        .filter((p) => isCoordinator || caller.orgKind === 'auditor' || p.role !== 'operator' || p.orgId === caller.orgId)
        .map((p) => ({ orgId: p.orgId, orgName: p.orgName, role: p.role, wave: p.wave, assetClass: p.assetClass, assets: p.assets, notifiedAt: iso(p.notifiedAt) })),
      timeline: timeline.map((e) => ({ at: e.at.toISOString(), kind: e.kind, actorOrg: e.actorOrg, detail: e.detail })),
    };
    if (isCoordinator) view.waitingNotice = (await caseStore.waitingNotices(this.ctx.db)).some((n) => n.caseId === c.id);
    if (seesDetail && c.state !== 'published') {
      const detail = JSON.parse(openText(this.key(c), c.detailSealed, `case:${c.id}:detail`)) as CaseDetail;
      const operatorOnly = !isCoordinator && roles.every((r) => r === 'operator');
      view.detail = operatorOnly ? { description: detail.description } : detail;
      // every read of embargoed detail is in the transparency log
      await write(this.ctx, caller, async () => ({ result: null, events: [{ action: 'case.detail.read', objectType: 'case', objectId: c.id, stateSha256: digestOf({ reader: caller.orgId, fields: Object.keys(view.detail!) }) }] }));
    }
    return view;
  }

  async list(caller: Caller, filter: { state?: string; limit: number; offset: number }): Promise<Array<Pick<CaseView, 'id' | 'displayId' | 'title' | 'state' | 'tlp' | 'openedAt' | 'advisoryId'> & { publishAt: string | null }>> {
    const all = caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    const rows = await caseStore.listCases(this.ctx.db, { ...filter, ...(all ? {} : { visibleTo: caller.orgId }) });
    return rows.map((c) => ({ id: c.id, displayId: c.displayId, title: c.title, state: c.state, tlp: c.tlp, openedAt: c.openedAt.toISOString(), advisoryId: c.advisoryId, publishAt: iso(c.publishAt) }));
  }

  /** Maintainer notices waiting for room in their organizations' budgets (coordinators and auditors). */
  async waiting(caller: Caller): Promise<Array<{ caseId: string; maintainerOrg: string; priorityKey: string; queuedAt: string }>> {
    if (caller.orgKind !== 'coordinator' && caller.orgKind !== 'auditor') throw new AppError('forbidden', 'the notice queue is visible to coordinators and auditors');
    return (await caseStore.waitingNotices(this.ctx.db)).map((n) => ({ ...n, queuedAt: n.queuedAt.toISOString() }));
  }

  async postMessage(caller: Caller, idOrDisplay: string, body: { body?: unknown; tlp?: unknown }): Promise<{ id: string; tlp: Tlp; createdAt: string }> {
    const text = textField(body.body, '/body', 100_000)!;
    const now = this.ctx.clock.now();
    const id = randomUUID();
    return write(this.ctx, caller, async (trx) => {
      const { c, roles } = await this.visible(caller, idOrDisplay, trx);
      if (caller.orgKind === 'auditor' || (caller.orgKind !== 'coordinator' && roles.length === 0)) throw new AppError('forbidden', 'only the case\'s participants and coordinators write in its thread');
      if (!isLive(c.state)) throw new AppError('conflict', `the case is ${c.state}`);
      const tlp = body.tlp === undefined ? c.tlp : parseTlp(body.tlp, '/tlp');
      assertMessageTlp(c.tlp, tlp, '/tlp');
      await caseStore.insertMessage(trx, { id, caseId: c.id, authorOrg: caller.orgId, tlp, bodySealed: sealText(this.key(c), text, `case:${c.id}:message:${id}`), createdAt: now });
      await this.event(trx, c.id, 'message', caller.orgId, { message: id, tlp });
      return { result: { id, tlp, createdAt: now.toISOString() }, events: [{ action: 'case.message', objectType: 'case', objectId: c.id, stateSha256: digestOf({ id, tlp }) }] };
    });
  }

  async messages(caller: Caller, idOrDisplay: string): Promise<Array<{ id: string; author: string; authorOrg: string; tlp: Tlp; body: string; createdAt: string }>> {
    const { c, roles } = await this.visible(caller, idOrDisplay);
    if (caller.orgKind === 'auditor') throw new AppError('forbidden', 'auditors see case metadata, not its messages');
    if (caller.orgKind !== 'coordinator' && roles.length === 0) throw notFound('case', idOrDisplay);
    const key = this.key(c);
    const reader = { orgId: caller.orgId, isCoordinator: caller.orgKind === 'coordinator' };
    const out = (await caseStore.messages(this.ctx.db, c.id))
      .filter((m) => mayReadMessage(m.tlp, reader, m.authorOrg))
      .map((m) => ({ id: m.id, author: m.authorName, authorOrg: m.authorOrg, tlp: m.tlp, body: openText(key, m.bodySealed, `case:${c.id}:message:${m.id}`), createdAt: m.createdAt.toISOString() }));
    await write(this.ctx, caller, async () => ({ result: null, events: [{ action: 'case.messages.read', objectType: 'case', objectId: c.id, stateSha256: digestOf({ reader: caller.orgId, messages: out.map((m) => m.id) }) }] }));
    return out;
  }

  /** A per-product VEX statement: by the product's maintainer or a coordinator. */
  async setStatement(caller: Caller, idOrDisplay: string, body: { purlKey?: unknown; status?: unknown; justification?: unknown; impactStatement?: unknown }): Promise<CaseView> {
    const purlKey = textField(body.purlKey, '/purlKey', 500)!;
    if (typeof body.status !== 'string' || !(vexStatuses as readonly string[]).includes(body.status)) throw invalidField('/status', `must be one of ${vexStatuses.join(', ')}`);
    const status = body.status as VexStatus;
    const justification = textField(body.justification, '/justification', 100, false);
    if (justification && !(vexJustifications as readonly string[]).includes(justification)) throw invalidField('/justification', `must be one of ${vexJustifications.join(', ')}`);
    const impactStatement = textField(body.impactStatement, '/impactStatement', 5000, false);
    if (status === 'known_not_affected' && !justification && !impactStatement) throw invalidField('/justification', 'known_not_affected needs a justification or an impact statement (CSAF VEX)');
    await write(this.ctx, caller, async (trx) => {
      const { c } = await this.visible(caller, idOrDisplay, trx, true);
      if (!isLive(c.state)) throw new AppError('conflict', `the case is ${c.state}`);
      const product = (await caseStore.products(trx, c.id)).find((p) => p.purlKey === purlKey);
      if (!product) throw invalidField('/purlKey', `the case has no product ${purlKey}`);
      if (caller.orgKind !== 'coordinator' && product.maintainerOrg !== caller.orgId) throw new AppError('forbidden', 'only the product\'s maintainer or a coordinator states its status');
      await caseStore.upsertProducts(trx, c.id, [{ ...product, status, justification, impactStatement, statusByOrg: caller.orgId, statusAt: this.ctx.clock.now() }]);
      await this.event(trx, c.id, 'statement', caller.orgId, { purlKey, status, justification });
      return { result: null, events: [{ action: 'case.statement', objectType: 'case', objectId: c.id, stateSha256: digestOf({ purlKey, status, justification }) }] };
    });
    return this.view(caller, idOrDisplay);
  }

  /** The maintainer (or a coordinator) reports progress: a fix in progress, or a fix available (versions, commit). */
  async reportFix(caller: Caller, idOrDisplay: string, body: { state?: unknown; fixedVersions?: unknown; commit?: unknown }): Promise<CaseView> {
    if (body.state !== 'fix-in-progress' && body.state !== 'fix-available') throw invalidField('/state', 'must be fix-in-progress or fix-available');
    const to = body.state as CaseState;
    const fixed = body.fixedVersions === undefined ? [] : body.fixedVersions;
    if (!Array.isArray(fixed) || fixed.some((v) => typeof v !== 'string' || v.length > 100) || fixed.length > 100) throw invalidField('/fixedVersions', 'must be a list of version strings');
    const commit = textField(body.commit, '/commit', 100, false);
    if (to === 'fix-available' && fixed.length === 0 && !commit) throw invalidField('/fixedVersions', 'a fix available names the fixed versions or the fixing commit');
    const policy = await this.policy.current();
    await write(this.ctx, caller, async (trx) => {
      const { c, roles } = await this.visible(caller, idOrDisplay, trx, true);
      if (caller.orgKind !== 'coordinator' && !roles.includes('maintainer')) throw new AppError('forbidden', 'only the case\'s maintainers or a coordinator report a fix');
      assertMove(c.state, to);
      const now = this.ctx.clock.now();
      const patch: Partial<CaseRow> = { state: to };
      if (to === 'fix-available') {
        patch.fixAvailableAt = now;
        patch.fixedVersions = fixed as string[];
        patch.fixCommit = commit;
        const d = deadlineFor(deadlinePolicy(policy), { maintainerNotifiedAt: c.maintainerNotifiedAt, fixAvailableAt: now, exploited: c.exploited });
        Object.assign(patch, { publishAt: d.publishAt, detailAt: d.detailAt, remindAt: d.remindAt, deadlineRule: d.rule, remindedAt: null });
      }
      await caseStore.updateCase(trx, c.id, patch);
      if (to === 'fix-available') {
        // a fix settles an open question: products still under investigation are known affected (at the named versions)
        const open = (await caseStore.products(trx, c.id)).filter((p) => p.status === 'under_investigation');
        await caseStore.upsertProducts(trx, c.id, open.map((p) => ({ ...p, status: 'known_affected' as const, statusByOrg: caller.orgId, statusAt: now })));
      }
      await this.event(trx, c.id, to, caller.orgId, { fixedVersions: fixed, commit, publishAt: iso(patch.publishAt ?? c.publishAt) });
      if (to === 'fix-available') await this.advanceWaves(trx, { ...c, ...patch }, policy);
      return { result: null, events: [{ action: `case.${to}`, objectType: 'case', objectId: c.id, stateSha256: digestOf({ state: to, fixed, commit }) }] };
    });
    return this.view(caller, idOrDisplay);
  }

  /** Sends every wave that is due: federal operators once a fix is available, sltt/ci after the gap. */
  private async advanceWaves(trx: Db, c: CaseRow, policy: PolicyValues, force = false): Promise<void> {
    let current = c.wave as Wave;
    let federalAt = c.federalWaveAt;
    for (;;) {
      const now = this.ctx.clock.now();
      const next = force ? (current < waves.nonFederal ? { wave: (current + 1) as Wave } : { wave: null }) : nextWave(current, { fixAvailable: !!c.fixAvailableAt, federalWaveAt: federalAt, now, gapHours: policy['disclosure.waveGapHours'] });
      if (next.wave === null || next.wave > waves.nonFederal) return;
      const orgs = await caseStore.notifyWave(trx, c.id, next.wave, now);
      current = next.wave;
      const patch: Partial<CaseRow> = { wave: current };
      if (current === waves.federal) patch.federalWaveAt = federalAt = now;
      await caseStore.updateCase(trx, c.id, patch);
      await this.event(trx, c.id, 'wave', null, { wave: current, name: waveNames[current], organizations: orgs.length });
      await this.ctx.log.record(trx, { kind: 'system' }, [{ action: 'case.wave', objectType: 'case', objectId: c.id, stateSha256: digestOf({ wave: current, at: now.toISOString(), orgs: orgs.length }) }]);
      if (orgs.length) await this.notifier.notify(trx, { orgIds: orgs, type: 'clearinghouse.case.notified', subject: c.displayId, data: { tlp: c.tlp, resource: `/v1/cases/${c.id}`, title: c.title.slice(0, 200), ids: { caseId: c.displayId, wave: String(current) } }, caseId: c.id });
    }
  }

  /** An equities hold: past the deadline only with a recorded decision, its rationale and a review date. */
  async hold(caller: Caller, idOrDisplay: string, body: { rationale?: unknown; reviewAt?: unknown }): Promise<CaseView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators decide an equities hold');
    const rationale = textField(body.rationale, '/rationale', 20_000)!;
    if (rationale.trim().length < 20) throw invalidField('/rationale', 'a hold needs a real rationale (at least 20 characters)');
    const reviewAt = parseInstant(body.reviewAt, '/reviewAt');
    if (reviewAt.getTime() <= this.ctx.clock.now().getTime()) throw invalidField('/reviewAt', 'the review date must be in the future');
    await write(this.ctx, caller, async (trx) => {
      const { c } = await this.visible(caller, idOrDisplay, trx, true);
      assertMove(c.state, 'equities-hold');
      const now = this.ctx.clock.now();
      const decisionId = randomUUID();
      await caseStore.insertEquitiesDecision(trx, { id: decisionId, caseId: c.id, decidedByOrg: caller.orgId, rationaleSealed: sealText(this.key(c), rationale, `case:${c.id}:equities:${decisionId}`), reviewAt, decidedAt: now });
      await caseStore.updateCase(trx, c.id, { state: 'equities-hold', heldFrom: c.state, holdReviewAt: reviewAt });
      await this.event(trx, c.id, 'equities-hold', caller.orgId, { decision: decisionId, reviewAt: reviewAt.toISOString(), from: c.state });
      return { result: null, events: [{ action: 'case.equities-hold', objectType: 'case', objectId: c.id, stateSha256: digestOf({ decisionId, reviewAt: reviewAt.toISOString() }) }] };
    });
    return this.view(caller, idOrDisplay);
  }

  /** Ends a hold: back to the state it interrupted; the deadline applies again (a passed one publishes at the next tick). */
  async release(caller: Caller, idOrDisplay: string): Promise<CaseView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators end an equities hold');
    await write(this.ctx, caller, async (trx) => {
      const { c } = await this.visible(caller, idOrDisplay, trx, true);
      if (c.state !== 'equities-hold' || !c.heldFrom) throw new AppError('conflict', `the case is ${c.state}, not on hold`);
      await caseStore.updateCase(trx, c.id, { state: c.heldFrom, heldFrom: null, holdReviewAt: null });
      await this.event(trx, c.id, 'hold-released', caller.orgId, { to: c.heldFrom });
      return { result: null, events: [{ action: 'case.hold-released', objectType: 'case', objectId: c.id, stateSha256: digestOf({ to: c.heldFrom }) }] };
    });
    return this.view(caller, idOrDisplay);
  }

  async close(caller: Caller, idOrDisplay: string, body: { reason?: unknown }): Promise<CaseView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators close a case');
    const reason = textField(body.reason, '/reason', 2000)!;
    await write(this.ctx, caller, async (trx) => {
      const { c } = await this.visible(caller, idOrDisplay, trx, true);
      assertMove(c.state, 'closed-unfixed');
      const now = this.ctx.clock.now();
      await caseStore.updateCase(trx, c.id, { state: 'closed-unfixed', closedAt: now, heldFrom: null });
      await this.event(trx, c.id, 'closed-unfixed', caller.orgId, { reason });
      return { result: null, events: [{ action: 'case.closed-unfixed', objectType: 'case', objectId: c.id, stateSha256: digestOf({ reason }) }] };
    });
    return this.view(caller, idOrDisplay);
  }

  /** Imports reserved CVE ids (coordinators); publication takes the lowest free one. */
  async importCveIds(caller: Caller, body: { ids?: unknown }): Promise<{ added: number; free: number; assigned: number }> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators import reserved CVE ids');
    if (!Array.isArray(body.ids) || body.ids.length === 0 || body.ids.length > 10_000) throw invalidField('/ids', 'give 1 to 10,000 CVE ids');
    body.ids.forEach((id, i) => {
      if (typeof id !== 'string' || !/^CVE-\d{4}-\d{4,}$/.test(id)) throw invalidField(`/ids/${i}`, 'must be a CVE id such as CVE-2026-12345');
    });
    const added = await write(this.ctx, caller, async (trx) => {
      const n = await caseStore.importCveIds(trx, body.ids as string[], caller.orgId, this.ctx.clock.now());
      return { result: n, events: [{ action: 'cve-pool.import', objectType: 'cve-pool', objectId: String(n), stateSha256: digestOf(body.ids) }] };
    });
    return { added, ...(await caseStore.cvePoolCounts(this.ctx.db)) };
  }

  /** Makes sure one scheduled run of `tick` is queued (on start, and after each run). */
  async scheduleTick(): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      await jobStore.lockJobKind(trx, caseTickJobKind);
      // the run that calls this is itself still `running`: only a queued one counts
      if ((await jobStore.pendingJobs(trx, caseTickJobKind, caseTickSubject)).some((j) => j.status === 'queued')) return;
      const now = this.ctx.clock.now();
      await jobStore.enqueueJob(trx, { id: randomUUID(), kind: caseTickJobKind, orgId: null, subjectId: caseTickSubject, now, runAfter: new Date(now.getTime() + caseTickMs) });
    });
  }

  /**
   * The scheduled work: maintainer digests with room, waves that are due, reminders before deadlines,
   * escalation of stalled cases and of holds past review, and publication at the deadline. Returns what it did.
   */
  async tick(): Promise<{ digests: number; joined: number; waves: number; reminders: number; escalations: number; published: string[] }> {
    const policy = await this.policy.current();
    const out = { digests: 0, joined: 0, waves: 0, reminders: 0, escalations: 0, published: [] as string[] };
    const maintainers = [...new Set((await caseStore.waitingNotices(this.ctx.db)).map((n) => n.maintainerOrg))];
    for (const m of maintainers) {
      out.digests += await write(this.ctx, null, async (trx) => ({ result: await this.runDigest(trx, m, policy), events: [] }));
    }
    out.joined = await this.refreshParticipants();
    const now = this.ctx.clock.now();
    for (const due of await caseStore.dueCases(this.ctx.db, now)) {
      await write(this.ctx, null, async (trx) => {
        const c = (await caseStore.findCase(trx, due.id, { lock: true }))!;
        const events: Array<{ action: string; objectType: string; objectId: string; stateSha256: string }> = [];
        if (c.state === 'equities-hold') {
          if (c.holdReviewAt && c.holdReviewAt <= now && (!c.escalatedAt || c.escalatedAt < c.holdReviewAt)) {
            await caseStore.updateCase(trx, c.id, { escalatedAt: now });
            await this.event(trx, c.id, 'escalation', null, { reason: 'equities hold past its review date', reviewAt: iso(c.holdReviewAt) });
            events.push({ action: 'case.escalation', objectType: 'case', objectId: c.id, stateSha256: digestOf({ reason: 'hold-review', at: now.toISOString() }) });
            out.escalations++;
          }
          return { result: null, events };
        }
        if (c.wave === waves.federal) {
          const before = c.wave;
          await this.advanceWaves(trx, c, policy);
          if ((await caseStore.findCase(trx, c.id))!.wave !== before) out.waves++;
        }
        if (c.remindAt && c.remindAt <= now && !c.remindedAt && c.publishAt && c.publishAt > now) {
          await caseStore.updateCase(trx, c.id, { remindedAt: now });
          await this.event(trx, c.id, 'reminder', null, { publishAt: iso(c.publishAt) });
          const maintainers = (await caseStore.participants(trx, c.id)).filter((p) => p.role === 'maintainer' && p.notifiedAt).map((p) => p.orgId);
          if (maintainers.length) await this.notifier.notify(trx, { orgIds: maintainers, type: 'clearinghouse.case.reminder', subject: c.displayId, data: { tlp: c.tlp, resource: `/v1/cases/${c.id}`, title: `deadline ${iso(c.publishAt)}: ${c.title}`.slice(0, 200), ids: { caseId: c.displayId } }, caseId: c.id });
          events.push({ action: 'case.reminder', objectType: 'case', objectId: c.id, stateSha256: digestOf({ at: now.toISOString() }) });
          out.reminders++;
        }
        if (c.state === 'maintainer-notified' && c.maintainerNotifiedAt && !c.escalatedAt && now.getTime() - c.maintainerNotifiedAt.getTime() >= policy['disclosure.escalateDays'] * 86_400_000) {
          await caseStore.updateCase(trx, c.id, { escalatedAt: now });
          await this.event(trx, c.id, 'escalation', null, { reason: `no fix started ${policy['disclosure.escalateDays']} days after the maintainer was notified` });
          events.push({ action: 'case.escalation', objectType: 'case', objectId: c.id, stateSha256: digestOf({ reason: 'stalled', at: now.toISOString() }) });
          out.escalations++;
        }
        if (c.publishAt && c.publishAt <= now && isLive(c.state)) {
          await this.publishIn(trx, c, null, policy);
          events.push({ action: 'case.publish', objectType: 'case', objectId: c.id, stateSha256: digestOf({ at: now.toISOString(), by: 'deadline' }) });
          out.published.push(c.displayId);
        }
        return { result: null, events };
      });
    }
    return out;
  }

  /**
   * Exposure changes while a case runs: an operator whose new SBOM holds an affected product joins the case in
   * its wave, and hears of it at once when that wave has already gone out.
   */
  private async refreshParticipants(): Promise<number> {
    let joined = 0;
    for (const c of await caseStore.liveCases(this.ctx.db)) {
      joined += await write(this.ctx, null, async (trx) => {
        const products = (await caseStore.products(trx, c.id)).filter((p) => p.status !== 'known_not_affected' && p.affectedVersions.length);
        const exposed = await exposedOperators(trx, products.map((p) => ({ vulnId: c.id, purlKey: p.purlKey, versions: p.affectedVersions })));
        const known = new Set((await caseStore.participants(trx, c.id)).filter((p) => p.role === 'operator').map((p) => p.orgId));
        const now = this.ctx.clock.now();
        const added: string[] = [];
        const reached: string[] = [];
        for (const [orgId, e] of exposed) {
          if (known.has(orgId)) continue;
          const wave = waveOf('operator', e.assetClass as AssetClass);
          const due = c.wave >= wave;
          await caseStore.addParticipants(trx, c.id, [{ orgId, role: 'operator', wave, assetClass: e.assetClass, assets: e.assets, notifiedAt: due ? now : null }]);
          added.push(orgId);
          if (due) reached.push(orgId);
        }
        if (added.length === 0) return { result: 0, events: [] };
        await this.event(trx, c.id, 'participants-joined', null, { operators: added.length, notifiedNow: reached.length });
        if (reached.length) await this.notifier.notify(trx, { orgIds: reached, type: 'clearinghouse.case.notified', subject: c.displayId, data: { tlp: c.tlp, resource: `/v1/cases/${c.id}`, title: c.title.slice(0, 200), ids: { caseId: c.displayId } }, caseId: c.id });
        return { result: added.length, events: [{ action: 'case.participants', objectType: 'case', objectId: c.id, stateSha256: digestOf({ added: added.length, at: now.toISOString() }) }] };
      });
    }
    return joined;
  }

  async publish(caller: Caller, idOrDisplay: string): Promise<CaseView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators publish a case');
    const policy = await this.policy.current();
    await write(this.ctx, caller, async (trx) => {
      const { c } = await this.visible(caller, idOrDisplay, trx, true);
      assertMove(c.state, 'published');
      await this.publishIn(trx, c, caller.orgId, policy);
      return { result: null, events: [{ action: 'case.publish', objectType: 'case', objectId: c.id, stateSha256: digestOf({ at: this.ctx.clock.now().toISOString(), by: caller.orgId }) }] };
    });
    return this.view(caller, idOrDisplay);
  }

  /** Publication: every remaining wave first (participants before the public), a CVE id from the pool, the advisory. */
  private async publishIn(trx: Db, c: CaseRow, actorOrg: string | null, policy: PolicyValues): Promise<void> {
    await this.advanceWaves(trx, c, policy, true);
    const now = this.ctx.clock.now();
    const cveId = c.cveId ?? (await caseStore.assignCveId(trx, c.id, now));
    const advisoryId = c.advisoryId ?? `CHA-${c.displayId.slice(4)}`;
    // the documents first: one that fails its validator stops the publication, and nothing changes
    await this.publication.publish(trx, { ...c, fixedVersions: c.fixedVersions }, advisoryId, cveId);
    await caseStore.updateCase(trx, c.id, { state: 'published', publishedAt: now, cveId, advisoryId, wave: waves.public, heldFrom: null });
    await this.event(trx, c.id, 'published', actorOrg, { advisoryId, cveId, wave: waveNames[waves.public], by: actorOrg ? 'coordinator' : 'deadline' });
    const everyone = [...new Set((await caseStore.participants(trx, c.id)).map((p) => p.orgId))];
    await this.notifier.notify(trx, { orgIds: everyone, type: 'clearinghouse.advisory.published', subject: advisoryId, data: { tlp: 'CLEAR', resource: `/v1/cases/${c.id}`, title: c.title.slice(0, 200), ids: { caseId: c.displayId, advisoryId, ...(cveId ? { cveId } : {}) } }, caseId: c.id });
  }
}
