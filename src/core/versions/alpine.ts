// Alpine (apk) version ordering: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`, also used by Wolfi,
// Chainguard and Alpaquita.
//
// Hand-written (no npm package implements it) as a port of apk-tools' src/version.c (apk-tools 2.14/3.x:
// `token_first`, `token_next`, `token_cmp`, `apk_version_compare_fuzzy`, `apk_version_validate`):
// - the first number and `-rN` revisions compare numerically; later dot-separated numbers too, unless
//   either has a leading zero, when their digits compare as strings (Gentoo rule: 1.02 < 1.1);
// - one lowercase letter may follow the numbers (1.2a < 1.2b);
// - suffixes `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`, each with an optional
//   number; `~hash` compares as a string; a longer version is newer unless its next token is a pre-release
//   suffix (1.0_rc1 < 1.0 < 1.0_p1 < 1.0-r1).
// apk keeps numbers in 64 bits; here they compare at any length (identical below 2^64).
import { InvalidVersionError, compareDigits, defineOrdering, type Ordering } from './ordering.js';

/** apk's token kinds; the order matters (a token may only be followed by later kinds, mostly). */
const Token = {
  InitialDigit: 0,
  Digit: 1,
  Letter: 2,
  Suffix: 3,
  SuffixNo: 4,
  CommitHash: 5,
  RevisionNo: 6,
  End: 7,
  Invalid: 8,
} as const;
type Token = (typeof Token)[keyof typeof Token];

/** apk's suffix order; NONE is the pivot between pre-release and post-release suffixes. */
const SUFFIX_NONE = 5;
const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };

interface TokenState {
  token: Token;
  /** The token's text (digits, letter, suffix name or hash). */
  value: string;
  suffix: number;
  pos: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function parseDigits(t: TokenState, s: string): void {
  const start = t.pos;
  while (t.pos < s.length && isDigit(s.charCodeAt(t.pos))) t.pos++;
  t.value = s.slice(start, t.pos);
  if (t.value === '') t.token = Token.Invalid;
}

function first(s: string): TokenState {
  const t: TokenState = { token: Token.InitialDigit, value: '', suffix: 0, pos: 0 };
  parseDigits(t, s);
  return t;
}

function next(t: TokenState, s: string): void {
  if (t.pos >= s.length) {
    t.token = Token.End;
    return;
  }
  const c = s.charCodeAt(t.pos);
  if (isLower(c)) {
    if (t.token > Token.Digit) return invalid(t);
    t.value = s[t.pos] as string;
    t.token = Token.Letter;
    t.pos++;
    return;
  }
  if (c === 46 /* . */ || isDigit(c)) {
    if (c === 46) {
      if (t.token > Token.Digit) return invalid(t);
      t.pos++;
    }
    if (t.token === Token.InitialDigit || t.token === Token.Digit) t.token = Token.Digit;
    else if (t.token === Token.Suffix) t.token = Token.SuffixNo;
    else return invalid(t);
    parseDigits(t, s);
    return;
  }
  if (c === 95 /* _ */) {
    if (t.token > Token.SuffixNo) return invalid(t);
    const start = ++t.pos;
    while (t.pos < s.length && isLower(s.charCodeAt(t.pos))) t.pos++;
    t.value = s.slice(start, t.pos);
    const suffix = SUFFIXES[t.value];
    if (suffix === undefined) return invalid(t);
    t.suffix = suffix;
    t.token = Token.Suffix;
    return;
  }
  if (c === 126 /* ~ */) {
    if (t.token >= Token.CommitHash) return invalid(t);
    const start = ++t.pos;
    while (t.pos < s.length && isHex(s.charCodeAt(t.pos))) t.pos++;
    t.value = s.slice(start, t.pos);
    if (t.value === '') return invalid(t);
    t.token = Token.CommitHash;
    return;
  }
  if (c === 45 /* - */) {
    if (t.token >= Token.RevisionNo || s[t.pos + 1] !== 'r') return invalid(t);
    t.pos += 2;
    t.token = Token.RevisionNo;
    parseDigits(t, s);
    return;
  }
  invalid(t);
}

function invalid(t: TokenState): void {
  t.token = Token.Invalid;
}

/** apk_blob_sort: bytes, then length. */
const blobSort = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function tokenCmp(a: TokenState, b: TokenState): number {
  switch (a.token) {
    case Token.Digit:
      // A leading zero in either makes it a string comparison, as in Gentoo.
      if (a.value[0] === '0' || b.value[0] === '0') return blobSort(a.value, b.value);
      return compareDigits(a.value, b.value);
    case Token.InitialDigit:
    case Token.SuffixNo:
    case Token.RevisionNo:
      return compareDigits(a.value, b.value);
    case Token.Letter:
      return blobSort(a.value, b.value);
    case Token.Suffix:
      return a.suffix - b.suffix;
    default:
      return blobSort(a.value, b.value);
  }
}

/**
 * apk's comparison exactly, including its treatment of malformed versions (a malformed tail sorts low).
 * Use `alpineOrdering.compare` to reject malformed versions instead.
 */
export function apkVersionCompare(a: string, b: string): -1 | 0 | 1 {
  const ta = first(a);
  const tb = first(b);
  while (ta.token === tb.token && ta.token < Token.End) {
    const r = tokenCmp(ta, tb);
    if (r !== 0) return r < 0 ? -1 : 1;
    next(ta, a);
    next(tb, b);
  }
  if (ta.token === tb.token) return 0;
  if (ta.token === Token.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.token === Token.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  if (ta.token > tb.token) return -1;
  if (tb.token > ta.token) return 1;
  return 0;
}

/** apk_version_validate, with the position of the first malformed token for the message. */
export function apkVersionProblem(version: string): string | undefined {
  if (version === '') return 'version string is empty';
  const t = first(version);
  let at = 0;
  while (t.token < Token.End) {
    at = t.pos;
    next(t, version);
  }
  if (t.token === Token.End) return undefined;
  return `malformed at offset ${at} (${JSON.stringify(version.slice(at))}); expected digits{.digits}[letter]{_alpha|_beta|_pre|_rc|_cvs|_svn|_git|_hg|_p[N]}[~hash][-rN]`;
}

export const alpineOrdering: Ordering = defineOrdering(
  'apk',
  'Alpine',
  (version, label) => {
    const problem = apkVersionProblem(version);
    if (problem !== undefined) throw new InvalidVersionError(version, label, problem);
    return version;
  },
  apkVersionCompare,
);
