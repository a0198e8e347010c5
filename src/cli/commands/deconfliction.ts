// `clearinghouse target …` and `claim …`: what to scan, and who is scanning it.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listAll } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';

export interface TargetRow {
  id: string;
  name: string;
  purl: string | null;
  repo: string | null;
  criticality: number;
  maxConcurrentScanners: number;
  lastScannedAt: string | null;
}

export interface ClaimRow {
  id: string;
  targetId: string;
  scope: string;
  expiresAt: string;
  state: string;
  renewals: number;
}

const targetColumns = [
  { header: 'id', value: (t: TargetRow) => t.id },
  { header: 'name', value: (t: TargetRow) => t.name },
  { header: 'purl', value: (t: TargetRow) => t.purl },
  { header: 'repo', value: (t: TargetRow) => t.repo },
  { header: 'criticality', value: (t: TargetRow) => t.criticality },
  { header: 'last scan', value: (t: TargetRow) => t.lastScannedAt },
];

const claimColumns = [
  { header: 'id', value: (c: ClaimRow) => c.id },
  { header: 'target', value: (c: ClaimRow) => c.targetId },
  { header: 'scope', value: (c: ClaimRow) => c.scope },
  { header: 'expires', value: (c: ClaimRow) => c.expiresAt },
  { header: 'state', value: (c: ClaimRow) => c.state },
];

function hoursOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--lease-hours must be a positive number, not ${value}`);
  return n;
}

export function registerDeconfliction(program: Command, cli: CliContext): void {
  const target = program.command('target').description('scan targets');
  target
    .command('add')
    .description('add a target (coordinators; maintainers for their own projects)')
    .option('--name <name>', 'display name (default: from the purl or repository)')
    .option('--purl <purl>', 'package URL, e.g. pkg:github/madler/zlib')
    .option('--repo <url>', 'git URL or absolute path of the source')
    .option('--criticality <0..1>', 'as the OpenSSF criticality score (default 0.5)')
    .option('--maintainer <orgId>', 'maintainer organization')
    .action(async (o: { name?: string; purl?: string; repo?: string; criticality?: string; maintainer?: string }) => {
      const body: Record<string, unknown> = {};
      if (o.name) body.name = o.name;
      if (o.purl) body.purl = o.purl;
      if (o.repo) body.repo = o.repo;
      if (o.criticality !== undefined) {
        const c = Number(o.criticality);
        if (!Number.isFinite(c)) throw new Error(`--criticality must be a number from 0 to 1, not ${o.criticality}`);
        body.criticality = c;
      }
      if (o.maintainer) body.maintainerOrgId = o.maintainer;
      const t = await cli.client().post<TargetRow>('/v1/targets', body);
      cli.out().print(t, () => table([t], targetColumns));
    });
  target
    .command('import <file>')
    .description('import targets from a JSON array or a CSV file (columns name,purl,repo,criticality,maintainerOrgId), all or nothing')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8').catch((err: Error) => {
        throw new Error(`cannot read ${file}: ${err.message}`);
      });
      const csv = /\.csv$/i.test(file) || !/^\s*[[{]/.test(text);
      const res = await cli.client().upload<{ created: number; updated: number; targets: TargetRow[] }>('/v1/targets/import', text, csv ? 'text/csv' : 'application/json');
      cli.out().print(res, () => `${res.created} created, ${res.updated} updated\n` + table(res.targets, targetColumns));
    });
  target
    .command('list')
    .description('targets, most critical first')
    .option('--search <text>', 'filter by name, purl or repository')
    .action(async (o: { search?: string }) => {
      const rows = await listAll<TargetRow>(cli.client(), '/v1/targets', { q: o.search });
      cli.out().print(rows, () => table(rows, targetColumns));
    });
  target
    .command('policy <targetId>')
    .description('scanning policy (coordinators)')
    .option('--max-scanners <n>', 'organizations allowed to scan it at once')
    .option('--interval-days <n>', 'how often it should be scanned')
    .action(async (id: string, o: { maxScanners?: string; intervalDays?: string }) => {
      const body: Record<string, number> = {};
      if (o.maxScanners) body.maxConcurrentScanners = Number(o.maxScanners);
      if (o.intervalDays) body.scanIntervalDays = Number(o.intervalDays);
      const t = await cli.client().put<TargetRow>(`/v1/targets/${encodeURIComponent(id)}/policy`, body);
      cli.out().print(t, () => table([t], targetColumns));
    });

  program
    .command('coverage')
    .description('targets by how overdue their next scan is, with who scanned what (coordinators, auditors)')
    .action(async () => {
      const rows = await listAll<{ target: TargetRow; daysOverdue: number; runs: Array<{ orgId: string; scanner: { name: string }; scannedAt: string }> }>(
        cli.client(),
        '/v1/coverage',
        {},
      );
      cli.out().print(rows, () =>
        table(rows, [
          { header: 'target', value: (r) => r.target.name },
          { header: 'overdue days', value: (r) => r.daysOverdue },
          { header: 'last scan', value: (r) => r.runs[0]?.scannedAt },
          { header: 'by', value: (r) => r.runs[0]?.orgId },
          { header: 'scanner', value: (r) => r.runs[0]?.scanner.name },
        ]),
      );
    });

  const claim = program.command('claim').description('scan claims (scanner organizations)');
  const scopeHelp = '"all" (default), a class such as memory-safety, or CWEs: CWE-787,CWE-416';
  claim
    .command('create <targetId>')
    .description('claim a target for a scope; refused while another organization holds an overlapping claim')
    .option('--scope <scope>', scopeHelp)
    .option('--lease-hours <h>', 'lease length (default 72)')
    .action(async (targetId: string, o: { scope?: string; leaseHours?: string }) => {
      const c = await cli.client().post<ClaimRow>('/v1/claims', { targetId, ...(o.scope ? { scope: o.scope } : {}), ...(o.leaseHours ? { leaseHours: hoursOption(o.leaseHours) } : {}) });
      cli.out().print(c, () => table([c], claimColumns));
    });
  claim
    .command('next')
    .description('claim the highest-priority free target')
    .option('--scope <scope>', scopeHelp)
    .option('--lease-hours <h>', 'lease length (default 72)')
    .action(async (o: { scope?: string; leaseHours?: string }) => {
      const res = await cli.client().request<{ claim: ClaimRow; target: TargetRow } | string>('POST', '/v1/claims/next', {
        ...(o.scope ? { scope: o.scope } : {}),
        ...(o.leaseHours ? { leaseHours: hoursOption(o.leaseHours) } : {}),
      });
      if (typeof res === 'string') {
        cli.out().print(null, () => 'no target is free to claim\n');
        return;
      }
      cli.out().print(res, () => fields([
        ['claim', res.claim.id],
        ['target', `${res.target.name} (${res.target.id})`],
        ['source', res.target.repo ?? res.target.purl],
        ['scope', res.claim.scope],
        ['expires', res.claim.expiresAt],
      ]));
    });
  claim
    .command('renew <claimId>')
    .description('extend a lease from now')
    .option('--lease-hours <h>', 'lease length (default 72)')
    .action(async (id: string, o: { leaseHours?: string }) => {
      const c = await cli.client().post<ClaimRow>(`/v1/claims/${encodeURIComponent(id)}/renew`, o.leaseHours ? { leaseHours: hoursOption(o.leaseHours) } : {});
      cli.out().print(c, () => table([c], claimColumns));
    });
  claim
    .command('release <claimId>')
    .description('end a lease; --finished with --scanner records the scan in coverage')
    .option('--finished', 'the scan is done')
    .option('--scanner <name>', 'scanner name')
    .option('--scanner-version <v>', 'scanner version')
    .option('--model <name>', 'AI model name')
    .option('--model-version <v>', 'AI model version')
    .option('--version <v>', 'version of the target that was scanned')
    .option('--commit <sha>', 'commit that was scanned')
    .action(async (id: string, o: { finished?: boolean; scanner?: string; scannerVersion?: string; model?: string; modelVersion?: string; version?: string; commit?: string }) => {
      const body: Record<string, unknown> = { finished: Boolean(o.finished) };
      if (o.scanner) body.scanner = { name: o.scanner, ...(o.scannerVersion ? { version: o.scannerVersion } : {}) };
      if (o.model) body.model = { name: o.model, ...(o.modelVersion ? { version: o.modelVersion } : {}) };
      if (o.version) body.version = o.version;
      if (o.commit) body.commit = o.commit;
      const c = await cli.client().post<ClaimRow>(`/v1/claims/${encodeURIComponent(id)}/release`, body);
      cli.out().print(c, () => table([c], claimColumns));
    });
  claim
    .command('list')
    .description('claims: your own (all, for coordinators)')
    .option('--active', 'only active claims')
    .action(async (o: { active?: boolean }) => {
      const rows = await listAll<ClaimRow>(cli.client(), '/v1/claims', { active: o.active ? 'true' : undefined });
      cli.out().print(rows, () => table(rows, claimColumns));
    });
}
