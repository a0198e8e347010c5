// SBOM ingest, format layer: throughput and peak resident memory of `streamSbom` on a generated CycloneDX 1.6 SBOM
// of 1,000,000 components (BENCH_SBOM_COMPONENTS scales it), with a `dependencies` graph of the same size, some
// nested components and some without purl (derived from a Maven group or a CPE, or unidentified); measured in a child
// process under /usr/bin/time -v (or process.resourceUsage). Also the corpus SBOMs, in memory, for reference.
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readSbom, streamSbom } from '../dist/formats/sbom/index.js';
import { fmt, measureChild } from './support.mjs';

const self = fileURLToPath(import.meta.url);
const corpusDir = process.env.CLEARINGHOUSE_CORPUS ?? join(self, '..', '..', '..', 'shared', 'corpus');

// ---------- a generated SBOM ----------

const ecosystems = [
  (i) => ({ group: null, name: `pkg-${i}`, purl: `pkg:npm/pkg-${i}@1.${i % 50}.${i % 7}` }),
  (i) => ({ group: `org.example.g${i % 997}`, name: `artifact-${i}`, purl: `pkg:maven/org.example.g${i % 997}/artifact-${i}@2.${i % 30}.0` }),
  (i) => ({ group: null, name: `py_pkg_${i}`, purl: `pkg:pypi/py-pkg-${i}@0.${i % 40}.1` }),
  (i) => ({ group: null, name: `github.com/org${i % 300}/mod${i}`, purl: `pkg:golang/github.com/org${i % 300}/mod${i}@v1.${i % 20}.0` }),
];

function component(i) {
  const e = ecosystems[i % ecosystems.length](i);
  const version = e.purl.slice(e.purl.lastIndexOf('@') + 1);
  const c = {
    type: 'library',
    'bom-ref': `ref-${i}`,
    ...(e.group ? { group: e.group } : {}),
    name: e.name,
    version,
    scope: 'required',
    hashes: [{ alg: 'SHA-256', content: (Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(8) }],
    licenses: [{ license: { id: ['MIT', 'Apache-2.0', 'BSD-3-Clause'][i % 3] } }],
    purl: e.purl,
    externalReferences: [{ type: 'vcs', url: `https://github.com/example/${e.name.replace(/\//g, '-')}` }],
  };
  // 2 % without purl: a third with a CPE, a third with a dotted (Maven) group, a third with nothing to go by.
  if (i % 50 === 7) {
    delete c.purl;
    const r = Math.floor(i / 50) % 3;
    if (r === 0) c.cpe = `cpe:2.3:a:vendor${i % 11}:product${i}:${version}:*:*:*:*:*:*:*`;
    else if (r === 1) c.group = `org.example.g${i % 997}`;
    else delete c.group;
  }
  return c;
}

/** Writes a CycloneDX 1.6 SBOM of `count` components (every 100th with 2 nested ones) and its dependency graph. */
export async function writeBigSbom(path, count) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const meta = { timestamp: '2026-01-01T00:00:00Z', tools: { components: [{ type: 'application', name: 'bench-generator', version: '1' }] }, component: { type: 'application', 'bom-ref': 'root', name: 'big-app', version: '1.0.0', purl: 'pkg:npm/big-app@1.0.0' } };
  await write(`{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,"metadata":${JSON.stringify(meta)},"components":[`);
  let written = 0;
  for (let i = 0; i < count; ) {
    let chunk = '';
    for (let k = 0; k < 1000 && i < count; k++) {
      const c = component(i);
      if (i % 100 === 0 && i + 2 < count) {
        c.components = [component(i + 1), component(i + 2)];
        i += 3;
      } else {
        i += 1;
      }
      chunk += (written === 0 && chunk === '' ? '' : ',') + JSON.stringify(c);
    }
    written += chunk.length;
    await write(chunk);
  }
  await write('],"dependencies":[');
  for (let i = 0; i < count; ) {
    let chunk = '';
    for (let k = 0; k < 2000 && i < count; k++, i++) {
      chunk += (i === 0 ? '' : ',') + JSON.stringify({ ref: `ref-${i}`, dependsOn: i + 1 < count ? [`ref-${i + 1}`] : [] });
    }
    await write(chunk);
  }
  await write(']}');
  out.end();
  await once(out, 'finish');
}

