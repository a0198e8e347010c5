// Stored match verdicts (see migration 0007): the package versions SBOMs hold, the advisories' verdicts on
// them, and the exposure reads that join components to verdicts through the (purl_key, version) indexes.
import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

/**
 * Deciding a version against an advisory must not race with a new advisory for the same package (each
 * transaction would miss the other's row). SBOM uploads share this lock with each other; advisory imports
 * and full rematches take it alone.
 */
const matchingLockKey = 0x43484d54; // "CHMT"

export async function lockMatchingShared(trx: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock_shared(${matchingLockKey})`.execute(trx);
}

export async function lockMatchingExclusive(trx: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${matchingLockKey})`.execute(trx);
}

/** A package version to decide, with one affected-package entry of one advisory for its package. */
export interface MatchCandidate {
  purlKey: string;
  version: string;
  advisoryId: string;
  ecosystem: string;
  ranges: unknown[];
  versions: string[];
}

export interface VersionMatch {
  purlKey: string;
  version: string;
  advisoryId: string;
  status: 'affected' | 'unknown';
  because: string;
}

interface CandidateRow {
  purl_key: string;
  version: string;
  advisory_id: string;
  ecosystem: string;
  ranges: unknown[];
  versions: string[];
}

const toCandidate = (r: CandidateRow): MatchCandidate => ({ purlKey: r.purl_key, version: r.version, advisoryId: r.advisory_id, ecosystem: r.ecosystem, ranges: r.ranges, versions: r.versions });

/**
 * Records the package versions of one SBOM that no SBOM brought before, and returns them paired with every
 * (not withdrawn) advisory entry for their packages: all that a new SBOM needs decided.
 */
export async function registerSbomVersions(trx: Db, sbomId: string): Promise<MatchCandidate[]> {
  const { rows } = await sql<CandidateRow>`
    WITH added AS (
      INSERT INTO package_versions (purl_key, version)
      SELECT DISTINCT purl_key, match_version FROM sbom_components WHERE sbom_id = ${sbomId}::uuid AND match_version IS NOT NULL AND match_version <> ''
      ON CONFLICT DO NOTHING
      RETURNING purl_key, version
    )
    SELECT n.purl_key, n.version, p.advisory_id, p.ecosystem, p.ranges, p.versions
    FROM added n
    -- lateral and a correlated withdrawn check: index lookups per new version, whatever the statistics say
    CROSS JOIN LATERAL (
      SELECT p.advisory_id, p.ecosystem, p.ranges, p.versions FROM advisory_packages p
      WHERE p.purl_key = n.purl_key AND (SELECT a.withdrawn FROM advisories a WHERE a.id = p.advisory_id) IS NULL
    ) p
  `.execute(trx);
  return rows.map(toCandidate);
}

/** Every known version of the packages these advisories name, paired with their entries; their old verdicts are removed. */
export async function candidatesForAdvisories(trx: Db, advisoryIds: string[]): Promise<MatchCandidate[]> {
  if (advisoryIds.length === 0) return [];
  await sql`DELETE FROM version_matches WHERE advisory_id = ANY(${advisoryIds}::text[])`.execute(trx);
  const { rows } = await sql<CandidateRow>`
    SELECT v.purl_key, v.version, p.advisory_id, p.ecosystem, p.ranges, p.versions
    FROM advisory_packages p
    JOIN advisories a ON a.id = p.advisory_id AND a.withdrawn IS NULL
    JOIN package_versions v ON v.purl_key = p.purl_key
    WHERE p.advisory_id = ANY(${advisoryIds}::text[])
  `.execute(trx);
  return rows.map(toCandidate);
}

