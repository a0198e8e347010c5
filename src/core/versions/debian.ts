// Debian (and Ubuntu) version ordering, as dpkg orders `[epoch:]upstream[-revision]`.
//
// Hand-written after dpkg's lib/dpkg/version.c (`order`, `verrevcmp`, `dpkg_version_compare`) and the
// syntax checks of lib/dpkg/parsehelp.c (`parseversion`), as described in Debian Policy §5.6.12. The npm
// package `deb-version-compare` was tried first and disagrees with `dpkg --compare-versions` (it orders
// `1` before `01`, letters before digits at a segment start, and loses precision past 2^53), so it is not
// used. The test suite checks this module against `dpkg --compare-versions` on thousands of generated pairs.
import { InvalidVersionError, compareDigits, defineOrdering, type Ordering } from './ordering.js';

export interface DebianVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Splits and checks a version the way dpkg's `parseversion` does. dpkg only warns about a version that does
 * not start with a digit or holds characters outside its alphabet; we reject those too, so a mistyped
 * version never lands silently somewhere in the order.
 */
export function parseDebianVersion(input: string, label = 'Debian'): DebianVersion {
  const fail = (reason: string): never => {
    throw new InvalidVersionError(input, label, reason);
  };
  const text = input.trim();
  if (text === '') fail('version string is empty');
  if (/\s/.test(text)) fail('version string has embedded spaces');
  let epoch = '0';
  let rest = text;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    epoch = text.slice(0, colon);
    if (epoch === '') fail('epoch in version is empty');
    if (!/^[0-9]+$/.test(epoch)) fail('epoch in version is not a number');
    if (compareDigits(epoch, '2147483647') > 0) fail('epoch in version is too big');
    rest = text.slice(colon + 1);
    if (rest === '') fail('nothing after colon in version number');
  }
  let upstream = rest;
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === '') fail('revision number is empty');
  }
  if (upstream === '') fail('version number is empty');
  if (!isDigit(upstream.charCodeAt(0))) fail('version number does not start with digit');
  for (let i = 0; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && !'.-+~:'.includes(upstream[i] as string)) {
      fail(`invalid character ${JSON.stringify(upstream[i])} in version number`);
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && !'.+~'.includes(revision[i] as string)) {
      fail(`invalid character ${JSON.stringify(revision[i])} in revision number`);
    }
  }
  return { epoch, upstream, revision };
}

/** dpkg's `order`: `~` sorts before everything (even the end), then the end and digits, letters, the rest. */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** dpkg's `verrevcmp`: alternating non-digit runs (compared by `order`) and digit runs (compared as numbers). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export function compareDebianVersions(a: DebianVersion, b: DebianVersion): number {
  return compareDigits(a.epoch, b.epoch) || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const debianOrdering: Ordering = defineOrdering('deb', 'Debian', parseDebianVersion, compareDebianVersions);
