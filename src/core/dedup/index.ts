// Deduplication of findings into vulnerability records: features and lookup keys per finding, the linking
// decision over stored candidates, and an in-memory index that behaves as the store's lookup must.
export { type AdvisoryFeatures, type CodeFeatures, type FindingFeatures, featuresVersion, fingerprintFinding, lookupKeys, minSnippetChars, minTextShingles } from './fingerprint.js';
export { type Candidate, type LinkDecision, type LinkReason, advisoryThresholds, decideLink } from './match.js';
export { MemoryCandidateIndex } from './memory-index.js';
export { bottomK, decodeSketch, encodeSketch, estimateJaccard, hash32, lshBands, lshKeys, minHash, minHashSize, signatureHex, sketchJaccard, sketchSize } from './minhash.js';
export { normalizeFunction, normalizePath, normalizeSnippet, packageKey, targetKey } from './normalize.js';
export { type AffectedFeature, type RangeFeature, affectedOverlap, compileAffected, fixPoints } from './ranges.js';
export { scanText, shingles, textTerms, wordsIdentity } from './text.js';
