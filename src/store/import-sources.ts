// Import sources: URLs that vulnerability knowledge is fetched from, when asked or on a schedule, with the
// outcome of the last run and what a conditional GET needs.
import type { Kysely, Selectable } from 'kysely';
import type { ImportSourcesTable, Schema } from './schema.js';

type Db = Kysely<Schema>;

export type ImportSourceKind = ImportSourcesTable['kind'];
export type ImportSourceStatus = NonNullable<ImportSourcesTable['last_status']>;

export interface ImportSource {
  id: string;
  kind: ImportSourceKind;
  url: string;
  everyHours: number | null;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastStatus: ImportSourceStatus | null;
  lastError: string | null;
  lastImportId: string | null;
  lastSha256: string | null;
  etag: string | null;
  lastModified: string | null;
  createdByOrg: string | null;
  createdByToken: string | null;
  createdAt: Date;
  disabled: boolean;
}

function toSource(r: Selectable<ImportSourcesTable>): ImportSource {
  return {
    id: r.id,
    kind: r.kind,
    url: r.url,
    everyHours: r.every_hours,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastImportId: r.last_import_id,
    lastSha256: r.last_sha256,
    etag: r.etag,
    lastModified: r.last_modified,
    createdByOrg: r.created_by_org,
    createdByToken: r.created_by_token,
    createdAt: r.created_at,
    disabled: r.disabled,
  };
}

export async function insertSource(trx: Db, s: Pick<ImportSource, 'id' | 'kind' | 'url' | 'everyHours' | 'nextRunAt' | 'createdByOrg' | 'createdByToken' | 'createdAt'>): Promise<ImportSource> {
  const row = await trx
    .insertInto('import_sources')
    .values({ id: s.id, kind: s.kind, url: s.url, every_hours: s.everyHours, next_run_at: s.nextRunAt, created_by_org: s.createdByOrg, created_by_token: s.createdByToken, created_at: s.createdAt })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSource(row);
}

/** One source; `lock` takes its row for the transaction, so runs and run requests for it take turns. */
export async function findSource(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<ImportSource | null> {
  let q = db.selectFrom('import_sources').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toSource(row) : null;
}

/** An enabled source fetching this URL for this kind, if any. */
export async function findEnabledSource(db: Db, kind: ImportSourceKind, url: string): Promise<ImportSource | null> {
  const row = await db.selectFrom('import_sources').selectAll().where('kind', '=', kind).where('url', '=', url).where('disabled', '=', false).executeTakeFirst();
  return row ? toSource(row) : null;
}

export async function listSources(db: Db, page: { limit: number; offset: number }): Promise<ImportSource[]> {
  const rows = await db.selectFrom('import_sources').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute();
  return rows.map(toSource);
}

export async function setNextRun(trx: Db, id: string, at: Date | null): Promise<ImportSource> {
  const row = await trx.updateTable('import_sources').set({ next_run_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toSource(row);
}

/**
 * A run's outcome. The import, body digest and validators change only when given (a run that imported,
 * or found the same bytes); a failed run leaves them as they were.
 */
export async function recordRun(
  trx: Db,
  id: string,
  run: { at: Date; status: ImportSourceStatus; error: string | null; nextRunAt: Date | null; importId?: string; sha256?: string; etag?: string | null; lastModified?: string | null },
): Promise<ImportSource> {
  const row = await trx
    .updateTable('import_sources')
    .set({
      last_run_at: run.at,
      last_status: run.status,
      last_error: run.error,
      next_run_at: run.nextRunAt,
      ...(run.importId !== undefined ? { last_import_id: run.importId } : {}),
      ...(run.sha256 !== undefined ? { last_sha256: run.sha256 } : {}),
      ...(run.etag !== undefined ? { etag: run.etag } : {}),
      ...(run.lastModified !== undefined ? { last_modified: run.lastModified } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSource(row);
}

export async function disableSource(trx: Db, id: string): Promise<ImportSource> {
  const row = await trx.updateTable('import_sources').set({ disabled: true, next_run_at: null }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toSource(row);
}
