// API tokens: 256 random bits behind a recognisable prefix; only their SHA-256 is ever stored.
import { createHash, randomBytes } from 'node:crypto';
import { invalidField } from './errors.js';
import { scopes, type Scope } from './access.js';

const tokenPrefix = 'chs_';
const tokenPattern = /^chs_[A-Za-z0-9_-]{43}$/;
/** How much of a token is shown in listings so people can tell tokens apart. */
const visibleLength = tokenPrefix.length + 8;

export interface IssuedToken {
  secret: string;
  hash: string;
  visiblePrefix: string;
}

export function issueToken(): IssuedToken {
  const secret = tokenPrefix + randomBytes(32).toString('base64url');
  return { secret, hash: hashToken(secret), visiblePrefix: secret.slice(0, visibleLength) };
}

export function looksLikeToken(value: string): boolean {
  return tokenPattern.test(value);
}

/** SHA-256 suffices: the input has 256 bits of entropy, so a slow password hash would add nothing. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function parseScopes(value: unknown, field = '/scopes'): Scope[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidField(field, `scopes must be a non-empty list of ${scopes.join(', ')}`);
  const out = new Set<Scope>();
  value.forEach((s, i) => {
    if (typeof s !== 'string' || !(scopes as readonly string[]).includes(s)) {
      throw invalidField(`${field}/${i}`, `unknown scope ${JSON.stringify(s)}; scopes are ${scopes.join(', ')}`);
    }
    out.add(s as Scope);
  });
  return [...out];
}

export const defaultTokenScopes: readonly Scope[] = ['read', 'write'];
/** Longest lifetime a token may be given, so a leaked token cannot stay useful for ever. */
export const maxTokenLifetimeDays = 400;
