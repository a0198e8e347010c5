// Frontier-model review (migration 0011): models, results, criteria, determinations, reviews, grants, findings.
import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface ModelRow {
  id: string;
  developerOrg: string;
  name: string;
  version: string;
  plannedReleaseAt: Date;
  trainingFlop: number | null;
  modalities: string[];
  modelCard: string | null;
  createdAt: Date;
}

type ModelDbRow = { id: string; developer_org: string; name: string; version: string; planned_release_at: Date; training_flop: number | null; modalities: string[]; model_card: string | null; created_at: Date };
const toModel = (r: ModelDbRow): ModelRow => ({
  id: r.id,
  developerOrg: r.developer_org,
  name: r.name,
  version: r.version,
  plannedReleaseAt: r.planned_release_at,
  trainingFlop: r.training_flop === null ? null : Number(r.training_flop),
  modalities: r.modalities,
  modelCard: r.model_card,
  createdAt: r.created_at,
});

export async function insertModel(trx: Db, m: ModelRow): Promise<void> {
  await sql`
    INSERT INTO models (id, developer_org, name, version, planned_release_at, training_flop, modalities, model_card, created_at)
    VALUES (${m.id}::uuid, ${m.developerOrg}::uuid, ${m.name}, ${m.version}, ${m.plannedReleaseAt}, ${m.trainingFlop}, ${m.modalities}::text[], ${m.modelCard}, ${m.createdAt})`.execute(trx);
}