/** Stores verdicts (a verdict already stored for the same pair is replaced). Arrays, not JSON: the cheaper bind. */
export async function insertMatches(trx: Db, matches: VersionMatch[]): Promise<void> {
  for (let i = 0; i < matches.length; i += 10_000) {
    const part = matches.slice(i, i + 10_000);
    await sql`
      INSERT INTO version_matches (purl_key, version, advisory_id, status, because)
      SELECT * FROM unnest(${part.map((m) => m.purlKey)}::text[], ${part.map((m) => m.version)}::text[], ${part.map((m) => m.advisoryId)}::text[],
        ${part.map((m) => m.status)}::text[], ${part.map((m) => m.because)}::text[])
      ON CONFLICT (purl_key, version, advisory_id) DO UPDATE SET status = excluded.status, because = excluded.because
    `.execute(trx);
  }
}

// ---- full rematch ----

export async function matcherState(db: Db): Promise<{ matcherVersion: number; matchedAt: Date } | null> {
  const { rows } = await sql<{ matcher_version: number; matched_at: Date }>`SELECT matcher_version, matched_at FROM matcher_state`.execute(db);
  return rows[0] ? { matcherVersion: rows[0].matcher_version, matchedAt: rows[0].matched_at } : null;
}

export async function setMatcherState(trx: Db, matcherVersion: number, at: Date): Promise<void> {
  await sql`
    INSERT INTO matcher_state (singleton, matcher_version, matched_at) VALUES (true, ${matcherVersion}, ${at})
    ON CONFLICT (singleton) DO UPDATE SET matcher_version = excluded.matcher_version, matched_at = excluded.matched_at
  `.execute(trx);
}

/** Components stored before match versions were kept (keyset pages of `limit`). */
export async function componentsWithoutMatchVersion(trx: Db, limit: number): Promise<Array<{ sbomId: string; seq: number; purl: string; version: string | null }>> {
  const { rows } = await sql<{ sbom_id: string; seq: number; purl: string; version: string | null }>`
    SELECT sbom_id, seq, purl, version FROM sbom_components WHERE match_version IS NULL LIMIT ${limit}`.execute(trx);
  return rows.map((r) => ({ sbomId: r.sbom_id, seq: r.seq, purl: r.purl, version: r.version }));
}

/** Sets match versions; a component with none gets '' so that it is not read again (no advisory matches '') . */
export async function setMatchVersions(trx: Db, rows: Array<{ sbomId: string; seq: number; matchVersion: string }>): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    UPDATE sbom_components c SET match_version = r.match_version
    FROM json_to_recordset(${JSON.stringify(rows.map((r) => ({ sbom_id: r.sbomId, seq: r.seq, match_version: r.matchVersion })))}::json) AS r(sbom_id uuid, seq integer, match_version text)
    WHERE c.sbom_id = r.sbom_id AND c.seq = r.seq
  `.execute(trx);
}

/** Forgets every verdict. */
export async function clearMatches(trx: Db): Promise<void> {
  await sql`DELETE FROM version_matches`.execute(trx);
}

/** Rebuilds the set of package versions from every stored component (after match versions were filled in). */
export async function rebuildPackageVersions(trx: Db): Promise<void> {
  await sql`DELETE FROM package_versions`.execute(trx);
  await sql`
    INSERT INTO package_versions (purl_key, version)
    SELECT DISTINCT purl_key, match_version FROM sbom_components WHERE match_version IS NOT NULL AND match_version <> ''
  `.execute(trx);
}

/** Fresh planner statistics after a bulk rewrite (autovacuum would get there, later). */
export async function analyzeMatching(trx: Db): Promise<void> {
  await sql`ANALYZE version_matches, package_versions, sbom_components`.execute(trx);
}

export async function countPackageVersions(trx: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM package_versions`.execute(trx);
  return rows[0]?.n ?? 0;
}

/** Every package that has both advisories and known versions, in order. */
export async function matchablePackages(trx: Db): Promise<string[]> {
  const { rows } = await sql<{ purl_key: string }>`
    SELECT k.purl_key FROM (SELECT DISTINCT purl_key FROM advisory_packages WHERE purl_key IS NOT NULL) k
    WHERE EXISTS (SELECT 1 FROM package_versions v WHERE v.purl_key = k.purl_key)
    ORDER BY k.purl_key`.execute(trx);
  return rows.map((r) => r.purl_key);
}

