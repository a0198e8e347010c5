import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseSarif } from '../../src/formats/sarif.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { fails } from '../support/errors.js';

type Json = any;


function log(results: Json[], driver: Json = {}, run: Json = {}): Json {
  return { version: '2.1.0', runs: [{ tool: { driver: { name: 'T', ...driver } }, results, ...run }] };
}

const region = { startLine: 10, startColumn: 3, endLine: 12, endColumn: 8, snippet: { text: 'memcpy(dst, src, n);' } };
const loc = (uri: string, extra: Json = {}) => ({ physicalLocation: { artifactLocation: { uri, ...extra }, region: structuredClone(region) } });

describe('parseSarif: normalization', () => {
  it('takes tool, rule, CWE tags in every spelling, severity, location and fingerprints', () => {
    const doc = log(
      [
        {
          ruleId: 'c/overflow',
          ruleIndex: 0,
          message: { text: 'Buffer overflow in copy.' },
          locations: [loc('src/copy.c', { uriBaseId: '%SRCROOT%' })],
          partialFingerprints: { primaryLocationLineHash: 'abc:1' },
          fingerprints: { 'matchBasedId/v1': 'f00' },
          codeFlows: [{ threadFlows: [] }],
        },
      ],
      {
        semanticVersion: '2.15.0',
        version: '2.15',
        rules: [
          {
            id: 'c/overflow',
            shortDescription: { text: 'Unbounded copy' },
            fullDescription: { text: 'Copies without a bound.' },
            properties: { tags: ['security', 'external/cwe/cwe-787', 'CWE-120', 'cwe-0119', 'CWE-787'], 'security-severity': '9.3' },
          },
        ],
      },
    );
    const { findings, runs } = parseSarif(doc);
    expect(runs).toEqual([{ pointer: '/runs/0', scanner: { name: 'T', version: '2.15.0', model: null }, rules: 1, results: 1, target: null, commit: null }]);
    expect(findings).toEqual([
      {
        kind: 'code',
        source: 'sarif',
        pointer: '/runs/0/results/0',
        title: 'Unbounded copy',
        description: 'Buffer overflow in copy.',
        severity: 'critical',
        cwes: [119, 120, 787],
        cvssVector: null,
        scanner: { name: 'T', version: '2.15.0', model: null },
        ruleId: 'c/overflow',
        target: null,
        version: null,
        commit: null,
        location: { path: 'src/copy.c', startLine: 10, endLine: 12, startColumn: 3, endColumn: 8, function: null, snippet: 'memcpy(dst, src, n);' },
        toolFingerprints: { primaryLocationLineHash: 'abc:1', 'matchBasedId/v1': 'f00' },
        codeFlows: [{ threadFlows: [] }],
        proofOfConcept: null,
      },
    ]);
  });

  it('maps security-severity (CodeQL thresholds) before level, and level before nothing', () => {
    const sev = (props: Json, level?: string, ruleLevel?: string) =>
      parseSarif(log([{ ruleId: 'r', message: { text: 'm' }, properties: props, ...(level ? { level } : {}) }], {
        rules: [{ id: 'r', ...(ruleLevel ? { defaultConfiguration: { level: ruleLevel } } : {}) }],
      })).findings[0]?.severity;
    expect(sev({ 'security-severity': '9.0' })).toBe('critical');
    expect(sev({ 'security-severity': 8.9 })).toBe('high');
    expect(sev({ 'security-severity': '7.0' })).toBe('high');
    expect(sev({ 'security-severity': '4' })).toBe('medium');
    expect(sev({ 'security-severity': '0.1' })).toBe('low');
    expect(sev({ 'security-severity': '0.0' })).toBe('none');
    expect(sev({ 'security-severity': 'MEDIUM' })).toBe('medium');
    expect(sev({}, 'error')).toBe('high');
    expect(sev({}, 'warning')).toBe('medium');
    expect(sev({}, 'note')).toBe('low');
    expect(sev({}, undefined, 'error')).toBe('high');
    expect(sev({})).toBeNull();
  });

  it('resolves message ids against the rule, substituting arguments, and falls back for titles', () => {
    const doc = log(
      [
        { ruleIndex: 0, message: { id: 'default', arguments: ['ptr', 'here'] } },
        { ruleId: 'R2', message: { text: 'Line one\nline two' } },
        { ruleId: 'unknown/rule', message: { id: 'nope' } },
        { ruleId: 'R1/sub', message: { text: 'x' } },
      ],
      {
        rules: [
          { id: 'R1', messageStrings: { default: { text: 'Variable "{0}" was used {{uninitialized}} ({1}).' } }, shortDescription: { text: 'Uninitialized' } },
          { id: 'R2', name: 'RuleTwo' },
        ],
      },
    );
    const [a, b, c, d] = parseSarif(doc).findings;
    expect(a?.description).toBe('Variable "ptr" was used {uninitialized} (here).');
    expect(a?.title).toBe('Uninitialized');
    expect(a?.ruleId).toBe('R1');
    expect(b?.title).toBe('Line one');
    expect(b?.description).toBe('Line one\nline two');
    expect(c?.title).toBe('unknown/rule');
    expect(c?.description).toBeNull();
    // A hierarchical rule id belongs to its first component's rule.
    expect(d?.title).toBe('Uninitialized');
    expect(d?.ruleId).toBe('R1/sub');
  });

  it('takes CWEs from relationships and taxa, by taxonomy name, index or guid, and from the result', () => {
    const doc = log(
      [
        { ruleId: 'A', message: { text: 'a' } },
        { ruleId: 'B', message: { text: 'b' }, taxa: [{ id: '190', toolComponent: { name: 'CWE' } }, { index: 1, toolComponent: { index: 0 } }] },
        { ruleId: 'B', message: { text: 'c' }, properties: { cwe: 'CWE-327: Use of a Broken or Risky Cryptographic Algorithm', tags: ['CWE-295 Improper Certificate Validation'] } },
      ],
      {
        rules: [
          { id: 'A', relationships: [{ target: { id: 'CWE-327', toolComponent: { name: 'CWE' } }, kinds: ['relevant'] }, { target: { id: '79', toolComponent: { guid: 'AAAA0000-0000-0000-0000-000000000000' } } }] },
          { id: 'B', relationships: [{ target: { id: 'OWASP-A1', toolComponent: { name: 'OWASP' } } }] },
        ],
      },
      { taxonomies: [{ name: 'CWE', guid: 'aaaa0000-0000-0000-0000-000000000000', taxa: [{ id: '20' }, { id: '416' }] }] },
    );
    const f = parseSarif(doc).findings;
    expect(f.map((x) => x.cwes)).toEqual([[79, 327], [190, 416], [295, 327]]);
  });

  it('normalizes artifact URIs to repository-relative paths', () => {
    const paths = (results: Json[], run: Json = {}) => parseSarif(log(results, {}, run)).findings.map((f) => f.location?.path ?? null);
    const r = (uri: string, extra: Json = {}) => ({ message: { text: 'm' }, locations: [loc(uri, extra)] });
    expect(
      paths([
        r('./src/a.c'),
        r('src//b.c'),
        r('src/x/../c.c'),
        r('file:///home/ci/work/src/d.c'),
        r('file:///C:/code/e.c'),
        r('src%20dir/f.c'),
        r('src\\win\\g.c'),
        r('h.c', { uriBaseId: '%SRCROOT%' }),
        r('i.c', { uriBaseId: 'SRC' }),
        r('file:///build/repo/lib/j.c'),
        r('https://example.com/k.js'),
        r('./'),
      ], { originalUriBaseIds: { ROOT: { uri: 'file:///build/repo/' }, SRC: { uri: 'lib/', uriBaseId: 'ROOT' } } }),
    ).toEqual(['src/a.c', 'src/b.c', 'src/c.c', 'home/ci/work/src/d.c', 'C:/code/e.c', 'src dir/f.c', 'src/win/g.c', 'h.c', 'lib/i.c', 'lib/j.c', 'https://example.com/k.js', null]);
  });

  it('finds the artifact by index, the function from logical locations, and the snippet from the context region', () => {
    const doc = log(
      [
        {
          message: { text: 'm' },
          locations: [
            { logicalLocations: [{ name: 'ignored' }] },
            {
              physicalLocation: { artifactLocation: { index: 1 }, region: { startLine: 4 }, contextRegion: { startLine: 3, endLine: 5, snippet: { text: 'ctx' } } },
              logicalLocations: [{ index: 0 }, { fullyQualifiedName: 'ns::f', kind: 'function' }],
            },
          ],
        },
      ],
      {},
      {
        artifacts: [{ location: { uri: 'a.c' } }, { location: { uri: 'lib/b.c', uriBaseId: '%SRCROOT%' } }],
        logicalLocations: [{ name: 'ns', kind: 'namespace' }],
      },
    );
    expect(parseSarif(doc).findings[0]?.location).toEqual({ path: 'lib/b.c', startLine: 4, endLine: 4, startColumn: null, endColumn: null, function: 'ns::f', snippet: 'ctx' });
  });

  it('looks rules up in extensions through rule.toolComponent, and reads version control provenance', () => {
    const doc = log(
      [{ rule: { index: 0, toolComponent: { index: 0 } }, message: { text: 'm' } }],
      { rules: [{ id: 'D0' }] },
      { versionControlProvenance: [{ repositoryUri: 'https://github.com/o/r', revisionId: 'abc123' }] },
    );
    doc.runs[0].tool.extensions = [{ name: 'pack', rules: [{ id: 'E0', shortDescription: { text: 'From the extension' }, properties: { tags: ['CWE-22'] } }] }];
    const { findings, runs } = parseSarif(doc, { pointerBase: '/sarif' });
    expect(findings[0]).toMatchObject({ pointer: '/sarif/runs/0/results/0', ruleId: 'E0', title: 'From the extension', cwes: [22], target: { purl: null, repo: 'https://github.com/o/r' }, commit: 'abc123' });
    expect(runs[0]?.pointer).toBe('/sarif/runs/0');
  });

  it('keeps suppressed results, passing results (severity none) and results without a message', () => {
    const doc = log([
      { ruleId: 'a', message: { text: 'x' }, suppressions: [{ kind: 'external', status: 'accepted' }] },
      { ruleId: 'b', kind: 'pass', level: 'note' },
      { ruleId: 'c', message: { text: 'y' }, suppressions: [{ kind: 'inSource' }] },
    ]);
    const f = parseSarif(doc).findings;
    expect(f).toHaveLength(3);
    expect(f[1]).toMatchObject({ title: 'b', severity: 'none', description: null });
  });

  it('accepts empty and null runs and results', () => {
    expect(parseSarif({ version: '2.1.0', runs: [] })).toEqual({ runs: [], findings: [] });
    expect(parseSarif({ version: '2.1.0', runs: null }).findings).toEqual([]);
    expect(parseSarif(log(null as unknown as Json[])).runs[0]?.results).toBe(0);
  });
});

