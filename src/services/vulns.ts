// Findings and vulnerability records, seen on a need-to-know basis: a reporter sees its own findings
// and learns whether each duplicates a record first reported by someone else, never by whom.
// Coordinators see everything and may merge and split records; auditors see metadata.
import { randomUUID } from 'node:crypto';
import { v7 as timeOrderedId } from 'uuid';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import * as findingStore from '../store/findings.js';
import type { FindingRow, VulnRow } from '../store/findings.js';
import { write, type ServiceContext } from './context.js';
import type { ReproductionView, ValidationService, ValidationView } from './validation.js';

export interface FindingView {
  id: string;
  documentId: string;
  pointer: string;
  kind: string;
  source: string;
  title: string;
  severity: string | null;
  cwes: number[];
  targetId: string | null;
  vulnId: string;
  vulnDisplayId: string;
  /** `first-report`: this organization is credited with the record; `duplicate`: another reported it first. */
  status: 'first-report' | 'duplicate';
  linkReason: string;
  linkScore: number;
  submittedAt: string;
  /** Only for coordinators and auditors. */
  orgId?: string;
  detail?: unknown;
}

function findingView(f: FindingRow, seesAll: boolean, withDetail: boolean): FindingView {
  const view: FindingView = {
    id: f.id,
    documentId: f.documentId,
    pointer: f.pointer,
    kind: f.kind,
    source: f.source,
    title: f.title,
    severity: f.severity,
    cwes: f.cwes,
    targetId: f.targetId,
    vulnId: f.vulnId,
    vulnDisplayId: f.vulnDisplayId,
    status: f.creditedOrgId === f.orgId ? 'first-report' : 'duplicate',
    linkReason: f.reason,
    linkScore: Math.round(f.score * 1000) / 1000,
    submittedAt: f.submittedAt.toISOString(),
  };
  if (seesAll) view.orgId = f.orgId;
  if (withDetail) view.detail = f.data;
  return view;
}

export type VulnSummaryView = Omit<VulnView, 'findings' | 'validation' | 'reproductions' | 'validationEvents'>;

export interface VulnView {
  id: string;
  displayId: string;
  kind: string;
  title: string;
  targetId: string | null;
  severity: string | null;
  cwes: number[];
  findingCount: number;
  createdAt: string;
  mergedInto: string | null;
  validationState: ValidationView['state'];
  /** Coordinators and auditors: the organization credited (earliest submission). */
  creditedOrgId?: string | null;
  /** Coordinators and auditors: merge and split decisions with their reasons. */
  decisions?: Array<{ action: string; vulnId: string; otherVulnId: string; findingIds: string[]; reason: string; actorOrg: string | null; decidedAt: string }>;
  findings: FindingView[];
  /** Validated, rejected or not yet; the crash signature; the fix and its verification; the root-cause group. */
  validation: ValidationView;
  /** Sandboxed reproductions and fix verifications: all for coordinators (with runs), a reporter's own otherwise. */
  reproductions: ReproductionView[];
  /** Coordinators and auditors: every validation transition with its evidence. */
  validationEvents?: Awaited<ReturnType<ValidationService['events']>>;
}

function vulnSummary(v: VulnRow): VulnSummaryView {
  return {
    id: v.id,
    displayId: v.displayId,
    kind: v.kind,
    title: v.title,
    targetId: v.targetId,
    severity: v.severity,
    cwes: v.cwes,
    findingCount: v.findingCount,
    createdAt: v.createdAt.toISOString(),
    mergedInto: v.mergedInto,
    validationState: v.validationState,
  };
}

function seesAllFindings(caller: Caller): boolean {
  return caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
}

