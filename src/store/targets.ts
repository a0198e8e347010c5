// Scan targets and coverage (scan runs).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { TargetSpec } from '../core/targets.js';
import { AppError } from '../core/errors.js';
import { isUniqueViolation } from './errors.js';
import type { Schema, TargetsTable } from './schema.js';

type Db = Kysely<Schema>;

export interface Target extends TargetSpec {
  id: string;
  maxConcurrentScanners: number;
  scanIntervalDays: number;
  lastScannedAt: Date | null;
  createdAt: Date;
}

export function toTarget(row: Selectable<TargetsTable>): Target {
  return {
    id: row.id,
    name: row.name,
    purl: row.purl,
    purlKey: row.purl_key,
    repoUrl: row.repo_url,
    repoKey: row.repo_key,
    criticality: row.criticality,
    maintainerOrgId: row.maintainer_org,
    maxConcurrentScanners: row.max_concurrent_scanners,
    scanIntervalDays: row.scan_interval_days,
    lastScannedAt: row.last_scanned_at,
    createdAt: row.created_at,
  };
}

function duplicateTarget(err: unknown, spec: TargetSpec, at: string): AppError {
  const byPurl = isUniqueViolation(err, 'targets_purl_key');
  return new AppError('conflict', byPurl ? `a target for ${spec.purlKey} already exists` : `a target for ${spec.repoKey} already exists`, {
    field: `${at}/${byPurl ? 'purl' : 'repo'}`,
    cause: err,
  });
}

