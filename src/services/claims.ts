// Deconfliction: scanner organizations lease targets for a scope; overlapping leases of another
// organization are refused (409 with the instant the target frees up) unless policy allows more.
import { randomUUID } from 'node:crypto';
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { claimConflict, claimConflictError, parseLeaseHours, parseScope, scopeLabel, type ClaimScope } from '../core/claims.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import * as claimStore from '../store/claims.js';
import type { Claim } from '../store/claims.js';
import * as targetStore from '../store/targets.js';
import { write, type Db, type ServiceContext } from './context.js';
import { targetView, type TargetView } from './targets.js';

export interface ClaimView {
  id: string;
  targetId: string;
  orgId: string;
  scope: string;
  scopeCwes: number[];
  createdAt: string;
  expiresAt: string;
  releasedAt: string | null;
  releaseReason: 'finished' | 'abandoned' | null;
  renewals: number;
  state: 'active' | 'expired' | 'released';
}

export function claimView(c: Claim, now: Date): ClaimView {
  return {
    id: c.id,
    targetId: c.targetId,
    orgId: c.orgId,
    scope: scopeLabel(c.scope),
    scopeCwes: c.scope.kind === 'all' ? [] : c.scope.cwes,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    releasedAt: c.releasedAt?.toISOString() ?? null,
    releaseReason: c.releaseReason,
    renewals: c.renewals,
    state: c.releasedAt ? 'released' : c.expiresAt > now ? 'active' : 'expired',
  };
}

export interface ClaimRequest {
  targetId?: unknown;
  scope?: unknown;
  leaseHours?: unknown;
}

export interface FinishReport {
  scanner?: { name: string; version?: string | null };
  model?: { name: string; version?: string | null } | null;
  version?: string | null;
  commit?: string | null;
}

function hours(h: number): number {
  return Math.round(h * 3_600_000);
}

export class ClaimService {
  constructor(private readonly ctx: ServiceContext) {}

  private requireScanner(caller: Caller): void {
    if (caller.orgKind !== 'scanner') throw new AppError('forbidden', 'only scanner organizations claim targets');
  }

  /** Inserts a claim on a locked target after checking overlap against the committed active claims. */
  private async claimLocked(trx: Db, caller: Caller, targetId: string, maxConcurrent: number, scope: ClaimScope, leaseHours: number): Promise<Claim> {
    const now = this.ctx.clock.now();
    const active = await claimStore.activeClaims(trx, targetId, now);
    const conflict = claimConflict(caller.orgId, scope, active, maxConcurrent);
    if (conflict) throw claimConflictError(conflict.freeAt);
    return claimStore.insertClaim(trx, {
      id: randomUUID(),
      targetId,
      orgId: caller.orgId,
      tokenId: caller.tokenId,
      scope,
      createdAt: now,
      expiresAt: new Date(now.getTime() + hours(leaseHours)),
    });
  }

  async claim(caller: Caller, req: ClaimRequest): Promise<ClaimView> {
    this.requireScanner(caller);
    const scope = parseScope(req.scope);
    const leaseHours = parseLeaseHours(req.leaseHours);
    if (typeof req.targetId !== 'string' || !isUuid(req.targetId)) throw invalidField('/targetId', 'targetId must be a target id');
    const targetId = req.targetId;
    return write(this.ctx, caller, async (trx) => {
      const target = await targetStore.findTarget(trx, targetId, { lock: true });
      if (!target) throw notFound('target', targetId);
      const claim = await this.claimLocked(trx, caller, target.id, target.maxConcurrentScanners, scope, leaseHours);
      const view = claimView(claim, this.ctx.clock.now());
      return { result: view, events: [{ action: 'claim.create', objectType: 'claim', objectId: claim.id, stateSha256: digestOf(view) }] };
    });
  }

  /**
   * When `next` found nothing free: the earliest instant a target this organization could still scan is
   * released by others (their lease end; they may finish sooner), or null when nothing is waiting.
   */
  async nextFreeAt(caller: Caller, req: ClaimRequest): Promise<Date | null> {
    return claimStore.earliestBusyTarget(this.ctx.db, caller.orgId, parseScope(req.scope), this.ctx.clock.now());
  }

  /** The highest-priority target this organization can claim for `scope` now, claimed; null when none is free. */
  async next(caller: Caller, req: ClaimRequest): Promise<{ claim: ClaimView; target: TargetView } | null> {
    this.requireScanner(caller);
    const scope = parseScope(req.scope);
    const leaseHours = parseLeaseHours(req.leaseHours);
    return write(this.ctx, caller, async (trx) => {
      const skip: string[] = [];
      for (;;) {
        const target = await claimStore.lockNextTarget(trx, caller.orgId, scope, this.ctx.clock.now(), skip);
        if (!target) return { result: null, events: [] };
        // The candidate query read a snapshot: under the lock, a claim this organization committed
        // meanwhile (another of its agents) is visible, and the target is not handed out twice.
        const now = this.ctx.clock.now();
        if ((await claimStore.activeClaims(trx, target.id, now)).some((c) => c.orgId === caller.orgId)) {
          skip.push(target.id);
          continue;
        }
        try {
          const claim = await this.claimLocked(trx, caller, target.id, target.maxConcurrentScanners, scope, leaseHours);
          const view = claimView(claim, this.ctx.clock.now());
          return {
            result: { claim: view, target: targetView(target) },
            events: [{ action: 'claim.create', objectType: 'claim', objectId: claim.id, stateSha256: digestOf(view) }],
          };
        } catch (err) {
          // Someone committed an overlapping claim between the snapshot and our lock: try the next one.
          if (err instanceof AppError && err.code === 'conflict') {
            skip.push(target.id);
            continue;
          }
          throw err;
        }
      }
    });
  }

