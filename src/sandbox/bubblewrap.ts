// Runs an untrusted proof of concept's target program under bubblewrap and reports how it ended.
//
// Process tree (host view):  node → setpriv ⇒ bwrap (own process group; host uid 65534 when we are root)
//                                   → prlimit ⇒ perl supervisor, PID 1 of a new PID namespace → the command
// Containment: user, network, PID, IPC, UTS and cgroup namespaces; no capabilities, no_new_privs; the file system of
// layout.ts. Limits: rlimits set by prlimit inside (limits.ts), wall time, output size and whole-tree RSS watched
// from here. Killing bwrap (its process group) kills PID 1 through --die-with-parent, and the kernel then kills
// everything else in the PID namespace; a run only resolves once that namespace is empty.
//
// The supervisor is PID 1 itself (--as-pid-1) rather than a child of bwrap's own init: bwrap then reaps it, where
// its init would be left for the host's init to reap (a zombie per run under a container's PID 1 that never
// reaps), and the command cannot kill its supervisor: a namespace's init ignores signals sent from inside the
// namespace that it has no handler for, SIGKILL included.
// Without perl the command must not be PID 1 (it would ignore signals such as abort()'s SIGABRT), so bwrap's init stays.
//
// Why the uid switch: RLIMIT_NPROC is counted per user, and the kernel never applies it to host root (kuid 0) even
// inside a user namespace, so a fork bomb mapped onto root is unbounded. Dropping to uid 65534 with setpriv before
// bwrap makes the count per sandbox (its own user namespace) and leaves nothing root-owned running.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, fstatSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { CappedBuffer } from './capped-buffer.js';
import { badInsidePath, bwrapOptions, hostPathOf, scratchInside, type Bind } from './layout.js';
import { prlimitArgs, resolveLimits, sanitizerEnv, treeRssCap, type MemoryStrategy, type SandboxLimits } from './limits.js';
import { killQuietly, processesInNamespace, residentBytes, waitNamespaceEmpty } from './processes.js';
import { hasSanitizerRuntime } from './sanitizer.js';
import { decodeExitCode, parseReport, reportFd, supervisorArgv, supervisorPath } from './supervisor.js';

export { defaultLimits, type MemoryStrategy, type SandboxLimits } from './limits.js';
export type { Bind } from './layout.js';

const bwrapPath = '/usr/bin/bwrap';
const prlimitPath = '/usr/bin/prlimit';
const setprivPath = '/usr/bin/setpriv';
/** Host uid (and gid) the sandbox runs as when the service runs as root: "nobody", which owns nothing. */
export const sandboxUid = 65534;

const statusFd = 3;
const watchdogMs = 100;
// After bwrap exits, how long its pipes may take to drain before they are cut.
const drainGraceMs = 1_000;
// After the run, how long the PID namespace may take to empty before the run is reported as a sandbox failure.
const teardownMs = 2_000;

export interface SandboxRun {
  /** Command inside the sandbox; a bare name is looked up in the sandbox's PATH. */
  argv: string[];
  /** Host directories or files mounted read-only (e.g. the built target, the PoC input). As root, the sandbox
   * runs as uid 65534: these paths (and scratchDir) must be reachable and readable by it. */
  bindReadOnly: Bind[];
  /** Host directory bound read-write at /scratch: the only writable place whose contents outlive the run. Made
   * owned by the sandbox uid when running as root. Whatever the run leaves there is untrusted (e.g. symlinks to
   * host paths): read it without following links. Only each file's size is capped, not the total. */
  scratchDir: string;
  env?: Record<string, string>;
  stdin?: Buffer;
  limits?: Partial<SandboxLimits>;
  /** Working directory inside the sandbox; /scratch unless given. */
  cwd?: string;
  /** How to cap memory per process; 'auto' (the default) looks for a sanitizer runtime in the executable argv[0]
   * names. Say 'sanitizer' when argv[0] is a script that starts a sanitizer-built program. */
  memory?: 'auto' | MemoryStrategy;
}

export type SandboxOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: string }
  | { kind: 'timeout'; limit: 'wall' | 'cpu' }
  | { kind: 'output-limit'; stream: 'stdout' | 'stderr' }
  | { kind: 'memory-limit' }
  | { kind: 'sandbox-error'; message: string };

export interface SandboxResult {
  outcome: SandboxOutcome;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  wallMs: number;
  /** Which per-process memory limit applied (see limits.ts). */
  memoryStrategy: MemoryStrategy;
}

interface Prepared {
  command: string;
  args: string[];
  limits: SandboxLimits;
  memory: MemoryStrategy;
  stdin: Buffer | undefined;
  supervised: boolean;
}

const runningAsRoot = () => process.getuid?.() === 0;

