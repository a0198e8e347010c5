// The PoC sandbox against hostile programs: each is compiled here from test/fixtures/sandbox, run under bubblewrap,
// and must be both contained and reported as what it did. Skipped (with the reason) where bubblewrap cannot run.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInSandbox, sandboxAvailable, type SandboxRun } from '../../src/sandbox/bubblewrap.js';
import { resolveLimits } from '../../src/sandbox/limits.js';
import { decodeExitCode, parseReport } from '../../src/sandbox/supervisor.js';
import { badInsidePath, hostPathOf } from '../../src/sandbox/layout.js';

const fixtures = fileURLToPath(new URL('../fixtures/sandbox/', import.meta.url));
const availability = await sandboxAvailable();
const gcc = spawnSync('gcc', ['--version']).status === 0;
const skipReason = !availability.ok ? availability.reason : !gcc ? 'gcc is not installed' : null;
if (skipReason) console.warn(`skipping the sandbox tests: ${skipReason}`);

// World-readable: when the tests run as root the sandbox runs as uid 65534, which must reach the binds.
const work = mkdtempSync(join(tmpdir(), 'ch-sandbox-'));
chmodSync(work, 0o755);
const bin = join(work, 'bin');
const input = join(work, 'input');
const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
// Unique, short (≤ 15 characters: the kernel's comm) names, so leftovers can be found by name.
const forkBombName = `fb${tag}`;
const sleepersName = `sl${tag}`;

