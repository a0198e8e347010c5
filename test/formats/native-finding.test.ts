import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { detectFindingsFormat } from '../../src/formats/detect.js';
import { cvssSeverity, cvssVectorProblem, maxProofOfConceptBytes, nativeFindingSchema, parseNativeFindings } from '../../src/formats/native-finding.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { fails } from '../support/errors.js';

type Json = any;


const finding = (extra: Json = {}): Json => ({
  title: 'Heap overflow in png_read_row',
  description: 'A crafted PNG overflows the row buffer.',
  target: { purl: 'pkg:github/pnggroup/libpng', repo: 'https://github.com/pnggroup/libpng' },
  commit: 'A1B2C3D4E5F6',
  location: { path: './pngrutil.c', startLine: 120, endLine: 131, function: 'png_read_row', snippet: 'memcpy(row, buf, len);' },
  cwe: ['CWE-787', 122],
  cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
  proofOfConcept: { filename: 'crash.png', mediaType: 'image/png', contentBase64: Buffer.from('\x89PNG....').toString('base64') },
  scanner: { name: 'deep-audit', version: '0.9' },
  model: { name: 'frontier-x', version: '2026-05' },
  ...extra,
});
const single = (extra: Json = {}) => ({ clearinghouseFinding: '1.0', ...finding(extra) });

