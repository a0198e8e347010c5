// `vers:` version range specifiers (package-url VERSION-RANGE-SPEC): parsing, validation, canonical form and
// containment, on top of the ecosystem orderings.
//
// `vers:<scheme>/<constraint>|<constraint>|…` where a constraint is `<comparator><version>` with comparator
// one of `=` (implied when absent), `!=`, `<`, `<=`, `>`, `>=`, or the lone star `*` (every version).
// Parsing follows the spec's "Parsing and validating version range specifiers": spaces and tabs removed,
// `vers` and the scheme lower-case, leading/trailing/consecutive pipes ignored, versions percent-decoded.
// `{ canonical: true }` instead rejects anything not already canonical (whitespace, stray pipes, unsorted
// constraints), as the vers-spec canonical-parse tests require.
// Validation (the spec's "Normalized, canonical representation and validation"): every version valid in the
// scheme, each version at most once, and, with `!=` ignored, constraints sorted by version must pair up as
// `=`/`<`/`<=` followed by `=`/`>`/`>=`, and `>`/`>=` followed by `<`/`<=`. Errors name the offending
// constraint(s).
// Containment is the spec's "Checking if a version is contained within a range", read as intervals: equality
// with a `=`, `<=` or `>=` constraint is in, with a `!=` constraint out; otherwise the version is in when it
// falls between a lower bound and the next upper bound, below a leading upper bound, or above a trailing
// lower bound. A range of only `!=` constraints contains every other version.
import { AppError } from '../errors.js';
import { orderingForVersScheme, supportedVersSchemes } from './ecosystems.js';
import { InvalidVersionError, type Ordering } from './ordering.js';

export type VersComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface VersConstraint {
  readonly comparator: VersComparator;
  readonly version: string;
}

export interface VersRange {
  /** The versioning scheme, e.g. `npm`, `deb`, `pypi`, or the generic `all` / `none`. */
  readonly scheme: string;
  /** Undefined only for the `all` and `none` schemes, which compare nothing. */
  readonly ordering: Ordering | undefined;
  /** `*`: every version of the scheme (none for `vers:none/*`). */
  readonly star: boolean;
  /** Sorted by version; empty when `star`. */
  readonly constraints: readonly VersConstraint[];
}

export interface ParseVersOptions {
  /** Reject input that is not already in canonical form instead of normalising it. */
  canonical?: boolean;
}

export class InvalidVersError extends AppError {
  readonly vers: string;
  readonly constraint: string | undefined;