function compile(source: string, output: string, flags: string[] = []): void {
  const r = spawnSync('gcc', ['-O1', '-g', ...flags, '-o', join(bin, output), join(fixtures, source)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${source} failed: ${r.stderr}`);
}

/** Processes on the host whose command name is `name`. */
function processesNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

let scratchCount = 0;
function freshScratch(): string {
  const dir = join(work, `scratch-${scratchCount++}`);
  mkdirSync(dir);
  return dir;
}

function sandboxed(argv: string[], extra: Partial<SandboxRun> = {}) {
  return runInSandbox({ argv, bindReadOnly: [{ host: bin, inside: '/opt/target' }, { host: input, inside: '/input' }], scratchDir: freshScratch(), ...extra });
}

const text = (b: Buffer) => b.toString('utf8');

beforeAll(() => {
  if (skipReason) return;
  mkdirSync(bin, { mode: 0o755 });
  mkdirSync(input, { mode: 0o755 });
  for (const name of ['net', 'writes', 'spin', 'flood', 'hog', 'poc-reader', 'segv', 'bigfile']) compile(`${name}.c`, name);
  compile('forkbomb.c', forkBombName);
  compile('sleepers.c', sleepersName);
  compile('heap-overflow.c', 'heap-overflow-asan', ['-fsanitize=address']);
  compile('hog.c', 'hog-asan', ['-fsanitize=address']);
  writeFileSync(join(input, 'poc.txt'), '7 the proof of concept\n', { mode: 0o644 });
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sandbox building blocks', () => {
  it('parses the supervisor report and decodes bare exit codes', () => {
    expect(parseReport('exit 3 0.5\n')).toEqual({ kind: 'exit', code: 3, cpuSeconds: 0.5 });
    expect(parseReport('signal 11 0\n')).toEqual({ kind: 'signal', signal: 'SIGSEGV', cpuSeconds: 0 });
    expect(parseReport('exec-failed No such file or directory\nexit 127 0\n')).toEqual({ kind: 'exec-failed', message: 'No such file or directory' });
    expect(parseReport('')).toBeNull();
    expect(decodeExitCode(139)).toEqual({ kind: 'signal', signal: 'SIGSEGV' });
    expect(decodeExitCode(2)).toEqual({ kind: 'exit', code: 2 });
  });

  it('validates limits and bind targets', () => {
    expect(resolveLimits({ cpuSeconds: 0.2 }).cpuSeconds).toBe(1);
    expect(() => resolveLimits({ wallMs: -1 })).toThrow(/wallMs must be a positive number/);
    expect(badInsidePath('/input')).toBeNull();
    expect(badInsidePath('input')).toMatch(/absolute/);
    expect(badInsidePath('/scratch/x')).toMatch(/within \/scratch/);
    expect(badInsidePath('/proc')).toMatch(/within \/proc/);
    expect(hostPathOf('/opt/target/prog', [{ host: '/h/bin', inside: '/opt/target' }], '/h/s')).toBe('/h/bin/prog');
    expect(hostPathOf('/scratch/a', [], '/h/s')).toBe('/h/s/a');
    expect(hostPathOf('/nowhere/a', [], '/h/s')).toBeNull();
  });
});

describe.skipIf(skipReason !== null)('bubblewrap sandbox', () => {
  it('reports itself available with the bubblewrap version', () => {
    expect(availability).toMatchObject({ ok: true, version: expect.stringMatching(/^bubblewrap \d/) });
  });

  it('runs the command as an unprivileged user with no capabilities and no_new_privs', async () => {
    const r = await sandboxed(['sh', '-c', 'id -u; id -g; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status; hostname']);
    expect(r.outcome).toEqual({ kind: 'exited', code: 0 });
    expect(text(r.stdout)).toMatch(/^65534\n65534\nCapEff:\s+0+\nCapBnd:\s+0+\nNoNewPrivs:\s+1\nsandbox\n$/);
  });

  it('has no network: neither the host\'s loopback services nor the outside world are reachable', async () => {
    const targets = ['127.0.0.1:5432', 'localhost:5432', 'example.com:443', '1.1.1.1:53', '[::1]:5432'].map((t) => t.replace(/[[\]]/g, ''));
    const r = await sandboxed(['/opt/target/net', ...targets]);
    expect(r.outcome).toEqual({ kind: 'exited', code: 0 }); // no connection succeeded
    const out = text(r.stdout);
    // Loopback is the sandbox's own (bwrap brings it up in the new network namespace), with nothing listening.
    expect(out).toContain('127.0.0.1:5432: connect: Connection refused');
    expect(out).toContain('::1:5432: connect: Connection refused');
    // There is no other interface, so no route anywhere else.
    expect(out).toContain('1.1.1.1:53: connect: Network is unreachable');
    expect(out).toMatch(/^example\.com:443: resolve: /m);
    expect(out).not.toContain('connected');
    // Control: the same program outside the sandbox does reach the host's PostgreSQL, when one is listening.
    const listening = await new Promise<boolean>((resolve) => {
      const s = connect(5432, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      s.setTimeout(2000, () => resolve(false));
      s.on('connect', () => s.destroy());
    });
    if (listening) {
      const direct = spawnSync(join(bin, 'net'), ['127.0.0.1:5432'], { encoding: 'utf8' });
      expect(direct.stdout).toBe('127.0.0.1:5432: connected\n');
    }
  });

  it('contains a fork bomb at the process limit, ends it, and leaves nothing behind', async () => {
    const maxProcesses = 32;
    const running = sandboxed([`/opt/target/${forkBombName}`], { limits: { maxProcesses, wallMs: 2_500, cpuSeconds: 60 } });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, processesNamed(forkBombName).length)), 100);
    const r = await running;
    clearInterval(sampler);
    expect(r.outcome).toEqual({ kind: 'timeout', limit: 'wall' });
    expect(text(r.stderr)).toContain('fork failed: Resource temporarily unavailable');
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(maxProcesses);
    expect(processesNamed(forkBombName)).toEqual([]);
    // The host can still start processes.
    expect(spawnSync('/bin/true').status).toBe(0);
  });

  it('lets writes persist only in /scratch: the rest of the file system is read-only or gone', async () => {
    const scratchDir = freshScratch();
    const hostOutside = join(work, `outside-${tag}.txt`);
    const hostTmp = `/tmp/ch-sandbox-${tag}.txt`;
    const targets = ['/etc/x', '/usr/x', '/root/x', '/x', '/dev/x', '/proc/x', hostOutside, '/input/x', '/opt/target/x', hostTmp, '/scratch/result.txt'];
    const r = await runInSandbox({ argv: ['/opt/target/writes', ...targets], bindReadOnly: [{ host: bin, inside: '/opt/target' }, { host: input, inside: '/input' }], scratchDir });
    const out = text(r.stdout);
    // Two writes work: /scratch, and the run's private /tmp (which vanishes with it).
    expect(r.outcome).toEqual({ kind: 'exited', code: 2 });
    for (const t of ['/etc/x', '/usr/x', '/x', '/dev/x', '/input/x', '/opt/target/x']) expect(out).toContain(`${t}: Read-only file system`);
    expect(out).toMatch(/^\/root\/x: (No such file or directory|Read-only file system)$/m);
    expect(out).toMatch(/^\/proc\/x: (No such file or directory|Permission denied)$/m);
    expect(out).toContain(`${hostOutside}: No such file or directory`);
    expect(out).toContain(`${hostTmp}: written`);
    expect(out).toContain('/scratch/result.txt: written');
    expect(readFileSync(join(scratchDir, 'result.txt'), 'utf8')).toBe('written from the sandbox\n');
    for (const host of ['/etc/x', '/usr/x', '/root/x', '/x', hostOutside, hostTmp, join(input, 'x'), join(bin, 'x')]) expect(existsSync(host)).toBe(false);
  });

  it('caps the size of any file written', async () => {
    const scratchDir = freshScratch();
    const r = await runInSandbox({ argv: ['/opt/target/bigfile', '/scratch/big', '8'], bindReadOnly: [{ host: bin, inside: '/opt/target' }], scratchDir, limits: { maxFileBytes: 2 ** 20 } });
    expect(r.outcome).toEqual({ kind: 'signaled', signal: 'SIGXFSZ' });
    expect(readFileSync(join(scratchDir, 'big')).length).toBeLessThanOrEqual(2 ** 20);
  });

  it('stops an infinite loop at the CPU limit', async () => {
    const r = await sandboxed(['/opt/target/spin'], { limits: { cpuSeconds: 1, wallMs: 20_000 } });
    expect(r.outcome).toEqual({ kind: 'timeout', limit: 'cpu' });
    expect(r.wallMs).toBeLessThan(10_000);
    expect(processesNamed('spin')).toEqual([]);
  });

  it('kills the whole process tree at the wall limit, children in their own sessions included', async () => {
    const running = sandboxed([`/opt/target/${sleepersName}`, '5'], { limits: { wallMs: 1_000 } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const pids = processesNamed(sleepersName);
    expect(pids.length).toBe(6);
    // Seen from the host they are not root's: RLIMIT_NPROC would not bind them if they were.
    const hostUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pids[0]}/status`, 'utf8'))?.[1]);
    expect(hostUid).toBe(process.getuid?.() === 0 ? 65534 : process.getuid?.());
    const r = await running;
    expect(r.outcome).toEqual({ kind: 'timeout', limit: 'wall' });
    expect(r.wallMs).toBeGreaterThanOrEqual(1_000);
    expect(r.wallMs).toBeLessThan(5_000);
    expect(processesNamed(sleepersName)).toEqual([]);
  });

  it('dies with the service: killing the Node process that started it ends the whole sandbox', async () => {
    const name = `sd${tag}`;
    copyFileSync(join(bin, sleepersName), join(bin, name));
    const module = pathToFileURL(fileURLToPath(new URL('../../src/sandbox/bubblewrap.ts', import.meta.url))).href;
    const script = join(work, 'service.mts');
    writeFileSync(
      script,
      `import { runInSandbox } from ${JSON.stringify(module)};\n` +
        `void runInSandbox({ argv: ['/opt/target/${name}', '3'], bindReadOnly: [{ host: ${JSON.stringify(bin)}, inside: '/opt/target' }], scratchDir: ${JSON.stringify(freshScratch())} });\n` +
        'setInterval(() => {}, 1000);\n',
    );
    const service = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
    for (let i = 0; i < 100 && processesNamed(name).length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processesNamed(name).length).toBe(4);
    service.kill('SIGKILL');
    await new Promise((resolve) => service.once('exit', resolve));
    for (let i = 0; i < 50 && processesNamed(name).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processesNamed(name)).toEqual([]);
  });

  it('keeps only the first maxOutputBytes of a 10 MB flood and stops the program', async () => {
    const r = await sandboxed(['/opt/target/flood', '10000000']);
    expect(r.outcome).toEqual({ kind: 'output-limit', stream: 'stdout' });
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdout.length).toBe(64 * 1024);
    expect(text(r.stdout.subarray(0, 32))).toBe('0123456789abcdef0123456789abcdef');
    expect(r.stderrTruncated).toBe(false);
    expect(processesNamed('flood')).toEqual([]);
  });

  it('keeps output under the cap whole', async () => {
    const r = await sandboxed(['/opt/target/flood', '1000'], { limits: { maxOutputBytes: 1000 } });
    expect(r.outcome).toEqual({ kind: 'exited', code: 0 });
    expect(r.stdout.length).toBe(1000);
    expect(r.stdoutTruncated).toBe(false);
  });

  it('makes a large allocation fail under the memory limit', async () => {
    const r = await sandboxed(['/opt/target/hog', '1', '4096'], { limits: { memoryBytes: 256 * 2 ** 20 } });
    expect(r.memoryStrategy).toBe('rlimit-data');
    expect(r.outcome).toEqual({ kind: 'exited', code: 3 });
    const got = Number(/malloc failed after (\d+) MiB/.exec(text(r.stdout))?.[1]);
    expect(got).toBeLessThan(256);
  });

  it('stops many processes that each stay under the per-process limit at the whole-tree limit', async () => {
    const r = await sandboxed(['/opt/target/hog', '6', '192'], { limits: { memoryBytes: 256 * 2 ** 20 } });
    expect(r.outcome).toEqual({ kind: 'memory-limit' });
    expect(processesNamed('hog')).toEqual([]);
  });

  it('runs a well-behaved target on its PoC input from a read-only bind and passes its exit code through', async () => {
    const r = await sandboxed(['/opt/target/poc-reader', '/input/poc.txt']);
    expect(r.outcome).toEqual({ kind: 'exited', code: 7 });
    expect(text(r.stdout)).toBe('read 23 bytes\n');
    expect(r.stderr.length).toBe(0);
  });

  it('passes stdin, environment and working directory', async () => {
    const r = await sandboxed(['sh', '-c', 'cat; echo "$POC_MODE $HOME $(pwd)"'], { stdin: Buffer.from('input line\n'), env: { POC_MODE: 'replay' }, cwd: '/input' });
    expect(r.outcome).toEqual({ kind: 'exited', code: 0 });
    expect(text(r.stdout)).toBe('input line\nreplay /scratch /input\n');
  });

  it('reports a segfault as SIGSEGV, and exit(139) as an exit', async () => {
    expect((await sandboxed(['/opt/target/segv'])).outcome).toEqual({ kind: 'signaled', signal: 'SIGSEGV' });
    expect((await sandboxed(['sh', '-c', 'exit 139'])).outcome).toEqual({ kind: 'exited', code: 139 });
  });

  it('lets AddressSanitizer run and report a heap overflow', async () => {
    const r = await sandboxed(['/opt/target/heap-overflow-asan']);
    expect(r.memoryStrategy).toBe('sanitizer');
    expect(r.outcome).toEqual({ kind: 'exited', code: 1 });
    expect(text(r.stderr)).toContain('ERROR: AddressSanitizer: heap-buffer-overflow');
    expect(text(r.stderr)).toContain('heap-overflow.c:6');
  });

  it('bounds an ASan-built program by its own RSS limit', async () => {
    const r = await sandboxed(['/opt/target/hog-asan', '1', '4096'], { limits: { memoryBytes: 256 * 2 ** 20 } });
    expect(r.memoryStrategy).toBe('sanitizer');
    // ASan's watchdog and ours race at the limit; either way the run is stopped near it.
    if (r.outcome.kind === 'memory-limit') return;
    expect(r.outcome).toEqual({ kind: 'exited', code: 1 });
    expect(text(r.stderr)).toContain('AddressSanitizer: hard rss limit exhausted');
  });

  it('reports setup problems as sandbox errors', async () => {
    expect((await sandboxed(['/opt/target/missing'])).outcome).toEqual({ kind: 'sandbox-error', message: 'cannot run the command inside the sandbox: No such file or directory' });
    expect((await sandboxed([])).outcome).toMatchObject({ kind: 'sandbox-error', message: 'argv must name the program to run' });
    const badBind = await runInSandbox({ argv: ['true'], bindReadOnly: [{ host: join(work, 'nope'), inside: '/x' }], scratchDir: freshScratch() });
    expect(badBind.outcome).toMatchObject({ kind: 'sandbox-error', message: expect.stringContaining('no such host path') });
    const badScratch = await runInSandbox({ argv: ['true'], bindReadOnly: [], scratchDir: join(work, 'nope') });
    expect(badScratch.outcome).toMatchObject({ kind: 'sandbox-error', message: expect.stringContaining('scratch directory') });
  });

  it.skipIf(process.getuid?.() !== 0)('reports a bind the sandbox user cannot reach as a sandbox error', async () => {
    const secret = join(work, 'root-only');
    mkdirSync(join(secret, 'inner'), { recursive: true, mode: 0o700 });
    const r = await runInSandbox({ argv: ['true'], bindReadOnly: [{ host: join(secret, 'inner'), inside: '/secret' }], scratchDir: freshScratch() });
    expect(r.outcome).toEqual({ kind: 'sandbox-error', message: expect.stringMatching(/^bwrap: .*Permission denied/) });
  });

  it('treats the program name as a path inside the sandbox, not on the host', async () => {
    // The host path of a fixture binary does not exist inside.
    copyFileSync(join(bin, 'segv'), join(work, 'segv-host-only'));
    const r = await sandboxed([join(work, 'segv-host-only')]);
    expect(r.outcome).toMatchObject({ kind: 'sandbox-error' });
  });
});
