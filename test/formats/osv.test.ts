import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { zipSync } from 'fflate';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdvisoryFinding } from '../../src/core/findings.js';
import { parseOsv, parseOsvDocuments, parseOsvText, readOsvExport } from '../../src/formats/osv.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { fails, failsAsync } from '../support/errors.js';

type Json = any;



async function all(path: string): Promise<AdvisoryFinding[]> {
  const out: AdvisoryFinding[] = [];
  for await (const batch of readOsvExport(path, { batchSize: 100 })) out.push(...batch);
  return out;
}

const record = (extra: Json = {}): Json => ({
  schema_version: '1.6.0',
  id: 'GHSA-xxxx-yyyy-zzzz',
  modified: '2024-03-01T10:00:00+00:00',
  published: '2024-02-01T10:00:00Z',
  aliases: ['CVE-2024-0001'],
  related: ['OSV-2024-1'],
  summary: 'Heap overflow in parser',
  details: 'Long text.\n\nMore.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad', purl: 'pkg:npm/left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
      versions: ['1.0.0'],
      database_specific: { cwes: [{ cweId: 'CWE-122' }] },
    },
  ],
  database_specific: { severity: 'MODERATE', cwe_ids: ['CWE-787', 'CWE-122'] },
  ...extra,
});

describe('parseOsv', () => {
  it('normalizes a record', () => {
    expect(parseOsv(record())).toEqual({
      kind: 'advisory',
      source: 'osv',
      pointer: '',
      title: 'Heap overflow in parser',
      description: 'Long text.\n\nMore.',
      severity: 'medium',
      cwes: [122, 787],
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      scanner: { name: 'GHSA', version: null, model: null },
      advisoryId: 'GHSA-xxxx-yyyy-zzzz',
      aliases: ['CVE-2024-0001'],
      affected: [{ ecosystem: 'npm', name: 'left-pad', purl: 'pkg:npm/left-pad', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }], versions: ['1.0.0'] }],
      published: '2024-02-01T10:00:00.000Z',
      modified: '2024-03-01T10:00:00.000Z',
      withdrawn: null,
    });
  });

  it('rates severity from the CVSS vector when the database does not', () => {
    expect(parseOsv(record({ database_specific: undefined })).severity).toBe('critical');
    expect(parseOsv(record({ database_specific: undefined, severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' }] }))).toMatchObject({
      severity: 'medium',
      cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N',
    });
    // A score that is not a well-formed vector is not taken as one.
    expect(parseOsv(record({ database_specific: undefined, severity: [{ type: 'CVSS_V3', score: '9.8' }] }))).toMatchObject({ severity: null, cvssVector: null });
    expect(parseOsv(record({ database_specific: { severity: 'HIGH' }, severity: [] }))).toMatchObject({ severity: 'high', cwes: [122] });
  });

  it('falls back for the title and names the database from the id', () => {
    expect(parseOsv(record({ summary: undefined, details: '\n  First line.  \nSecond.' })).title).toBe('First line.');
    expect(parseOsv(record({ summary: '  ', details: undefined })).title).toBe('GHSA-xxxx-yyyy-zzzz');
    expect(parseOsv(record({ id: 'PYSEC-2021-1' })).scanner.name).toBe('PYSEC');
    expect(parseOsv(record({ id: 'RUSTSEC-2021-0001' })).scanner.name).toBe('RUSTSEC');
  });

  it('keeps times in UTC, treats Go\'s zero time as unset, and keeps withdrawals', () => {
    const f = parseOsv(record({ modified: '0001-01-01T00:00:00Z', published: '2021-08-25T19:15:00.123-02:00', withdrawn: '2022-01-01T00:00:00Z' }));
    expect(f).toMatchObject({ modified: null, published: '2021-08-25T21:15:00.123Z', withdrawn: '2022-01-01T00:00:00.000Z' });
    expect(fails(() => parseOsv(record({ modified: 'yesterday' }))).field).toBe('/modified');
  });

  it('takes an affected entry without a package from its GIT range', () => {
    const f = parseOsv(record({ affected: [{ ranges: [{ type: 'GIT', repo: 'https://github.com/o/r', events: [{ introduced: '0' }, { fixed: 'a'.repeat(40) }] }] }] }));
    expect(f.affected).toEqual([{ ecosystem: 'GIT', name: 'https://github.com/o/r', purl: null, ranges: [{ type: 'GIT', repo: 'https://github.com/o/r', events: [{ introduced: '0' }, { fixed: 'a'.repeat(40) }] }], versions: [] }]);
  });

  it('names the pointer of what is wrong', () => {
    const bad = (extra: Json) => fails(() => parseOsvDocuments([record(), record(extra)]));
    expect(bad({ id: undefined }).field).toBe('/1/id');
    expect(bad({ aliases: 'CVE-1' }).field).toBe('/1/aliases');
    expect(bad({ affected: [{ package: { ecosystem: 'npm' } }] }).field).toBe('/1/affected/0/package/name');
    expect(bad({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'RANGE', events: [] }] }] }).field).toBe('/1/affected/0/ranges/0/type');
    expect(bad({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }] }] }).field).toBe('/1/affected/0/ranges/0/repo');
    expect(bad({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }] }] }).field).toBe('/1/affected/0/ranges/0/events/0/fixed');
    expect(bad({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: 2 }] }] }] }).field).toBe('/1/affected/0/ranges/0/events/0/fixed');
    expect(bad({ affected: [{ versions: ['1'] }] }).field).toBe('/1/affected/0/package');
    expect(bad({ severity: [{ type: 'CVSS_V3' }] }).field).toBe('/1/severity/0/score');
    expect(fails(() => parseOsv('x')).field).toBe('/');
  });

  it('refuses nodejs/security-wg advisories, saying they are not OSV', () => {
    const err = fails(() => parseOsv({ id: 1, module_name: 'bassmaster', cves: ['CVE-2014-7205'], vulnerable_versions: '<=1.5.1' }));
    expect(err.message).toMatch(/nodejs\/security-wg.*not OSV/);
    expect(fails(() => parseOsv({ 1: { id: 1, module_name: 'x' } })).message).toMatch(/not OSV/);
  });

  it('reads JSON and YAML text, naming the file in errors', () => {
    const yaml = YAML.stringify(record());
    const fromYaml = parseOsvText(yaml, 'a/PYSEC-1.yaml');
    expect(fromYaml[0]?.pointer).toBe('a/PYSEC-1.yaml#');
    expect(fromYaml.map((f) => ({ ...f, pointer: '' }))).toEqual(parseOsvText(JSON.stringify(record()), 'a/PYSEC-1.json').map((f) => ({ ...f, pointer: '' })));
    // Records of a file are told apart as file#pointer.
    expect(parseOsvText(JSON.stringify([record(), record({ id: 'GO-2024-1' })]), 'x.json').map((f) => f.pointer)).toEqual(['x.json#/0', 'x.json#/1']);
    let err = fails(() => parseOsvText('{"id": ', 'broken.json'));
    expect(err.message).toMatch(/^broken\.json: not valid JSON/);
    err = fails(() => parseOsvText(JSON.stringify(record({ aliases: 3 })), 'dir/GHSA-1.json'));
    expect(err).toMatchObject({ field: '/aliases', extra: { file: 'dir/GHSA-1.json' } });
    expect(err.message).toMatch(/^dir\/GHSA-1\.json: /);
    expect(fails(() => parseOsvText('id: [', 'x.yml')).message).toMatch(/^x\.yml: not valid YAML/);
    expect(fails(() => parseOsvText('{}', 'x.txt')).message).toMatch(/\.json, \.yaml or \.yml/);
  });
});

