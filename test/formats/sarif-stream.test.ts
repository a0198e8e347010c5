import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import type { CodeFinding } from '../../src/core/findings.js';
import { parseSarif, type SarifRunInfo } from '../../src/formats/sarif.js';
import { streamSarif, type SarifStreamOptions } from '../../src/formats/sarif-stream.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';

type Json = any;

/** Pieces of `size` bytes (the last one shorter), as a file or a database would deliver them. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

async function collect(bytes: Uint8Array, size: number, opts: Omit<SarifStreamOptions, 'reopen'> & { reopen?: boolean } = {}) {
  const findings: CodeFinding[] = [];
  const runs: SarifRunInfo[] = [];
  const batches: number[] = [];
  const { reopen = true, ...rest } = opts;
  const options: SarifStreamOptions = { ...rest, onRun: (r) => runs.push(r) };
  if (reopen) options.reopen = () => chunks(bytes, size + 5);
  for await (const batch of streamSarif(chunks(bytes, size), options)) {
    batches.push(batch.length);
    findings.push(...batch);
  }
  return { findings, runs, batches };
}

async function failure(bytes: Uint8Array, size: number, opts: { reopen?: boolean } = {}): Promise<AppError> {
  try {
    await collect(bytes, size, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}

/** A log whose runs put results first, tool after, and the members results depend on last. */
function generated(runCount: number, perRun: number): Json {
  const runs = [];
  for (let r = 0; r < runCount; r++) {
    const results = [];
    for (let j = 0; j < perRun; j++) {
      results.push({
        ruleId: `R${j % 5}`,
        ruleIndex: j % 5,
        level: j % 7 === 0 ? 'error' : undefined,
        message: j % 3 === 0 ? { id: 'default', arguments: [`v${j}`] } : { text: `Problem ${j} — ünïcødé “quoted” \\ "escaped" \u2028 😀` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: `dir ${r}/file${j % 11}.c`, uriBaseId: 'SRC' },
              region: { startLine: j + 1, startColumn: 2, snippet: { text: `x[${j}] = y; // {"not": [json]} \\` } },
            },
            logicalLocations: [{ index: 0 }],
          },
        ],
        taxa: j % 4 === 0 ? [{ index: 1, toolComponent: { index: 0 } }] : undefined,
        partialFingerprints: { hash: `h${r}-${j}` },
        properties: { n: j, nested: { deep: [[[{}]]], s: '}]' } },
      });
    }
    runs.push({
      results,
      tool: {
        driver: {
          name: `Tool${r}`,
          version: `1.${r}`,
          rules: Array.from({ length: 5 }, (_, k) => ({
            id: `R${k}`,
            shortDescription: { text: `Rule ${k}` },
            messageStrings: { default: { text: 'Variable {0} is bad' } },
            properties: { tags: [`CWE-${100 + k}`], 'security-severity': String(k * 2.4) },
          })),
        },
      },
      logicalLocations: [{ name: 'fn', fullyQualifiedName: `mod${r}::fn`, kind: 'function' }],
      taxonomies: [{ name: 'CWE', taxa: [{ id: '20' }, { id: '787' }] }],
      originalUriBaseIds: { SRC: { uri: 'src/' } },
      properties: { after: true },
    });
  }
  return { runs, version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json' };
}

const encode = (doc: Json, space?: number) => new TextEncoder().encode(JSON.stringify(doc, null, space));

