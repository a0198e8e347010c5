// Source trees of targets at a commit: a git mirror per source (fetched once, updated when a commit is
// missing), or a copied directory, or an unpacked tarball. Only trusted recipe fields reach the commands
// here, always as separate arguments, never through a shell.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { BuildRecipe } from '../core/validation/recipe.js';

const run = promisify(execFile);

export class SourceError extends Error {}

const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };

async function git(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, env: gitEnv, maxBuffer: 16 * 2 ** 20, timeout: 10 * 60_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new SourceError(`git ${args[0]} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** A git mirror of one source, kept under the work directory. */
export class GitMirror {
  readonly dir: string;

  constructor(workDir: string, private readonly source: string) {
    this.dir = join(workDir, 'sources', `${digest(source)}.git`);
  }

  private async ensure(): Promise<void> {
    if (await exists(join(this.dir, 'HEAD'))) return;
    await mkdir(join(this.dir, '..'), { recursive: true });
    const tmp = `${this.dir}.tmp-${process.pid}-${Date.now()}`;
    await git(['clone', '--mirror', '--quiet', '--', this.source, tmp]);
    await rename(tmp, this.dir).catch(async () => rm(tmp, { recursive: true, force: true }));
  }

  /** The full commit id `ref` names, fetching once when the mirror does not have it yet. */
  async resolve(ref: string): Promise<string> {
    await this.ensure();
    const tryResolve = () => git(['--git-dir', this.dir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => null);
    const found = await tryResolve();
    if (found) return found;
    await git(['--git-dir', this.dir, 'fetch', '--quiet', '--prune', 'origin', '+refs/*:refs/*']);
    const again = await tryResolve();
    if (!again) throw new SourceError(`commit ${ref} is not in ${this.source}`);
    return again;
  }

  /** The first parent of a commit, or null for a root commit. */
  async parentOf(commit: string): Promise<string | null> {
    return git(['--git-dir', this.dir, 'rev-parse', '--verify', '--quiet', `${commit}^1`]).catch(() => null);
  }

  /** Writes the tree of `commit` into `dest` (git archive | tar -x). */
  async exportTo(commit: string, dest: string): Promise<void> {
    await mkdir(dest, { recursive: true });
    const archive = spawn('git', ['--git-dir', this.dir, 'archive', '--format=tar', commit], { env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const untar = spawn('tar', ['-x', '-C', dest, '--no-same-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
    archive.stdout.pipe(untar.stdin);
    const errors: string[] = [];
    archive.stderr.on('data', (d) => errors.push(String(d)));
    untar.stderr.on('data', (d) => errors.push(String(d)));
    const codes = await Promise.all([archive, untar].map((p) => new Promise<number>((resolve) => p.on('close', (code) => resolve(code ?? 1)))));
    if (codes.some((c) => c !== 0)) throw new SourceError(`could not export ${commit}: ${errors.join(' ').trim()}`);
  }
}

/**
 * Puts the tree a recipe names, at `commit` for git sources, into `dest`. Returns the full commit id for
 * git, or the label given for directory and tarball sources (which have no history to check out).
 */
export async function materialize(workDir: string, recipe: BuildRecipe, commit: string | null, dest: string): Promise<string | null> {
  switch (recipe.sourceKind) {
    case 'git': {
      const mirror = new GitMirror(workDir, recipe.source);
      const full = await mirror.resolve(commit ?? recipe.commit!);
      await mirror.exportTo(full, dest);
      return full;
    }
    case 'path': {
      const info = await stat(recipe.source).catch(() => null);
      if (!info?.isDirectory()) throw new SourceError(`source directory ${recipe.source} does not exist`);
      await cp(recipe.source, dest, { recursive: true, filter: (src) => !src.endsWith('/.git') });
      return commit ?? recipe.commit;
    }
    case 'tarball': {
      const file = /^https?:\/\//i.test(recipe.source) ? await download(workDir, recipe.source) : recipe.source;
      await mkdir(dest, { recursive: true });
      await run('tar', ['-x', '-f', file, '-C', dest, '--no-same-owner']).catch((err: { stderr?: string; message: string }) => {
        throw new SourceError(`could not unpack ${recipe.source}: ${(err.stderr || err.message).trim()}`);
      });
      // A tarball with one top directory (project-1.2/...) builds from inside it.
      const entries = await readdir(dest);
      if (entries.length === 1 && (await stat(join(dest, entries[0]!))).isDirectory()) {
        const inner = join(dest, entries[0]!);
        for (const e of await readdir(inner)) await rename(join(inner, e), join(dest, e));
        await rm(inner, { recursive: true });
      }
      return commit ?? recipe.commit;
    }
  }
}

async function download(workDir: string, url: string): Promise<string> {
  const path = join(workDir, 'downloads', digest(url));
  if (await exists(path)) return path;
  await mkdir(join(workDir, 'downloads'), { recursive: true });
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) });
  if (!res.ok || !res.body) throw new SourceError(`could not download ${url}: HTTP ${res.status}`);
  const tmp = `${path}.tmp-${process.pid}`;
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(tmp));
  await rename(tmp, path);
  return path;
}

/** The full commit id (git) or label (directory, tarball) that `commit` names under this recipe. */
export async function resolveCommit(workDir: string, recipe: BuildRecipe, commit: string | null): Promise<string | null> {
  if (recipe.sourceKind !== 'git') return commit ?? recipe.commit;
  return new GitMirror(workDir, recipe.source).resolve(commit ?? recipe.commit!);
}

/** The parent of a git commit, for the proof-of-vulnerability contract; null when the source has no history. */
export async function parentCommit(workDir: string, recipe: BuildRecipe, commit: string): Promise<string | null> {
  if (recipe.sourceKind !== 'git') return null;
  const mirror = new GitMirror(workDir, recipe.source);
  return mirror.parentOf(await mirror.resolve(commit));
}
