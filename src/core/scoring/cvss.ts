// CVSS 3.0, 3.1 and 4.0 scores of a vector string: the grammar is checked here, the arithmetic is ae-cvss-calculator's
// (which scores a malformed vector 0 instead of failing, so nothing reaches it unchecked).
import cvss from 'ae-cvss-calculator';
import { invalidField } from '../errors.js';
import type { Severity } from '../findings.js';

export const cvssVersions = ['3.0', '3.1', '4.0'] as const;
export type CvssVersion = (typeof cvssVersions)[number];

// ---------- the grammar ----------

type MetricTable = ReadonlyArray<readonly [name: string, values: readonly string[], base: boolean]>;

const cvss3Metrics: MetricTable = [
  ['AV', ['N', 'A', 'L', 'P'], true], ['AC', ['L', 'H'], true], ['PR', ['N', 'L', 'H'], true], ['UI', ['N', 'R'], true],
  ['S', ['U', 'C'], true], ['C', ['H', 'L', 'N'], true], ['I', ['H', 'L', 'N'], true], ['A', ['H', 'L', 'N'], true],
  ['E', ['X', 'U', 'P', 'F', 'H'], false], ['RL', ['X', 'O', 'T', 'W', 'U'], false], ['RC', ['X', 'U', 'R', 'C'], false],
  ['CR', ['X', 'L', 'M', 'H'], false], ['IR', ['X', 'L', 'M', 'H'], false], ['AR', ['X', 'L', 'M', 'H'], false],
  ['MAV', ['X', 'N', 'A', 'L', 'P'], false], ['MAC', ['X', 'L', 'H'], false], ['MPR', ['X', 'N', 'L', 'H'], false],
  ['MUI', ['X', 'N', 'R'], false], ['MS', ['X', 'U', 'C'], false],
  ['MC', ['X', 'N', 'L', 'H'], false], ['MI', ['X', 'N', 'L', 'H'], false], ['MA', ['X', 'N', 'L', 'H'], false],
];

const cvss4Metrics: MetricTable = [
  ['AV', ['N', 'A', 'L', 'P'], true], ['AC', ['L', 'H'], true], ['AT', ['N', 'P'], true], ['PR', ['N', 'L', 'H'], true],
  ['UI', ['N', 'P', 'A'], true], ['VC', ['H', 'L', 'N'], true], ['VI', ['H', 'L', 'N'], true], ['VA', ['H', 'L', 'N'], true],
  ['SC', ['H', 'L', 'N'], true], ['SI', ['H', 'L', 'N'], true], ['SA', ['H', 'L', 'N'], true],
  ['E', ['X', 'A', 'P', 'U'], false],
  ['CR', ['X', 'H', 'M', 'L'], false], ['IR', ['X', 'H', 'M', 'L'], false], ['AR', ['X', 'H', 'M', 'L'], false],
  ['MAV', ['X', 'N', 'A', 'L', 'P'], false], ['MAC', ['X', 'L', 'H'], false], ['MAT', ['X', 'N', 'P'], false],
  ['MPR', ['X', 'N', 'L', 'H'], false], ['MUI', ['X', 'N', 'P', 'A'], false],
  ['MVC', ['X', 'H', 'L', 'N'], false], ['MVI', ['X', 'H', 'L', 'N'], false], ['MVA', ['X', 'H', 'L', 'N'], false],
  ['MSC', ['X', 'H', 'L', 'N'], false], ['MSI', ['X', 'S', 'H', 'L', 'N'], false], ['MSA', ['X', 'S', 'H', 'L', 'N'], false],
  ['S', ['X', 'N', 'P'], false], ['AU', ['X', 'N', 'Y'], false], ['R', ['X', 'A', 'U', 'I'], false],
  ['V', ['X', 'D', 'C'], false], ['RE', ['X', 'L', 'M', 'H'], false], ['U', ['X', 'Clear', 'Green', 'Amber', 'Red'], false],
];

const metricIndex = (t: MetricTable) => new Map(t.map(([name, values, base], i) => [name, { i, values, base }]));
const cvss3Index = metricIndex(cvss3Metrics);
const cvss4Index = metricIndex(cvss4Metrics);

/**
 * Checks a CVSS 3.0, 3.1 or 4.0 vector against its specification's grammar: the prefix, known metric names,
 * allowed values, no metric twice, every base metric present; CVSS 4.0 also fixes the order of metrics.
 * Returns what is wrong, or null when the vector is well-formed.
 */
