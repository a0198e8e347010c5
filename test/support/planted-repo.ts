// Real C programs with planted bugs (test/fixtures/validation/*.c) and their proofs of concept, plus a git
// repository whose history introduces and then fixes one bug, for validation and bisection tests.
// No shell: git and nothing else runs, through execFile.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'validation');

/**
 * gcc flags that give usable stacks: -g (file:line and inlined-frame names), -O0 (no inlining or tail calls,
 * so every planted function is its own frame), -fno-omit-frame-pointer (ASan's fast unwinder walks frame
 * pointers for the allocation/free stacks).
 */
export const sanitizerFlags = ['-g', '-O0', '-fno-omit-frame-pointer', '-fsanitize=address'] as const;

/**
 * ASAN_OPTIONS for runs. detect_leaks=0: the programs exit without freeing everything on error paths, and
 * LeakSanitizer refuses to run under ptrace-based sandboxes; abort_on_error=0: exit status 1 after a report
 * rather than SIGABRT. symbolize=1 is the default, spelled out: gcc 12's libasan symbolizes in-process
 * (libbacktrace over the DWARF from -g) when no llvm-symbolizer is on PATH, so frames carry function names
 * either way, and even without -g the names come from the symbol table.
 */
export const asanOptions = 'detect_leaks=0:symbolize=1:abort_on_error=0';

export interface PlantedProgram {
  /** File name under fixturesDir; build with -DFIXED for the repaired variant. */
  source: string;
  bug: 'heap-buffer-overflow' | 'heap-use-after-free' | 'null-dereference' | 'stack-exhaustion';
  /** What `signatureKey(parseCrash(stderr))` gives for every PoC of the vulnerable build. */
  expectedKey: string;
  crashType: string;
  /** The program's own functions the signature names, innermost first. */
  frames: string[];
  /** Each crashes the vulnerable build with expectedKey and runs clean (exit 0) on the fixed build. */
  pocs: Record<string, Buffer>;
}

export const plantedPrograms: PlantedProgram[] = [
  {
    source: 'heap-overflow.c',
    bug: 'heap-buffer-overflow',
    // memcpy writes 40 and 200 bytes: ClusterFuzz writes sizes above 16 as {*}, so both PoCs share the key.
    expectedKey: 'Heap-buffer-overflow WRITE {*}|copy_name|parse_record|parse_records',
    crashType: 'Heap-buffer-overflow',
    frames: ['copy_name', 'parse_record', 'parse_records'],
    pocs: {
      // one record whose name is 40 bytes long
      'long-name': Buffer.concat([Buffer.from([40]), Buffer.alloc(40, 'A')]),
      // a good record, then a 200-byte name
      'second-record': Buffer.concat([Buffer.from([4]), Buffer.from('abcd'), Buffer.from([200]), Buffer.from(Array.from({ length: 200 }, (_, i) => i))]),
    },
  },
  {
    source: 'use-after-free.c',
    bug: 'heap-use-after-free',
    expectedKey: 'Heap-use-after-free READ 4|touch_session|run_command|run_script',
    crashType: 'Heap-use-after-free',
    frames: ['touch_session', 'run_command', 'run_script'],
    pocs: {
      'open-close-touch': Buffer.from('o\x01c\x01t\x01', 'latin1'),
      'two-sessions': Buffer.from('o\x03o\x05t\x03c\x05t\x03t\x05', 'latin1'),
    },
  },
  {
    source: 'null-deref.c',
    bug: 'null-dereference',
    expectedKey: 'Null-dereference READ|apply_mode|apply_settings|load_config',
    crashType: 'Null-dereference',
    frames: ['apply_mode', 'apply_settings', 'load_config'],
    pocs: {
      'no-mode': Buffer.from('name=x\ncolor=red\n'),
      empty: Buffer.from('just text, no options\n'),
    },
  },
  {
    source: 'stack-exhaustion.c',
    bug: 'stack-exhaustion',
    // The two PoCs overflow in different functions of the cycle; the signature rotates the cycle to one form.
    expectedKey: 'Stack-overflow|parse_list|parse_value',
    crashType: 'Stack-overflow',
    frames: ['parse_list', 'parse_value'],
    pocs: {
      brackets: Buffer.alloc(200_000, '['),
      'numbered-brackets': Buffer.from('[1,'.repeat(200_000)),
    },
  },
];

/** The bug planted in the repository's history: the TLV reader (tlv-*.c) over-reads a truncated record. */
export const plantedRepoBug = {
  expectedKey: 'Heap-buffer-overflow READ 1|checksum_value|read_tlv|read_stream',
  crashType: 'Heap-buffer-overflow',
  pocs: {
    // type 1 claims 200 bytes, 3 follow
    'truncated-only': Buffer.from([1, 200, 0x61, 0x62, 0x63]),
    // a complete record, then one that claims 99 bytes and has 1
    'truncated-second': Buffer.from([1, 2, 0x78, 0x79, 7, 99, 0x7a]),
  } satisfies Record<string, Buffer>,
};

export interface PlantedRepo {
  dir: string;
  /** base: the bug is absent; introduced: its first commit; fixed: repaired. Each is the next one's parent. */
  commits: { base: string; introduced: string; fixed: string };
  /** Run in the checkout; builds ./prog. */
  buildCommand: string;
  /** Run in the checkout; `{poc}` becomes the proof-of-concept path (see pocPlaceholder in recipe.ts). */
  runCommand: string;
  /** Each crashes `introduced` with expectedKey and neither `base` nor `fixed`. */
  pocs: Record<string, Buffer>;
  expectedKey: string;
}

const history: Array<{ file: string; message: string; date: string }> = [
  { file: 'tlv-1-base.c', message: 'TLV reader: checksum each record', date: '2026-01-05T10:00:00Z' },
  { file: 'tlv-2-introduced.c', message: 'Checksum truncated last records too', date: '2026-01-12T10:00:00Z' },
  { file: 'tlv-3-fixed.c', message: 'Bound the checksum of a truncated record by the bytes read', date: '2026-01-19T10:00:00Z' },
];

/**
 * Creates a git repository in dir (created if missing; it should be empty) with three commits of prog.c.
 * Author, committer and dates are fixed, so the commit ids are the same on every run with the same git.
 */
export async function makePlantedRepo(dir: string): Promise<PlantedRepo> {
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  const ids: string[] = [];
  for (const step of history) {
    await writeFile(join(dir, 'prog.c'), await readFile(join(fixturesDir, step.file)));
    await git(dir, ['add', 'prog.c']);
    await git(dir, ['commit', '-q', '--no-verify', '-m', step.message], step.date);
    ids.push((await git(dir, ['rev-parse', 'HEAD'])).trim());
  }
  const [base, introduced, fixed] = ids as [string, string, string];
  return {
    dir,
    commits: { base, introduced, fixed },
    buildCommand: `gcc ${sanitizerFlags.join(' ')} -o prog prog.c`,
    runCommand: `ASAN_OPTIONS=${asanOptions} ./prog {poc}`,
    pocs: { ...plantedRepoBug.pocs },
    expectedKey: plantedRepoBug.expectedKey,
  };
}

async function git(dir: string, args: string[], date?: string): Promise<string> {
  const identity = ['-c', 'user.name=Planted Bug', '-c', 'user.email=planted@clearinghouse.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null'];
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  if (date) {
    env.GIT_AUTHOR_DATE = date;
    env.GIT_COMMITTER_DATE = date;
  }
  const { stdout } = await run('git', [...identity, '-C', dir, ...args], { env });
  return stdout;
}
