// Validation through the real services: (a) what the PoC sandbox adds to each run, for `/bin/true` and for the
// ASan-built planted TLV reader on a clean input and on a crashing PoC, and (b) validations per minute: native
// findings, each with its own PoC crashing the planted heap over-read, submitted through intake for a target with
// a build recipe, auto-queued as `reproduce` jobs and run by the background worker at concurrency 1 and 2 on the
// embedded database, as one bug reported again and again and as unrelated-looking reports. Every job must succeed
// and every reproduction must say reproduced, or the bench fails. Env: BENCH_VALIDATIONS (40),
// BENCH_VALIDATION_TRIALS (3), BENCH_SANDBOX_RUNS (50, shared with bench/sandbox.mjs).
import { execFile } from 'node:child_process';
import { watch } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '../dist/core/clock.js';
import { parseRecipe } from '../dist/core/validation/recipe.js';
import { generateSigner } from '../dist/formats/signed-note.js';
import { startWorker } from '../dist/jobs/worker.js';
import { ReproductionRunner } from '../dist/reproduction/runner.js';
import { runInSandbox, sandboxAvailable } from '../dist/sandbox/bubblewrap.js';
import { createServices } from '../dist/services/index.js';
import { openStore } from '../dist/store/connect.js';
import { findReproduction } from '../dist/store/validation.js';
import { runs, spawnAndWait, timeRuns, warmup } from './sandbox.mjs';
import { fmt, percentile } from './support.mjs';

const exec = promisify(execFile);
const total = Number(process.env.BENCH_VALIDATIONS || 40);
// Each configuration is run this many times, the configurations taking turns, and the median trial reported:
// the machine is shared, and one trial can be half as fast as the next.
const trials = Number(process.env.BENCH_VALIDATION_TRIALS || 3);
const fixtures = new URL('../test/fixtures/validation/', import.meta.url);
// As test/support/planted-repo.ts: usable stacks, and ASan reports with exit status 1 and no leak check.
const asanOptions = 'detect_leaks=0:symbolize=1:abort_on_error=0';
const buildCommand = 'gcc -g -O0 -fno-omit-frame-pointer -fsanitize=address -o prog prog.c';
const runCommand = `ASAN_OPTIONS=${asanOptions} ./prog {poc}`;
const expectedKey = 'Heap-buffer-overflow READ 1|checksum_value|read_tlv|read_stream';
// Two complete records: the reader prints "2 records" and exits 0 at every commit.
const cleanInput = Buffer.from([1, 2, 0x78, 0x79, 7, 3, 0x61, 0x62, 0x63]);

function fail(message) {
  throw new Error(`validation bench: ${message}`);
}

/** The planted history of test/support/planted-repo.ts: prog.c without the bug, with it, fixed. */
export async function plantedRepo(dir) {
  const git = (...args) =>
    exec('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@clearinghouse.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', '-C', dir, ...args], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    }).then((r) => r.stdout.trim());
  await mkdir(dir, { recursive: true });
  await git('init', '-q', '-b', 'main');
  const ids = [];
  for (const file of ['tlv-1-base.c', 'tlv-2-introduced.c', 'tlv-3-fixed.c']) {
    await copyFile(new URL(file, fixtures), join(dir, 'prog.c'));
    await git('add', 'prog.c');
    await git('commit', '-q', '--no-verify', '-m', file);
    ids.push(await git('rev-parse', 'HEAD'));
  }
  const [base, introduced, fixed] = ids;
  return { dir, base, introduced, fixed };
}

/** PoC i: one truncated record, type and claimed length varying with i, 1–5 bytes of it present. */
function pocFor(i) {
  const present = 1 + (i % 5);
  const claimed = 20 + ((i * 7) % 230);
  const prefix = i % 3 === 0 ? [] : [2, 1, 0x30 + (i % 10)]; // some start with a complete record
  return Buffer.from([...prefix, (i * 37 + 1) % 256, claimed, ...Array.from({ length: present }, (_, k) => 0x41 + ((i + k) % 26))]);
}

const words = ['parser', 'decoder', 'loader', 'scanner', 'reader', 'importer', 'codec', 'handler'];
const cwesForDistinct = ['CWE-125', 'CWE-787', 'CWE-119', 'CWE-120', 'CWE-122', 'CWE-126'];

/**
 * Finding i, its PoC pocFor(i). `distinct`: each names another file, function, CWE and wording, as unrelated
 * reports that intake does not link (only the crash signature shows they are one bug); otherwise all say the
 * same, as one bug reported over and over.
 */
