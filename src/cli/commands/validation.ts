// Validation from the command line: `target recipe`, `vuln validate|fix|attest|reject`, `job list`,
// `org quality`, `policy show|set`, and `attestation get|verify` (verify works offline, with only the key).
import { createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { verifyEnvelope, type AttestationPublicKey } from '../../formats/attestation.js';
import { parseVerifierKey } from '../../formats/signed-note.js';
import { listAll, type Client } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';
import { waitForJob } from './findings.js';

interface Reproduction {
  id: string;
  kind: string;
  status: string;
  verdict: string | null;
  commit: string | null;
  signatureKey: string | null;
  jobId: string | null;
}

interface Validation {
  state: string;
  method: string | null;
  confidence: number | null;
  rejectionReason: string | null;
  crashSignature: string | null;
  fix: { commit: string; status: string } | null;
  rootCause: { id: string; records: Array<{ displayId: string }> } | null;
}

function sub(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`command ${name} must be registered before validation commands`);
  return found;
}

export function validationLines(v: Validation): Array<[string, string | number | null]> {
  const state = v.state === 'validated' ? `validated by ${v.method} (confidence ${v.confidence})` : v.state === 'rejected' ? `rejected: ${v.rejectionReason}` : 'unvalidated';
  return [
    ['validation', state],
    ['crash signature', v.crashSignature],
    ['fix', v.fix ? `${v.fix.commit} (${v.fix.status})` : null],
    ['root cause', v.rootCause ? v.rootCause.records.map((r) => r.displayId).join(', ') : null],
  ];
}

export const reproductionColumns = [
  { header: 'reproduction', value: (r: Reproduction) => r.id },
  { header: 'kind', value: (r: Reproduction) => r.kind },
  { header: 'status', value: (r: Reproduction) => r.status },
  { header: 'verdict', value: (r: Reproduction) => r.verdict },
  { header: 'commit', value: (r: Reproduction) => r.commit?.slice(0, 12) },
  { header: 'signature', value: (r: Reproduction) => r.signatureKey },
];

async function waitAll(client: Client, jobIds: string[], info: (l: string) => void): Promise<boolean> {
  let ok = true;
  for (const id of jobIds) if ((await waitForJob(client, id, info)).status !== 'succeeded') ok = false;
  return ok;
}

/** A public key for verification: a signed-note verifier key (name+hash+base64), or a PEM file's text. */
function publicKeyFrom(text: string): AttestationPublicKey {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) {
    const der = createPublicKey(t).export({ format: 'der', type: 'spki' });
    return { publicKey: Buffer.from(der.subarray(der.length - 32)) };
  }
  return parseVerifierKey(t);
}

