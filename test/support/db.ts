// One database per test file: embedded PGlite in memory, or — with DATABASE_URL — a fresh database on
// that PostgreSQL server, dropped afterwards. The same tests run on both.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/connect.js';

export const serverUrl = process.env.DATABASE_URL || null;
export const engineName = serverUrl ? 'postgresql-server' : 'embedded';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl! });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the server and returns its URL (server mode only). */
export async function createServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error('createServerDatabase needs DATABASE_URL');
  const name = `ch_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(serverUrl, name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestStore {
  store: Store;
  /** The server database URL, when running against a server. */
  url: string | null;
  close(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  if (!serverUrl) {
    const store = await openStore({ engine: 'memory' });
    return { store, url: null, close: () => store.close() };
  }
  const db = await createServerDatabase();
  const store = await openStore({ engine: 'server', url: db.url });
  return {
    store,
    url: db.url,
    close: async () => {
      await store.close();
      await db.drop();
    },
  };
}