function nativeFinding(i, commit, distinct) {
  const poc = pocFor(i);
  const w = words[i % words.length];
  return {
    clearinghouseFinding: '1.0',
    title: distinct ? `Crash ${i} when the ${w} handles input variant ${i * 7919}` : 'Heap over-read in read_tlv',
    description: distinct ? `Report ${i}: feeding file ${i} to the ${w} of module ${i} aborts under AddressSanitizer.` : 'A truncated record makes the checksum read past the buffer.',
    target: { repo: 'https://example.org/tlv.git' },
    location: distinct ? { path: `src/module${i}/${w}${i}.c`, function: `${w}_entry_${i}` } : { path: 'prog.c', function: 'checksum_value' },
    cwe: distinct ? cwesForDistinct[i % cwesForDistinct.length] : 'CWE-125',
    scanner: { name: 'bench-agent', version: '1.0' },
    model: { name: 'frontier-x', version: '2026-05' },
    commit,
    proofOfConcept: { filename: `poc-${i}.bin`, mediaType: 'application/octet-stream', contentBase64: poc.toString('base64') },
  };
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0], max: sorted.at(-1) };
};

// ---------- (a) sandbox overhead ----------

async function overhead(scratch, repo) {
  // The planted program at the introduced commit, built on the host the way the recipe builds it.
  const progDir = join(scratch, 'prog');
  await mkdir(progDir, { recursive: true });
  await copyFile(new URL('tlv-2-introduced.c', fixtures), join(progDir, 'prog.c'));
  let t = performance.now();
  await exec('/bin/sh', ['-c', buildCommand], { cwd: progDir });
  const hostBuildMs = performance.now() - t;
  await writeFile(join(progDir, 'clean.bin'), cleanInput);
  await chmod(progDir, 0o755);
  const runScratch = join(scratch, 'run');
  await mkdir(runScratch);
  await writeFile(join(runScratch, 'clean.bin'), cleanInput);
  const progCommand = (input) => runCommand.replace('{poc}', input);

  const rows = [];
  const trueDirect = await timeRuns('/bin/true, direct', () => spawnAndWait('/bin/true', []));
  const trueSandboxed = await timeRuns('/bin/true, runInSandbox', async () => {
    const r = await runInSandbox({ argv: ['/bin/true'], bindReadOnly: [], scratchDir: runScratch });
    if (r.outcome.kind !== 'exited' || r.outcome.code !== 0) fail(`sandboxed /bin/true: ${JSON.stringify(r.outcome)} ${r.stderr}`);
  });
  rows.push(['`/bin/true`', trueDirect, trueSandboxed]);

  const progDirect = await timeRuns('ASan prog, direct', () => spawnAndWait('/bin/sh', ['-c', progCommand('clean.bin')], { cwd: progDir }));
  const progSandboxed = await timeRuns('ASan prog, runInSandbox', async () => {
    const r = await runInSandbox({
      argv: ['/bin/sh', '-c', progCommand('/scratch/clean.bin')],
      bindReadOnly: [{ host: progDir, inside: '/target' }],
      scratchDir: runScratch,
      cwd: '/target',
      memory: 'sanitizer',
    });
    if (r.outcome.kind !== 'exited' || r.outcome.code !== 0 || !r.stdout.toString().includes('2 records')) fail(`sandboxed prog: ${JSON.stringify(r.outcome)} ${r.stderr}`);
  });
  rows.push(['ASan prog, clean input', progDirect, progSandboxed]);
  // A crashing PoC: ASan writes its report, symbolized in-process from the DWARF, and exits 1.
  await writeFile(join(progDir, 'crash.bin'), pocFor(0));
  await writeFile(join(runScratch, 'crash.bin'), pocFor(0));
  const crashDirect = await timeRuns('ASan prog crashing, direct', () => spawnAndWait('/bin/sh', ['-c', progCommand('crash.bin')], { cwd: progDir, okCodes: [1] }));
  const crashSandboxed = await timeRuns('ASan prog crashing, runInSandbox', async () => {
    const r = await runInSandbox({
      argv: ['/bin/sh', '-c', progCommand('/scratch/crash.bin')],
      bindReadOnly: [{ host: progDir, inside: '/target' }],
      scratchDir: runScratch,
      cwd: '/target',
      memory: 'sanitizer',
    });
    if (r.outcome.kind !== 'exited' || r.outcome.code !== 1 || !r.stderr.toString().includes('heap-buffer-overflow')) fail(`sandboxed crash: ${JSON.stringify(r.outcome)} ${r.stderr}`);
  });
  rows.push(['ASan prog, crashing PoC', crashDirect, crashSandboxed]);

  // What a reproduce job pays per run on top of the sandbox: the commit resolved in the git mirror, a scratch
  // directory with the PoC written to it, the crash parser, the capped output digested as evidence.
  const runner = new ReproductionRunner(join(scratch, 'runner-work'), async () => ({}));
  const recipe = parseRecipe({ sourceKind: 'git', source: repo.dir, commit: repo.introduced, buildCommand, runCommand });
  t = performance.now();
  await runner.built('bench-target', recipe, repo.introduced);
  const sandboxBuildMs = performance.now() - t;
  const viaRunner = await timeRuns('ASan prog, ReproductionRunner.runPoc (built)', async () => {
    const { observation } = await runner.runPoc('bench-target', recipe, repo.introduced, 'reported', { filename: 'clean.bin', content: cleanInput });
    if (observation.result !== 'no-crash') fail(`runPoc on the clean input: ${JSON.stringify(observation)}`);
  });
  rows.push(['ASan prog, clean input, whole `runPoc`', progDirect, viaRunner]);
  const crashViaRunner = await timeRuns('ASan prog crashing, ReproductionRunner.runPoc (built)', async () => {
    const { observation } = await runner.runPoc('bench-target', recipe, repo.introduced, 'reported', { filename: 'poc.bin', content: pocFor(0) });
    if (observation.result !== 'crash' || observation.crash.key !== expectedKey) fail(`runPoc on PoC 0: ${JSON.stringify(observation)}`);
  });
  rows.push(['ASan prog, crashing PoC, whole `runPoc`', crashDirect, crashViaRunner]);
  return { rows, hostBuildMs, sandboxBuildMs };
}

