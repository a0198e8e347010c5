// The linking decision: given a finding's features and the stored findings that share a lookup key with it,
// which vulnerability record (if any) it belongs to, why, and how sure we are. Pure and deterministic: the
// same features and candidates in the same order always give the same answer.
import { cwesCompatible } from '../cwe-classes.js';
import type { DedupReason } from '../findings.js';
import { type AdvisoryFeatures, type CodeFeatures, type FindingFeatures, featuresVersion, minTextShingles } from './fingerprint.js';
import { decodeSketch, estimateJaccard, hash32, sketchJaccard } from './minhash.js';
import { affectedOverlap } from './ranges.js';
import { textTerms } from './text.js';

export interface Candidate {
  vulnId: string;
  features: FindingFeatures;
}

/** Reasons deduplication itself gives; `new` and the coordinator's merge and split are applied elsewhere. */
export type LinkReason = Exclude<DedupReason, 'new' | 'coordinator-merge' | 'coordinator-split'>;

export interface LinkDecision {
  vulnId: string;
  reason: LinkReason;
  score: number;
}

/** Stronger evidence wins whatever the scores: a shared tool fingerprint beats any similarity. */
const reasonRank: Record<LinkReason, number> = {
  'tool-fingerprint': 6,
  'exact-key': 5,
  alias: 4,
  'near-location': 3,
  'affected-overlap': 2,
  'text-similarity': 1,
};

/**
 * Similarity thresholds for advisories, calibrated on the corpus benchmark (bench/dedup-quality.mjs), where
 * their effect is reported. `text` values are MinHash estimates of the Jaccard index of word 3-shingles (within
 * ±0.06 of the truth at 0.5 and ±0.03 at 0.9, one standard deviation); `terms` values are Jaccard indexes of the
 * texts' terms without stop words and package names, exact for texts of up to 1,024 distinct terms.
 */
export const advisoryThresholds = {
  /** Same package, overlapping ranges and a shared fix point (release or commit): term similarity needed (the
   * corpus has different vulnerabilities at 0.14 and the same at 0.17 here: a thin margin). */
  termsWithSharedFix: 0.15,
  /** Same package, overlapping ranges, no shared fix point: term similarity needed. */
  terms: 0.5,
  /** Same package, overlapping ranges: near-identical text suffices. */
  text: 0.5,
  /** Different packages fixed by the same releases or commits (tensorflow, tensorflow-gpu): near-identical text. */
  crossPackageText: 0.9,
} as const;

// words that say nothing about which vulnerability a text describes
const stopWords = new Set(
  ('a an the of in on to for and or is are was were be by with via from that this which can could may might when where while it its '
    + 'not no into than then there their any all has have had been being does do did use used using uses allow allows allowed allowing '
    + 'attacker attackers remote vulnerability vulnerabilities vulnerable issue issues version versions before after affected affects '
    + 'package packages fixed fix fixes user users malicious arbitrary cause causes caused denial service impact patches patched '
    + 'workaround workarounds reference references more information details advisory also other such only some will would should '
    + 'through because within without upgrade upgrading https http www com github-com github org html if as at so but you your we our '
    + 'they them he she one two new').split(' ').map(hash32),
);

/** A package's name as a text would write it: the last term of the name (`github.com/x/cfrpki` → `cfrpki`). */
function nameTerms(pkgKey: string): { all: number[]; mention: number | null } {
  const terms = textTerms(pkgKey.slice(pkgKey.indexOf('/') + 1));
  const last = terms[terms.length - 1];
  return { all: terms.map(hash32), mention: last === undefined ? null : hash32(last) };
}

function intersects(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  // fingerprint lists are short: a nested loop beats building a set
  if (a.length * b.length <= 32) return a.some((x) => b.includes(x));
  const set = new Set(a);
  return b.some((x) => set.has(x));
}

type Verdict = { reason: LinkReason; score: number } | null;

