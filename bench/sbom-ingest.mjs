// A 1,000,000-component SBOM uploaded with `clearinghouse sbom upload` to a real `clearinghouse serve`: the body
// streams through the parser into the database in batches inside one transaction. Peak RSS is the server
// process's VmHWM, read from /proc. On the PostgreSQL server and, for comparison, the embedded database (whose
// WASM heap lives inside the server process).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBigSbom } from './sbom-parse.mjs';
import { fmt, scratchDatabase, serverAvailable } from './support.mjs';

const bin = fileURLToPath(new URL('../bin/clearinghouse.js', import.meta.url));
const count = Number(process.env.BENCH_SBOM_COMPONENTS ?? '1000000');

function serve(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

const peakRss = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const currentRss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

function cli(args, env) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function onEngine(label, file, databaseUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'ch-bench-sbom-'));
  let server;
  try {
    const env = { ...process.env, CLEARINGHOUSE_HOME: join(dir, 'home'), DATABASE_URL: databaseUrl ?? '', CLEARINGHOUSE_TOKEN: '' };
    server = await serve(env);
    const idle = currentRss(server.child.pid);
    const admin = readFileSync(join(dir, 'home', 'admin.token'), 'utf8').trim();
    const as = (token) => ({ ...env, CLEARINGHOUSE_URL: server.url, CLEARINGHOUSE_TOKEN: token });
    const org = JSON.parse((await cli(['--json', 'org', 'create', '--name', 'Bench Operator', '--kind', 'operator', '--asset-class', 'fceb'], as(admin))).out);
    const token = JSON.parse((await cli(['--json', 'token', 'create', '--org', org.id, '--scopes', 'read,write'], as(admin))).out).token;
    await cli(['asset', 'add', '--name', 'big-app'], as(token));
    const started = performance.now();
    const up = await cli(['--json', 'sbom', 'upload', file, '--asset', 'big-app'], as(token));
    const seconds = (performance.now() - started) / 1000;
    if (up.code !== 0) throw new Error(`upload failed: ${up.err}`);
    const sbom = JSON.parse(up.out).sbom;
    const rss = peakRss(server.child.pid);
    console.log(`${label}: ${fmt(sbom.components)} components in ${fmt(seconds, 1)} s = ${fmt(sbom.components / seconds)}/s; server RSS idle ${fmt(idle / 2 ** 20)} MiB, peak ${fmt(rss / 2 ** 20)} MiB`);
    return { label, components: sbom.components, unidentified: sbom.unidentified, seconds, idle, rss };
  } finally {
    server?.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'ch-bench-sbom-file-'));
  const rows = [];
  try {
    const file = join(dir, 'big.cdx.json');
    await writeBigSbom(file, count);
    const size = statSync(file).size;
    console.log(`wrote ${fmt(size / 2 ** 20)} MiB, ${fmt(count)} components`);
    if (await serverAvailable()) {
      const db = await scratchDatabase();
      try {
        rows.push(await onEngine('PostgreSQL server', file, db.url));
      } finally {
        await db.drop();
      }
    }
    rows.push(await onEngine('embedded', file, null));
    const markdown = [
      `A generated CycloneDX 1.6 SBOM (${fmt(size / 2 ** 20)} MiB, ${fmt(count)} components, 1 % nested, 2 % without a purl) uploaded with`,
      '`clearinghouse sbom upload` to a real `clearinghouse serve`: the body streams through the parser (schema-validated',
      'component by component) into `sbom_components` in batches of 2,000 inside one transaction, and becomes the asset\'s',
      'SBOM at commit. Time is the whole upload command. Peak RSS is the server process\'s VmHWM; the embedded database',
      '(PGlite, PostgreSQL compiled to WASM) lives inside that process, so its heap counts there. Target: ≤ 512 MB.',
      '',
      '| database | components stored | unidentified | seconds | components/s | server RSS before | server peak RSS | ≤ 512 MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows.map((r) => `| ${r.label} | ${fmt(r.components)} | ${fmt(r.unidentified)} | ${fmt(r.seconds, 1)} | ${fmt(r.components / r.seconds)} | ${fmt(r.idle / 2 ** 20)} MiB | ${fmt(r.rss / 2 ** 20)} MiB | ${r.rss <= 512 * 2 ** 20 ? 'yes' : '**no**'} |`),
    ].join('\n');
    return { title: 'SBOM ingest through the server (1,000,000 components)', markdown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
