// API tokens table: only hashes are stored; lookups go by hash.
import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../core/access.js';
import type { OrgKind } from '../core/orgs.js';
import type { ApiTokensTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface TokenRecord {
  id: string;
  orgId: string;
  name: string;
  visiblePrefix: string;
  scopes: Scope[];
  createdAt: Date;
  createdByToken: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

function toToken(row: Selectable<ApiTokensTable>): TokenRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    visiblePrefix: row.visible_prefix,
    scopes: row.scopes as Scope[],
    createdAt: row.created_at,
    createdByToken: row.created_by_token,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export async function insertToken(
  db: Db,
  t: { id: string; orgId: string; name: string; hash: string; visiblePrefix: string; scopes: Scope[]; createdAt: Date; createdByToken: string | null; expiresAt: Date | null },
): Promise<TokenRecord> {
  const row = await db
    .insertInto('api_tokens')
    .values({
      id: t.id,
      org_id: t.orgId,
      name: t.name,
      token_hash: t.hash,
      visible_prefix: t.visiblePrefix,
      scopes: t.scopes,
      created_at: t.createdAt,
      created_by_token: t.createdByToken,
      expires_at: t.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toToken(row);
}

export interface TokenWithOrg extends TokenRecord {
  orgKind: OrgKind;
}

export async function findTokenByHash(db: Db, hash: string): Promise<TokenWithOrg | null> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('orgs', 'orgs.id', 'api_tokens.org_id')
    .selectAll('api_tokens')
    .select('orgs.kind as org_kind')
    .where('api_tokens.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return null;
  const { org_kind, ...token } = row;
  return { ...toToken(token), orgKind: org_kind as OrgKind };
}

export async function findToken(db: Db, id: string): Promise<TokenRecord | null> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toToken(row) : null;
}

export async function listTokens(db: Db, filter: { orgId?: string; limit: number; offset: number }): Promise<TokenRecord[]> {
  let q = db.selectFrom('api_tokens').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  const rows = await q.orderBy('created_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toToken);
}

/** Revokes once; returns null when the token was already revoked (so the caller logs nothing twice). */
export async function revokeToken(db: Db, id: string, at: Date): Promise<TokenRecord | null> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? toToken(row) : null;
}

/** Records use at minute granularity, so a busy token does not write on every request. */
export async function touchToken(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(at.getTime() - 60_000))]))
    .execute();
}