function linesOverlap(a: [number, number], b: [number, number]): number {
  const inter = Math.min(a[1], b[1]) - Math.max(a[0], b[0]) + 1;
  if (inter <= 0) return 0;
  const union = Math.max(a[1], b[1]) - Math.min(a[0], b[0]) + 1;
  return inter / union;
}

function compareCode(f: CodeFeatures, c: CodeFeatures): Verdict {
  // one tool's fingerprint or one snippet means the same bug only within the same software
  if (f.target !== c.target) return null;
  if (intersects(f.toolKeys, c.toolKeys)) return { reason: 'tool-fingerprint', score: 1 };
  if (f.exactKey !== null && f.exactKey === c.exactKey) return { reason: 'exact-key', score: 0.98 };
  if (f.path === null || f.path !== c.path || !cwesCompatible(f.cwes, c.cwes)) return null;
  const sameFunction = f.function !== null && f.function === c.function;
  // line numbers of two revisions say nothing about each other; an unknown revision is assumed the same
  const comparable = f.rev === null || c.rev === null || f.rev === c.rev;
  const iou = comparable && f.lines && c.lines ? linesOverlap(f.lines, c.lines) : 0;
  if (iou > 0) return { reason: 'near-location', score: round(Math.min(0.95, 0.85 + 0.1 * iou + (sameFunction ? 0.02 : 0))) };
  if (sameFunction) return { reason: 'near-location', score: 0.8 };
  return null;
}

/** The releases that fixed it, whatever the package: `2.5.3,2.6.3`. */
const releases = (fixes: readonly string[]): string =>
  [...new Set(fixes.filter((x) => x.startsWith('fix:')).map((x) => x.slice(x.lastIndexOf('@') + 1)))].sort().join(',');

/** What comparing one advisory with many candidates needs of it, computed once. */
interface Probe {
  f: AdvisoryFeatures;
  aliases: ReadonlySet<string>;
  fixes: ReadonlySet<string>;
  packages: ReadonlySet<string>;
  releases: string;
  terms: Uint32Array;
}

function probe(f: AdvisoryFeatures): Probe {
  return {
    f,
    aliases: new Set(f.aliasKeys),
    fixes: new Set(f.fixes),
    packages: new Set(f.affected.map((a) => a.pkg)),
    releases: releases(f.fixes),
    terms: decodeSketch(f.terms),
  };
}

const hasAny = (set: ReadonlySet<string>, list: readonly string[]): boolean => list.some((x) => set.has(x));

/** Whether the text (`terms`) of an advisory on `own` packages names one of `other`'s packages. */
function names(terms: Uint32Array, own: readonly string[], other: readonly string[]): boolean {
  const mine = new Set(own.map((k) => nameTerms(k).mention));
  return other.some((k) => {
    const m = nameTerms(k).mention;
    return m !== null && !mine.has(m) && terms.includes(m);
  });
}

