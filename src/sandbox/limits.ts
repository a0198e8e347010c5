// What one sandboxed run may consume, and how each limit is turned into something the kernel (or the
// sanitizer runtime) enforces. Every limit is per run; none depends on cgroups, which the service may not own.

export interface SandboxLimits {
  /** CPU seconds per process (RLIMIT_CPU: SIGXCPU at the limit, SIGKILL one second later). */
  cpuSeconds: number;
  /** Wall-clock budget of the whole run, enforced from outside by killing the sandbox. */
  wallMs: number;
  /** Memory budget: per process via RLIMIT_DATA (or the sanitizer's RSS limit), and for the whole tree by an RSS watchdog. */
  memoryBytes: number;
  /** Tasks (processes and threads) inside the sandbox, supervisor included (RLIMIT_NPROC in the sandbox's own user namespace). */
  maxProcesses: number;
  /** Bytes kept per stream (stdout, stderr); the run is killed when either would exceed it. */
  maxOutputBytes: number;
  /** Largest file any process may write (RLIMIT_FSIZE: SIGXFSZ / EFBIG beyond it). */
  maxFileBytes: number;
  /** Size of each in-memory tmpfs (/tmp and /dev/shm); their contents vanish with the run. */
  tmpBytes: number;
}

const MiB = 2 ** 20;

export const defaultLimits: SandboxLimits = Object.freeze({
  cpuSeconds: 10,
  wallMs: 30_000,
  memoryBytes: 1024 * MiB,
  maxProcesses: 64,
  maxOutputBytes: 64 * 1024,
  maxFileBytes: 16 * MiB,
  tmpBytes: 64 * MiB,
});

/** Defaults overlaid with the caller's values; throws a RangeError naming the first unusable one. */
export function resolveLimits(partial: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...defaultLimits };
  for (const [key, value] of Object.entries(partial) as [keyof SandboxLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in defaultLimits)) throw new RangeError(`unknown sandbox limit "${key}"`);
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`sandbox limit ${key} must be a positive number, got ${String(value)}`);
    limits[key] = value;
  }
  // RLIMIT_CPU counts whole seconds; rounding down to 0 would mean "unlimited".
  limits.cpuSeconds = Math.max(1, Math.ceil(limits.cpuSeconds));
  // The supervisor and the command itself need two tasks.
  if (limits.maxProcesses < 2) throw new RangeError('sandbox limit maxProcesses must be at least 2');
  return limits;
}

/** How the per-process memory limit is enforced. */
export type MemoryStrategy = 'rlimit-data' | 'sanitizer';

/**
 * `prlimit` options applied inside the sandbox, just before the supervisor starts.
 *
 * Memory: RLIMIT_AS and RLIMIT_DATA both count ASan's shadow reservation (≈ 15 TiB of MAP_NORESERVE private
 * writable memory), so either makes an ASan-built target die at start-up ("ReserveShadowMemoryRange failed").
 * Ordinary programs get RLIMIT_DATA (heap, anonymous mmaps: a clean ENOMEM from malloc); sanitizer-built ones get
 * no address-space limit and are bounded by the runtime's own hard_rss_limit_mb (see sanitizerEnv) instead.
 */
export function prlimitArgs(limits: SandboxLimits, memory: MemoryStrategy): string[] {
  const both = (n: number) => `${Math.floor(n)}:${Math.floor(n)}`;
  const args = [
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--nproc=${both(limits.maxProcesses)}`,
    `--fsize=${both(limits.maxFileBytes)}`,
    // Core files would land in the writable cwd (/scratch) and cost disk; nothing reads them.
    '--core=0:0',
  ];
  if (memory === 'rlimit-data') args.push(`--data=${both(limits.memoryBytes)}`);
  return args;
}

/**
 * Sanitizer options that cap memory from inside the runtime: hard_rss_limit_mb (a background thread checks RSS and
 * ends the process with a report) and max_allocation_size_mb (one allocation larger than the whole budget fails at
 * once). Appended after the caller's own options, since the sanitizer flag parser lets later settings win.
 */
export function sanitizerEnv(limits: SandboxLimits, callerEnv: Record<string, string>): Record<string, string> {
  const mb = Math.max(1, Math.floor(limits.memoryBytes / MiB));
  const ours = `hard_rss_limit_mb=${mb}:max_allocation_size_mb=${mb}`;
  const env: Record<string, string> = {};
  for (const name of ['ASAN_OPTIONS', 'MSAN_OPTIONS', 'TSAN_OPTIONS', 'HWASAN_OPTIONS']) {
    const theirs = callerEnv[name];
    env[name] = theirs ? `${theirs}:${ours}` : ours;
  }
  return env;
}

/**
 * The whole-tree RSS cap the watchdog enforces. The per-process limits above are the precise ones; this backstop
 * stops many processes each staying under them (64 × 1 GiB) and code that bypasses the sanitizer's allocator.
 * The margin keeps it from racing the cleaner in-process failure of a single process at the limit.
 */
export function treeRssCap(limits: SandboxLimits): number {
  return Math.floor(limits.memoryBytes * 1.25);
}
