// Scan targets: coordinators (and maintainers, for their own projects) add and import them; every
// organization may list them, since knowing what is in scope is what deconfliction is for.
import { randomUUID } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import { daysOverdue, parseNewTarget, scanPriority, type NewTargetInput, type TargetSpec } from '../core/targets.js';
import type { LogEvent } from '../core/log/entry.js';
import * as orgStore from '../store/orgs.js';
import * as targetStore from '../store/targets.js';
import type { Target } from '../store/targets.js';
import { write, type Db, type ServiceContext } from './context.js';

export interface TargetView {
  id: string;
  name: string;
  purl: string | null;
  repo: string | null;
  maintainerOrgId: string | null;
  criticality: number;
  maxConcurrentScanners: number;
  scanIntervalDays: number;
  lastScannedAt: string | null;
  createdAt: string;
}

export function targetView(t: Target): TargetView {
  return {
    id: t.id,
    name: t.name,
    purl: t.purl,
    repo: t.repoUrl,
    maintainerOrgId: t.maintainerOrgId,
    criticality: t.criticality,
    maxConcurrentScanners: t.maxConcurrentScanners,
    scanIntervalDays: t.scanIntervalDays,
    lastScannedAt: t.lastScannedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

export interface ImportReport {
  created: number;
  updated: number;
  targets: TargetView[];
}

export const maxImportTargets = 10_000;

/** Reads a target list: a JSON array (or `{targets: [...]}`) or CSV with a header row. */
export function readTargetList(body: unknown, contentType: string): NewTargetInput[] {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!/csv/.test(contentType)) throw new AppError('unsupported-media-type', 'send a target list as application/json or text/csv');
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(body, { columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, trim: true, bom: true });
    } catch (err) {
      const e = err as { lines?: number; message: string };
      throw invalidField(`line ${e.lines ?? '?'}`, `malformed CSV: ${e.message}`);
    }
    return rows.map((r) => ({
      name: r.name,
      purl: r.purl,
      repo: r.repo ?? r.repository ?? r.repo_url,
      criticality: r.criticality,
      maintainerOrgId: r.maintainerOrgId ?? r.maintainer_org_id,
    }));
  }
  const list = Array.isArray(body) ? body : (body as { targets?: unknown })?.targets;
  if (!Array.isArray(list)) throw invalidField('/targets', 'a target list is a JSON array of targets, or {"targets": [...]}');
  return list as NewTargetInput[];
}

export class TargetService {
  constructor(private readonly ctx: ServiceContext) {}

  private mayAdd(caller: Caller, spec: TargetSpec, at: string): void {
    if (caller.orgKind === 'coordinator') return;
    if (caller.orgKind === 'maintainer' && (spec.maintainerOrgId === null || spec.maintainerOrgId === caller.orgId)) {
      spec.maintainerOrgId = caller.orgId;
      return;
    }
    if (caller.orgKind === 'maintainer') throw invalidField(`${at}/maintainerOrgId`, 'a maintainer adds targets only for itself');
    throw new AppError('forbidden', 'only coordinators and maintainers add targets');
  }

  private async checkMaintainer(trx: Db, spec: TargetSpec, at: string): Promise<void> {
    if (!spec.maintainerOrgId) return;
    const org = isUuid(spec.maintainerOrgId) ? await orgStore.findOrg(trx, spec.maintainerOrgId) : null;
    if (!org || org.profile.kind !== 'maintainer') throw invalidField(`${at}/maintainerOrgId`, 'maintainerOrgId must name a maintainer organization');
  }

  async add(caller: Caller, input: NewTargetInput): Promise<TargetView> {
    const spec = parseNewTarget(input);
    this.mayAdd(caller, spec, '');
    return write(this.ctx, caller, async (trx) => {
      await this.checkMaintainer(trx, spec, '');
      const t = await targetStore.insertTarget(trx, { ...spec, id: randomUUID(), createdAt: this.ctx.clock.now(), createdByOrg: caller.orgId });
      const view = targetView(t);
      return { result: view, events: [{ action: 'target.create', objectType: 'target', objectId: t.id, stateSha256: digestOf(view) }] };
    });
  }

