// CISA KEV catalog and FIRST EPSS CSV: the real catalog from the corpus, an EPSS file when the corpus has one
// (it does not today) and a hand-written sample otherwise, and malformed inputs naming their line or field.
import { existsSync, readFileSync, readdirSync, createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EpssParser, linesOf, parseEpssCsv, parseEpssLines, parseEpssLinesAsync, type EpssScore } from '../../src/formats/epss.js';
import { parseKevCatalog } from '../../src/formats/kev.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { fails } from '../support/errors.js';

type Json = any;

// ---------- KEV ----------

describe.skipIf(corpusMissing('the real KEV catalog'))('parseKevCatalog on the real catalog', () => {
  const text = readFileSync(corpusPath('kev', 'known_exploited_vulnerabilities.json'), 'utf8');
  const doc = JSON.parse(text) as Json;

  it('parses all 1,404 entries of catalog 2025.08.25, by CVE id', () => {
    const kev = parseKevCatalog(text);
    console.log(`KEV ${kev.catalogVersion}: ${kev.entries.length} entries, ${kev.entries.filter((e) => e.knownRansomwareCampaignUse).length} with known ransomware use`);
    expect(kev.catalogVersion).toBe('2025.08.25');
    expect(kev.dateReleased).toBe('2025-08-25T17:04:19.9796Z');
    expect(kev.count).toBe(1404);
    expect(kev.entries).toHaveLength(1404);
    expect(kev.byCve.size).toBe(1404);
    expect(kev.entries.filter((e) => e.knownRansomwareCampaignUse)).toHaveLength(293);
    expect(kev.byCve.get('CVE-2025-48384')).toMatchObject({
      vendorProject: 'Git',
      product: 'Git',
      dateAdded: '2025-08-25',
      dueDate: '2025-09-15',
      knownRansomwareCampaignUse: false,
      cwes: ['CWE-59', 'CWE-436'],
    });
    // 15 entries added on 2021-11-03 carry earlier directives' due dates: accepted as published.
    expect(kev.entries.filter((e) => e.dueDate < e.dateAdded)).toHaveLength(15);
    // The parsed document works as well as the text.
    expect(parseKevCatalog(doc).entries).toHaveLength(1404);
  });

  it('agrees with the catalog’s own JSON Schema, and names the field the schema would', () => {
    const schema = JSON.parse(readFileSync(corpusPath('kev', 'known_exploited_vulnerabilities_schema.json'), 'utf8')) as Json;
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);

    const variant = (change: (d: Json) => void): Json => {
      const d = structuredClone(doc);
      change(d);
      return d;
    };
    const cases: Array<[string, Json, string, RegExp, boolean]> = [
      ['bad CVE id', variant((d) => (d.vulnerabilities[3].cveID = 'CVE-25-1')), '/vulnerabilities/3/cveID', /CVE-YYYY-NNNN/, true],
      ['missing dueDate', variant((d) => delete d.vulnerabilities[10].dueDate), '/vulnerabilities/10/dueDate', /dueDate is required/, true],
      ['bad dateAdded', variant((d) => (d.vulnerabilities[0].dateAdded = '2025-02-30')), '/vulnerabilities/0/dateAdded', /calendar date/, true],
      ['bad CWE', variant((d) => (d.vulnerabilities[0].cwes = ['CWE-59', '59'])), '/vulnerabilities/0/cwes/1', /CWE-79/, true],
      ['vendorProject not a string', variant((d) => (d.vulnerabilities[7].vendorProject = 7)), '/vulnerabilities/7/vendorProject', /must be a string/, true],
      ['no vulnerabilities', variant((d) => delete d.vulnerabilities), '/vulnerabilities', /required/, true],
      ['bad dateReleased', variant((d) => (d.dateReleased = '25 Aug 2025')), '/dateReleased', /date-time/, true],
      // Beyond the schema: its descriptions and internal consistency.
      ['count disagrees', variant((d) => (d.count = 1405)), '/count', /count says 1405 but the catalog lists 1404/, false],
      ['CVE listed twice', variant((d) => (d.vulnerabilities[5].cveID = d.vulnerabilities[2].cveID)), '/vulnerabilities/5/cveID', /listed twice \(also at \/vulnerabilities\/2\)/, false],
      ['ransomware value', variant((d) => (d.vulnerabilities[1].knownRansomwareCampaignUse = 'Maybe')), '/vulnerabilities/1/knownRansomwareCampaignUse', /Known or Unknown/, false],
    ];
    for (const [what, d, field, message, schemaRejects] of cases) {
      const err = fails(() => parseKevCatalog(d));
      expect(err.field, what).toBe(field);
      expect(err.message, what).toMatch(message);
      expect(validate(d), what).toBe(!schemaRejects);
    }
  });
});

