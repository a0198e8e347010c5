// Versioned SQL migrations (src/store/migrations/NNNN_name.sql), applied at start by Kysely's Migrator:
// all pending ones in one transaction, recorded in schema_migrations. A session-level advisory lock
// around the whole run makes two processes starting at once take turns, including the first
// creation of the bookkeeping tables, which Kysely does outside its own lock.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Schema } from './schema.js';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));
const migrationLockKey = 0x43484d47; // "CHMG"

class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(migrationsDir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
    const out: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(migrationsDir + file, 'utf8');
      out[file.replace(/\.sql$/, '')] = {
        // Only parameterless text goes through here, so the simple protocol runs the whole file.
        up: async (db) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return out;
  }
}

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<Schema>): Promise<MigrationReport> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${migrationLockKey})`.execute(conn);
    try {
      const migrator = new Migrator({
        db: conn,
        provider: new SqlFileMigrationProvider(),
        migrationTableName: 'schema_migrations',
        migrationLockTableName: 'schema_migrations_lock',
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName;
        throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
    } finally {
      await sql`SELECT pg_advisory_unlock(${migrationLockKey})`.execute(conn);
    }
  });
}
