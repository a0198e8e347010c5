// RFC 6962 §2.1 hashing: domain-separated leaf and interior-node hashes over SHA-256.
import { createHash } from 'node:crypto';

export type Hash = Buffer;

export const hashSize = 32;

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(Buffer.of(0)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

/** The root of a tree with no leaves: SHA-256 of the empty string. */
export const emptyRoot: Hash = createHash('sha256').digest();
