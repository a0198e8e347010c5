// Exposure at scale: 200,000 OSV advisories (npm, PyPI and Maven, SEMVER and ECOSYSTEM ranges) and 10,000 SBOMs
// with 5,000,000 component instances, through the services in-process (the HTTP layer is measured elsewhere):
//   - SBOM ingest rate, each upload matched incrementally against the advisories already imported;
//   - a full match: every known package version decided against every advisory of its package, from nothing;
//   - the coordinator's remediation queue over all of it;
//   - one new advisory: imported (decided against every known version of its package) and its affected assets
//     read. Targets: full match ≤ 30 s, one new advisory → its affected assets ≤ 50 ms.
// Packages are drawn with a Zipf-like popularity, so a few are in most SBOMs, as in real dependency trees.
import { sql } from 'kysely';
import { systemClock } from '../dist/core/clock.js';
import { generateSigner } from '../dist/formats/signed-note.js';
import { createServices } from '../dist/services/index.js';
import { openStore } from '../dist/store/connect.js';
import { fmt, scratchDatabase, serverAvailable } from './support.mjs';

const ecosystems = [
  { osv: 'npm', purl: (i) => `pkg:npm/bench-pkg-${i}`, name: (i) => `bench-pkg-${i}`, share: 0.5 },
  { osv: 'PyPI', purl: (i) => `pkg:pypi/bench-pkg-${i}`, name: (i) => `bench-pkg-${i}`, share: 0.3 },
  { osv: 'Maven', purl: (i) => `pkg:maven/org.bench/bench-pkg-${i}`, name: (i) => `org.bench:bench-pkg-${i}`, share: 0.2 },
];

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same data. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const versionsPerPackage = 24;
const versionAt = (k) => `${1 + Math.floor(k / 8)}.${k % 8}.${k % 3}`;

function ecosystemOf(pkg) {
  const r = (pkg % 10) / 10;
  return r < 0.5 ? ecosystems[0] : r < 0.8 ? ecosystems[1] : ecosystems[2];
}

function advisory(n, pkg, random) {
  const eco = ecosystemOf(pkg);
  const lo = Math.floor(random() * (versionsPerPackage - 4));
  const hi = lo + 1 + Math.floor(random() * 6);
  const semver = eco.osv === 'npm';
  return {
    schema_version: '1.6.0',
    id: `BENCH-${n}`,
    aliases: [`CVE-2026-${100000 + n}`],
    modified: '2026-06-01T00:00:00Z',
    summary: `bench advisory ${n}`,
    affected: [
      {
        package: { ecosystem: eco.osv, name: eco.name(pkg) },
        ranges: [{ type: semver ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: lo === 0 ? '0' : versionAt(lo) }, { fixed: versionAt(Math.min(hi, versionsPerPackage - 1)) }] }],
      },
    ],
    database_specific: { severity: ['LOW', 'MODERATE', 'HIGH', 'CRITICAL'][n % 4] },
  };
}

/** A package index with Zipf-like popularity: low indexes are drawn far more often. */
const popular = (random, packages) => Math.min(packages - 1, Math.floor(packages * random() ** 2.2));

function sbom(s, perSbom, packages, random) {
  const seen = new Set();
  const components = [];
  while (components.length < perSbom) {
    const pkg = popular(random, packages);
    if (seen.has(pkg)) continue;
    seen.add(pkg);
    const eco = ecosystemOf(pkg);
    const v = versionAt(Math.floor(random() * versionsPerPackage));
    components.push({ type: 'library', name: `bench-pkg-${pkg}`, version: v, purl: `${eco.purl(pkg)}@${v}` });
  }
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, serialNumber: `urn:uuid:00000000-0000-4000-8000-${String(s).padStart(12, '0')}`, components });
}

async function* chunks(text) {
  yield Buffer.from(text);
}

