// Findings, their lookup keys and the vulnerability records they are linked to. Batch writes go
// through unnest() so a batch of thousands is a handful of statements with a fixed parameter count.
import { sql, type Kysely } from 'kysely';
import type { ValidationState } from '../core/validation/states.js';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

const dedupLockKey = 0x43484444; // "CHDD"

/** Deduplication decides against everything committed before it: one batch at a time, database-wide. */
export async function lockDedup(trx: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${dedupLockKey})`.execute(trx);
}

export async function existingPointers(trx: Db, documentId: string, pointers: string[]): Promise<Set<string>> {
  if (pointers.length === 0) return new Set();
  const { rows } = await sql<{ pointer: string }>`
    SELECT pointer FROM findings WHERE document_id = ${documentId} AND pointer = ANY(${pointers}::text[])
  `.execute(trx);
  return new Set(rows.map((r) => r.pointer));
}

export interface CandidateRow {
  findingId: string;
  vulnId: string;
  features: unknown;
}

/** Keys that name one vulnerability (aliases, tool fingerprints, exact keys): never capped. */
function isIdentityKey(key: string): boolean {
  return key.startsWith('alias:') || key.startsWith('tfp:') || key.startsWith('x:');
}

/**
 * Stored findings indexed under any of `keys`, each once, oldest first. Identity keys return every
 * finding; busy similarity keys (a package, a file, an LSH band) at most `perBusyKey`, the oldest, so one
 * popular package cannot make a batch read the whole table. Keys are stored as their MD5 (a uuid): a
 * third of the size of the text, so the key index stays in memory longer as it grows; the features of
 * every candidate are compared afterwards, so a collision could only add a candidate, never a link.
 */
export async function candidatesByKeys(trx: Db, keys: string[], perBusyKey: number): Promise<CandidateRow[]> {
  if (keys.length === 0) return [];
  const identity = keys.filter(isIdentityKey);
  const busy = keys.filter((k) => !isIdentityKey(k));
  const { rows } = await sql<{ finding_id: string; vuln_id: string; features: unknown }>`
    SELECT f.id AS finding_id, f.vuln_id, f.features
    FROM findings f
    WHERE f.id IN (
      SELECT finding_id FROM finding_keys
      WHERE key_hash = ANY(ARRAY(SELECT md5(x)::uuid FROM unnest(${identity}::text[]) x))
      UNION
      SELECT finding_id FROM (
        SELECT k.finding_id, row_number() OVER (PARTITION BY k.key_hash ORDER BY f2.seq) AS rn
        FROM finding_keys k JOIN findings f2 ON f2.id = k.finding_id
        WHERE k.key_hash = ANY(ARRAY(SELECT md5(x)::uuid FROM unnest(${busy}::text[]) x))
      ) ranked
      WHERE rn <= ${perBusyKey}
    )
    ORDER BY f.seq
  `.execute(trx);
  return rows.map((r) => ({ findingId: r.finding_id, vulnId: r.vuln_id, features: r.features }));
}

export async function nextVulnNumbers(trx: Db, n: number): Promise<number[]> {
  if (n === 0) return [];
  const { rows } = await sql<{ n: number }>`SELECT nextval('vuln_number_seq')::int AS n FROM generate_series(1, ${n})`.execute(trx);
  return rows.map((r) => r.n);
}

export interface NewVuln {
  id: string;
  displayId: string;
  kind: 'code' | 'advisory';
  title: string;
  targetId: string | null;
  severity: string | null;
  cwes: number[];
  createdAt: Date;
}

export async function insertVulns(trx: Db, vulns: NewVuln[]): Promise<void> {
  if (vulns.length === 0) return;
  await sql`
    INSERT INTO vulnerabilities (id, display_id, kind, title, target_id, severity, cwes, created_at)
    SELECT r.id, r.display_id, r.kind, r.title, r.target_id, r.severity, ARRAY(SELECT json_array_elements_text(r.cwes)::int), r.created_at
    FROM json_to_recordset(${JSON.stringify(
      vulns.map((v) => ({ id: v.id, display_id: v.displayId, kind: v.kind, title: v.title, target_id: v.targetId, severity: v.severity, cwes: v.cwes, created_at: v.createdAt })),
    )}::json)
      AS r(id uuid, display_id text, kind text, title text, target_id uuid, severity text, cwes json, created_at timestamptz)
  `.execute(trx);
}

export interface NewFinding {
  id: string;
  documentId: string;
  orgId: string;
  scanRunId: string | null;
  pointer: string;
  kind: 'code' | 'advisory';
  source: 'sarif' | 'osv' | 'native';
  title: string;
  severity: string | null;
  cwes: number[];
  targetId: string | null;
  data: unknown;
  features: unknown;
  vulnId: string;
  reason: string;
  score: number;
  submittedAt: Date;
  keys: string[];
}

/**
 * Rows travel as one JSON document expanded by json_to_recordset: a single parameter however many rows,
 * far cheaper to encode than PostgreSQL array literals of large JSON values, and (json, not jsonb) parsed
 * once on the way in rather than converted to jsonb and back.
 */
export async function insertFindings(trx: Db, findings: NewFinding[]): Promise<void> {
  if (findings.length === 0) return;
  const rows = findings.map((f) => ({
    id: f.id,
    document_id: f.documentId,
    org_id: f.orgId,
    scan_run_id: f.scanRunId,
    pointer: f.pointer,
    kind: f.kind,
    source: f.source,
    title: f.title,
    severity: f.severity,
    cwes: f.cwes,
    target_id: f.targetId,
    data: f.data,
    features: f.features,
    vuln_id: f.vulnId,
    link_reason: f.reason,
    link_score: f.score,
    submitted_at: f.submittedAt,
  }));
  await sql`
    INSERT INTO findings (id, document_id, org_id, scan_run_id, pointer, kind, source, title, severity, cwes, target_id, data, features,
      vuln_id, link_reason, link_score, submitted_at)
    SELECT r.id, r.document_id, r.org_id, r.scan_run_id, r.pointer, r.kind, r.source, r.title, r.severity,
      ARRAY(SELECT json_array_elements_text(r.cwes)::int), r.target_id, r.data, r.features,
      r.vuln_id, r.link_reason, r.link_score, r.submitted_at
    FROM json_to_recordset(${JSON.stringify(rows)}::json)
      AS r(id uuid, document_id uuid, org_id uuid, scan_run_id uuid, pointer text, kind text, source text, title text, severity text,
        cwes json, target_id uuid, data json, features json, vuln_id uuid, link_reason text, link_score real, submitted_at timestamptz)
  `.execute(trx);
  const keyRows = findings.flatMap((f) => [...new Set(f.keys)].map((k) => [k, f.id]));
  if (keyRows.length) {
    await sql`
      INSERT INTO finding_keys (key_hash, finding_id)
      SELECT md5(k->>0)::uuid, (k->>1)::uuid FROM json_array_elements(${JSON.stringify(keyRows)}::json) k
    `.execute(trx);
  }
}

// ---- reads ----

export interface FindingRow {
  id: string;
  documentId: string;
  orgId: string;
  scanRunId: string | null;
  pointer: string;
  kind: string;
  source: string;
  title: string;
  severity: string | null;
  cwes: number[];
  targetId: string | null;
  data: unknown;
  vulnId: string;
  vulnDisplayId: string;
  reason: string;
  score: number;
  submittedAt: Date;
  /** The organization credited for the record: the one with the earliest submission. */
  creditedOrgId: string;
}

const findingSelect = sql`
  f.id, f.document_id, f.org_id, f.scan_run_id, f.pointer, f.kind, f.source, f.title, f.severity, f.cwes, f.target_id, f.data,
  f.vuln_id, v.display_id, f.link_reason, f.link_score, f.submitted_at,
  (SELECT f2.org_id FROM findings f2 WHERE f2.vuln_id = f.vuln_id ORDER BY f2.submitted_at, f2.seq LIMIT 1) AS credited_org
