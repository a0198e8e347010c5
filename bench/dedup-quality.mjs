// Deduplication quality on labeled data, and fingerprint throughput.
// (a) Advisories: every OSV record of the corpus (Go, PyPA, RustSec, GHSA) with aliases, related ids and
//     reference URLs naming other advisories removed (and other advisories' ids blanked in the text), linked in
//     a fixed order through the in-memory index; truth = the alias links and shared CVEs of the original data.
// (b) Code: flawfinder, cppcheck and clang's analyzer on a C project with planted bugs, before and after its
//     lines drift (bench/fixtures/planted-c); truth = the hand-written labels.
// Scores are pairwise over clusters: precision = same-record pairs that truly match / same-record pairs,
// recall = true pairs that ended in one record / true pairs.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { MemoryCandidateIndex, affectedOverlap, decideLink, estimateJaccard, fingerprintFinding, lookupKeys } from '../dist/core/dedup/index.js';
import { parseSarif } from '../dist/formats/sarif.js';
import { insertRegionSnippets } from '../dist/formats/sarif-snippets.js';
import { fmt } from './support.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const corpus = process.env.CLEARINGHOUSE_CORPUS ?? join(here, '..', '..', 'shared', 'corpus');
const planted = join(here, 'fixtures', 'planted-c');

// ---------- shared scoring ----------

/** Links findings in order through an index, as the service does; returns the record id of each. */
function linkAll(features) {
  const index = new MemoryCandidateIndex();
  const reasons = new Map();
  const records = features.map((f, i) => {
    const d = decideLink(f, index.candidates(lookupKeys(f)));
    const vulnId = d?.vulnId ?? `R${i}`;
    reasons.set(d?.reason ?? 'new', (reasons.get(d?.reason ?? 'new') ?? 0) + 1);
    index.add(vulnId, f);
    return vulnId;
  });
  return { records, reasons };
}

const pairs = (n) => (n * (n - 1)) / 2;

/** Pairwise precision and recall of predicted record ids against true labels (one per item). */
function score(records, labels) {
  const byRecord = new Map();
  const byLabel = new Map();
  const byBoth = new Map();
  records.forEach((r, i) => {
    byRecord.set(r, (byRecord.get(r) ?? 0) + 1);
    byLabel.set(labels[i], (byLabel.get(labels[i]) ?? 0) + 1);
    const k = `${r}\u0000${labels[i]}`;
    byBoth.set(k, (byBoth.get(k) ?? 0) + 1);
  });
  let predicted = 0;
  let truth = 0;
  let tp = 0;
  for (const n of byRecord.values()) predicted += pairs(n);
  for (const n of byLabel.values()) truth += pairs(n);
  for (const n of byBoth.values()) tp += pairs(n);
  return {
    items: records.length,
    records: byRecord.size,
    trueClusters: byLabel.size,
    predicted,
    truth,
    tp,
    precision: predicted === 0 ? 1 : tp / predicted,
    recall: truth === 0 ? 1 : tp / truth,
  };
}

/** The wrongly joined and the wrongly separated, as "a + b" strings, for the report. */
function mistakes(records, labels, names, limit = 8) {
  const wrong = [];
  const missed = [];
  const firstOfRecord = new Map();
  const firstOfLabel = new Map();
  records.forEach((r, i) => {
    const fr = firstOfRecord.get(r);
    if (fr === undefined) firstOfRecord.set(r, i);
    else if (labels[fr] !== labels[i] && wrong.length < limit) wrong.push(`${names[fr]} + ${names[i]}`);
    const fl = firstOfLabel.get(labels[i]);
    if (fl === undefined) firstOfLabel.set(labels[i], i);
    else if (records[fl] !== r && missed.length < limit) missed.push(`${names[fl]} + ${names[i]}`);
  });
  return { wrong, missed };
}

