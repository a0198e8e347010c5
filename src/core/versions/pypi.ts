// PyPI version ordering (PEP 440): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with PEP 440's
// alternative spellings (alpha, c, pre, preview, rev, r, `-N` post releases, separators, a leading `v`).
//
// The grammar is PEP 440's own regular expression as shipped by `@renovatebot/pep440` (VERSION_PATTERN,
// the pattern from PEP 440 Appendix B); the order is PEP 440's "Summary of permitted suffixes and relative
// ordering", the same key as pypa/packaging's `_cmpkey`: epoch, release (trailing zeros ignored), then
// `.devN` of a plain release first, pre-releases, the release, post-releases (a `.devN` of each before it),
// and local versions after their public version (numeric local segments after alphanumeric ones).
// The key is computed once per version with exact digit strings, instead of the library's compare(), which
// re-parses both strings on every call and holds numbers as doubles. Checked in the tests against pypa
// `packaging` (the reference implementation) on random pairs and against the library's compare().
import { VERSION_PATTERN } from '@renovatebot/pep440/lib/version.js';
import { InvalidVersionError, compareDigits, compareStrings, defineOrdering, type Ordering } from './ordering.js';

const PEP440 = new RegExp(`^${VERSION_PATTERN}$`, 'i');

/** Pre-release phase ranks: a < b < rc. */
const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export interface Pep440Key {
  epoch: string;
  /** Trailing zeros removed. */
  release: string[];
  /** -1: a plain `.devN` (before every pre-release); 3: no pre-release; otherwise the phase rank. */
  preRank: number;
  preNumber: string;
  post: string | undefined;
  dev: string | undefined;
  local: string[] | undefined;
}

export function parsePypiVersion(input: string, label = 'PyPI'): Pep440Key {
  const groups = PEP440.exec(input)?.groups;
  if (groups === undefined) throw new InvalidVersionError(input, label, 'not a PEP 440 version');
  const release = (groups.release as string).split('.');
  while (release.length > 0 && /^0+$/.test(release[release.length - 1] as string)) release.pop();
  const preLetter = groups.pre_l?.toLowerCase();
  const post = groups.post_n1 ?? (groups.post_l === undefined ? undefined : (groups.post_n2 ?? '0'));
  const dev = groups.dev_l === undefined ? undefined : (groups.dev_n ?? '0');
  let preRank: number;
  if (preLetter !== undefined) preRank = PRE_RANK[preLetter] as number;
  else preRank = post === undefined && dev !== undefined ? -1 : 3;
  return {
    epoch: groups.epoch ?? '0',
    release,
    preRank,
    preNumber: groups.pre_n ?? '0',
    post,
    dev,
    local: groups.local?.toLowerCase().split(/[-_.]/),
  };
}

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

function compareRelease(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    const c = nx && ny ? compareDigits(x, y) : nx !== ny ? (nx ? 1 : -1) : compareStrings(x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function comparePypiVersions(a: Pep440Key, b: Pep440Key): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    a.preRank - b.preRank ||
    (a.preRank >= 0 && a.preRank <= 2 ? compareDigits(a.preNumber, b.preNumber) : 0) ||
    // no post release sorts before any post release
    (a.post === undefined || b.post === undefined ? (a.post === b.post ? 0 : a.post === undefined ? -1 : 1) : compareDigits(a.post, b.post)) ||
    // no dev release sorts after any dev release
    (a.dev === undefined || b.dev === undefined ? (a.dev === b.dev ? 0 : a.dev === undefined ? 1 : -1) : compareDigits(a.dev, b.dev)) ||
    compareLocal(a.local, b.local)
  );
}

export const pypiOrdering: Ordering = defineOrdering('pypi', 'PyPI', parsePypiVersion, comparePypiVersions);
