// `clearinghouse submit`, `findings`, `vuln` and `job`: reporting findings and following what became of them.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Zip, ZipDeflate } from 'fflate';
import type { Command } from 'commander';
import { listAll, query, type Client, type UploadBody } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';
import { reproductionColumns, validationLines } from './validation.js';

interface Submission {
  state: 'processed' | 'queued';
  created: boolean;
  document: { id: string; sha256: string; size: number };
  summary?: { findings: number; newVulnerabilities: number; duplicates: number; reasons: Record<string, number> };
  jobId?: string;
}

interface JobRow {
  id: string;
  status: string;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: { detail?: string; field?: string } | null;
}

interface FindingRow {
  id: string;
  title: string;
  severity: string | null;
  cwes: number[];
  vulnDisplayId: string;
  status: string;
  linkReason: string;
  linkScore: number;
  orgId?: string;
}

const findingColumns = [
  { header: 'finding', value: (f: FindingRow) => f.id },
  { header: 'vuln', value: (f: FindingRow) => f.vulnDisplayId },
  { header: 'status', value: (f: FindingRow) => f.status },
  { header: 'reason', value: (f: FindingRow) => `${f.linkReason} ${f.linkScore}` },
  { header: 'severity', value: (f: FindingRow) => f.severity },
  { header: 'cwe', value: (f: FindingRow) => f.cwes.map((c) => `CWE-${c}`).join(',') },
  { header: 'title', value: (f: FindingRow) => f.title.slice(0, 60) },
];

function mediaTypeOf(file: string): string {
  if (/\.sarif(\.json)?$/i.test(file)) return 'application/sarif+json';
  if (/\.zip$/i.test(file)) return 'application/zip';
  return 'application/json';
}

/** Polls a job until it ends, printing progress to stderr. */
export async function waitForJob(client: Client, id: string, onProgress: (line: string) => void): Promise<JobRow> {
  let last = '';
  for (;;) {
    const job = await client.get<JobRow>(`/v1/jobs/${id}`);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    const line = job.progress ? Object.entries(job.progress).map(([k, v]) => `${k} ${v}`).join(', ') : job.status;
    if (line !== last) onProgress(`job ${id}: ${line}`);
    last = line;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function summaryLine(s: NonNullable<Submission['summary']>): string {
  const reasons = Object.entries(s.reasons).map(([r, n]) => `${r} ${n}`).join(', ');
  return `${s.findings} findings: ${s.newVulnerabilities} new vulnerabilities, ${s.duplicates} linked to known ones (${reasons || 'none'})`;
}

/** The OSV records (.json, .yaml, .yml) under a directory, sorted, recursively. */
async function osvFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await osvFiles(p)));
    else if (e.isFile() && /\.(json|ya?ml)$/i.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * A directory export of an OSV database, zipped as it is read: one file in memory at a time, and the
 * server reads it as it reads an osv.dev zip export.
 */
function zipDirectory(dir: string, files: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const zip = new Zip((err, chunk, final) => {
        if (err) return controller.error(err);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
      void (async () => {
        try {
          for (const file of files) {
            const entry = new ZipDeflate(relative(dir, file), { level: 6 });
            zip.add(entry);
            entry.push(new Uint8Array(await readFile(file)), true);
          }
          zip.end();
        } catch (err) {
          controller.error(err);
        }
      })();
    },
  });
}

/** A file as it is, or a directory of OSV records zipped on the way; what to upload and as which media type. */
export async function uploadBody(file: string, info: (line: string) => void): Promise<{ body: UploadBody; mediaType: string }> {
  const st = await stat(file).catch((err: Error) => {
    throw new Error(`cannot read ${file}: ${err.message}`);
  });
  if (st.isDirectory()) {
    const files = await osvFiles(file);
    if (files.length === 0) throw new Error(`${file} holds no OSV records (.json, .yaml or .yml files)`);
    info(`zipping ${files.length} OSV records from ${file}`);
    return { body: zipDirectory(file, files), mediaType: 'application/zip' };
  }
  if (!st.isFile()) throw new Error(`${file} is not a file or directory`);
  return { body: createReadStream(file), mediaType: mediaTypeOf(file) };
}

export async function submitFile(
  client: Client,
  file: string,
  params: Record<string, string | undefined>,
  opts: { wait: boolean; info: (line: string) => void },
): Promise<{ submission: Submission; job: JobRow | null }> {
  const { body, mediaType } = await uploadBody(file, opts.info);
  const submission = await client.upload<Submission>(`/v1/findings${query({ filename: file.replace(/\/+$/, '').split('/').pop(), ...params })}`, body, mediaType);
  let job: JobRow | null = null;
  if (submission.state === 'queued' && submission.jobId && opts.wait) {
    job = await waitForJob(client, submission.jobId, opts.info);
    if (job.status === 'failed') throw new Error(`${file}: ${job.error?.detail ?? 'processing failed'}${job.error?.field ? ` (at ${job.error.field})` : ''}`);
  }
  return { submission, job };
}

