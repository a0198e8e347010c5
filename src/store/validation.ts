// Validation data: build recipes, reproductions and fix verifications, the validation state of records
// and its transitions, and the figures that say how often a reporter's findings reproduce.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { BuildRecipe } from '../core/validation/recipe.js';
import { stateFromColumns, stateToColumns, type ValidationState } from '../core/validation/states.js';
import type { ReproductionsTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

// ---- recipes ----

export interface StoredRecipe extends BuildRecipe {
  targetId: string;
  updatedAt: Date;
  updatedByOrg: string;
}

export async function upsertRecipe(trx: Db, targetId: string, r: BuildRecipe, orgId: string, at: Date): Promise<void> {
  const values = { source_kind: r.sourceKind, source: r.source, commit: r.commit, build_command: r.buildCommand, run_command: r.runCommand, updated_at: at, updated_by_org: orgId };
  await trx
    .insertInto('build_recipes')
    .values({ target_id: targetId, ...values })
    .onConflict((oc) => oc.column('target_id').doUpdateSet(values))
    .execute();
}

export async function findRecipe(db: Db, targetId: string): Promise<StoredRecipe | null> {
  const r = await db.selectFrom('build_recipes').selectAll().where('target_id', '=', targetId).executeTakeFirst();
  if (!r) return null;
  return {
    targetId: r.target_id,
    sourceKind: r.source_kind,
    source: r.source,
    commit: r.commit,
    buildCommand: r.build_command,
    runCommand: r.run_command,
    updatedAt: r.updated_at,
    updatedByOrg: r.updated_by_org,
  };
}

// ---- validation state ----

export interface ValidationRow {
  vulnId: string;
  targetId: string | null;
  state: ValidationState;
  crashSignature: string | null;
  fixCommit: string | null;
  fixStatus: string | null;
  rootCauseId: string | null;
  mergedInto: string | null;
}

export async function findValidation(db: Db, vulnId: string, opts: { lock?: boolean } = {}): Promise<ValidationRow | null> {
  let q = db
    .selectFrom('vulnerabilities')
    .select(['id', 'target_id', 'validation_state', 'validation_method', 'validation_confidence', 'rejection_reason', 'crash_signature', 'fix_commit', 'fix_status', 'root_cause_id', 'merged_into'])
    .where('id', '=', vulnId);
  if (opts.lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) return null;
  return {
    vulnId: r.id,
    targetId: r.target_id,
    state: stateFromColumns(r),
    crashSignature: r.crash_signature,
    fixCommit: r.fix_commit,
    fixStatus: r.fix_status,
    rootCauseId: r.root_cause_id,
    mergedInto: r.merged_into,
  };
}

export interface ValidationEvent {
  id: string;
  vulnId: string;
  from: ValidationState;
  to: ValidationState;
  evidence: Record<string, unknown>;
  actorOrg: string | null;
  at: Date;
}

/** Sets the state and records the transition with its evidence. */
export async function setValidation(trx: Db, e: ValidationEvent): Promise<void> {
  await trx.updateTable('vulnerabilities').set(stateToColumns(e.to)).where('id', '=', e.vulnId).execute();
  await trx
    .insertInto('validation_events')
    .values({
      id: e.id,
      vuln_id: e.vulnId,
      from_state: e.from.state,
      to_state: e.to.state,
      method: e.to.state === 'validated' ? e.to.method : null,
      rejection_reason: e.to.state === 'rejected' ? e.to.reason : null,
      confidence: e.to.state === 'validated' ? e.to.confidence : null,
      evidence: JSON.stringify(e.evidence),
      actor_org: e.actorOrg,
      at: e.at,
    })
    .execute();
}

export async function validationEvents(db: Db, vulnId: string): Promise<ValidationEvent[]> {
  const rows = await db.selectFrom('validation_events').selectAll().where('vuln_id', '=', vulnId).orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    vulnId: r.vuln_id,
    from: { state: r.from_state } as ValidationState,
    to: stateFromColumns({ validation_state: r.to_state, validation_method: r.method, validation_confidence: r.confidence, rejection_reason: r.rejection_reason }),
    evidence: r.evidence as Record<string, unknown>,
    actorOrg: r.actor_org,
    at: r.at,
  }));
}

export async function setCrashSignature(trx: Db, vulnId: string, key: string): Promise<void> {
  await trx.updateTable('vulnerabilities').set({ crash_signature: key }).where('id', '=', vulnId).where('crash_signature', 'is', null).execute();
}