/** Why a true pair of advisories ended in two records, from what the matcher could see. */
function missCategory(a, b) {
  const text = a.textSig && b.textSig ? estimateJaccard(a.textSig, b.textSig) : 0;
  const samePkg = a.packageKeys.some((k) => b.packageKeys.includes(k));
  if (!samePkg) return text >= 0.9 ? 'different packages, near-identical text, but neither the same fixes nor a text naming the other package' : 'different packages (or package names) and different texts';
  if (a.source === b.source) return 'same package, same database (treated as two vulnerabilities)';
  const overlap = a.affected.some((x) => b.affected.some((y) => affectedOverlap(x, y)));
  if (!overlap) return 'same package, other database, affected ranges not shown to overlap';
  return 'same package, other database, overlapping ranges, but too few words in common';
}

function missedPairs(records, labels, features) {
  const byLabel = new Map();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const counts = new Map();
  for (const members of byLabel.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const [i, j] = [members[x], members[y]];
        if (records[i] === records[j]) continue;
        const c = missCategory(features[i], features[j]);
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
  }
  return counts;
}

const pct = (x) => x.toFixed(4);
const reasonList = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');

// ---------- (a) advisories ----------

function files(dir, pred) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, pred) : pred(name) ? [p] : [];
  });
}

const idPattern = /\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|GO-\d{4}-\d{4,}|PYSEC-\d{4}-\d+|RUSTSEC-\d{4}-\d{4}|OSV-\d{4}-\d+|NSWG-\w+-\d+|MAL-\d{4}-\d+)\b/gi;

/** The record as a deduplicator would see it with no cross-reference to another advisory. */
function blind(doc) {
  const d = structuredClone(doc);
  const own = String(d.id).toUpperCase();
  const others = (s) => [...String(s).matchAll(idPattern)].some((m) => m[0].toUpperCase() !== own);
  delete d.aliases;
  delete d.related;
  if (Array.isArray(d.references)) d.references = d.references.filter((r) => !others(r?.url ?? ''));
  const scrub = (s) => (typeof s === 'string' ? s.replace(idPattern, (m) => (m.toUpperCase() === own ? m : '')) : s);
  d.summary = scrub(d.summary);
  d.details = scrub(d.details);
  if (d.database_specific && typeof d.database_specific === 'object') delete d.database_specific.url;
  return d;
}

function loadAdvisories() {
  const osv = join(corpus, 'osv');
  const list = [
    ...files(join(osv, 'go'), (n) => n.endsWith('.json')),
    ...files(join(osv, 'pypa'), (n) => n.endsWith('.yaml')),
    ...files(join(osv, 'rustsec'), (n) => n.endsWith('.json')),
    ...files(join(osv, 'ghsa'), (n) => n.endsWith('.json')),
  ];
  return list.map((path) => {
    const text = readFileSync(path, 'utf8');
    return { path: relative(osv, path), doc: path.endsWith('.yaml') ? YAML.parse(text) : JSON.parse(text) };
  });
}

/** Truth: two records are one vulnerability when either lists the other, or they share a CVE (transitively). */
function advisoryTruth(records) {
  const parent = new Map();
  const find = (x) => {
    while (parent.get(x) !== x) {
      parent.set(x, parent.get(parent.get(x)));
      x = parent.get(x);
    }
    return x;
  };
  const union = (a, b) => parent.set(find(a), find(b));
  const ids = new Set(records.map((r) => r.doc.id));
  for (const id of ids) parent.set(id, id);
  const byCve = new Map();
  for (const { doc } of records) {
    for (const a of [doc.id, ...(doc.aliases ?? [])]) {
      if (a !== doc.id && ids.has(a)) union(doc.id, a);
      if (/^CVE-/.test(a)) {
        if (byCve.has(a)) union(doc.id, byCve.get(a));
        else byCve.set(a, doc.id);
      }
    }
  }
  const pairsFile = join(corpus, 'osv', 'ALIAS_PAIRS.json');
  let listed = 0;
  if (existsSync(pairsFile)) {
    const ap = JSON.parse(readFileSync(pairsFile, 'utf8'));
    for (const p of [...ap.direct_pairs, ...ap.cve_linked_pairs]) {
      if (ids.has(p.a) && ids.has(p.b)) {
        listed++;
        if (find(p.a) !== find(p.b)) throw new Error(`ALIAS_PAIRS pair ${p.a}/${p.b} is not linked by the records' own aliases`);
      }
    }
  }
  // the non-transitive reading: a pair is true only when one lists the other or both name one CVE
  const direct = new Set();
  const key = (a, b) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  for (const ids2 of byCveAll(records).values()) for (let i = 0; i < ids2.length; i++) for (let j = i + 1; j < ids2.length; j++) direct.add(key(ids2[i], ids2[j]));
  for (const { doc } of records) for (const a of doc.aliases ?? []) if (a !== doc.id && ids.has(a)) direct.add(key(doc.id, a));
  return { label: (id) => find(id), listed, direct, key };
}