describe('parseKevCatalog on small inputs', () => {
  const entry = {
    cveID: 'CVE-2021-44228',
    vendorProject: 'Apache',
    product: 'Log4j2',
    vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
    dateAdded: '2021-12-10',
    shortDescription: 'Apache Log4j2 contains a vulnerability where JNDI features do not protect against attacker-controlled JNDI-related endpoints.',
    requiredAction: 'Apply updates per vendor instructions.',
    dueDate: '2021-12-24',
  };
  const catalog = (vulns: unknown[]) => ({ catalogVersion: '2021.12.10', dateReleased: '2021-12-10T15:00:00.000Z', count: vulns.length, vulnerabilities: vulns });

  it('takes an entry without the optional fields (older catalogs)', () => {
    const kev = parseKevCatalog(catalog([entry]));
    expect(kev.byCve.get('CVE-2021-44228')).toMatchObject({ knownRansomwareCampaignUse: false, notes: '', cwes: [] });
    expect(kev.title).toBeNull();
  });

  it('refuses what is not a catalog', () => {
    expect(fails(() => parseKevCatalog('{"catalogVersion": ')).field).toBe('/');
    expect(fails(() => parseKevCatalog([])).field).toBe('/');
    expect(fails(() => parseKevCatalog({ ...catalog([entry]), catalogVersion: undefined })).field).toBe('/catalogVersion');
    expect(fails(() => parseKevCatalog({ ...catalog([entry]), count: -1 })).field).toBe('/count');
    expect(fails(() => parseKevCatalog(catalog([null]))).field).toBe('/vulnerabilities/0');
  });
});

// ---------- EPSS ----------

/**
 * NOT REAL EPSS DATA. A hand-written sample in the layout of FIRST's daily file (epss_scores-YYYY-MM-DD.csv): the
 * comment line, the header, then rows. The CVE ids exist but the numbers are made up for this test; the corpus
 * has no real EPSS file (see ../shared/corpus/SOURCES.md).
 */
const sampleEpss = [
  '#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z',
  'cve,epss,percentile',
  'CVE-1999-0001,0.01297,0.79219',
  'CVE-2021-44228,0.94358,0.99952',
  'CVE-2024-3094,0.84210,0.99281',
  'CVE-2025-48384,0.00043,0.11570',
  'CVE-2025-12345,0.00000,0.00000',
  '',
].join('\n');

async function collect(gen: AsyncGenerator<EpssScore, unknown>): Promise<EpssScore[]> {
  const out: EpssScore[] = [];
  for await (const row of gen) out.push(row);
  return out;
}