/** The advisory entries of some packages and their known versions, each once (paired by the caller). */
export async function entriesAndVersions(trx: Db, keys: string[]): Promise<{
  entries: Array<{ purlKey: string; advisoryId: string; ecosystem: string; ranges: unknown[]; versions: string[] }>;
  versions: Array<{ purlKey: string; version: string }>;
}> {
  const { rows: entries } = await sql<{ purl_key: string; advisory_id: string; ecosystem: string; ranges: unknown[]; versions: string[] }>`
    SELECT p.purl_key, p.advisory_id, p.ecosystem, p.ranges, p.versions FROM advisory_packages p
    WHERE p.purl_key = ANY(${keys}::text[]) AND (SELECT a.withdrawn FROM advisories a WHERE a.id = p.advisory_id) IS NULL`.execute(trx);
  const { rows: versions } = await sql<{ purl_key: string; version: string }>`
    SELECT purl_key, version FROM package_versions WHERE purl_key = ANY(${keys}::text[])`.execute(trx);
  return {
    entries: entries.map((e) => ({ purlKey: e.purl_key, advisoryId: e.advisory_id, ecosystem: e.ecosystem, ranges: e.ranges, versions: e.versions })),
    versions: versions.map((v) => ({ purlKey: v.purl_key, version: v.version })),
  };
}

// ---- reads ----

export interface ExposureFilter {
  orgId?: string;
  assetId?: string;
  advisoryId?: string;
  /** Only advisories naming a package of a target this organization maintains. */
  maintainerOrgId?: string;
}

export interface ExposureRow {
  assetId: string;
  assetName: string;
  orgId: string;
  assetClass: string;
  sector: string | null;
  criticality: number;
  purl: string;
  version: string;
  advisoryId: string;
  aliases: string[];
  summary: string | null;
  severity: string | null;
  status: 'affected' | 'unknown';
  because: string;
}

function exposureConditions(filter: ExposureFilter) {
  const conds = [sql`s.replaced_at IS NULL`];
  if (filter.orgId) conds.push(sql`a.org_id = ${filter.orgId}::uuid`);
  if (filter.assetId) conds.push(sql`a.id = ${filter.assetId}::uuid`);
  if (filter.advisoryId) conds.push(sql`m.advisory_id = ${filter.advisoryId}`);
  if (filter.maintainerOrgId) conds.push(sql`m.purl_key IN (SELECT t.purl_key FROM targets t WHERE t.maintainer_org = ${filter.maintainerOrgId}::uuid AND t.purl_key IS NOT NULL)`);
  return sql.join(conds, sql` AND `);
}

/** Each exposed (asset, component, advisory) once, federal classes first, then by criticality. */
export async function exposureRows(db: Db, filter: ExposureFilter, page: { limit: number; offset: number }): Promise<ExposureRow[]> {
  const { rows } = await sql<{
    asset_id: string; asset_name: string; org_id: string; asset_class: string; sector: string | null; criticality: number;
    purl: string; version: string; advisory_id: string; aliases: string[]; summary: string | null; severity: string | null; status: 'affected' | 'unknown'; because: string;
  }>`
    SELECT DISTINCT ON (class_rank, a.criticality, a.name, a.id, m.advisory_id, c.purl)
      a.id AS asset_id, a.name AS asset_name, a.org_id, a.asset_class, a.sector, a.criticality,
      c.purl, c.match_version AS version, m.advisory_id, adv.aliases, adv.summary, adv.severity, m.status, m.because,
      array_position(ARRAY['nss','dow','fceb','sltt','ci'], a.asset_class) AS class_rank
    FROM assets a
    JOIN sboms s ON s.asset_id = a.id
    JOIN sbom_components c ON c.sbom_id = s.id
    JOIN version_matches m ON m.purl_key = c.purl_key AND m.version = c.match_version
    JOIN advisories adv ON adv.id = m.advisory_id
    WHERE ${exposureConditions(filter)}
    ORDER BY class_rank, a.criticality DESC, a.name, a.id, m.advisory_id, c.purl
    LIMIT ${page.limit} OFFSET ${page.offset}
  `.execute(db);
  return rows.map((r) => ({
    assetId: r.asset_id,
    assetName: r.asset_name,
    orgId: r.org_id,
    assetClass: r.asset_class,
    sector: r.sector,
    criticality: r.criticality,
    purl: r.purl,
    version: r.version,
    advisoryId: r.advisory_id,
    aliases: r.aliases,
    summary: r.summary,
    severity: r.severity,
    status: r.status,
    because: r.because,
  }));
}

