// Disclosure cases (migration 0009): the case row, its vulnerabilities, participants, products with VEX
// statements, messages, timeline, equities decisions, the maintainers' notice queue and the CVE id pool.
import { sql, type Kysely } from 'kysely';
import type { CaseState, Tlp, VexStatus } from '../core/disclosure/case-state.js';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface CaseRow {
  id: string;
  displayId: string;
  title: string;
  state: CaseState;
  heldFrom: CaseState | null;
  tlp: Tlp;
  dataKey: string;
  detailSealed: string;
  priorityKey: string;
  exploited: boolean;
  wave: number;
  federalWaveAt: Date | null;
  openedByOrg: string;
  openedAt: Date;
  maintainerNotifiedAt: Date | null;
  fixAvailableAt: Date | null;
  fixedVersions: string[];
  fixCommit: string | null;
  publishAt: Date | null;
  detailAt: Date | null;
  remindAt: Date | null;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  deadlineRule: string | null;
  holdReviewAt: Date | null;
  publishedAt: Date | null;
  closedAt: Date | null;
  advisoryId: string | null;
  cveId: string | null;
}

const columns: Array<[keyof CaseRow, string]> = [
  ['id', 'id'], ['displayId', 'display_id'], ['title', 'title'], ['state', 'state'], ['heldFrom', 'held_from'], ['tlp', 'tlp'],
  ['dataKey', 'data_key'], ['detailSealed', 'detail_sealed'], ['priorityKey', 'priority_key'], ['exploited', 'exploited'], ['wave', 'wave'],
  ['federalWaveAt', 'federal_wave_at'], ['openedByOrg', 'opened_by_org'], ['openedAt', 'opened_at'], ['maintainerNotifiedAt', 'maintainer_notified_at'],
  ['fixAvailableAt', 'fix_available_at'], ['fixedVersions', 'fixed_versions'], ['fixCommit', 'fix_commit'], ['publishAt', 'publish_at'], ['detailAt', 'detail_at'],
  ['remindAt', 'remind_at'], ['remindedAt', 'reminded_at'], ['escalatedAt', 'escalated_at'], ['deadlineRule', 'deadline_rule'], ['holdReviewAt', 'hold_review_at'],
  ['publishedAt', 'published_at'], ['closedAt', 'closed_at'], ['advisoryId', 'advisory_id'], ['cveId', 'cve_id'],
];

function toCase(r: Record<string, unknown>): CaseRow {
  return Object.fromEntries(columns.map(([k, c]) => [k, r[c]])) as unknown as CaseRow;
}

export async function nextCaseNumber(trx: Db, year: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT coalesce(max(substring(display_id from '^CHC-[0-9]+-([0-9]+)$')::int), 0) + 1 AS n FROM cases WHERE display_id LIKE ${`CHC-${year}-%`}`.execute(trx);
  return rows[0]!.n;
}

export async function insertCase(trx: Db, c: CaseRow): Promise<void> {
  const cols = columns.map(([, c]) => c);
  const values = columns.map(([k]) => c[k]);
  await sql`INSERT INTO cases (${sql.raw(cols.join(', '))}) VALUES (${sql.join(values.map((v) => sql`${v}`))})`.execute(trx);
}

/** Updates the given fields of a case. */
export async function updateCase(trx: Db, id: string, patch: Partial<CaseRow>): Promise<void> {
  const sets = columns.filter(([k]) => k in patch && k !== 'id').map(([k, c]) => sql`${sql.raw(c)} = ${patch[k] as unknown}`);
  if (sets.length === 0) return;
  await sql`UPDATE cases SET ${sql.join(sets)} WHERE id = ${id}::uuid`.execute(trx);
}

export async function findCase(db: Db, idOrDisplay: string, opts: { lock?: boolean } = {}): Promise<CaseRow | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrDisplay);
  const where = isUuid ? sql`id = ${idOrDisplay}::uuid` : sql`display_id = ${idOrDisplay.toUpperCase()}`;
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM cases WHERE ${where}${opts.lock ? sql` FOR UPDATE` : sql``}`.execute(db);
  return rows[0] ? toCase(rows[0]) : null;
}