function byCveAll(records) {
  const m = new Map();
  for (const { doc } of records) {
    for (const a of new Set([doc.id, ...(doc.aliases ?? [])])) if (/^CVE-/.test(a)) m.set(a, [...(m.get(a) ?? []), doc.id]);
  }
  return m;
}

/** Precision and recall against a set of true pairs (not closed transitively). */
function scorePairs(records, ids, truePairs, key) {
  const byRecord = new Map();
  records.forEach((r, i) => byRecord.set(r, [...(byRecord.get(r) ?? []), ids[i]]));
  let predicted = 0;
  let tp = 0;
  for (const members of byRecord.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        predicted++;
        if (truePairs.has(key(members[i], members[j]))) tp++;
      }
    }
  }
  return { predicted, tp, truth: truePairs.size, precision: predicted ? tp / predicted : 1, recall: truePairs.size ? tp / truePairs.size : 1 };
}

async function advisories() {
  let parseOsv;
  try {
    ({ parseOsv } = await import('../dist/formats/osv.js'));
  } catch (err) {
    return { skipped: `the OSV parser (src/formats/osv.ts) is not built: ${err.message.split('\n')[0]}` };
  }
  if (!existsSync(join(corpus, 'osv'))) return { skipped: `corpus not found at ${corpus}` };
  const raw = loadAdvisories();
  const truth = advisoryTruth(raw);
  const items = [];
  const rejected = [];
  for (const r of raw) {
    try {
      items.push({ id: r.doc.id, published: String(r.doc.published ?? ''), finding: parseOsv(blind(r.doc), '') });
    } catch (err) {
      rejected.push(`${r.path}: ${err.message}`);
    }
  }
  const runs = [];
  let fingerprintRate = 0;
  for (const order of ['published, then id', 'reverse']) {
    const list = [...items].sort((a, b) => (a.published < b.published ? -1 : a.published > b.published ? 1 : a.id < b.id ? -1 : 1));
    if (order === 'reverse') list.reverse();
    const t0 = performance.now();
    const features = list.map((x) => fingerprintFinding(x.finding, null));
    const t1 = performance.now();
    const { records, reasons } = linkAll(features);
    const t2 = performance.now();
    if (order !== 'reverse') fingerprintRate = list.length / ((t1 - t0) / 1000);
    const labels = list.map((x) => truth.label(x.id));
    const direct = scorePairs(records, list.map((x) => x.id), truth.direct, truth.key);
    const why = order === 'reverse' ? null : missedPairs(records, labels, features);
    runs.push({ order, ...score(records, labels), direct, why, reasons, linkRate: list.length / ((t2 - t1) / 1000), ...mistakes(records, labels, list.map((x) => x.id)) });
  }
  return { records: raw.length, parsed: items.length, rejected, listedPairs: truth.listed, runs, fingerprintRate };
}

// ---------- (b) code: planted bugs ----------

function sourceLines(version, path) {
  const p = join(planted, version, path);
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n') : [];
}