describe('streamSarif', () => {
  it('gives the same findings as parseSarif when results come before tool, over several runs', async () => {
    const doc = generated(3, 300);
    const want = parseSarif(doc);
    expect(want.findings[0]).toMatchObject({ scanner: { name: 'Tool0' }, location: { path: 'src/dir 0/file0.c', function: 'mod0::fn' }, cwes: [100, 787] });
    for (const size of [1, 13, 4096, 1 << 20]) {
      const got = await collect(encode(doc, size === 13 ? 2 : undefined), size, { batchSize: 128 });
      expect(got.findings).toEqual(want.findings);
      expect(got.runs).toEqual(want.runs);
      expect(Math.max(...got.batches)).toBeLessThanOrEqual(128);
    }
  });

  it('reads a log once, without reopen, when each run names its tool before its results', async () => {
    const doc = generated(2, 50);
    for (const run of doc.runs) {
      const { results, ...rest } = run;
      for (const k of Object.keys(run)) delete run[k];
      Object.assign(run, rest, { results });
    }
    const want = parseSarif(doc);
    const got = await collect(encode(doc), 100, { reopen: false });
    expect(got.findings).toEqual(want.findings);
    expect(got.runs).toEqual(want.runs);
  });

  it('refuses, without reopen, a run whose results come before its tool', async () => {
    const err = await failure(encode(generated(1, 3)), 64, { reopen: false });
    expect(err.field).toBe('/runs/0/results');
    expect(err.message).toMatch(/reopen/);
  });

  it('streams logs with no runs, null runs and empty results', async () => {
    for (const doc of [{ version: '2.1.0', runs: [] }, { version: '2.1.0', runs: null }, { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [] }] }]) {
      const got = await collect(encode(doc), 3);
      expect(got.findings).toEqual([]);
      expect(got.runs).toEqual(parseSarif(doc).runs);
    }
  });

  it('names the value the stream ends inside', async () => {
    const bytes = encode(generated(1, 40));
    // Byte offsets: the results hold multi-byte characters.
    const at = (s: string) => Buffer.from(bytes).indexOf(s);
    const cut = at('"hash":"h0-17"');
    let err = await failure(bytes.subarray(0, cut), 1000);
    expect(err.field).toBe('/runs/0/results/17');
    expect(err.message).toMatch(/ends/);
    err = await failure(bytes.subarray(0, bytes.length - 1), 1000);
    expect(err.field).toBe('/');
    err = await failure(bytes.subarray(0, at('"tool"') + 3), 1000);
    expect(err.field).toBe('/runs/0');
  });

  it('names the pointer of malformed JSON and of invalid results', async () => {
    const good = JSON.stringify(generated(1, 10));
    let err = await failure(new TextEncoder().encode(good.replace('"hash":"h0-6"', '"hash" "h0-6"')), 500);
    expect(err.field).toBe('/runs/0/results/6');
    expect(err.message).toMatch(/malformed JSON/);

    const doc = generated(2, 10);
    doc.runs[1].results[4].locations[0].physicalLocation.region.startLine = 0;
    err = await failure(encode(doc), 500);
    expect(err.field).toBe('/runs/1/results/4/locations/0/physicalLocation/region/startLine');

    const noVersion = generated(1, 2);
    noVersion.version = '2.0.0';
    expect((await failure(encode(noVersion), 50)).field).toBe('/version');

    expect((await failure(encode({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }), 7)).field).toBe('/runs/0/tool/driver/name');
    expect((await failure(encode({ version: '2.1.0', runs: {} }), 7)).field).toBe('/runs');
    expect((await failure(encode([1]), 7)).field).toBe('/');
    expect((await failure(new TextEncoder().encode('{"version":"2.1.0","runs":[]} x'), 7)).field).toBe('/');
    expect((await failure(new TextEncoder().encode('{"version":"2.1.0","runs":[],}'), 7)).message).toMatch(/unexpected/);
    expect((await failure(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 7)).message).toMatch(/UTF-8/);
  });

  it('prefixes pointers with pointerBase', async () => {
    const got = await collect(encode(generated(1, 2)), 10, { pointerBase: '/sarif' });
    expect(got.findings.map((f) => f.pointer)).toEqual(['/sarif/runs/0/results/0', '/sarif/runs/0/results/1']);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe.skipIf(corpusMissing('SARIF streaming corpus tests'))('streamSarif on the corpus', () => {
  it('gives what parseSarif gives for every corpus log, in any piece size', async () => {
    const dir = corpusPath('sarif');
    for (const file of walk(dir).filter((f) => f.endsWith('.sarif'))) {
      const bytes = readFileSync(file);
      const want = parseSarif(JSON.parse(bytes.toString('utf8')));
      for (const size of [97, 65536]) {
        const got = await collect(bytes, size);
        expect(got.findings, relative(dir, file)).toEqual(want.findings);
        expect(got.runs, relative(dir, file)).toEqual(want.runs);
      }
    }
  });
});