async function streamChild(file) {
  const started = performance.now();
  let components = 0;
  let batches = 0;
  let peakHeap = 0;
  const gen = streamSbom(createReadStream(file, { highWaterMark: 1 << 16 }), { batchSize: 2000 });
  let summary;
  for (;;) {
    const r = await gen.next();
    if (r.done) {
      summary = r.value;
      break;
    }
    components += r.value.length;
    if (++batches % 50 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ components, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, peakHeap, summary: { ...summary, unidentifiedSamples: undefined, invalidPurlSamples: undefined } })}\n`);
}

async function streaming(count) {
  const file = join(tmpdir(), `clearinghouse-bench-${process.pid}.cdx.json`);
  try {
    const t = performance.now();
    await writeBigSbom(file, count);
    const size = statSync(file).size;
    console.log(`wrote ${fmt(size / 1e6)} MB (${fmt(count)} components) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const { m, rss, rssSource } = await measureChild(self, file);
    const s = m.summary;
    console.log(`streamed ${fmt(m.components)} components (${fmt(s.derived)} derived, ${fmt(s.unidentified)} unidentified, ${fmt(s.nested)} nested): ${fmt(m.components / m.seconds)}/s, ${fmt(size / 1e6 / m.seconds, 1)} MB/s, peak RSS ${fmt(rss / 2 ** 20)} MiB`);
    return `| ${fmt(size / 1e6)} MB, ${fmt(count)} components (${fmt(s.nested)} nested) + ${fmt(s.arrays.dependencies ?? 0)} dependencies | ${fmt(m.components)} | ${fmt(s.derived)} (${Object.entries(s.bySource).filter(([k, n]) => k !== 'purl' && n > 0).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}) | ${fmt(s.unidentified)} | ${fmt(m.seconds, 1)} s | ${fmt(m.components / m.seconds)} | ${fmt(size / 1e6 / m.seconds, 1)} | ${fmt(rss / 2 ** 20)} MiB (${rssSource}) | ${rss <= 512 * 2 ** 20 ? 'yes' : '**no**'} |`;
  } finally {
    rmSync(file, { force: true });
  }
}

async function corpusRows() {
  const dir = join(corpusDir, 'sbom');
  if (!existsSync(dir)) return [`| corpus | skipped: not found at ${dir} | | | | |`];
  const rows = [];
  for (const sub of ['cyclonedx', 'spdx']) {
    for (const f of readdirSync(join(dir, sub)).sort()) {
      const text = readFileSync(join(dir, sub, f), 'utf8');
      await readSbom(text); // the first read of a format compiles its schema
      const t = performance.now();
      const { summary } = await readSbom(text);
      const ms = performance.now() - t;
      rows.push(`| ${sub}/${f} | ${summary.format.kind} ${summary.format.version} | ${fmt(summary.components)} | ${fmt(summary.derived)} | ${fmt(summary.unidentified)} | ${fmt(ms, 1)} ms |`);
    }
  }
  return rows;
}

export async function run() {
  const load = loadavg()[0];
  const count = Number(process.env.BENCH_SBOM_COMPONENTS ?? '1000000');
  const stream = await streaming(count);
  const corpus = await corpusRows();
  return {
    title: 'SBOM parsing (CycloneDX / SPDX)',
    markdown: [
      '`streamSbom` (src/formats/sbom) on a generated CycloneDX 1.6 SBOM written to a temporary file: components with hashes, licences,',
      'a VCS reference and a purl (npm, Maven, PyPI, Go), every 100th with two nested components, 2 % without purl (a third each with a CPE,',
      'with a Maven group, with nothing to derive one from),',
      'and a `dependencies` entry per component. 64 KiB reads, batches of 2,000, every component and dependency validated against the',
      'official schema, purls normalized by packageurl-js. Peak resident memory of the child process; target ≤ 512 MB.',
      `1-minute load average when this run started: ${fmt(load, 1)}.`,
      '',
      '| SBOM | components yielded | derived purls | unidentified | time | components/s | MB/s | peak RSS | ≤ 512 MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      stream,
      '',
      'The corpus SBOMs (../shared/corpus/sbom), read whole from memory, second read (schema already compiled):',
      '',
      '| file | format | components | derived | unidentified | time |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      ...corpus,
    ].join('\n'),
  };
}

if (process.argv[2] === '--stream-child' && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  await streamChild(process.argv[3]);
}
