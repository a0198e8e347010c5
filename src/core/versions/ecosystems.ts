// One version ordering per ecosystem, found by OSV ecosystem name, purl type or vers scheme.
// Library-backed where a well-kept one exists and agrees with its ecosystem's reference implementation
// (`semver` for npm, crates.io and SEMVER ranges; `@renovatebot/pep440`'s PEP 440 grammar for PyPI);
// hand-written modules for the rest, each citing the algorithm it follows and why no library was used.
import semver from 'semver';
import { alpineOrdering } from './alpine.js';
import { debianOrdering } from './debian.js';
import { gemOrdering } from './gem.js';
import { goOrdering } from './go.js';
import { mavenOrdering } from './maven.js';
import { nugetOrdering } from './nuget.js';
import { pypiOrdering } from './pypi.js';
import { InvalidVersionError, compareDigits, defineOrdering, type Ordering, type OrderingName } from './ordering.js';
import { rpmOrdering } from './rpm.js';

function semverParser(strict: boolean) {
  return (version: string, label: string): semver.SemVer => {
    if (strict && !/^[0-9]/.test(version)) {
      throw new InvalidVersionError(version, label, 'a semantic version starts with a digit (no "v", "=" or spaces)');
    }
    const parsed = semver.parse(version);
    if (parsed === null) throw new InvalidVersionError(version, label, 'not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])');
    return parsed;
  };
}
const compareSemver = (a: semver.SemVer, b: semver.SemVer): number => a.compare(b);

/** npm: node-semver's own parse and precedence (build metadata ignored; a leading `v` or `=` is tolerated, as npm does). */
export const npmOrdering = defineOrdering('npm', 'npm', semverParser(false), compareSemver);
/** crates.io: SemVer 2.0 precedence, strict syntax. */
export const cargoOrdering = defineOrdering('cargo', 'crates.io', semverParser(true), compareSemver);
/** OSV `SEMVER` ranges and the vers `semver` scheme: SemVer 2.0 precedence; a leading `v` is stripped, as OSV.dev does. */
export const semverOrdering = defineOrdering('semver', 'SemVer', semverParser(false), compareSemver);

/** vers `intdot`: dot-separated non-negative integers, leading zeros ignored, missing parts 0. */
export const intdotOrdering = defineOrdering(
  'intdot',
  'intdot',
  (version, label) => {
    if (!/^[0-9]+(\.[0-9]+)*$/.test(version)) throw new InvalidVersionError(version, label, 'expected integers separated by dots');
    return version.split('.');
  },
  (a, b) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
      if (c !== 0) return c;
    }
    return 0;
  },
);

/** vers `lexicographic`: UTF-8 bytes, unsigned, no normalisation. */
export const lexicographicOrdering = defineOrdering(
  'lexicographic',
  'lexicographic',
  (version, label) => {
    if (version === '') throw new InvalidVersionError(version, label, 'version string is empty');
    return Buffer.from(version, 'utf8');
  },
  (a, b) => Buffer.compare(a, b),
);

export { alpineOrdering, debianOrdering, gemOrdering, goOrdering, mavenOrdering, nugetOrdering, pypiOrdering, rpmOrdering };

export const orderings: Readonly<Record<OrderingName, Ordering>> = {
  semver: semverOrdering,
  npm: npmOrdering,
  pypi: pypiOrdering,
  maven: mavenOrdering,
  golang: goOrdering,
  cargo: cargoOrdering,
  gem: gemOrdering,
  nuget: nugetOrdering,
  deb: debianOrdering,
  apk: alpineOrdering,
  rpm: rpmOrdering,
  intdot: intdotOrdering,
  lexicographic: lexicographicOrdering,
};

/**
 * OSV ecosystem names (the part before any `:` suffix such as `Debian:12`, `Ubuntu:22.04:LTS`,
 * `Maven:https://…`, `Red Hat:rhel_aus:8.4::appstream`) to orderings. Case-sensitive, as OSV's names are.
 */
const OSV_ECOSYSTEMS: Readonly<Record<string, OrderingName>> = {
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Debian: 'deb',
  Ubuntu: 'deb',
  Alpine: 'apk',
  // apk-based distributions
  Wolfi: 'apk',
  Chainguard: 'apk',
  Alpaquita: 'apk',
  'BellSoft Hardened Containers': 'apk',
  // RPM-based distributions (the schema says "RPM versioncompare ordering" for SUSE/openSUSE)
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  'Photon OS': 'rpm',
  // SemVer 2.0 by definition (Hex: Elixir's Version; SwiftURL: SemVer 2.0 tags per the OSV schema)
  Hex: 'semver',
  SwiftURL: 'semver',
};

/** purl types to orderings (also the vers schemes, which "should be the same as the purl type"). */
const PURL_TYPES: Readonly<Record<string, OrderingName>> = {
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  golang: 'golang',
  cargo: 'cargo',
  gem: 'gem',
  nuget: 'nuget',
  deb: 'deb',
  apk: 'apk',
  rpm: 'rpm',
  hex: 'semver',
  swift: 'semver',
};

/** vers schemes: the purl types, plus `alpine` (the spec's name for apk) and the generic schemes. */
const VERS_SCHEMES: Readonly<Record<string, OrderingName>> = {
  ...PURL_TYPES,
  alpine: 'apk',
  semver: 'semver',
  intdot: 'intdot',
  lexicographic: 'lexicographic',
};

/** The base name of an OSV ecosystem string: `Debian:12` → `Debian`. */
export function osvEcosystemBase(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? ecosystem : ecosystem.slice(0, colon);
}

export function orderingForOsvEcosystem(ecosystem: string): Ordering | undefined {
  const name = OSV_ECOSYSTEMS[osvEcosystemBase(ecosystem)];
  return name === undefined ? undefined : orderings[name];
}

export function orderingForPurlType(type: string): Ordering | undefined {
  const name = PURL_TYPES[type.toLowerCase()];
  return name === undefined ? undefined : orderings[name];
}

export function orderingForVersScheme(scheme: string): Ordering | undefined {
  const name = VERS_SCHEMES[scheme];
  return name === undefined ? undefined : orderings[name];
}

export const supportedOsvEcosystems: readonly string[] = Object.keys(OSV_ECOSYSTEMS);
export const supportedPurlTypes: readonly string[] = Object.keys(PURL_TYPES);
export const supportedVersSchemes: readonly string[] = Object.keys(VERS_SCHEMES);
