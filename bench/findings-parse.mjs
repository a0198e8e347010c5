// Findings intake, format layer: JSON.parse alone vs JSON.parse + normalization (+ fingerprinting) on one core,
// for a generated CodeQL-like SARIF log and for the corpus's OSV records; and the streaming SARIF reader's
// throughput and peak resident memory on a generated ~1 GB log (BENCH_SARIF_GB scales it), in a child process.
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { parseOsv } from '../dist/formats/osv.js';
import { parseSarif } from '../dist/formats/sarif.js';
import { streamSarif } from '../dist/formats/sarif-stream.js';
import { fmt, measureChild } from './support.mjs';

const self = fileURLToPath(import.meta.url);
const corpusDir = process.env.CLEARINGHOUSE_CORPUS ?? join(self, '..', '..', '..', 'shared', 'corpus');

// The dedup fingerprint belongs in the timed path (DESIGN.md: parse + normalize + fingerprint); it is optional so
// this benchmark still runs on a tree without it.
let fingerprintFinding = null;
try {
  ({ fingerprintFinding } = await import('../dist/core/dedup/fingerprint.js'));
} catch {
  fingerprintFinding = null;
}

// ---------- a realistic generated SARIF log ----------

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const cweTag = (n, i) => [`external/cwe/cwe-${String(n).padStart(3, '0')}`, `CWE-${n}`, `cwe-${n}`][i % 3];

function rules(count) {
  return Array.from({ length: count }, (_, i) => ({
    id: `lang/rule-${i}`,
    name: `lang/rule-${i}`,
    shortDescription: { text: `Potentially unsafe pattern number ${i}` },
    fullDescription: { text: `Data flows from a remote source to sink ${i} without sanitization, which may let an attacker control it.` },
    defaultConfiguration: { enabled: true, level: ['error', 'warning', 'note'][i % 3] },
    messageStrings: { default: { text: 'Untrusted value {0} reaches {1}.' } },
    properties: {
      tags: ['security', 'correctness', cweTag(20 + ((i * 37) % 900), i), ...(i % 4 === 0 ? [cweTag(79 + (i % 50), i + 1)] : [])],
      kind: 'path-problem',
      precision: 'high',
      'security-severity': ((i * 13) % 101 / 10).toFixed(1),
    },
  }));
}

function result(j, ruleCount, rand) {
  const r = Math.floor(rand() * ruleCount);
  const line = 1 + Math.floor(rand() * 4000);
  // About 4,000 distinct files, as in a large repository's scan.
  const f = Math.floor(rand() * 4000);
  const file = `src/pkg${f % 53}/module${f % 7}/file${f}.ts`;
  const res = {
    ruleId: `lang/rule-${r}`,
    ruleIndex: r,
    message: j % 5 === 0 ? { id: 'default', arguments: [`input${j % 17}`, `sink${j % 23}`] } : { text: `User-provided value flows to a dangerous call in handler${j % 97} without validation.` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: file, uriBaseId: '%SRCROOT%', index: j % 1000 },
          region: { startLine: line, startColumn: 5 + (j % 20), endLine: line + (j % 3), endColumn: 40 },
          contextRegion: { startLine: Math.max(1, line - 2), endLine: line + 3, snippet: { text: `  const v = req.query.p${j % 13};\n  exec(v);\n  return res.send(v);\n` } },
        },
        ...(j % 3 === 0 ? { logicalLocations: [{ fullyQualifiedName: `Handler${j % 97}.process`, kind: 'function' }] } : {}),
      },
    ],
    partialFingerprints: { primaryLocationLineHash: `${(Math.imul(j, 2654435761) >>> 0).toString(16)}:1`, primaryLocationStartColumnFingerprint: String(j % 20) },
  };
  if (j % 10 === 0) {
    res.codeFlows = [{ threadFlows: [{ locations: [{ location: { physicalLocation: { artifactLocation: { uri: file }, region: { startLine: line - 1 } }, message: { text: 'source' } } }] }] }];
  }
  return res;
}

export function generateSarif(resultCount, seed = 7) {
  const rand = rng(seed);
  const ruleList = rules(300);
  const results = Array.from({ length: resultCount }, (_, j) => result(j, ruleList.length, rand));
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL', semanticVersion: '2.17.0', rules: ruleList } }, results, columnKind: 'utf16CodeUnits' }] };
}

// ---------- timing ----------

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median over `rounds` of each stage, in ms; stages run in order on the previous stage's output. */
function timeStages(rounds, stages) {
  const times = stages.map(() => []);
  for (let k = 0; k < rounds; k++) {
    let value;
    for (let s = 0; s < stages.length; s++) {
      const t = performance.now();
      value = stages[s](value);
      times[s].push(performance.now() - t);
    }
  }
  return times.map(median);
}

function row(label, n, bytes, [tParse, tNorm, tPrint]) {
  const perSec = (ms) => (n / ms) * 1000;
  const cells = [
    label,
    fmt(n),
    fmt(bytes / n),
    fmt(perSec(tParse)),
    fmt(perSec(tNorm)),
    fmt(perSec(tParse + tNorm)),
    tPrint === undefined ? 'n/a' : fmt(perSec(tParse + tNorm + tPrint)),
    `${fmt((tParse + tNorm) / tParse, 2)}×`,
    tPrint === undefined ? 'n/a' : `${fmt((tParse + tNorm + tPrint) / tParse, 2)}×`,
  ];
  console.log(cells.join(' | '));
  return `| ${cells.join(' | ')} |`;
}

