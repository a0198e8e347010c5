// The `clearinghouse` command line: server commands and client commands that talk to a server's API.
import { Command, CommanderError } from 'commander';
import { ClientError } from './client.js';
import { registerAdvisories } from './commands/advisories.js';
import { registerAgent } from './commands/agent.js';
import { registerAssets } from './commands/assets.js';
import { registerCases } from './commands/cases.js';
import { registerModels } from './commands/models.js';
import { registerDeconfliction } from './commands/deconfliction.js';
import { registerDelivery } from './commands/delivery.js';
import { registerFindings } from './commands/findings.js';
import { registerLog } from './commands/log.js';
import { registerOrgs } from './commands/orgs.js';
import { registerScore } from './commands/score.js';
import { registerServe } from './commands/serve.js';
import { registerValidation } from './commands/validation.js';
import { cliContext } from './context.js';
import { packageVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command('clearinghouse')
    .description('AI Cybersecurity Clearinghouse')
    .version(packageVersion())
    .option('--server <url>', 'server URL for client commands (env CLEARINGHOUSE_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env CLEARINGHOUSE_TOKEN, else the admin.token in CLEARINGHOUSE_HOME)')
    .option('--json', 'machine-readable output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const cli = cliContext(program);
  registerServe(program);
  registerOrgs(program, cli);
  registerLog(program, cli);
  registerDeconfliction(program, cli);
  registerFindings(program, cli);
  registerAgent(program, cli);
  registerValidation(program, cli);
  registerScore(program, cli);
  registerAssets(program, cli);
  registerAdvisories(program, cli);
  registerDelivery(program, cli);
  registerCases(program, cli);
  registerModels(program, cli);
  return program;
}

/** Runs the CLI; every failure becomes one line on stderr and a non-zero exit status. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help/version text).
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`clearinghouse: ${message.split('\n')[0]}\n`);
    process.exitCode = err instanceof ClientError && err.status === null ? 3 : 1;
  }
}
