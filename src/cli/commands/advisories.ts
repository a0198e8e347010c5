// `clearinghouse import osv PATH` and `query PURL`: vulnerability knowledge from OSV databases.
import type { Command } from 'commander';
import { query } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';
import { uploadBody } from './findings.js';

interface ImportRow {
  id: string;
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  changes: { added: string[]; changed: string[] };
}

export function registerAdvisories(program: Command, cli: CliContext): void {
  const imp = program.command('import').description('import vulnerability knowledge (coordinators)');
  for (const [kind, what] of [
    ['osv', 'an OSV database export: a zip, a directory of records (zipped on the way), or a JSON file'],
    ['kev', "CISA's Known Exploited Vulnerabilities catalog (JSON); replaces the previous one"],
    ['epss', "FIRST's EPSS scores (CSV, plain or .gz)"],
  ] as const) {
    imp
      .command(`${kind} <path>`)
      .description(`import ${what}`)
      .action(async (path: string) => {
        const { body, mediaType } = await uploadBody(path, (l) => cli.out().info(l));
        const res = await cli.client().upload<{ import: ImportRow }>(`/v1/imports/${kind}${query({ source: path.replace(/\/+$/, '').split('/').pop() })}`, body, mediaType);
        const i = res.import;
        cli.out().print(res, () =>
          fields([
            ['import', i.id],
            ['records', i.records],
            ['added', i.added],
            [kind === 'kev' ? 'removed' : 'changed', `${i.changed}${i.changes.changed.length ? ` (${i.changes.changed.slice(0, 5).join(', ')}${i.changed > 5 ? ', …' : ''})` : ''}`],
            ['unchanged', i.unchanged],
          ]),
        );
      });
  }

  program
    .command('queue')
    .description('the remediation queue, most urgent first, with why (your assets only, unless coordinator or auditor)')
    .option('--limit <n>', 'how many (default 100)')
    .option('--explain', 'print every input of each priority')
    .action(async (o: { limit?: string; explain?: boolean }) => {
      const { items } = await cli.client().get<{ items: Array<{ advisoryId: string; aliases: string[]; decision: string; epss: number | null; cvssScore: number | null; assets: string[]; explanation: Array<{ input: string; value: unknown; effect: string }> }> }>(
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
              { header: 'assets', value: (i) => i.assets.join(', ') },
            ]) + (o.explain ? items.map((i) => `\n${i.advisoryId}\n${i.explanation.map((e) => `  ${e.input}: ${JSON.stringify(e.value)} — ${e.effect}`).join('\n')}\n`).join('') : ''),
      );
    });

  program
    .command('exposure')
    .description('what your assets run that imported advisories affect (all assets, for coordinators and auditors)')
    .option('--asset <asset>', 'one asset: id, or name in your organization')
    .action(async (o: { asset?: string }) => {
      const { items } = await cli.client().get<{ items: Array<{ assetName: string; assetClass: string; component: string; advisoryId: string; severity: string | null; status: string; because: string }> }>(
        `/v1/exposure${query({ asset: o.asset })}`,
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
