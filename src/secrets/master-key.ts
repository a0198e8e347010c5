// Where the master key comes from: CLEARINGHOUSE_MASTER_KEY (64 hex characters or base64 of 32 bytes), else
// `master.key` in the data directory, made (mode 0600) on first start. The database never holds it: a copy of
// the database alone opens nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { masterKeyFrom, type MasterKey } from './envelope.js';

export function parseMasterKey(text: string, where: string): MasterKey {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.length !== 32) throw new Error(`${where} must be 32 bytes as 64 hex characters or base64, not ${bytes.length} bytes`);
  return masterKeyFrom(bytes);
}

export function loadOrCreateMasterKey(home: string, fromEnv: string | null): { key: MasterKey; created: boolean } {
  if (fromEnv) return { key: parseMasterKey(fromEnv, 'CLEARINGHOUSE_MASTER_KEY'), created: false };
  const file = join(home, 'master.key');
  if (existsSync(file)) return { key: parseMasterKey(readFileSync(file, 'utf8'), file), created: false };
  const bytes = randomBytes(32);
  writeFileSync(file, `${bytes.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return { key: masterKeyFrom(bytes), created: true };
}
