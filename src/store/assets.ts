// Operators' assets, their SBOMs and the components of each SBOM. Components go in by the batch through
// json_to_recordset (one parameter however many rows), as findings do.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AssetsTable, SbomsTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface Asset {
  id: string;
  orgId: string;
  name: string;
  assetClass: AssetsTable['asset_class'];
  sector: string | null;
  criticality: number;
  createdAt: Date;
}

function toAsset(r: Selectable<AssetsTable>): Asset {
  return { id: r.id, orgId: r.org_id, name: r.name, assetClass: r.asset_class, sector: r.sector, criticality: r.criticality, createdAt: r.created_at };
}

export async function insertAsset(db: Db, a: Asset): Promise<Asset> {
  const row = await db
    .insertInto('assets')
    .values({ id: a.id, org_id: a.orgId, name: a.name, asset_class: a.assetClass, sector: a.sector, criticality: a.criticality, created_at: a.createdAt })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAsset(row);
}

export async function findAsset(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<Asset | null> {
  let q = db.selectFrom('assets').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toAsset(r) : null;
}

export async function findAssetByName(db: Db, orgId: string, name: string): Promise<Asset | null> {
  const r = await db.selectFrom('assets').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
  return r ? toAsset(r) : null;
}

export async function listAssets(db: Db, filter: { orgId?: string; limit: number; offset: number }): Promise<Array<Asset & { sbom: Sbom | null }>> {
  let q = db.selectFrom('assets').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  const rows = await q.orderBy('name').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  const current = rows.length
    ? await db.selectFrom('sboms').selectAll().where('asset_id', 'in', rows.map((r) => r.id)).where('replaced_at', 'is', null).execute()
    : [];
  const byAsset = new Map(current.map((s) => [s.asset_id, toSbom(s)]));
  return rows.map((r) => ({ ...toAsset(r), sbom: byAsset.get(r.id) ?? null }));
}

export interface Sbom {
  id: string;
  assetId: string;
  sha256: string;
  size: number;
  format: SbomsTable['format'];
  specVersion: string;
  components: number;
  derived: number;
  unidentified: number;
  summary: unknown;
  uploadedAt: Date;
  replacedAt: Date | null;
}

function toSbom(r: Selectable<SbomsTable>): Sbom {
  return {
    id: r.id,
    assetId: r.asset_id,
    sha256: r.sha256,
    size: Number(r.size),
    format: r.format,
    specVersion: r.spec_version,
    components: r.components,
    derived: r.derived,
    unidentified: r.unidentified,
    summary: r.summary,
    uploadedAt: r.uploaded_at,
    replacedAt: r.replaced_at,
  };
}

export async function currentSbom(db: Db, assetId: string): Promise<Sbom | null> {
  const r = await db.selectFrom('sboms').selectAll().where('asset_id', '=', assetId).where('replaced_at', 'is', null).executeTakeFirst();
  return r ? toSbom(r) : null;
}

export interface NewComponent {
  seq: number;
  purl: string;
  purlKey: string;
  name: string;
  version: string | null;
  /** The version advisories are matched by (the purl's, else `version`). */
  matchVersion: string | null;
  derived: boolean;
  purlSource: string;
}

export async function insertComponents(trx: Db, sbomId: string, components: NewComponent[]): Promise<void> {
  if (components.length === 0) return;
  await sql`
    INSERT INTO sbom_components (sbom_id, seq, purl, purl_key, name, version, match_version, derived, purl_source)
    SELECT ${sbomId}::uuid, r.seq, r.purl, r.purl_key, r.name, r.version, r.match_version, r.derived, r.purl_source
    FROM json_to_recordset(${JSON.stringify(
      components.map((c) => ({ seq: c.seq, purl: c.purl, purl_key: c.purlKey, name: c.name, version: c.version, match_version: c.matchVersion, derived: c.derived, purl_source: c.purlSource })),
    )}::json) AS r(seq integer, purl text, purl_key text, name text, version text, match_version text, derived boolean, purl_source text)
  `.execute(trx);
}

/** The SBOM row its components reference, made before they stream in; not current until `completeSbom`. */
export async function insertSbomShell(trx: Db, sbom: Pick<Sbom, 'id' | 'assetId' | 'uploadedAt'>): Promise<void> {
  await trx
    .insertInto('sboms')
    .values({ id: sbom.id, asset_id: sbom.assetId, sha256: '0'.repeat(64), size: 0, format: 'cyclonedx', spec_version: '', components: 0, derived: 0, unidentified: 0, summary: '{}', uploaded_at: sbom.uploadedAt, replaced_at: sbom.uploadedAt })
    .execute();
}

/** Completes the row `insertSbomShell` made and makes it the asset's current SBOM, replacing the previous one. */
export async function completeSbom(trx: Db, sbom: Sbom): Promise<void> {
  await trx.updateTable('sboms').set({ replaced_at: sbom.uploadedAt }).where('asset_id', '=', sbom.assetId).where('replaced_at', 'is', null).execute();
  await trx
    .updateTable('sboms')
    .set({
      sha256: sbom.sha256,
      size: sbom.size,
      format: sbom.format,
      spec_version: sbom.specVersion,
      components: sbom.components,
      derived: sbom.derived,
      unidentified: sbom.unidentified,
      summary: JSON.stringify(sbom.summary),
      replaced_at: null,
    })
    .where('id', '=', sbom.id)
    .execute();
}

export async function listComponents(db: Db, sbomId: string, page: { limit: number; offset: number }): Promise<NewComponent[]> {
  const rows = await db.selectFrom('sbom_components').selectAll().where('sbom_id', '=', sbomId).orderBy('seq').limit(page.limit).offset(page.offset).execute();
  return rows.map((r) => ({ seq: r.seq, purl: r.purl, purlKey: r.purl_key, name: r.name, version: r.version, matchVersion: r.match_version, derived: r.derived, purlSource: r.purl_source }));
}