/** The oldest other live record of the target whose reproduction gave the same crash signature. */
export async function recordWithSignature(trx: Db, targetId: string, key: string, exceptVulnId: string): Promise<{ id: string; displayId: string } | null> {
  const r = await trx
    .selectFrom('vulnerabilities')
    .select(['id', 'display_id'])
    .where('target_id', '=', targetId)
    .where('crash_signature', '=', key)
    .where('merged_into', 'is', null)
    .where('id', '<>', exceptVulnId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return r ? { id: r.id, displayId: r.display_id } : null;
}

export async function setFix(trx: Db, vulnId: string, fix: { commit: string; status: 'pending' | 'fix-verified' | 'fix-failed' | 'error'; rootCauseId?: string | null }): Promise<void> {
  await trx
    .updateTable('vulnerabilities')
    .set({ fix_commit: fix.commit, fix_status: fix.status, ...(fix.rootCauseId !== undefined ? { root_cause_id: fix.rootCauseId } : {}) })
    .where('id', '=', vulnId)
    .execute();
}

/** Records of a root-cause group: the group's id is its first record's. */
export async function rootCauseMembers(db: Db, rootId: string): Promise<Array<{ id: string; displayId: string }>> {
  const rows = await db
    .selectFrom('vulnerabilities')
    .select(['id', 'display_id'])
    .where((eb) => eb.or([eb('root_cause_id', '=', rootId), eb('id', '=', rootId)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, displayId: r.display_id }));
}

/**
 * Corroboration: of the given records, those still unvalidated that now have findings from at least
 * `minOrgs` organizations, with how many. One grouped read over the findings-by-record index.
 */
export async function corroboratedRecords(trx: Db, vulnIds: string[], minOrgs: number): Promise<Array<{ vulnId: string; orgs: number; state: ValidationState }>> {
  if (vulnIds.length === 0) return [];
  const { rows } = await sql<{ id: string; orgs: number; validation_state: string; validation_method: string | null; validation_confidence: number | null; rejection_reason: string | null }>`
    SELECT v.id, c.orgs, v.validation_state, v.validation_method, v.validation_confidence, v.rejection_reason
    FROM (
      SELECT vuln_id, count(DISTINCT org_id)::int AS orgs FROM findings
      WHERE vuln_id = ANY(${vulnIds}::uuid[]) GROUP BY vuln_id HAVING count(DISTINCT org_id) >= ${minOrgs}
    ) c JOIN vulnerabilities v ON v.id = c.vuln_id
    WHERE v.validation_state = 'unvalidated' OR (v.validation_state = 'validated' AND v.validation_method = 'corroboration')
    ORDER BY v.id
  `.execute(trx);
  return rows.map((r) => ({ vulnId: r.id, orgs: r.orgs, state: stateFromColumns(r) }));
}

// ---- reproductions ----

export type ReproductionStatus = ReproductionsTable['status'];

export interface Reproduction {
  id: string;
  vulnId: string;
  findingId: string;
  reporterOrg: string;
  kind: 'reproduction' | 'fix-verification';
  status: ReproductionStatus;
  verdict: string | null;
  commit: string | null;
  pocSha256: string;
  signature: unknown;
  signatureKey: string | null;
  runs: unknown[];
  attestation: unknown;
  jobId: string | null;
  requestedByOrg: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

function toReproduction(r: Selectable<ReproductionsTable>): Reproduction {
  return {
    id: r.id,
    vulnId: r.vuln_id,
    findingId: r.finding_id,
    reporterOrg: r.reporter_org,
    kind: r.kind,
    status: r.status,
    verdict: r.verdict,
    commit: r.commit,
    pocSha256: r.poc_sha256,
    signature: r.signature,
    signatureKey: r.signature_key,
    runs: (r.runs as unknown[]) ?? [],
    attestation: r.attestation,
    jobId: r.job_id,
    requestedByOrg: r.requested_by_org,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export async function insertReproduction(
  trx: Db,
  r: { id: string; vulnId: string; findingId: string; reporterOrg: string; kind: Reproduction['kind']; commit: string | null; pocSha256: string; jobId: string; requestedByOrg: string | null; at: Date },
): Promise<void> {
  await trx
    .insertInto('reproductions')
    .values({
      id: r.id,
      vuln_id: r.vulnId,
      finding_id: r.findingId,
      reporter_org: r.reporterOrg,
      kind: r.kind,
      status: 'queued',
      commit: r.commit,
      poc_sha256: r.pocSha256,
      job_id: r.jobId,
      requested_by_org: r.requestedByOrg,
      created_at: r.at,
    })
    .execute();
}

export async function finishReproduction(
  trx: Db,
  id: string,
  r: { status: ReproductionStatus; verdict: string; commit: string | null; signature: unknown; signatureKey: string | null; runs: unknown[]; attestation: unknown; at: Date },
): Promise<void> {
  await trx
    .updateTable('reproductions')
    .set({
      status: r.status,
      verdict: r.verdict,
      commit: r.commit,
      signature: r.signature === null ? null : JSON.stringify(r.signature),
      signature_key: r.signatureKey,
      runs: JSON.stringify(r.runs),
      attestation: r.attestation === null ? null : JSON.stringify(r.attestation),
      finished_at: r.at,
    })
    .where('id', '=', id)
    .execute();
}

export async function findReproduction(db: Db, id: string): Promise<Reproduction | null> {
  const r = await db.selectFrom('reproductions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toReproduction(r) : null;
}

export async function reproductionsOf(db: Db, vulnId: string): Promise<Reproduction[]> {
  const rows = await db.selectFrom('reproductions').selectAll().where('vuln_id', '=', vulnId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toReproduction);
}

/** A reproduction of this proof of concept still waiting or done with a crash, so it is not queued twice. */
export async function openReproduction(db: Db, findingId: string): Promise<Reproduction | null> {
  const r = await db
    .selectFrom('reproductions')
    .selectAll()
    .where('finding_id', '=', findingId)
    .where('kind', '=', 'reproduction')
    .where('status', 'in', ['queued', 'reproduced'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? toReproduction(r) : null;
}

/** Records of a target with a reproduced proof of concept and no verified fix: candidates a fix commit may also fix. */
export async function reproducedUnfixed(db: Db, targetId: string): Promise<Array<{ vulnId: string; reproduction: Reproduction }>> {
  const rows = await db
    .selectFrom('reproductions as r')
    .innerJoin('vulnerabilities as v', 'v.id', 'r.vuln_id')
    .selectAll('r')
    .where('v.target_id', '=', targetId)
    .where('v.merged_into', 'is', null)
    .where((eb) => eb.or([eb('v.fix_status', 'is', null), eb('v.fix_status', '<>', 'fix-verified')]))
    .where('r.kind', '=', 'reproduction')
    .where('r.status', '=', 'reproduced')
    .orderBy('r.created_at')
    .execute();
  const seen = new Set<string>();
  const out: Array<{ vulnId: string; reproduction: Reproduction }> = [];
  for (const r of rows) {
    if (seen.has(r.vuln_id)) continue;
    seen.add(r.vuln_id);
    out.push({ vulnId: r.vuln_id, reproduction: toReproduction(r) });
  }
  return out;
}

// ---- reporter quality ----

export interface ReporterQuality {
  orgId: string;
  orgName: string;
  findings: number;
  duplicates: number;
  reproductionsTried: number;
  reproduced: number;
  notReproduced: number;
}

/** Per reporting organization: findings and how many were duplicates; reproductions tried and their outcomes. */
export async function reporterQuality(db: Db): Promise<ReporterQuality[]> {
  const { rows } = await sql<{ org_id: string; name: string; findings: number; duplicates: number; tried: number; reproduced: number; not_reproduced: number }>`
    WITH f AS (
      SELECT org_id, count(*)::int AS findings, count(*) FILTER (WHERE link_reason <> 'new')::int AS duplicates
      FROM findings GROUP BY org_id
    ), r AS (
      SELECT reporter_org AS org_id,
        count(*) FILTER (WHERE status IN ('reproduced', 'not-reproduced'))::int AS tried,
        count(*) FILTER (WHERE status = 'reproduced')::int AS reproduced,
        count(*) FILTER (WHERE status = 'not-reproduced')::int AS not_reproduced
      FROM reproductions WHERE kind = 'reproduction' GROUP BY reporter_org
    )
    SELECT o.id AS org_id, o.name, coalesce(f.findings, 0) AS findings, coalesce(f.duplicates, 0) AS duplicates,
      coalesce(r.tried, 0) AS tried, coalesce(r.reproduced, 0) AS reproduced, coalesce(r.not_reproduced, 0) AS not_reproduced
    FROM orgs o LEFT JOIN f ON f.org_id = o.id LEFT JOIN r ON r.org_id = o.id
    WHERE f.org_id IS NOT NULL OR r.org_id IS NOT NULL
    ORDER BY o.name, o.id
  `.execute(db);
  return rows.map((r) => ({
    orgId: r.org_id,
    orgName: r.name,
    findings: r.findings,
    duplicates: r.duplicates,
    reproductionsTried: r.tried,
    reproduced: r.reproduced,
    notReproduced: r.not_reproduced,
  }));
}

// ---- policy ----

export async function readPolicy(db: Db): Promise<Record<string, unknown>> {
  const rows = await db.selectFrom('policy').select(['key', 'value']).execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function writePolicy(trx: Db, values: Record<string, unknown>, orgId: string, at: Date): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await trx
      .insertInto('policy')
      .values({ key, value: JSON.stringify(value), updated_at: at, updated_by_org: orgId })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: at, updated_by_org: orgId }))
      .execute();
  }
}