describe('parseSarif: errors name the first problem', () => {
  const base = () => log([{ ruleId: 'a', message: { text: 'x' }, locations: [loc('a.c')] }, { ruleId: 'a', message: { text: 'y' }, locations: [loc('b.c')] }], { rules: [{ id: 'a' }] });
  const cases: Array<[string, (d: Json) => void, string, RegExp]> = [
    ['not an object', (d) => { d.runs = 'x'; }, '/runs', /array/],
    ['wrong version', (d) => { d.version = '2.0.0'; }, '/version', /2\.1\.0/],
    ['no version', (d) => { delete d.version; }, '/version', /2\.1\.0/],
    ['no tool', (d) => { delete d.runs[0].tool; }, '/runs/0/tool', /object/],
    ['no driver name', (d) => { delete d.runs[0].tool.driver.name; }, '/runs/0/tool/driver/name', /name/],
    ['rule without id', (d) => { d.runs[0].tool.driver.rules[0] = {}; }, '/runs/0/tool/driver/rules/0/id', /id/],
    ['startLine 0', (d) => { d.runs[0].results[1].locations[0].physicalLocation.region.startLine = 0; }, '/runs/0/results/1/locations/0/physicalLocation/region/startLine', /integer ≥ 1/],
    ['endColumn 1.5', (d) => { d.runs[0].results[0].locations[0].physicalLocation.region.endColumn = 1.5; }, '/runs/0/results/0/locations/0/physicalLocation/region/endColumn', /integer/],
    ['bad level', (d) => { d.runs[0].results[1].level = 'fatal'; }, '/runs/0/results/1/level', /none, note/],
    ['empty message', (d) => { d.runs[0].results[0].message = {}; }, '/runs/0/results/0/message', /text or id/],
    ['ruleIndex out of range', (d) => { d.runs[0].results[1].ruleIndex = 5; }, '/runs/0/results/1/ruleIndex', /no rule at index 5/],
    ['fingerprint not a string', (d) => { d.runs[0].results[0].fingerprints = { 'a/b': 1 }; }, '/runs/0/results/0/fingerprints/a~1b', /string/],
    ['uri not a string', (d) => { d.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 7; }, '/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri', /string/],
    ['result not an object', (d) => { d.runs[0].results[1] = 3; }, '/runs/0/results/1', /object/],
  ];
  for (const [name, mutate, pointer, message] of cases) {
    it(name, () => {
      const d = base();
      mutate(d);
      const err = fails(() => parseSarif(d));
      expect(err.field).toBe(pointer);
      expect(err.message).toMatch(message);
    });
  }
  it('a document that is not an object', () => {
    expect(fails(() => parseSarif([])).field).toBe('/');
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Result counts per corpus file, from shared/corpus/SOURCES.md. */
const expectedResults: Record<string, number> = {
  'codeql-2.5.4.sarif': 72,
  'lgtm-1.26-defectdojo-export.sarif': 510,
  'semgrep-oss-1.69.0.sarif': 77,
  'semgrep-0.17.0-owasp-benchmark.sarif': 1768,
  'spotbugs-4.4.0.sarif': 56,
  'dependency-check-6.1.2.sarif': 13,
  'grype-0.34.7-cxf-3.4.6.sarif': 22,
  'gitleaks-7.4.0.sarif': 8,
  'dockle-0.3.15.sarif': 4,
  'mobsfscan-0.0.8.sarif': 9,
  'njsscan-0.2.3.sarif': 2,
  'flawfinder-2.0.19.sarif': 54,
  'cppcheck-2.17.1.sarif': 7,
  'devskim-1.0.90.sarif': 7,
  'govulncheck-1.3.0.sarif': 3,
  'mayhem-code-2.12.0.sarif': 8,
  'mayhem-api-2.31.2.sarif': 20,
  'edge-cases/suppressions.sarif': 5,
  'edge-cases/no-runs.sarif': 0,
  'edge-cases/spec-appendix-k.sarif': 1,
  'converted/clang-analyzer-via-sarif-sdk.sarif': 4,
  'converted/fortify-via-sarif-sdk.sarif': 33,
};

/**
 * Real logs that the official schema rejects, and why; we accept them all (real data wins):
 * - spec-appendix-k: `run.automationId`, a pre-release spelling of automationDetails;
 * - flawfinder: a `kind: "pass"` result without a message;
 * - lgtm: `newlineSequences` with a duplicate item.
 */
const schemaInvalid = ['edge-cases/spec-appendix-k.sarif', 'flawfinder-2.0.19.sarif', 'lgtm-1.26-defectdojo-export.sarif'];

describe.skipIf(corpusMissing('SARIF corpus tests'))('SARIF corpus', () => {
  const dir = corpusPath('sarif');
  const files = walk(dir).filter((f) => f.endsWith('.sarif')).sort();
  const docs = new Map(files.map((f) => [relative(dir, f), JSON.parse(readFileSync(f, 'utf8')) as Json]));

  function schemaValidator() {
    // The schema is draft-04 in form ("id"); ajv 8 compiles it as draft-07 once "id" is "$id" (no keyword differs in use).
    const schema = JSON.parse(readFileSync(corpusPath('schemas', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));
    delete schema.$schema;
    schema.$id = schema.id;
    delete schema.id;
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats.default(ajv);
    return ajv.compile(schema);
  }

  it('has every file we expect, and no other', () => {
    expect([...docs.keys()].sort()).toEqual(Object.keys(expectedResults).sort());
  });

  it('parses every log, one finding per result, counted independently', () => {
    let total = 0;
    for (const [name, doc] of docs) {
      const independent = (doc.runs ?? []).reduce((n: number, r: Json) => n + (r.results?.length ?? 0), 0);
      const { findings, runs } = parseSarif(doc);
      expect(independent, name).toBe(expectedResults[name]);
      expect(findings.length, name).toBe(independent);
      expect(runs.reduce((n, r) => n + r.results, 0), name).toBe(independent);
      for (const f of findings) {
        expect(f.title.length, name).toBeGreaterThan(0);
        expect(f.title.includes('\n'), name).toBe(false);
      }
      total += findings.length;
    }
    expect(total).toBe(2683);
  });

  it('validates against the official SARIF 2.1.0 schema, except the three known real-world deviations', () => {
    const validate = schemaValidator();
    const invalid = [...docs].filter(([, doc]) => !validate(doc)).map(([name]) => name).sort();
    expect(invalid).toEqual(schemaInvalid);
  });

  it('rejects, with the right pointer, documents that the schema rejects', () => {
    const validate = schemaValidator();
    const mutations: Array<[(d: Json) => void, string]> = [
      [(d) => { d.runs[0].results[3].locations[0].physicalLocation.region.startLine = 0; }, '/runs/0/results/3/locations/0/physicalLocation/region/startLine'],
      [(d) => { d.runs[0].results[2].level = 'fatal'; }, '/runs/0/results/2/level'],
      [(d) => { d.runs[0].results[1].message = { markdown: 'no text' }; }, '/runs/0/results/1/message'],
      [(d) => { d.runs[0].results[0].ruleIndex = -2; }, '/runs/0/results/0/ruleIndex'],
      [(d) => { d.runs[0].results[4].partialFingerprints.primaryLocationLineHash = 5; }, '/runs/0/results/4/partialFingerprints/primaryLocationLineHash'],
      [(d) => { d.runs[0].results[0].suppressions = [{ status: 'accepted' }]; }, '/runs/0/results/0/suppressions/0/kind'],
      [(d) => { d.runs[0].tool.driver.rules[7].shortDescription = { markdown: 'x' }; }, '/runs/0/tool/driver/rules/7/shortDescription/text'],
      [(d) => { d.runs[0].tool.driver.rules[2].properties.tags = 'security'; }, '/runs/0/tool/driver/rules/2/properties/tags'],
      [(d) => { delete d.runs[0].tool.driver.name; }, '/runs/0/tool/driver/name'],
      [(d) => { d.version = '2.1'; }, '/version'],
    ];
    for (const [mutate, pointer] of mutations) {
      const d = structuredClone(docs.get('codeql-2.5.4.sarif'));
      mutate(d);
      expect(validate(d), pointer).toBe(false);
      const err = fails(() => parseSarif(d));
      expect(err.field).toBe(pointer);
    }
  });

  it('reads what each tool says', () => {
    const one = (name: string, i = 0) => parseSarif(docs.get(name)).findings[i] as Json;
    expect(one('codeql-2.5.4.sarif', 3)).toMatchObject({
      ruleId: 'py/empty-except',
      title: 'Empty except',
      cwes: [390],
      scanner: { name: 'CodeQL', version: '2.5.4' },
      location: { path: 'bad/db_init.py', startLine: 45, endLine: 45, startColumn: 5, endColumn: 30, snippet: expect.stringContaining('except FileNotFoundError') },
      toolFingerprints: { primaryLocationLineHash: '999f5c7e0b05368d:1', primaryLocationStartColumnFingerprint: '0' },
    });
    expect(one('mayhem-code-2.12.0.sarif').cwes).toEqual([190]);
    expect(one('flawfinder-2.0.19.sarif').cwes).toEqual([327]);
    expect(one('semgrep-oss-1.69.0.sarif').scanner).toEqual({ name: 'Semgrep OSS', version: '1.69.0', model: null });
    expect(one('spotbugs-4.4.0.sarif')).toMatchObject({ description: 'Hard coded reference to an absolute pathname in Boot.main(String[]).', location: { path: 'Boot.java', function: 'Boot.main(String[])' } });
    expect(one('edge-cases/spec-appendix-k.sarif')).toMatchObject({
      title: 'A variable was used without being initialized.',
      description: 'Variable "ptr" was used without being initialized. It was declared [here](0).',
      severity: 'high',
      target: { purl: null, repo: 'https://github.com/example-corp/browser' },
      commit: '5da53fbb2a0aaa12d648b73984acc9aac2e11c2a',
      location: { path: 'src/collections/list.h', startLine: 15, function: 'collections::list::add' },
    });
    expect(one('cppcheck-2.17.1.sarif').severity).toBe('critical');
    expect(one('converted/fortify-via-sarif-sdk.sarif').toolFingerprints).toEqual({ InstanceId: '28E211AE4264B96E98A055B7BB4DF4C2' });
  });
});
