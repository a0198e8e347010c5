// Builds a target at a commit (once per recipe and commit, inside the sandbox) and runs a proof of concept
// against the build inside the sandbox, returning what the run did: a crash signature, no crash, a timeout,
// or an error, with the capped output kept as evidence.
import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { chmod, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCrash, signatureKey, type CrashSignature } from '../core/validation/crash-signature.js';
import { expandRunCommand, pocPathInside, type BuildRecipe } from '../core/validation/recipe.js';
import type { ObservedCrash, RunObservation, RunRole } from '../core/validation/verdict.js';
import { runInSandbox, type SandboxLimits, type SandboxResult } from '../sandbox/bubblewrap.js';
import { scratchInside } from '../sandbox/layout.js';
import { materialize, parentCommit, resolveCommit, SourceError } from './source-tree.js';

/** Where the built tree appears inside the sandbox when a proof of concept runs. */
const targetInside = '/target';
const builtMarker = '.clearinghouse-built';

/** One sandboxed run as kept for evidence: outcome, signature, and capped output with its digests. */
export interface RunEvidence {
  role: RunRole;
  commit: string | null;
  outcome: SandboxResult['outcome'];
  wallMs: number;
  signature: (CrashSignature & { key: string }) | null;
  stdout: { base64: string; sha256: string; truncated: boolean };
  stderr: { base64: string; sha256: string; truncated: boolean };
}

export class BuildFailed extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function captured(b: Buffer, truncated: boolean) {
  return { base64: b.toString('base64'), sha256: sha256(b), truncated };
}

export class ReproductionRunner {
  private readonly building = new Map<string, Promise<void>>();

  constructor(
    private readonly workDir: string,
    private readonly limits: () => Promise<Partial<SandboxLimits>>,
  ) {}

  /**
   * The sandbox runs as an unprivileged user, which must be able to pass through the work directory to
   * reach its bound trees; it cannot list them (0711), and what it may write is its own scratch only.
   */
  private async dirFor(...parts: string[]): Promise<string> {
    let path = this.workDir;
    await mkdir(path, { recursive: true, mode: 0o711 });
    // under a shared temporary directory someone else could have made it first: it must be ours, not a link
    const info = await lstat(path);
    if (!info.isDirectory() || (process.getuid && info.uid !== process.getuid())) throw new Error(`work directory ${path} is not a directory owned by this user`);
    await chmod(path, 0o711);
    for (const part of parts) {
      path = join(path, part);
      await mkdir(path, { recursive: true });
      await chmod(path, 0o711);
    }
    return path;
  }

  private recipeDigest(recipe: BuildRecipe): string {
    return createHash('sha256').update(JSON.stringify([recipe.sourceKind, recipe.source, recipe.buildCommand])).digest('hex').slice(0, 16);
  }

  /**
   * The built tree of `commit` (the recipe's own when null), building it first if no earlier job did.
   * Builds run in a fresh directory that is renamed into place only when the build succeeded, so a
   * half-built tree is never used and two workers building at once both end up with a whole one.
   */
  async built(targetId: string, recipe: BuildRecipe, commit: string | null): Promise<{ dir: string; commit: string | null }> {
    const resolved = await resolveCommit(this.workDir, recipe, commit);
    const parent = await this.dirFor('builds', targetId);
    const dir = join(parent, `${this.recipeDigest(recipe)}-${(resolved ?? 'default').replace(/[^0-9A-Za-z._-]/g, '_')}`);
    if (await stat(join(dir, builtMarker)).then(() => true, () => false)) return { dir, commit: resolved };
    // Jobs of this process building the same tree wait for one build; other processes race and one rename wins.
    let pending = this.building.get(dir);
    if (!pending) {
      pending = this.build(recipe, resolved, parent, dir).finally(() => this.building.delete(dir));
      this.building.set(dir, pending);
    }
    await pending;
    return { dir, commit: resolved };
  }

