// Whether one package version is affected by one advisory's entry for that package, in words a person can
// check. Matching is decided once per (package, version, advisory) and kept: many assets running the same
// version share the verdict, so a new SBOM or a new advisory only decides the pairs it brings.
import { PackageURL } from 'packageurl-js';
import { isAffected, type AffectedVerdict, type OsvRange } from '../versions/index.js';

/**
 * Bumped whenever a change to version ordering or range evaluation could change a stored verdict: on start,
 * verdicts decided by another matcher version are decided again.
 */
export const matcherVersion = 1;

export interface AffectedEntry {
  ecosystem: string;
  ranges: unknown[];
  versions: string[];
}

export interface MatchVerdict {
  /** `unknown` when the record cannot decide for this version (a GIT range, an ecosystem without an order). */
  status: 'affected' | 'unknown';
  /** What decided: the versions list or the range, or why it is unknown. */
  because: string;
}

function describe(verdict: Exclude<AffectedVerdict, { status: 'not-affected' }>): string {
  if (verdict.status === 'affected') return verdict.by === 'versions' ? 'listed among the affected versions' : `inside ${verdict.type} range ${verdict.range}`;
  return verdict.reasons
    .map((r) => (r.kind === 'git-range' ? `range ${r.range} is by git commit` : r.kind === 'unsupported-ecosystem' ? `no version order for ${r.ecosystem}` : r.kind === 'unknown-range-type' ? `range type ${r.type}` : `range ${r.range}: ${r.message}`))
    .join('; ');
}

/**
 * The verdict for `version` against one affected-package entry: null when not affected. Throws the version
 * layer's error when the ecosystem cannot read the version (the caller decides whether that is a user error).
 */
export function decide(version: string, entry: AffectedEntry): MatchVerdict | null {
  const verdict = isAffected(version, { ranges: entry.ranges as OsvRange[], versions: entry.versions }, entry.ecosystem);
  return verdict.status === 'not-affected' ? null : { status: verdict.status, because: describe(verdict) };
}

/**
 * The verdict of several entries of one advisory for the same package (OSV lets a record name a package more
 * than once): affected wins over unknown; null when none affects it or none can read the version.
 */
export function decideAll(version: string, entries: AffectedEntry[]): MatchVerdict | null {
  let unknown: MatchVerdict | null = null;
  for (const e of entries) {
    let v: MatchVerdict | null;
    try {
      v = decide(version, e);
    } catch {
      continue; // a version this ecosystem cannot order: not a match we can claim
    }
    if (v?.status === 'affected') return v;
    if (v) unknown ??= v;
  }
  return unknown;
}

/** The version an SBOM component is matched by: its purl's (the ecosystem's own spelling), else the SBOM's field. */
export function matchVersionOf(purl: string, sbomVersion: string | null): string | null {
  try {
    return PackageURL.fromString(purl).version ?? sbomVersion;
  } catch {
    return sbomVersion;
  }
}

export interface Candidate extends AffectedEntry {
  purlKey: string;
  version: string;
  advisoryId: string;
}

/** Decides candidate pairs, the entries of one advisory for one version together; returns the matches only. */
export function decideCandidates(candidates: readonly Candidate[]): Array<{ purlKey: string; version: string; advisoryId: string } & MatchVerdict> {
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const k = `${c.purlKey}\n${c.version}\n${c.advisoryId}`;
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out: Array<{ purlKey: string; version: string; advisoryId: string } & MatchVerdict> = [];
  for (const g of groups.values()) {
    const v = decideAll(g[0]!.version, g);
    if (v) out.push({ purlKey: g[0]!.purlKey, version: g[0]!.version, advisoryId: g[0]!.advisoryId, ...v });
  }
  return out;
}