export async function onEngine(label, open, scale) {
  const { store, close } = await open();
  const sbomCount = Math.round(10_000 * scale);
  const perSbom = 500;
  const advisoryCount = Math.round(200_000 * scale);
  const packages = Math.round(60_000 * scale);
  try {
    const services = await createServices({ store, signer: generateSigner('bench/exposure'), clock: systemClock, warn: () => undefined });
    const admin = await services.bootstrap();
    const coord = { orgId: admin.orgId, orgKind: 'coordinator', tokenId: admin.id, scopes: ['admin'] };
    const random = rng(42);

    // advisories first, in imports of 20,000 (each a JSON array)
    let t = performance.now();
    for (let first = 0; first < advisoryCount; first += 20_000) {
      const records = [];
      for (let n = first; n < Math.min(advisoryCount, first + 20_000); n++) records.push(advisory(n, popular(random, packages), random));
      await services.advisories.importOsv(coord, { body: chunks(JSON.stringify(records)), source: 'bench' });
    }
    const importSeconds = (performance.now() - t) / 1000;
    console.log(`${label}: ${fmt(advisoryCount)} advisories imported in ${fmt(importSeconds, 1)} s`);

    // operators and assets: 100 operators over the five asset classes
    const classes = ['nss', 'dow', 'fceb', 'sltt', 'ci'];
    const operators = [];
    for (let o = 0; o < 100; o++) {
      const assetClass = classes[o % 5];
      const org = await services.orgs.create(coord, { name: `Bench Operator ${o}`, kind: 'operator', assetClass, ...(assetClass === 'ci' ? { sector: 'energy' } : {}) });
      operators.push({ orgId: org.id, orgKind: 'operator', tokenId: admin.id, scopes: ['write'] });
    }
    const assets = [];
    for (let s = 0; s < sbomCount; s++) {
      const op = operators[s % operators.length];
      assets.push({ op, asset: await services.assets.create(op, { name: `asset-${s}`, criticality: (s % 10) / 10 }) });
    }

    // SBOMs, four uploads at a time
    t = performance.now();
    let next = 0;
    let components = 0;
    const worker = async () => {
      for (;;) {
        const s = next++;
        if (s >= sbomCount) return;
        const text = sbom(s, perSbom, packages, random);
        const r = await services.assets.uploadSbom(assets[s].op, assets[s].asset.id, chunks(text));
        components += r.sbom.components;
        if ((s + 1) % 1000 === 0) console.log(`  ${fmt(s + 1)} SBOMs, ${fmt(components)} components, ${fmt(components / ((performance.now() - t) / 1000))}/s`);
      }
    };
    await Promise.all(Array.from({ length: label.includes('embedded') ? 1 : 4 }, worker));
    const ingestSeconds = (performance.now() - t) / 1000;
    console.log(`${label}: ${fmt(components)} components in ${fmt(ingestSeconds, 1)} s = ${fmt(components / ingestSeconds)}/s`);

    // full match from nothing
    t = performance.now();
    const rematch = await services.matching.rematch(coord);
    const matchSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const { rows } = await sql`SELECT count(*)::int AS n FROM version_matches m JOIN sbom_components c ON c.purl_key = m.purl_key AND c.match_version = m.version JOIN sboms s ON s.id = c.sbom_id AND s.replaced_at IS NULL`.execute(store.db);
    const countSeconds = (performance.now() - t) / 1000;
    console.log(`${label}: full match ${fmt(matchSeconds, 1)} s: ${fmt(rematch.packageVersions)} package versions, ${fmt(rematch.decided)} pairs decided, ${fmt(rematch.matches)} matches; phases ms ${JSON.stringify(rematch.phases)}`);

    // the coordinator's queue over everything
    t = performance.now();
    const queue = await services.advisories.queue(coord, { limit: 100 });
    const queueSeconds = (performance.now() - t) / 1000;

    // one new advisory for a popular package: imported, then its affected assets read
    const newOne = [];
    for (let i = 0; i < 5; i++) {
      const rec = advisory(advisoryCount + i, popular(random, packages) % 50, random);
      const t0 = performance.now();
      await services.advisories.importOsv(coord, { body: chunks(JSON.stringify(rec)), source: 'bench-one' });
      const t1 = performance.now();
      const affected = await services.advisories.exposure(coord, { advisory: rec.id, limit: 500 });
      const t2 = performance.now();
      newOne.push({ importMs: t1 - t0, readMs: t2 - t1, assets: new Set(affected.map((a) => a.assetId)).size });
    }
    newOne.sort((a, b) => a.importMs + a.readMs - (b.importMs + b.readMs));
    const median = newOne[Math.floor(newOne.length / 2)];
    console.log(`${label}: one new advisory: import ${fmt(median.importMs, 1)} ms + affected assets ${fmt(median.readMs, 1)} ms (${median.assets} assets)`);
    return {
      label,
      sboms: sbomCount,
      components,
      advisories: advisoryCount,
      importSeconds,
      ingestSeconds,
      matchSeconds,
      rematch,
      exposures: rows[0]?.n ?? -1,
      countSeconds,
      queueSeconds,
      queueItems: queue.length,
      median,
    };
  } finally {
    await close();
  }
}

export async function run() {
  const results = [];
  if (await serverAvailable()) {
    results.push(
      await onEngine('PostgreSQL server', async () => {
        const db = await scratchDatabase();
        const store = await openStore({ engine: 'server', url: db.url });
        return { store, close: async () => { await store.close(); await db.drop(); } };
      }, Number(process.env.BENCH_EXPOSURE_SCALE || 1)),
    );
  }
  results.push(
    await onEngine('embedded (a tenth of the scale)', async () => {
      const store = await openStore({ engine: 'memory' });
      return { store, close: () => store.close() };
    }, Number(process.env.BENCH_EXPOSURE_EMBEDDED_SCALE || 0.1)),
  );
  const markdown = [
    '200,000 OSV advisories (npm SEMVER, PyPI and Maven ECOSYSTEM ranges over 24 versions per package) and 10,000',
    'CycloneDX SBOMs of 500 components (5,000,000 instances) drawn with Zipf-like popularity from 60,000 packages, held',
    'by 100 operators across the five asset classes; in-process through the services. SBOM ingest includes each',
    'upload\'s incremental match against the advisories already imported. The full match decides every known package',
    'version against every advisory of its package from nothing and stores the verdicts. One new advisory: its import',
    '(decided against every known version of its package, one transaction with its log entry) and then the read of',
    'its affected assets; median of 5 on popular packages. Targets: full match ≤ 30 s; one new advisory → affected',
    'assets ≤ 50 ms.',
    '',
    '| database | advisories | SBOMs | components | advisory import s | SBOM ingest components/s | full match s | pairs decided | matches | exposed instances (count s) | queue s | new advisory: import ms + read ms (assets) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fmt(r.advisories)} | ${fmt(r.sboms)} | ${fmt(r.components)} | ${fmt(r.importSeconds, 1)} | ${fmt(r.components / r.ingestSeconds)} | ${fmt(r.matchSeconds, 1)} | ${fmt(r.rematch.decided)} | ${fmt(r.rematch.matches)} | ${fmt(r.exposures)} (${fmt(r.countSeconds, 1)} s) | ${fmt(r.queueSeconds, 2)} | ${fmt(r.median.importMs, 1)} + ${fmt(r.median.readMs, 1)} (${r.median.assets}) |`,
    ),
    '',
    ...results.map((r) => `Full match phases on ${r.label} (ms): ${Object.entries(r.rematch.phases ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}.`),
  ].join('\n');
  return { title: 'Exposure: SBOMs and advisories matched at scale', markdown };
}