function sarifInMemory(resultCount) {
  const text = JSON.stringify(generateSarif(resultCount));
  const stages = [() => JSON.parse(text), (doc) => parseSarif(doc).findings];
  if (fingerprintFinding) stages.push((fs) => fs.map((f) => fingerprintFinding(f, null)));
  const times = timeStages(5, stages);
  return row('SARIF (generated, CodeQL-like)', resultCount, Buffer.byteLength(text), times);
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function osvInMemory() {
  const texts = [];
  for (const source of ['pypa', 'go', 'rustsec', 'ghsa']) {
    for (const file of walk(join(corpusDir, 'osv', source))) {
      if (file.endsWith('.json')) texts.push(readFileSync(file, 'utf8'));
      // PyPA publishes YAML; the timed path is JSON, as osv.dev exports it.
      else if (/\.ya?ml$/.test(file)) texts.push(JSON.stringify(YAML.parse(readFileSync(file, 'utf8'))));
    }
  }
  const reps = 5;
  const stages = [
    () => {
      const docs = [];
      for (let r = 0; r < reps; r++) for (const t of texts) docs.push(JSON.parse(t));
      return docs;
    },
    (docs) => docs.map((d) => parseOsv(d)),
  ];
  if (fingerprintFinding) stages.push((fs) => fs.map((f) => fingerprintFinding(f, null)));
  const times = timeStages(5, stages);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) * reps;
  return row(`OSV (corpus: ${fmt(texts.length)} records × ${reps})`, texts.length * reps, bytes, times);
}

// ---------- streaming ----------

/** Writes a log of about `bytes` with results BEFORE tool, so the reader needs its two-pass mode. */
async function writeBigSarif(path, bytes) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const rand = rng(11);
  await write('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":[');
  let written = 0;
  let j = 0;
  while (written < bytes) {
    let chunk = '';
    for (let k = 0; k < 1000; k++, j++) chunk += (j === 0 ? '' : ',') + JSON.stringify(result(j, 300, rand));
    written += chunk.length;
    await write(chunk);
  }
  await write(`],"tool":${JSON.stringify({ driver: { name: 'CodeQL', semanticVersion: '2.17.0', rules: rules(300) } })},"columnKind":"utf16CodeUnits"}]}`);
  out.end();
  await once(out, 'finish');
  return j;
}

async function streamChild(file) {
  const open = () => createReadStream(file, { highWaterMark: 1 << 16 });
  const started = performance.now();
  let findings = 0;
  let peakHeap = 0;
  for await (const batch of streamSarif(open(), { reopen: open, batchSize: 2000 })) {
    findings += batch.length;
    if (findings % 200_000 < 2000) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ findings, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, peakHeap })}\n`);
}

async function streaming() {
  const gb = Number(process.env.BENCH_SARIF_GB ?? '1');
  const file = join(tmpdir(), `clearinghouse-bench-${process.pid}.sarif`);
  try {
    const t = performance.now();
    const results = await writeBigSarif(file, gb * 1e9);
    const size = statSync(file).size;
    console.log(`wrote ${fmt(size / 1e6)} MB (${fmt(results)} results) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const { m, rss, rssSource } = await measureChild(self, file);
    const mbps = size / 1e6 / m.seconds;
    console.log(`streamed ${fmt(m.findings)} findings: ${fmt(mbps, 1)} MB/s, peak RSS ${fmt(rss / 2 ** 20)} MiB`);
    return {
      gb,
      row: `| ${fmt(size / 1e6)} MB, ${fmt(m.findings)} results, results before tool (two passes) | ${fmt(m.seconds, 1)} s | ${fmt(mbps, 1)} | ${fmt(m.findings / m.seconds)} | ${fmt(rss / 2 ** 20)} MiB (${rssSource}) | ${rss <= 512 * 2 ** 20 ? 'yes' : '**no**'} |`,
    };
  } finally {
    rmSync(file, { force: true });
  }
}

export async function run() {
  // Other work on the machine slows every column alike; the load says how much to trust the absolute figures.
  const load = loadavg()[0];
  const rows = [];
  rows.push(sarifInMemory(Number(process.env.BENCH_SARIF_RESULTS ?? '100000')));
  if (existsSync(join(corpusDir, 'osv'))) rows.push(osvInMemory());
  else rows.push(`| OSV | skipped: corpus not found at ${corpusDir} | | | | | | | |`);
  const stream = await streaming();
  return {
    title: 'Findings parsing and normalization',
    markdown: [
      'One core, in memory, median of 5 rounds. Targets (DESIGN.md): ≥ 200,000 findings/s per core for parse +',
      'normalize + fingerprint, within 3× of `JSON.parse` of the same bytes. "normalize" is `parseSarif` / `parseOsv` on',
      `the parsed document; "+ fingerprint" adds \`fingerprintFinding\` from src/core/dedup${fingerprintFinding ? '' : ' (absent in this build: n/a)'}.`,
      'The SARIF log is generated: 300 rules with CWE tags in three spellings and security-severity, results with',
      'regions, context snippets, partial fingerprints, some logical locations and code flows.',
      `1-minute load average when this run started: ${fmt(load, 1)} (the ratios hold under load; the rates do not).`,
      '',
      '| input | findings | bytes/finding | JSON.parse findings/s | normalize findings/s | parse + normalize findings/s | + fingerprint findings/s | (parse + normalize) ÷ JSON.parse | (… + fingerprint) ÷ JSON.parse |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      'Streaming (`streamSarif` with `reopen`, 64 KiB reads, batches of 2,000; the format layer alone, no fingerprinting) on a generated log of',
      `${stream.gb} GB (\`BENCH_SARIF_GB\`) written to ${tmpdir()} and removed afterwards; peak resident memory of the child process. Target: ≤ 512 MB.`,
      '',
      '| log | time | MB/s | findings/s | peak RSS | ≤ 512 MB |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      stream.row,
    ].join('\n'),
  };
}

if (process.argv[2] === '--stream-child' && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  await streamChild(process.argv[3]);
}