/** Cases visible to an organization: those where it is a participant already notified (or all). */
export async function listCases(db: Db, filter: { visibleTo?: string; state?: string; limit: number; offset: number }): Promise<CaseRow[]> {
  const conds = [sql`true`];
  if (filter.visibleTo) conds.push(sql`id IN (SELECT case_id FROM case_participants WHERE org_id = ${filter.visibleTo}::uuid AND notified_at IS NOT NULL)`);
  if (filter.state) conds.push(sql`state = ${filter.state}`);
  const { rows } = await sql<Record<string, unknown>>`
    SELECT * FROM cases WHERE ${sql.join(conds, sql` AND `)} ORDER BY opened_at DESC, id LIMIT ${filter.limit} OFFSET ${filter.offset}`.execute(db);
  return rows.map(toCase);
}

/** Cases not yet published or closed. */
export async function liveCases(db: Db): Promise<CaseRow[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM cases WHERE state NOT IN ('published', 'closed-unfixed') ORDER BY opened_at, id`.execute(db);
  return rows.map(toCase);
}

/** Live cases with something due by `now`: a deadline, a reminder, a hold review, a wave. */
export async function dueCases(db: Db, now: Date): Promise<CaseRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT * FROM cases
    WHERE state NOT IN ('published', 'closed-unfixed')
      AND ((publish_at IS NOT NULL AND publish_at <= ${now}) OR (remind_at IS NOT NULL AND remind_at <= ${now} AND reminded_at IS NULL)
        OR (hold_review_at IS NOT NULL AND hold_review_at <= ${now}) OR (wave = 2 AND federal_wave_at IS NOT NULL))
    ORDER BY publish_at NULLS LAST, id`.execute(db);
  return rows.map(toCase);
}

// ---- vulnerabilities ----

export async function findVulnForCase(db: Db, ref: string): Promise<{ id: string; displayId: string; targetId: string | null; mergedInto: string | null; validationState: string } | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const where = isUuid ? sql`id = ${ref}::uuid` : sql`display_id = ${ref.toUpperCase()}`;
  const { rows } = await sql<{ id: string; display_id: string; target_id: string | null; merged_into: string | null; validation_state: string }>`
    SELECT id, display_id, target_id, merged_into, validation_state FROM vulnerabilities WHERE ${where}`.execute(db);
  const r = rows[0];
  return r ? { id: r.id, displayId: r.display_id, targetId: r.target_id, mergedInto: r.merged_into, validationState: r.validation_state } : null;
}

export async function addCaseVulns(trx: Db, caseId: string, vulnIds: string[]): Promise<void> {
  await sql`INSERT INTO case_vulns (case_id, vuln_id) SELECT ${caseId}::uuid, v FROM unnest(${vulnIds}::uuid[]) AS v`.execute(trx);
}

export async function caseVulns(db: Db, caseId: string): Promise<Array<{ id: string; displayId: string; title: string; targetId: string | null; validationState: string; cwes: number[]; severity: string | null }>> {
  const { rows } = await sql<{ id: string; display_id: string; title: string; target_id: string | null; validation_state: string; cwes: number[]; severity: string | null }>`
    SELECT v.id, v.display_id, v.title, v.target_id, v.validation_state, v.cwes, v.severity FROM case_vulns cv JOIN vulnerabilities v ON v.id = cv.vuln_id
    WHERE cv.case_id = ${caseId}::uuid ORDER BY v.display_id`.execute(db);
  return rows.map((r) => ({ id: r.id, displayId: r.display_id, title: r.title, targetId: r.target_id, validationState: r.validation_state, cwes: r.cwes, severity: r.severity }));
}

export async function caseOfVuln(db: Db, vulnId: string): Promise<string | null> {
  const { rows } = await sql<{ case_id: string }>`SELECT case_id FROM case_vulns WHERE vuln_id = ${vulnId}::uuid`.execute(db);
  return rows[0]?.case_id ?? null;
}

