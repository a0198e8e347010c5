// Imported advisories and their affected packages, indexed by package (purl without version).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AdvisoryImportsTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface AdvisoryImport {
  id: string;
  kind: 'osv' | 'kev' | 'epss';
  source: string;
  sha256: string;
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  changes: { added: string[]; changed: string[] };
  importedAt: Date;
  byOrg: string | null;
}

function toImport(r: Selectable<AdvisoryImportsTable>): AdvisoryImport {
  return {
    id: r.id,
    kind: r.kind,
    source: r.source,
    sha256: r.sha256,
    records: r.records,
    added: r.added,
    changed: r.changed,
    unchanged: r.unchanged,
    changes: r.changes as AdvisoryImport['changes'],
    importedAt: r.imported_at,
    byOrg: r.by_org,
  };
}

export async function insertImport(trx: Db, i: AdvisoryImport): Promise<void> {
  await trx
    .insertInto('advisory_imports')
    .values({ id: i.id, kind: i.kind, source: i.source, sha256: i.sha256, records: i.records, added: i.added, changed: i.changed, unchanged: i.unchanged, changes: JSON.stringify(i.changes), imported_at: i.importedAt, by_org: i.byOrg })
    .execute();
}

export async function finishImport(trx: Db, id: string, counts: Pick<AdvisoryImport, 'records' | 'added' | 'changed' | 'unchanged' | 'changes'>): Promise<void> {
  await trx
    .updateTable('advisory_imports')
    .set({ records: counts.records, added: counts.added, changed: counts.changed, unchanged: counts.unchanged, changes: JSON.stringify(counts.changes) })
    .where('id', '=', id)
    .execute();
}

export async function listImports(db: Db, page: { limit: number; offset: number }): Promise<AdvisoryImport[]> {
  const rows = await db.selectFrom('advisory_imports').selectAll().orderBy('imported_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute();
  return rows.map(toImport);
}

/** The stored SHA-256 of each advisory that exists, by id. */
export async function storedDigests(trx: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; sha256: string }>`SELECT id, sha256 FROM advisories WHERE id = ANY(${ids}::text[])`.execute(trx);
  return new Map(rows.map((r) => [r.id, r.sha256]));
}

export interface NewAdvisory {
  id: string;
  aliases: string[];
  summary: string | null;
  severity: string | null;
  cvssVector: string | null;
  published: string | null;
  modified: string | null;
  withdrawn: string | null;
  sha256: string;
  data: unknown;
  packages: Array<{ ecosystem: string; name: string; purlKey: string | null; ranges: unknown; versions: string[] }>;
}

