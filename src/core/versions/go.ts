// Go module version ordering: semantic versions with a `v` prefix, `+incompatible`, and pseudo-versions.
//
// Hand-written after golang.org/x/mod/semver (semver.go: `parse`, `Compare`, `comparePrerelease`) and
// golang.org/x/mod/module (pseudo.go: `IsPseudoVersion`):
// - `vMAJOR` and `vMAJOR.MINOR` are shorthands for `vMAJOR.0.0` and `vMAJOR.MINOR.0` (without pre-release
//   or build); numbers have no leading zeros and compare at any length;
// - build metadata such as `+incompatible` is ignored by the order (v2.0.0+incompatible == v2.0.0);
// - a pseudo-version (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.20191109021931-daa7c04131f5`,
//   `v1.2.3-pre.0.20191109021931-daa7c04131f5`) is a pre-release, so it sorts before its base release and
//   pseudo-versions of one base sort by commit time, exactly as Go orders them.
// OSV's Go records write versions without the `v`; both spellings are accepted here.
import { InvalidVersionError, compareDigits, compareStrings, defineOrdering, type Ordering } from './ordering.js';

export interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  /** Dot-separated identifiers, empty for a release. */
  prerelease: string[];
  build: string;
}

const NUM = '(0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const GO_SEMVER = new RegExp(
  `^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?)?)?$`,
);
const PSEUDO = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

const isNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

export function parseGoVersion(input: string, label = 'Go'): GoVersion {
  const text = input.startsWith('v') ? input : `v${input}`;
  const m = GO_SEMVER.exec(text);
  if (m === null) {
    throw new InvalidVersionError(input, label, 'not a Go semantic version (vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]])');
  }
  const [, major = '0', minor, patch, pre, build] = m;
  if (patch === undefined && (pre !== undefined || build !== undefined)) {
    throw new InvalidVersionError(input, label, 'a shorthand version cannot have a pre-release or build suffix');
  }
  const prerelease = pre === undefined ? [] : pre.split('.');
  for (const id of prerelease) {
    if (isNumeric(id) && id.length > 1 && id.startsWith('0')) {
      throw new InvalidVersionError(input, label, `numeric pre-release identifier ${JSON.stringify(id)} has a leading zero`);
    }
  }
  return { major, minor: minor ?? '0', patch: patch ?? '0', prerelease, build: build ?? '' };
}

/** Semantic Versioning 2.0 §11 pre-release precedence (what Go's comparePrerelease implements). */
export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const nx = isNumeric(x);
    const ny = isNumeric(y);
    if (nx !== ny) return nx ? -1 : 1;
    return nx ? compareDigits(x, y) : compareStrings(x, y);
  }
  return a.length - b.length;
}

export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

/** True for Go pseudo-versions (golang.org/x/mod/module.IsPseudoVersion); `v` optional as elsewhere here. */
export function isPseudoVersion(version: string): boolean {
  const text = version.startsWith('v') ? version : `v${version}`;
  return (text.match(/-/g)?.length ?? 0) >= 2 && GO_SEMVER.test(text) && PSEUDO.test(text);
}

export const goOrdering: Ordering = defineOrdering('golang', 'Go', parseGoVersion, compareGoVersions);
