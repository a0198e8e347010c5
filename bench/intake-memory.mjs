// Peak resident memory of a real `clearinghouse serve` process while a ~1 GB SARIF log is uploaded
// (streamed into storage) and ingested by its background job, end to end, on the PostgreSQL server.
// The log is written to a temporary file first; the server's VmHWM (peak RSS) is read from /proc.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, scratchDatabase, serverAvailable } from './support.mjs';

const bin = fileURLToPath(new URL('../bin/clearinghouse.js', import.meta.url));
const targetBytes = Number(process.env.BENCH_SARIF_GB || 1) * 1024 ** 3;

/** Streams a SARIF log of about `bytes` to `file`; results carry snippets, fingerprints and code flows. */
async function writeSarif(file, bytes) {
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  const rules = ['CWE-787', 'CWE-416', 'CWE-125', 'CWE-78'].map((c, k) => ({ id: `R${k}`, shortDescription: { text: `rule ${k}` }, properties: { tags: [c] } }));
  await write(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"memtest","version":"1","rules":${JSON.stringify(rules)}}},"results":[`);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const r = JSON.stringify({
      ruleId: `R${i % 4}`,
      level: 'warning',
      message: { text: `defect ${i}: ${'detail '.repeat(40)}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/m${i % 1000}/f${i % 97}.c` }, region: { startLine: 1 + (i % 5000), snippet: { text: `copy_${i}(dst, src, n); /* ${'x'.repeat(120)} */` } } } }],
      partialFingerprints: { primaryLocationLineHash: `${i.toString(16)}:1` },
      codeFlows: [{ threadFlows: [{ locations: [{ location: { physicalLocation: { artifactLocation: { uri: 'src/a.c' }, region: { startLine: 3 } } } }] }] }],
    });
    const s = (i ? ',' : '') + r;
    await write(s);
    written += s.length;
    i++;
  }
  await write(']}]}');
  await new Promise((r) => out.end(r));
  return i;
}

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

function peakRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

export async function run() {
  if (!(await serverAvailable())) return { title: 'Streaming intake of a 1 GB SARIF log', markdown: 'PostgreSQL server unavailable: not measured.' };
  const dir = mkdtempSync(join(tmpdir(), 'ch-bench-mem-'));
  const db = await scratchDatabase();
  let server;
  try {
    const file = join(dir, 'big.sarif');
    const results = await writeSarif(file, targetBytes);
    const size = statSync(file).size;
    console.log(`wrote ${fmt(size / 2 ** 20)} MiB, ${fmt(results)} results`);
    const env = { ...process.env, CLEARINGHOUSE_HOME: join(dir, 'home'), DATABASE_URL: db.url, CLEARINGHOUSE_TOKEN: '' };
    server = await serve(env);
    const admin = readFileSync(join(dir, 'home', 'admin.token'), 'utf8').trim();
    const api = async (method, path, body) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.json();
    };
    const target = await api('POST', '/v1/targets', { name: 'big', repo: 'https://example.org/big.git' });
    const started = performance.now();
    const submit = await new Promise((resolve) => {
      const c = spawn(process.execPath, [bin, 'submit', file, '--target', target.id, '--json'], { env: { ...env, CLEARINGHOUSE_URL: server.url, CLEARINGHOUSE_TOKEN: admin }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('exit', (code) => resolve({ code, out }));
    });
    const seconds = (performance.now() - started) / 1000;
    if (submit.code !== 0) throw new Error(`submit failed (${submit.code})`);
    const findings = JSON.parse(submit.out).job?.result?.findings;
    const rss = peakRss(server.child.pid);
    console.log(`ingested ${fmt(findings)} findings in ${fmt(seconds, 1)} s; server peak RSS ${fmt(rss / 2 ** 20)} MiB`);
    const markdown = [
      'A generated SARIF log (every result with a message, snippet, partial fingerprint and code flow) uploaded with',
      '`clearinghouse submit` to a real `clearinghouse serve` on the PostgreSQL server: the upload streams into',
      'stored chunks, the job validates and then ingests it as a stream. Peak RSS is the server process\'s VmHWM.',
      'Target: ≤ 512 MB.',
      '',
      '| SARIF size | results | findings stored | seconds (upload to job end) | findings/s | server peak RSS |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${fmt(size / 2 ** 20)} MiB | ${fmt(results)} | ${fmt(findings)} | ${fmt(seconds, 1)} | ${fmt(findings / seconds)} | ${fmt(rss / 2 ** 20)} MiB |`,
    ].join('\n');
    return { title: 'Streaming intake of a 1 GB SARIF log', markdown };
  } finally {
    server?.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
