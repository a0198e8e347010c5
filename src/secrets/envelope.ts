// Envelope encryption for embargoed detail: each case has its own AES-256-GCM data key; the data key is stored
// only wrapped (AES-256-GCM) by the master key, which never enters the database. Every sealed value carries
// the id of the key that sealed it and is bound to where it belongs (associated data), so a ciphertext copied
// into another case or field does not open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const version = 'v1';
const nonceBytes = 12;
const tagBytes = 16;

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export interface MasterKey {
  /** First 16 hex characters of SHA-256 of the key: which master key wrapped a data key. */
  readonly id: string;
  readonly bytes: Buffer;
}

export function masterKeyFrom(bytes: Buffer): MasterKey {
  if (bytes.length !== 32) throw new SealError(`a master key is 32 bytes, not ${bytes.length}`);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes: Buffer.from(bytes) };
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < nonceBytes + tagBytes) throw new SealError('the sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, nonceBytes));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(nonceBytes, sealed.length - tagBytes)), decipher.final()]);
  } catch {
    throw new SealError('the sealed value does not open with this key for this place (wrong key, or altered)');
  }
}

/** A fresh data key, and its wrapped form to store: `v1:<master key id>:<base64>`. */
export function newDataKey(master: MasterKey, owner: string): { key: Buffer; wrapped: string } {
  const key = randomBytes(32);
  return { key, wrapped: `${version}:${master.id}:${seal(master.bytes, key, `data-key:${owner}`).toString('base64')}` };
}

export function unwrapDataKey(master: MasterKey, wrapped: string, owner: string): Buffer {
  const [v, id, body] = wrapped.split(':');
  if (v !== version || !id || !body) throw new SealError('not a wrapped data key');
  if (id !== master.id) throw new SealError(`the data key was wrapped by master key ${id}, not by the configured ${master.id}`);
  return open(master.bytes, Buffer.from(body, 'base64'), `data-key:${owner}`);
}

/** Seals a UTF-8 string for one place (`aad`, e.g. `case:<id>:description`): `v1:<base64>`. */
export function sealText(dataKey: Buffer, plaintext: string, aad: string): string {
  return `${version}:${seal(dataKey, Buffer.from(plaintext, 'utf8'), aad).toString('base64')}`;
}

export function openText(dataKey: Buffer, sealed: string, aad: string): string {
  if (!sealed.startsWith(`${version}:`)) throw new SealError('not a sealed value');
  return open(dataKey, Buffer.from(sealed.slice(version.length + 1), 'base64'), aad).toString('utf8');
}

export function sealBytes(dataKey: Buffer, plaintext: Buffer, aad: string): Buffer {
  return Buffer.concat([Buffer.from(`${version}:`), seal(dataKey, plaintext, aad)]);
}

export function openBytes(dataKey: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.subarray(0, 3).toString() !== `${version}:`) throw new SealError('not a sealed value');
  return open(dataKey, sealed.subarray(3), aad);
}