/** What the findings of some records say: reporters, versions, descriptions, locations, proofs of concept, vectors. */
export async function findingsOf(db: Db, vulnIds: string[]): Promise<Array<{ vulnId: string; orgId: string; data: Record<string, unknown> }>> {
  const { rows } = await sql<{ vuln_id: string; org_id: string; data: Record<string, unknown> }>`
    SELECT vuln_id, org_id, data FROM findings WHERE vuln_id = ANY(${vulnIds}::uuid[]) ORDER BY seq`.execute(db);
  return rows.map((r) => ({ vulnId: r.vuln_id, orgId: r.org_id, data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data }));
}

// ---- participants ----

export interface Participant {
  orgId: string;
  orgName: string;
  role: 'maintainer' | 'operator' | 'reporter';
  wave: number;
  assetClass: string | null;
  assets: number;
  notifiedAt: Date | null;
}

export async function addParticipants(trx: Db, caseId: string, ps: Array<Omit<Participant, 'orgName'>>): Promise<void> {
  if (ps.length === 0) return;
  await sql`
    INSERT INTO case_participants (case_id, org_id, role, wave, asset_class, assets, notified_at)
    SELECT ${caseId}::uuid, r.org_id, r.role, r.wave, r.asset_class, r.assets, r.notified_at
    FROM json_to_recordset(${JSON.stringify(ps.map((p) => ({ org_id: p.orgId, role: p.role, wave: p.wave, asset_class: p.assetClass, assets: p.assets, notified_at: p.notifiedAt })))}::json)
      AS r(org_id uuid, role text, wave integer, asset_class text, assets integer, notified_at timestamptz)
    ON CONFLICT (case_id, org_id, role) DO UPDATE SET assets = excluded.assets, wave = excluded.wave, asset_class = excluded.asset_class
  `.execute(trx);
}

export async function participants(db: Db, caseId: string): Promise<Participant[]> {
  const { rows } = await sql<{ org_id: string; name: string; role: Participant['role']; wave: number; asset_class: string | null; assets: number; notified_at: Date | null }>`
    SELECT p.org_id, o.name, p.role, p.wave, p.asset_class, p.assets, p.notified_at FROM case_participants p JOIN orgs o ON o.id = p.org_id
    WHERE p.case_id = ${caseId}::uuid ORDER BY p.wave, o.name`.execute(db);
  return rows.map((r) => ({ orgId: r.org_id, orgName: r.name, role: r.role, wave: r.wave, assetClass: r.asset_class, assets: r.assets, notifiedAt: r.notified_at }));
}

/** Marks the participants of one wave notified; returns their organizations. */
export async function notifyWave(trx: Db, caseId: string, wave: number, at: Date, onlyOrgs?: string[]): Promise<string[]> {
  const { rows } = await sql<{ org_id: string }>`
    UPDATE case_participants SET notified_at = ${at}
    WHERE case_id = ${caseId}::uuid AND wave = ${wave} AND notified_at IS NULL${onlyOrgs ? sql` AND org_id = ANY(${onlyOrgs}::uuid[])` : sql``}
    RETURNING org_id`.execute(trx);
  return [...new Set(rows.map((r) => r.org_id))];
}

export async function isNotifiedParticipant(db: Db, caseId: string, orgId: string): Promise<{ roles: string[] }> {
  const { rows } = await sql<{ role: string }>`
    SELECT role FROM case_participants WHERE case_id = ${caseId}::uuid AND org_id = ${orgId}::uuid AND notified_at IS NOT NULL`.execute(db);
  return { roles: rows.map((r) => r.role) };
}

// ---- products and VEX statements ----

export interface CaseProduct {
  purlKey: string;
  name: string;
  maintainerOrg: string | null;
  affectedVersions: string[];
  status: VexStatus;
  justification: string | null;
  impactStatement: string | null;
  statusByOrg: string | null;
  statusAt: Date;
}

