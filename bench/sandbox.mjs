// Start-up cost of the PoC sandbox: `/bin/true` run 50 times directly, under a bare bwrap (namespaces and mounts
// only), and through runInSandbox (uid drop, full layout, rlimits, supervisor, teardown check), each timed from
// spawn to the result, one run at a time.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInSandbox, sandboxAvailable } from '../dist/sandbox/bubblewrap.js';
import { fmt, percentile } from './support.mjs';

export const runs = Number(process.env.BENCH_SANDBOX_RUNS ?? '50');
export const warmup = 5;

/**
 * Spawns the command (options: cwd, env) and resolves once it exited with one of `okCodes` (0 unless given) and
 * its pipes closed. Exported for bench/validation.mjs.
 */
export function spawnAndWait(command, args, { okCodes = [0], ...options } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (okCodes.includes(code) ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

// The least a bwrap sandbox can be: the same namespaces, /usr and the top-level links, /proc and /dev.
function bareBwrapArgs() {
  const args = ['--unshare-user', '--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/lib', '/lib64']) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  return [...args, '--proc', '/proc', '--dev', '/dev', '--', '/bin/true'];
}

/** `once` run `warmup` times, then `runs` times timed one after another: median, p95 and mean ms. */
export async function timeRuns(label, once) {
  for (let i = 0; i < warmup; i++) await once();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await once();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const stats = { label, median: percentile(ms, 50), p95: percentile(ms, 95), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
  console.log(`${label}: median ${fmt(stats.median, 2)} ms, p95 ${fmt(stats.p95, 2)} ms`);
  return stats;
}

export async function run() {
  const title = 'PoC sandbox start-up overhead';
  const available = await sandboxAvailable();
  if (!available.ok) return { title, markdown: `Skipped: ${available.reason}` };
  const load = loadavg()[0];
  const scratch = mkdtempSync(join(tmpdir(), 'clearinghouse-bench-sandbox-'));
  let rows;
  try {
    const direct = await timeRuns('direct', () => spawnAndWait('/bin/true', []));
    const bare = await timeRuns('bare bwrap', () => spawnAndWait('/usr/bin/bwrap', bareBwrapArgs()));
    const full = await timeRuns('runInSandbox', async () => {
      const r = await runInSandbox({ argv: ['/bin/true'], bindReadOnly: [], scratchDir: scratch });
      if (r.outcome.kind !== 'exited' || r.outcome.code !== 0) throw new Error(`sandboxed /bin/true: ${JSON.stringify(r.outcome)} ${r.stderr}`);
    });
    rows = [direct, bare, full].map(
      (s) => `| ${s.label} | ${fmt(s.median, 2)} | ${fmt(s.p95, 2)} | ${fmt(s.mean, 2)} | ${s === direct ? '–' : `+${fmt(s.median - direct.median, 2)}`} |`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return {
    title,
    markdown: [
      `\`/bin/true\`, ${runs} sequential runs after ${warmup} warm-up runs, each timed in Node from spawn until the result`,
      `is in hand. ${available.version}. "bare bwrap" has the namespaces and a minimal file system only; \`runInSandbox\``,
      'adds what a PoC run pays: setpriv to uid 65534, the full read-only layout with /scratch and two tmpfs, prlimit,',
      'the perl supervisor that reports how the command ended, and the check that the PID namespace is empty.',
      `1-minute load average when this run started: ${fmt(load, 1)}.`,
      '',
      '| how | median ms | p95 ms | mean ms | median overhead vs direct, ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows,
    ].join('\n'),
  };
}
