// The linking decision: given a finding's features and the stored findings that share a lookup key with it,
// which vulnerability record (if any) it belongs to, why, and how sure we are. Pure and deterministic: the
// same features and candidates in the same order always give the same answer.
import { cwesCompatible } from '../cwe-classes.js';
import type { DedupReason } from '../findings.js';
import { type AdvisoryFeatures, type CodeFeatures, type FindingFeatures, featuresVersion, minTextShingles } from './fingerprint.js';
import { estimateJaccard } from './minhash.js';
import { affectedOverlap } from './ranges.js';

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
 * their effect is reported. Estimates from 64-value MinHash signatures are within ±0.06 of the true Jaccard
 * index (one standard deviation) at 0.5 and within ±0.03 at 0.9.
 */
export const advisoryThresholds = {
  /** Same package, overlapping ranges and a shared fix point (release or commit): content-word similarity needed. */
  wordsWithSharedFix: 0.14,
  /** Same package, overlapping ranges, no shared fix point: content-word similarity needed. */
  words: 0.5,
  /** Same package, overlapping ranges: shingle (near-identical text) similarity that suffices alone. */
  text: 0.5,
  /** Different packages (tensorflow and tensorflow-gpu): near-identical text AND the same fix points. */
  crossPackageText: 0.9,
} as const;

function intersects(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
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

const fixVersions = (fixes: readonly string[]): string[] =>
  [...new Set(fixes.filter((x) => x.startsWith('fix:')).map((x) => x.slice(x.lastIndexOf('@') + 1)))].sort();

function compareAdvisory(f: AdvisoryFeatures, c: AdvisoryFeatures): Verdict {
  if (intersects(f.aliasKeys, c.aliasKeys)) return { reason: 'alias', score: 0.97 };
  const text = f.textSig && c.textSig ? estimateJaccard(f.textSig, c.textSig) : 0;
  const longEnough = Math.min(f.shingles, c.shingles) >= minTextShingles;
  const shared = f.affected.filter((a) => c.affected.some((b) => b.pkg === a.pkg));
  if (shared.length > 0) {
    // a database does not describe one vulnerability of one package twice (duplicates it withdraws carry
    // aliases); two of its records on one package are two vulnerabilities however alike their texts
    if (f.source === c.source) return null;
    const overlap = shared.some((a) => c.affected.some((b) => b.pkg === a.pkg && affectedOverlap(a, b)));
    const words = f.wordSig && c.wordSig ? estimateJaccard(f.wordSig, c.wordSig) : 0;
    if (overlap) {
      const sharedFix = intersects(f.fixes, c.fixes);
      const t = advisoryThresholds;
      if ((sharedFix && words >= t.wordsWithSharedFix) || words >= t.words || (longEnough && text >= t.text)) {
        return { reason: 'affected-overlap', score: round(0.6 + 0.3 * Math.max(words, text)) };
      }
      return null;
    }
    // no range information to contradict: only near-identical text
    const noRanges = shared.every((a) => !a.ranges.length && !a.versions.length) || shared.every((a) => c.affected.every((b) => b.pkg !== a.pkg || (!b.ranges.length && !b.versions.length)));
    if (noRanges && longEnough && text >= advisoryThresholds.crossPackageText) return { reason: 'text-similarity', score: round(0.5 + 0.4 * text) };
    return null;
  }
  // different packages (a project published under several names): the same words and the same fixes
  if (!longEnough || text < advisoryThresholds.crossPackageText) return null;
  const commits = intersects(
    f.fixes.filter((x) => x.startsWith('commit:')),
    c.fixes.filter((x) => x.startsWith('commit:')),
  );
  const fv = fixVersions(f.fixes);
  const cv = fixVersions(c.fixes);
  const sameReleases = fv.length > 0 && fv.length === cv.length && fv.every((v, i) => v === cv[i]);
  if (commits || sameReleases) return { reason: 'text-similarity', score: round(0.5 + 0.4 * text) };
  return null;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The record a finding belongs to, or null for a new one. Candidates are the stored findings (with the
 * record each now belongs to) that share a lookup key with this one, earlier findings of the same batch
 * included, in the order they were stored. The best link wins: by reason (tool fingerprint > exact key >
 * alias > near location > affected overlap > text similarity), then score, then the earliest candidate.
 * Candidates whose features were computed by another `featuresVersion` are ignored until recomputed.
 */
export function decideLink(features: FindingFeatures, candidates: readonly Candidate[]): LinkDecision | null {
  let best: LinkDecision | null = null;
  for (const cand of candidates) {
    const c = cand.features;
    if (c.v !== featuresVersion || c.kind !== features.kind) continue;
    const verdict = features.kind === 'code' ? compareCode(features, c as CodeFeatures) : compareAdvisory(features, c as AdvisoryFeatures);
    if (verdict === null) continue;
    if (best === null || reasonRank[verdict.reason] > reasonRank[best.reason] || (reasonRank[verdict.reason] === reasonRank[best.reason] && verdict.score > best.score)) {
      best = { vulnId: cand.vulnId, reason: verdict.reason, score: verdict.score };
      if (verdict.reason === 'tool-fingerprint') break;
    }
  }
  return best;
}