export async function upsertProducts(trx: Db, caseId: string, products: CaseProduct[]): Promise<void> {
  for (const p of products) {
    await sql`
      INSERT INTO case_products (case_id, purl_key, name, maintainer_org, affected_versions, status, justification, impact_statement, status_by_org, status_at)
      VALUES (${caseId}::uuid, ${p.purlKey}, ${p.name}, ${p.maintainerOrg}, ${p.affectedVersions}::text[], ${p.status}, ${p.justification}, ${p.impactStatement}, ${p.statusByOrg}, ${p.statusAt})
      ON CONFLICT (case_id, purl_key) DO UPDATE SET status = excluded.status, justification = excluded.justification, impact_statement = excluded.impact_statement,
        status_by_org = excluded.status_by_org, status_at = excluded.status_at, affected_versions = excluded.affected_versions
    `.execute(trx);
  }
}

export async function products(db: Db, caseId: string): Promise<CaseProduct[]> {
  const { rows } = await sql<{ purl_key: string; name: string; maintainer_org: string | null; affected_versions: string[]; status: VexStatus; justification: string | null; impact_statement: string | null; status_by_org: string | null; status_at: Date }>`
    SELECT * FROM case_products WHERE case_id = ${caseId}::uuid ORDER BY purl_key`.execute(db);
  return rows.map((r) => ({ purlKey: r.purl_key, name: r.name, maintainerOrg: r.maintainer_org, affectedVersions: r.affected_versions, status: r.status, justification: r.justification, impactStatement: r.impact_statement, statusByOrg: r.status_by_org, statusAt: r.status_at }));
}

// ---- messages and timeline ----

export async function insertMessage(trx: Db, m: { id: string; caseId: string; authorOrg: string; tlp: Tlp; bodySealed: string; createdAt: Date }): Promise<void> {
  await sql`INSERT INTO case_messages (id, case_id, author_org, tlp, body_sealed, created_at) VALUES (${m.id}::uuid, ${m.caseId}::uuid, ${m.authorOrg}::uuid, ${m.tlp}, ${m.bodySealed}, ${m.createdAt})`.execute(trx);
}

export async function messages(db: Db, caseId: string): Promise<Array<{ id: string; authorOrg: string; authorName: string; tlp: Tlp; bodySealed: string; createdAt: Date }>> {
  const { rows } = await sql<{ id: string; author_org: string; name: string; tlp: Tlp; body_sealed: string; created_at: Date }>`
    SELECT m.id, m.author_org, o.name, m.tlp, m.body_sealed, m.created_at FROM case_messages m JOIN orgs o ON o.id = m.author_org
    WHERE m.case_id = ${caseId}::uuid ORDER BY m.created_at, m.id`.execute(db);
  return rows.map((r) => ({ id: r.id, authorOrg: r.author_org, authorName: r.name, tlp: r.tlp, bodySealed: r.body_sealed, createdAt: r.created_at }));
}

export async function insertEvent(trx: Db, e: { id: string; caseId: string; at: Date; kind: string; actorOrg: string | null; detail: Record<string, unknown> }): Promise<void> {
  await sql`INSERT INTO case_events (id, case_id, at, kind, actor_org, detail) VALUES (${e.id}::uuid, ${e.caseId}::uuid, ${e.at}, ${e.kind}, ${e.actorOrg}, ${JSON.stringify(e.detail)}::jsonb)`.execute(trx);
}

export async function events(db: Db, caseId: string): Promise<Array<{ at: Date; kind: string; actorOrg: string | null; detail: Record<string, unknown> }>> {
  const { rows } = await sql<{ at: Date; kind: string; actor_org: string | null; detail: Record<string, unknown> }>`
    SELECT at, kind, actor_org, detail FROM case_events WHERE case_id = ${caseId}::uuid ORDER BY at, id`.execute(db);
  return rows.map((r) => ({ at: r.at, kind: r.kind, actorOrg: r.actor_org, detail: r.detail }));
}

