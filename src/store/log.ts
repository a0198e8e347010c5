// Transparency-log tables: pending entries, integrated entries, complete-subtree hashes, head and checkpoints.
import { sql, type Kysely } from 'kysely';
import { nodeKey, type Hash, type NewNode, type NodeId } from '../core/merkle/index.js';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface PendingEntry {
  id: string;
  data: Buffer;
  action: string;
  objectType: string;
  objectId: string;
  actorOrg: string | null;
  loggedAt: Date;
}

export type NewPendingEntry = Omit<PendingEntry, 'id'>;

/**
 * Column arrays expanded by unnest(): one statement and a fixed number of parameters however many rows,
 * which keeps a batch to one round trip and clear of PostgreSQL's 65,535-parameter limit.
 */
export async function insertPending(db: Db, entries: readonly NewPendingEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`
    INSERT INTO log_pending (data, action, object_type, object_id, actor_org, logged_at)
    SELECT * FROM unnest(
      ${entries.map((e) => e.data)}::bytea[], ${entries.map((e) => e.action)}::text[], ${entries.map((e) => e.objectType)}::text[],
      ${entries.map((e) => e.objectId)}::text[], ${entries.map((e) => e.actorOrg)}::uuid[], ${entries.map((e) => e.loggedAt)}::timestamptz[])
  `.execute(db);
}

export async function hasPending(db: Db): Promise<boolean> {
  const row = await db.selectFrom('log_pending').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export interface LogHead {
  size: number;
  rootHash: Hash;
}

/** Locks the head row for the rest of the transaction: integrations queue up behind it, one at a time. */
export async function lockHead(trx: Db): Promise<LogHead> {
  const row = await trx.selectFrom('log_head').select(['size', 'root_hash']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  return { size: row.size, rootHash: row.root_hash };
}

export async function readHead(db: Db): Promise<LogHead> {
  const row = await db.selectFrom('log_head').select(['size', 'root_hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { size: row.size, rootHash: row.root_hash };
}

/** Removes up to `limit` pending entries, oldest first, and returns them (call with the head locked). */
export async function takePending(trx: Db, limit: number): Promise<PendingEntry[]> {
  const { rows } = await sql<{
    id: string;
    data: Buffer;
    action: string;
    object_type: string;
    object_id: string;
    actor_org: string | null;
    logged_at: Date;
  }>`
    DELETE FROM log_pending WHERE id IN (SELECT id FROM log_pending ORDER BY id LIMIT ${limit})
    RETURNING id, data, action, object_type, object_id, actor_org, logged_at
  `.execute(trx);
  return rows
    .map((r) => ({
      id: String(r.id),
      data: r.data,
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      actorOrg: r.actor_org,
      loggedAt: r.logged_at,
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

export async function fetchNodes(db: Db, ids: readonly NodeId[]): Promise<Map<string, Hash>> {
  const out = new Map<string, Hash>();
  if (ids.length === 0) return out;
  // A join against the wanted (level, idx) pairs: one primary-key probe each, whatever the tree's size.
  const { rows } = await sql<{ level: number; idx: number; hash: Buffer }>`
    SELECT n.level, n.idx, n.hash
    FROM unnest(${ids.map((i) => i.level)}::smallint[], ${ids.map((i) => i.index)}::bigint[]) AS wanted(level, idx)
    JOIN log_nodes n ON n.level = wanted.level AND n.idx = wanted.idx
  `.execute(db);
  for (const r of rows) out.set(nodeKey({ level: r.level, index: r.idx }), r.hash);
  return out;
}

export interface IntegratedEntry extends Omit<PendingEntry, 'id'> {
  index: number;
}

/**
 * Writes one integration in a single statement: the entries at their indexes, the completed subtrees,
 * the new head and its signed checkpoint. The caller holds the head's lock.
 */
export async function writeIntegration(
  trx: Db,
  change: { entries: IntegratedEntry[]; nodes: NewNode[]; head: LogHead; note: string; at: Date },
): Promise<void> {
  const e = change.entries;
  const n = change.nodes;
  await sql`
    WITH new_entries AS (
      INSERT INTO log_entries (idx, data, action, object_type, object_id, actor_org, logged_at)
      SELECT * FROM unnest(
        ${e.map((x) => x.index)}::bigint[], ${e.map((x) => x.data)}::bytea[], ${e.map((x) => x.action)}::text[],
        ${e.map((x) => x.objectType)}::text[], ${e.map((x) => x.objectId)}::text[], ${e.map((x) => x.actorOrg)}::uuid[],
        ${e.map((x) => x.loggedAt)}::timestamptz[])
    ), new_nodes AS (
      INSERT INTO log_nodes (level, idx, hash)
      SELECT * FROM unnest(${n.map((x) => x.level)}::smallint[], ${n.map((x) => x.index)}::bigint[], ${n.map((x) => x.hash)}::bytea[])
    ), new_checkpoint AS (
      INSERT INTO log_checkpoints (size, root_hash, note, signed_at)
      VALUES (${change.head.size}, ${change.head.rootHash}, ${change.note}, ${change.at})
      ON CONFLICT (size) DO NOTHING
    )
    UPDATE log_head SET size = ${change.head.size}, root_hash = ${change.head.rootHash}, updated_at = ${change.at} WHERE id = 1
  `.execute(trx);
}

export async function insertCheckpoint(db: Db, cp: { size: number; rootHash: Hash; note: string; at: Date }): Promise<void> {
  await db
    .insertInto('log_checkpoints')
    .values({ size: cp.size, root_hash: cp.rootHash, note: cp.note, signed_at: cp.at })
    .onConflict((oc) => oc.column('size').doNothing())
    .execute();
}

export interface StoredCheckpoint {
  size: number;
  rootHash: Hash;
  note: string;
  signedAt: Date;
}

export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | null> {
  const row = await db.selectFrom('log_checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row ? { size: row.size, rootHash: row.root_hash, note: row.note, signedAt: row.signed_at } : null;
}

export interface StoredEntry {
  index: number;
  data: Buffer;
}

export async function readEntries(db: Db, start: number, end: number): Promise<StoredEntry[]> {
  const rows = await db
    .selectFrom('log_entries')
    .select(['idx', 'data'])
    .where('idx', '>=', start)
    .where('idx', '<', end)
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ index: r.idx, data: r.data }));
}

export async function logKeys(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('log_keys').select('vkey').orderBy('created_at').execute();
  return rows.map((r) => r.vkey);
}

export async function registerLogKey(db: Db, vkey: string): Promise<void> {
  await db.insertInto('log_keys').values({ vkey }).onConflict((oc) => oc.column('vkey').doNothing()).execute();
}