/** Inserts new advisories and rewrites changed ones (their packages too), in bulk. */
export async function writeAdvisories(trx: Db, importId: string, rows: NewAdvisory[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO advisories (id, aliases, summary, severity, cvss_vector, published, modified, withdrawn, sha256, data, first_import, last_import)
    SELECT r.id, ARRAY(SELECT json_array_elements_text(r.aliases)), r.summary, r.severity, r.cvss_vector, r.published, r.modified, r.withdrawn, r.sha256, r.data, ${importId}::uuid, ${importId}::uuid
    FROM json_to_recordset(${JSON.stringify(
      rows.map((a) => ({ id: a.id, aliases: a.aliases, summary: a.summary, severity: a.severity, cvss_vector: a.cvssVector, published: a.published, modified: a.modified, withdrawn: a.withdrawn, sha256: a.sha256, data: a.data })),
    )}::json) AS r(id text, aliases json, summary text, severity text, cvss_vector text, published timestamptz, modified timestamptz, withdrawn timestamptz, sha256 text, data jsonb)
    ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, summary = excluded.summary, severity = excluded.severity, cvss_vector = excluded.cvss_vector,
      published = excluded.published, modified = excluded.modified, withdrawn = excluded.withdrawn, sha256 = excluded.sha256, data = excluded.data, last_import = excluded.last_import
  `.execute(trx);
  await sql`DELETE FROM advisory_packages WHERE advisory_id = ANY(${rows.map((r) => r.id)}::text[])`.execute(trx);
  const packages = rows.flatMap((a) => a.packages.map((p, seq) => ({ advisory_id: a.id, seq, ecosystem: p.ecosystem, name: p.name, purl_key: p.purlKey, ranges: p.ranges, versions: p.versions })));
  if (packages.length) {
    await sql`
      INSERT INTO advisory_packages (advisory_id, seq, ecosystem, name, purl_key, ranges, versions)
      SELECT r.advisory_id, r.seq, r.ecosystem, r.name, r.purl_key, r.ranges, ARRAY(SELECT json_array_elements_text(r.versions))
      FROM json_to_recordset(${JSON.stringify(packages)}::json) AS r(advisory_id text, seq integer, ecosystem text, name text, purl_key text, ranges jsonb, versions json)
    `.execute(trx);
  }
}

/** One imported advisory as an OSV record (what OSV clients read): its fields and affected packages as stored. */
export async function advisoryRecord(db: Db, id: string): Promise<Record<string, unknown> | null> {
  const { rows } = await sql<{ id: string; aliases: string[]; summary: string | null; published: Date | null; modified: Date | null; withdrawn: Date | null; cvss_vector: string | null }>`
    SELECT id, aliases, summary, published, modified, withdrawn, cvss_vector FROM advisories WHERE id = ${id}`.execute(db);
  const a = rows[0];
  if (!a) return null;
  const { rows: pkgs } = await sql<{ ecosystem: string; name: string; ranges: unknown[]; versions: string[] }>`
    SELECT ecosystem, name, ranges, versions FROM advisory_packages WHERE advisory_id = ${id} ORDER BY seq`.execute(db);
  return {
    id: a.id,
    modified: (a.modified ?? a.published ?? new Date(0)).toISOString(),
    ...(a.published ? { published: a.published.toISOString() } : {}),
    ...(a.withdrawn ? { withdrawn: a.withdrawn.toISOString() } : {}),
    ...(a.aliases.length ? { aliases: a.aliases } : {}),
    ...(a.summary ? { summary: a.summary } : {}),
    ...(a.cvss_vector ? { severity: [{ type: a.cvss_vector.startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score: a.cvss_vector }] } : {}),
    affected: pkgs.map((p) => ({ package: { ecosystem: p.ecosystem, name: p.name }, ...(p.ranges.length ? { ranges: p.ranges } : {}), ...(p.versions.length ? { versions: p.versions } : {}) })),
  };
}

export async function analyzeAdvisories(trx: Db): Promise<void> {
  await sql`ANALYZE advisories, advisory_packages`.execute(trx);
}

export async function touchAdvisories(trx: Db, importId: string, ids: string[]): Promise<void> {
  if (ids.length) await sql`UPDATE advisories SET last_import = ${importId}::uuid WHERE id = ANY(${ids}::text[])`.execute(trx);
}

export interface PackageAdvisory {
  advisoryId: string;
  aliases: string[];
  summary: string | null;
  severity: string | null;
  withdrawn: Date | null;
  ecosystem: string;
  name: string;
  ranges: unknown[];
  versions: string[];
}

/** Every affected-package entry of every advisory for one package: one index range. */
export async function advisoriesForPackage(db: Db, purlKey: string): Promise<PackageAdvisory[]> {
  const { rows } = await sql<{ advisory_id: string; aliases: string[]; summary: string | null; severity: string | null; withdrawn: Date | null; ecosystem: string; name: string; ranges: unknown[]; versions: string[] }>`
    SELECT p.advisory_id, a.aliases, a.summary, a.severity, a.withdrawn, p.ecosystem, p.name, p.ranges, p.versions
    FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id
    WHERE p.purl_key = ${purlKey}
    ORDER BY p.advisory_id, p.seq
  `.execute(db);
  return rows.map((r) => ({ advisoryId: r.advisory_id, aliases: r.aliases, summary: r.summary, severity: r.severity, withdrawn: r.withdrawn, ecosystem: r.ecosystem, name: r.name, ranges: r.ranges, versions: r.versions }));
}

// ---- KEV and EPSS ----

/** Replaces the KEV catalog with a new one; returns the CVE ids added and removed. */
export async function replaceKev(
  trx: Db,
  importId: string,
  entries: Array<{ cve: string; vendorProject: string; product: string; name: string; dateAdded: string; dueDate: string; ransomware: boolean }>,
): Promise<{ added: string[]; removed: string[] }> {
  const { rows: before } = await sql<{ cve: string }>`SELECT cve FROM kev_entries`.execute(trx);
  const old = new Set(before.map((r) => r.cve));
  const now = new Set(entries.map((e) => e.cve));
  await sql`DELETE FROM kev_entries`.execute(trx);
  for (let i = 0; i < entries.length; i += 5000) {
    const part = entries.slice(i, i + 5000);
    await sql`
      INSERT INTO kev_entries (cve, vendor_project, product, name, date_added, due_date, ransomware, import_id)
      SELECT r.cve, r.vendor_project, r.product, r.name, r.date_added, r.due_date, r.ransomware, ${importId}::uuid
      FROM json_to_recordset(${JSON.stringify(part.map((e) => ({ cve: e.cve, vendor_project: e.vendorProject, product: e.product, name: e.name, date_added: e.dateAdded, due_date: e.dueDate, ransomware: e.ransomware })))}::json)
        AS r(cve text, vendor_project text, product text, name text, date_added text, due_date text, ransomware boolean)
    `.execute(trx);
  }
  return { added: [...now].filter((c) => !old.has(c)), removed: [...old].filter((c) => !now.has(c)) };
}

/** Upserts EPSS scores; returns how many were new and how many changed. */
export async function upsertEpss(trx: Db, importId: string, scoreDate: string | null, scores: Array<{ cve: string; epss: number; percentile: number }>): Promise<{ added: number; changed: number }> {
  if (scores.length === 0) return { added: 0, changed: 0 };
  const { rows } = await sql<{ added: number; changed: number }>`
    WITH incoming AS (
      SELECT r.cve, r.epss, r.percentile FROM json_to_recordset(${JSON.stringify(scores)}::json) AS r(cve text, epss double precision, percentile double precision)
    ), counted AS (
      SELECT count(*) FILTER (WHERE e.cve IS NULL)::int AS added,
        count(*) FILTER (WHERE e.cve IS NOT NULL AND (e.epss <> i.epss OR e.percentile <> i.percentile))::int AS changed
      FROM incoming i LEFT JOIN epss_scores e ON e.cve = i.cve
    ), written AS (
      INSERT INTO epss_scores (cve, epss, percentile, score_date, import_id)
      SELECT cve, epss, percentile, ${scoreDate}, ${importId}::uuid FROM incoming
      ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile, score_date = excluded.score_date, import_id = excluded.import_id
      RETURNING 1
    )
    SELECT added, changed FROM counted, (SELECT count(*) FROM written) w
  `.execute(trx);
  return rows[0] ?? { added: 0, changed: 0 };
}

export interface CveFacts {
  kev: Map<string, { dateAdded: string; dueDate: string; knownRansomwareCampaignUse: boolean }>;
  epss: Map<string, { epss: number; percentile: number }>;
}

export async function factsForCves(db: Db, cves: string[]): Promise<CveFacts> {
  if (cves.length === 0) return { kev: new Map(), epss: new Map() };
  const { rows: kev } = await sql<{ cve: string; date_added: string; due_date: string; ransomware: boolean }>`
    SELECT cve, date_added, due_date, ransomware FROM kev_entries WHERE cve = ANY(${cves}::text[])`.execute(db);
  const { rows: epss } = await sql<{ cve: string; epss: number; percentile: number }>`
    SELECT cve, epss, percentile FROM epss_scores WHERE cve = ANY(${cves}::text[])`.execute(db);
  return {
    kev: new Map(kev.map((r) => [r.cve, { dateAdded: r.date_added, dueDate: r.due_date, knownRansomwareCampaignUse: r.ransomware }])),
    epss: new Map(epss.map((r) => [r.cve, { epss: Number(r.epss), percentile: Number(r.percentile) }])),
  };
}

export async function advisorySummaries(db: Db, ids: string[]): Promise<Map<string, { aliases: string[]; summary: string | null; severity: string | null; cvssVector: string | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; aliases: string[]; summary: string | null; severity: string | null; cvss_vector: string | null }>`
    SELECT id, aliases, summary, severity, cvss_vector FROM advisories WHERE id = ANY(${ids}::text[])`.execute(db);
  return new Map(rows.map((r) => [r.id, { aliases: r.aliases, summary: r.summary, severity: r.severity, cvssVector: r.cvss_vector }]));
}
