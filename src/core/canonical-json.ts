// RFC 8785 JSON Canonicalization Scheme: the one byte form used wherever a JSON value is hashed or signed.
import { createHash } from 'node:crypto';
import canonicalizeLib from 'canonicalize';

const canonicalize = canonicalizeLib as unknown as (value: unknown) => string | undefined;

export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value has no JSON form');
  return out;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** Hex SHA-256 of a value's canonical JSON: how the log commits to an object's state without holding it. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalBytes(value)).digest('hex');
}