function compareAdvisory(p: Probe, c: AdvisoryFeatures): Verdict {
  const f = p.f;
  if (hasAny(p.aliases, c.aliasKeys)) return { reason: 'alias', score: 0.97 };
  const t = advisoryThresholds;
  const longEnough = Math.min(f.shingles, c.shingles) >= minTextShingles;
  const text = (): number => (f.textSig && c.textSig ? estimateJaccard(f.textSig, c.textSig) : 0);
  if (c.affected.some((b) => p.packages.has(b.pkg))) {
    // a database does not describe one vulnerability of one package twice (duplicates it withdraws carry
    // aliases); two of its records on one package are two vulnerabilities however alike their texts
    if (f.source === c.source) return null;
    const shared = f.affected.filter((a) => c.affected.some((b) => b.pkg === a.pkg));
    const overlap = shared.some((a) => c.affected.some((b) => b.pkg === a.pkg && affectedOverlap(a, b)));
    if (overlap) {
      const ignore = new Set(stopWords);
      for (const k of [...f.packageKeys, ...c.packageKeys]) for (const h of nameTerms(k).all) ignore.add(h);
      const terms = sketchJaccard(p.terms, decodeSketch(c.terms), ignore);
      const sharedFix = hasAny(p.fixes, c.fixes);
      const near = longEnough ? text() : 0;
      if ((sharedFix && terms >= t.termsWithSharedFix) || terms >= t.terms || near >= t.text) {
        return { reason: 'affected-overlap', score: round(0.6 + 0.3 * Math.max(terms, near)) };
      }
      return null;
    }
    // no range information to contradict: only near-identical text
    const noRanges = shared.every((a) => !a.ranges.length && !a.versions.length) || shared.every((a) => c.affected.every((b) => b.pkg !== a.pkg || (!b.ranges.length && !b.versions.length)));
    if (!noRanges || !longEnough) return null;
    const near = text();
    return near >= t.crossPackageText ? { reason: 'text-similarity', score: round(0.5 + 0.4 * near) } : null;
  }
  // Different packages: one write-up published for several (a project under several names, a library and
  // its bindings). Near-identical text is not enough, since templates are filled in per package (malware
  // takedowns, "no longer maintained"): the fixes must coincide (the same commit, or the same releases), or
  // the very same text must name the other package.
  if (!longEnough) return null;
  const near = text();
  if (near < t.crossPackageText) return null;
  // across packages only `commit:` fix points can coincide
  const sameFix = hasAny(p.fixes, c.fixes) || (p.releases !== '' && p.releases === releases(c.fixes));
  const sameText = f.textHash !== null && f.textHash === c.textHash;
  if (sameFix || (sameText && (names(p.terms, f.packageKeys, c.packageKeys) || names(decodeSketch(c.terms), c.packageKeys, f.packageKeys)))) {
    return { reason: 'text-similarity', score: round(0.5 + 0.4 * near) };
  }
  return null;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Records that hold a code finding of an incompatible weakness kind (same target, CWEs of different classes).
 * Near-location is judged finding by finding, so a finding that names no CWE would otherwise bridge a memory
 * bug and an injection on the next line of one function into one record.
 */
function incompatibleRecords(f: CodeFeatures, candidates: readonly Candidate[]): Set<string> {
  const out = new Set<string>();
  for (const cand of candidates) {
    const c = cand.features;
    if (c.kind === 'code' && c.v === featuresVersion && c.target === f.target && !cwesCompatible(f.cwes, c.cwes)) out.add(cand.vulnId);
  }
  return out;
}

/**
 * The record a finding belongs to, or null for a new one. Candidates are the stored findings (with the
 * record each now belongs to) that share a lookup key with this one, earlier findings of the same batch
 * included, in the order they were stored. The best link wins: by reason (tool fingerprint > exact key >
 * alias > near location > affected overlap > text similarity), then score, then the earliest candidate.
 * A near-location link is refused to a record holding a finding of an incompatible weakness kind.
 * Candidates whose features were computed by another `featuresVersion` are ignored until recomputed.
 */
export function decideLink(features: FindingFeatures, candidates: readonly Candidate[]): LinkDecision | null {
  let best: LinkDecision | null = null;
  let vetoed: Set<string> | null = null;
  const p = features.kind === 'advisory' && candidates.length > 0 ? probe(features) : null;
  for (const cand of candidates) {
    const c = cand.features;
    if (c.v !== featuresVersion || c.kind !== features.kind) continue;
    const verdict = features.kind === 'code' ? compareCode(features, c as CodeFeatures) : compareAdvisory(p!, c as AdvisoryFeatures);
    if (verdict === null) continue;
    if (best !== null && (reasonRank[verdict.reason] < reasonRank[best.reason] || (reasonRank[verdict.reason] === reasonRank[best.reason] && verdict.score <= best.score))) continue;
    if (verdict.reason === 'near-location' && features.kind === 'code') {
      vetoed ??= incompatibleRecords(features, candidates);
      if (vetoed.has(cand.vulnId)) continue;
    }
    best = { vulnId: cand.vulnId, reason: verdict.reason, score: verdict.score };
    if (verdict.reason === 'tool-fingerprint') break;
  }
  return best;
}
