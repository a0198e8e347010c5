// `clearinghouse import osv|kev|epss PATH|URL` and `query PURL`: vulnerability knowledge from OSV databases,
// KEV and EPSS, uploaded from a file or fetched by the server from a URL (import sources, on a schedule).
import type { Command } from 'commander';
import { listAll, query, type Client } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';
import { uploadBody, waitForJob } from './findings.js';

interface ImportRow {
  id: string;
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  changes: { added: string[]; changed: string[] };
}

interface SourceRow {
  id: string;
  kind: string;
  url: string;
  everyHours: number | null;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  lastImportId: string | null;
  disabled: boolean;
}

function importFields(kind: string, i: ImportRow): Array<[string, string | number]> {
  return [
    ['import', i.id],
    ['records', i.records],
    ['added', i.added],
    [kind === 'kev' ? 'removed' : 'changed', `${i.changed}${i.changes.changed.length ? ` (${i.changes.changed.slice(0, 5).join(', ')}${i.changed > 5 ? ', …' : ''})` : ''}`],
    ['unchanged', i.unchanged],
  ];
}

/** A scheme (`https://`, `ftp://`, `file://`): the server fetches it, and refuses what it will not fetch. */
const isUrl = (arg: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(arg);

function everyHours(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 8760) throw new Error(`--every must be a whole number of hours from 1 to 8760, not ${JSON.stringify(value)}`);
  return n;
}

/** The enabled source fetching this URL for this kind, registered now unless there is one already. */
async function sourceFor(client: Client, kind: string, url: string, every: number | undefined): Promise<{ source: SourceRow; created: boolean }> {
  let href = url;
  try {
    href = new URL(url).href;
  } catch {
    // the server names what is wrong with it
  }
  const existing = (await listAll<SourceRow>(client, '/v1/import-sources', {})).find((s) => !s.disabled && s.kind === kind && s.url === href);
  if (existing) {
    if (every !== undefined && existing.everyHours !== every) {
      throw new Error(`import source ${existing.id} already fetches ${href} ${existing.everyHours ? `every ${existing.everyHours} hours` : 'when asked'}; delete it first (import delete ${existing.id})`);
    }
    return { source: existing, created: false };
  }
  return { source: await client.post<SourceRow>('/v1/import-sources', { kind, url, ...(every !== undefined ? { everyHours: every } : {}) }), created: true };
}