/** Runs the command; never rejects and never outlives its limits: every problem is an outcome. */
export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  const started = performance.now();
  let prepared: Prepared;
  try {
    prepared = await prepare(run);
  } catch (err) {
    return failure(err instanceof Error ? err.message : String(err), started);
  }
  return execute(prepared, started);
}

function failure(message: string, started: number, memoryStrategy: MemoryStrategy = 'rlimit-data'): SandboxResult {
  const empty = Buffer.alloc(0);
  return { outcome: { kind: 'sandbox-error', message }, stdout: empty, stderr: empty, stdoutTruncated: false, stderrTruncated: false, wallMs: performance.now() - started, memoryStrategy };
}

async function prepare(run: SandboxRun): Promise<Prepared> {
  if (!Array.isArray(run.argv) || !run.argv[0]) throw new Error('argv must name the program to run');
  let limits: SandboxLimits;
  try {
    limits = resolveLimits(run.limits);
  } catch (err) {
    throw new Error((err as Error).message);
  }
  if (!posix.isAbsolute(run.scratchDir) || !isDirectory(run.scratchDir)) {
    throw new Error(`scratch directory ${run.scratchDir} must be an existing directory given by absolute path`);
  }
  const binds = run.bindReadOnly ?? [];
  for (const b of binds) {
    const bad = badInsidePath(b.inside);
    if (bad) throw new Error(`cannot bind ${b.host}: ${bad}`);
    if (!posix.isAbsolute(b.host) || !existsSync(b.host)) throw new Error(`cannot bind ${b.host}: no such host path (absolute paths only)`);
  }
  const cwd = run.cwd ?? scratchInside;
  if (!posix.isAbsolute(cwd)) throw new Error(`cwd "${cwd}" must be an absolute path inside the sandbox`);

  const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: scratchInside, TMPDIR: '/tmp', LANG: 'C.UTF-8', ...run.env };
  const memory = run.memory && run.memory !== 'auto' ? run.memory : await detectMemoryStrategy(run.argv[0], env.PATH ?? '', cwd, binds, run.scratchDir);
  if (memory === 'sanitizer') Object.assign(env, sanitizerEnv(limits, env));

  if (runningAsRoot()) {
    try {
      chownSync(run.scratchDir, sandboxUid, sandboxUid);
    } catch (err) {
      throw new Error(`cannot hand scratch directory ${run.scratchDir} to the sandbox user: ${(err as Error).message}`);
    }
  }

  const supervised = existsSync(supervisorPath);
  const inside = [prlimitPath, ...prlimitArgs(limits, memory), '--', ...(supervised ? supervisorArgv() : []), ...run.argv];
  const layout = { binds, scratchDir: run.scratchDir, cwd, tmpBytes: limits.tmpBytes, statusFd, env, asPid1: supervised };
  const bwrap = [bwrapPath, ...bwrapOptions(layout), '--', ...inside];
  const drop = runningAsRoot()
    ? [`--reuid=${sandboxUid}`, `--regid=${sandboxUid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs']
    : ['--no-new-privs'];
  return { command: setprivPath, args: [...drop, '--', ...bwrap], limits, memory, stdin: run.stdin, supervised };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** 'sanitizer' when the executable that argv[0] names carries a sanitizer runtime; unreadable or unknown: 'rlimit-data'. */
async function detectMemoryStrategy(program: string, path: string, cwd: string, binds: Bind[], scratchDir: string): Promise<MemoryStrategy> {
  const candidates = program.includes('/') ? [posix.resolve(cwd, program)] : path.split(':').filter(Boolean).map((d) => posix.join(d, program));
  for (const inside of candidates) {
    const host = hostPathOf(inside, binds, scratchDir);
    if (!host) continue;
    try {
      if (!statSync(host).isFile()) continue;
      return (await hasSanitizerRuntime(host)) ? 'sanitizer' : 'rlimit-data';
    } catch {
      continue;
    }
  }
  return 'rlimit-data';
}

type StopReason = 'wall' | 'memory' | 'stdout' | 'stderr';

function execute(p: Prepared, started: number): Promise<SandboxResult> {
  return new Promise((resolve) => {
    const stdout = new CappedBuffer(p.limits.maxOutputBytes);
    const stderr = new CappedBuffer(p.limits.maxOutputBytes);
    let statusText = '';
    let reportText = '';
    let initPid: number | null = null;
    let sandboxNs: HeldNamespace | null = null;
    let stopReason: StopReason | null = null;
    let exited = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let endedAt: number | null = null;
    let spawnError: Error | null = null;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;

    let child: ChildProcess;
    try {
      child = spawn(p.command, p.args, {
        stdio: [p.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
        // Own process group, so one kill reaches bwrap and anything still in its group.
        detached: true,
        cwd: '/',
        env: { PATH: '/usr/bin:/bin' },
      });
    } catch (err) {
      resolve(failure(`cannot start ${p.command}: ${(err as Error).message}`, started, p.memory));
      return;
    }

    const killTree = () => {
      // Only while bwrap lives: afterwards these PIDs may already name unrelated processes.
      if (exited) return;
      if (child.pid !== undefined) killQuietly(-child.pid);
      if (initPid !== null) killQuietly(initPid);
    };
    // Last resort, should bwrap outlive SIGKILL or its pipes stay open: give up waiting and report.
    let giveUpTimer: NodeJS.Timeout | undefined;
    const giveUp = () => {
      for (const stream of child.stdio) stream?.destroy();
      void finish();
    };
    const stop = (reason: StopReason) => {
      if (stopReason) return;
      stopReason = reason;
      killTree();
      giveUpTimer = setTimeout(giveUp, drainGraceMs + teardownMs);
    };

    const wallTimer = setTimeout(() => stop('wall'), p.limits.wallMs);
    const rssCap = treeRssCap(p.limits);
    const watchdog = setInterval(() => {
      if (sandboxNs === null || exited) return;
      try {
        if (residentBytes(processesInNamespace(sandboxNs.inode)) > rssCap) stop('memory');
      } catch {
        /* /proc unreadable for a moment: try again next tick */
      }
    }, watchdogMs);

    child.stdout?.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) stop('stdout');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!stderr.push(chunk)) stop('stderr');
    });
    (child.stdio[statusFd] as Readable | null)?.on('data', (chunk: Buffer) => {
      statusText += chunk.toString('utf8');
      for (const line of statusText.split('\n')) {
        try {
          const status = JSON.parse(line) as Record<string, unknown>;
          if (typeof status['child-pid'] === 'number' && typeof status['pid-namespace'] === 'number' && initPid === null) {
            initPid = status['child-pid'];
            sandboxNs = holdNamespace(initPid, status['pid-namespace']);
          }
        } catch {
          /* partial line */
        }
      }
      // Told where the sandbox is only after deciding to stop it: stop it now.
      if (stopReason) killTree();
    });
    (child.stdio[reportFd] as Readable | null)?.on('data', (chunk: Buffer) => {
      if (reportText.length < 4096) reportText += chunk.toString('utf8');
    });
    if (p.stdin && child.stdin) {
      child.stdin.on('error', () => {
        /* the command did not read all of its input */
      });
      child.stdin.end(p.stdin);
    }

    async function finish() {
      if (settled) return;
      settled = true;
      clearTimeout(wallTimer);
      clearInterval(watchdog);
      clearTimeout(drainTimer);
      clearTimeout(giveUpTimer);
      const wallMs = (endedAt ?? performance.now()) - started;
      // The run is over only when nothing of it is left running.
      const held = sandboxNs as HeldNamespace | null;
      let outcome: SandboxOutcome;
      try {
        const emptied = held === null || (await waitNamespaceEmpty(held.inode, teardownMs));
        outcome = emptied
          ? decideOutcome({ spawnError, stopReason, exitCode, exitSignal, reportText, supervised: p.supervised, stderr: stderr.toBuffer(), limits: p.limits })
          : { kind: 'sandbox-error', message: `processes of the sandbox (PID namespace ${held?.inode}) survived ${teardownMs} ms after the run` };
      } catch (err) {
        outcome = { kind: 'sandbox-error', message: `cannot confirm the sandbox is gone: ${(err as Error).message}` };
      } finally {
        held?.release();
      }
      resolve({ outcome, stdout: stdout.toBuffer(), stderr: stderr.toBuffer(), stdoutTruncated: stdout.truncated, stderrTruncated: stderr.truncated, wallMs, memoryStrategy: p.memory });
    }

    child.on('error', (err) => {
      spawnError = err;
      void finish();
    });
    child.on('exit', (code, signal) => {
      endedAt = performance.now();
      exited = true;
      exitCode = code;
      exitSignal = signal;
      clearTimeout(wallTimer);
      // Normally the pipes close at once; if something still held them, cut them rather than wait forever.
      drainTimer = setTimeout(giveUp, drainGraceMs);
    });
    child.on('close', () => void finish());
  });
}

interface HeldNamespace {
  inode: number;
  release(): void;
}

/**
 * Keeps the sandbox's PID namespace alive by holding it open, so its inode number cannot be handed to another
 * sandbox's namespace while we still look for (and kill) processes by that number. Null when the init has already
 * gone (a run that short needs no watching) or the PID now names something else.
 */
function holdNamespace(initPid: number, inode: number): HeldNamespace | null {
  let fd: number;
  try {
    fd = openSync(`/proc/${initPid}/ns/pid`, 'r');
  } catch {
    return null;
  }
  if (fstatSync(fd).ino !== inode) {
    closeSync(fd);
    return null;
  }
  return { inode, release: () => closeSync(fd) };
}

interface Ending {
  spawnError: Error | null;
  stopReason: StopReason | null;
  exitCode: number | null;
  exitSignal: string | null;
  reportText: string;
  supervised: boolean;
  stderr: Buffer;
  limits: SandboxLimits;
}

// The sandbox's tools report setup failures on stderr, before the command could write anything.
const toolError = /^(?:bwrap|prlimit|setpriv): .*/;

function decideOutcome(e: Ending): SandboxOutcome {
  if (e.spawnError) return { kind: 'sandbox-error', message: `cannot start ${setprivPath}: ${e.spawnError.message}` };
  // Limits enforced from here come first: whatever the command reported after being killed is a consequence.
  switch (e.stopReason) {
    case 'wall':
      return { kind: 'timeout', limit: 'wall' };
    case 'memory':
      return { kind: 'memory-limit' };
    case 'stdout':
    case 'stderr':
      return { kind: 'output-limit', stream: e.stopReason };
    case null:
      break;
  }
  const report = parseReport(e.reportText);
  if (report?.kind === 'exec-failed') return { kind: 'sandbox-error', message: `cannot run the command inside the sandbox: ${report.message}` };
  if (report?.kind === 'fork-failed') return { kind: 'sandbox-error', message: `the sandbox supervisor could not fork: ${report.message}` };
  if (report?.kind === 'exit') return { kind: 'exited', code: report.code };
  if (report?.kind === 'signal') {
    // SIGXCPU at the soft CPU limit; SIGKILL at the hard one, one second later, if SIGXCPU was caught or ignored.
    if (report.signal === 'SIGXCPU' || (report.signal === 'SIGKILL' && report.cpuSeconds >= e.limits.cpuSeconds)) return { kind: 'timeout', limit: 'cpu' };
    return { kind: 'signaled', signal: report.signal };
  }
  const setup = toolError.exec(e.stderr.toString('utf8', 0, 2048));
  if (setup) return { kind: 'sandbox-error', message: setup[0] };
  if (e.exitCode === null) return { kind: 'sandbox-error', message: `bwrap was killed by ${e.exitSignal ?? 'an unknown signal'}` };
  // With a supervisor, no report means it never ran or was killed from inside: not an outcome of the command.
  if (e.supervised) return { kind: 'sandbox-error', message: `the sandbox supervisor ended without a report (bwrap exit code ${e.exitCode})` };
  const decoded = decodeExitCode(e.exitCode);
  if (decoded.kind === 'exit') return { kind: 'exited', code: decoded.code };
  if (decoded.signal === 'SIGXCPU') return { kind: 'timeout', limit: 'cpu' };
  return { kind: 'signaled', signal: decoded.signal };
}

export type SandboxAvailability = { ok: true; version: string } | { ok: false; reason: string };

let availability: Promise<SandboxAvailability> | undefined;

/** Whether sandboxes can run on this machine: the tools exist and a trivial run succeeds. Probed once. */
export async function sandboxAvailable(): Promise<SandboxAvailability> {
  availability ??= probe();
  return availability;
}

async function probe(): Promise<SandboxAvailability> {
  if (process.platform !== 'linux') return { ok: false, reason: `the sandbox needs Linux namespaces; this is ${process.platform}` };
  for (const [tool, pkg] of [[bwrapPath, 'bubblewrap'], [prlimitPath, 'util-linux'], [setprivPath, 'util-linux']] as const) {
    if (!existsSync(tool)) return { ok: false, reason: `${tool} is missing (install the ${pkg} package)` };
  }
  const version = await new Promise<string>((resolve) => {
    execFile(bwrapPath, ['--version'], { timeout: 5_000 }, (err, out) => resolve(err ? '' : String(out).trim()));
  });
  if (!version) return { ok: false, reason: `${bwrapPath} --version failed` };
  const scratch = mkdtempSync(join(tmpdir(), 'clearinghouse-sandbox-probe-'));
  try {
    const r = await runInSandbox({ argv: ['/usr/bin/true'], bindReadOnly: [], scratchDir: scratch, limits: { wallMs: 10_000 } });
    if (r.outcome.kind === 'exited' && r.outcome.code === 0) return { ok: true, version };
    const why = r.outcome.kind === 'sandbox-error' ? r.outcome.message : JSON.stringify(r.outcome);
    return { ok: false, reason: `${version} cannot create a sandbox here (unprivileged user namespaces disabled?): ${why}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
