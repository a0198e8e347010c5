// `clearinghouse org …`, `token …` and `whoami`: client commands for organizations and tokens.
import type { Command } from 'commander';
import { listAll } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';

interface OrgRow {
  id: string;
  name: string;
  kind: string;
  assetClass: string | null;
  sector: string | null;
  createdAt: string;
}

interface TokenRow {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  token?: string;
}

const orgColumns = [
  { header: 'id', value: (o: OrgRow) => o.id },
  { header: 'name', value: (o: OrgRow) => o.name },
  { header: 'kind', value: (o: OrgRow) => o.kind },
  { header: 'class', value: (o: OrgRow) => o.assetClass },
  { header: 'sector', value: (o: OrgRow) => o.sector },
];

const tokenColumns = [
  { header: 'id', value: (t: TokenRow) => t.id },
  { header: 'prefix', value: (t: TokenRow) => `${t.prefix}…` },
  { header: 'name', value: (t: TokenRow) => t.name },
  { header: 'scopes', value: (t: TokenRow) => t.scopes.join(',') },
  { header: 'expires', value: (t: TokenRow) => t.expiresAt },
  { header: 'state', value: (t: TokenRow) => (t.revokedAt ? `revoked ${t.revokedAt}` : 'active') },
];

function all<T>(cli: CliContext, path: string, params: Record<string, string | undefined>): Promise<T[]> {
  return listAll<T>(cli.client(), path, params);
}

export function registerOrgs(program: Command, cli: CliContext): void {
  const org = program.command('org').description('organizations');
  org
    .command('create')
    .description('create an organization (coordinator token with the admin scope)')
    .requiredOption('--name <name>', 'organization name')
    .requiredOption('--kind <kind>', 'coordinator, scanner, maintainer, operator, partner or auditor')
    .option('--asset-class <class>', 'operators: nss, dow, fceb, sltt or ci')
    .option('--sector <sector>', 'ci operators: one of the 16 CISA sectors, e.g. energy')
    .action(async (opts: { name: string; kind: string; assetClass?: string; sector?: string }) => {
      const created = await cli.client().post<OrgRow>('/v1/orgs', {
        name: opts.name,
        kind: opts.kind,
        ...(opts.assetClass ? { assetClass: opts.assetClass } : {}),
        ...(opts.sector ? { sector: opts.sector } : {}),
      });
      cli.out().print(created, () => table([created], orgColumns));
    });
  org
    .command('list')
    .description('list organizations you may see')
    .option('--kind <kind>', 'only this kind')
    .action(async (opts: { kind?: string }) => {
      const rows = await all<OrgRow>(cli, '/v1/orgs', { kind: opts.kind });
      cli.out().print(rows, () => table(rows, orgColumns));
    });
  org
    .command('show <id>')
    .description('one organization')
    .action(async (id: string) => {
      const o = await cli.client().get<OrgRow>(`/v1/orgs/${encodeURIComponent(id)}`);
      cli.out().print(o, () => fields([['id', o.id], ['name', o.name], ['kind', o.kind], ['asset class', o.assetClass], ['sector', o.sector], ['created', o.createdAt]]));
    });

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('issue a token; its secret is printed once')
    .option('--org <id>', 'organization the token acts for (default: your own)')
    .option('--name <name>', 'what the token is for', 'token')
    .option('--scopes <list>', 'comma-separated: read, write, admin', 'read,write')
    .option('--expires-in-days <days>', 'lifetime in days (default 90, at most 400)')
    .option('--expires-at <instant>', 'expiry as an ISO 8601 instant with a time zone')
    .action(async (opts: { org?: string; name: string; scopes: string; expiresInDays?: string; expiresAt?: string }) => {
      const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
      if (days !== undefined && !(days > 0)) throw new Error(`--expires-in-days must be a positive number, not ${opts.expiresInDays}`);
      const created = await cli.client().post<TokenRow>('/v1/tokens', {
        name: opts.name,
        scopes: opts.scopes.split(',').map((s) => s.trim()).filter(Boolean),
        ...(opts.org ? { orgId: opts.org } : {}),
        ...(days !== undefined ? { expiresInDays: days } : {}),
        ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}),
      });
      cli.out().print(created, () => `${created.token}\n`);
      if (!cli.out().json) cli.out().info(`token ${created.id} (${created.prefix}…) for organization ${created.orgId}, scopes ${created.scopes.join(',')}, expires ${created.expiresAt}; the secret above is not shown again`);
    });
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--org <id>', 'only this organization\'s tokens')
    .action(async (opts: { org?: string }) => {
      const rows = await all<TokenRow>(cli, '/v1/tokens', { orgId: opts.org });
      cli.out().print(rows, () => table(rows, tokenColumns));
    });
  token
    .command('revoke <id>')
    .description('revoke a token')
    .action(async (id: string) => {
      const t = await cli.client().post<TokenRow>(`/v1/tokens/${encodeURIComponent(id)}/revoke`, {});
      cli.out().print(t, () => `revoked ${t.id} (${t.prefix}…) at ${t.revokedAt}\n`);
    });

  program
    .command('whoami')
    .description('the organization and token you are using')
    .action(async () => {
      const me = await cli.client().get<{ org: OrgRow; tokenId: string; scopes: string[] }>('/v1/whoami');
      cli.out().print(me, () => fields([['organization', `${me.org.name} (${me.org.kind})`], ['org id', me.org.id], ['token id', me.tokenId], ['scopes', me.scopes.join(',')]]));
    });
}