  constructor(vers: string, message: string, constraint?: string, cause?: unknown) {
    super('invalid-field', `invalid vers ${JSON.stringify(vers)}: ${message}`, {
      extra: { vers, ...(constraint === undefined ? {} : { constraint }) },
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'InvalidVersError';
    this.vers = vers;
    this.constraint = constraint;
  }
}

const COMPARATORS: readonly VersComparator[] = ['>=', '<=', '!=', '<', '>'];
/** `<`, `<=`: an upper bound. */
const isLess = (c: VersComparator): boolean => c === '<' || c === '<=';
/** `>`, `>=`: a lower bound. */
const isGreater = (c: VersComparator): boolean => c === '>' || c === '>=';
const show = (c: VersConstraint): string => `${c.comparator === '=' ? '' : c.comparator}${c.version}`;

function percentDecode(vers: string, raw: string, constraint: string): string {
  if (!raw.includes('%')) return raw;
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) throw new InvalidVersError(vers, `invalid percent-encoding in version of constraint ${JSON.stringify(constraint)}`, constraint);
  try {
    return decodeURIComponent(raw);
  } catch (err) {
    throw new InvalidVersError(vers, `invalid percent-encoding in version of constraint ${JSON.stringify(constraint)}`, constraint, err);
  }
}

export function parseVers(text: string, options: ParseVersOptions = {}): VersRange {
  const canonical = options.canonical === true;
  const fail = (message: string, constraint?: string): never => {
    throw new InvalidVersError(text, message, constraint);
  };
  if (typeof text !== 'string') fail('not a string');
  if (canonical && /\s/.test(text)) fail('whitespace is not permitted in canonical form');
  const compact = text.replace(/[ \t]/g, '');
  const colon = compact.indexOf(':');
  if (colon < 0) fail('missing "vers:" URI scheme');
  const uriScheme = compact.slice(0, colon);
  if (uriScheme !== 'vers') fail(`URI scheme must be "vers" (lower-case), not ${JSON.stringify(uriScheme)}`);
  const specifier = compact.slice(colon + 1);
  const slash = specifier.indexOf('/');
  if (slash < 0) fail('missing "/" after the versioning scheme');
  const scheme = specifier.slice(0, slash);
  if (scheme === '') fail('the versioning scheme is empty');
  if (scheme !== scheme.toLowerCase()) fail(`the versioning scheme must be lower-case: ${JSON.stringify(scheme)}`);
  const body = specifier.slice(slash + 1);
  if (body.replace(/\|/g, '') === '') fail('no version constraints');

  if (scheme === 'all' || scheme === 'none') {
    if (body !== '*') fail(`"vers:${scheme}/*" is the only valid form of the ${scheme} scheme`);
    return { scheme, ordering: undefined, star: true, constraints: [] };
  }
  const ordering = orderingForVersScheme(scheme);
  if (ordering === undefined) {
    fail(`unknown versioning scheme ${JSON.stringify(scheme)} (known: ${[...supportedVersSchemes, 'all', 'none'].join(', ')})`);
  }
  const order = ordering as Ordering;
  if (body === '*') return { scheme, ordering: order, star: true, constraints: [] };

  if (canonical) {
    if (body.startsWith('|')) fail('a leading pipe is not permitted in canonical form');
    if (body.endsWith('|')) fail('a trailing pipe is not permitted in canonical form');
    if (body.includes('||')) fail('consecutive pipes are not permitted in canonical form');
  }
  const parsed: VersConstraint[] = [];
  for (const raw of body.split('|')) {
    if (raw === '') continue;
    if (raw.includes('*')) fail(`"*" must be used alone, without other constraints (constraint ${JSON.stringify(raw)})`, raw);
    const comparator = COMPARATORS.find((c) => raw.startsWith(c)) ?? '=';
    const encoded = comparator === '=' ? raw : raw.slice(comparator.length);
    if (encoded === '') fail(`constraint ${JSON.stringify(raw)} has no version`, raw);
    const version = percentDecode(text, encoded, raw);
    try {
      order.assertValid(version);
    } catch (err) {
      if (err instanceof InvalidVersionError) {
        throw new InvalidVersError(text, `constraint ${JSON.stringify(raw)}: ${err.message}`, raw, err);
      }
      throw err;
    }
    parsed.push({ comparator, version });
  }

  const sorted = parsed.map((c, i) => ({ c, i })).sort((x, y) => order.compare(x.c.version, y.c.version) || x.i - y.i);
  for (let k = 1; k < sorted.length; k++) {
    const prev = (sorted[k - 1] as { c: VersConstraint }).c;
    const cur = (sorted[k] as { c: VersConstraint }).c;
    if (order.compare(prev.version, cur.version) === 0) {
      fail(`constraints ${JSON.stringify(show(prev))} and ${JSON.stringify(show(cur))} repeat the version ${JSON.stringify(cur.version)}; each version may appear once`, show(cur));
    }
  }
  if (canonical && sorted.some(({ i }, k) => i !== k)) fail('constraints are not sorted by version');
  const constraints = sorted.map(({ c }) => c);

  const nonExclusions = constraints.filter((c) => c.comparator !== '!=');
  for (let k = 1; k < nonExclusions.length; k++) {
    const prev = nonExclusions[k - 1] as VersConstraint;
    const cur = nonExclusions[k] as VersConstraint;
    if (isGreater(prev.comparator) && !isLess(cur.comparator)) {
      fail(`constraint ${JSON.stringify(show(cur))} cannot follow ${JSON.stringify(show(prev))}: after a lower bound (">" or ">=") the next constraint must be an upper bound ("<" or "<=")`, show(cur));
    }
    if (!isGreater(prev.comparator) && isLess(cur.comparator)) {
      fail(`constraint ${JSON.stringify(show(cur))} cannot follow ${JSON.stringify(show(prev))}: after "=", "<" or "<=" the next constraint must be "=", ">" or ">="`, show(cur));
    }
  }
  return { scheme, ordering: order, star: false, constraints };
}

/** Is `version` inside the range? Throws InvalidVersionError if it is not a version of the range's scheme. */
export function versContains(range: VersRange | string, version: string): boolean {
  const r = typeof range === 'string' ? parseVers(range) : range;
  if (r.star) return r.scheme !== 'none';
  const ordering = r.ordering as Ordering;
  ordering.assertValid(version);
  for (const c of r.constraints) {
    if ((c.comparator === '=' || c.comparator === '<=' || c.comparator === '>=') && ordering.compare(version, c.version) === 0) return true;
  }
  for (const c of r.constraints) {
    if (c.comparator === '!=' && ordering.compare(version, c.version) === 0) return false;
  }
  const bounds = r.constraints.filter((c) => c.comparator !== '=' && c.comparator !== '!=');
  if (bounds.length === 0) return r.constraints.every((c) => c.comparator === '!=');
  let below = 0; // bounds strictly below the version
  for (const c of bounds) {
    const cmp = ordering.compare(c.version, version);
    if (cmp === 0) return false; // equal to an exclusive bound (inclusive ones returned above)
    if (cmp < 0) below++;
  }
  if (below === 0) return isLess((bounds[0] as VersConstraint).comparator);
  if (below === bounds.length) return isGreater((bounds[bounds.length - 1] as VersConstraint).comparator);
  return isGreater((bounds[below - 1] as VersConstraint).comparator) && isLess((bounds[below] as VersConstraint).comparator);
}

/** Percent-encodes what may not appear literally in a vers version: separators, comparators, `%`, spaces, non-ASCII. */
function encodeVersion(version: string): string {
  return version.replace(/[%<>=!*|\s]|[^\x20-\x7e]+/g, (m) => encodeURIComponent(m).replace(/[!*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`));
}

/** The canonical string: sorted constraints, no spaces, `=` left implicit. */
export function formatVers(range: VersRange): string {
  if (range.star) return `vers:${range.scheme}/*`;
  return `vers:${range.scheme}/${range.constraints.map((c) => `${c.comparator === '=' ? '' : c.comparator}${encodeVersion(c.version)}`).join('|')}`;
}