export async function insertEquitiesDecision(trx: Db, d: { id: string; caseId: string; decidedByOrg: string; rationaleSealed: string; reviewAt: Date; decidedAt: Date }): Promise<void> {
  await sql`
    INSERT INTO equities_decisions (id, case_id, decided_by_org, rationale_sealed, review_at, decided_at)
    VALUES (${d.id}::uuid, ${d.caseId}::uuid, ${d.decidedByOrg}::uuid, ${d.rationaleSealed}, ${d.reviewAt}, ${d.decidedAt})`.execute(trx);
}

// ---- maintainers' notice queue ----

export async function queueNotice(trx: Db, n: { caseId: string; maintainerOrg: string; priorityKey: string; queuedAt: Date }): Promise<void> {
  await sql`
    INSERT INTO maintainer_notices (case_id, maintainer_org, priority_key, queued_at) VALUES (${n.caseId}::uuid, ${n.maintainerOrg}::uuid, ${n.priorityKey}, ${n.queuedAt})
    ON CONFLICT DO NOTHING`.execute(trx);
}

export async function waitingNotices(db: Db, maintainerOrg?: string): Promise<Array<{ caseId: string; maintainerOrg: string; priorityKey: string; queuedAt: Date }>> {
  const { rows } = await sql<{ case_id: string; maintainer_org: string; priority_key: string; queued_at: Date }>`
    SELECT case_id, maintainer_org, priority_key, queued_at FROM maintainer_notices
    WHERE sent_at IS NULL${maintainerOrg ? sql` AND maintainer_org = ${maintainerOrg}::uuid` : sql``} ORDER BY maintainer_org, priority_key, queued_at`.execute(db);
  return rows.map((r) => ({ caseId: r.case_id, maintainerOrg: r.maintainer_org, priorityKey: r.priority_key, queuedAt: r.queued_at }));
}

export async function sentNoticeTimes(db: Db, maintainerOrg: string, since: Date): Promise<Date[]> {
  const { rows } = await sql<{ sent_at: Date }>`
    SELECT sent_at FROM maintainer_notices WHERE maintainer_org = ${maintainerOrg}::uuid AND sent_at > ${since}`.execute(db);
  return rows.map((r) => r.sent_at);
}

export async function markNoticesSent(trx: Db, maintainerOrg: string, caseIds: string[], at: Date): Promise<void> {
  await sql`UPDATE maintainer_notices SET sent_at = ${at} WHERE maintainer_org = ${maintainerOrg}::uuid AND case_id = ANY(${caseIds}::uuid[])`.execute(trx);
}

// ---- CVE pool ----

export async function importCveIds(trx: Db, ids: string[], orgId: string, at: Date): Promise<number> {
  const r = await sql`
    INSERT INTO cve_pool (cve_id, imported_at, imported_by_org) SELECT c, ${at}, ${orgId}::uuid FROM unnest(${ids}::text[]) AS c ON CONFLICT DO NOTHING`.execute(trx);
  return Number(r.numAffectedRows ?? 0n);
}

/** Takes the lowest free reserved CVE id for a case (skipping ids other transactions hold). */
export async function assignCveId(trx: Db, caseId: string, at: Date): Promise<string | null> {
  const { rows } = await sql<{ cve_id: string }>`
    UPDATE cve_pool SET case_id = ${caseId}::uuid, assigned_at = ${at}
    WHERE cve_id = (SELECT cve_id FROM cve_pool WHERE case_id IS NULL ORDER BY cve_id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING cve_id`.execute(trx);
  return rows[0]?.cve_id ?? null;
}

export async function cvePoolCounts(db: Db): Promise<{ free: number; assigned: number }> {
  const { rows } = await sql<{ free: number; assigned: number }>`
    SELECT count(*) FILTER (WHERE case_id IS NULL)::int AS free, count(*) FILTER (WHERE case_id IS NOT NULL)::int AS assigned FROM cve_pool`.execute(db);
  return rows[0] ?? { free: 0, assigned: 0 };
}