export class VulnService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly validation: ValidationService,
  ) {}

  async listFindings(caller: Caller, filter: { documentId?: string; vulnId?: string; limit: number; offset: number }): Promise<FindingView[]> {
    const all = seesAllFindings(caller);
    if (!all && caller.orgKind !== 'scanner') throw new AppError('forbidden', 'findings are visible to their reporters, coordinators and auditors');
    for (const [k, v] of Object.entries(filter)) if ((k === 'documentId' || k === 'vulnId') && v !== undefined && !isUuid(String(v))) throw invalidField(k, `${k} must be an id`);
    const rows = await findingStore.listFindings(this.ctx.db, { ...filter, ...(all ? {} : { orgId: caller.orgId }) });
    return rows.map((f) => findingView(f, all, false));
  }

  async getFinding(caller: Caller, id: string): Promise<FindingView> {
    const f = isUuid(id) ? await findingStore.findFinding(this.ctx.db, id) : null;
    const all = seesAllFindings(caller);
    if (!f || (!all && f.orgId !== caller.orgId)) throw notFound('finding', id);
    // Auditors see metadata, never the reported detail (locations, code, proofs of concept).
    return findingView(f, all, caller.orgKind !== 'auditor');
  }

  private async visibleVuln(caller: Caller, idOrDisplay: string): Promise<VulnRow> {
    const v = await findingStore.findVuln(this.ctx.db, idOrDisplay);
    if (!v) throw notFound('vulnerability', idOrDisplay);
    if (seesAllFindings(caller)) return v;
    if (caller.orgKind === 'scanner' && (await findingStore.orgHasFindingIn(this.ctx.db, caller.orgId, v.id))) return v;
    throw notFound('vulnerability', idOrDisplay);
  }

  async get(caller: Caller, idOrDisplay: string): Promise<VulnView> {
    const v = await this.visibleVuln(caller, idOrDisplay);
    const all = seesAllFindings(caller);
    const findings = await findingStore.listFindings(this.ctx.db, { vulnId: v.id, ...(all ? {} : { orgId: caller.orgId }), limit: 500, offset: 0 });
    const view: VulnView = {
      ...vulnSummary(v),
      // A reporter learns that others reported it only through its own findings' status, not how many did.
      findingCount: all ? v.findingCount : findings.length,
      findings: findings.map((f) => findingView(f, all, false)),
      validation: await this.validation.validationOf(v.id),
      reproductions: await this.validation.reproductionsFor(caller, v.id),
    };
    if (all) {
      view.validationEvents = await this.validation.events(v.id);
      view.creditedOrgId = findings[0]?.creditedOrgId ?? null;
      view.decisions = (await findingStore.decisionsOf(this.ctx.db, v.id)).map((d) => ({
        action: d.action,
        vulnId: d.vulnId,
        otherVulnId: d.otherVulnId,
        findingIds: d.findingIds,
        reason: d.reason,
        actorOrg: d.actorOrg,
        decidedAt: d.decidedAt.toISOString(),
      }));
    }
    return view;
  }

  async list(caller: Caller, filter: { limit: number; offset: number; targetId?: string }): Promise<VulnSummaryView[]> {
    if (!seesAllFindings(caller)) throw new AppError('forbidden', 'only coordinators and auditors list vulnerability records');
    const rows = await findingStore.listVulns(this.ctx.db, filter);
    return rows.map(vulnSummary);
  }

  async merge(caller: Caller, fromId: string, req: { into?: unknown; reason?: unknown }): Promise<VulnView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators merge records');
    if (typeof req.into !== 'string' || req.into === '') throw invalidField('/into', 'into must name the record to merge into');
    const reason = requireReason(req.reason);
    const into = req.into;
    const result = await write(this.ctx, caller, async (trx) => {
      const from = await findingStore.findVuln(trx, fromId, { lock: true });
      if (!from) throw notFound('vulnerability', fromId);
      const target = await findingStore.findVuln(trx, into, { lock: true });
      if (!target) throw invalidField('/into', `vulnerability ${into} not found`);
      if (from.id === target.id) throw invalidField('/into', 'a record cannot be merged into itself');
      if (from.mergedInto) throw new AppError('conflict', `${from.displayId} was already merged into another record`);
      if (target.mergedInto) throw invalidField('/into', `${target.displayId} was itself merged; merge into ${target.mergedInto}`);
      await findingStore.mergeVulns(trx, from.id, target.id);
      await findingStore.insertDecision(trx, {
        id: randomUUID(),
        vulnId: from.id,
        action: 'merge',
        otherVulnId: target.id,
        findingIds: [],
        reason,
        actorOrg: caller.orgId,
        decidedAt: this.ctx.clock.now(),
      });
      return {
        result: target.id,
        events: [{ action: 'vuln.merge', objectType: 'vulnerability', objectId: from.id, stateSha256: digestOf({ from: from.id, into: target.id, reason }) }],
      };
    });
    return this.get(caller, result);
  }

  async split(caller: Caller, fromId: string, req: { findingIds?: unknown; reason?: unknown }): Promise<VulnView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators split records');
    const ids = req.findingIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => typeof i === 'string' && isUuid(i))) {
      throw invalidField('/findingIds', 'findingIds must list the findings (ids) that form the new record');
    }
    const reason = requireReason(req.reason);
    const newId = await write(this.ctx, caller, async (trx) => {
      const from = await findingStore.findVuln(trx, fromId, { lock: true });
      if (!from) throw notFound('vulnerability', fromId);
      const inside = await findingStore.listFindings(trx, { vulnId: from.id, limit: 100_000, offset: 0 });
      const insideIds = new Set(inside.map((f) => f.id));
      const missing = (ids as string[]).find((i) => !insideIds.has(i));
      if (missing) throw invalidField('/findingIds', `finding ${missing} is not in ${from.displayId}`);
      if (ids.length === inside.length) throw invalidField('/findingIds', 'a split must leave at least one finding in the original record');
      const first = inside.find((f) => (ids as string[]).includes(f.id))!;
      const [n] = await findingStore.nextVulnNumbers(trx, 1);
      const id = timeOrderedId();
      const now = this.ctx.clock.now();
      await findingStore.insertVulns(trx, [
        { id, displayId: `CHV-${now.getUTCFullYear()}-${n}`, kind: from.kind as 'code' | 'advisory', title: first.title, targetId: first.targetId, severity: first.severity, cwes: first.cwes, createdAt: now },
      ]);
      await findingStore.moveFindings(trx, from.id, id, ids as string[]);
      await findingStore.insertDecision(trx, { id: randomUUID(), vulnId: from.id, action: 'split', otherVulnId: id, findingIds: ids as string[], reason, actorOrg: caller.orgId, decidedAt: now });
      return {
        result: id,
        events: [
          { action: 'vuln.split', objectType: 'vulnerability', objectId: from.id, stateSha256: digestOf({ from: from.id, into: id, findings: [...(ids as string[])].sort(), reason }) },
        ],
      };
    });
    return this.get(caller, newId);
  }
}

function requireReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim().length < 3 || reason.length > 2000) {
    throw invalidField('/reason', 'say why (3–2000 characters); the reason is recorded');
  }
  return reason.trim();
}