  /** All or nothing: one bad row rejects the list, naming the row; existing targets are updated. */
  async import(caller: Caller, inputs: NewTargetInput[]): Promise<ImportReport> {
    if (inputs.length === 0) throw invalidField('/targets', 'the target list is empty');
    if (inputs.length > maxImportTargets) throw invalidField('/targets', `at most ${maxImportTargets} targets per import`);
    const specs = inputs.map((input, i) => {
      const at = `/targets/${i}`;
      if (typeof input !== 'object' || input === null) throw invalidField(at, 'each target is an object');
      const spec = parseNewTarget(input, at);
      this.mayAdd(caller, spec, at);
      return spec;
    });
    const seen = new Map<string, number>();
    specs.forEach((s, i) => {
      for (const key of [s.purlKey, s.repoKey]) {
        if (!key) continue;
        if (seen.has(key)) throw invalidField(`/targets/${i}`, `duplicates /targets/${seen.get(key)} (${key})`);
        seen.set(key, i);
      }
    });
    return write(this.ctx, caller, async (trx) => {
      const existing = await targetStore.findTargetsByKeys(
        trx,
        specs.flatMap((s) => (s.purlKey ? [s.purlKey] : [])),
        specs.flatMap((s) => (s.repoKey ? [s.repoKey] : [])),
      );
      const byKey = new Map<string, Target>();
      for (const t of existing) for (const k of [t.purlKey, t.repoKey]) if (k) byKey.set(k, t);
      const views: TargetView[] = [];
      const events: LogEvent[] = [];
      let created = 0;
      for (const [i, spec] of specs.entries()) {
        const at = `/targets/${i}`;
        await this.checkMaintainer(trx, spec, at);
        const old = (spec.purlKey && byKey.get(spec.purlKey)) || (spec.repoKey && byKey.get(spec.repoKey)) || null;
        if (old && caller.orgKind !== 'coordinator' && old.maintainerOrgId !== caller.orgId) {
          throw new AppError('conflict', `${old.purlKey ?? old.repoKey} is another organization's target`, { field: at });
        }
        const t = old
          ? await targetStore.updateTargetFromImport(trx, old.id, spec)
          : await targetStore.insertTarget(trx, { ...spec, id: randomUUID(), createdAt: this.ctx.clock.now(), createdByOrg: caller.orgId }, at);
        if (!old) created++;
        const view = targetView(t);
        views.push(view);
        events.push({ action: old ? 'target.update' : 'target.create', objectType: 'target', objectId: t.id, stateSha256: digestOf(view) });
      }
      return { result: { created, updated: specs.length - created, targets: views }, events };
    });
  }

  async list(filter: { limit: number; offset: number; q?: string }): Promise<TargetView[]> {
    return (await targetStore.listTargets(this.ctx.db, filter)).map(targetView);
  }

  async get(id: string): Promise<TargetView> {
    const t = isUuid(id) ? await targetStore.findTarget(this.ctx.db, id) : null;
    if (!t) throw notFound('target', id);
    return targetView(t);
  }

  async setPolicy(caller: Caller, id: string, policy: { maxConcurrentScanners?: number; scanIntervalDays?: number }): Promise<TargetView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators set scanning policy');
    if (!isUuid(id)) throw notFound('target', id);
    return write(this.ctx, caller, async (trx) => {
      const t = await targetStore.setTargetPolicy(trx, id, policy);
      if (!t) throw notFound('target', id);
      const view = targetView(t);
      return { result: view, events: [{ action: 'target.policy', objectType: 'target', objectId: id, stateSha256: digestOf(view) }] };
    });
  }

  async coverage(filter: { limit: number; offset: number }) {
    const now = this.ctx.clock.now();
    const rows = await targetStore.coverage(this.ctx.db, now, { ...filter, runsPerTarget: 10 });
    return rows.map(({ target, runs }) => ({
      target: targetView(target),
      daysOverdue: Math.round(daysOverdue(target.lastScannedAt, target.createdAt, now, target.scanIntervalDays) * 10) / 10,
      priority: Math.round(scanPriority(target.criticality, target.lastScannedAt, now, target.scanIntervalDays) * 1000) / 1000,
      runs: runs.map((r) => ({
        orgId: r.orgId,
        claimId: r.claimId,
        scanner: r.scanner,
        model: r.model,
        version: r.version,
        commit: r.commit,
        scannedAt: r.scannedAt.toISOString(),
      })),
    }));
  }
}
