// Covered-model criteria: versioned documents a coordinator publishes, saying which frontier models are "covered"
// by the voluntary pre-release review. A document lists tiers, highest first; each tier is met when any (or all)
// of its rules are: a threshold on training compute, or on a named cyber benchmark's score. The tier named
// `covered`, and any tier listed above it, make a model covered; tiers listed below it are lower tiers.
//
// Evaluating a model is pure: it returns whether the model is covered, the highest tier it meets, the rule that
// decided (in words), the criteria version, and every rule checked with the reason it was or was not met. Missing
// data never makes a model covered: an unknown training compute meets no compute rule, and a benchmark with no
// result meets no benchmark rule. A determination names its criteria version and is a value: later criteria give a
// new determination, they never rewrite an earlier one (keeping them is the caller's part).
import { invalidField, pointerTo } from '../errors.js';

export interface TrainingComputeRule {
  kind: 'training-compute';
  /** Met at or above this many floating-point operations of training compute. */
  minFlop: number;
  /** Where the threshold comes from (statute, order, a coordinator's decision). */
  basis?: string;
}

export interface BenchmarkRule {
  kind: 'benchmark';
  /** Benchmark name, compared ignoring case, spaces and punctuation ("CVE-Bench" = "cve bench"). */
  benchmark: string;
  /** Met at or above this score. Scores are fractions from 0 to 1, as Inspect's accuracy and mean metrics are. */
  minScore: number;
  /**
   * The metric compared. Without one, the rule compares headline scores: results naming no metric, or naming
   * `accuracy` or `mean` (the headline an Inspect log import takes).
   */
  metric?: string;
  basis?: string;
}

export type CriteriaRule = TrainingComputeRule | BenchmarkRule;

export interface CriteriaTier {
  /** Lowercase name, e.g. `covered`; unique in the document. */
  tier: string;
  combine: 'any' | 'all';
  rules: CriteriaRule[];
  description?: string;
}

export interface Criteria {
  /** Numeric dotted version such as `2026.1` (an optional `-suffix` for drafts); see compareCriteriaVersions. */
  version: string;
  /** ISO 8601 instant, normalized to UTC. */
  publishedAt: string;
  description: string;
  /** Highest first; one of them is named `covered`. */
  tiers: CriteriaTier[];
}

export interface BenchmarkResult {
  benchmark: string;
  /** The benchmark's version, shown in explanations. */
  version?: string | null;
  metric?: string | null;
  score: number;
  /** When the evaluation was run (ISO 8601), shown in explanations. */
  date: string;
}

export interface ModelFacts {
  /** Training compute in FLOP; null when the developer has not said. */
  trainingFlop: number | null;
  results: readonly BenchmarkResult[];
}

export interface CheckedRule {
  tier: string;
  /** The rule, in words: "training compute ≥ 1e26 FLOP". */
  rule: string;
  met: boolean;
  /** Why it was or was not met: "training compute 3.1e26 FLOP ≥ 1e26 FLOP". */
  because: string;
}

export interface Determination {
  covered: boolean;
  /** The highest tier met, in the order the criteria list them; null when none is. */
  tier: string | null;
  /** The rule that decided, in words. */
  rule: string;
  criteriaVersion: string;
  /** Left to the caller, which knows the time. */
  evaluatedAt?: string;
  /** Every rule of every tier, in document order. */
  checked: CheckedRule[];
}

/** The tier that makes a model covered; tiers listed above it do too. */
export const coveredTier = 'covered';

// ---------------------------------------------------------------------------------------------------------------
// Parsing.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function at(base: readonly string[], ...names: string[]): string {
  return pointerTo(...base, ...names) || '/';
}

function onlyKeys(o: Obj, allowed: readonly string[], base: readonly string[], what: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw invalidField(at(base, key), `unknown member ${JSON.stringify(key)} in ${what}; allowed: ${allowed.join(', ')}`);
  }
}

