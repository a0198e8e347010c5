// Affected version ranges of advisories in a compact, comparable form, and whether two of them overlap.
// Semver ecosystems (npm, Go, crates.io, and any SEMVER-typed range) are evaluated as intervals with
// `semver`; for the others we compare what needs no ordering: explicit version lists, shared fix points and
// identical event lists. An overlap we cannot establish counts as no overlap.
import semver from 'semver';
import type { AffectedPackage } from '../findings.js';
import { packageKey } from './normalize.js';

export type RangeEventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface RangeFeature {
  /** True when the events can be ordered with semver (SEMVER ranges, or npm/Go/crates.io ECOSYSTEM ranges). */
  semver: boolean;
  events: Array<[RangeEventKind, string]>;
}

export interface AffectedFeature {
  /** `packageKey(ecosystem, name)`, e.g. `PyPI/django`. */
  pkg: string;
  ranges: RangeFeature[];
  versions: string[];
}

const semverEcosystems = new Set(['npm', 'go', 'crates.io']);
const eventKinds: readonly RangeEventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

/** Go and crates write versions without `v`; OSV writes "0" for "since the beginning". */
function parseVersion(v: string): string | null {
  if (v === '0') return '0.0.0-0';
  const s = v.startsWith('v') ? v.slice(1) : v;
  return semver.valid(s);
}

export function compileAffected(a: AffectedPackage): AffectedFeature {
  const eco = a.ecosystem.split(':')[0]!.trim().toLowerCase();
  const ranges: RangeFeature[] = [];
  for (const r of a.ranges) {
    // GIT ranges name commits, not versions; their fix commits are kept as fix points instead
    if (r.type === 'GIT') continue;
    const events: Array<[RangeEventKind, string]> = [];
    for (const e of r.events) {
      for (const kind of eventKinds) {
        const v = e[kind];
        if (typeof v === 'string') events.push([kind, v]);
      }
    }
    if (events.length) ranges.push({ semver: r.type === 'SEMVER' || semverEcosystems.has(eco), events });
  }
  return { pkg: packageKey(a.ecosystem, a.name), ranges, versions: [...new Set(a.versions)].sort() };
}

/**
 * Where a vulnerability stops: `fix:<package>@<version>` for every fixed or last-affected version, and
 * `commit:<sha>` for every fixing commit of a GIT range. Two advisories that share one were closed by the
 * same release or the same commit, which across packages (tensorflow, tensorflow-cpu) is strong evidence.
 */
export function fixPoints(list: readonly AffectedPackage[]): string[] {
  const out = new Set<string>();
  for (const a of list) {
    const pkg = packageKey(a.ecosystem, a.name);
    for (const r of a.ranges) {
      for (const e of r.events) {
        if (r.type === 'GIT') {
          if (typeof e.fixed === 'string') out.add(`commit:${e.fixed.toLowerCase()}`);
        } else {
          if (typeof e.fixed === 'string') out.add(`fix:${pkg}@${e.fixed}`);
          if (typeof e.last_affected === 'string') out.add(`fix:${pkg}@${e.last_affected}`);
        }
      }
    }
  }
  return [...out].sort();
}

interface Interval {
  lo: string;
  hi: string | null;
  hiInclusive: boolean;
}

/** The affected intervals of a semver range, or null when a version does not parse. */
function intervals(r: RangeFeature): Interval[] | null {
  const parsed: Array<[RangeEventKind, string]> = [];
  for (const [k, v] of r.events) {
    if (k === 'limit') continue;
    const p = parseVersion(v);
    if (p === null) return null;
    parsed.push([k, p]);
  }
  // OSV orders events by version, introduced before the others at equal versions
  parsed.sort((x, y) => semver.compare(x[1], y[1]) || (x[0] === 'introduced' ? -1 : 0) - (y[0] === 'introduced' ? -1 : 0));
  const out: Interval[] = [];
  let open: string | null = null;
  for (const [k, v] of parsed) {
    if (k === 'introduced') {
      if (open === null) open = v;
    } else if (open !== null) {
      out.push({ lo: open, hi: v, hiInclusive: k === 'last_affected' });
      open = null;
    }
  }
  if (open !== null) out.push({ lo: open, hi: null, hiInclusive: false });
  return out;
}

function intervalsMeet(a: Interval, b: Interval): boolean {
  // a starts before b ends and b starts before a ends
  const beforeEnd = (lo: string, x: Interval): boolean => x.hi === null || (x.hiInclusive ? semver.lte(lo, x.hi) : semver.lt(lo, x.hi));
  return beforeEnd(a.lo, b) && beforeEnd(b.lo, a);
}

function contains(ivs: readonly Interval[], version: string): boolean {
  const v = parseVersion(version);
  if (v === null) return false;
  return ivs.some((i) => semver.gte(v, i.lo) && (i.hi === null || (i.hiInclusive ? semver.lte(v, i.hi) : semver.lt(v, i.hi))));
}

const sameEvents = (a: RangeFeature, b: RangeFeature): boolean =>
  a.events.length === b.events.length && a.events.every(([k, v]) => b.events.some(([k2, v2]) => k === k2 && v === v2));

const shareEnd = (a: RangeFeature, b: RangeFeature): boolean =>
  a.events.some(([k, v]) => k !== 'introduced' && k !== 'limit' && b.events.some(([k2, v2]) => k2 === k && v2 === v));

/** Whether two descriptions of the same package's affected versions have a version in common. */
export function affectedOverlap(a: AffectedFeature, b: AffectedFeature): boolean {
  if (a.pkg !== b.pkg) return false;
  if (a.versions.length && b.versions.length) {
    const set = new Set(a.versions);
    if (b.versions.some((v) => set.has(v))) return true;
  }
  for (const ra of a.ranges) {
    const ia = ra.semver ? intervals(ra) : null;
    for (const rb of b.ranges) {
      if (sameEvents(ra, rb) || shareEnd(ra, rb)) return true;
      const ib = rb.semver ? intervals(rb) : null;
      if (ia && ib && ia.some((x) => ib.some((y) => intervalsMeet(x, y)))) return true;
    }
    if (ia && b.versions.some((v) => contains(ia, v))) return true;
  }
  for (const rb of b.ranges) {
    const ib = rb.semver ? intervals(rb) : null;
    if (ib && a.versions.some((v) => contains(ib, v))) return true;
  }
  return false;
}
