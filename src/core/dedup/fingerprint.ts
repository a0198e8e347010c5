// What deduplication remembers about a finding: a small JSON object stored with it, and the keys under which
// it is indexed. The service computes features once at intake, looks candidates up by `lookupKeys`, and
// hands both to `decideLink` (match.ts); nothing here touches storage.
import { hash } from 'node:crypto';
import { cweFamily } from '../cwe-classes.js';
import type { AdvisoryFinding, CodeFinding, ReportedFinding, TargetRef } from '../findings.js';
import { bottomK, encodeSketch, lshKeys, minHash, signatureHex } from './minhash.js';
import { normalizeFunction, normalizePath, normalizeSnippet, packageKey, targetKey } from './normalize.js';
import { type AffectedFeature, compileAffected, fixPoints } from './ranges.js';
import { scanText, shingles, wordsIdentity } from './text.js';

/** Bumped whenever features or keys are computed differently; stored features of another version are recomputed. */
export const featuresVersion = 1;

/** A normalized snippet shorter than this (`}`, `free(p);`) is too common in one file to identify a bug. */
export const minSnippetChars = 12;

export interface CodeFeatures {
  kind: 'code';
  v: typeof featuresVersion;
  /** `targetKey`: `repo:host/owner/name` or `purl:pkg:type/ns/name`; null when the finding has none. */
  target: string | null;
  path: string | null;
  function: string | null;
  /** The code revision (commit, else version) the line numbers refer to; lines of different revisions are not compared. */
  rev: string | null;
  /** First and last line, 1-based inclusive. */
  lines: [number, number] | null;
  cwes: number[];
  family: string | null;
  /** SHA-256 (hex) of the normalized snippet, or null without a snippet of at least `minSnippetChars`. */
  contextHash: string | null;
  /** Lower-cased scanner name, the namespace of its fingerprints. */
  tool: string;
  ruleId: string | null;
  /** `tfp:<tool>:<name>:<value>` for each SARIF fingerprint and partial fingerprint. */
  toolKeys: string[];
  /** `x:<sha256(target|path|family|contextHash)>`, only when there is a context hash. */
  exactKey: string | null;
  /** `loc:<target>|<path>`: every finding in the same file of the same target, for near-location matching. */
  locKey: string | null;
}

export interface AdvisoryFeatures {
  kind: 'advisory';
  v: typeof featuresVersion;
  /** The id's namespace (`GHSA`, `GO`, `PYSEC`, `RUSTSEC`, `CVE`…): the database the advisory comes from. */
  source: string;
  /** `alias:<ID>` for the id and each alias, upper-cased. */
  aliasKeys: string[];
  /** `pkg:<ecosystem>/<name>` for each affected package, in `packageKey` form. */
  packageKeys: string[];
  affected: AffectedFeature[];
  /** `fix:<package>@<version>` and `commit:<sha>`: where the vulnerability was fixed. */
  fixes: string[];
  cwes: number[];
  /** Identity of the text's word sequence (title and details; 128-bit hex), null without text. */
  textHash: string | null;
  /** MinHash (`signatureHex`: 64 × 8 hex digits) of the word 3-shingles of title and details: near-identical texts. */
  textSig: string | null;
  /** Bottom-k sketch (base64, ≤ 1,024 × uint32, ascending) of the text's terms (`textTerms`): reworded texts, named packages. */
  terms: string;
  /** Distinct shingles behind `textSig`: a short text is weak evidence however similar. */
  shingles: number;
  /** `lsh:<band>:<hash>` of `textSig`, for texts long enough to be evidence. */
  lshKeys: string[];
}

export type FindingFeatures = CodeFeatures | AdvisoryFeatures;

/** Texts with fewer distinct shingles than this get no LSH keys and cannot link by text alone. */
export const minTextShingles = 12;

const sha256 = (s: string): string => hash('sha256', s, 'hex');

const toolNames = new WeakMap<object, string>();

/** The scanner's name as a fingerprint namespace; every finding of a run shares one scanner object. */
function toolName(f: ReportedFinding): string {
  let name = toolNames.get(f.scanner);
  if (name === undefined) {
    name = f.scanner.name.trim().toLowerCase().replace(/[\s:]+/g, '-') || 'unknown';
    toolNames.set(f.scanner, name);
  }
  return name;
}