`;

function toFindingRow(r: Record<string, any>): FindingRow {
  return {
    id: r.id,
    documentId: r.document_id,
    orgId: r.org_id,
    scanRunId: r.scan_run_id,
    pointer: r.pointer,
    kind: r.kind,
    source: r.source,
    title: r.title,
    severity: r.severity,
    cwes: r.cwes,
    targetId: r.target_id,
    data: r.data,
    vulnId: r.vuln_id,
    vulnDisplayId: r.display_id,
    reason: r.link_reason,
    score: r.link_score,
    submittedAt: r.submitted_at,
    creditedOrgId: r.credited_org,
  };
}

export async function listFindings(
  db: Db,
  filter: { orgId?: string; documentId?: string; vulnId?: string; limit: number; offset: number },
): Promise<FindingRow[]> {
  const conds = [sql`true`];
  if (filter.orgId) conds.push(sql`f.org_id = ${filter.orgId}`);
  if (filter.documentId) conds.push(sql`f.document_id = ${filter.documentId}`);
  if (filter.vulnId) conds.push(sql`f.vuln_id = ${filter.vulnId}`);
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${findingSelect} FROM findings f JOIN vulnerabilities v ON v.id = f.vuln_id
    WHERE ${sql.join(conds, sql` AND `)}
    ORDER BY f.submitted_at, f.seq
    LIMIT ${filter.limit} OFFSET ${filter.offset}
  `.execute(db);
  return rows.map(toFindingRow);
}

