// Findings as reported, after a format parser has normalized them and before deduplication.
// A `ReportedFinding` has no vulnerability id: that is what deduplication gives it (see `LinkedFinding`).

/** Which standard a finding came in. */
export const findingSources = ['sarif', 'osv', 'native'] as const;
export type FindingSource = (typeof findingSources)[number];

export const severities = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Severity = (typeof severities)[number];

/** What was scanned: a package URL, a repository URL, or both. Never neither. */
export type TargetRef =
  | { purl: string; repo: string | null }
  | { purl: string | null; repo: string };

/** The tool (and, for AI scanners, the model) that produced a finding. */
export interface ScannerInfo {
  name: string;
  version: string | null;
  model: { name: string; version: string | null } | null;
}

/** Where in the code; paths are relative to the repository root with `/` separators. */
export interface CodeLocation {
  path: string | null;
  startLine: number | null;
  endLine: number | null;
  startColumn: number | null;
  endColumn: number | null;
  /** The enclosing function or method, when the reporter names it. */
  function: string | null;
  /** Source text of the region (or of its context region), used for line-drift-proof fingerprints. */
  snippet: string | null;
}

/** One affected package of an advisory, as OSV states it (ranges kept for matching and overlap). */
export interface AffectedPackage {
  ecosystem: string;
  name: string;
  purl: string | null;
  ranges: Array<{ type: string; repo?: string; events: Array<Record<string, string>> }>;
  versions: string[];
}

export interface ProofOfConcept {
  filename: string;
  mediaType: string;
  /** Base64 of the attachment; its SHA-256 is computed at intake. */
  contentBase64: string;
  /** What the reporter says running it does, compared with what the sandbox sees. */
  expectedCrash?: { crashType: string; frames: string[] };
}

interface FindingCommon {
  /** JSON Pointer (RFC 6901) of the finding inside its document, e.g. `/runs/0/results/12`. */
  pointer: string;
  title: string;
  description: string | null;
  severity: Severity | null;
  /** CWE numbers, e.g. 787 for CWE-787, deduplicated and sorted. */
  cwes: number[];
  cvssVector: string | null;
  scanner: ScannerInfo;
}

/** A code-level finding from a static analyzer, fuzzer or AI scanner (SARIF or native JSON). */
export interface CodeFinding extends FindingCommon {
  kind: 'code';
  source: 'sarif' | 'native';
  ruleId: string | null;
  /** The target as the document states it; SARIF usually does not, so the submission supplies it. */
  target: TargetRef | null;
  version: string | null;
  commit: string | null;
  /** The commit the reporter says introduced the bug (native findings): the proof-of-vulnerability contract. */
  introducedCommit?: string;
  location: CodeLocation | null;
  /** SARIF `fingerprints` and `partialFingerprints`, keyed `name` → value, as the tool gave them. */
  toolFingerprints: Record<string, string>;
  /** SARIF `codeFlows`, kept unchanged as evidence. */
  codeFlows: unknown[] | null;
  proofOfConcept: ProofOfConcept | null;
}

/** A published advisory (OSV). Its identity is its id and aliases; its scope is its affected packages. */
export interface AdvisoryFinding extends FindingCommon {
  kind: 'advisory';
  source: 'osv';
  advisoryId: string;
  aliases: string[];
  affected: AffectedPackage[];
  published: string | null;
  modified: string | null;
  withdrawn: string | null;
}

export type ReportedFinding = CodeFinding | AdvisoryFinding;

/** Why a finding was linked to the record it was linked to. */
export const dedupReasons = ['new', 'tool-fingerprint', 'exact-key', 'near-location', 'alias', 'affected-overlap', 'text-similarity', 'coordinator-merge', 'coordinator-split'] as const;
export type DedupReason = (typeof dedupReasons)[number];

/** A finding after deduplication: only now does it belong to a vulnerability record. */
export type LinkedFinding = ReportedFinding & { vulnId: string; reason: DedupReason; score: number };
