// `clearinghouse agent --exec '<cmd with {dir} and {out}>'`: the reference scanner agent. It claims the
// next target, checks out its source, runs the scanner (renewing the lease while it runs), uploads the
// SARIF under the claim and releases the lease — then takes the next target, until none is free.
import { spawn, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { Client } from '../client.js';
import type { CliContext } from '../context.js';
import type { ClaimRow, TargetRow } from './deconfliction.js';
import { insertRegionSnippets } from '../../formats/sarif-snippets.js';
import { submitFile, summaryLine } from './findings.js';

const run = promisify(execFile);

interface AgentOptions {
  exec: string;
  scope?: string;
  leaseHours?: string;
  maxTargets?: string;
  timeoutMinutes?: string;
  model?: string;
  modelVersion?: string;
  scanner?: string;
  scannerVersion?: string;
  wait?: boolean;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Copies or clones the target's source into `dir`; returns the commit when the source is a git repository. */
async function checkout(target: TargetRow, dir: string): Promise<string | null> {
  const source = target.repo;
  if (!source) throw new Error(`target ${target.name} has no repository to check out (purl only: ${target.purl})`);
  const local = source.startsWith('/') ? source : source.startsWith('file://') ? decodeURIComponent(new URL(source).pathname) : null;
  if (local) {
    const isGit = await stat(join(local, '.git')).then(() => true, () => false);
    if (!isGit) {
      await cp(local, dir, { recursive: true });
      return null;
    }
  }
  await run('git', ['clone', '--quiet', '--depth', '1', local ?? source, dir], { timeout: 10 * 60_000 });
  const { stdout } = await run('git', ['-C', dir, 'rev-parse', 'HEAD']);
  return stdout.trim() || null;
}

/** Runs the scanner through the shell; kills its process group on timeout. */
function runScanner(command: string, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'inherit', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      reject(new Error(`the scanner ran longer than ${Math.round(timeoutMs / 60_000)} minutes and was killed`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const busyPollMs = 2000;

/** Claims the next target; while the only ones left are held by other organizations, waits for them. */
async function claimNext(client: Client, o: AgentOptions, say: (line: string) => void): Promise<{ claim: ClaimRow; target: TargetRow } | null> {
  const leaseHours = o.leaseHours ? Number(o.leaseHours) : undefined;
  let announced = false;
  for (;;) {
    let freeAt: string | null = null;
    const next = await client.request<{ claim: ClaimRow; target: TargetRow } | string>(
      'POST',
      '/v1/claims/next',
      { ...(o.scope ? { scope: o.scope } : {}), ...(leaseHours ? { leaseHours } : {}) },
      { onHeaders: (h) => (freeAt = h.get('x-free-at')) },
    );
    if (typeof next !== 'string') return next;
    if (!freeAt || o.wait === false) return null;
    if (!announced) say(`the targets left are being scanned by other organizations (free by ${freeAt} at the latest); waiting`);
    announced = true;
    await new Promise((r) => setTimeout(r, busyPollMs));
  }
}

/** Logs up to this size get region snippets from the checkout before upload; larger ones go as they are. */
const maxEnrichBytes = 256 * 2 ** 20;

/**
 * The agent has the source the server never sees: it inserts the text of each result's region where the
 * scanner gave none, so the clearinghouse can match the same bug after its lines move. Returns the file to upload.
 */
async function withSnippets(out: string, dir: string, say: (line: string) => void): Promise<string> {
  if ((await stat(out)).size > maxEnrichBytes) return out;
  let log: unknown;
  try {
    log = JSON.parse(await readFile(out, 'utf8'));
  } catch {
    return out; // not JSON: the server will say what is wrong with it
  }
  const cache = new Map<string, string[] | null>();
  const root = resolve(dir);
  const lines = (uri: string): string[] | null => {
    if (!cache.has(uri)) {
      let path: string | null = null;
      try {
        const p = uri.startsWith('file://') ? fileURLToPath(uri) : isAbsolute(uri) ? uri : resolve(root, decodeURIComponent(uri));
        // only files of the checkout, never anything a crafted URI points at elsewhere
        path = p === root || p.startsWith(`${root}${sep}`) ? p : null;
      } catch {
        path = null;
      }
      let text: string[] | null = null;
      if (path) {
        try {
          text = readFileSync(path, 'utf8').split(/\r?\n/);
        } catch {
          text = null;
        }
      }
      cache.set(uri, text);
    }
    return cache.get(uri)!;
  };
  const added = insertRegionSnippets(log, lines);
  if (added === 0) return out;
  const enriched = `${out}.snippets.sarif`;
  await writeFile(enriched, JSON.stringify(log));
  say(`inserted ${added} region snippets from the checkout`);
  return enriched;
}

async function scanOne(client: Client, o: AgentOptions, say: (line: string) => void): Promise<boolean> {
  const leaseHours = o.leaseHours ? Number(o.leaseHours) : undefined;
  const next = await claimNext(client, o, say);
  if (!next) return false;
  const { claim, target } = next;
  say(`claimed ${target.name} (${claim.scope}) until ${claim.expiresAt}`);
  const work = await mkdtemp(join(tmpdir(), 'clearinghouse-agent-'));
  const dir = join(work, 'src');
  const out = join(work, 'results.sarif');
  // Renew at a third of the lease so a long scan never loses its claim.
  const leaseMs = (leaseHours ?? 72) * 3_600_000;
  const renewer = setInterval(() => {
    client.post(`/v1/claims/${claim.id}/renew`, leaseHours ? { leaseHours } : {}).then(
      () => say(`renewed the lease on ${target.name}`),
      (err: Error) => say(`could not renew the lease on ${target.name}: ${err.message}`),
    );
  }, Math.max(1000, leaseMs / 3));
  renewer.unref();
  try {
    const commit = await checkout(target, dir);
    say(`checked out ${target.repo}${commit ? ` at ${commit.slice(0, 12)}` : ''}`);
    const command = o.exec.replaceAll('{dir}', quote(dir)).replaceAll('{out}', quote(out));
    const result = await runScanner(command, (o.timeoutMinutes ? Number(o.timeoutMinutes) : 60) * 60_000);
    const written = await stat(out).then((s) => s.size > 0, () => false);
    if (!written) throw new Error(`the scanner exited with ${result.code} and wrote no SARIF to {out}`);
    const upload = await withSnippets(out, dir, say);
    const { submission, job } = await submitFile(
      client,
      upload,
      {
        claimId: claim.id,
        ...(commit ? { commit } : {}),
        ...(o.scanner ? { scanner: o.scanner } : {}),
        ...(o.scannerVersion ? { scannerVersion: o.scannerVersion } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.modelVersion ? { modelVersion: o.modelVersion } : {}),
      },
      { wait: true, info: say },
    );
    const summary = (job?.result as Parameters<typeof summaryLine>[0] | undefined) ?? submission.summary;
    say(`${target.name}: ${summary ? summaryLine(summary) : 'submitted'}`);
    await client.post(`/v1/claims/${claim.id}/release`, { finished: true });
    say(`released ${target.name}`);
  } catch (err) {
    await client.post(`/v1/claims/${claim.id}/release`, { finished: false }).catch(() => undefined);
    throw new Error(`${target.name}: ${(err as Error).message}`, { cause: err });
  } finally {
    clearInterval(renewer);
    await rm(work, { recursive: true, force: true });
  }
  return true;
}

export function registerAgent(program: Command, cli: CliContext): void {
  program
    .command('agent')
    .description('reference scanner agent: claim the next target, check it out, run the scanner, upload its SARIF, release; repeat until none is free')
    .requiredOption('--exec <command>', "scanner command; {dir} is the checked-out source, {out} the SARIF file to write, e.g. 'flawfinder --sarif {dir} > {out}'")
    .option('--scope <scope>', '"all" (default), a class such as memory-safety, or CWEs')
    .option('--lease-hours <h>', 'lease length (default 72)')
    .option('--max-targets <n>', 'stop after this many targets')
    .option('--timeout-minutes <m>', 'kill the scanner after this long (default 60)')
    .option('--scanner <name>', 'scanner name to record (default: the SARIF tool name)')
    .option('--scanner-version <v>', 'scanner version to record')
    .option('--model <name>', 'AI model behind the scanner')
    .option('--model-version <v>', 'AI model version')
    .option('--no-wait', 'stop when nothing is free now, instead of waiting for targets other organizations are scanning')
    .action(async (o: AgentOptions) => {
      const client = cli.client();
      const out = cli.out();
      const max = o.maxTargets ? Number(o.maxTargets) : Infinity;
      if (!(max > 0)) throw new Error(`--max-targets must be a positive number, not ${o.maxTargets}`);
      let done = 0;
      while (done < max && (await scanOne(client, o, (l) => out.info(l)))) done++;
      out.print({ scanned: done }, () => `scanned ${done} target${done === 1 ? '' : 's'}; ${done < max ? 'no target is free to claim' : 'reached --max-targets'}\n`);
    });
}