describe('readOsvExport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osv-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks a directory tree, skipping other files', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'b', 'c'), { recursive: true });
    writeFileSync(join(tree, 'a.json'), JSON.stringify(record({ id: 'GHSA-a' })));
    writeFileSync(join(tree, 'b', 'PYSEC-b.yaml'), YAML.stringify(record({ id: 'PYSEC-b' })));
    writeFileSync(join(tree, 'b', 'c', 'GO-c.yml'), YAML.stringify(record({ id: 'GO-c' })));
    writeFileSync(join(tree, 'b', 'NOTICE'), 'not a record');
    expect((await all(tree)).map((f) => f.advisoryId)).toEqual(['GHSA-a', 'PYSEC-b', 'GO-c']);
  });

  it('reads an osv.dev-style zip, one record per entry, and names the entry in errors', async () => {
    const enc = (v: Json) => new TextEncoder().encode(JSON.stringify(v));
    const records = Array.from({ length: 250 }, (_, i) => record({ id: `GHSA-${i}` }));
    const zip = join(dir, 'all.zip');
    writeFileSync(zip, zipSync({ ...Object.fromEntries(records.map((r) => [`${r.id}.json`, enc(r)])), 'README.txt': new TextEncoder().encode('x') }));
    expect((await all(zip)).map((f) => f.advisoryId)).toEqual(records.map((r) => r.id));

    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, zipSync({ 'GHSA-ok.json': enc(record()), 'sub/GHSA-bad.json': enc(record({ affected: [{}] })) }));
    const err = await failsAsync(() => all(bad));
    expect(err.message).toMatch(/^sub\/GHSA-bad\.json: /);
    expect(err.field).toBe('/affected/0/package');

    const garbage = join(dir, 'garbage.zip');
    writeFileSync(garbage, 'PK\u0003\u0004 this is not really a zip file at all');
    await expect(all(garbage)).rejects.toBeInstanceOf(Error);
  });

  it('reads a single file', async () => {
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify(record()));
    expect(await all(file)).toHaveLength(1);
  });
});