// one submission passes the same target object with every finding: key it once (targets are not mutated)
const targetKeys = new WeakMap<TargetRef, string | null>();

function cachedTargetKey(target: TargetRef | null): string | null {
  if (target === null) return null;
  let key = targetKeys.get(target);
  if (key === undefined) {
    key = targetKey(target);
    targetKeys.set(target, key);
  }
  return key;
}

function codeFeatures(f: CodeFinding, target: TargetRef | null): CodeFeatures {
  const tool = toolName(f);
  const t = cachedTargetKey(target ?? f.target);
  const loc = f.location;
  const path = normalizePath(loc?.path ?? null);
  const family = cweFamily(f.cwes);
  let contextHash: string | null = null;
  if (loc?.snippet) {
    const norm = normalizeSnippet(loc.snippet, path);
    if (norm.length >= minSnippetChars) contextHash = sha256(norm);
  }
  let lines: [number, number] | null = null;
  if (loc && loc.startLine !== null && loc.startLine > 0) {
    const end = loc.endLine !== null && loc.endLine >= loc.startLine ? loc.endLine : loc.startLine;
    lines = [loc.startLine, end];
  }
  const toolKeys: string[] = [];
  for (const [name, value] of Object.entries(f.toolFingerprints)) {
    if (typeof value === 'string' && value !== '') toolKeys.push(`tfp:${tool}:${name}:${value}`);
  }
  toolKeys.sort();
  return {
    kind: 'code',
    v: featuresVersion,
    target: t,
    path,
    function: normalizeFunction(loc?.function ?? null),
    rev: f.commit ?? f.version ?? null,
    lines,
    cwes: f.cwes,
    family,
    contextHash,
    tool,
    ruleId: f.ruleId,
    toolKeys,
    // the path is in the key, so only the same file can match; family, so one line hit by a memory rule
    // and an injection rule stays two findings
    exactKey: contextHash === null ? null : `x:${sha256(`${t ?? ''}\n${path ?? ''}\n${family ?? ''}\n${contextHash}`)}`,
    locKey: path === null ? null : `loc:${t ?? ''}|${path}`,
  };
}

function advisoryFeatures(f: AdvisoryFinding): AdvisoryFeatures {
  const id = f.advisoryId.trim().toUpperCase();
  const dash = id.indexOf('-');
  const aliasKeys = [...new Set([id, ...f.aliases.map((a) => a.trim().toUpperCase())].filter((a) => a !== ''))].map((a) => `alias:${a}`).sort();
  const affected = f.affected.map(compileAffected);
  const packageKeys = [...new Set(f.affected.map((a) => `pkg:${packageKey(a.ecosystem, a.name)}`))].sort();
  const text = scanText(`${f.title}\n${f.description ?? ''}`);
  const shingleSet = shingles(text.words);
  const textSig = minHash(shingleSet);
  return {
    kind: 'advisory',
    v: featuresVersion,
    source: dash > 0 ? id.slice(0, dash) : id,
    aliasKeys,
    packageKeys,
    affected,
    fixes: fixPoints(f.affected),
    cwes: f.cwes,
    textHash: wordsIdentity(text.words),
    textSig: textSig && signatureHex(textSig),
    terms: encodeSketch(bottomK(text.terms)),
    shingles: shingleSet.size,
    lshKeys: textSig && shingleSet.size >= minTextShingles ? lshKeys(textSig) : [],
  };
}

/**
 * The features of one finding. `target` is the target the submission was made for; it takes precedence over
 * the one the document states (SARIF rarely states one), which is used when the submission has none.
 */
export function fingerprintFinding(f: ReportedFinding, target: TargetRef | null): FindingFeatures {
  return f.kind === 'code' ? codeFeatures(f, target) : advisoryFeatures(f);
}

/** Every key the finding is indexed under and looked up by; candidates are the stored findings sharing one. */
export function lookupKeys(features: FindingFeatures): string[] {
  if (features.kind === 'code') {
    const keys = [...features.toolKeys];
    if (features.exactKey) keys.push(features.exactKey);
    if (features.locKey) keys.push(features.locKey);
    return keys;
  }
  return [...features.aliasKeys, ...features.packageKeys, ...features.lshKeys];
}