  private async ownClaim(trx: Db, caller: Caller, id: string): Promise<Claim> {
    const claim = isUuid(id) ? await claimStore.findClaim(trx, id) : null;
    // Another organization's claim is "not found" unless the caller coordinates.
    if (!claim || (claim.orgId !== caller.orgId && caller.orgKind !== 'coordinator')) throw notFound('claim', id);
    return claim;
  }

  async renew(caller: Caller, id: string, req: { leaseHours?: unknown }): Promise<ClaimView> {
    const leaseHours = parseLeaseHours(req.leaseHours);
    return write(this.ctx, caller, async (trx) => {
      const found = await this.ownClaim(trx, caller, id);
      const target = await targetStore.findTarget(trx, found.targetId, { lock: true });
      const claim = (await claimStore.findClaim(trx, id))!;
      const now = this.ctx.clock.now();
      if (claim.releasedAt) throw new AppError('conflict', `claim ${id} was released at ${claim.releasedAt.toISOString()}`);
      if (claim.expiresAt <= now) {
        // An expired lease freed the target; renewing it is claiming again, so others' claims count.
        const active = await claimStore.activeClaims(trx, claim.targetId, now);
        const conflict = claimConflict(claim.orgId, claim.scope, active, target!.maxConcurrentScanners);
        if (conflict) throw claimConflictError(conflict.freeAt);
      }
      const renewed = await claimStore.renewClaim(trx, id, new Date(now.getTime() + hours(leaseHours)));
      const view = claimView(renewed, now);
      return { result: view, events: [{ action: 'claim.renew', objectType: 'claim', objectId: id, stateSha256: digestOf(view) }] };
    });
  }

  /** Ends a lease early. `finished` with a report records a scan run (coverage) for the target. */
  async release(caller: Caller, id: string, req: { finished?: boolean; report?: FinishReport }): Promise<ClaimView> {
    return write(this.ctx, caller, async (trx) => {
      const found = await this.ownClaim(trx, caller, id);
      await targetStore.findTarget(trx, found.targetId, { lock: true });
      const claim = (await claimStore.findClaim(trx, id))!;
      const now = this.ctx.clock.now();
      if (claim.releasedAt) return { result: claimView(claim, now), events: [] };
      const finished = req.finished ?? Boolean(req.report);
      const released = await claimStore.releaseClaim(trx, id, now, finished ? 'finished' : 'abandoned');
      const events = [{ action: finished ? 'claim.finish' : 'claim.release', objectType: 'claim', objectId: id, stateSha256: digestOf(claimView(released, now)) }];
      if (finished && req.report?.scanner?.name) {
        const runId = randomUUID();
        const run = {
          id: runId,
          orgId: claim.orgId,
          targetId: claim.targetId,
          claimId: claim.id,
          scanner: { name: req.report.scanner.name, version: req.report.scanner.version ?? null },
          model: req.report.model ? { name: req.report.model.name, version: req.report.model.version ?? null } : null,
          version: req.report.version ?? null,
          commit: req.report.commit ?? null,
          scannedAt: now,
        };
        await targetStore.insertScanRun(trx, run);
        events.push({ action: 'scan.record', objectType: 'scan_run', objectId: runId, stateSha256: digestOf({ ...run, scannedAt: now.toISOString() }) });
      }
      return { result: claimView(released, now), events };
    });
  }

  async get(caller: Caller, id: string): Promise<ClaimView> {
    return claimView(await this.ownClaim(this.ctx.db, caller, id), this.ctx.clock.now());
  }

  /** Scanners see their own claims; coordinators and auditors see all. */
  async list(caller: Caller, filter: { active?: boolean; targetId?: string; limit: number; offset: number }): Promise<ClaimView[]> {
    const all = caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
    if (!all && caller.orgKind !== 'scanner') throw new AppError('forbidden', 'claims are visible to scanners (their own), coordinators and auditors');
    if (filter.targetId !== undefined && !isUuid(filter.targetId)) throw invalidField('targetId', 'targetId must be a target id');
    const now = this.ctx.clock.now();
    const claims = await claimStore.listClaims(this.ctx.db, {
      ...(all ? {} : { orgId: caller.orgId }),
      ...(filter.targetId ? { targetId: filter.targetId } : {}),
      ...(filter.active ? { activeAt: now } : {}),
      limit: filter.limit,
      offset: filter.offset,
    });
    return claims.map((c) => claimView(c, now));
  }
}