// ---------- (b) validations per minute ----------

export async function throughput(scratch, repo, concurrency, distinct, trial = 0) {
  const store = await openStore({ engine: 'memory' });
  const workDir = join(scratch, `work-c${concurrency}${distinct ? '-distinct' : ''}-${trial}`);
  let worker = null;
  let watcher = null;
  try {
    const warnings = [];
    const services = await createServices({ store, signer: generateSigner('bench/validation'), clock: systemClock, workDir, warn: (m, e) => warnings.push(`${m}: ${e?.message ?? e}`) });
    const admin = await services.bootstrap();
    const coord = { orgId: admin.orgId, orgKind: 'coordinator', tokenId: admin.id, scopes: ['admin'] };
    const org = await services.orgs.create(coord, { name: 'Bench Lab', kind: 'scanner' });
    const token = await services.tokens.create(coord, { orgId: org.id, scopes: ['write'] });
    const lab = { orgId: org.id, orgKind: 'scanner', tokenId: token.id, scopes: ['write'] };
    const target = await services.targets.add(coord, { name: 'tlv', repo: 'https://example.org/tlv.git', criticality: 0.9 });
    await services.validation.setRecipe(coord, target.id, { sourceKind: 'git', source: repo.dir, commit: repo.fixed, buildCommand, runCommand });

    // Every build starts in a fresh builds/<target>/tmp-* directory: count them as they appear.
    const buildsDir = join(workDir, 'builds', target.id);
    await mkdir(buildsDir, { recursive: true });
    const buildDirs = new Set();
    let buildStart = null;
    let buildEnd = null;
    watcher = watch(buildsDir, (_event, name) => {
      if (!name) return;
      if (name.startsWith('tmp-')) {
        buildDirs.add(name);
        buildStart ??= performance.now();
      } else if (name.endsWith(repo.introduced)) buildEnd ??= performance.now(); // the built tree renamed into place
    });

    worker = startWorker(services.jobs, { concurrency, pollMs: 50, onError: (err) => warnings.push(String(err)) });
    let recordsAtIntake = 0;
    const submitMs = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < total; i++) {
      const body = Buffer.from(JSON.stringify(nativeFinding(i, repo.introduced, distinct)));
      const t = performance.now();
      const outcome = await services.intake.submit(lab, {
        body: (async function* () {
          yield body;
        })(),
        mediaType: 'application/json',
        filename: null,
        context: { targetId: target.id },
      });
      submitMs.push(performance.now() - t);
      if (outcome.state !== 'processed') fail(`submission ${i} was ${outcome.state}, not processed inline`);
      if (outcome.summary.findings !== 1) fail(`submission ${i}: ${JSON.stringify(outcome.summary)}`);
      recordsAtIntake += outcome.summary.newVulnerabilities;
      worker.poke();
    }
    const submittedSeconds = (performance.now() - t0) / 1000;
    let jobs = [];
    for (;;) {
      jobs = await services.jobs.list(coord, { kind: 'reproduce', limit: 10_000, offset: 0 });
      if (jobs.length > total) fail(`${jobs.length} reproduce jobs for ${total} findings`);
      if (jobs.length === total && jobs.every((j) => j.status === 'succeeded' || j.status === 'failed')) break;
      if (jobs.some((j) => j.attempts > 1 || j.error)) fail(`a job failed: ${JSON.stringify(jobs.find((j) => j.attempts > 1 || j.error))}`);
      if (performance.now() - t0 > 30 * 60_000) fail('jobs still not done after 30 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await worker.stop();
    worker = null;
    watcher.close();
    watcher = null;

    // Every job succeeded and every reproduction reproduced the planted bug, two sandboxed runs each.
    const bad = jobs.filter((j) => j.status !== 'succeeded' || j.result?.status !== 'reproduced' || j.result?.signature !== expectedKey);
    if (bad.length) fail(`${bad.length} of ${jobs.length} jobs did not reproduce: ${JSON.stringify(bad[0])}; warnings: ${warnings.join(' | ')}`);
    // The reproductions, through the store (a merged record keeps its own), and the records left unmerged.
    const repro = [];
    for (const j of jobs) repro.push(await findReproduction(store.db, j.subjectId));
    if (repro.some((r) => r?.kind !== 'reproduction')) fail('a reproduce job without its reproduction');
    const notReproduced = repro.filter((r) => r.status !== 'reproduced' || r.signatureKey !== expectedKey);
    if (notReproduced.length) fail(`${notReproduced.length} reproductions did not reproduce: ${JSON.stringify(notReproduced[0]).slice(0, 2000)}`);
    const surviving = new Set();
    for (const id of new Set(repro.map((r) => r.vulnId))) {
      const v = await services.vulns.get(coord, id);
      surviving.add(v.mergedInto ?? v.id);
    }
    for (const id of surviving) {
      const v = await services.vulns.get(coord, id);
      if (v.mergedInto) fail(`record ${v.displayId} was merged twice over`);
      if (v.validation.state !== 'validated' || v.validation.method !== 'reproduction' || v.validation.crashSignature !== expectedKey) fail(`record ${v.displayId}: ${JSON.stringify(v.validation)}`);
      if (surviving.size === 1 && v.findingCount !== total) fail(`record ${v.displayId} has ${v.findingCount} findings, not ${total}`);
    }
    const runsPer = new Set(repro.map((r) => r.runs.length));
    if (runsPer.size !== 1 || !runsPer.has(2)) fail(`sandboxed runs per reproduction: ${[...runsPer].join(', ')}, not 2 (reported and retry)`);
    const runWallMs = repro.flatMap((r) => r.runs.map((x) => x.wallMs));

    // The build: one per commit, paid by the first job to start.
    const builtTrees = (await readdir(buildsDir)).filter((n) => !n.startsWith('tmp-'));
    if (builtTrees.length !== 1 || buildDirs.size < 1) fail(`built trees ${builtTrees.join(', ')} after ${buildDirs.size} builds of one commit`);
    const byStart = [...jobs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const jobMs = (j) => Date.parse(j.finishedAt) - Date.parse(j.startedAt);
    const rest = stats(byStart.slice(concurrency).map(jobMs));
    const firstDone = Math.min(...jobs.map((j) => Date.parse(j.finishedAt)));
    const lastDone = Math.max(...jobs.map((j) => Date.parse(j.finishedAt)));
    const result = {
      concurrency,
      seconds,
      submittedSeconds,
      submit: stats(submitMs),
      perMinute: (total / seconds) * 60,
      // after the first job (which built): jobs finished per minute from its end to the last one's
      steadyPerMinute: ((total - 1) / ((lastDone - firstDone) / 1000)) * 60,
      firstJobMs: byStart.slice(0, concurrency).map(jobMs),
      otherJobMs: rest,
      runsPerValidation: [...runsPer].join(', '),
      runWall: stats(runWallMs),
      // CPU of this process (intake, jobs, database, signing, polling), not of the sandboxed children
      nodeCpuMsPerValidation: (cpu.user + cpu.system) / 1000 / total,
      builds: buildDirs.size,
      buildMs: buildStart !== null && buildEnd !== null ? buildEnd - buildStart : NaN,
      builtTrees: builtTrees.length,
      recordsAtIntake,
      recordsAfter: surviving.size,
      distinct,
      warnings,
    };
    console.log(
      `concurrency ${concurrency}${distinct ? ', distinct records' : ''}: ${total} validations in ${fmt(seconds, 1)} s = ${fmt(result.perMinute, 1)}/min (after the build ${fmt(result.steadyPerMinute, 1)}/min); ` +
        `first job(s) ${result.firstJobMs.map((m) => fmt(m)).join(', ')} ms, others median ${fmt(rest.median)} ms; runs/validation ${result.runsPerValidation}; build ${fmt(result.buildMs)} ms; node CPU ${fmt(result.nodeCpuMsPerValidation)} ms/validation; run wall median ${fmt(result.runWall.median)} ms; ` +
        `builds ${result.builds} (trees ${result.builtTrees}); records ${result.recordsAtIntake} at intake, ${result.recordsAfter} after; warnings ${warnings.length}`,
    );
    return result;
  } finally {
    watcher?.close();
    await worker?.stop();
    await store.close();
  }
}

export async function run() {
  const title = 'Validation: sandbox overhead per run and validations per minute';
  const available = await sandboxAvailable();
  if (!available.ok) return { title, markdown: `Skipped: ${available.reason}` };
  const gcc = await exec('gcc', ['--version']).then((r) => r.stdout.split('\n')[0], () => null);
  if (!gcc) return { title, markdown: 'Skipped: gcc not found' };
  const load = loadavg()[0];
  const scratch = await mkdtemp(join(tmpdir(), 'clearinghouse-bench-validation-'));
  // the sandbox runs as uid 65534 when we are root: it must pass through scratch to its trees
  await chmod(scratch, 0o711);
  try {
    const repo = await plantedRepo(join(scratch, 'tlv'));
    const o = await overhead(scratch, repo);
    const configs = [
      [1, false],
      [2, false],
      [1, true],
      [2, true],
    ];
    const all = configs.map(() => []);
    for (let t = 0; t < trials; t++) {
      for (const [k, [c, distinct]] of configs.entries()) {
        all[k].push(await throughput(scratch, repo, c, distinct, t));
        await rm(join(scratch, `work-c${c}${distinct ? '-distinct' : ''}-${t}`), { recursive: true, force: true });
      }
    }
    // the median trial of each configuration, with the spread of all
    const tp = all.map((results) => {
      const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
      const rates = results.map((r) => r.perMinute);
      return { ...sorted[Math.floor((sorted.length - 1) / 2)], lowest: Math.min(...rates), highest: Math.max(...rates), allBuilds: results.map((r) => r.builds), allRecords: results.map((r) => `${r.recordsAtIntake} → ${r.recordsAfter}`) };
    });
    const added = (d, x) => `+${fmt(x.median - d.median, 1)} / +${fmt(x.p95 - d.p95, 1)}`;
    const same = tp.filter((r) => !r.distinct);
    const distinct = tp.some((r) => r.distinct);
    const markdown = [
      `**Sandbox overhead per run.** ${runs} sequential runs after ${warmup} warm-up runs each, timed in Node from spawn until`,
      'the result is in hand: `/bin/true`, then the planted TLV reader (test/fixtures/validation/tlv-2-introduced.c, built',
      'with `gcc -fsanitize=address -g -O0`) on a clean two-record input and on a crashing PoC, run as the recipe runs it',
      `(\`sh -c 'ASAN_OPTIONS=… ./prog input'\`), directly and through \`runInSandbox\` (${available.version}; uid drop, full`,
      'layout, rlimits, perl supervisor, empty-namespace check). The `runPoc` rows are a whole `ReproductionRunner.runPoc`',
      'on the already-built tree, what a reproduce job pays per run (commit resolved in the git mirror, scratch directory,',
      'PoC written, sandbox, crash parsed, output digested). "added" is median / p95 minus the direct median / p95.',
      `1-minute load average when this run started: ${fmt(load, 1)}.`,
      '',
      '| program | direct median / p95 ms | sandboxed median / p95 ms | added median / p95 ms |',
      '| --- | ---: | ---: | ---: |',
      ...o.rows.map(([name, d, x]) => `| ${name} | ${fmt(d.median, 1)} / ${fmt(d.p95, 1)} | ${fmt(x.median, 1)} / ${fmt(x.p95, 1)} | ${added(d, x)} |`),
      '',
      `Building the program: ${fmt(o.hostBuildMs)} ms with gcc on the host; ${fmt(o.sandboxBuildMs)} ms through the runner with a fresh`,
      'work directory (git mirror cloned, the commit exported, gcc inside the sandbox), paid once per recipe and commit.',
      '',
      `**Validations per minute.** ${total} native findings, each with its own PoC (one truncated TLV record; type byte,`,
      'claimed length and bytes present vary, some after a complete record), all crashing the planted heap over-read, are',
      'submitted one after another through the intake service for a target whose recipe builds the planted git history;',
      'each is auto-queued as a `reproduce` job. A worker (`startWorker`, `pollMs` 50) started before the first submission',
      'runs them on the embedded database (in memory) with a fresh work directory, so the first job clones the mirror and',
      'builds. Time is from the first submission until every job is done; submissions overlap the first jobs. No finding',
      'names an introducing commit, so a validation is two sandboxed runs (the reported run and its retry), no',
      'proof-of-vulnerability contract runs. Every job succeeded and every reproduction says reproduced with',
      `\`${expectedKey}\`.`,
      '"after the build" counts the jobs that finished after the first one, over the time from its end to the last',
      'one\'s. "build" is from the build directory appearing to the built tree being renamed into place (the first job',
      'also clones the git mirror, and runs while the other findings are still being submitted).',
      `Each configuration ran ${trials} time(s), the configurations taking turns; the row is the median trial by total`,
      'time, with the lowest and highest validations/min of all its trials (the machine is shared: a slow trial shows as',
      'a longer sandboxed run wall, not as more CPU in this process). "run wall" is each sandboxed run as the job recorded',
      'it; "Node CPU" is this process\'s user + system CPU over the trial (intake, jobs, database, signing, polling; not the',
      'sandboxed children) divided by the validations.',
      '',
      '| findings | worker concurrency | records at intake → after | seconds | validations/min (trials\' range) | after the build, /min | build ms (builds run) | first job ms | other jobs median / p95 ms | sandbox runs per validation | run wall median / p95 ms | Node CPU per validation, ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...tp.map(
        (r) =>
          `| ${r.distinct ? 'unrelated reports' : 'same report'} | ${r.concurrency} | ${r.recordsAtIntake} → ${r.recordsAfter} | ${fmt(r.seconds, 1)} | ${fmt(r.perMinute, 1)} (${fmt(r.lowest)}–${fmt(r.highest)}) | ${fmt(r.steadyPerMinute, 1)} | ${fmt(r.buildMs)} (${r.builds}) | ${r.firstJobMs.map((m) => fmt(m)).join(', ')} | ${fmt(r.otherJobMs.median)} / ${fmt(r.otherJobMs.p95)} | ${r.runsPerValidation} | ${fmt(r.runWall.median)} / ${fmt(r.runWall.p95)} | ${fmt(r.nodeCpuMsPerValidation)} |`,
      ),
      '',
      `Submitting all ${total} took ${tp.map((r) => `${fmt(r.submittedSeconds, 1)} s`).join(', ')} in these rows (median ${tp.map((r) => fmt(r.submit.median)).join(', ')} ms each), while the worker ran.`,
      `"same report": every finding has the same title, location and CWE, so intake linked them into one record as duplicates`,
      `of the first (records at intake → after, every trial: ${[...new Set(same.flatMap((r) => r.allRecords))].join(', ')}), and each reproduction validated that record again.`,
      ...(distinct
        ? [
            `"unrelated reports": each finding names another file, function, CWE and wording, so intake made one record per finding;`,
            `after the reproductions one remained (every trial: ${[...new Set(tp.filter((r) => r.distinct).flatMap((r) => r.allRecords))].join(', ')}): each record whose reproduction found the`,
            'signature already on the target was merged into the earlier record, as the same bug.',
          ]
        : []),
      `Builds of the one commit, every trial: ${tp.map((r) => `concurrency ${r.concurrency}${r.distinct ? ' unrelated' : ''}: ${r.allBuilds.join(', ')}`).join('; ')}.`,
      ...(tp.some((r) => r.allBuilds.some((b) => b > 1))
        ? [
            'Where two builds ran, the first two jobs started together at concurrency 2 and both built the commit: the runner has',
            'no lock per commit, it renames the first finished tree into place and discards the other. Every later job reused',
            'that tree.',
          ]
        : ['Every later job reused the tree.']),
    ].join('\n');
    return { title, markdown };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
