import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { purlKey } from '../../src/core/targets.js';
import { detectSbomFormat, readSbom, streamSbom, type SbomComponent, type SbomStreamOptions, type SbomSummary } from '../../src/formats/sbom/index.js';
import { normalizePurl, parseCpe, purlFromCpe, purlFromDownloadUrl, purlFromSpdxLocator } from '../../src/formats/sbom/purl-derive.js';
import { cycloneDxSchema } from '../../src/formats/sbom/schemas.js';
import { spdx23Schema } from '../../src/formats/sbom/spdx-2.3-schema.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';
import { fails } from '../support/errors.js';

type Json = any;

const encoder = new TextEncoder();

/** Pieces of `size` bytes (the last one shorter): UTF-8 sequences and JSON tokens are cut anywhere. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

async function read(doc: Json | string, size = 4096, opts: SbomStreamOptions = {}): Promise<{ components: SbomComponent[]; summary: SbomSummary; batches: number[] }> {
  const bytes = encoder.encode(typeof doc === 'string' ? doc : JSON.stringify(doc));
  const components: SbomComponent[] = [];
  const batches: number[] = [];
  const gen = streamSbom(chunks(bytes, size), opts);
  for (;;) {
    const r = await gen.next();
    if (r.done) return { components, summary: r.value, batches };
    batches.push(r.value.length);
    components.push(...r.value);
  }
}

async function refused(doc: Json | string, size = 4096, opts: SbomStreamOptions = {}): Promise<{ error: AppError; yielded: number }> {
  const bytes = encoder.encode(typeof doc === 'string' ? doc : JSON.stringify(doc));
  let yielded = 0;
  try {
    for await (const batch of streamSbom(chunks(bytes, size), opts)) yielded += batch.length;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid-field');
    return { error: err as AppError, yielded };
  }
  throw new Error('expected the SBOM to be refused');
}

const cdx = (components: Json[], extra: Json = {}): Json => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  version: 1,
  metadata: { timestamp: '2026-01-01T00:00:00Z', component: { type: 'application', name: 'app', version: '1.0.0', purl: 'pkg:npm/app@1.0.0' } },
  components,
  ...extra,
});

const lib = (name: string, extra: Json = {}): Json => ({ type: 'library', name, version: '1.0.0', purl: `pkg:npm/${name}@1.0.0`, ...extra });

const spdx = (packages: Json[], extra: Json = {}): Json => ({
  spdxVersion: 'SPDX-2.3',
  dataLicense: 'CC0-1.0',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'doc',
  documentNamespace: 'https://example.com/spdx/doc-1',
  creationInfo: { created: '2026-01-01T00:00:00Z', creators: ['Tool: test-1.0'] },
  packages,
  ...extra,
});

const pkg = (name: string, extra: Json = {}): Json => ({ SPDXID: `SPDXRef-${name}`, name, downloadLocation: 'NOASSERTION', ...extra });

/** Components of a CycloneDX document, nested ones included, depth first, with their pointers. */
function walkCdx(list: Json[] | undefined, base: string, out: Array<{ pointer: string; c: Json }>): void {
  (list ?? []).forEach((c, i) => {
    out.push({ pointer: `${base}/${i}`, c });
    walkCdx(c.components, `${base}/${i}/components`, out);
  });
}

