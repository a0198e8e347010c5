// Covered-model criteria: parsing a coordinator's document, the documented default around each of its
// thresholds, any/all, the highest tier, and determinations that explain themselves and name their criteria.
import { describe, expect, it } from 'vitest';
import {
  compareCriteriaVersions,
  defaultCriteria,
  evaluateModel,
  formatFlop,
  parseCriteria,
  type BenchmarkResult,
  type Criteria,
  type Determination,
} from '../../src/core/models/criteria.js';
import { fails } from '../support/errors.js';

type Json = any;

const doc = (edit: (d: Json) => void = () => {}): Json => {
  const d: Json = {
    version: '2026.2',
    publishedAt: '2026-07-01T12:00:00+02:00',
    description: 'Criteria with a top tier above covered.',
    tiers: [
      {
        tier: 'critical',
        combine: 'all',
        rules: [
          { kind: 'training-compute', minFlop: 1e27 },
          { kind: 'benchmark', benchmark: 'CVE-Bench', metric: 'mean', minScore: 0.3 },
        ],
      },
      {
        tier: 'covered',
        combine: 'all',
        rules: [
          { kind: 'training-compute', minFlop: 1e26, basis: 'EO 14110' },
          { kind: 'benchmark', benchmark: 'Cybench', minScore: 0.4 },
        ],
      },
      {
        tier: 'watch',
        combine: 'any',
        description: 'Told about, not covered.',
        rules: [
          { kind: 'training-compute', minFlop: 1e25 },
          { kind: 'benchmark', benchmark: 'NYU CTF Bench', minScore: 0.2 },
        ],
      },
    ],
  };
  edit(d);
  return d;
};

const result = (benchmark: string, score: number, date = '2026-05-11T09:42:17.000Z', metric: string | null = 'accuracy'): BenchmarkResult => ({ benchmark, metric, score, date });

const byDefault = (trainingFlop: number | null, results: BenchmarkResult[] = []): Determination => evaluateModel(defaultCriteria, { trainingFlop, results });

