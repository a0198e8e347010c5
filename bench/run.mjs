// `npm run bench [-- NAME…]`: runs the benchmarks (all, or those named) and writes their sections of bench/RESULTS.md.
import { writeSection } from './support.mjs';

const benchmarks = {
  'log-append': () => import('./log-append.mjs'),
  'log-proofs': () => import('./log-proofs.mjs'),
  'findings-parse': () => import('./findings-parse.mjs'),
  'sbom-parse': () => import('./sbom-parse.mjs'),
  'sbom-ingest': () => import('./sbom-ingest.mjs'),
  exposure: () => import('./exposure.mjs'),
  'dedup-quality': () => import('./dedup-quality.mjs'),
  intake: () => import('./intake.mjs'),
  'intake-memory': () => import('./intake-memory.mjs'),
  sandbox: () => import('./sandbox.mjs'),
  validation: () => import('./validation.mjs'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in benchmarks));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(benchmarks)) {
  console.log(`\n# ${name}`);
  const mod = await benchmarks[name]();
  const { title, markdown } = await mod.run();
  writeSection(name, title, markdown);
}
console.log('\nwritten to bench/RESULTS.md');