export async function insertTarget(db: Db, spec: TargetSpec & { id: string; createdAt: Date; createdByOrg: string | null }, at = ''): Promise<Target> {
  try {
    const row = await db
      .insertInto('targets')
      .values({
        id: spec.id,
        name: spec.name,
        purl: spec.purl,
        purl_key: spec.purlKey,
        repo_url: spec.repoUrl,
        repo_key: spec.repoKey,
        maintainer_org: spec.maintainerOrgId,
        criticality: spec.criticality,
        created_at: spec.createdAt,
        created_by_org: spec.createdByOrg,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTarget(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateTarget(err, spec, at);
    throw err;
  }
}

/** Targets that already exist under any of these keys, for imports that update rather than fail. */
export async function findTargetsByKeys(db: Db, purlKeys: string[], repoKeys: string[]): Promise<Target[]> {
  if (purlKeys.length === 0 && repoKeys.length === 0) return [];
  const rows = await db
    .selectFrom('targets')
    .selectAll()
    .where((eb) => eb.or([eb('purl_key', 'in', purlKeys.length ? purlKeys : ['']), eb('repo_key', 'in', repoKeys.length ? repoKeys : [''])]))
    .execute();
  return rows.map(toTarget);
}

export async function updateTargetFromImport(db: Db, id: string, spec: TargetSpec): Promise<Target> {
  const row = await db
    .updateTable('targets')
    .set({
      name: spec.name,
      criticality: spec.criticality,
      maintainer_org: spec.maintainerOrgId,
      purl: sql<string | null>`coalesce(${spec.purl}, purl)`,
      purl_key: sql<string | null>`coalesce(${spec.purlKey}, purl_key)`,
      repo_url: sql<string | null>`coalesce(${spec.repoUrl}, repo_url)`,
      repo_key: sql<string | null>`coalesce(${spec.repoKey}, repo_key)`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTarget(row);
}

export async function findTarget(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<Target | null> {
  let q = db.selectFrom('targets').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toTarget(row) : null;
}

export async function findTargetByRef(db: Db, ref: { purlKey: string | null; repoKey: string | null }): Promise<Target | null> {
  if (ref.purlKey) {
    const row = await db.selectFrom('targets').selectAll().where('purl_key', '=', ref.purlKey).executeTakeFirst();
    if (row) return toTarget(row);
  }
  if (ref.repoKey) {
    const row = await db.selectFrom('targets').selectAll().where('repo_key', '=', ref.repoKey).executeTakeFirst();
    if (row) return toTarget(row);
  }
  return null;
}

export async function listTargets(db: Db, filter: { limit: number; offset: number; q?: string }): Promise<Target[]> {
  let q = db.selectFrom('targets').selectAll();
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('purl_key', 'ilike', like), eb('repo_key', 'ilike', like)]));
  }
  const rows = await q.orderBy('criticality', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toTarget);
}

export async function setTargetPolicy(db: Db, id: string, policy: { maxConcurrentScanners?: number; scanIntervalDays?: number }): Promise<Target | null> {
  const set: { max_concurrent_scanners?: number; scan_interval_days?: number } = {};
  if (policy.maxConcurrentScanners !== undefined) set.max_concurrent_scanners = policy.maxConcurrentScanners;
  if (policy.scanIntervalDays !== undefined) set.scan_interval_days = policy.scanIntervalDays;
  const row = await db.updateTable('targets').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toTarget(row) : null;
}

export interface ScanRun {
  id: string;
  orgId: string;
  targetId: string | null;
  claimId: string | null;
  documentId?: string | null;
  scanner: { name: string; version: string | null };
  model: { name: string; version: string | null } | null;
  version: string | null;
  commit: string | null;
  scannedAt: Date;
}

export async function insertScanRun(db: Db, run: ScanRun): Promise<void> {
  await db
    .insertInto('scan_runs')
    .values({
      id: run.id,
      org_id: run.orgId,
      target_id: run.targetId,
      claim_id: run.claimId,
      document_id: run.documentId ?? null,
      scanner_name: run.scanner.name,
      scanner_version: run.scanner.version,
      model_name: run.model?.name ?? null,
      model_version: run.model?.version ?? null,
      version: run.version,
      commit: run.commit,
      scanned_at: run.scannedAt,
    })
    .execute();
  if (run.targetId) {
    await db
      .updateTable('targets')
      .set({ last_scanned_at: sql<Date>`greatest(coalesce(last_scanned_at, ${run.scannedAt}), ${run.scannedAt})` })
      .where('id', '=', run.targetId)
      .execute();
  }
}

export interface CoverageRow {
  target: Target;
  runs: Array<Omit<ScanRun, 'targetId'>>;
}

/** Targets by how overdue their next scan is, each with its latest scan runs (at most `runsPerTarget`). */
export async function coverage(db: Db, now: Date, filter: { limit: number; offset: number; runsPerTarget: number }): Promise<CoverageRow[]> {
  const targets = await db
    .selectFrom('targets')
    .selectAll()
    .orderBy(
      sql`extract(epoch from (${now}::timestamptz - coalesce(last_scanned_at, created_at - make_interval(days => scan_interval_days)))) / 86400 - scan_interval_days`,
      'desc',
    )
    .orderBy('criticality', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  if (targets.length === 0) return [];
  const runs = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('scan_runs')
        .selectAll()
        .select(sql<number>`row_number() OVER (PARTITION BY target_id ORDER BY scanned_at DESC, id)`.as('rn'))
        .where('target_id', 'in', targets.map((t) => t.id))
        .as('r'),
    )
    .selectAll()
    .where('rn', '<=', filter.runsPerTarget)
    .orderBy('scanned_at', 'desc')
    .execute();
  const byTarget = new Map<string, CoverageRow['runs']>();
  for (const r of runs) {
    const list = byTarget.get(r.target_id!) ?? [];
    list.push({
      id: r.id,
      orgId: r.org_id,
      claimId: r.claim_id,
      scanner: { name: r.scanner_name, version: r.scanner_version },
      model: r.model_name ? { name: r.model_name, version: r.model_version } : null,
      version: r.version,
      commit: r.commit,
      scannedAt: r.scanned_at,
    });
    byTarget.set(r.target_id!, list);
  }
  return targets.map((row) => ({ target: toTarget(row), runs: byTarget.get(row.id) ?? [] }));
}

/** The scan run of a document for one tool, model, target and version; a rerun of an intake job finds it again. */
export async function findOrInsertScanRun(db: Db, run: ScanRun): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM scan_runs
    WHERE document_id = ${run.documentId ?? null} AND org_id = ${run.orgId}
      AND target_id IS NOT DISTINCT FROM ${run.targetId} AND scanner_name = ${run.scanner.name}
      AND scanner_version IS NOT DISTINCT FROM ${run.scanner.version} AND model_name IS NOT DISTINCT FROM ${run.model?.name ?? null}
      AND model_version IS NOT DISTINCT FROM ${run.model?.version ?? null} AND version IS NOT DISTINCT FROM ${run.version}
      AND commit IS NOT DISTINCT FROM ${run.commit}
    LIMIT 1
  `.execute(db);
  if (rows[0]) return rows[0].id;
  await insertScanRun(db, run);
  return run.id;
}
