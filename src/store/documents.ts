// Submitted documents, stored unchanged in 1 MiB chunks with their SHA-256.
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { AppError } from '../core/errors.js';
import type { DocumentsTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

export const chunkSize = 1 << 20;

export interface StoredDocument {
  id: string;
  orgId: string;
  tokenId: string | null;
  sha256: string;
  size: number;
  mediaType: string;
  filename: string | null;
  context: Record<string, unknown>;
  submittedAt: Date;
}

function documentFromRow(row: Selectable<DocumentsTable>): StoredDocument {
  return {
    id: row.id,
    orgId: row.org_id,
    tokenId: row.token_id,
    sha256: row.sha256,
    size: row.size,
    mediaType: row.media_type,
    filename: row.filename,
    context: row.context as Record<string, unknown>,
    submittedAt: row.submitted_at,
  };
}

/**
 * Writes the bytes of `source` as chunks of document `id` (inside the caller's transaction; the
 * foreign key to the document row is deferred to commit) and returns their SHA-256 and size.
 * Chunks are written a few at a time so a large upload never sits whole in memory.
 */
export async function writeChunks(trx: Db, id: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flushChunk = async (chunk: Buffer) => {
    await trx.insertInto('document_chunks').values({ document_id: id, seq: seq++, data: chunk }).execute();
  };
  for await (const part of source) {
    const buf = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    size += buf.length;
    if (size > maxBytes) throw new AppError('payload-too-large', `the document is larger than the ${maxBytes} bytes allowed`);
    hash.update(buf);
    pending.push(buf);
    pendingBytes += buf.length;
    while (pendingBytes >= chunkSize) {
      const all = Buffer.concat(pending, pendingBytes);
      await flushChunk(all.subarray(0, chunkSize));
      const rest = all.subarray(chunkSize);
      pending = rest.length ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
    }
  }
  if (pendingBytes > 0 || seq === 0) await flushChunk(Buffer.concat(pending, pendingBytes));
  return { sha256: hash.digest('hex'), size };
}

export async function insertDocument(trx: Db, doc: StoredDocument): Promise<void> {
  await trx
    .insertInto('documents')
    .values({
      id: doc.id,
      org_id: doc.orgId,
      token_id: doc.tokenId,
      sha256: doc.sha256,
      size: doc.size,
      media_type: doc.mediaType,
      filename: doc.filename,
      context: JSON.stringify(doc.context),
      submitted_at: doc.submittedAt,
    })
    .execute();
}

export async function findDocumentBySha(db: Db, orgId: string, sha256: string): Promise<StoredDocument | null> {
  const row = await db.selectFrom('documents').selectAll().where('org_id', '=', orgId).where('sha256', '=', sha256).executeTakeFirst();
  return row ? documentFromRow(row) : null;
}

export async function findDocument(db: Db, id: string): Promise<StoredDocument | null> {
  const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? documentFromRow(row) : null;
}

/** The document's bytes, one chunk per read: memory stays at one chunk however large the document. */
export async function* readChunks(db: Db, id: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const row = await db.selectFrom('document_chunks').select('data').where('document_id', '=', id).where('seq', '=', seq).executeTakeFirst();
    if (!row) return;
    yield row.data;
  }
}

export async function deleteDocument(db: Db, id: string): Promise<void> {
  await db.deleteFrom('document_chunks').where('document_id', '=', id).execute();
  await db.deleteFrom('documents').where('id', '=', id).execute();
}

export async function countFindingsOfDocument(db: Db, id: string): Promise<number> {
  const { n } = await db.selectFrom('findings').select(sql<number>`count(*)::int`.as('n')).where('document_id', '=', id).executeTakeFirstOrThrow();
  return n;
}

/** How the document's findings were linked, by reason (for answering a resubmission). */
export async function linkReasonsOfDocument(db: Db, id: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('findings')
    .select(['link_reason', sql<number>`count(*)::int`.as('n')])
    .where('document_id', '=', id)
    .groupBy('link_reason')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.link_reason, r.n]));
}