export function registerAdvisories(program: Command, cli: CliContext): void {
  const imp = program.command('import').description('import vulnerability knowledge (coordinators)');
  for (const [kind, what] of [
    ['osv', 'an OSV database export: a zip, a directory of records (zipped on the way), or a JSON file'],
    ['kev', "CISA's Known Exploited Vulnerabilities catalog (JSON); replaces the previous one"],
    ['epss', "FIRST's EPSS scores (CSV, plain or .gz)"],
  ] as const) {
    imp
      .command(`${kind} <path-or-url>`)
      .description(`import ${what}; from an http(s) URL the server fetches it (an import source, run now)`)
      .option('--every <hours>', 'with a URL: fetch it again every so many hours (1 to 8760)')
      .option('--wait', 'with a URL: wait for the run and print what it imported')
      .action(async (path: string, o: { every?: string; wait?: boolean }) => {
        if (isUrl(path)) return importFromUrl(kind, path, o);
        if (o.every !== undefined || o.wait) throw new Error('--every and --wait go with a URL; a file is imported at once');
        const { body, mediaType } = await uploadBody(path, (l) => cli.out().info(l));
        const res = await cli.client().upload<{ import: ImportRow }>(`/v1/imports/${kind}${query({ source: path.replace(/\/+$/, '').split('/').pop() })}`, body, mediaType);
        cli.out().print(res, () => fields(importFields(kind, res.import)));
      });
  }

  async function importFromUrl(kind: string, url: string, o: { every?: string; wait?: boolean }): Promise<void> {
    const client = cli.client();
    const out = cli.out();
    const { source, created } = await sourceFor(client, kind, url, everyHours(o.every));
    const { jobId } = await client.post<{ jobId: string; source: SourceRow }>(`/v1/import-sources/${source.id}/run`, {});
    const head: Array<[string, string | number | null]> = [
      ['source', `${source.id}${created ? '' : ' (registered before)'}`],
      ['every', source.everyHours ? `${source.everyHours} hours` : 'when asked'],
      ['job', jobId],
    ];
    if (!o.wait) {
      out.print({ source, jobId }, () => fields(head));
      return;
    }
    const job = await waitForJob(client, jobId, (l) => out.info(l));
    if (job.status === 'failed') throw new Error(`${url}: ${job.error?.detail ?? 'the import failed'}${job.error?.field && job.error.field !== '/' ? ` (at ${job.error.field})` : ''}`);
    const result = (job.result ?? {}) as { status?: string; import?: ImportRow; reason?: string };
    out.print({ source, jobId, result }, () =>
      fields([
        ...head,
        ['status', result.status === 'unchanged' ? 'unchanged since the last import: nothing imported' : result.status === 'skipped' ? `skipped: ${result.reason}` : (result.status ?? null)],
        ...(result.import ? importFields(kind, result.import) : []),
      ]),
    );
  }

  imp
    .command('sources')
    .description('the URLs imports are fetched from, with the outcome of each one\'s last run (coordinators, auditors)')
    .action(async () => {
      const rows = await listAll<SourceRow>(cli.client(), '/v1/import-sources', {});
      cli.out().print(rows, () =>
        rows.length === 0
          ? 'no import sources\n'
          : table(rows, [
              { header: 'source', value: (s) => s.id },
              { header: 'kind', value: (s) => s.kind },
              { header: 'url', value: (s) => s.url },
              { header: 'every', value: (s) => (s.disabled ? 'deleted' : s.everyHours ? `${s.everyHours}h` : 'when asked') },
              { header: 'last run', value: (s) => s.lastRunAt },
              { header: 'status', value: (s) => (s.lastStatus === 'failed' ? `failed: ${s.lastError ?? ''}` : s.lastStatus) },
              { header: 'next run', value: (s) => s.nextRunAt },
            ]),
      );
    });

  imp
    .command('delete <source>')
    .description('delete an import source: it is not fetched again (its record stays)')
    .action(async (id: string) => {
      const s = await cli.client().request<SourceRow>('DELETE', `/v1/import-sources/${encodeURIComponent(id)}`);
      cli.out().print(s, () => `import source ${s.id} deleted (${s.url})\n`);
    });

  program
    .command('queue')
    .description("the remediation queue, most urgent first, with why (operators: their assets; maintainers: their products; coordinators: all, with the clearinghouse's own records)")
    .option('--limit <n>', 'how many (default 100)')
    .option('--explain', 'print every input of each priority')
    .action(async (o: { limit?: string; explain?: boolean }) => {
      const { items } = await cli.client().get<{ items: Array<{ advisoryId: string; source: string; aliases: string[]; decision: string; epss: number | null; cvssScore: number | null; exposedAssets: number; assets: string[]; explanation: Array<{ input: string; value: unknown; effect: string }> }> }>(
        `/v1/queue${query({ limit: o.limit })}`,
      );
      cli.out().print(items, () =>
        items.length === 0
          ? 'nothing in the queue\n'
          : table(items, [
              { header: 'advisory', value: (i) => i.advisoryId },
              { header: 'cve', value: (i) => i.aliases.find((a) => a.startsWith('CVE-')) },
              { header: 'ssvc', value: (i) => i.decision },
              { header: 'epss', value: (i) => i.epss },
              { header: 'cvss', value: (i) => i.cvssScore },
              { header: 'exposed', value: (i) => i.exposedAssets },
              { header: 'assets', value: (i) => i.assets.join(', ') + (i.exposedAssets > i.assets.length && i.assets.length ? ', …' : '') },
            ]) + (o.explain ? items.map((i) => `\n${i.advisoryId}\n${i.explanation.map((e) => `  ${e.input}: ${JSON.stringify(e.value)} — ${e.effect}`).join('\n')}\n`).join('') : ''),
      );
    });

  program
    .command('exposure')
    .description('what your assets run that imported advisories affect (all assets, for coordinators and auditors)')
    .option('--asset <asset>', 'one asset: id, or name in your organization')
    .option('--advisory <id>', 'one advisory: the assets it affects')
    .option('--limit <n>', 'how many rows (default 500, at most 500)')
    .option('--offset <n>', 'rows to skip')
    .option('--rematch', 'coordinators: decide every known package version against every advisory again, from nothing')
    .action(async (o: { asset?: string; advisory?: string; limit?: string; offset?: string; rematch?: boolean }) => {
      if (o.rematch) {
        const r = await cli.client().post<{ packageVersions: number; packages: number; decided: number; matches: number; ms: number }>('/v1/exposure/rematch', {});
        cli.out().print(r, () => fields([['package versions', r.packageVersions], ['packages with advisories', r.packages], ['pairs decided', r.decided], ['matches', r.matches], ['took', `${r.ms} ms`]]));
        return;
      }
      const { items } = await cli.client().get<{ items: Array<{ assetName: string; assetClass: string; component: string; advisoryId: string; severity: string | null; status: string; because: string }> }>(
        `/v1/exposure${query({ asset: o.asset, advisory: o.advisory, limit: o.limit, offset: o.offset })}`,
      );
      cli.out().print(items, () =>
        items.length === 0
          ? 'no imported advisory affects these assets\n'
          : table(items, [
              { header: 'asset', value: (i) => i.assetName },
              { header: 'class', value: (i) => i.assetClass },
              { header: 'component', value: (i) => i.component },
              { header: 'advisory', value: (i) => i.advisoryId },
              { header: 'severity', value: (i) => i.severity },
              { header: 'status', value: (i) => i.status },
              { header: 'because', value: (i) => i.because },
            ]),
      );
    });

  program
    .command('query <purl>')
    .description('the imported advisories that affect one exact package version, e.g. pkg:pypi/django@3.2.0')
    .action(async (purl: string) => {
      const res = await cli.client().get<{ package: string; version: string; matches: Array<{ advisoryId: string; aliases: string[]; severity: string | null; status: string; because: string; summary: string | null }> }>(
        `/v1/query${query({ purl })}`,
      );
      cli.out().print(res, () =>
        res.matches.length === 0
          ? `no imported advisory affects ${res.package} ${res.version}\n`
          : table(res.matches, [
              { header: 'advisory', value: (m) => m.advisoryId },
              { header: 'aliases', value: (m) => m.aliases.slice(0, 3).join(', ') },
              { header: 'severity', value: (m) => m.severity },
              { header: 'status', value: (m) => m.status },
              { header: 'because', value: (m) => m.because },
              { header: 'summary', value: (m) => m.summary?.slice(0, 60) },
            ]),
      );
    });
}
