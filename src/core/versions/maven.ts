// Maven version ordering, per the POM reference's "Version Order Specification" as OSV.dev implements it
// (google/osv.dev osv/ecosystems/maven.py), so records are evaluated with the order OSV enumerated them by.
//
// Hand-written: `mvncmp` (the only npm port of Maven's ComparableVersion) implements Maven 3.0–3.8 rules and
// failed 23 of the POM-spec/osv.dev vectors in our tests (e.g. `11.a2 < 11b`, `1-0.alpha < 1`).
// The algorithm:
// - split on `.` and `-` (kept as each token's prefix); a digit/letter transition is a `-`; an empty token is 0;
// - lower-case; `cr` = `rc`; `ga`, `final`, `release` = "" (the release); `a`, `b`, `m` directly followed by a
//   digit mean `alpha`, `beta`, `milestone`; leading zeros are dropped;
// - trailing "null" tokens (0, "") are trimmed, at the end and before each `-`;
// - compare token by token, padding the shorter version with nulls (`.0` or `-""` after the other's prefix):
//   same prefix: numbers numerically and after qualifiers; qualifiers alpha < beta < milestone < rc <
//   snapshot < "" < sp < any other (lexical); different prefixes: `.qualifier` < `-qualifier` < `-number` <
//   `.number`.
// One deliberate difference from maven.py: a padding `.0` compared with a qualifier counts as the release
// qualifier "" (as Maven's own ComparableVersion does), so `1.sp > 1` and `1.ga.1 > 1`; maven.py ranks
// that padding as an unknown qualifier. Newer Maven (3.9+, MNG-7644) also orders `1.0.0.RC1 < 1.0.0-RC2`
// and `2.0.a` vs `2-1` differently; OSV.dev does not, and neither do we.
import { InvalidVersionError, compareDigits, compareStrings, defineOrdering, type Ordering } from './ordering.js';

interface MavenToken {
  prefix: '' | '.' | '-';
  value: string;
  numeric: boolean;
  /** Padding added to the shorter version while comparing. */
  isNull: boolean;
}

const KEYWORDS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const UNKNOWN = KEYWORDS.length;
const RELEASE_INDEX = KEYWORDS.indexOf('');

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export function parseMavenVersion(input: string, label = 'Maven'): MavenToken[] {
  if (input === '') throw new InvalidVersionError(input, label, 'version string is empty');
  if (/[\s\u0000-\u001f\u007f]/.test(input)) throw new InvalidVersionError(input, label, 'version string contains whitespace or control characters');
  const tokens: MavenToken[] = [];
  const parts = input.split(/([-.])/);
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i] as string;
    let prefix: MavenToken['prefix'] = i === 0 ? '' : (parts[i - 1] as '.' | '-');
    const cuts: number[] = [];
    for (let k = 0; k + 1 < part.length; k++) {
      if (isDigit(part.charCodeAt(k)) !== isDigit(part.charCodeAt(k + 1))) cuts.push(k + 1);
    }
    cuts.push(part.length);
    let start = 0;
    cuts.forEach((cut, j) => {
      if (j > 0) prefix = '-';
      let value = part.slice(start, cut).toLowerCase();
      if (value === '') value = '0';
      if (value === 'cr') value = 'rc';
      if (value === 'ga' || value === 'final' || value === 'release') value = '';
      if (cut !== part.length) {
        if (value === 'a') value = 'alpha';
        else if (value === 'b') value = 'beta';
        else if (value === 'm') value = 'milestone';
      }
      const numeric = isNumeric(value);
      if (numeric) value = value.replace(/^0+(?=.)/, '');
      tokens.push({ prefix, value, numeric, isNull: false });
      start = cut;
    });
  }
  // Trim trailing nulls, at the end and before every `-` (each `-` starts a sub-list in Maven's model).
  let i = tokens.length - 1;
  while (i > 0) {
    const t = tokens[i] as MavenToken;
    if (t.value === '0' || t.value === '') {
      tokens.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && (tokens[i] as MavenToken).prefix !== '-') i--;
    i--;
  }
  return tokens;
}

function keywordIndex(t: MavenToken): number {
  if (t.isNull) return RELEASE_INDEX;
  const k = KEYWORDS.indexOf(t.value);
  return k < 0 ? UNKNOWN : k;
}

/** `.qualifier` < `-qualifier` < `-number` < `.number` */
function prefixRank(t: MavenToken): number {
  if (t.numeric) return t.prefix === '-' ? 2 : 3;
  return t.prefix === '-' ? 1 : 0;
}

function compareTokens(l: MavenToken, r: MavenToken): number {
  if (l.prefix === r.prefix && l.value === r.value) return 0;
  if (l.prefix !== r.prefix) return prefixRank(l) - prefixRank(r);
  if (l.numeric && r.numeric) return compareDigits(l.value, r.value);
  if (l.numeric && !l.isNull) return 1;
  if (r.numeric && !r.isNull) return -1;
  const li = keywordIndex(l);
  const ri = keywordIndex(r);
  if (li === UNKNOWN && ri === UNKNOWN) return compareStrings(l.value, r.value);
  return li - ri;
}

const padFor = (other: MavenToken): MavenToken =>
  other.prefix === '-'
    ? { prefix: '-', value: '', numeric: false, isNull: true }
    : { prefix: '.', value: '0', numeric: true, isNull: true };

export function compareMavenVersions(a: readonly MavenToken[], b: readonly MavenToken[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? padFor(b[i] as MavenToken);
    const r = b[i] ?? padFor(a[i] as MavenToken);
    const c = compareTokens(l, r);
    if (c !== 0) return c;
  }
  return 0;
}

export const mavenOrdering: Ordering = defineOrdering('maven', 'Maven', parseMavenVersion, compareMavenVersions);
