// RPM version ordering (Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, Mageia, openEuler, Photon OS):
// `[epoch:]version[-release]` compared by epoch, then version, then release, each with rpmvercmp.
//
// Hand-written (nothing on npm implements it) after rpm's rpmio/rpmvercmp.cc `rpmvercmp` (segments of ASCII
// letters or digits; digits beat letters; leading zeros ignored; `~` sorts before everything including the
// end of the string, `^` after the end but before any further segment) and rpmio/rpmver.cc `parseEVR`
// (epoch = leading digits before `:`, release = text after the last `-`). A missing epoch is 0 and a missing
// release sorts before any release, as `rpm.vercmp()` of rpm 4.18 does. Tested against rpm's own
// tests/rpmvercmp.at vectors and, where the `rpm` binary exists, against `rpm.vercmp()` on random EVRs.
import { InvalidVersionError, compareDigits, defineOrdering, type Ordering } from './ordering.js';

export interface RpmVersion {
  epoch: string;
  version: string;
  /** Empty when the EVR has no release. */
  release: string;
  hasRelease: boolean;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const TILDE = 126;
const CARET = 94;

/** rpm's `rpmvercmp` on one version or release string: -1, 0 or 1. Accepts any string, as rpm does. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isDigit(a.charCodeAt(i)) && !isAlpha(a.charCodeAt(i)) && a.charCodeAt(i) !== TILDE && a.charCodeAt(i) !== CARET) i++;
    while (j < b.length && !isDigit(b.charCodeAt(j)) && !isAlpha(b.charCodeAt(j)) && b.charCodeAt(j) !== TILDE && b.charCodeAt(j) !== CARET) j++;
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    // The tilde separator sorts before everything else.
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // The caret is like the tilde, except that the end of a string sorts before it.
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let ei = i;
    let ej = j;
    const numeric = isDigit(ca);
    if (numeric) {
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
    } else {
      while (ei < a.length && isAlpha(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isAlpha(b.charCodeAt(ej))) ej++;
    }
    // Segments of different kinds: the numeric one is newer.
    if (ej === j) return numeric ? 1 : -1;
    const segA = a.slice(i, ei);
    const segB = b.slice(j, ej);
    const rc = numeric ? compareDigits(segA, segB) : segA < segB ? -1 : segA > segB ? 1 : 0;
    if (rc !== 0) return rc < 0 ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

const VERSION_CHARS = /^[A-Za-z0-9._+~^]+$/;

/** Splits an EVR as rpm's `parseEVR` does and checks that each part is made of rpm's version characters. */
export function parseRpmVersion(input: string, label = 'RPM'): RpmVersion {
  const fail = (reason: string): never => {
    throw new InvalidVersionError(input, label, reason);
  };
  if (input === '') fail('version string is empty');
  if (/\s/.test(input)) fail('version string contains whitespace');
  let epoch = '0';
  let rest = input;
  const epochEnd = /^[0-9]*/.exec(input)?.[0].length ?? 0;
  if (input[epochEnd] === ':') {
    if (epochEnd > 0) epoch = input.slice(0, epochEnd);
    rest = input.slice(epochEnd + 1);
  }
  if (rest.includes(':')) fail('":" may only end a numeric epoch');
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (version === '') fail('version is empty');
  if (hyphen >= 0 && release === '') fail('release is empty');
  if (!VERSION_CHARS.test(version)) fail('version may hold only letters, digits and "._+~^" (no "-")');
  if (hyphen >= 0 && !VERSION_CHARS.test(release)) fail('release may hold only letters, digits and "._+~^"');
  return { epoch, version, release, hasRelease: hyphen >= 0 };
}

export function compareRpmVersions(a: RpmVersion, b: RpmVersion): number {
  return compareDigits(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

export const rpmOrdering: Ordering = defineOrdering('rpm', 'RPM', parseRpmVersion, compareRpmVersions);