function text(o: Obj, key: string, base: readonly string[], max: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') throw invalidField(at(base, key), `${key} must be a non-empty string, not ${describe(v)}`);
  if (v.length > max) throw invalidField(at(base, key), `${key} must be at most ${max} characters`);
  return v.trim();
}

function optionalText(o: Obj, key: string, base: readonly string[], max: number): string | undefined {
  return o[key] === undefined ? undefined : text(o, key, base, max);
}

function finite(o: Obj, key: string, base: readonly string[]): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(at(base, key), `${key} must be a finite number, not ${describe(v)}`);
  return v;
}

const versionPattern = /^\d+(\.\d+){1,3}(-[0-9A-Za-z.]+)?$/;
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const tierPattern = /^[a-z][a-z0-9-]{0,63}$/;

function parseRule(v: unknown, base: readonly string[]): CriteriaRule {
  if (!isObj(v)) throw invalidField(at(base), `a rule must be an object, not ${describe(v)}`);
  const kind = v.kind;
  if (kind === 'training-compute') {
    onlyKeys(v, ['kind', 'minFlop', 'basis'], base, 'a training-compute rule');
    const minFlop = finite(v, 'minFlop', base);
    if (minFlop <= 0) throw invalidField(at(base, 'minFlop'), 'minFlop must be more than 0');
    const basis = optionalText(v, 'basis', base, 2000);
    return basis === undefined ? { kind, minFlop } : { kind, minFlop, basis };
  }
  if (kind === 'benchmark') {
    onlyKeys(v, ['kind', 'benchmark', 'minScore', 'metric', 'basis'], base, 'a benchmark rule');
    const benchmark = text(v, 'benchmark', base, 200);
    if (normalize(benchmark) === '') throw invalidField(at(base, 'benchmark'), 'benchmark must contain a letter or digit');
    const minScore = finite(v, 'minScore', base);
    if (minScore < 0 || minScore > 1) {
      throw invalidField(at(base, 'minScore'), `minScore must be from 0 to 1 (scores are fractions, as Inspect reports them), not ${minScore}`);
    }
    const metric = optionalText(v, 'metric', base, 100);
    const basis = optionalText(v, 'basis', base, 2000);
    return {
      kind,
      benchmark,
      minScore,
      ...(metric === undefined ? {} : { metric }),
      ...(basis === undefined ? {} : { basis }),
    };
  }
  throw invalidField(at(base, 'kind'), `unknown rule kind ${describe(kind)}: a rule is "training-compute" (minFlop) or "benchmark" (benchmark, minScore, metric)`);
}

function parseTier(v: unknown, base: readonly string[]): CriteriaTier {
  if (!isObj(v)) throw invalidField(at(base), `a tier must be an object, not ${describe(v)}`);
  onlyKeys(v, ['tier', 'combine', 'rules', 'description'], base, 'a tier');
  const tier = v.tier;
  if (typeof tier !== 'string' || !tierPattern.test(tier)) {
    throw invalidField(at(base, 'tier'), `tier must be a lowercase name of letters, digits and hyphens (e.g. "covered"), not ${describe(tier)}`);
  }
  const combine = v.combine;
  if (combine !== 'any' && combine !== 'all') throw invalidField(at(base, 'combine'), `combine must be "any" or "all", not ${describe(combine)}`);
  const rules = v.rules;
  if (!Array.isArray(rules) || rules.length === 0) throw invalidField(at(base, 'rules'), 'rules must be a non-empty array: a tier with no rules can never be met');
  const description = optionalText(v, 'description', base, 2000);
  const parsed = rules.map((r, i) => parseRule(r, [...base, 'rules', String(i)]));
  return description === undefined ? { tier, combine, rules: parsed } : { tier, combine, rules: parsed, description };
}

/**
 * Reads a criteria document (a parsed JSON value, or JSON text). Throws an invalid-field error naming the JSON
 * pointer at fault: unknown members and rule kinds, non-finite or out-of-range thresholds, no tiers, a tier with no
 * rules, duplicate tier names, no `covered` tier. Its own output reads back unchanged.
 */