  private async build(recipe: BuildRecipe, resolved: string | null, parent: string, dir: string): Promise<void> {
    const tmp = join(parent, `tmp-${randomUUID()}`);
    try {
      await materialize(this.workDir, recipe, resolved, tmp);
      const limits = await this.limits();
      const result = await runInSandbox({
        argv: ['/bin/sh', '-c', recipe.buildCommand],
        bindReadOnly: [],
        scratchDir: tmp,
        cwd: '/scratch',
        limits: { ...limits, wallMs: (limits.wallMs ?? 30_000) * 10, cpuSeconds: (limits.cpuSeconds ?? 10) * 10, maxOutputBytes: 256 * 1024 },
      });
      const log = Buffer.concat([result.stdout, result.stderr]).toString('utf8');
      if (result.outcome.kind !== 'exited' || result.outcome.code !== 0) {
        throw new BuildFailed(`the build at ${resolved ?? 'the recipe source'} failed (${describeOutcome(result.outcome)})`, log);
      }
      await writeFile(join(tmp, builtMarker), log);
      await rename(tmp, dir).catch(() => undefined); // another process finished first: use its tree
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async parentOf(recipe: BuildRecipe, commit: string): Promise<string | null> {
    return parentCommit(this.workDir, recipe, commit);
  }

  /** Runs the proof of concept once against the built tree of `commit`. */
  async runPoc(targetId: string, recipe: BuildRecipe, commit: string | null, role: RunRole, poc: { filename: string; content: Buffer }): Promise<{ observation: RunObservation; evidence: RunEvidence | null }> {
    let tree: { dir: string; commit: string | null };
    try {
      tree = await this.built(targetId, recipe, commit);
    } catch (err) {
      if (err instanceof BuildFailed || err instanceof SourceError) {
        const message = err instanceof BuildFailed ? `${err.message}: ${err.log.slice(-2000)}` : err.message;
        return { observation: { role, commit, result: 'error', message }, evidence: null };
      }
      throw err;
    }
    const scratch = join(await this.dirFor('runs'), randomUUID());
    await mkdir(scratch, { recursive: true });
    try {
      const inside = pocPathInside(poc.filename, scratchInside);
      await writeFile(join(scratch, inside.slice(scratchInside.length + 1)), poc.content);
      const result = await runInSandbox({
        argv: ['/bin/sh', '-c', expandRunCommand(recipe.runCommand, inside)],
        bindReadOnly: [{ host: tree.dir, inside: targetInside }],
        scratchDir: scratch,
        cwd: targetInside,
        limits: await this.limits(),
        // The target is usually built with a sanitizer, behind sh: bound memory the way sanitizers allow.
        memory: 'sanitizer',
      });
      // The command runs under sh, which reports a child killed by signal N as exit status 128+N: a proof of
      // concept killed at the CPU limit (SIGXCPU) hit a time limit, it did not exit.
      if (result.outcome.kind === 'exited' && result.outcome.code === 128 + constants.signals.SIGXCPU) result.outcome = { kind: 'timeout', limit: 'cpu' };
      const exit = result.outcome.kind === 'exited' ? { exitCode: result.outcome.code } : result.outcome.kind === 'signaled' ? { exitSignal: result.outcome.signal } : {};
      const signature = result.outcome.kind === 'timeout' || result.outcome.kind === 'sandbox-error' ? null : parseCrash(result.stderr, exit);
      const key = signature ? signatureKey(signature) : null;
      const evidence: RunEvidence = {
        role,
        commit: tree.commit,
        outcome: result.outcome,
        wallMs: Math.round(result.wallMs),
        signature: signature && key ? { ...signature, key } : null,
        stdout: captured(result.stdout, result.stdoutTruncated),
        stderr: captured(result.stderr, result.stderrTruncated),
      };
      let observation: RunObservation;
      if (result.outcome.kind === 'sandbox-error') observation = { role, commit: tree.commit, result: 'error', message: `sandbox: ${result.outcome.message}` };
      else if (result.outcome.kind === 'timeout') observation = { role, commit: tree.commit, result: 'timeout' };
      else if (signature && key) observation = { role, commit: tree.commit, result: 'crash', crash: observed(signature, key) };
      else observation = { role, commit: tree.commit, result: 'no-crash' };
      return { observation, evidence };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async buildLog(targetId: string, recipe: BuildRecipe, commit: string | null): Promise<string> {
    const tree = await this.built(targetId, recipe, commit);
    return readFile(join(tree.dir, builtMarker), 'utf8');
  }
}

function observed(sig: CrashSignature, key: string): ObservedCrash {
  return { crashType: sig.crashType, frames: sig.frames, key };
}

export function describeOutcome(o: SandboxResult['outcome']): string {
  switch (o.kind) {
    case 'exited':
      return `exit code ${o.code}`;
    case 'signaled':
      return `killed by ${o.signal}`;
    case 'timeout':
      return `${o.limit} time limit`;
    case 'output-limit':
      return `${o.stream} output limit`;
    case 'memory-limit':
      return 'memory limit';
    case 'sandbox-error':
      return `sandbox error: ${o.message}`;
  }
}