export async function findFinding(db: Db, id: string): Promise<FindingRow | null> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${findingSelect} FROM findings f JOIN vulnerabilities v ON v.id = f.vuln_id WHERE f.id = ${id}
  `.execute(db);
  return rows[0] ? toFindingRow(rows[0]) : null;
}

export interface VulnRow {
  id: string;
  displayId: string;
  kind: string;
  title: string;
  targetId: string | null;
  severity: string | null;
  cwes: number[];
  findingCount: number;
  createdAt: Date;
  mergedInto: string | null;
  validationState: ValidationState['state'];
}

// Counted on read (one index range per record) rather than kept in a column every batch must update.
const findingCount = sql<number>`(SELECT count(*)::int FROM findings f WHERE f.vuln_id = vulnerabilities.id)`.as('finding_count');

function toVulnRow(r: Record<string, any>): VulnRow {
  return {
    id: r.id,
    displayId: r.display_id,
    kind: r.kind,
    title: r.title,
    targetId: r.target_id,
    severity: r.severity,
    cwes: r.cwes,
    findingCount: r.finding_count,
    createdAt: r.created_at,
    mergedInto: r.merged_into,
    validationState: r.validation_state,
  };
}

/** By id or display id (CHV-2026-17). */
export async function findVuln(db: Db, idOrDisplay: string, opts: { lock?: boolean } = {}): Promise<VulnRow | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrDisplay);
  let q = db.selectFrom('vulnerabilities').selectAll().select(findingCount);
  q = isUuid ? q.where('id', '=', idOrDisplay) : q.where('display_id', '=', idOrDisplay.toUpperCase());
  if (opts.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toVulnRow(row) : null;
}

export async function listVulns(db: Db, filter: { limit: number; offset: number; targetId?: string; includeMerged?: boolean }): Promise<VulnRow[]> {
  let q = db.selectFrom('vulnerabilities').selectAll().select(findingCount);
  if (!filter.includeMerged) q = q.where('merged_into', 'is', null);
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  const rows = await q.orderBy('created_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toVulnRow);
}

export async function orgHasFindingIn(db: Db, orgId: string, vulnId: string): Promise<boolean> {
  const row = await db.selectFrom('findings').select('id').where('org_id', '=', orgId).where('vuln_id', '=', vulnId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Moves every finding of `from` into `into` and marks `from` merged. */
export async function mergeVulns(trx: Db, from: string, into: string): Promise<void> {
  await trx.updateTable('findings').set({ vuln_id: into, link_reason: 'coordinator-merge', link_score: 1 }).where('vuln_id', '=', from).execute();
  await trx.updateTable('vulnerabilities').set({ merged_into: into }).where('id', '=', from).execute();
}

/** Moves the given findings of `from` into the new record `into` (already inserted). Returns how many moved. */
export async function moveFindings(trx: Db, from: string, into: string, findingIds: string[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    WITH moved AS (
      UPDATE findings SET vuln_id = ${into}, link_reason = 'coordinator-split', link_score = 1
      WHERE vuln_id = ${from} AND id = ANY(${findingIds}::uuid[]) RETURNING 1)
    SELECT count(*)::int AS n FROM moved
  `.execute(trx);
  return rows[0]?.n ?? 0;
}

export interface VulnDecision {
  id: string;
  vulnId: string;
  action: 'merge' | 'split';
  otherVulnId: string;
  findingIds: string[];
  reason: string;
  /** Null when the clearinghouse merged on its own evidence (the same crash signature). */
  actorOrg: string | null;
  decidedAt: Date;
}

export async function insertDecision(trx: Db, d: VulnDecision): Promise<void> {
  await trx
    .insertInto('vuln_decisions')
    .values({
      id: d.id,
      vuln_id: d.vulnId,
      action: d.action,
      other_vuln_id: d.otherVulnId,
      finding_ids: d.findingIds,
      reason: d.reason,
      actor_org: d.actorOrg,
      decided_at: d.decidedAt,
    })
    .execute();
}

/** Decisions that touched a record, as source or as destination, oldest first. */
export async function decisionsOf(db: Db, vulnId: string): Promise<VulnDecision[]> {
  const rows = await db
    .selectFrom('vuln_decisions')
    .selectAll()
    .where((eb) => eb.or([eb('vuln_id', '=', vulnId), eb('other_vuln_id', '=', vulnId)]))
    .orderBy('decided_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    vulnId: r.vuln_id,
    action: r.action,
    otherVulnId: r.other_vuln_id,
    findingIds: r.finding_ids,
    reason: r.reason,
    actorOrg: r.actor_org,
    decidedAt: r.decided_at,
  }));
}
