// Opens the one PostgreSQL dialect on either engine: embedded PGlite in the data directory, or a server
// named by DATABASE_URL. Both are reached through a node-postgres Pool, so Kysely sees one driver.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { migrateToLatest } from './migrate.js';
import type { Schema } from './schema.js';

export type Engine = 'embedded' | 'server';

export interface Store {
  readonly db: Kysely<Schema>;
  readonly engine: Engine;
  /** Where the data lives, for messages: a directory or a URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

export type StoreOptions =
  | { engine: 'server'; url: string; poolSize?: number }
  | { engine: 'embedded'; dataDir: string }
  | { engine: 'memory' };

// int8 (counts, log indexes) as numbers: every value the clearinghouse stores stays below 2^53.
const int8Oid = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres server';
  }
}

async function openEmbedded(dataDir: string | null): Promise<{ pool: pg.Pool; close: () => Promise<void>; location: string }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  let lock: DataDirLock | null = null;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = await lockDataDir(dataDir);
  }
  let pglite;
  try {
    pglite = dataDir ? new PGlite(join(dataDir, 'pgdata')) : new PGlite();
    await pglite.waitReady;
  } catch (err) {
    await lock?.release();
    throw err;
  }
  const pool = new pg.Pool({ ...createPgConfig(pglite), types, idleTimeoutMillis: 0 } as pg.PoolConfig);
  return {
    pool,
    location: dataDir ?? 'memory',
    // The pool itself is ended by Kysely's destroy().
    close: async () => {
      await pglite.close();
      await lock?.release();
    },
  };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  let pool: pg.Pool;
  let closeEngine: () => Promise<void>;
  let location: string;
  if (options.engine === 'server') {
    pool = new pg.Pool({ connectionString: options.url, types, max: options.poolSize ?? 10 });
    closeEngine = async () => undefined;
    location = redact(options.url);
  } else {
    ({ pool, close: closeEngine, location } = await openEmbedded(options.engine === 'embedded' ? options.dataDir : null));
  }
  // An idle client's network error must not crash the process; the next query reports it instead.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    await closeEngine().catch(() => undefined);
    throw err;
  }
  let closed = false;
  return {
    db,
    engine: options.engine === 'server' ? 'server' : 'embedded',
    location,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      await closeEngine();
    },
  };
}