export function registerValidation(program: Command, cli: CliContext): void {
  sub(program, 'target')
    .command('recipe <targetId>')
    .description("show a target's build recipe, or set it with the options (coordinators, the target's maintainers)")
    .option('--source-kind <kind>', 'git, path or tarball')
    .option('--source <where>', 'git URL or repository path, source directory, or tarball path or URL')
    .option('--commit <ref>', 'commit (git) or version label built when a finding names none')
    .option('--build <command>', 'build command, run in the source tree inside the sandbox')
    .option('--run <command>', 'command that runs a proof of concept against the build; {poc} is its path')
    .action(async (targetId: string, o: { sourceKind?: string; source?: string; commit?: string; build?: string; run?: string }) => {
      const client = cli.client();
      const setting = [o.sourceKind, o.source, o.commit, o.build, o.run].some((x) => x !== undefined);
      const path = `/v1/targets/${encodeURIComponent(targetId)}/recipe`;
      if (setting) {
        const missing = (['sourceKind', 'source', 'build', 'run'] as const).find((k) => o[k] === undefined);
        if (missing) throw new Error(`to set a recipe give --source-kind, --source, --build and --run (missing --${missing.replace('sourceKind', 'source-kind')})`);
      }
      const r = setting
        ? await client.put<Record<string, string | null>>(path, { sourceKind: o.sourceKind, source: o.source, commit: o.commit ?? null, buildCommand: o.build, runCommand: o.run })
        : await client.get<Record<string, string | null>>(path);
      cli.out().print(r, () =>
        fields([
          ['target', r.targetId],
          ['source', `${r.sourceKind} ${r.source}`],
          ['commit', r.commit],
          ['build', r.buildCommand],
          ['run', r.runCommand],
          ['updated', r.updatedAt],
        ]),
      );
    });

  const vuln = sub(program, 'vuln');
  vuln
    .command('validate <id>')
    .description('reproduce the proofs of concept of a record in the sandbox (coordinators)')
    .option('--finding <id>', 'only this finding\'s proof of concept')
    .option('--no-wait', 'queue and return at once')
    .action(async (id: string, o: { finding?: string; wait: boolean }) => {
      const client = cli.client();
      const res = await client.post<{ reproductions: Reproduction[] }>(`/v1/vulns/${encodeURIComponent(id)}/validate`, o.finding ? { findingId: o.finding } : {});
      if (res.reproductions.length === 0) cli.out().info('every proof of concept in this record is already queued or reproduced');
      if (o.wait && !(await waitAll(client, res.reproductions.map((r) => r.jobId!).filter(Boolean), (l) => cli.out().info(l)))) process.exitCode = 1;
      const v = await client.get<{ displayId: string; validation: Validation; reproductions: Reproduction[] }>(`/v1/vulns/${encodeURIComponent(id)}`);
      cli.out().print(v, () => fields([['record', v.displayId], ...validationLines(v.validation)]) + '\n' + table(v.reproductions, reproductionColumns));
    });
  vuln
    .command('fix <id>')
    .description('record the commit that fixes a record and verify it against the reproduced proof of concept')
    .requiredOption('--commit <ref>', 'the fixing commit (or tag) in the target\'s source')
    .option('--no-wait', 'queue and return at once')
    .action(async (id: string, o: { commit: string; wait: boolean }) => {
      const client = cli.client();
      const res = await client.post<{ reproduction: Reproduction }>(`/v1/vulns/${encodeURIComponent(id)}/fix`, { commit: o.commit });
      if (o.wait && res.reproduction.jobId && !(await waitAll(client, [res.reproduction.jobId], (l) => cli.out().info(l)))) process.exitCode = 1;
      const v = await client.get<{ displayId: string; validation: Validation }>(`/v1/vulns/${encodeURIComponent(id)}`);
      cli.out().print(v, () => fields([['record', v.displayId], ...validationLines(v.validation)]));
      if (v.validation.fix?.status === 'fix-failed') process.exitCode = 1;
    });
  vuln
    .command('attest <id>')
    .description('validate a record by attestation (coordinators)')
    .requiredOption('--rationale <text>', 'why; recorded and logged')
    .option('--confidence <n>', 'from above 0 to 1 (default 0.8)')
    .action(async (id: string, o: { rationale: string; confidence?: string }) => {
      const confidence = o.confidence === undefined ? undefined : Number(o.confidence);
      if (confidence !== undefined && !(confidence > 0 && confidence <= 1)) throw new Error(`--confidence must be a number above 0 and at most 1, not ${o.confidence}`);
      const v = await cli.client().post<Validation>(`/v1/vulns/${encodeURIComponent(id)}/attest`, { rationale: o.rationale, ...(confidence !== undefined ? { confidence } : {}) });
      cli.out().print(v, () => fields(validationLines(v)));
    });
  vuln
    .command('reject <id>')
    .description('reject a record (coordinators)')
    .requiredOption('--reason <reason>', 'not-reproducible, not-a-vulnerability, out-of-scope or duplicate')
    .requiredOption('--rationale <text>', 'why; recorded and logged')
    .option('--duplicate-of <id>', 'with --reason duplicate: the record it duplicates')
    .action(async (id: string, o: { reason: string; rationale: string; duplicateOf?: string }) => {
      const v = await cli.client().post<Validation>(`/v1/vulns/${encodeURIComponent(id)}/reject`, { reason: o.reason, rationale: o.rationale, ...(o.duplicateOf ? { duplicateOf: o.duplicateOf } : {}) });
      cli.out().print(v, () => fields(validationLines(v)));
    });

  sub(program, 'job')
    .command('list')
    .description('background jobs, newest first (your organization\'s; all for coordinators)')
    .option('--status <status>', 'queued, running, succeeded or failed')
    .option('--kind <kind>', 'intake, reproduce or verify-fix')
    .action(async (o: { status?: string; kind?: string }) => {
      const rows = await listAll<{ id: string; kind: string; status: string; attempts: number; createdAt: string; finishedAt: string | null }>(cli.client(), '/v1/jobs', { status: o.status, kind: o.kind });
      cli.out().print(rows, () =>
        table(rows, [
          { header: 'job', value: (j) => j.id },
          { header: 'kind', value: (j) => j.kind },
          { header: 'status', value: (j) => j.status },
          { header: 'attempts', value: (j) => j.attempts },
          { header: 'created', value: (j) => j.createdAt },
          { header: 'finished', value: (j) => j.finishedAt },
        ]),
      );
    });

  sub(program, 'org')
    .command('quality')
    .description("each reporting organization's duplicate and reproduction rates (coordinators, auditors)")
    .action(async () => {
      const { items } = await cli.client().get<{ items: Array<{ orgName: string; findings: number; duplicateRate: number | null; reproductionsTried: number; reproductionRate: number | null }> }>('/v1/reporters/quality');
      const pct = (r: number | null) => (r === null ? null : `${(r * 100).toFixed(1)}%`);
      cli.out().print(items, () =>
        table(items, [
          { header: 'organization', value: (q) => q.orgName },
          { header: 'findings', value: (q) => q.findings },
          { header: 'duplicates', value: (q) => pct(q.duplicateRate) },
          { header: 'reproductions', value: (q) => q.reproductionsTried },
          { header: 'reproduced', value: (q) => pct(q.reproductionRate) },
        ]),
      );
    });

  const policy = program.command('policy').description('clearinghouse policy (public; coordinators change it)');
  policy
    .command('show')
    .action(async () => {
      const p = await cli.client().get<{ settings: Array<{ name: string; value: unknown; defaultValue: unknown; description: string }> }>('/v1/policy', { auth: false });
      cli.out().print(p, () => table(p.settings, [
        { header: 'setting', value: (s) => s.name },
        { header: 'value', value: (s) => JSON.stringify(s.value) },
        { header: 'default', value: (s) => JSON.stringify(s.defaultValue) },
        { header: 'meaning', value: (s) => s.description },
      ]));
    });
  policy
    .command('set <assignments...>')
    .description('change settings: name=value (a JSON value: 3, true, "text")')
    .action(async (assignments: string[]) => {
      const update: Record<string, unknown> = {};
      for (const a of assignments) {
        const eq = a.indexOf('=');
        if (eq <= 0) throw new Error(`"${a}" is not name=value`);
        const raw = a.slice(eq + 1);
        try {
          update[a.slice(0, eq)] = JSON.parse(raw);
        } catch {
          update[a.slice(0, eq)] = raw;
        }
      }
      const p = await cli.client().request<{ values: Record<string, unknown> }>('PATCH', '/v1/policy', update);
      cli.out().print(p, () => fields(Object.keys(update).map((k) => [k, JSON.stringify(p.values[k])])));
    });

  const attestation = program.command('attestation').description('signed attestations of reproductions and fix verifications');
  attestation
    .command('get <reproductionId>')
    .description('download the DSSE envelope of a reproduction or fix verification')
    .option('-o, --output <file>', 'write it to a file instead of stdout')
    .action(async (id: string, o: { output?: string }) => {
      const envelope = await cli.client().get(`/v1/reproductions/${encodeURIComponent(id)}/attestation`);
      const text = `${JSON.stringify(envelope, null, 2)}\n`;
      if (o.output) await writeFile(o.output, text);
      else process.stdout.write(text);
    });
  attestation
    .command('verify <file>')
    .description('verify an attestation offline against the clearinghouse key; prints what it attests')
    .option('--key <keyOrFile>', 'the verifier key (name+hash+base64, as /v1/attestations/key gives it) or a PEM file')
    .option('--fetch-key', 'fetch the key from the server instead (not offline)')
    .action(async (file: string, o: { key?: string; fetchKey?: boolean }) => {
      let keyText: string;
      // a file holding the key (PEM or verifier key), or the verifier key itself
      if (o.key) keyText = await readFile(o.key, 'utf8').catch(() => o.key!);
      else if (o.fetchKey) keyText = (await cli.client().get<{ vkey: string }>('/v1/attestations/key', { auth: false })).vkey;
      else throw new Error('give --key (offline) or --fetch-key');
      const text = await readFile(file, 'utf8').catch((err: Error) => {
        throw new Error(`cannot read ${file}: ${err.message}`);
      });
      let key: AttestationPublicKey;
      try {
        key = publicKeyFrom(keyText);
      } catch (err) {
        throw new Error(`--key is not a verifier key or PEM public key: ${(err as Error).message}`);
      }
      let statement;
      try {
        statement = verifyEnvelope(text, [key]);
      } catch (err) {
        throw new Error(`${file}: ${(err as Error).message}`);
      }
      const p = statement.predicate;
      cli.out().print(statement, () =>
        `verified: signed by the clearinghouse key\n` +
        fields([
          ['kind', p.kind],
          ['result', `${p.result} (${p.verdict})`],
          ['vulnerability', p.vulnerabilityId],
          ['finding', p.findingId],
          ['reporter', `${p.reporter.orgId} with ${p.reporter.scanner.name}${p.reporter.model ? ` / ${p.reporter.model.name} ${p.reporter.model.version ?? ''}` : ''}`],
          ['target', `${p.target.purl ?? p.target.repo} at ${p.target.commit}`],
          ['crash', p.crash?.key ?? null],
          ['proof of concept', `sha256:${statement.subject[0]!.digest.sha256}`],
          ['when', `${p.startedAt} – ${p.finishedAt}`],
        ]),
      );
    });
}