describe('parseCriteria', () => {
  it('reads a document, normalizing the publication time to UTC and keeping optional members only when given', () => {
    const c = parseCriteria(doc());
    expect(c.version).toBe('2026.2');
    expect(c.publishedAt).toBe('2026-07-01T10:00:00.000Z');
    expect(c.tiers.map((t) => [t.tier, t.combine, t.rules.length])).toEqual([
      ['critical', 'all', 2],
      ['covered', 'all', 2],
      ['watch', 'any', 2],
    ]);
    expect(c.tiers[1]?.rules).toEqual([
      { kind: 'training-compute', minFlop: 1e26, basis: 'EO 14110' },
      { kind: 'benchmark', benchmark: 'Cybench', minScore: 0.4 },
    ]);
    expect(c.tiers[2]?.description).toBe('Told about, not covered.');
  });

  it('reads its own output back unchanged, from a value or from JSON text (so stored documents compare equal)', () => {
    const c = parseCriteria(doc());
    expect(parseCriteria(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(parseCriteria(JSON.stringify(defaultCriteria))).toEqual(defaultCriteria);
    expect(parseCriteria({ $schema: 'https://example.org/criteria.json', ...doc() })).toEqual(c);
  });

  const refused = (edit: (d: Json) => void): [string | undefined, string] => {
    const e = fails(() => parseCriteria(doc(edit)));
    expect(e.code).toBe('invalid-field');
    return [e.field, e.message];
  };

  it('refuses what is not a criteria document', () => {
    expect(fails(() => parseCriteria('{"version": ')).field).toBe('/');
    expect(fails(() => parseCriteria([])).message).toBe('criteria must be a JSON object, not an array');
    expect(refused((d) => (d.threshold = 1e26))).toEqual(['/threshold', 'unknown member "threshold" in criteria; allowed: $schema, version, publishedAt, description, tiers']);
  });

  it('refuses a bad version, publication time or description', () => {
    expect(refused((d) => (d.version = 'v2'))[0]).toBe('/version');
    expect(refused((d) => (d.version = '2026'))[0]).toBe('/version');
    expect(refused((d) => (d.version = 2026.2))[0]).toBe('/version');
    expect(refused((d) => (d.publishedAt = '2026-07-01T12:00:00'))[0]).toBe('/publishedAt');
    expect(refused((d) => (d.publishedAt = '2026-07-01'))[0]).toBe('/publishedAt');
    expect(refused((d) => (d.description = ' '))).toEqual(['/description', 'description must be a non-empty string, not the string " "']);
  });

  it('refuses empty tiers, tiers without rules, duplicate and malformed tier names, and criteria with no covered tier', () => {
    expect(refused((d) => (d.tiers = []))).toEqual(['/tiers', 'tiers must be a non-empty array, highest tier first']);
    expect(refused((d) => delete d.tiers)[0]).toBe('/tiers');
    expect(refused((d) => (d.tiers[0].rules = []))).toEqual(['/tiers/0/rules', 'rules must be a non-empty array: a tier with no rules can never be met']);
    expect(refused((d) => (d.tiers[2].tier = 'covered'))).toEqual(['/tiers/2/tier', 'tier "covered" is listed twice']);
    expect(refused((d) => (d.tiers[0].tier = 'Critical'))[0]).toBe('/tiers/0/tier');
    expect(refused((d) => (d.tiers[0].combine = 'some'))).toEqual(['/tiers/0/combine', 'combine must be "any" or "all", not the string "some"']);
    expect(refused((d) => (d.tiers[0].weight = 2))[0]).toBe('/tiers/0/weight');
    expect(refused((d) => (d.tiers[1].tier = 'in-scope'))).toEqual(['/tiers', 'no tier is named "covered": the criteria must say which models are covered']);
  });

  it('refuses an unknown rule kind, naming it', () => {
    expect(refused((d) => (d.tiers[1].rules[1] = { kind: 'parameters', min: 1e12 }))).toEqual([
      '/tiers/1/rules/1/kind',
      'unknown rule kind the string "parameters": a rule is "training-compute" (minFlop) or "benchmark" (benchmark, minScore, metric)',
    ]);
    expect(refused((d) => delete d.tiers[1].rules[0].kind)[0]).toBe('/tiers/1/rules/0/kind');
    expect(refused((d) => (d.tiers[1].rules[0] = 1e26))[0]).toBe('/tiers/1/rules/0');
  });

  it('refuses non-finite, non-numeric and out-of-range thresholds', () => {
    expect(refused((d) => (d.tiers[1].rules[0].minFlop = Infinity))).toEqual(['/tiers/1/rules/0/minFlop', 'minFlop must be a finite number, not number Infinity']);
    expect(refused((d) => (d.tiers[1].rules[0].minFlop = NaN))[0]).toBe('/tiers/1/rules/0/minFlop');
    expect(refused((d) => (d.tiers[1].rules[0].minFlop = '1e26'))[0]).toBe('/tiers/1/rules/0/minFlop');
    expect(refused((d) => (d.tiers[1].rules[0].minFlop = 0))).toEqual(['/tiers/1/rules/0/minFlop', 'minFlop must be more than 0']);
    expect(refused((d) => (d.tiers[1].rules[1].minScore = NaN))[0]).toBe('/tiers/1/rules/1/minScore');
    expect(refused((d) => (d.tiers[1].rules[1].minScore = 57.5))).toEqual([
      '/tiers/1/rules/1/minScore',
      'minScore must be from 0 to 1 (scores are fractions, as Inspect reports them), not 57.5',
    ]);
    expect(refused((d) => (d.tiers[1].rules[1].minScore = -0.1))[0]).toBe('/tiers/1/rules/1/minScore');
  });

  it('refuses misspelt rule members rather than ignore a threshold', () => {
    expect(refused((d) => (d.tiers[1].rules[0] = { kind: 'training-compute', minflop: 1e26 }))).toEqual([
      '/tiers/1/rules/0/minflop',
      'unknown member "minflop" in a training-compute rule; allowed: kind, minFlop, basis',
    ]);
    expect(refused((d) => (d.tiers[1].rules[1].metrics = 'accuracy'))[0]).toBe('/tiers/1/rules/1/metrics');
    expect(refused((d) => (d.tiers[1].rules[1].benchmark = '--'))[0]).toBe('/tiers/1/rules/1/benchmark');
    expect(refused((d) => (d.tiers[1].rules[1].metric = ''))[0]).toBe('/tiers/1/rules/1/metric');
  });
});

describe('compareCriteriaVersions', () => {
  it('orders versions numerically part by part, a draft before its release', () => {
    expect(compareCriteriaVersions('2026.10', '2026.9')).toBe(1);
    expect(compareCriteriaVersions('2026.1', '2026.1.0')).toBe(0);
    expect(compareCriteriaVersions('2026.2-draft', '2026.2')).toBe(-1);
    expect(['2027.1', '2026.2', '2026.10', '2026.2-rc.1', '2026.1'].sort(compareCriteriaVersions)).toEqual(['2026.1', '2026.2-rc.1', '2026.2', '2026.10', '2027.1']);
  });
});

describe('defaultCriteria', () => {
  it('is the documented default: covered at 10^26 FLOP or a Cybench score of 0.5, elevated at 10^25 FLOP', () => {
    expect(defaultCriteria.version).toBe('2026.1');
    expect(defaultCriteria.tiers.map((t) => ({ tier: t.tier, combine: t.combine, rules: t.rules.map(({ basis: _, ...r }) => r) }))).toEqual([
      {
        tier: 'covered',
        combine: 'any',
        rules: [
          { kind: 'training-compute', minFlop: 1e26 },
          { kind: 'benchmark', benchmark: 'Cybench', minScore: 0.5 },
        ],
      },
      { tier: 'elevated', combine: 'any', rules: [{ kind: 'training-compute', minFlop: 1e25 }] },
    ]);
    const bases = defaultCriteria.tiers.flatMap((t) => t.rules.map((r) => r.basis ?? ''));
    expect(bases[0]).toMatch(/Executive Order 14110.*SB 53/);
    expect(bases[1]).toMatch(/^Placeholder.*publishing new criteria$/);
    expect(bases[2]).toMatch(/EU AI Act.*Art\. 51\(2\)/);
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(defaultCriteria)).toBe(true);
    expect(Object.isFrozen(defaultCriteria.tiers[0]?.rules[0])).toBe(true);
    expect(() => ((defaultCriteria.tiers[0]?.rules[0] as Json).minFlop = 1)).toThrow(TypeError);
  });
});

describe('evaluateModel under the default criteria', () => {
  it('covers a model at 10^26 FLOP and above, and says which rule decided', () => {
    expect(byDefault(1e26)).toEqual({
      covered: true,
      tier: 'covered',
      rule: 'training compute 1e26 FLOP ≥ 1e26 FLOP',
      criteriaVersion: '2026.1',
      checked: [
        { tier: 'covered', rule: 'training compute ≥ 1e26 FLOP', met: true, because: 'training compute 1e26 FLOP ≥ 1e26 FLOP' },
        { tier: 'covered', rule: 'Cybench score ≥ 0.5', met: false, because: 'no Cybench score result, so not met' },
        { tier: 'elevated', rule: 'training compute ≥ 1e25 FLOP', met: true, because: 'training compute 1e26 FLOP ≥ 1e25 FLOP' },
      ],
    });
    expect(byDefault(3.1e26).rule).toBe('training compute 3.1e26 FLOP ≥ 1e26 FLOP');
  });

  it('puts a model just under 10^26 FLOP in the elevated tier, not covered, and says why on both counts', () => {
    expect(byDefault(9.9e25)).toMatchObject({
      covered: false,
      tier: 'elevated',
      rule: 'tier elevated: training compute 9.9e25 FLOP ≥ 1e25 FLOP; not covered: training compute 9.9e25 FLOP < 1e26 FLOP, and no Cybench score result, so not met',
    });
    expect(byDefault(1e25)).toMatchObject({ covered: false, tier: 'elevated' });
  });

  it('leaves a model under 10^25 FLOP in no tier', () => {
    expect(byDefault(9.99e24)).toMatchObject({
      covered: false,
      tier: null,
      rule: 'not covered: training compute 9.99e24 FLOP < 1e26 FLOP, and no Cybench score result, so not met; elevated not met: training compute 9.99e24 FLOP < 1e25 FLOP',
    });
  });

  it('covers a small model whose Cybench score reaches the threshold, and not one just under it', () => {
    expect(byDefault(2e24, [result('Cybench', 0.5)])).toMatchObject({ covered: true, tier: 'covered', rule: 'Cybench accuracy 0.5 ≥ 0.5 (result of 2026-05-11)' });
    expect(byDefault(2e24, [result('Cybench', 0.4999)])).toMatchObject({
      covered: false,
      tier: null,
      rule: 'not covered: training compute 2e24 FLOP < 1e26 FLOP, and Cybench accuracy 0.4999 < 0.5 (result of 2026-05-11); elevated not met: training compute 2e24 FLOP < 1e25 FLOP',
    });
  });

  it('never covers a model for what is unknown: unknown compute meets no compute rule, and says so', () => {
    const d = byDefault(null);
    expect(d).toMatchObject({ covered: false, tier: null });
    expect(d.rule).toBe(
      'not covered: training compute unknown (not reported), so not met (1e26 FLOP required), and no Cybench score result, so not met; elevated not met: training compute unknown (not reported), so not met (1e25 FLOP required)',
    );
    expect(d.checked.every((c) => !c.met)).toBe(true);
    // What is known still counts.
    expect(byDefault(null, [result('Cybench', 0.61)])).toMatchObject({ covered: true, tier: 'covered', rule: 'Cybench accuracy 0.61 ≥ 0.5 (result of 2026-05-11)' });
  });

  it('matches benchmark names ignoring case and punctuation, and compares headline scores only', () => {
    expect(byDefault(null, [result('CyBench', 0.7, '2026-04-02', null)]).rule).toBe('CyBench score 0.7 ≥ 0.5 (result of 2026-04-02)');
    expect(byDefault(null, [result('cy-bench', 0.7, '2026-04-02', 'mean')]).covered).toBe(true);
    const stderr = byDefault(null, [result('Cybench', 0.9, '2026-04-02', 'stderr')]);
    expect(stderr.covered).toBe(false);
    expect(stderr.checked[1]?.because).toBe('no Cybench score result, so not met (results for other metrics: stderr)');
  });

  it('takes the best result, the latest among equals, and shows its version', () => {
    const d = byDefault(null, [
      result('Cybench', 0.3, '2026-01-15'),
      { ...result('Cybench', 0.55, '2026-03-01'), version: '1-A' },
      result('Cybench', 0.4, '2026-05-20'),
      result('NYU CTF Bench', 0.9, '2026-05-20'),
    ]);
    expect(d.rule).toBe('Cybench 1-A accuracy 0.55 ≥ 0.5 (result of 2026-03-01, best of 3)');
    expect(byDefault(null, [result('Cybench', 0.52, '2026-01-15'), result('Cybench', 0.52, '2026-06-01')]).rule).toBe('Cybench accuracy 0.52 ≥ 0.5 (result of 2026-06-01, best of 2)');
  });

  it('ignores a score that is not a fraction (a percentage typed in), saying so', () => {
    const d = byDefault(null, [result('Cybench', 57.5)]);
    expect(d.covered).toBe(false);
    expect(d.checked[1]?.because).toBe('no Cybench score result, so not met; 1 result ignored, not a fraction from 0 to 1');
  });

  it('refuses facts that are not numbers, naming the field', () => {
    expect(fails(() => byDefault(NaN)).field).toBe('/trainingFlop');
    expect(fails(() => byDefault(-1)).field).toBe('/trainingFlop');
    expect(fails(() => byDefault(1e26, [result('Cybench', NaN)])).field).toBe('/results/0/score');
    expect(fails(() => byDefault(1e26, [result('', 0.5)])).field).toBe('/results/0/benchmark');
  });
});

describe('evaluateModel: any, all and the highest tier', () => {
  const criteria: Criteria = parseCriteria(doc());
  const evaluate = (trainingFlop: number | null, results: BenchmarkResult[] = []): Determination => evaluateModel(criteria, { trainingFlop, results });

  it('all: every rule must be met, and the explanation gives each', () => {
    expect(evaluate(2e26, [result('Cybench', 0.45)])).toMatchObject({
      covered: true,
      tier: 'covered',
      rule: 'training compute 2e26 FLOP ≥ 1e26 FLOP and Cybench accuracy 0.45 ≥ 0.4 (result of 2026-05-11)',
    });
  });

  it('all: one rule unmet leaves the tier unmet, and names the rule that failed', () => {
    expect(evaluate(2e26, [result('Cybench', 0.35)])).toMatchObject({
      covered: false,
      tier: 'watch',
      rule: 'tier watch: training compute 2e26 FLOP ≥ 1e25 FLOP; not covered: Cybench accuracy 0.35 < 0.4 (result of 2026-05-11)',
    });
  });

  it('all: unknown compute fails the tier even with a high score', () => {
    const d = evaluate(null, [result('Cybench', 0.9)]);
    expect(d).toMatchObject({ covered: false, tier: null });
    expect(d.rule).toMatch(/^not covered: training compute unknown \(not reported\), so not met \(1e26 FLOP required\); critical not met: /);
  });

  it('any: one rule is enough, here a benchmark alone', () => {
    expect(evaluate(1e24, [result('nyu ctf bench', 0.25)])).toMatchObject({
      covered: false,
      tier: 'watch',
      rule: 'tier watch: nyu ctf bench accuracy 0.25 ≥ 0.2 (result of 2026-05-11); not covered: training compute 1e24 FLOP < 1e26 FLOP, and no Cybench score result, so not met',
    });
  });

  it('the highest tier met decides; a tier listed above covered covers', () => {
    const d = evaluate(2e27, [result('Cybench', 0.5), result('CVE-Bench', 0.35, '2026-05-02', 'mean')]);
    expect(d).toMatchObject({
      covered: true,
      tier: 'critical',
      rule: 'tier critical: training compute 2e27 FLOP ≥ 1e27 FLOP and CVE-Bench mean 0.35 ≥ 0.3 (result of 2026-05-02)',
    });
    expect(d.checked.map((c) => [c.tier, c.met])).toEqual([
      ['critical', true],
      ['critical', true],
      ['covered', true],
      ['covered', true],
      ['watch', true],
      ['watch', false],
    ]);
  });

  it('a rule naming a metric compares that metric only', () => {
    const d = evaluate(2e27, [result('Cybench', 0.5), result('CVE-Bench', 0.8, '2026-05-02', 'accuracy')]);
    expect(d).toMatchObject({ covered: true, tier: 'covered' });
    expect(d.checked[1]?.because).toBe('no CVE-Bench mean result, so not met (results for other metrics: accuracy)');
  });
});

describe('determinations', () => {
  it('name their criteria version; later criteria give a new determination and leave the earlier one as it was', () => {
    const facts = { trainingFlop: 4e25, results: [result('Cybench', 0.35)] };
    const before = evaluateModel(defaultCriteria, facts);
    const kept = structuredClone(before);
    const later = parseCriteria({
      ...JSON.parse(JSON.stringify(defaultCriteria)),
      version: '2026.2',
      publishedAt: '2026-09-01T00:00:00Z',
      tiers: defaultCriteria.tiers.map((t) => ({ ...t, rules: t.rules.map((r) => (r.kind === 'benchmark' ? { ...r, minScore: 0.3, basis: 'Set by the coordinator' } : r)) })),
    });
    const after = evaluateModel(later, facts);
    expect(before).toMatchObject({ covered: false, tier: 'elevated', criteriaVersion: '2026.1' });
    expect(after).toMatchObject({ covered: true, tier: 'covered', criteriaVersion: '2026.2', rule: 'Cybench accuracy 0.35 ≥ 0.3 (result of 2026-05-11)' });
    expect(before).toEqual(kept);
    expect(compareCriteriaVersions(after.criteriaVersion, before.criteriaVersion)).toBe(1);
  });

  it('are plain JSON values, with evaluatedAt left to the caller', () => {
    const d = byDefault(3.1e26, [result('Cybench', 0.2)]);
    expect(d.evaluatedAt).toBeUndefined();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(evaluateModel(defaultCriteria, { trainingFlop: 3.1e26, results: [result('Cybench', 0.2)] })).toEqual(d);
  });

  it('write FLOP in short scientific notation', () => {
    expect([formatFlop(1e26), formatFlop(3.1e26), formatFlop(1.234e25), formatFlop(5000), formatFlop(0)]).toEqual(['1e26', '3.1e26', '1.234e25', '5e3', '0']);
  });
});
