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
  imp
    .command('osv <path>')
    .description('import an OSV database export: a zip, a directory of records (zipped on the way), or a JSON file')
    .action(async (path: string) => {
      const { body, mediaType } = await uploadBody(path, (l) => cli.out().info(l));
      const res = await cli.client().upload<{ import: ImportRow }>(`/v1/imports/osv${query({ source: path.replace(/\/+$/, '').split('/').pop() })}`, body, mediaType);
      const i = res.import;
      cli.out().print(res, () =>
        fields([
          ['import', i.id],
          ['records', i.records],
          ['added', i.added],
          ['changed', `${i.changed}${i.changes.changed.length ? ` (${i.changes.changed.slice(0, 5).join(', ')}${i.changed > 5 ? ', …' : ''})` : ''}`],
          ['unchanged', i.unchanged],
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