export function registerFindings(program: Command, cli: CliContext): void {
  program
    .command('submit <file>')
    .description('submit findings: SARIF 2.1.0, OSV (one, a list, a zip export, or a directory of records) or native JSON; large files are processed in the background')
    .option('--target <targetId>', 'the scanned target (SARIF does not name it)')
    .option('--purl <purl>', 'the scanned package, when it is not a registered target')
    .option('--repo <url>', 'the scanned repository, when it is not a registered target')
    .option('--claim <claimId>', 'the claim this scan ran under')
    .option('--version <v>', 'version scanned')
    .option('--commit <sha>', 'commit scanned')
    .option('--scanner <name>', 'scanner name (default: the tool named in the document)')
    .option('--scanner-version <v>', 'scanner version')
    .option('--model <name>', 'AI model that found these')
    .option('--model-version <v>', 'AI model version')
    .option('--no-wait', 'do not wait for a background job to finish')
    .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
      const out = cli.out();
      const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const { submission, job } = await submitFile(
        cli.client(),
        file,
        {
          targetId: s('target'),
          purl: s('purl'),
          repo: s('repo'),
          claimId: s('claim'),
          version: s('version'),
          commit: s('commit'),
          scanner: s('scanner'),
          scannerVersion: s('scannerVersion'),
          model: s('model'),
          modelVersion: s('modelVersion'),
        },
        { wait: o.wait !== false, info: (l) => out.info(l) },
      );
      const summary = (job?.result as Submission['summary']) ?? submission.summary;
      out.print({ ...submission, ...(job ? { job } : {}) }, () => {
        const head = `${submission.created ? 'stored' : 'already submitted'} ${submission.document.id} (sha256 ${submission.document.sha256.slice(0, 16)}…, ${submission.document.size} bytes)\n`;
        if (summary) return head + summaryLine(summary) + '\n';
        return head + `queued as job ${submission.jobId}; follow it with: clearinghouse job show ${submission.jobId}\n`;
      });
    });

  const findings = program.command('findings').description('findings you reported (all, for coordinators)');
  findings
    .command('list')
    .option('--document <id>', 'only this document\'s findings')
    .option('--vuln <id>', 'only findings of this record')
    .action(async (o: { document?: string; vuln?: string }) => {
      const rows = await listAll<FindingRow>(cli.client(), '/v1/findings', { documentId: o.document, vulnId: o.vuln });
      cli.out().print(rows, () => table(rows, findingColumns));
    });

  const vuln = program.command('vuln').description('vulnerability records');
  vuln
    .command('show <id>')
    .description('one record (id or CHV id) with the findings you may see')
    .action(async (id: string) => {
      const v = await cli.client().get<{
        id: string;
        displayId: string;
        title: string;
        severity: string | null;
        cwes: number[];
        findingCount: number;
        mergedInto: string | null;
        creditedOrgId?: string;
        findings: FindingRow[];
        validation: Parameters<typeof validationLines>[0];
        reproductions: Parameters<typeof reproductionColumns[0]['value']>[0][];
      }>(`/v1/vulns/${encodeURIComponent(id)}`);
      cli.out().print(v, () =>
        fields([
          ['record', `${v.displayId} (${v.id})`],
          ['title', v.title],
          ['severity', v.severity],
          ['cwe', v.cwes.map((c) => `CWE-${c}`).join(', ')],
          ['findings', v.findingCount],
          ['credited', v.creditedOrgId],
          ['merged into', v.mergedInto],
          ...validationLines(v.validation),
        ]) +
          '\n' +
          table(v.findings, [...findingColumns, ...(v.creditedOrgId ? [{ header: 'org', value: (f: FindingRow) => f.orgId }] : [])]) +
          (v.reproductions.length ? '\n' + table(v.reproductions, reproductionColumns) : ''),
      );
    });
  vuln
    .command('list')
    .description('records (coordinators, auditors)')
    .action(async () => {
      const rows = await listAll<{ id: string; displayId: string; title: string; severity: string | null; findingCount: number }>(cli.client(), '/v1/vulns', {});
      cli.out().print(rows, () =>
        table(rows, [
          { header: 'record', value: (v) => v.displayId },
          { header: 'id', value: (v) => v.id },
          { header: 'severity', value: (v) => v.severity },
          { header: 'findings', value: (v) => v.findingCount },
          { header: 'title', value: (v) => v.title.slice(0, 60) },
        ]),
      );
    });
  vuln
    .command('merge <id>')
    .description('merge a record into another (coordinators)')
    .requiredOption('--into <id>', 'the record that stays')
    .requiredOption('--reason <text>', 'why; recorded and logged')
    .action(async (id: string, o: { into: string; reason: string }) => {
      const v = await cli.client().post<{ displayId: string; findingCount: number }>(`/v1/vulns/${encodeURIComponent(id)}/merge`, { into: o.into, reason: o.reason });
      cli.out().print(v, () => `merged into ${v.displayId}, which now has ${v.findingCount} findings\n`);
    });
  vuln
    .command('split <id>')
    .description('move findings of a record into a new record (coordinators)')
    .requiredOption('--findings <ids>', 'comma-separated finding ids')
    .requiredOption('--reason <text>', 'why; recorded and logged')
    .action(async (id: string, o: { findings: string; reason: string }) => {
      const v = await cli.client().post<{ displayId: string; findingCount: number }>(`/v1/vulns/${encodeURIComponent(id)}/split`, {
        findingIds: o.findings.split(',').map((s) => s.trim()).filter(Boolean),
        reason: o.reason,
      });
      cli.out().print(v, () => `new record ${v.displayId} with ${v.findingCount} findings\n`);
    });

  const job = program.command('job').description('background jobs');
  job
    .command('show <id>')
    .option('--wait', 'wait until it ends')
    .action(async (id: string, o: { wait?: boolean }) => {
      const client = cli.client();
      const j = o.wait ? await waitForJob(client, id, (l) => cli.out().info(l)) : await client.get<JobRow>(`/v1/jobs/${encodeURIComponent(id)}`);
      cli.out().print(j, () => fields([
        ['job', j.id],
        ['status', j.status],
        ['progress', j.progress ? JSON.stringify(j.progress) : null],
        ['result', j.result ? JSON.stringify(j.result) : null],
        ['error', j.error ? `${j.error.detail}${j.error.field ? ` (at ${j.error.field})` : ''}` : null],
      ]));
      if (j.status === 'failed') process.exitCode = 1;
    });
}
