// Organizations table: rows in, typed organizations out.
import type { Kysely, Selectable } from 'kysely';
import type { CiSector, Org, OrgKind, OrgProfile } from '../core/orgs.js';
import { uniqueAs } from './errors.js';
import type { OrgsTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

function toOrg(row: Selectable<OrgsTable>): Org {
  const kind = row.kind as OrgKind;
  let profile: OrgProfile;
  if (kind !== 'operator') profile = { kind };
  else if (row.asset_class === 'ci') profile = { kind, assetClass: 'ci', sector: row.sector as CiSector };
  else profile = { kind, assetClass: row.asset_class as 'nss' | 'dow' | 'fceb' | 'sltt', sector: null };
  return { id: row.id, name: row.name, profile, createdAt: row.created_at };
}

export async function insertOrg(db: Db, org: { id: string; name: string; profile: OrgProfile; createdAt: Date }): Promise<Org> {
  const row = await uniqueAs('orgs_name_unique', '/name', `an organization named "${org.name}" already exists`, () =>
    db
      .insertInto('orgs')
      .values({
        id: org.id,
        name: org.name,
        kind: org.profile.kind,
        asset_class: org.profile.kind === 'operator' ? org.profile.assetClass : null,
        sector: org.profile.kind === 'operator' ? org.profile.sector : null,
        created_at: org.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toOrg(row);
}

export async function findOrg(db: Db, id: string): Promise<Org | null> {
  const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOrg(row) : null;
}

export async function listOrgs(db: Db, filter: { onlyId?: string; kind?: OrgKind; limit: number; offset: number }): Promise<Org[]> {
  let q = db.selectFrom('orgs').selectAll();
  if (filter.onlyId) q = q.where('id', '=', filter.onlyId);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  const rows = await q.orderBy('created_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toOrg);
}

export async function countOrgs(db: Db): Promise<number> {
  const { n } = await db.selectFrom('orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}
