// `clearinghouse log checkpoint | verify`: read and independently verify the transparency log.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { fields } from '../output.js';
import { defaultStateFile, verifyLog } from '../log-verifier.js';

export function registerLog(program: Command, cli: CliContext): void {
  const log = program.command('log').description('the public transparency log');
  log
    .command('checkpoint')
    .description('print the latest signed checkpoint')
    .action(async () => {
      const note = await cli.client().get<string>('/v1/log/checkpoint', { auth: false, accept: 'text/plain' });
      cli.out().print({ checkpoint: note }, () => note);
    });
  log
    .command('verify')
    .description('verify the signed checkpoint, its consistency with the last one verified here, and every entry')
    .option('--state <file>', 'where the last verified checkpoint is remembered (default: under $XDG_STATE_HOME)')
    .option('--key <vkey>', 'trust this verifier key (name+hash+base64) instead of the pinned one')
    .option('--skip-entries', 'check signature and consistency only')
    .action(async (opts: { state?: string; key?: string; skipEntries?: boolean }) => {
      const client = cli.client();
      const out = cli.out();
      const stateFile = opts.state ?? defaultStateFile(client.server);
      let lastShown = 0;
      const report = await verifyLog(client, {
        stateFile,
        ...(opts.key ? { key: opts.key } : {}),
        ...(opts.skipEntries ? { skipEntries: true } : {}),
        progress: (done, total) => {
          if (!out.json && process.stderr.isTTY && (done - lastShown >= 10_000 || done === total)) {
            lastShown = done;
            process.stderr.write(`\rchecked ${done}/${total} entries`);
            if (done === total) process.stderr.write('\n');
          }
        },
      });
      out.print(report, () =>
        [
          `log verified: ${report.origin}`,
          fields([
            ['tree size', report.size],
            ['root hash', report.rootHash],
            ['entries checked', report.entriesChecked],
            ['consistent with', report.previousSize === null ? 'first verification from here (key pinned)' : `size ${report.previousSize} verified earlier`],
            ['remembered in', stateFile],
          ]),
        ].join('\n'),
      );
    });
}