describe('parseNativeFindings', () => {
  it('normalizes one finding', () => {
    expect(parseNativeFindings(single())).toEqual([
      {
        kind: 'code',
        source: 'native',
        pointer: '',
        title: 'Heap overflow in png_read_row',
        description: 'A crafted PNG overflows the row buffer.',
        severity: 'high',
        cwes: [122, 787],
        cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
        scanner: { name: 'deep-audit', version: '0.9', model: { name: 'frontier-x', version: '2026-05' } },
        ruleId: null,
        target: { purl: 'pkg:github/pnggroup/libpng', repo: 'https://github.com/pnggroup/libpng' },
        version: null,
        commit: 'a1b2c3d4e5f6',
        location: { path: 'pngrutil.c', startLine: 120, endLine: 131, startColumn: null, endColumn: null, function: 'png_read_row', snippet: 'memcpy(row, buf, len);' },
        toolFingerprints: {},
        codeFlows: null,
        proofOfConcept: { filename: 'crash.png', mediaType: 'image/png', contentBase64: Buffer.from('\x89PNG....').toString('base64') },
      },
    ]);
  });

  it('takes a collection, the minimum fields, and an explicit severity over the vector', () => {
    const minimal = { title: 'T', target: { repo: 'https://example.com/r' }, version: '1.2.3', scanner: { name: 's' } };
    const out = parseNativeFindings({ clearinghouseFindings: '1.0', findings: [minimal, finding({ severity: 'low', cwe: 79 })] });
    expect(out.map((f) => f.pointer)).toEqual(['/findings/0', '/findings/1']);
    expect(out[0]).toMatchObject({ target: { purl: null, repo: 'https://example.com/r' }, version: '1.2.3', commit: null, location: null, cwes: [], cvssVector: null, severity: null, proofOfConcept: null, scanner: { name: 's', version: null, model: null } });
    expect(out[1]).toMatchObject({ severity: 'low', cwes: [79] });
    expect(parseNativeFindings({ clearinghouseFindings: '1.0', findings: [] })).toEqual([]);
  });

  it('names the field at fault', () => {
    const cases: Array<[Json, string, RegExp]> = [
      [{ clearinghouseFinding: '2.0', ...finding() }, '/clearinghouseFinding', /1\.0/],
      [single({ title: '' }), '/title', /empty/],
      [single({ title: 'two\nlines' }), '/title', /one/],
      [single({ target: {} }), '/target', /purl, a repo/],
      [single({ target: { purl: 'npm/lodash' } }), '/target/purl', /package URL/],
      [single({ target: { repo: 'not a url' } }), '/target/repo', /URL/],
      [single({ commit: undefined }), '/version', /version or the commit/],
      [single({ commit: 'xyz' }), '/commit', /hexadecimal/],
      [single({ location: { path: '/abs/p.c' } }), '/location/path', /relative/],
      [single({ location: { path: 'a/../p.c' } }), '/location/path', /\.\./],
      [single({ location: { path: 'p.c', startLine: 0 } }), '/location/startLine', /≥ 1/],
      [single({ location: { path: 'p.c', startLine: 9, endLine: 3 } }), '/location/endLine', /before/],
      [single({ location: { path: 'p.c', line: 3 } }), '/location/line', /unknown field/],
      [single({ cwe: ['CWE-79', 'XSS'] }), '/cwe/1', /CWE/],
      [single({ cwe: 0 }), '/cwe', /CWE/],
      [single({ cvssVector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }), '/cvssVector', /CVSS:3\.0/],
      [single({ cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H' }), '/cvssVector', /missing base metric A/],
      [single({ severity: 'severe' }), '/severity', /one of/],
      [single({ proofOfConcept: { filename: '../x', mediaType: 'text/plain', contentBase64: '' } }), '/proofOfConcept/filename', /plain file name/],
      [single({ proofOfConcept: { filename: 'x', mediaType: 'text', contentBase64: '' } }), '/proofOfConcept/mediaType', /media type/],
      [single({ proofOfConcept: { filename: 'x', mediaType: 'text/plain', contentBase64: 'abc' } }), '/proofOfConcept/contentBase64', /base64/],
      [single({ proofOfConcept: { filename: 'x', mediaType: 'text/plain', contentBase64: 'YW Jj' } }), '/proofOfConcept/contentBase64', /base64/],
      [single({ proofOfConcept: { filename: 'x', mediaType: 'text/plain', contentBase64: 'YWJj\n' } }), '/proofOfConcept/contentBase64', /base64/],
      [single({ scanner: { version: '1' } }), '/scanner/name', /required/],
      [single({ model: { name: 'm', weights: 'x' } }), '/model/weights', /unknown field/],
      [single({ extra: 1 }), '/extra', /unknown field/],
      [{ clearinghouseFindings: '1.0', findings: [finding(), finding({ location: { path: 'p.c', startLine: -1 } })] }, '/findings/1/location/startLine', /≥ 1/],
      [{ clearinghouseFindings: '1.0', findings: {} }, '/findings', /array/],
      [{ title: 'no marker' }, '/clearinghouseFinding', /clearinghouseFinding/],
    ];
    for (const [doc, field, message] of cases) {
      const err = fails(() => parseNativeFindings(doc));
      expect(err.field, JSON.stringify(doc).slice(0, 120)).toBe(field);
      expect(err.message).toMatch(message);
    }
  });

  it('caps the proof of concept at 10 MiB decoded', () => {
    const ok = Buffer.alloc(maxProofOfConceptBytes, 1).toString('base64');
    expect(parseNativeFindings(single({ proofOfConcept: { filename: 'x', mediaType: 'application/octet-stream', contentBase64: ok } }))[0]?.proofOfConcept?.contentBase64.length).toBe(ok.length);
    const over = Buffer.alloc(maxProofOfConceptBytes + 1, 1).toString('base64');
    const err = fails(() => parseNativeFindings(single({ proofOfConcept: { filename: 'x', mediaType: 'application/octet-stream', contentBase64: over } })));
    expect(err).toMatchObject({ field: '/proofOfConcept/contentBase64' });
    expect(err.message).toMatch(/10 MiB/);
  });

  it('has a JSON Schema that compiles and agrees on valid and invalid documents', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(nativeFindingSchema);
    const good = [single(), { clearinghouseFindings: '1.0', findings: [finding(), finding({ cwe: 7, model: null })] }];
    for (const doc of good) expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const bad = [single({ extra: 1 }), single({ scanner: {} }), { clearinghouseFindings: '1.0', findings: [{ title: 'x' }] }, { clearinghouseFinding: '2.0', ...finding() }, single({ cwe: 'XSS' })];
    for (const doc of bad) {
      expect(validate(doc)).toBe(false);
      expect(() => parseNativeFindings(doc)).toThrow(AppError);
    }
  });
});

describe('CVSS vectors', () => {
  it('checks prefix, metric names, values, duplicates, base metrics and (4.0) order', () => {
    expect(cvssVectorProblem('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBeNull();
    expect(cvssVectorProblem('CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X')).toBeNull();
    expect(cvssVectorProblem('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/MSI:S/U:Amber')).toBeNull();
    expect(cvssVectorProblem('CVSS:2.0/AV:N')).toMatch(/start with/);
    expect(cvssVectorProblem('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/')).toMatch(/malformed metric/);
    expect(cvssVectorProblem('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N')).toMatch(/unknown CVSS 3\.1 metric AT/);
    expect(cvssVectorProblem('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatch(/AV cannot be "Q"/);
    expect(cvssVectorProblem('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatch(/AV appears twice/);
    expect(cvssVectorProblem('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H')).toMatch(/missing base metric S/);
    expect(cvssVectorProblem('CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toMatch(/order/);
    expect(cvssVectorProblem('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N')).toMatch(/missing base metric SA/);
    expect(cvssVectorProblem('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:amber')).toMatch(/U cannot be/);
    expect(cvssSeverity('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('critical');
    expect(cvssSeverity('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toBe('none');
    expect(cvssSeverity('CVSS:3.1/AV:Q')).toBeNull();
  });

  it.skipIf(corpusMissing('CVSS corpus vectors'))('accepts every corpus vector and rates it as its reference score says', () => {
    const rating = (s: number) => (s >= 9 ? 'critical' : s >= 7 ? 'high' : s >= 4 ? 'medium' : s > 0 ? 'low' : 'none');
    let n = 0;
    for (const file of ['cvss-v3.0.jsonl', 'cvss-v3.1.jsonl', 'cvss-v4.0.jsonl']) {
      const lines = readFileSync(corpusPath('cvss', file), 'utf8').split('\n').filter((l) => l.trim());
      lines.forEach((line, i) => {
        const { vector, base, score } = JSON.parse(line) as { vector: string; base?: number; score?: number };
        expect(cvssVectorProblem(vector), vector).toBeNull();
        // Scoring a 4.0 vector takes ≈ 1.5 ms in ae-cvss-calculator: every fourth one is enough here.
        if (!vector.startsWith('CVSS:4.0/') || i % 4 === 0) expect(cvssSeverity(vector), vector).toBe(rating((base ?? score) as number));
        n++;
      });
    }
    expect(n).toBeGreaterThan(9000);
  });
});

describe('detectFindingsFormat', () => {
  it('tells the formats apart by their markers', () => {
    expect(detectFindingsFormat({ version: '2.1.0', runs: [] })).toBe('sarif');
    expect(detectFindingsFormat({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.0.0' })).toBe('sarif');
    expect(detectFindingsFormat({ id: 'GHSA-1', modified: '2024-01-01T00:00:00Z' })).toBe('osv');
    expect(detectFindingsFormat({ id: 'GO-1', affected: [] })).toBe('osv');
    expect(detectFindingsFormat([{ id: 'A', modified: 'x' }, { id: 'B', affected: [] }])).toBe('osv');
    expect(detectFindingsFormat(single())).toBe('native');
    expect(detectFindingsFormat({ clearinghouseFindings: '1.0', findings: [] })).toBe('native');
  });

  it('says clearly when nothing fits', () => {
    expect(fails(() => detectFindingsFormat({ hello: 1 })).message).toMatch(/SARIF 2\.1\.0.*OSV.*native/);
    expect(fails(() => detectFindingsFormat('x')).field).toBe('/');
    expect(fails(() => detectFindingsFormat([])).message).toMatch(/OSV records/);
    expect(fails(() => detectFindingsFormat([{ id: 'A' }])).message).toMatch(/OSV records/);
    expect(fails(() => detectFindingsFormat({ version: '2.0.0', runs: [] })).field).toBe('/version');
    expect(fails(() => detectFindingsFormat({ id: 7, module_name: 'x' })).message).toMatch(/not OSV/);
  });
});