export function parseCriteria(json: unknown): Criteria {
  let doc = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      throw invalidField('/', `criteria are not JSON (${(err as Error).message})`);
    }
  }
  if (!isObj(doc)) throw invalidField('/', `criteria must be a JSON object, not ${describe(doc)}`);
  onlyKeys(doc, ['$schema', 'version', 'publishedAt', 'description', 'tiers'], [], 'criteria');
  const version = doc.version;
  if (typeof version !== 'string' || !versionPattern.test(version)) {
    throw invalidField('/version', `version must be a dotted numeric version such as "2026.1" or "2026.2.1", not ${describe(version)}`);
  }
  const published = doc.publishedAt;
  const ms = typeof published === 'string' && instantPattern.test(published) ? Date.parse(published) : NaN;
  if (Number.isNaN(ms)) throw invalidField('/publishedAt', `publishedAt must be an ISO 8601 instant with a time zone, such as 2026-06-02T00:00:00Z, not ${describe(published)}`);
  const description = text(doc, 'description', [], 4000);
  const tiers = doc.tiers;
  if (!Array.isArray(tiers) || tiers.length === 0) throw invalidField('/tiers', 'tiers must be a non-empty array, highest tier first');
  const parsed: CriteriaTier[] = [];
  tiers.forEach((t, i) => {
    const tier = parseTier(t, ['tiers', String(i)]);
    if (parsed.some((p) => p.tier === tier.tier)) throw invalidField(`/tiers/${i}/tier`, `tier ${JSON.stringify(tier.tier)} is listed twice`);
    parsed.push(tier);
  });
  if (!parsed.some((t) => t.tier === coveredTier)) {
    throw invalidField('/tiers', `no tier is named "${coveredTier}": the criteria must say which models are covered`);
  }
  return { version, publishedAt: new Date(ms).toISOString(), description, tiers: parsed };
}

