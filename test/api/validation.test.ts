// Validation over HTTP on both databases: build recipes, sandboxed reproduction of real C programs with planted
// bugs (built with gcc -fsanitize=address), the proof-of-vulnerability contract, same-signature merging, fix
// verification and the root cause that follows a fix, hostile proofs of concept, corroboration, coordinators'
// attestations and rejections, signed attestations checked against the published key, reporter quality, jobs
// and policy — with the denials.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEnvelope } from '../../src/formats/attestation.js';
import { parseVerifierKey } from '../../src/formats/signed-note.js';
import { sandboxAvailable } from '../../src/sandbox/bubblewrap.js';
import { engineName } from '../support/db.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';
import { asanOptions, fixturesDir, makePlantedRepo, plantedPrograms, sanitizerFlags, type PlantedRepo } from '../support/planted-repo.js';

const run = promisify(execFile);

const availability = await sandboxAvailable();
const gccFound = await run('gcc', ['--version']).then(() => true, () => false);
const skipReason = !availability.ok ? `sandbox unavailable: ${availability.reason}` : !gccFound ? 'gcc not found' : null;
if (skipReason) console.warn(`validation tests skipped: ${skipReason}`);

let app: TestApp;
let labA: { orgId: string; token: string };
let labB: { orgId: string; token: string };
let maint: { orgId: string; token: string };
let otherMaint: { orgId: string; token: string };
let dir: string;
let planted: PlantedRepo;
let multi: { dir: string; vulnerable: string; fixed: string };
const targets: Record<string, string> = {};

const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd }).then((r) => r.stdout.trim());

/** A repository with the four planted programs: one commit with the bugs, the next fixing all four. */
async function makeMultiRepo(at: string) {
  await mkdir(at, { recursive: true });
  await git(at, 'init', '-q', '-b', 'main');
  for (const p of plantedPrograms) await copyFile(join(fixturesDir, p.source), join(at, p.source));
  const build = plantedPrograms.map((p) => `gcc ${sanitizerFlags.join(' ')} -o ${p.source.replace(/\.c$/, '')} ${p.source}`).join(' && ');
  // the proof of concept's extension picks the program
  await writeFile(join(at, 'run.sh'), '#!/bin/sh\nexec "./$(echo "$1" | sed \'s/.*\\.//\')" "$1"\n', { mode: 0o755 });
  await writeFile(join(at, 'build.sh'), `#!/bin/sh\nset -e\n${build}\n`, { mode: 0o755 });
  await git(at, 'add', '.');
  await git(at, 'commit', '-q', '-m', 'four parsers');
  const vulnerable = await git(at, 'rev-parse', 'HEAD');
  for (const p of plantedPrograms) {
    const text = await readFile(join(at, p.source), 'utf8');
    await writeFile(join(at, p.source), `#define FIXED 1\n${text}`);
  }
  await git(at, 'commit', '-q', '-am', 'fix all four');
  return { dir: at, vulnerable, fixed: await git(at, 'rev-parse', 'HEAD') };
}

function native(over: Record<string, unknown>) {
  return {
    clearinghouseFinding: '1.0',
    title: 'Heap over-read in read_tlv',
    description: 'A truncated record makes the checksum read past the buffer.',
    target: { repo: 'https://example.org/tlv.git' },
    location: { path: 'prog.c', function: 'checksum_value' },
    cwe: 'CWE-125',
    scanner: { name: 'lab-agent', version: '1.0' },
    model: { name: 'frontier-x', version: '2026-05' },
    ...over,
  };
}

function poc(name: string, content: Buffer, expectedCrash?: unknown) {
  return { filename: name, mediaType: 'application/octet-stream', contentBase64: content.toString('base64'), ...(expectedCrash ? { expectedCrash } : {}) };
}

async function submit(token: string, body: unknown) {
  const res = await call(app, 'POST', '/v1/findings', { token, body });
  expect(res.status, res.text).toBe(201);
  const f = await call(app, 'GET', `/v1/findings?documentId=${res.body.document.id}`, { token });
  return f.body.items[0] as { id: string; vulnId: string; vulnDisplayId: string; status: string };
}

