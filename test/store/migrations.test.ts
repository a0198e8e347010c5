// Migrations: recorded in schema_migrations, applied once, and safe when processes start together.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/connect.js';
import { createServerDatabase, engineName, openTestStore, serverUrl, type TestStore } from '../support/db.js';

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(() => t?.close());

describe(`migrations (${engineName})`, () => {
  it('records every applied migration and applies nothing twice', async () => {
    const rows = await sql<{ name: string }>`SELECT name FROM schema_migrations ORDER BY name`.execute(t.store.db);
    expect(rows.rows.map((r) => r.name)).toContain('0001_foundation');
    const again = await migrateToLatest(t.store.db);
    expect(again.applied).toEqual([]);
  });
});

describe.skipIf(!serverUrl)('migrations on a server', () => {
  it('two processes starting at once on an empty database both come up, and the schema is applied once', async () => {
    const db = await createServerDatabase();
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ engine: 'server', url: db.url })));
      const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations`.execute(stores[0]!.db);
      const files = await sql<{ n: number }>`SELECT count(*)::int AS n FROM schema_migrations WHERE name = '0001_foundation'`.execute(stores[0]!.db);
      expect(files.rows[0]!.n).toBe(1);
      expect(rows.rows[0]!.n).toBeGreaterThanOrEqual(1);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await db.drop();
    }
  });
});