export interface AdvisoryExposureGroup {
  advisoryId: string;
  orgId: string;
  assetClass: string;
  /** A CI operator's sector (the first, when its exposed CI assets are in several). */
  sector: string | null;
  assets: number;
}

/**
 * Affected exposure grouped by advisory, operator and asset class: what the remediation queue weighs. Each
 * (advisory, current SBOM) pair is found once first — a hash aggregate, not a sort of every instance.
 */
export async function affectedGroups(db: Db, filter: ExposureFilter): Promise<AdvisoryExposureGroup[]> {
  const { rows } = await sql<{ advisory_id: string; org_id: string; asset_class: string; sector: string | null; assets: number }>`
    WITH pairs AS (
      SELECT DISTINCT m.advisory_id, c.sbom_id
      FROM version_matches m JOIN sbom_components c ON c.purl_key = m.purl_key AND c.match_version = m.version
      WHERE m.status = 'affected'${filter.advisoryId ? sql` AND m.advisory_id = ${filter.advisoryId}` : sql``}${
        filter.maintainerOrgId ? sql` AND m.purl_key IN (SELECT t.purl_key FROM targets t WHERE t.maintainer_org = ${filter.maintainerOrgId}::uuid AND t.purl_key IS NOT NULL)` : sql``
      }
    )
    SELECT p.advisory_id, a.org_id, a.asset_class, min(a.sector) AS sector, count(*)::int AS assets
    FROM pairs p JOIN sboms s ON s.id = p.sbom_id AND s.replaced_at IS NULL JOIN assets a ON a.id = s.asset_id
    ${filter.orgId ? sql`WHERE a.org_id = ${filter.orgId}::uuid` : sql``}${filter.assetId ? sql`${filter.orgId ? sql` AND` : sql` WHERE`} a.id = ${filter.assetId}::uuid` : sql``}
    GROUP BY 1, 2, 3
  `.execute(db);
  return rows.map((r) => ({ advisoryId: r.advisory_id, orgId: r.org_id, assetClass: r.asset_class, sector: r.sector, assets: r.assets }));
}

/** Up to `perAdvisory` exposed assets' names for each of some advisories (an operator's own only, when given). */
export async function exposedAssetNames(db: Db, advisoryIds: string[], orgId: string | null, perAdvisory: number): Promise<Map<string, string[]>> {
  if (advisoryIds.length === 0) return new Map();
  const { rows } = await sql<{ advisory_id: string; names: string[] }>`
    SELECT m.advisory_id, (array_agg(DISTINCT a.name ORDER BY a.name))[1:${perAdvisory}] AS names
    FROM version_matches m
    JOIN sbom_components c ON c.purl_key = m.purl_key AND c.match_version = m.version
    JOIN sboms s ON s.id = c.sbom_id AND s.replaced_at IS NULL
    JOIN assets a ON a.id = s.asset_id
    WHERE m.advisory_id = ANY(${advisoryIds}::text[]) AND m.status = 'affected'${orgId ? sql` AND a.org_id = ${orgId}::uuid` : sql``}
    GROUP BY m.advisory_id
  `.execute(db);
  return new Map(rows.map((r) => [r.advisory_id, r.names]));
}