export async function findModel(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<ModelRow | null> {
  const { rows } = await sql<ModelDbRow>`SELECT * FROM models WHERE id = ${id}::uuid${opts.lock ? sql` FOR UPDATE` : sql``}`.execute(db);
  return rows[0] ? toModel(rows[0]) : null;
}

export async function findModelByName(db: Db, developerOrg: string, name: string, version: string): Promise<ModelRow | null> {
  const { rows } = await sql<ModelDbRow>`SELECT * FROM models WHERE developer_org = ${developerOrg}::uuid AND name = ${name} AND version = ${version}`.execute(db);
  return rows[0] ? toModel(rows[0]) : null;
}

/** Models a caller may see: a developer its own; a partner those with a review it holds a grant on; all otherwise. */
export async function listModels(db: Db, filter: { developerOrg?: string; partnerOrg?: string; limit: number; offset: number }): Promise<ModelRow[]> {
  const conds = [sql`true`];
  if (filter.developerOrg) conds.push(sql`developer_org = ${filter.developerOrg}::uuid`);
  if (filter.partnerOrg) conds.push(sql`id IN (SELECT r.model_id FROM model_reviews r JOIN review_grants g ON g.review_id = r.id WHERE g.partner_org = ${filter.partnerOrg}::uuid)`);
  const { rows } = await sql<ModelDbRow>`SELECT * FROM models WHERE ${sql.join(conds, sql` AND `)} ORDER BY created_at DESC, id LIMIT ${filter.limit} OFFSET ${filter.offset}`.execute(db);
  return rows.map(toModel);
}

export async function setPlannedRelease(trx: Db, id: string, at: Date): Promise<void> {
  await sql`UPDATE models SET planned_release_at = ${at} WHERE id = ${id}::uuid`.execute(trx);
}

export interface ResultRow {
  id: string;
  modelId: string;
  benchmark: string;
  benchmarkVersion: string | null;
  metric: string | null;
  score: number;
  evaluatedAt: Date;
  source: string;
  logSha256: string | null;
  task: string | null;
  scorer: string | null;
  createdAt: Date;
}

export async function insertResults(trx: Db, rows: ResultRow[]): Promise<void> {
  for (const r of rows) {
    await sql`
      INSERT INTO model_results (id, model_id, benchmark, benchmark_version, metric, score, evaluated_at, source, log_sha256, task, scorer, created_at)
      VALUES (${r.id}::uuid, ${r.modelId}::uuid, ${r.benchmark}, ${r.benchmarkVersion}, ${r.metric}, ${r.score}, ${r.evaluatedAt}, ${r.source}, ${r.logSha256}, ${r.task}, ${r.scorer}, ${r.createdAt})`.execute(trx);
  }
}

export async function results(db: Db, modelId: string): Promise<ResultRow[]> {
  const { rows } = await sql<{ id: string; model_id: string; benchmark: string; benchmark_version: string | null; metric: string | null; score: number; evaluated_at: Date; source: string; log_sha256: string | null; task: string | null; scorer: string | null; created_at: Date }>`
    SELECT * FROM model_results WHERE model_id = ${modelId}::uuid ORDER BY evaluated_at, created_at, id`.execute(db);
  return rows.map((r) => ({ id: r.id, modelId: r.model_id, benchmark: r.benchmark, benchmarkVersion: r.benchmark_version, metric: r.metric, score: Number(r.score), evaluatedAt: r.evaluated_at, source: r.source, logSha256: r.log_sha256, task: r.task, scorer: r.scorer, createdAt: r.created_at }));
}

export async function resultWithLog(db: Db, modelId: string, sha256: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM model_results WHERE model_id = ${modelId}::uuid AND log_sha256 = ${sha256} LIMIT 1`.execute(db);
  return rows.length > 0;
}

// ---- criteria and determinations ----

export async function insertCriteria(trx: Db, c: { version: string; document: unknown; publishedAt: Date; publishedByOrg: string | null }): Promise<boolean> {
  const r = await sql`
    INSERT INTO coverage_criteria (version, document, published_at, published_by_org) VALUES (${c.version}, ${JSON.stringify(c.document)}::jsonb, ${c.publishedAt}, ${c.publishedByOrg})
    ON CONFLICT (version) DO NOTHING`.execute(trx);
  return Number(r.numAffectedRows ?? 0n) === 1;
}

export async function latestCriteria(db: Db): Promise<{ version: string; document: unknown; publishedAt: Date } | null> {
  const { rows } = await sql<{ version: string; document: unknown; published_at: Date }>`
    SELECT version, document, published_at FROM coverage_criteria ORDER BY seq DESC LIMIT 1`.execute(db);
  return rows[0] ? { version: rows[0].version, document: rows[0].document, publishedAt: rows[0].published_at } : null;
}

export async function findCriteria(db: Db, version: string): Promise<{ version: string; document: unknown; publishedAt: Date } | null> {
  const { rows } = await sql<{ version: string; document: unknown; published_at: Date }>`SELECT version, document, published_at FROM coverage_criteria WHERE version = ${version}`.execute(db);
  return rows[0] ? { version: rows[0].version, document: rows[0].document, publishedAt: rows[0].published_at } : null;
}

export interface DeterminationRow {
  id: string;
  modelId: string;
  criteriaVersion: string;
  covered: boolean;
  tier: string | null;
  rule: string;
  detail: unknown;
  evaluatedAt: Date;
}

export async function insertDetermination(trx: Db, d: DeterminationRow): Promise<void> {
  await sql`
    INSERT INTO model_determinations (id, model_id, criteria_version, covered, tier, rule, detail, evaluated_at)
    VALUES (${d.id}::uuid, ${d.modelId}::uuid, ${d.criteriaVersion}, ${d.covered}, ${d.tier}, ${d.rule}, ${JSON.stringify(d.detail)}::jsonb, ${d.evaluatedAt})`.execute(trx);
}

export async function determinations(db: Db, modelId: string): Promise<DeterminationRow[]> {
  const { rows } = await sql<{ id: string; model_id: string; criteria_version: string; covered: boolean; tier: string | null; rule: string; detail: unknown; evaluated_at: Date }>`
    SELECT * FROM model_determinations WHERE model_id = ${modelId}::uuid ORDER BY seq`.execute(db);
  return rows.map((r) => ({ id: r.id, modelId: r.model_id, criteriaVersion: r.criteria_version, covered: r.covered, tier: r.tier, rule: r.rule, detail: r.detail, evaluatedAt: r.evaluated_at }));
}

// ---- reviews, grants, findings ----

export interface ReviewRow {
  id: string;
  modelId: string;
  developerOrg: string;
  submittedAt: Date;
  windowEndsAt: Date;
  withdrawnAt: Date | null;
}

type ReviewDbRow = { id: string; model_id: string; developer_org: string; submitted_at: Date; window_ends_at: Date; withdrawn_at: Date | null };
const toReview = (r: ReviewDbRow): ReviewRow => ({ id: r.id, modelId: r.model_id, developerOrg: r.developer_org, submittedAt: r.submitted_at, windowEndsAt: r.window_ends_at, withdrawnAt: r.withdrawn_at });

export async function insertReview(trx: Db, r: ReviewRow): Promise<void> {
  await sql`
    INSERT INTO model_reviews (id, model_id, developer_org, submitted_at, window_ends_at, withdrawn_at)
    VALUES (${r.id}::uuid, ${r.modelId}::uuid, ${r.developerOrg}::uuid, ${r.submittedAt}, ${r.windowEndsAt}, ${r.withdrawnAt})`.execute(trx);
}

export async function findReview(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<ReviewRow | null> {
  const { rows } = await sql<ReviewDbRow>`SELECT * FROM model_reviews WHERE id = ${id}::uuid${opts.lock ? sql` FOR UPDATE` : sql``}`.execute(db);
  return rows[0] ? toReview(rows[0]) : null;
}

export async function reviewsOf(db: Db, modelId: string): Promise<ReviewRow[]> {
  const { rows } = await sql<ReviewDbRow>`SELECT * FROM model_reviews WHERE model_id = ${modelId}::uuid ORDER BY submitted_at, id`.execute(db);
  return rows.map(toReview);
}

export async function updateReview(trx: Db, id: string, patch: { windowEndsAt?: Date; withdrawnAt?: Date }): Promise<void> {
  if (patch.windowEndsAt) await sql`UPDATE model_reviews SET window_ends_at = ${patch.windowEndsAt} WHERE id = ${id}::uuid`.execute(trx);
  if (patch.withdrawnAt) await sql`UPDATE model_reviews SET withdrawn_at = ${patch.withdrawnAt} WHERE id = ${id}::uuid`.execute(trx);
}

export interface GrantRow {
  id: string;
  reviewId: string;
  partnerOrg: string;
  scopes: string[];
  grantedByOrg: string;
  grantedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  dataKey: string;
  instructionsSealed: string;
}

type GrantDbRow = { id: string; review_id: string; partner_org: string; scopes: string[]; granted_by_org: string; granted_at: Date; expires_at: Date; revoked_at: Date | null; data_key: string; instructions_sealed: string };
const toGrant = (r: GrantDbRow): GrantRow => ({
  id: r.id,
  reviewId: r.review_id,
  partnerOrg: r.partner_org,
  scopes: r.scopes,
  grantedByOrg: r.granted_by_org,
  grantedAt: r.granted_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  dataKey: r.data_key,
  instructionsSealed: r.instructions_sealed,
});

export async function insertGrant(trx: Db, g: GrantRow): Promise<void> {
  await sql`
    INSERT INTO review_grants (id, review_id, partner_org, scopes, granted_by_org, granted_at, expires_at, revoked_at, data_key, instructions_sealed)
    VALUES (${g.id}::uuid, ${g.reviewId}::uuid, ${g.partnerOrg}::uuid, ${g.scopes}::text[], ${g.grantedByOrg}::uuid, ${g.grantedAt}, ${g.expiresAt}, ${g.revokedAt}, ${g.dataKey}, ${g.instructionsSealed})`.execute(trx);
}

export async function grantsOf(db: Db, reviewId: string): Promise<GrantRow[]> {
  const { rows } = await sql<GrantDbRow>`SELECT * FROM review_grants WHERE review_id = ${reviewId}::uuid ORDER BY granted_at, id`.execute(db);
  return rows.map(toGrant);
}

export async function findGrant(db: Db, id: string): Promise<GrantRow | null> {
  const { rows } = await sql<GrantDbRow>`SELECT * FROM review_grants WHERE id = ${id}::uuid`.execute(db);
  return rows[0] ? toGrant(rows[0]) : null;
}

export async function revokeGrant(trx: Db, id: string, at: Date): Promise<void> {
  await sql`UPDATE review_grants SET revoked_at = ${at} WHERE id = ${id}::uuid AND revoked_at IS NULL`.execute(trx);
}

export interface FindingRow {
  id: string;
  reviewId: string;
  partnerOrg: string;
  kind: 'cyber-capability' | 'ai-system-vulnerability' | 'safeguard-gap';
  severity: string;
  title: string;
  dataKey: string;
  bodySealed: string;
  vulnId: string | null;
  createdAt: Date;
}

export async function insertFinding(trx: Db, f: FindingRow): Promise<void> {
  await sql`
    INSERT INTO review_findings (id, review_id, partner_org, kind, severity, title, data_key, body_sealed, vuln_id, created_at)
    VALUES (${f.id}::uuid, ${f.reviewId}::uuid, ${f.partnerOrg}::uuid, ${f.kind}, ${f.severity}, ${f.title}, ${f.dataKey}, ${f.bodySealed}, ${f.vulnId}, ${f.createdAt})`.execute(trx);
}

export async function findingsOf(db: Db, reviewId: string): Promise<FindingRow[]> {
  const { rows } = await sql<{ id: string; review_id: string; partner_org: string; kind: FindingRow['kind']; severity: string; title: string; data_key: string; body_sealed: string; vuln_id: string | null; created_at: Date }>`
    SELECT * FROM review_findings WHERE review_id = ${reviewId}::uuid ORDER BY seq`.execute(db);
  return rows.map((r) => ({ id: r.id, reviewId: r.review_id, partnerOrg: r.partner_org, kind: r.kind, severity: r.severity, title: r.title, dataKey: r.data_key, bodySealed: r.body_sealed, vulnId: r.vuln_id, createdAt: r.created_at }));
}

export async function vulnOfDocument(db: Db, documentId: string): Promise<string | null> {
  const { rows } = await sql<{ vuln_id: string }>`SELECT vuln_id FROM findings WHERE document_id = ${documentId}::uuid LIMIT 1`.execute(db);
  return rows[0]?.vuln_id ?? null;
}