describe('EPSS CSV', () => {
  it('parses the labelled sample: header, rows and scores by CVE', () => {
    const file = parseEpssCsv(sampleEpss);
    expect(file.modelVersion).toBe('v2025.03.14');
    expect(file.scoreDate).toBe('2025-08-25T12:55:00.000Z');
    expect(file.scores.size).toBe(5);
    expect(file.scores.get('CVE-2021-44228')).toEqual({ cve: 'CVE-2021-44228', epss: 0.94358, percentile: 0.99952 });
    expect(file.scores.get('CVE-2025-12345')).toEqual({ cve: 'CVE-2025-12345', epss: 0, percentile: 0 });
  });

  it('streams: rows come out one at a time from chunks cut anywhere, gzipped or not, CRLF or LF', async () => {
    const crlf = sampleEpss.replace(/\n/g, '\r\n');
    const cut = (s: string, size: number) => Readable.from(Array.from({ length: Math.ceil(s.length / size) }, (_, i) => Buffer.from(s.slice(i * size, (i + 1) * size))));
    for (const size of [1, 7, 64, 4096]) {
      const rows = await collect(parseEpssLinesAsync(linesOf(cut(crlf, size))));
      expect(rows.map((r) => r.cve), `chunk ${size}`).toEqual(['CVE-1999-0001', 'CVE-2021-44228', 'CVE-2024-3094', 'CVE-2025-48384', 'CVE-2025-12345']);
    }
    const gz = Readable.from([gzipSync(sampleEpss)]).pipe(createGunzip());
    const gen = parseEpssLinesAsync(linesOf(gz));
    const rows: EpssScore[] = [];
    let step = await gen.next();
    while (!step.done) {
      rows.push(step.value);
      step = await gen.next();
    }
    expect(rows).toHaveLength(5);
    expect(step.value).toEqual({ modelVersion: 'v2025.03.14', scoreDate: '2025-08-25T12:55:00.000Z', rows: 5 });

    // The push interface, a line at a time.
    const p = new EpssParser();
    expect(p.push('#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000')).toBeNull();
    expect(p.push('cve,epss,percentile')).toBeNull();
    expect(p.push('CVE-2023-0001,4e-05,0.01')).toEqual({ cve: 'CVE-2023-0001', epss: 0.00004, percentile: 0.01 });
    expect(p.end()).toEqual({ modelVersion: 'v2023.03.01', scoreDate: '2023-03-07T00:00:00.000Z', rows: 1 });
  });

  it('takes a file from before the comment line existed', () => {
    const rows = [...parseEpssLines(['cve,epss,percentile', 'CVE-2021-0001,0.00123,0.5'])];
    expect(rows).toEqual([{ cve: 'CVE-2021-0001', epss: 0.00123, percentile: 0.5 }]);
    expect(parseEpssCsv('cve,epss,percentile\nCVE-2021-0001,0.1,0.2\n')).toMatchObject({ modelVersion: null, scoreDate: null });
  });

  it('names the line and column of every malformed input', () => {
    const lines = sampleEpss.split('\n');
    const withLine = (n: number, text: string) => lines.map((l, i) => (i === n - 1 ? text : l)).join('\n');
    const cases: Array<[string, string, number, RegExp]> = [
      ['bad header', withLine(2, 'cve,score,percentile'), 2, /expected the header cve,epss,percentile/],
      ['bad CVE id', withLine(4, 'CVE-21-44228,0.9,0.9'), 4, /column cve must be a CVE id/],
      ['lower-case CVE id', withLine(4, 'cve-2021-44228,0.9,0.9'), 4, /column cve/],
      ['epss above 1', withLine(5, 'CVE-2024-3094,1.2,0.99'), 5, /column epss must be a number from 0 to 1, not "1.2"/],
      ['epss negative', withLine(5, 'CVE-2024-3094,-0.1,0.99'), 5, /column epss/],
      ['percentile not a number', withLine(6, 'CVE-2025-48384,0.0004,high'), 6, /column percentile must be a number from 0 to 1, not "high"/],
      ['empty epss', withLine(6, 'CVE-2025-48384,,0.1'), 6, /column epss/],
      ['four columns', withLine(3, 'CVE-1999-0001,0.01,0.79,extra'), 3, /expected 3 columns .* found 4/],
      ['two columns', withLine(3, 'CVE-1999-0001,0.01'), 3, /found 2/],
      ['duplicate CVE', withLine(7, 'CVE-2021-44228,0.5,0.5'), 7, /CVE-2021-44228 is listed twice \(first on line 4\)/],
      ['bad score_date', withLine(1, '#model_version:v2025.03.14,score_date:yesterday'), 1, /score_date must be a date-time/],
      ['no model_version', withLine(1, '#score_date:2025-08-25T00:00:00Z'), 1, /no model_version/],
      ['malformed comment', withLine(1, '#model_version v2025'), 1, /malformed comment field/],
      ['two comment lines', withLine(2, '#another:comment'), 2, /a second comment line/],
      ['no header at all', '#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\n', 3, /ended before its header/],
    ];
    for (const [what, text, line, message] of cases) {
      const err = fails(() => parseEpssCsv(text));
      expect(err.code, what).toBe('invalid-field');
      expect(err.field, what).toBe(`line ${line}`);
      expect(err.extra, what).toEqual({ line });
      expect(err.message, what).toMatch(message);
      expect(err.message, what).toContain(`line ${line}:`);
    }
  });

  const epssDir = corpusPath('epss');
  const epssFiles = existsSync(epssDir) ? readdirSync(epssDir).filter((f) => /\.csv(\.gz)?$/.test(f)) : [];
  if (epssFiles.length === 0) console.warn(`skipping real EPSS files: none in ${epssDir} (the corpus has no EPSS CSV; the labelled sample above stands in)`);
  it.skipIf(epssFiles.length === 0)('parses every real EPSS file in the corpus, streaming', async () => {
    for (const f of epssFiles) {
      const raw = createReadStream(`${epssDir}/${f}`);
      const gen = parseEpssLinesAsync(linesOf(f.endsWith('.gz') ? raw.pipe(createGunzip()) : raw));
      let n = 0;
      let step = await gen.next();
      while (!step.done) {
        n++;
        step = await gen.next();
      }
      console.log(`${f}: ${n} rows, model ${step.value.modelVersion}, scored ${step.value.scoreDate}`);
      expect(n).toBeGreaterThan(0);
    }
  });
});
