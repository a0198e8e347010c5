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

const insertChunk = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function insertPending(db: Db, entries: readonly NewPendingEntry[]): Promise<void> {
  for (const part of chunks(entries, insertChunk)) {
    await db
      .insertInto('log_pending')
      .values(
        part.map((e) => ({
          data: e.data,
          action: e.action,
          object_type: e.objectType,
          object_id: e.objectId,
          actor_org: e.actorOrg,
          logged_at: e.loggedAt,
        })),
      )
      .execute();
  }
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

export async function takePending(trx: Db, limit: number): Promise<PendingEntry[]> {
  const rows = await trx.selectFrom('log_pending').selectAll().orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    id: String(r.id),
    data: r.data,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    actorOrg: r.actor_org,
    loggedAt: r.logged_at,
  }));
}

export async function fetchNodes(db: Db, ids: readonly NodeId[]): Promise<Map<string, Hash>> {
  const out = new Map<string, Hash>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('log_nodes')
    .select(['level', 'idx', 'hash'])
    .where(sql<boolean>`(level, idx) IN (SELECT * FROM unnest(${sql.val(ids.map((i) => i.level))}::smallint[], ${sql.val(ids.map((i) => i.index))}::bigint[]))`)
    .execute();
  for (const r of rows) out.set(nodeKey({ level: r.level, index: r.idx }), r.hash);
  return out;
}

export interface IntegratedEntry extends Omit<PendingEntry, 'id'> {
  index: number;
}

export async function writeIntegration(
  trx: Db,
  change: { entries: IntegratedEntry[]; nodes: NewNode[]; pendingIds: string[]; head: LogHead; at: Date },
): Promise<void> {
  for (const part of chunks(change.entries, insertChunk)) {
    await trx
      .insertInto('log_entries')
      .values(
        part.map((e) => ({
          idx: e.index,
          data: e.data,
          action: e.action,
          object_type: e.objectType,
          object_id: e.objectId,
          actor_org: e.actorOrg,
          logged_at: e.loggedAt,
        })),
      )
      .execute();
  }
  for (const part of chunks(change.nodes, insertChunk * 3)) {
    await trx
      .insertInto('log_nodes')
      .values(part.map((n) => ({ level: n.level, idx: n.index, hash: n.hash })))
      .execute();
  }
  for (const part of chunks(change.pendingIds, insertChunk * 10)) {
    await trx.deleteFrom('log_pending').where('id', 'in', part).execute();
  }
  await trx
    .updateTable('log_head')
    .set({ size: change.head.size, root_hash: change.head.rootHash, updated_at: change.at })
    .where('id', '=', 1)
    .execute();
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