function at(doc: Json, pointer: string): Json {
  return pointer
    .split('/')
    .slice(1)
    .reduce((v, t) => v?.[t.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

describe.skipIf(corpusMissing('SBOM corpus tests'))('the corpus SBOMs', () => {
  const dir = corpusPath('sbom');
  const files = ['cyclonedx', 'spdx'].flatMap((sub) => readdirSync(join(dir, sub)).sort().map((f) => `${sub}/${f}`));
  // From ../shared/corpus/SOURCES.md.
  const stated: Record<string, [string, number]> = {
    'cyclonedx/juice-shop-11.1.2-npm-flat.cdx-1.4.json': ['components', 1115],
    'cyclonedx/laravel-7.12.0.cdx-1.4.json': ['components', 62],
    'cyclonedx/cbom-protocol-tls.cdx-1.6.json': ['components', 8],
    'cyclonedx/jabref.cdx-1.6.json': ['components', 213],
    'cyclonedx/dependency-track-apiserver-4.5.0.cdx-1.4.json': ['components', 132],
    'cyclonedx/trivy-test-image.cdx-1.6.json': ['components', 23],
    'cyclonedx/ubuntu-latest-with-vulns.cdx-1.5.json': ['components', 102],
    'cyclonedx/jake-python-with-vulns.cdx-1.4.json': ['components', 67],
    'cyclonedx/log4j-core-2.13.2-with-vulns.cdx-1.4.json': ['components', 1],
    'spdx/SPDXJSONExample-v2.3.spdx.json': ['packages', 4],
    'spdx/generic-image-with-vulns.spdx-2.3.json': ['packages', 4],
  };

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(files)('%s parses, every component accounted for', async (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const doc = JSON.parse(text);
    const { components, summary } = await read(text, 4096);
    const derived = components.filter((c) => c.derived);
    console.log(
      `${file}: ${summary.format.kind} ${summary.format.version}, ${summary.components} components keyed by purl (${derived.length} derived: ${JSON.stringify(summary.bySource)}), ` +
        `${summary.unidentified} unidentified, ${summary.nested} nested`,
    );
    const kind = file.startsWith('cyclonedx/') ? 'cyclonedx' : 'spdx';
    expect(summary.format.kind).toBe(kind);
    expect(detectSbomFormat(doc)).toEqual(summary.format);
    expect(summary.components).toBe(components.length);
    expect(summary.derived).toBe(derived.length);
    expect(summary.invalidPurls).toBe(0);
    const expected = stated[file];
    if (expected) expect(summary.arrays[expected[0]]).toBe(expected[1]);

    // Every component is either handed on or counted as unidentified; every pointer points at it.
    let total: number;
    if (kind === 'cyclonedx') {
      const all: Array<{ pointer: string; c: Json }> = [];
      if (doc.metadata?.component) {
        all.push({ pointer: '/metadata/component', c: doc.metadata.component });
        walkCdx(doc.metadata.component.components, '/metadata/component/components', all);
      }
      walkCdx(doc.components, '/components', all);
      total = all.length;
      for (const c of components) expect(all.some((a) => a.pointer === c.pointer && a.c.name === c.name)).toBe(true);
    } else {
      total = (doc.packages ?? []).length;
      for (const c of components) expect(at(doc, c.pointer).name).toBe(c.name);
    }
    expect(summary.components + summary.unidentified).toBe(total);
    for (const u of summary.unidentifiedSamples) expect(at(doc, u.pointer)).toBeTypeOf('object');
    for (const c of components) {
      expect(c.purlKey).toBe(purlKey(c.purl));
      expect(normalizePurl(c.purl)?.purl).toBe(c.purl);
    }

    // Cut into 13-byte pieces (inside tokens and UTF-8 sequences), the result is the same.
    const small = await read(text, 13);
    expect(small.components).toEqual(components);
    expect(small.summary).toEqual(summary);
  });

  it('reads the stated purls as given, normalized', async () => {
    const { components } = await read(readFileSync(join(dir, 'cyclonedx/laravel-7.12.0.cdx-1.4.json'), 'utf8'));
    expect(components.every((c) => !c.derived && c.purlSource === 'purl')).toBe(true);
    expect(components.find((c) => c.pointer === '/metadata/component')?.purl).toBe('pkg:composer/cyclonedx/cyclonedx-php-composer-demo@dev-master');
    const spdxDoc = await read(readFileSync(join(dir, 'spdx/generic-image-with-vulns.spdx-2.3.json'), 'utf8'));
    expect(spdxDoc.components.map((c) => c.purl)).toContain('pkg:apk/alpine/busybox@1.30.1-r5?arch=x86_64&distro=alpine-3.10.9');
  });

  it('derives a purl from a CPE and reports what it cannot key', async () => {
    const { components, summary } = await read(readFileSync(join(dir, 'spdx/SPDXJSONExample-v2.3.spdx.json'), 'utf8'));
    expect(components.find((c) => c.pointer === '/packages/0')).toMatchObject({
      purl: 'pkg:generic/pivotal_software/spring_framework@4.1.0',
      derived: true,
      purlSource: 'cpe',
    });
    expect(summary.unidentifiedSamples.map((u) => u.name)).toEqual(['Apache Commons Lang', 'Saxon']);
    const trivy = await read(readFileSync(join(dir, 'cyclonedx/trivy-test-image.cdx-1.6.json'), 'utf8'));
    expect(trivy.summary.unidentifiedSamples[0]).toMatchObject({ pointer: '/components/0', name: 'alpine', version: '3.20.3' });
    expect(trivy.summary.unidentifiedSamples[0]?.reason).toMatch(/^operating-system: no purl/);
  });
});

describe.skipIf(corpusMissing('schema provenance tests'))('the schemas used at run time', () => {
  it('SPDX 2.3: the copy in the source equals the official schema', () => {
    expect(spdx23Schema).toEqual(JSON.parse(readFileSync(corpusPath('schemas', 'spdx', 'spdx-schema-v2.3.json'), 'utf8')));
  });

  it.each(['1.4', '1.5', '1.6'] as const)('CycloneDX %s: the package schema is the official one but for SNAPSHOT names, the $schema enum, the licence list and 1.4 version', (v) => {
    const official = JSON.parse(readFileSync(corpusPath('schemas', 'cyclonedx', `bom-${v}.schema.json`), 'utf8'));
    const shipped = JSON.parse(JSON.stringify(cycloneDxSchema(v)).replace(/\.SNAPSHOT\.schema\.json/g, '.schema.json'));
    for (const s of [official, shipped]) {
      delete s.properties.$schema.enum;
      s.required = s.required.filter((r: string) => r !== 'version');
    }
    expect(shipped).toEqual(official);
  });
});

describe('detection and header problems', () => {
  it('detects CycloneDX and SPDX', () => {
    expect(detectSbomFormat({ bomFormat: 'CycloneDX', specVersion: '1.5' })).toEqual({ kind: 'cyclonedx', version: '1.5' });
    expect(detectSbomFormat({ spdxVersion: 'SPDX-2.3' })).toEqual({ kind: 'spdx', version: '2.3' });
    expect(detectSbomFormat({ bomFormat: 'CycloneDX' }, false)).toBeNull();
    expect(fails(() => detectSbomFormat({ foo: 1 })).field).toBe('/');
    expect(fails(() => detectSbomFormat({ bomFormat: 'SPDX', specVersion: '1.5' })).field).toBe('/bomFormat');
    expect(fails(() => detectSbomFormat({ bomFormat: 'CycloneDX' })).field).toBe('/specVersion');
  });

  it('refuses an unsupported specVersion or spdxVersion, naming it', async () => {
    for (const specVersion of ['1.3', '1.7', '2.0', 1.5]) {
      const { error } = await refused(cdx([lib('a')], { specVersion }));
      expect(error.field).toBe('/specVersion');
    }
    const { error } = await refused(spdx([pkg('a')], { spdxVersion: 'SPDX-2.2' }));
    expect(error.field).toBe('/spdxVersion');
    expect(error.message).toMatch(/SPDX-2\.3/);
  });

  it('refuses what is not an SBOM', async () => {
    expect((await refused('[1, 2]')).error.field).toBe('/');
    expect((await refused({ runs: [] })).error.message).toMatch(/not an SBOM/);
    expect((await refused('')).error.message).toMatch(/empty/);
    expect((await refused('  "text"  ')).error.field).toBe('/');
  });

  it('validates the header against the schema, naming the member', async () => {
    const meta = cdx([lib('a')]);
    meta.metadata.timestamp = 'yesterday';
    expect((await refused(meta)).error.field).toBe('/metadata/timestamp');
    expect((await refused(cdx([lib('a')], { surprise: true }))).error.field).toBe('/surprise');
    const noInfo = spdx([pkg('a')]);
    delete noInfo.creationInfo;
    expect((await refused(noInfo)).error.field).toBe('/creationInfo');
    // A root array of the other format is named too (CycloneDX has no `packages`).
    expect((await refused(cdx([lib('a')], { packages: [pkg('b')] }))).error.field).toBe('/packages');
    expect((await refused(cdx([lib('a')], { 'a/b~c': 1 }))).error.field).toBe('/a~1b~0c');
  });

  it('takes a __proto__ member as a member (and refuses it), not as a prototype', async () => {
    const text = JSON.stringify(cdx([lib('a')]));
    expect((await refused(`{"__proto__":{"metadata":{}},${text.slice(1)}`)).error.field).toBe('/__proto__');
    const huge = JSON.stringify(cdx([lib('a'), lib('b', { description: 'x'.repeat(3000) })]));
    const poisoned = huge.replace('"name":"b"', '"__proto__":{"name":"b"},"name":"b"');
    expect((await refused(poisoned, 512, { largeComponent: 1000 })).error.field).toBe('/components/1/__proto__');
  });
});

describe('malformed and invalid documents are refused with the pointer of the first problem', () => {
  const doc = cdx(Array.from({ length: 50 }, (_, i) => lib(`p${i}`)));
  const text = JSON.stringify(doc);

  it('truncated JSON: names the value being read where it ends', async () => {
    const inside = text.indexOf('"p17"') + 2;
    const { error, yielded } = await refused(text.slice(0, inside));
    expect(error.field).toBe('/components/17');
    expect(error.message).toMatch(/truncated/);
    expect(yielded).toBe(0);
    expect((await refused(text.slice(0, text.indexOf('"components":[') + 14))).error.field).toBe('/components');
    expect((await refused(text.slice(0, -1))).error.message).toMatch(/truncated/);
    expect((await refused(text.slice(0, text.indexOf('"metadata"') + 5))).error.field).toBe('/');
    expect((await refused(text.slice(0, text.indexOf('"metadata"') + 15))).error.field).toBe('/metadata');
  });

  it('malformed JSON inside a component or after the document', async () => {
    const broken = text.replace('"name":"p3"', '"name":"p3",');
    expect((await refused(broken)).error.field).toBe('/components/3');
    expect((await refused(`${text} {}`)).error.message).toMatch(/unexpected/);
    expect((await refused(text.replace('"components":[', '"components":[,'))).error.field).toBe('/components/0');
  });

  it('a component without name', async () => {
    const bad = structuredClone(doc);
    delete bad.components[12].name;
    const { error, yielded } = await refused(bad);
    expect(error.field).toBe('/components/12/name');
    expect(error.message).toMatch(/required.*CycloneDX 1\.6 schema/);
    expect(yielded).toBe(0);
    const nested = structuredClone(doc);
    nested.components[4].components = [lib('n0'), { type: 'library', version: '1' }];
    expect((await refused(nested)).error.field).toBe('/components/4/components/1/name');
    const subject = structuredClone(doc);
    delete subject.metadata.component.name;
    expect((await refused(subject)).error.field).toBe('/metadata/component/name');
  });

  it('an SPDX package without name, or with a bad reference', async () => {
    const noName = spdx([pkg('a'), { SPDXID: 'SPDXRef-b', downloadLocation: 'NOASSERTION' }]);
    expect((await refused(noName)).error.field).toBe('/packages/1/name');
    const badRef = spdx([pkg('a', { externalRefs: [{ referenceCategory: 'NOPE', referenceType: 'purl', referenceLocator: 'pkg:npm/a@1' }] })]);
    expect((await refused(badRef)).error.field).toBe('/packages/0/externalRefs/0/referenceCategory');
  });

  it('other arrays are validated item by item (dependencies, relationships)', async () => {
    const deps = cdx([lib('a')], { dependencies: [{ ref: 'a' }, { dependsOn: ['a'] }] });
    expect((await refused(deps)).error.field).toBe('/dependencies/1/ref');
    const rel = spdx([pkg('a')], { relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'NOT_A_TYPE', relatedSpdxElement: 'SPDXRef-a' }] });
    expect((await refused(rel)).error.field).toBe('/relationships/0/relationshipType');
  });

  it('a big document refused at its end throws after batches went out (the caller rolls back)', async () => {
    const big = cdx(Array.from({ length: 5000 }, (_, i) => lib(`p${i}`)), { surprise: 1 });
    const { error, yielded } = await refused(big, 1 << 16, { batchSize: 1000 });
    expect(error.field).toBe('/surprise');
    expect(yielded).toBeGreaterThan(0);
  });
});

describe('CycloneDX components', () => {
  it('finds nested components, depth first, with their pointers', async () => {
    const doc = cdx([
      lib('a', { components: [lib('a1', { components: [lib('a1x')] }), lib('a2')] }),
      lib('b'),
    ]);
    doc.metadata.component.components = [lib('m1')];
    const { components, summary } = await read(doc, 7);
    expect(components.map((c) => [c.name, c.pointer])).toEqual([
      ['a', '/components/0'],
      ['a1', '/components/0/components/0'],
      ['a1x', '/components/0/components/0/components/0'],
      ['a2', '/components/0/components/1'],
      ['b', '/components/1'],
      ['app', '/metadata/component'],
      ['m1', '/metadata/component/components/0'],
    ]);
    expect(summary.nested).toBe(4);
    expect(summary.subject).toEqual({ name: 'app', version: '1.0.0', purl: 'pkg:npm/app@1.0.0' });
  });

  it('reads a huge component member by member, with the same result', async () => {
    const children = Array.from({ length: 300 }, (_, i) => lib(`c${i}`, i % 2 ? { components: [lib(`c${i}x`)] } : {}));
    const doc = cdx([lib('small'), lib('huge', { description: 'x'.repeat(100), components: children }), lib('after')]);
    const whole = await read(doc, 512);
    const split = await read(doc, 512, { largeComponent: 2000 });
    expect(split.components).toHaveLength(2 + 1 + 300 + 150 + 1);
    expect(new Set(split.components.map((c) => c.pointer))).toEqual(new Set(whole.components.map((c) => c.pointer)));
    expect(split.summary).toEqual(whole.summary);
    const bad = structuredClone(doc);
    delete bad.components[1].components[201].components[0].name;
    expect((await refused(bad, 512, { largeComponent: 2000 })).error.field).toBe('/components/1/components/201/components/0/name');
    const badTop = structuredClone(doc);
    badTop.components[1].version = 7;
    expect((await refused(badTop, 512, { largeComponent: 2000 })).error.field).toBe('/components/1/version');
  });

  it('derives purls from the hints it has, and says which', async () => {
    const doc = cdx([
      { type: 'library', group: '@angular', name: 'core', version: '17.0.1' },
      { type: 'library', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.17.1' },
      { type: 'library', name: 'requests', version: '2.31.0', properties: [{ name: 'aquasecurity:trivy:PkgType', value: 'pip' }] },
      { type: 'library', name: 'openssl', version: '3.0.2-0ubuntu1', properties: [{ name: 'aquasecurity:trivy:PkgType', value: 'ubuntu' }] },
      { type: 'library', name: 'serde', version: '1.0.1', properties: [{ name: 'syft:package:type', value: 'rust-crate' }] },
      { type: 'library', name: 'junit', version: '4.13', externalReferences: [{ type: 'distribution', url: 'https://repo1.maven.org/maven2/junit/junit/4.13/junit-4.13.jar' }] },
      { type: 'library', name: 'lodash', version: '4.17.20', cpe: 'cpe:2.3:a:lodash:lodash:4.17.20:*:*:*:*:node.js:*:*' },
      { type: 'library', name: 'zlib', version: '1.2.13', cpe: 'cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*' },
      { type: 'library', 'bom-ref': 'pkg:gem/rails@7.1.0', name: 'rails', version: '7.1.0' },
      { type: 'library', name: 'mystery', version: '1.0' },
      { type: 'library', group: 'org.example', name: 'noversion' },
      { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'not a purl' },
    ]);
    const { components, summary } = await read(doc);
    const by = Object.fromEntries(components.map((c) => [c.name, c]));
    expect(by.core).toMatchObject({ purl: 'pkg:npm/%40angular/core@17.0.1', derived: true, purlSource: 'name', hint: 'npm scope @angular' });
    expect(by['log4j-core']).toMatchObject({ purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1', purlSource: 'name' });
    expect(by.requests).toMatchObject({ purl: 'pkg:pypi/requests@2.31.0', hint: 'property aquasecurity:trivy:PkgType=pip' });
    expect(by.openssl?.purl).toBe('pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1');
    expect(by.serde?.purl).toBe('pkg:cargo/serde@1.0.1');
    expect(by.junit).toMatchObject({ purl: 'pkg:maven/junit/junit@4.13', purlSource: 'locator' });
    expect(by.lodash).toMatchObject({ purl: 'pkg:npm/lodash@4.17.20', purlSource: 'name' });
    expect(by.lodash?.hint).toMatch(/target_sw node\.js/);
    expect(by.zlib).toMatchObject({ purl: 'pkg:generic/zlib/zlib@1.2.13', purlSource: 'cpe', cpe: 'cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*' });
    expect(by.rails).toMatchObject({ purl: 'pkg:gem/rails@7.1.0', purlSource: 'bom-ref' });
    expect(by.app).toMatchObject({ purl: 'pkg:npm/app@1.0.0', derived: false });
    expect(summary.derived).toBe(9);
    expect(summary.unidentified).toBe(3);
    expect(summary.unidentifiedSamples.map((u) => [u.pointer, u.name])).toEqual([
      ['/components/9', 'mystery'],
      ['/components/10', 'noversion'],
      ['/components/11', 'left-pad'],
    ]);
    expect(summary.unidentifiedSamples[1]?.reason).toMatch(/no version/);
    expect(summary.invalidPurls).toBe(1);
    expect(summary.invalidPurlSamples).toEqual([{ pointer: '/components/11/purl', purl: 'not a purl' }]);
  });

  it('takes the ecosystem of a single-ecosystem generator for purl-less components', async () => {
    const doc = cdx([{ type: 'library', group: 'symfony', name: 'console', version: '5.4.0' }]);
    expect((await read(doc)).summary.unidentified).toBe(1);
    doc.metadata.tools = { components: [{ type: 'application', group: 'cyclonedx', name: 'cyclonedx-php-composer', version: '5' }] };
    const { components } = await read(doc);
    expect(components[0]).toMatchObject({ purl: 'pkg:composer/symfony/console@5.4.0', hint: 'generator tool cyclonedx/cyclonedx-php-composer' });
  });
});

describe('SPDX packages', () => {
  it('takes the purl reference, else locators, registry URLs, hints and CPEs', async () => {
    const doc = spdx([
      pkg('a', { versionInfo: '1', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:pypi/Django_Rest@3.0' }] }),
      pkg('b', { externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'maven-central', referenceLocator: 'org.apache.tomcat:tomcat:9.0.0.M4' }] }),
      pkg('c', { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'npm', referenceLocator: '@babel/core@7.23.0' }] }),
      pkg('xlsx', { versionInfo: '0.16.6', downloadLocation: 'https://repo1.maven.org/maven2/org/webjars/npm/xlsx/0.16.6/xlsx-0.16.6.jar' }),
      pkg('express', { versionInfo: '4.18.2', downloadLocation: 'https://registry.npmjs.org/express/-/express-4.18.2.tgz' }),
      pkg('flask', { versionInfo: '3.0.0', downloadLocation: 'https://files.pythonhosted.org/packages/xx/flask-3.0.0.tar.gz' }),
      pkg('glibc', { versionInfo: '2.11.1', externalRefs: [{ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:*' }] }),
      pkg('curl', { externalRefs: [{ referenceCategory: 'SECURITY', referenceType: 'cpe22Type', referenceLocator: 'cpe:/a:haxx:curl:8.4.0' }] }),
      pkg('bad', { versionInfo: '1', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:' }] }),
    ]);
    const { components, summary } = await read(doc, 9);
    const by = Object.fromEntries(components.map((c) => [c.name, c]));
    expect(by.a).toMatchObject({ purl: 'pkg:pypi/django-rest@3.0', derived: false, ref: 'SPDXRef-a', scope: null });
    expect(by.b).toMatchObject({ purl: 'pkg:maven/org.apache.tomcat/tomcat@9.0.0.M4', purlSource: 'locator' });
    expect(by.c?.purl).toBe('pkg:npm/%40babel/core@7.23.0');
    expect(by.xlsx).toMatchObject({ purl: 'pkg:maven/org.webjars.npm/xlsx@0.16.6', purlSource: 'locator' });
    expect(by.express?.purl).toBe('pkg:npm/express@4.18.2');
    expect(by.flask).toMatchObject({ purl: 'pkg:pypi/flask@3.0.0', purlSource: 'name' });
    expect(by.glibc).toMatchObject({ purl: 'pkg:generic/gnu/glibc@2.11.1', purlSource: 'cpe' });
    expect(by.curl?.purl).toBe('pkg:generic/haxx/curl@8.4.0');
    expect(summary.unidentifiedSamples).toHaveLength(1);
    expect(summary.unidentifiedSamples[0]).toMatchObject({ pointer: '/packages/8', name: 'bad' });
    expect(summary.invalidPurlSamples).toEqual([{ pointer: '/packages/8/externalRefs/0/referenceLocator', purl: 'pkg:' }]);
  });
});

describe('streaming', () => {
  it('yields batches before the document has been read to its end', async () => {
    const doc = cdx(Array.from({ length: 20_000 }, (_, i) => lib(`p${i}`)), { dependencies: Array.from({ length: 20_000 }, (_, i) => ({ ref: `r${i}` })) });
    const bytes = encoder.encode(JSON.stringify(doc));
    const size = 1 << 14;
    let pieces = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const c of chunks(bytes, size)) {
        pieces++;
        yield c;
      }
    }
    const seen: number[] = [];
    let total = 0;
    let summary: SbomSummary | null = null;
    for await (const batch of streamSbom(counted(), { onSummary: (s) => (summary = s) })) {
      seen.push(pieces);
      expect(batch.length).toBeLessThanOrEqual(2000);
      total += batch.length;
    }
    expect(total).toBe(20_001);
    expect(seen[0]).toBeLessThan(Math.ceil(bytes.length / size) / 4);
    expect(summary).toMatchObject({ components: 20_001, arrays: { components: 20_000, dependencies: 20_000 } });
  });

  it('holds items back until the format markers come, or reads twice when they come too late', async () => {
    const doc = cdx([lib('a'), lib('b'), lib('c')]);
    const late = `{"components":${JSON.stringify(doc.components)},"metadata":${JSON.stringify(doc.metadata)},"version":1,"specVersion":"1.6","bomFormat":"CycloneDX"}`;
    const once = await read(late, 5);
    expect(once.components.map((c) => c.name)).toEqual(['a', 'b', 'c', 'app']);
    expect((await refused(late, 5, { pendingLimit: 50 })).error.message).toMatch(/before bomFormat/);
    const bytes = encoder.encode(late);
    let reads = 0;
    const twice = await read(late, 5, {
      pendingLimit: 50,
      reopen: () => {
        reads++;
        return chunks(bytes, 7);
      },
    });
    expect(reads).toBe(2);
    expect(twice.components).toEqual(once.components);
    const lateSpec = `{"bomFormat":"CycloneDX","components":${JSON.stringify(doc.components)},"specVersion":"1.3"}`;
    expect((await refused(lateSpec)).error.field).toBe('/specVersion');
  });

  it('readSbom takes text, bytes, a parsed document or a stream', async () => {
    const doc = spdx([pkg('a', { versionInfo: '1', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/a@1' }] })]);
    for (const input of [doc, JSON.stringify(doc), encoder.encode(JSON.stringify(doc)), chunks(encoder.encode(JSON.stringify(doc)), 3)]) {
      const { components, summary } = await readSbom(input);
      expect(components.map((c) => c.purl)).toEqual(['pkg:npm/a@1']);
      expect(summary).toMatchObject({ format: { kind: 'spdx', version: '2.3' }, documentId: 'https://example.com/spdx/doc-1', components: 1 });
    }
  });
});

describe('purl derivation helpers', () => {
  it('parses CPE 2.3 (with quoted characters) and 2.2', () => {
    expect(parseCpe('cpe:2.3:a:lodash:lodash:4.17.20:*:*:*:*:node.js:*:*')).toEqual({ part: 'a', vendor: 'lodash', product: 'lodash', version: '4.17.20', targetSw: 'node.js' });
    expect(parseCpe('cpe:2.3:a:micro\\:soft:c\\+\\+:1.0:*:*:*:*:*:*:*')).toMatchObject({ vendor: 'micro:soft', product: 'c++' });
    expect(parseCpe('cpe:/a:haxx:curl:8.4.0')).toMatchObject({ vendor: 'haxx', product: 'curl', version: '8.4.0' });
    expect(parseCpe('cpe:2.3:a:*:curl:1:*:*:*:*:*:*:*')).toBeNull();
    expect(parseCpe('cpe:2.3:a:haxx:curl')).toBeNull();
    const hw = parseCpe('cpe:2.3:h:cisco:router:1:*:*:*:*:*:*:*');
    expect(hw && purlFromCpe(hw, null)).toBeNull();
    const anyVersion = parseCpe('cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*');
    expect(anyVersion && purlFromCpe(anyVersion, null)).toBeNull();
    expect(anyVersion && purlFromCpe(anyVersion, '8.0')?.purl).toBe('pkg:generic/haxx/curl@8.0');
  });

  it('survives purls that make packageurl-js throw something other than its own error', () => {
    expect(() => normalizePurl('pkg:golang/github.com/x/y@v1')).not.toThrow();
    expect(normalizePurl('pkg:golang/github.com/x/y@v1.2.3')?.purlKey).toBe('pkg:golang/github.com/x/y');
  });

  it('reads Maven and npm registry URLs and SPDX locators', () => {
    expect(purlFromDownloadUrl('https://repo1.maven.org/maven2/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar')?.purl).toBe('pkg:maven/org.apache.commons/commons-lang3@3.12.0');
    expect(purlFromDownloadUrl('https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz')?.purl).toBe('pkg:npm/%40types/node@20.1.0');
    expect(purlFromDownloadUrl('https://example.com/x.tgz')).toBeNull();
    expect(purlFromSpdxLocator('nuget', 'Newtonsoft.Json/13.0.1')?.purl).toBe('pkg:nuget/Newtonsoft.Json@13.0.1');
    expect(purlFromSpdxLocator('npm', 'left-pad@1.3.0')?.purl).toBe('pkg:npm/left-pad@1.3.0');
    expect(purlFromSpdxLocator('maven-central', 'only:two')).toBeNull();
  });
});
