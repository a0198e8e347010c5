// The one interface every ecosystem's version ordering implements, and the error an unparseable version raises.
// Each ordering parses a version into a comparable key and compares keys; a version it cannot parse is an
// InvalidVersionError naming the version and the ordering, never a guess at its place in the order.
import { AppError } from '../errors.js';

/** Ordering ids: the purl type / vers scheme of each ecosystem, plus `semver` for OSV `SEMVER` ranges. */
export type OrderingName =
  | 'semver'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'golang'
  | 'cargo'
  | 'gem'
  | 'nuget'
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'intdot'
  | 'lexicographic';

export interface Ordering {
  readonly name: OrderingName;
  /** Human name used in messages, e.g. `Debian`. */
  readonly label: string;
  /** -1, 0 or 1. Throws InvalidVersionError when either side is not a version of this ecosystem. */
  compare(a: string, b: string): -1 | 0 | 1;
  isValid(version: string): boolean;
  /** Throws InvalidVersionError (naming the version, the ecosystem and what is wrong) unless valid. */
  assertValid(version: string): void;
}

export class InvalidVersionError extends AppError {
  readonly version: string;
  readonly ordering: string;
  readonly reason: string;

  constructor(version: string, ordering: string, reason: string) {
    super('invalid-field', `invalid ${ordering} version ${JSON.stringify(version)}: ${reason}`, {
      extra: { version, ecosystem: ordering },
    });
    this.name = 'InvalidVersionError';
    this.version = version;
    this.ordering = ordering;
    this.reason = reason;
  }
}

export function isInvalidVersionError(err: unknown): err is InvalidVersionError {
  return err instanceof InvalidVersionError;
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Parsed keys are cached per ordering (bounded): range bounds are compared against many versions. */
const CACHE_LIMIT = 20_000;

/**
 * Builds an Ordering from a parser (which throws InvalidVersionError) and a key comparison.
 * `parse` receives the label so its errors name the ecosystem the caller asked for.
 */
export function defineOrdering<K>(
  name: OrderingName,
  label: string,
  parse: (version: string, label: string) => K,
  compareKeys: (a: K, b: K) => number,
): Ordering {
  const cache = new Map<string, K>();
  const key = (version: string): K => {
    const hit = cache.get(version);
    if (hit !== undefined) return hit;
    if (typeof version !== 'string') throw new InvalidVersionError(String(version), label, 'not a string');
    const parsed = parse(version, label);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(version, parsed);
    return parsed;
  };
  return {
    name,
    label,
    compare: (a, b) => sign(compareKeys(key(a), key(b))),
    isValid: (version) => {
      try {
        key(version);
        return true;
      } catch (err) {
        if (err instanceof InvalidVersionError) return false;
        throw err;
      }
    },
    assertValid: (version) => {
      key(version);
    },
  };
}

/** Compares two strings of ASCII digits as non-negative integers of any length. */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (code unit) string comparison, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