export function cvssVectorProblem(vector: string): string | null {
  const m = /^CVSS:(3\.0|3\.1|4\.0)\/(.*)$/.exec(vector);
  if (!m) return 'must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ (CVSS v2 vectors are not accepted)';
  const v4 = m[1] === '4.0';
  const index = v4 ? cvss4Index : cvss3Index;
  const table = v4 ? cvss4Metrics : cvss3Metrics;
  const seen = new Set<string>();
  let last = -1;
  for (const part of (m[2] as string).split('/')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return `malformed metric ${JSON.stringify(part)}: expected NAME:VALUE`;
    const name = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const def = index.get(name);
    if (!def) return `unknown CVSS ${m[1]} metric ${name}`;
    if (seen.has(name)) return `metric ${name} appears twice`;
    seen.add(name);
    if (!def.values.includes(value)) return `metric ${name} cannot be ${JSON.stringify(value)}; allowed: ${def.values.join(', ')}`;
    if (v4 && def.i < last) return `CVSS 4.0 metrics must be in the specification's order: ${name} is out of place`;
    last = def.i;
  }
  const missing = table.filter(([name, , base]) => base && !seen.has(name)).map(([name]) => name);
  if (missing.length) return `missing base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  return null;
}

// ---------- scores ----------

interface CvssScoreCommon {
  /** The vector as given. */
  vector: string;
  /** Every metric the vector names, as written (`X` included). */
  metrics: Readonly<Record<string, string>>;
  /** Base metrics alone: the 3.x base score, or the 4.0 CVSS-B score. */
  baseScore: number;
  baseSeverity: Severity;
  /** The score of everything the vector carries: see `scoreCvss`. */
  score: number;
  severity: Severity;
}

export interface Cvss3Score extends CvssScoreCommon {
  version: '3.0' | '3.1';
  /** Null when the vector sets no temporal metric (E, RL, RC) to anything but X. */
  temporalScore: number | null;
  /** Null when the vector sets no environmental metric (CR … MA) to anything but X. */
  environmentalScore: number | null;
  impactSubscore: number;
  exploitabilitySubscore: number;
}

export interface Cvss4Score extends CvssScoreCommon {
  version: '4.0';
  /** Which metric groups `score` covers: CVSS-B, CVSS-BT, CVSS-BE or CVSS-BTE (specification §1.3). */
  nomenclature: 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';
  /** The six EQ levels, e.g. `000200`. */
  macroVector: string;
}

export type CvssScore = Cvss3Score | Cvss4Score;

/** Qualitative rating (CVSS 3.1 §5, 4.0 §6: the same bands). */
export function cvssRating(score: number): Severity {
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'none';
}

const cache = new Map<string, CvssScore>();
const maxCached = 50_000;

function parseMetrics(vector: string): Record<string, string> {
  const metrics: Record<string, string> = {};
  for (const part of vector.slice(vector.indexOf('/') + 1).split('/')) {
    const colon = part.indexOf(':');
    metrics[part.slice(0, colon)] = part.slice(colon + 1);
  }
  return metrics;
}

function finite(value: number | undefined, what: string, vector: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`ae-cvss-calculator gave no ${what} for ${vector}`);
  return value;
}

function compute(vector: string): CvssScore {
  const metrics = Object.freeze(parseMetrics(vector));
  if (vector.startsWith('CVSS:4.0/')) {
    const v = new cvss.Cvss4P0(vector);
    const s = v.calculateScores();
    const score = finite(s.overall, 'score', vector);
    const baseScore = finite(s.baseMetricsOnly, 'CVSS-B score', vector);
    return Object.freeze({
      version: '4.0',
      vector,
      metrics,
      baseScore,
      baseSeverity: cvssRating(baseScore),
      score,
      severity: cvssRating(score),
      nomenclature: v.getNomenclature() as Cvss4Score['nomenclature'],
      macroVector: String(v.getMacroVector()),
    });
  }
  const version = vector.startsWith('CVSS:3.0/') ? '3.0' : '3.1';
  const s = (version === '3.0' ? new cvss.Cvss3P0(vector) : new cvss.Cvss3P1(vector)).calculateScores();
  const baseScore = finite(s.base, 'base score', vector);
  const temporalScore = s.temporal === undefined ? null : finite(s.temporal, 'temporal score', vector);
  const environmentalScore = s.environmental === undefined ? null : finite(s.environmental, 'environmental score', vector);
  // The environmental formula already applies the temporal metrics.
  const score = environmentalScore ?? temporalScore ?? baseScore;
  return Object.freeze({
    version,
    vector,
    metrics,
    baseScore,
    baseSeverity: cvssRating(baseScore),
    temporalScore,
    environmentalScore,
    score,
    severity: cvssRating(score),
    impactSubscore: finite(s.impact, 'impact subscore', vector),
    exploitabilitySubscore: finite(s.exploitability, 'exploitability subscore', vector),
  });
}

/**
 * Scores a CVSS 3.0, 3.1 or 4.0 vector, refusing a malformed one with an `invalid-field` error that names the
 * metric at fault (`field` is the name reported, e.g. the JSON Pointer the vector came from).
 *
 * `score` is the most specific score the vector supports: for 3.x the environmental score when it sets an
 * environmental metric, else the temporal score when it sets a temporal one, else the base score; for 4.0 the
 * one score of the whole vector (base, threat and environmental metrics together; `nomenclature` says which).
 * `baseScore` always uses the base metrics alone. Results are cached: a 4.0 vector costs ≈ 1.6 ms to score.
 */
export function scoreCvss(vector: string, field = 'cvssVector'): CvssScore {
  const hit = cache.get(vector);
  if (hit) return hit;
  if (typeof vector !== 'string') throw invalidField(field, 'a CVSS vector must be a string');
  const problem = cvssVectorProblem(vector);
  if (problem) throw invalidField(field, `CVSS vector ${problem}`);
  const result = compute(vector);
  if (cache.size >= maxCached) cache.clear();
  cache.set(vector, result);
  return result;
}

/**
 * The qualitative severity of a well-formed vector — of the base score for 3.x, of the whole vector's score
 * (CVSS-B/BT/BE/BTE) for 4.0 — or null when the vector is malformed.
 */
export function cvssSeverity(vector: string): Severity | null {
  if (!cache.has(vector) && cvssVectorProblem(vector) !== null) return null;
  let result: CvssScore;
  try {
    result = scoreCvss(vector);
  } catch {
    return null;
  }
  return result.version === '4.0' ? result.severity : result.baseSeverity;
}