async function vuln(id: string, token = app.adminToken) {
  const res = await call(app, 'GET', `/v1/vulns/${id}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe.skipIf(skipReason !== null)(`validation (${engineName})`, () => {
  beforeAll(async () => {
    app = await startTestApp();
    labA = await orgWithToken(app, { name: 'Lab A', kind: 'scanner' });
    labB = await orgWithToken(app, { name: 'Lab B', kind: 'scanner' });
    maint = await orgWithToken(app, { name: 'TLV maintainers', kind: 'maintainer' });
    otherMaint = await orgWithToken(app, { name: 'Other maintainers', kind: 'maintainer' });
    dir = await mkdtemp(join(tmpdir(), 'ch-validation-'));
    planted = await makePlantedRepo(join(dir, 'tlv'));
    multi = await makeMultiRepo(join(dir, 'multi'));
    await mkdir(join(dir, 'scripts'));
    await writeFile(join(dir, 'scripts', 'README'), 'runs the proof of concept as a shell script\n');
    for (const [key, body] of [
      ['tlv', { name: 'tlv', repo: 'https://example.org/tlv.git', criticality: 0.9, maintainerOrgId: maint.orgId }],
      ['multi', { name: 'parsers', repo: 'https://example.org/parsers.git', criticality: 0.7 }],
      ['scripts', { name: 'scripts', repo: 'https://example.org/scripts.git', criticality: 0.1 }],
    ] as const) {
      const t = await call(app, 'POST', '/v1/targets', { body });
      expect(t.status, t.text).toBe(201);
      targets[key] = t.body.id;
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sets build recipes for coordinators and the target\'s maintainers, and refuses everyone else and bad recipes', async () => {
    const recipe = { sourceKind: 'git', source: planted.dir, commit: planted.commits.fixed, buildCommand: planted.buildCommand, runCommand: planted.runCommand };
    expect((await call(app, 'PUT', `/v1/targets/${targets.tlv}/recipe`, { token: labA.token, body: recipe })).status).toBe(403);
    expect((await call(app, 'PUT', `/v1/targets/${targets.tlv}/recipe`, { token: otherMaint.token, body: recipe })).status).toBe(403);
    const bad = await call(app, 'PUT', `/v1/targets/${targets.tlv}/recipe`, { token: maint.token, body: { ...recipe, runCommand: './prog input' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/runCommand');
    const relative = await call(app, 'PUT', `/v1/targets/${targets.tlv}/recipe`, { token: maint.token, body: { ...recipe, source: 'repos/tlv' } });
    expect(relative.body.field).toBe('/source');
    const set = await call(app, 'PUT', `/v1/targets/${targets.tlv}/recipe`, { token: maint.token, body: recipe });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ targetId: targets.tlv, sourceKind: 'git', updatedByOrg: maint.orgId });
    expect((await call(app, 'GET', `/v1/targets/${targets.tlv}/recipe`, { token: labA.token })).status).toBe(403);
    expect((await call(app, 'GET', `/v1/targets/${targets.tlv}/recipe`)).body.runCommand).toBe(planted.runCommand);
    const multiRecipe = { sourceKind: 'git', source: `file://${multi.dir}`, commit: multi.vulnerable, buildCommand: './build.sh', runCommand: './run.sh {poc}' };
    expect((await call(app, 'PUT', `/v1/targets/${targets.multi}/recipe`, { body: multiRecipe })).status).toBe(200);
    const scripts = { sourceKind: 'path', source: join(dir, 'scripts'), commit: '1.0', buildCommand: 'true', runCommand: 'sh {poc}' };
    expect((await call(app, 'PUT', `/v1/targets/${targets.scripts}/recipe`, { body: scripts })).status).toBe(200);
  });

  let first: { id: string; vulnId: string; vulnDisplayId: string };

  it('reproduces a proof of concept under the proof-of-vulnerability contract and signs an attestation anyone can verify offline', async () => {
    first = await submit(
      labA.token,
      native({
        commit: planted.commits.introduced,
        introducedCommit: planted.commits.introduced,
        proofOfConcept: poc('truncated.bin', planted.pocs['truncated-only']!, { crashType: 'Heap-buffer-overflow', frames: ['checksum_value'] }),
      }),
    );
    // intake queued the reproduction (the target has a recipe); the request did not wait for it
    expect((await vuln(first.vulnId)).reproductions).toMatchObject([{ status: 'queued', kind: 'reproduction' }]);
    expect(await app.services.jobs.drain()).toBe(1);
    const v = await vuln(first.vulnId);
    expect(v.validation, JSON.stringify(v.reproductions, null, 1).slice(0, 3000)).toMatchObject({ state: "validated", method: "reproduction", confidence: 0.99, crashSignature: planted.expectedKey });
    const [r] = v.reproductions;
    expect(r).toMatchObject({ status: 'reproduced', verdict: 'reproduced-with-contract', signatureKey: planted.expectedKey });
    expect(r.runs.map((x: any) => [x.role, x.commit, x.signature?.key ?? null])).toEqual([
      ['reported', planted.commits.introduced, planted.expectedKey],
      ['reported-retry', planted.commits.introduced, planted.expectedKey],
      ['introduced', planted.commits.introduced, planted.expectedKey],
      ['parent', planted.commits.base, null],
    ]);
    // capped stderr is kept as evidence
    expect(Buffer.from(r.runs[0].stderr.base64, 'base64').toString()).toContain('AddressSanitizer: heap-buffer-overflow');
    expect(v.validationEvents.map((e: any) => [e.from, e.to.state, e.to.method])).toEqual([['unvalidated', 'validated', 'reproduction']]);

    // the attestation verifies with nothing but the published key
    const key = await call(app, 'GET', '/v1/attestations/key', { token: null });
    expect(key.status).toBe(200);
    const envelope = (await call(app, 'GET', `/v1/reproductions/${r.id}/attestation`, { token: labA.token })).body;
    const statement = verifyEnvelope(JSON.stringify(envelope), [parseVerifierKey(key.body.vkey)]);
    expect(envelope.signatures[0].keyid).toBe(key.body.keyid);
    expect(statement.predicate).toMatchObject({
      kind: 'reproduction',
      result: 'reproduced',
      verdict: 'reproduced-with-contract',
      findingId: first.id,
      reporter: { orgId: labA.orgId, scanner: { name: 'lab-agent' }, model: { name: 'frontier-x' } },
      target: { commit: planted.commits.introduced },
      crash: { key: planted.expectedKey },
    });
    expect(statement.subject[0]!.digest.sha256).toBe(r.pocSha256);
    // need-to-know: another reporter cannot fetch it
    expect((await call(app, 'GET', `/v1/reproductions/${r.id}/attestation`, { token: labB.token })).status).toBe(404);
  });

  it('merges a second, different proof of concept with the same crash signature into the same record, crediting the first reporter', async () => {
    const second = await submit(
      labB.token,
      native({
        title: 'Out-of-bounds read on a short TLV record',
        commit: planted.commits.introduced,
        location: { path: 'src/reader.c', function: 'read_stream' },
        cwe: 'CWE-787',
        proofOfConcept: poc('second.bin', planted.pocs['truncated-second']!),
      }),
    );
    expect(second.vulnId).not.toBe(first.vulnId);
    await app.services.jobs.drain();
    const merged = await vuln(second.vulnId);
    expect(merged.mergedInto).toBe(first.vulnId);
    const v = await vuln(first.vulnId);
    expect(v.findings.map((f: any) => f.id).sort()).toEqual([first.id, second.id].sort());
    expect(v.decisions).toContainEqual(expect.objectContaining({ action: 'merge', vulnId: second.vulnId, actorOrg: null, reason: `same crash signature on the same target: ${planted.expectedKey}` }));
    // Lab B learns its finding is a duplicate of the record, not who found it first
    const seenByB = await vuln(first.vulnId, labB.token);
    expect(seenByB.findings).toEqual([expect.objectContaining({ id: second.id, status: 'duplicate' })]);
    expect(JSON.stringify(seenByB)).not.toContain(labA.orgId);
    expect(seenByB.validationEvents).toBeUndefined();
  });

  it('does not count a proof of concept that breaks the contract, mismatches its claim, or does not crash', async () => {
    const wrongIntroduced = await submit(
      labA.token,
      native({ title: 'Over-read, claimed since the first version', commit: planted.commits.introduced, introducedCommit: planted.commits.base, location: { path: 'a.c' }, proofOfConcept: poc('a.bin', planted.pocs['truncated-only']!) }),
    );
    const wrongClaim = await submit(
      labA.token,
      native({ title: 'Claimed stack overflow', commit: planted.commits.introduced, location: { path: 'b.c' }, proofOfConcept: poc('b.bin', planted.pocs['truncated-only']!, { crashType: 'Stack-overflow' }) }),
    );
    const noCrash = await submit(labB.token, native({ title: 'Does not crash', commit: planted.commits.introduced, location: { path: 'c.c' }, proofOfConcept: poc('c.bin', Buffer.from([1, 1, 0x61])) }));
    await app.services.jobs.drain();
    const verdicts = await Promise.all([wrongIntroduced, wrongClaim, noCrash].map(async (f) => (await vuln(f.vulnId)).reproductions[0].verdict));
    expect(verdicts).toEqual(['no-crash-at-introduced', 'claim-mismatch', 'no-crash']);
    for (const f of [wrongIntroduced, wrongClaim, noCrash]) {
      expect((await vuln(f.vulnId)).validation).toMatchObject({ state: 'rejected', rejectionReason: 'not-reproducible' });
    }
    // a coordinator can still attest after an automatic rejection; reporters cannot
    expect((await call(app, 'POST', `/v1/vulns/${noCrash.vulnId}/attest`, { token: labB.token, body: { rationale: 'trust me' } })).status).toBe(403);
    const attested = await call(app, 'POST', `/v1/vulns/${noCrash.vulnId}/attest`, { body: { rationale: 'reproduced by hand with a debug build', confidence: 0.7 } });
    expect(attested.body).toMatchObject({ state: 'validated', method: 'attestation', confidence: 0.7 });
  });

  it('verifies fixes: a commit that still crashes is fix-failed, the real fix is fix-verified', async () => {
    expect((await call(app, 'POST', `/v1/vulns/${first.vulnId}/fix`, { token: otherMaint.token, body: { commit: planted.commits.fixed } })).status).toBe(403);
    expect((await call(app, 'POST', `/v1/vulns/${first.vulnId}/fix`, { token: labA.token, body: { commit: planted.commits.fixed } })).status).toBe(403);
    const notYet = await call(app, 'POST', `/v1/vulns/${first.vulnId}/fix`, { token: maint.token, body: { commit: planted.commits.introduced } });
    expect(notYet.status, notYet.text).toBe(202);
    await app.services.jobs.drain();
    expect((await vuln(first.vulnId)).validation.fix).toEqual({ commit: planted.commits.introduced, status: 'fix-failed' });
    const fixed = await call(app, 'POST', `/v1/vulns/${first.vulnId}/fix`, { token: maint.token, body: { commit: planted.commits.fixed } });
    expect(fixed.status).toBe(202);
    await app.services.jobs.drain();
    const v = await vuln(first.vulnId);
    expect(v.validation.fix).toEqual({ commit: planted.commits.fixed, status: 'fix-verified' });
    const verification = v.reproductions.find((r: any) => r.kind === 'fix-verification' && r.status === 'fix-verified');
    const envelope = (await call(app, 'GET', `/v1/reproductions/${verification.id}/attestation`)).body;
    const key = (await call(app, 'GET', '/v1/attestations/key', { token: null })).body;
    expect(verifyEnvelope(envelope, [parseVerifierKey(key.vkey)]).predicate).toMatchObject({ kind: 'fix-verification', result: 'fix-verified', crash: null, target: { commit: planted.commits.fixed } });
  });

  it('reproduces the four planted bug classes, and links the records one fix commit fixes as one root cause, each keeping its finders', async () => {
    const found: Array<{ vulnId: string; key: string; token: string }> = [];
    for (const [i, p] of plantedPrograms.entries()) {
      const name = Object.keys(p.pocs)[0]!;
      const ext = p.source.replace(/\.c$/, '');
      const lab = i % 2 ? labB : labA;
      const f = await submit(
        lab.token,
        native({
          title: `${p.bug} in ${p.frames[0]}`,
          target: { repo: 'https://example.org/parsers.git' },
          commit: multi.vulnerable,
          location: { path: p.source, function: p.frames[0] },
          cwe: 'CWE-119',
          proofOfConcept: poc(`${name}.${ext}`, p.pocs[name]!),
        }),
      );
      found.push({ vulnId: f.vulnId, key: p.expectedKey, token: lab.token });
    }
    expect(new Set(found.map((f) => f.vulnId)).size).toBe(4);
    await app.services.jobs.drain();
    for (const f of found) {
      const v = await vuln(f.vulnId);
      expect(v.validation, JSON.stringify(v.reproductions)).toMatchObject({ state: 'validated', method: 'reproduction', crashSignature: f.key });
    }
    const res = await call(app, 'POST', `/v1/vulns/${found[2]!.vulnId}/fix`, { body: { commit: multi.fixed } });
    expect(res.status, res.text).toBe(202);
    await app.services.jobs.drain();
    const rootId = found[0]!.vulnId; // the earliest record names the group
    for (const f of found) {
      const v = await vuln(f.vulnId);
      expect(v.validation.fix).toEqual({ commit: multi.fixed, status: 'fix-verified' });
      expect(v.validation.rootCause.id).toBe(rootId);
      expect(v.validation.rootCause.records.map((r: any) => r.id).sort()).toEqual(found.map((x) => x.vulnId).sort());
      expect(v.mergedInto).toBeNull();
      // every finder keeps its credit
      expect(v.findings).toHaveLength(1);
      expect((await vuln(f.vulnId, f.token)).findings[0].status).toBe('first-report');
    }
  });

  it('contains hostile proofs of concept and reports each as what it was', async () => {
    const policy = await call(app, 'PATCH', '/v1/policy', { body: { 'sandbox.wallSeconds': 3, 'sandbox.cpuSeconds': 2 } });
    expect(policy.status, policy.text).toBe(200);
    const script = (title: string, text: string) =>
      submit(labA.token, native({ title, target: { repo: 'https://example.org/scripts.git' }, version: '1.0', location: { path: `${title}.sh` }, proofOfConcept: poc('poc.sh', Buffer.from(text)) }));
    const loop = await script('spins', 'while :; do :; done\n');
    const escape = await script('escapes', 'echo owned > /etc/owned; echo owned > /target/owned; echo kept > /scratch/kept; cat /etc/shadow; exit 0\n');
    // PostgreSQL listens on the host's 127.0.0.1:5432; the sandbox has its own, empty network namespace
    const network = await script(
      'phones-home',
      `perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(PeerAddr => "127.0.0.1:5432", Timeout => 2) ? "connected\\n" : "refused: $!\\n"'; getent hosts example.org || echo no-dns; exit 0\n`,
    );
    await app.services.jobs.drain();
    const runOf = async (f: { vulnId: string }) => (await vuln(f.vulnId)).reproductions[0];
    const spun = await runOf(loop);
    expect(spun.verdict, JSON.stringify(spun.runs[0].outcome)).toBe('timeout');
    expect(spun.runs[0].outcome.kind).toBe('timeout');
    const escaped = await runOf(escape);
    expect(escaped.verdict).toBe('no-crash');
    const stderr = Buffer.from(escaped.runs[0].stderr.base64, 'base64').toString();
    expect(stderr).toMatch(/Read-only file system|Permission denied|No such file/);
    await expect(readFile('/etc/owned')).rejects.toThrow();
    const phoned = await runOf(network);
    const out = Buffer.from(phoned.runs[0].stdout.base64, 'base64').toString();
    expect(out).not.toMatch(/^connected/m);
    expect(out).toMatch(/^refused: /m);
    expect(out).toContain('no-dns');
    for (const f of [loop, escape, network]) expect((await vuln(f.vulnId)).validation.state).toBe('rejected');
    await call(app, 'PATCH', '/v1/policy', { body: { 'sandbox.wallSeconds': 30, 'sandbox.cpuSeconds': 10 } });
  });

  it('keeps a coordinator\'s rejection when a later reproduction crashes; only a coordinator\'s attestation lifts it', async () => {
    const f = await submit(
      labB.token,
      native({ title: 'crashes its shell', target: { repo: 'https://example.org/scripts.git' }, version: '1.0', location: { path: 'segv.sh' }, proofOfConcept: poc('poc.sh', Buffer.from('kill -SEGV $$\n')) }),
    );
    // rejected by a coordinator while the reproduction is still queued
    const rejected = await call(app, 'POST', `/v1/vulns/${f.vulnId}/reject`, { body: { reason: 'not-reproducible', rationale: 'tried by hand on the release build' } });
    expect(rejected.body.state).toBe('rejected');
    await app.services.jobs.drain();
    const v = await vuln(f.vulnId);
    expect(v.reproductions[0]).toMatchObject({ status: 'reproduced', signatureKey: 'Segv' });
    expect(v.validation).toMatchObject({ state: 'rejected', rejectionReason: 'not-reproducible' });
    const attested = await call(app, 'POST', `/v1/vulns/${f.vulnId}/attest`, { body: { rationale: 'the sandbox reproduction is convincing', confidence: 0.9 } });
    expect(attested.body).toMatchObject({ state: 'validated', method: 'attestation' });
  });

  it('validates a record two independent organizations reported, by corroboration, as policy says', async () => {
    const sarif = (tool: string, line: number, file = 'src/copy.c', snippet = 'memcpy(dst, src, n);') => ({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: tool, version: '1', rules: [{ id: 'R1', properties: { tags: ['CWE-787'] } }] } },
          results: [{ ruleId: 'R1', level: 'error', message: { text: 'write past buffer' }, locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: line, snippet: { text: snippet } } } }] }],
        },
      ],
    });
    const a = await call(app, 'POST', `/v1/findings?targetId=${targets.multi}`, { token: labA.token, body: sarif('tool-a', 10) });
    expect(a.status, a.text).toBe(201);
    const aFinding = (await call(app, 'GET', `/v1/findings?documentId=${a.body.document.id}`, { token: labA.token })).body.items[0];
    expect((await vuln(aFinding.vulnId)).validation.state).toBe('unvalidated');
    const b = await call(app, 'POST', `/v1/findings?targetId=${targets.multi}`, { token: labB.token, body: sarif('tool-b', 14) });
    expect(b.body.summary.duplicates).toBe(1);
    expect((await vuln(aFinding.vulnId)).validation).toMatchObject({ state: 'validated', method: 'corroboration', confidence: 0.7 });
    // the same organization twice is not independent; a higher bar in policy is respected
    expect((await call(app, 'PATCH', '/v1/policy', { token: labA.token, body: { 'validation.corroborationOrgs': 3 } })).status).toBe(403);
    const bad = await call(app, 'PATCH', '/v1/policy', { body: { 'validation.corroborationOrgs': 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('/validation.corroborationOrgs');
    expect((await call(app, 'PATCH', '/v1/policy', { body: { 'validation.corroborationOrgs': 3 } })).status).toBe(200);
    const c = await call(app, 'POST', `/v1/findings?targetId=${targets.multi}`, { token: labA.token, body: sarif('tool-c', 40, 'src/move.c', 'memmove(out, in, len + 1);') });
    const cFinding = (await call(app, 'GET', `/v1/findings?documentId=${c.body.document.id}`, { token: labA.token })).body.items[0];
    await call(app, 'POST', `/v1/findings?targetId=${targets.multi}`, { token: labB.token, body: sarif('tool-d', 44, 'src/move.c', 'memmove(out, in, len + 1);') });
    expect((await vuln(cFinding.vulnId)).validation.state).toBe('unvalidated');
    expect((await call(app, 'GET', '/v1/policy', { token: null })).body.values['validation.corroborationOrgs']).toBe(3);
    await call(app, 'PATCH', '/v1/policy', { body: { 'validation.corroborationOrgs': 2 } });
  });

  it('lets coordinators reject with a reason, and nobody else', async () => {
    const f = await submit(labA.token, native({ title: 'Not a bug', commit: planted.commits.fixed, location: { path: 'z.c' } }));
    expect((await call(app, 'POST', `/v1/vulns/${f.vulnId}/reject`, { token: maint.token, body: { reason: 'not-a-vulnerability', rationale: 'intended' } })).status).toBe(403);
    const noDup = await call(app, 'POST', `/v1/vulns/${f.vulnId}/reject`, { body: { reason: 'duplicate', rationale: 'same as the TLV one' } });
    expect(noDup.status).toBe(400);
    expect(noDup.body.field).toBe('/duplicateOf');
    const rejected = await call(app, 'POST', `/v1/vulns/${f.vulnId}/reject`, { body: { reason: 'duplicate', rationale: 'same as the TLV one', duplicateOf: first.vulnDisplayId } });
    expect(rejected.body).toMatchObject({ state: 'rejected', rejectionReason: 'duplicate' });
    const events = (await vuln(f.vulnId)).validationEvents;
    expect(events.at(-1)).toMatchObject({ from: 'unvalidated', actorOrg: expect.any(String), evidence: { rationale: 'same as the TLV one', duplicateOf: first.vulnId } });
    // requesting validation of a record without a proof of concept is a conflict, not a job
    expect((await call(app, 'POST', `/v1/vulns/${f.vulnId}/validate`, { body: {} })).status).toBe(409);
    expect((await call(app, 'POST', `/v1/vulns/${f.vulnId}/validate`, { token: labA.token, body: {} })).status).toBe(403);
  });

  it('keeps each reporter\'s reproduction and duplicate rates for coordinators, and shows jobs on a need-to-know basis', async () => {
    const q = await call(app, 'GET', '/v1/reporters/quality');
    expect(q.status).toBe(200);
    const a = q.body.items.find((x: any) => x.orgId === labA.orgId);
    const b = q.body.items.find((x: any) => x.orgId === labB.orgId);
    // Lab A: the TLV over-read and two planted bugs reproduced; the broken contract, the wrong claim and the
    // three hostile scripts did not
    expect(a).toMatchObject({ reproductionsTried: 8, reproduced: 3, notReproduced: 5 });
    expect(a.reproductionRate).toBe(0.375);
    expect(b.duplicates).toBeGreaterThanOrEqual(1);
    expect((await call(app, 'GET', '/v1/reporters/quality', { token: labA.token })).status).toBe(403);
    const mine = await call(app, 'GET', '/v1/jobs?kind=reproduce', { token: labB.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    const all = await call(app, 'GET', '/v1/jobs?kind=reproduce&limit=500');
    expect(all.body.items.length).toBeGreaterThan(mine.body.items.length);
    expect(all.body.items.every((j: any) => j.status === 'succeeded')).toBe(true);
    expect((await call(app, 'GET', '/v1/jobs?status=done')).status).toBe(400);
  });
});