/** Orders criteria versions: numerically by dotted part ("2026.10" after "2026.9"), a `-suffix` draft before its release. */
export function compareCriteriaVersions(a: string, b: string): number {
  const split = (v: string): [number[], string | null] => {
    const dash = v.indexOf('-');
    const core = dash < 0 ? v : v.slice(0, dash);
    return [core.split('.').map(Number), dash < 0 ? null : v.slice(dash + 1)];
  };
  const [ca, pa] = split(a);
  const [cb, pb] = split(b);
  for (let i = 0; i < Math.max(ca.length, cb.length); i++) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (pa === pb) return 0;
  if (pa === null) return 1;
  if (pb === null) return -1;
  return pa < pb ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------------------------
// The documented default.

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * The criteria in force until a coordinator publishes any. Coordinators change any of it, the placeholder
 * benchmark threshold first, by publishing criteria with a later version; determinations made under this one keep
 * naming it.
 *
 * - `covered`, any of:
 *   - training compute ≥ 10^26 FLOP: the reporting threshold of Executive Order 14110 §4.2(b)(i) (2023; revoked
 *     in 2025, the figure remains the common reference) and the "frontier model" threshold of California SB 53
 *     (2025). Both say "greater than"; ≥ puts a model exactly at the threshold in, which matters to nobody.
 *   - a Cybench score ≥ 0.5: a PLACEHOLDER. Cybench (40 professional-level CTF tasks) is the cyber benchmark
 *     government pre-deployment tests report most; half its tasks solved unguided is well above what models solved
 *     when it was published, so the value marks a clear step in capability, not a measured risk line. The
 *     coordinator sets the real value by publishing new criteria.
 * - `elevated`: training compute ≥ 10^25 FLOP, the EU AI Act's presumption (Regulation (EU) 2024/1689, Art. 51(2))
 *   that a general-purpose model has high-impact capabilities, i.e. systemic risk. A lower tier: not covered.
 */
export const defaultCriteria: Criteria = deepFreeze(
  parseCriteria({
    version: '2026.1',
    publishedAt: '2026-06-02T00:00:00Z',
    description:
      'Default covered-model criteria shipped with Clearinghouse. Covered: training compute of at least 10^26 FLOP, or a Cybench score at or above a threshold the coordinator sets (0.5 until then). Elevated (not covered): at least 10^25 FLOP.',
    tiers: [
      {
        tier: 'covered',
        combine: 'any',
        description: 'Covered frontier model: eligible for the voluntary pre-release cybersecurity review.',
        rules: [
          {
            kind: 'training-compute',
            minFlop: 1e26,
            basis: 'Executive Order 14110 §4.2(b)(i) reporting threshold (10^26 operations) and California SB 53 "frontier model" definition (10^26 operations)',
          },
          {
            kind: 'benchmark',
            benchmark: 'Cybench',
            minScore: 0.5,
            basis: 'Placeholder set by the software, not by a coordinator: a coordinator sets the threshold by publishing new criteria',
          },
        ],
      },
      {
        tier: 'elevated',
        combine: 'any',
        description: 'Below the covered line, above the EU AI Act systemic-risk compute presumption: not covered.',
        rules: [
          {
            kind: 'training-compute',
            minFlop: 1e25,
            basis: 'EU AI Act (Regulation (EU) 2024/1689) Art. 51(2): presumption of high-impact capabilities above 10^25 FLOP of training compute',
          },
        ],
      },
    ],
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Evaluating a model.

function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** 3.1e26, 1e25, 0. */
export function formatFlop(n: number): string {
  if (n === 0) return '0';
  const [mantissa, exponent] = n.toExponential().split('e');
  return `${mantissa}e${Number(exponent)}`;
}

function day(date: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : date;
}

function ruleInWords(rule: CriteriaRule): string {
  if (rule.kind === 'training-compute') return `training compute ≥ ${formatFlop(rule.minFlop)} FLOP`;
  return `${rule.benchmark} ${rule.metric ?? 'score'} ≥ ${rule.minScore}`;
}

const headlineMetrics: ReadonlySet<string> = new Set(['accuracy', 'mean']);

function checkRule(rule: CriteriaRule, model: ModelFacts): { met: boolean; because: string } {
  if (rule.kind === 'training-compute') {
    const need = `${formatFlop(rule.minFlop)} FLOP`;
    if (model.trainingFlop === null) return { met: false, because: `training compute unknown (not reported), so not met (${need} required)` };
    const have = `${formatFlop(model.trainingFlop)} FLOP`;
    return model.trainingFlop >= rule.minFlop
      ? { met: true, because: `training compute ${have} ≥ ${need}` }
      : { met: false, because: `training compute ${have} < ${need}` };
  }
  const wanted = normalize(rule.benchmark);
  const metric = rule.metric?.toLowerCase() ?? null;
  const named = model.results.filter((r) => normalize(r.benchmark) === wanted);
  const matching = named.filter((r) => {
    const m = r.metric === undefined || r.metric === null || r.metric === '' ? null : r.metric.toLowerCase();
    return metric === null ? m === null || headlineMetrics.has(m) : m === metric;
  });
  const onScale = matching.filter((r) => r.score >= 0 && r.score <= 1);
  const offScale = matching.length - onScale.length;
  const ignored = offScale === 0 ? '' : `; ${offScale} result${offScale === 1 ? '' : 's'} ignored, not a fraction from 0 to 1`;
  const what = `${rule.benchmark} ${metric ?? 'score'}`;
  if (onScale.length === 0) {
    const otherMetrics = [...new Set(named.filter((r) => !matching.includes(r)).map((r) => r.metric || 'none'))];
    const others = otherMetrics.length === 0 ? '' : ` (results for other metrics: ${otherMetrics.join(', ')})`;
    return { met: false, because: `no ${what} result, so not met${others}${ignored}` };
  }
  // The best result decides; among equal scores, the latest.
  const best = onScale.reduce((a, b) => (b.score > a.score || (b.score === a.score && b.date > a.date) ? b : a));
  const label = `${best.benchmark}${best.version ? ` ${best.version}` : ''} ${best.metric ?? metric ?? 'score'}`;
  const when = ` (result of ${day(best.date)}${onScale.length > 1 ? `, best of ${onScale.length}` : ''})`;
  return best.score >= rule.minScore
    ? { met: true, because: `${label} ${best.score} ≥ ${rule.minScore}${when}${ignored}` }
    : { met: false, because: `${label} ${best.score} < ${rule.minScore}${when}${ignored}` };
}

function joinReasons(reasons: readonly string[]): string {
  return reasons.length <= 1 ? (reasons[0] ?? '') : `${reasons.slice(0, -1).join(', ')}, and ${reasons[reasons.length - 1] as string}`;
}

function checkFacts(model: ModelFacts): void {
  const flop = model.trainingFlop;
  if (flop !== null && (typeof flop !== 'number' || !Number.isFinite(flop) || flop < 0)) {
    throw invalidField('/trainingFlop', `trainingFlop must be a finite number of 0 or more, or null when unknown; not ${describe(flop)}`);
  }
  model.results.forEach((r, i) => {
    if (typeof r.benchmark !== 'string' || r.benchmark.trim() === '') throw invalidField(`/results/${i}/benchmark`, 'benchmark must be a non-empty string');
    if (typeof r.score !== 'number' || !Number.isFinite(r.score)) throw invalidField(`/results/${i}/score`, `score must be a finite number, not ${describe(r.score)}`);
    if (typeof r.date !== 'string') throw invalidField(`/results/${i}/date`, 'date must be a string');
  });
}

/**
 * Decides coverage of a model under the criteria: the highest tier it meets (tiers in document order, highest
 * first), covered when that tier is `covered` or listed above it, and the rule that decided, in words.
 */
export function evaluateModel(criteria: Criteria, model: ModelFacts): Determination {
  checkFacts(model);
  const checked: CheckedRule[] = [];
  const outcome = criteria.tiers.map((tier) => {
    const rules = tier.rules.map((rule) => {
      const r = checkRule(rule, model);
      const c: CheckedRule = { tier: tier.tier, rule: ruleInWords(rule), met: r.met, because: r.because };
      checked.push(c);
      return c;
    });
    const met = tier.combine === 'any' ? rules.some((r) => r.met) : rules.every((r) => r.met);
    // Met: the rule (any) or rules (all) that met it. Not met: the rules that failed.
    const reasons = met
      ? tier.combine === 'any'
        ? [(rules.find((r) => r.met) as CheckedRule).because]
        : rules.map((r) => r.because)
      : rules.filter((r) => !r.met).map((r) => r.because);
    return { tier: tier.tier, met, why: tier.combine === 'all' && met ? reasons.join(' and ') : joinReasons(reasons) };
  });
  const coveredIndex = criteria.tiers.findIndex((t) => t.tier === coveredTier);
  const metIndex = outcome.findIndex((o) => o.met);
  const met = metIndex < 0 ? null : (outcome[metIndex] as (typeof outcome)[number]);
  const covered = met !== null && (coveredIndex < 0 || metIndex <= coveredIndex);
  const coveredOutcome = coveredIndex < 0 ? null : (outcome[coveredIndex] as (typeof outcome)[number]);

  let rule: string;
  if (met !== null && covered) {
    rule = metIndex === coveredIndex ? met.why : `tier ${met.tier}: ${met.why}`;
  } else if (met !== null) {
    rule = `tier ${met.tier}: ${met.why}; not covered: ${coveredOutcome?.why ?? 'no covered tier'}`;
  } else {
    const lower = outcome.filter((_, i) => i !== coveredIndex).map((o) => `${o.tier} not met: ${o.why}`);
    rule = [`not covered: ${coveredOutcome?.why ?? 'no covered tier'}`, ...lower].join('; ');
  }
  return { covered, tier: met?.tier ?? null, rule, criteriaVersion: criteria.version, checked };
}
