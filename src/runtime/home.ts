// The data directory: created with restrictive permissions; holds the log-signing key and the first admin token.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generateSigner, parseSignerKey, type NoteSigner } from '../formats/signed-note.js';
import type { Config } from './config.js';

export const signingKeyFile = 'log-signing.key';
export const adminTokenFile = 'admin.token';

export function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
}

function defaultOrigin(): string {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost';
  return `${host}/clearinghouse/${randomBytes(4).toString('hex')}`;
}

/** The Ed25519 key that signs checkpoints: from CLEARINGHOUSE_LOG_KEY, else the key file, else a new one. */
export function loadOrCreateSigner(config: Config): { signer: NoteSigner; created: boolean } {
  if (config.logKey) return { signer: parseSignerKey(config.logKey), created: false };
  const path = join(config.home, signingKeyFile);
  if (existsSync(path)) {
    try {
      return { signer: parseSignerKey(readFileSync(path, 'utf8')), created: false };
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  }
  ensureHome(config.home);
  const signer = generateSigner(config.logOrigin ?? defaultOrigin());
  writeFileSync(path, `${signer.skey}\n`, { mode: 0o600, flag: 'wx' });
  return { signer, created: true };
}

export function writeAdminToken(home: string, secret: string): string {
  ensureHome(home);
  const path = join(home, adminTokenFile);
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
