// Shared by the benchmarks: machine description, scratch databases, timing and RESULTS.md sections.
import { execSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';

export const resultsFile = new URL('./RESULTS.md', import.meta.url);
export const serverAdminUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export function machine() {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  let pgVersion = 'unavailable';
  try {
    pgVersion = execSync('psql --version', { encoding: 'utf8' }).trim();
  } catch {}
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${pgVersion}`;
}

export async function serverAvailable() {
  const c = new pg.Client({ connectionString: serverAdminUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** A fresh database on the PostgreSQL server; dropped by the returned function. */
export async function scratchDatabase() {
  const name = `ch_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (q) => {
    const c = new pg.Client({ connectionString: serverAdminUrl });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(serverAdminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Replaces (or appends) one benchmark's section of RESULTS.md, leaving the others as they were. */
export function writeSection(id, title, markdown) {
  const begin = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const header = '# Benchmark results\n\nWritten by `npm run bench` (each section by its own benchmark; `npm run bench -- NAME` reruns one).\n';
  let text = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : header;
  const section = `${begin}\n## ${title}\n\n_${new Date().toISOString()} on ${machine()}_\n\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsFile, text);
}

/**
 * Runs `node script --stream-child file` in a child process (under /usr/bin/time -v when present) and returns
 * the JSON it printed last, with its peak resident memory and how that was measured.
 */
export async function measureChild(script, file) {
  const useTime = existsSync('/usr/bin/time');
  const argv = [process.execPath, script, '--stream-child', file];
  const child = spawn(useTime ? '/usr/bin/time' : argv[0], useTime ? ['-v', ...argv] : argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`streaming child failed (${code}): ${stderr.slice(-2000)}`);
  const m = JSON.parse(stdout.trim().split('\n').pop());
  const timeRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { m, rss: timeRss ? Number(timeRss[1]) * 1024 : m.maxRssBytes, rssSource: timeRss ? '/usr/bin/time -v' : 'process.resourceUsage' };
}