// ---- the clearinghouse's own records ----

export interface OwnRecord {
  vulnId: string;
  displayId: string;
  title: string;
  severity: string | null;
  /** The target's package, when it has a purl. */
  purlKey: string | null;
  /** The versions its reporters named: the only ones it is known to affect. */
  versions: string[];
  cvssVector: string | null;
  proofOfConcept: boolean;
  reproduced: boolean;
}

/** Every current (not merged, not rejected) clearinghouse record with what its findings say. */
export async function ownRecords(db: Db): Promise<OwnRecord[]> {
  const { rows } = await sql<{ id: string; display_id: string; title: string; severity: string | null; purl_key: string | null; versions: string[]; cvss: string | null; poc: boolean; reproduced: boolean }>`
    SELECT v.id, v.display_id, v.title, v.severity, t.purl_key,
      array_remove(array_agg(DISTINCT f.data->>'version'), NULL) AS versions,
      (array_remove(array_agg(f.data->>'cvssVector' ORDER BY f.seq), NULL))[1] AS cvss,
      coalesce(bool_or(json_typeof(f.data->'proofOfConcept') = 'object'), false) AS poc,
      (v.validation_state = 'validated' AND v.validation_method = 'reproduction') AS reproduced
    FROM vulnerabilities v
    LEFT JOIN targets t ON t.id = v.target_id
    JOIN findings f ON f.vuln_id = v.id
    WHERE v.merged_into IS NULL AND v.validation_state <> 'rejected'
    GROUP BY v.id, t.purl_key
  `.execute(db);
  return rows.map((r) => ({ vulnId: r.id, displayId: r.display_id, title: r.title, severity: r.severity, purlKey: r.purl_key, versions: r.versions, cvssVector: r.cvss, proofOfConcept: r.poc, reproduced: r.reproduced }));
}

/** Exposure to clearinghouse records: current components of each record's package at a version its reporters named. */
export async function ownRecordGroups(db: Db, records: Array<{ vulnId: string; purlKey: string; versions: string[] }>): Promise<Map<string, Array<AdvisoryExposureGroup & { assetNames: string[] }>>> {
  const out = new Map<string, Array<AdvisoryExposureGroup & { assetNames: string[] }>>();
  for (let i = 0; i < records.length; i += 2000) {
    const part = records.slice(i, i + 2000).flatMap((r) => r.versions.map((version) => ({ vuln_id: r.vulnId, purl_key: r.purlKey, version })));
    const { rows } = await sql<{ vuln_id: string; org_id: string; asset_class: string; sector: string | null; assets: number; names: string[] }>`
      SELECT o.vuln_id, a.org_id, a.asset_class, min(a.sector) AS sector, count(DISTINCT a.id)::int AS assets, (array_agg(DISTINCT a.name ORDER BY a.name))[1:20] AS names
      FROM json_to_recordset(${JSON.stringify(part)}::json) AS o(vuln_id uuid, purl_key text, version text)
      JOIN sbom_components c ON c.purl_key = o.purl_key AND c.match_version = o.version
      JOIN sboms s ON s.id = c.sbom_id AND s.replaced_at IS NULL
      JOIN assets a ON a.id = s.asset_id
      GROUP BY o.vuln_id, a.org_id, a.asset_class
    `.execute(db);
    for (const r of rows) {
      const g = { advisoryId: r.vuln_id, orgId: r.org_id, assetClass: r.asset_class, sector: r.sector, assets: r.assets, assetNames: r.names };
      const list = out.get(r.vuln_id);
      if (list) list.push(g);
      else out.set(r.vuln_id, [g]);
    }
  }
  return out;
}
