// Scan claims. Every change to a target's claims happens with the target row locked, so two
// organizations claiming at once are serialized and the overlap check sees the other's claim.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ClaimScope } from '../core/claims.js';
import type { ClaimsTable, Schema } from './schema.js';
import { toTarget, type Target } from './targets.js';

type Db = Kysely<Schema>;

export interface Claim {
  id: string;
  targetId: string;
  orgId: string;
  tokenId: string | null;
  scope: ClaimScope;
  createdAt: Date;
  expiresAt: Date;
  releasedAt: Date | null;
  releaseReason: 'finished' | 'abandoned' | null;
  renewals: number;
}

function toClaim(row: Selectable<ClaimsTable>): Claim {
  const scope: ClaimScope =
    row.scope_kind === 'all'
      ? { kind: 'all' }
      : row.scope_kind === 'class'
        ? { kind: 'class', name: row.scope_class!, cwes: row.scope_cwes }
        : { kind: 'cwe', cwes: row.scope_cwes };
  return {
    id: row.id,
    targetId: row.target_id,
    orgId: row.org_id,
    tokenId: row.token_id,
    scope,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    releasedAt: row.released_at,
    releaseReason: row.release_reason,
    renewals: row.renewals,
  };
}

/** Claims on a target that are neither released nor expired at `now`. Expired leases free themselves. */
export async function activeClaims(db: Db, targetId: string, now: Date): Promise<Claim[]> {
  const rows = await db
    .selectFrom('claims')
    .selectAll()
    .where('target_id', '=', targetId)
    .where('released_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  return rows.map(toClaim);
}

export async function insertClaim(db: Db, claim: Omit<Claim, 'releasedAt' | 'releaseReason' | 'renewals'>): Promise<Claim> {
  const row = await db
    .insertInto('claims')
    .values({
      id: claim.id,
      target_id: claim.targetId,
      org_id: claim.orgId,
      token_id: claim.tokenId,
      scope_kind: claim.scope.kind,
      scope_class: claim.scope.kind === 'class' ? claim.scope.name : null,
      scope_cwes: claim.scope.kind === 'all' ? [] : claim.scope.cwes,
      created_at: claim.createdAt,
      expires_at: claim.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toClaim(row);
}

export async function findClaim(db: Db, id: string): Promise<Claim | null> {
  const row = await db.selectFrom('claims').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toClaim(row) : null;
}

export async function renewClaim(db: Db, id: string, expiresAt: Date): Promise<Claim> {
  const row = await db
    .updateTable('claims')
    .set((eb) => ({ expires_at: expiresAt, renewals: eb('renewals', '+', 1) }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toClaim(row);
}

export async function releaseClaim(db: Db, id: string, at: Date, reason: 'finished' | 'abandoned'): Promise<Claim> {
  const row = await db
    .updateTable('claims')
    .set({ released_at: at, release_reason: reason })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toClaim(row);
}

export async function listClaims(db: Db, filter: { orgId?: string; targetId?: string; activeAt?: Date; limit: number; offset: number }): Promise<Claim[]> {
  let q = db.selectFrom('claims').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  if (filter.activeAt) q = q.where('released_at', 'is', null).where('expires_at', '>', filter.activeAt);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toClaim);
}

/** Targets `t` that `orgId` may be offered: it holds no active claim on them and has not scanned them within their interval. */
function offerableTo(orgId: string, now: Date) {
  return sql`
    NOT EXISTS (
      SELECT 1 FROM claims o
      WHERE o.target_id = t.id AND o.org_id = ${orgId} AND o.released_at IS NULL AND o.expires_at > ${now})
    AND NOT EXISTS (
      SELECT 1 FROM scan_runs r
      WHERE r.target_id = t.id AND r.org_id = ${orgId} AND r.scanned_at > ${now}::timestamptz - make_interval(days => t.scan_interval_days))`;
}

/** Claims `c` of other organizations, active at `now`, whose scope overlaps `scope`. */
function othersOverlapping(orgId: string, scope: ClaimScope, now: Date) {
  const all = scope.kind === 'all';
  const cwes = scope.kind === 'all' ? [] : scope.cwes;
  return sql`c.org_id <> ${orgId} AND c.released_at IS NULL AND c.expires_at > ${now}
    AND (c.scope_kind = 'all' OR ${all} OR c.scope_cwes && ${cwes}::integer[])`;
}

/**
 * The highest-priority target `orgId` could claim for `scope` now, locked (SKIP LOCKED, so agents
 * asking at once get different targets). Priority is criticality × staleness as in core/targets.ts
 * `scanPriority`: days since the last scan over the scan interval, never scanned = 365 days, capped at 12.
 * Targets this organization already scanned within their scan interval are not offered again.
 * The overlap filter here reads a snapshot; the caller re-checks under the lock.
 */
export async function lockNextTarget(trx: Db, orgId: string, scope: ClaimScope, now: Date, skip: string[]): Promise<Target | null> {
  const { rows } = await sql<Selectable<Schema['targets']>>`
    SELECT t.* FROM targets t
    WHERE NOT (t.id = ANY(${skip}::uuid[]))
      AND ${offerableTo(orgId, now)}
      AND (SELECT count(DISTINCT c.org_id) FROM claims c WHERE c.target_id = t.id AND ${othersOverlapping(orgId, scope, now)}) < t.max_concurrent_scanners
    ORDER BY t.criticality * least(coalesce(extract(epoch from (${now}::timestamptz - t.last_scanned_at)) / 86400, 365) / t.scan_interval_days, 12) DESC,
      t.criticality DESC, t.id
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
  `.execute(trx);
  return rows[0] ? toTarget(rows[0]) : null;
}

/**
 * The earliest instant a target that `orgId` could scan for `scope` (not its own claim, not recently
 * scanned by it) frees up from other organizations' overlapping claims; null when none is waiting.
 */
export async function earliestBusyTarget(db: Db, orgId: string, scope: ClaimScope, now: Date): Promise<Date | null> {
  const { rows } = await sql<{ free_at: Date | null }>`
    SELECT min(c.expires_at) AS free_at
    FROM targets t JOIN claims c ON c.target_id = t.id
    WHERE ${othersOverlapping(orgId, scope, now)} AND ${offerableTo(orgId, now)}
  `.execute(db);
  return rows[0]?.free_at ?? null;
}