/** Records the OSV schema rejects though their databases publish them; we accept them (real data wins). */
const schemaInvalid = [
  // GIT ranges whose `fixed` is a commit URL's tail (`<sha>.patch`), not a bare hash.
  'pypa/vulns/binderhub/PYSEC-2021-371.yaml',
  'pypa/vulns/matrix-synapse/PYSEC-2021-424.yaml',
  'pypa/vulns/matrix-synapse/PYSEC-2021-425.yaml',
  'pypa/vulns/matrix-synapse/PYSEC-2021-436.yaml',
  'pypa/vulns/python-dbusmock/PYSEC-2019-155.yaml',
  'pypa/vulns/python-fedora/PYSEC-2017-27.yaml',
  'pypa/vulns/vyper/PYSEC-2023-80.yaml',
  // Dependency-Track test data without `modified`.
  'ghsa/dependency-track-testdata/osv-git-conflict-upper-bound-range.json',
  'ghsa/dependency-track-testdata/osv-git-upper-bound-range.json',
  // Reference URLs that are not URIs (spaces and the like).
  'ghsa/golang-vulndb-testdata/GHSA-3wq5-3f56-v5xc.json',
  'ghsa/golang-vulndb-testdata/GHSA-g9wh-3vrx-r7hg.json',
  'ghsa/golang-vulndb-testdata/GHSA-xmg8-99r8-jc2j.json',
];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe.skipIf(corpusMissing('OSV corpus tests'))('OSV corpus', () => {
  const root = corpusPath('osv');
  const expected: Record<string, number> = { pypa: 2661, go: 4291, rustsec: 1206, ghsa: 62 };

  it('parses every record of pypa, go, rustsec and ghsa, and each validates against the OSV schema but the known few', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(corpusPath('schemas', 'osv', 'osv-schema.json'), 'utf8')));
    const invalid: string[] = [];
    for (const [source, count] of Object.entries(expected)) {
      const files = walk(join(root, source)).filter((f) => /\.(json|ya?ml)$/.test(f));
      expect(files.length, source).toBe(count);
      const ids = new Set<string>();
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const doc = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
        if (!validate(doc)) invalid.push(relative(root, file));
        const [f, ...rest] = parseOsvDocuments(doc);
        expect(rest).toEqual([]);
        expect(f?.title.length).toBeGreaterThan(0);
        expect(f?.scanner.name).toBe((f?.advisoryId as string).split('-')[0]);
        ids.add(f?.advisoryId as string);
      }
      expect(ids.size, source).toBe(count);
    }
    expect(invalid.sort()).toEqual([...schemaInvalid].sort());
  }, 120_000);

  it('reads the JSON sources as exports (directory trees)', async () => {
    expect((await all(join(root, 'rustsec'))).length).toBe(expected.rustsec);
    expect((await all(join(root, 'ghsa'))).length).toBe(expected.ghsa);
  });

  it('reads what the databases say', async () => {
    const one = (path: string) => parseOsvText(readFileSync(join(root, path), 'utf8'), path)[0] as AdvisoryFinding;
    expect(one('rustsec/crates/RUSTSEC-2016-0001.json')).toMatchObject({
      title: 'SSL/TLS MitM vulnerability due to insecure defaults',
      aliases: ['CVE-2016-10931', 'GHSA-34p9-f4q3-c4r7'],
      cvssVector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H',
      severity: 'high',
      affected: [{ ecosystem: 'crates.io', name: 'openssl', purl: 'pkg:cargo/openssl', ranges: [{ type: 'SEMVER', events: [{ introduced: '0.0.0-0' }, { fixed: '0.9.0' }] }] }],
    });
    expect(one('pypa/vulns/binderhub/PYSEC-2021-371.yaml')).toMatchObject({ modified: '2021-09-01T12:23:00.000Z', aliases: ['CVE-2021-39159', 'GHSA-9jjr-qqfp-ppwx'] });
    expect(one('ghsa/osv-schema-ghsa-converter-testdata/withdrawn.osv.json').withdrawn).toBe('2018-10-11T17:29:49.000Z');
    const go = readdirSync(join(root, 'go', 'data', 'osv')).sort()[0] as string;
    expect(one(`go/data/osv/${go}`)).toMatchObject({ scanner: { name: 'GO' }, modified: null });
  });

  it('refuses every nodejs-security-wg file as not OSV', () => {
    const files = walk(join(root, 'nodejs-security-wg')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(468);
    for (const file of files) {
      const err = fails(() => parseOsvText(readFileSync(file, 'utf8'), relative(root, file)));
      expect(err.message).toMatch(/not OSV/);
    }
  });
});