/** Function definitions of a C file (name, first and last line): what ctags would tell a scanner agent. */
function cFunctions(version, path) {
  const out = [];
  let open = null;
  sourceLines(version, path).forEach((line, i) => {
    const m = /^[A-Za-z_][\w \t*]*?\b(\w+)\s*\([^;]*$/.exec(line);
    if (m && !/^(struct|union|enum)\s+\w+\s*\{?$/.test(line)) open = { name: m[1], first: i + 1 };
    if (line.startsWith('}') && open) {
      out.push({ ...open, last: i + 1 });
      open = null;
    }
  });
  return out;
}

/**
 * Post-processing a scanner agent can do before uploading, since it has the source: the region's text as its
 * snippet (what the SARIF multitool's `rewrite --insert RegionSnippets` does) and, with `functions`, the
 * enclosing function as a logical location (what ctags knows).
 */
function enrich(log, version, functions) {
  insertRegionSnippets(log, (uri) => sourceLines(version, uri));
  if (!functions) return log;
  for (const run of log.runs) {
    for (const res of run.results ?? []) {
      const loc = res.locations?.[0];
      const pl = loc?.physicalLocation;
      const region = pl?.region;
      if (!region?.startLine || loc.logicalLocations) continue;
      const fn = cFunctions(version, pl.artifactLocation.uri).find((f) => region.startLine >= f.first && region.startLine <= f.last);
      if (fn) loc.logicalLocations = [{ name: fn.name, kind: 'function' }];
    }
  }
  return log;
}

function codeSet() {
  const dir = join(planted, 'sarif');
  if (!existsSync(dir)) return { skipped: 'no SARIF in bench/fixtures/planted-c/sarif (run node bench/fixtures/planted-c/regenerate.mjs)' };
  const tools = JSON.parse(readFileSync(join(dir, 'TOOLS.json'), 'utf8'));
  const { bugs } = JSON.parse(readFileSync(join(planted, 'labels.json'), 'utf8'));
  const target = { purl: null, repo: 'https://example.org/planted-c.git' };
  const logs = [];
  for (const version of ['v1', 'v2']) {
    for (const tool of ['flawfinder', 'cppcheck', 'clang-analyzer']) {
      const file = join(dir, `${tool}-${version}.sarif`);
      if (existsSync(file)) logs.push({ version, tool, text: readFileSync(file, 'utf8') });
    }
  }
  const label = (f, version, range) => {
    const path = f.location?.path;
    const line = f.location?.startLine;
    const bug = bugs.find((b) => b.file === path && line >= b[range][version][0] && line <= b[range][version][1]);
    if (bug) return bug.id;
    return `noise:${path}:${(sourceLines(version, path)[line - 1] ?? '').trim()}`;
  };
  const variants = {
    'as the tools wrote it': (log) => log,
    'region snippets inserted (as the agent does)': (log, v) => enrich(log, v, false),
    'snippets and functions inserted': (log, v) => enrich(log, v, true),
  };
  const orders = {
    'v1 then v2': (l) => l,
    'v2 then v1, tools reversed': (l) => [...l].reverse(),
  };
  const runs = [];
  for (const [variant, prepare] of Object.entries(variants)) {
    for (const [orderName, order] of Object.entries(orders)) {
      const items = [];
      for (const { version, tool, text } of order(logs)) {
        parseSarif(prepare(JSON.parse(text), version)).findings.forEach((f, i) => {
          f.commit = version;
          items.push({ name: `${tool}/${version}#${i}@${f.location?.path}:${f.location?.startLine}`, line: label(f, version, 'lines'), fn: label(f, version, 'functionLines'), finding: f });
        });
      }
      const { records, reasons } = linkAll(items.map((x) => fingerprintFinding(x.finding, target)));
      const names = items.map((x) => x.name);
      for (const truth of ['line', 'fn']) {
        const labels = items.map((x) => x[truth]);
        runs.push({ variant, order: orderName, truthBy: truth === 'line' ? 'bug lines' : 'bug functions', ...score(records, labels), reasons, ...mistakes(records, labels, names, 6) });
      }
    }
  }
  const counts = logs.map((l) => `${l.tool} ${l.version} ${JSON.parse(l.text).runs[0].results.length}`).join(', ');
  const hit = new Set();
  for (const { version, text } of logs) for (const f of parseSarif(JSON.parse(text)).findings) hit.add(label(f, version, 'lines'));
  return { tools, counts, runs, bugs: bugs.length, bugsHit: [...hit].filter((l) => !l.startsWith('noise:')).length };
}

// ---------- throughput ----------

function throughput() {
  const file = join(corpus, 'sarif', 'semgrep-0.17.0-owasp-benchmark.sarif');
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const target = { purl: null, repo: 'https://github.com/OWASP-Benchmark/BenchmarkJava' };
  const rounds = 40;
  const { findings } = parseSarif(JSON.parse(text));
  // warm up, then time
  for (const f of findings) fingerprintFinding(f, target);
  let t = performance.now();
  for (let r = 0; r < rounds; r++) for (const f of findings) fingerprintFinding(f, target);
  const fingerprint = (rounds * findings.length) / ((performance.now() - t) / 1000);
  t = performance.now();
  let n = 0;
  for (let r = 0; r < rounds / 4; r++) {
    for (const f of parseSarif(JSON.parse(text)).findings) {
      fingerprintFinding(f, target);
      n++;
    }
  }
  const parseAndFingerprint = n / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let r = 0; r < rounds / 4; r++) JSON.parse(text);
  const jsonParse = ((rounds / 4) * findings.length) / ((performance.now() - t) / 1000);
  // the decision over an in-memory index (the store adds its query on top)
  const features = findings.map((f) => fingerprintFinding(f, target));
  const index = new MemoryCandidateIndex();
  t = performance.now();
  for (let r = 0; r < 4; r++) {
    for (const f of features) {
      const d = decideLink(f, index.candidates(lookupKeys(f)));
      index.add(d?.vulnId ?? 'x', f);
    }
  }
  const link = (4 * features.length) / ((performance.now() - t) / 1000);
  return { results: findings.length, fingerprint, parseAndFingerprint, jsonParse, link };
}

// ---------- report ----------

export async function run() {
  const adv = await advisories();
  const code = codeSet();
  const tp = throughput();
  const out = [
    'Every finding is linked to a vulnerability record by `decideLink` (src/core/dedup) over the candidates an',
    'in-memory index returns for its lookup keys, in a fixed order, as the intake service does. Scores are pairwise',
    'over the resulting records: precision = pairs in one record that truly match ÷ pairs in one record;',
    'recall = truly matching pairs that ended in one record ÷ truly matching pairs. Targets: precision ≥ 0.99,',
    'recall ≥ 0.95.',
    '',
    '### Advisories (OSV corpus, cross-references removed)',
    '',
  ];
  if (adv.skipped) out.push(`Skipped: ${adv.skipped}.`);
  else {
    out.push(
      `${fmt(adv.records)} OSV records (Go vulndb, PyPA, RustSec, GHSA; nodejs-security-wg is not OSV and is left out), ${fmt(adv.parsed)} parsed` +
        (adv.rejected.length ? ` (${adv.rejected.length} rejected by the parser: ${adv.rejected.slice(0, 3).join('; ')})` : '') +
        '. Before linking, each record loses `aliases`, `related`, every reference URL naming another advisory id, and' +
        ' other advisories\' ids in its summary and details. Truth: the original records\' alias links and shared CVE' +
        ` aliases, closed transitively (it contains all ${adv.listedPairs} pairs of osv/ALIAS_PAIRS.json present here).`,
      '',
      '| order | records in | true clusters | records out | true pairs | linked pairs | correct | precision | recall |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...adv.runs.map((r) => `| ${r.order} | ${fmt(r.items)} | ${fmt(r.trueClusters)} | ${fmt(r.records)} | ${fmt(r.truth)} | ${fmt(r.predicted)} | ${fmt(r.tp)} | ${pct(r.precision)} | ${pct(r.recall)} |`),
      '',
      'Read without transitivity (a pair is true only when one record lists the other or both name the same CVE):',
      ...adv.runs.map((r) => `${r.order}: ${fmt(r.direct.truth)} true pairs, ${fmt(r.direct.predicted)} linked, ${fmt(r.direct.tp)} correct: precision ${pct(r.direct.precision)}, recall ${pct(r.direct.recall)}.`),
      '',
      ...adv.runs.flatMap((r) => [
        `- ${r.order}: links by reason: ${reasonList(r.reasons)}.`,
        `  Wrongly joined (first ${r.wrong.length}): ${r.wrong.join('; ') || 'none'}.`,
        `  Missed (first ${r.missed.length}): ${r.missed.join('; ') || 'none'}.`,
      ]),
      '',
      'True pairs left in two records (first order), by what the matcher could see:',
      '',
      ...[...adv.runs[0].why.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `- ${k}: ${v}`),
      '',
      `Advisory fingerprinting (MinHash of the text included): ${fmt(adv.fingerprintRate)} records/s; linking through the in-memory index: ${fmt(adv.runs[0].linkRate)} records/s.`,
    );
  }
  out.push('', '### Code findings (planted bugs, three tools, two versions)', '');
  if (code.skipped) out.push(`Skipped: ${code.skipped}.`);
  else {
    out.push(
      `bench/fixtures/planted-c: ${code.bugs} planted bugs in 4 C files; v2 moves every bug (licence header, new helpers, comments, one bug line reformatted).` +
        ` Tools: flawfinder ${code.tools.flawfinder ?? 'not installed'}, ${code.tools.cppcheck ?? 'cppcheck not installed'} (no SARIF output before 2.13: its XML report is converted result by result),` +
        ` ${code.tools.clang ?? 'clang not installed'} (\`--analyze\`, SARIF). Results: ${code.counts}; they hit ${code.bugsHit} of the ${code.bugs} bugs, the rest is noise` +
        ' (labeled by file and source line). Labels: bench/fixtures/planted-c/labels.json. Each version\'s findings carry their version as the commit.',
      '',
      '| SARIF | order | truth | results | true clusters | records | true pairs | linked pairs | correct | precision | recall |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...code.runs.map((r) => `| ${r.variant} | ${r.order} | ${r.truthBy} | ${r.items} | ${r.trueClusters} | ${r.records} | ${r.truth} | ${r.predicted} | ${r.tp} | ${pct(r.precision)} | ${pct(r.recall)} |`),
      '',
      ...code.runs.filter((r) => r.order === 'v1 then v2').flatMap((r) => [
        `- ${r.variant}, ${r.order}, truth by ${r.truthBy}: links by reason: ${reasonList(r.reasons)}.`,
        `  Wrongly joined: ${r.wrong.join('; ') || 'none'}. Missed (first ${r.missed.length}): ${r.missed.join('; ') || 'none'}.`,
      ]),
    );
  }
  if (tp) {
    out.push(
      '',
      '### Throughput (one core)',
      '',
      `semgrep-0.17.0-owasp-benchmark.sarif of the corpus (${fmt(tp.results)} results):`,
      '',
      '| work | findings/s |',
      '| --- | ---: |',
      `| \`fingerprintFinding\` (parsed findings) | ${fmt(tp.fingerprint)} |`,
      `| \`JSON.parse\` + \`parseSarif\` + \`fingerprintFinding\` | ${fmt(tp.parseAndFingerprint)} |`,
      `| \`JSON.parse\` alone (same bytes) | ${fmt(tp.jsonParse)} |`,
      `| \`lookupKeys\` + in-memory candidates + \`decideLink\` + \`add\` | ${fmt(tp.link)} |`,
    );
  }
  for (const line of out) if (line.startsWith('| ') && !line.startsWith('| ---')) console.log(line);
  return { title: 'Deduplication quality', markdown: out.join('\n') };
}
