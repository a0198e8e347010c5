// What client commands share: the server, the token and the output mode, resolved from flags and env.
import type { Command } from 'commander';
import { configFromEnv } from '../runtime/config.js';
import { Client, resolveToken } from './client.js';
import { output, type Output } from './output.js';

export interface CliContext {
  client(): Client;
  out(): Output;
}

export function cliContext(program: Command): CliContext {
  const opts = () => program.opts<{ server?: string; token?: string; json?: boolean }>();
  return {
    client: () => {
      const o = opts();
      const server = o.server ?? process.env.CLEARINGHOUSE_URL ?? `http://127.0.0.1:${process.env.PORT || 8080}`;
      return new Client({ server, token: resolveToken(o.token, process.env, configFromEnv(process.env).home) });
    },
    out: () => output(Boolean(opts().json)),
  };
}
