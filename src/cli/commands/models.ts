// `clearinghouse model …` and `criteria …`: voluntary frontier-model review from the command line.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { listAll, query } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';

interface Review {
  id: string;
  submittedAt: string;
  windowEndsAt: string;
  withdrawnAt: string | null;
  window: string;
  grants: Array<{ id: string; partnerName: string; scopes: string[]; endsAt: string; active: boolean }>;
  findings: Array<{ kind: string; severity: string; title: string; vulnId: string | null }>;
}

interface Model {
  id: string;
  name: string;
  version: string;
  plannedReleaseAt: string;
  trainingFlop: number | null;
  results: Array<{ benchmark: string; metric: string | null; score: number; evaluatedAt: string; source: string }>;
  determinations: Array<{ criteriaVersion: string; covered: boolean; tier: string | null; rule: string }>;
  reviews: Review[];
}

const showReview = (r: Review) =>
  fields([
    ['review', r.id],
    ['window', `${r.window}: ${r.submittedAt} → ${r.windowEndsAt}${r.withdrawnAt ? ` (withdrawn ${r.withdrawnAt})` : ''}`],
    ['grants', r.grants.map((g) => `${g.partnerName} [${g.scopes.join(', ')}] until ${g.endsAt}${g.active ? '' : ' (ended)'} (${g.id})`).join('; ') || 'none'],
    ['findings', r.findings.map((f) => `[${f.severity}] ${f.kind}: ${f.title}${f.vulnId ? ` → record ${f.vulnId}` : ''}`).join('; ') || 'none'],
  ]);

const showModel = (m: Model) =>
  fields([
    ['model', `${m.name} ${m.version} (${m.id})`],
    ['planned release', m.plannedReleaseAt],
    ['training compute', m.trainingFlop === null ? 'not disclosed' : `${m.trainingFlop.toExponential(2)} FLOP`],
    ['results', m.results.map((r) => `${r.benchmark}${r.metric ? ` ${r.metric}` : ''} ${r.score} (${r.source})`).join('; ') || 'none'],
    ['coverage', m.determinations.map((d) => `${d.covered ? `covered (${d.tier})` : 'not covered'} under ${d.criteriaVersion}: ${d.rule}`).join('; ') || 'not evaluated'],
  ]) + m.reviews.map(showReview).join('');

export function registerModels(program: Command, cli: CliContext): void {
  const model = program.command('model').description('voluntary frontier-model review');
  model
    .command('register')
    .description('register a model (AI developers)')
    .requiredOption('--name <name>', 'model name')
    .requiredOption('--model-version <version>', 'model version (--version is the CLI\'s own)')
    .requiredOption('--release <instant>', 'planned public release, ISO 8601 with a zone')
    .option('--flop <n>', 'training compute in FLOP, e.g. 3e25')
    .option('--modalities <list>', 'comma-separated, e.g. text,image', 'text')
    .option('--card <text>', 'model card (text or URL)')
    .option('--eval-log <files...>', 'Inspect evaluation logs (.json or .eval) whose headline results to add')
    .action(async (o: { name: string; modelVersion: string; release: string; flop?: string; modalities: string; card?: string; evalLog?: string[] }) => {
      const flop = o.flop === undefined ? undefined : Number(o.flop);
      if (flop !== undefined && !(flop > 0)) throw new Error(`--flop must be a positive number, not ${o.flop}`);
      let m = await cli.client().post<Model>('/v1/models', {
        name: o.name,
        version: o.modelVersion,
        plannedReleaseAt: o.release,
        ...(flop !== undefined ? { trainingFlop: flop } : {}),
        modalities: o.modalities.split(',').map((x) => x.trim()).filter(Boolean),
        ...(o.card ? { modelCard: o.card } : {}),
      });
      for (const file of o.evalLog ?? []) {
        const bytes = await readFile(file);
        m = (await cli.client().upload<{ model: Model }>(`/v1/models/${m.id}/results${query({ filename: basename(file) })}`, bytes, file.endsWith('.eval') ? 'application/zip' : 'application/json')).model;
      }
      cli.out().print(m, () => showModel(m));
    });
  model
    .command('results <model> <files...>')
    .description('add the headline results of Inspect evaluation logs (EvalLog .json or .eval archives)')
    .action(async (id: string, files: string[]) => {
      let m: Model | null = null;
      for (const file of files) {
        const bytes = await readFile(file);
        m = (await cli.client().upload<{ model: Model }>(`/v1/models/${id}/results${query({ filename: basename(file) })}`, bytes, file.endsWith('.eval') ? 'application/zip' : 'application/json')).model;
      }
      cli.out().print(m, () => showModel(m!));
    });
  model
    .command('list')
    .description('your models (developers), those you hold a grant on (partners), all (coordinators, auditors)')
    .action(async () => {
      const rows = await listAll<Model>(cli.client(), '/v1/models', {});
      cli.out().print(rows, () =>
        table(rows, [
          { header: 'model', value: (m) => `${m.name} ${m.version}` },
          { header: 'release', value: (m) => m.plannedReleaseAt },
          { header: 'coverage', value: (m) => { const d = m.determinations[m.determinations.length - 1]; return d ? (d.covered ? `covered (${d.tier})` : 'not covered') : 'not evaluated'; } },
          { header: 'review', value: (m) => m.reviews[m.reviews.length - 1]?.window ?? '' },
          { header: 'id', value: (m) => m.id },
        ]),
      );
    });
  model
    .command('show <model>')
    .description('a model with its results, coverage and reviews')
    .action(async (id: string) => {
      const m = await cli.client().get<Model>(`/v1/models/${id}`);
      cli.out().print(m, () => showModel(m));
    });
  model
    .command('evaluate <model>')
    .description('decide coverage under the criteria in force (kept as made)')
    .action(async (id: string) => {
      const d = await cli.client().post<{ covered: boolean; tier: string | null; rule: string; criteriaVersion: string }>(`/v1/models/${id}/evaluate`, {});
      cli.out().print(d, () => fields([['covered', d.covered ? `yes (${d.tier})` : 'no'], ['because', d.rule], ['criteria', d.criteriaVersion]]));
    });
  model
    .command('submit <model>')
    .description('submit for voluntary review: the window runs to the planned release, at most 30 days (developers)')
    .option('--release <instant>', 'a new planned release, ISO 8601 with a zone')
    .action(async (id: string, o: { release?: string }) => {
      const r = await cli.client().post<Review>(`/v1/models/${id}/submit`, o.release ? { releaseAt: o.release } : {});
      cli.out().print(r, () => showReview(r));
    });
  model
    .command('release <review> <instant>')
    .description('move the planned release date; the window follows (developers)')
    .action(async (id: string, at: string) => {
      const r = await cli.client().post<Review>(`/v1/reviews/${id}/release`, { releaseAt: at });
      cli.out().print(r, () => showReview(r));
    });
  model
    .command('withdraw <review>')
    .description('withdraw a submission; every grant ends (developers)')
    .action(async (id: string) => {
      const r = await cli.client().post<Review>(`/v1/reviews/${id}/withdraw`, {});
      cli.out().print(r, () => showReview(r));
    });
  model
    .command('grant <review>')
    .description('grant a partner time-boxed early access (developers, coordinators)')
    .requiredOption('--partner <orgId>', 'the partner organization')
    .requiredOption('--scopes <list>', 'comma-separated: api-access, weights-access, eval-logs')
    .requiredOption('--instructions <text>', 'access instructions and credentials (stored encrypted, shown only to the grantee)')
    .option('--expires <instant>', 'an earlier end than the window\'s')
    .action(async (id: string, o: { partner: string; scopes: string; instructions: string; expires?: string }) => {
      const r = await cli.client().post<Review>(`/v1/reviews/${id}/grants`, { partnerOrgId: o.partner, scopes: o.scopes.split(',').map((s) => s.trim()), instructions: o.instructions, ...(o.expires ? { expiresAt: o.expires } : {}) });
      cli.out().print(r, () => showReview(r));
    });
  model
    .command('access <grant>')
    .description("read a grant's access instructions while it is active (partners; each view is logged)")
    .action(async (id: string) => {
      const a = await cli.client().get<{ scopes: string[]; endsAt: string; instructions: string }>(`/v1/grants/${id}/access`);
      cli.out().print(a, () => `${fields([['scopes', a.scopes.join(', ')], ['ends', a.endsAt]])}\n${a.instructions}\n`);
    });
  model
    .command('finding <review>')
    .description('file a review finding (partners with an active grant)')
    .requiredOption('--kind <kind>', 'cyber-capability, ai-system-vulnerability or safeguard-gap')
    .requiredOption('--severity <s>', 'critical, high, medium, low or none')
    .requiredOption('--title <title>', 'one line')
    .requiredOption('--description <text>', 'what was found')
    .option('--evidence <files...>', 'attachments')
    .action(async (id: string, o: { kind: string; severity: string; title: string; description: string; evidence?: string[] }) => {
      const evidence = await Promise.all((o.evidence ?? []).map(async (f) => ({ filename: basename(f), mediaType: 'application/octet-stream', contentBase64: (await readFile(f)).toString('base64') })));
      const r = await cli.client().post<{ id: string; vulnId: string | null }>(`/v1/reviews/${id}/findings`, { kind: o.kind, severity: o.severity, title: o.title, description: o.description, ...(evidence.length ? { evidence } : {}) });
      cli.out().print(r, () => fields([['finding', r.id], ['vulnerability record', r.vulnId ?? '—']]));
    });
  model
    .command('report <review>')
    .description('the review report (developers, coordinators); --json for the JSON document')
    .action(async (id: string) => {
      // one delivery: the JSON document for --json, the readable rendering otherwise
      if (cli.out().json) {
        cli.out().print(await cli.client().get<Record<string, unknown>>(`/v1/reviews/${id}/report`), () => '');
        return;
      }
      process.stdout.write(await cli.client().get<string>(`/v1/reviews/${id}/report?format=text`, { accept: 'text/plain' }));
    });

  const criteria = program.command('criteria').description('covered-model criteria');
  criteria
    .command('show')
    .description('the criteria in force (public)')
    .action(async () => {
      const c = await cli.client().get<{ version: string; tiers: unknown[] }>('/v1/criteria', { auth: false });
      cli.out().print(c, () => `${JSON.stringify(c, null, 2)}\n`);
    });
  criteria
    .command('publish <file>')
    .description('publish a new version of the criteria from a JSON file (coordinators)')
    .action(async (file: string) => {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new Error(`${file}: not JSON: ${(err as Error).message}`);
      }
      const c = await cli.client().post<{ version: string }>('/v1/criteria', doc);
      cli.out().print(c, () => `published criteria ${c.version}\n`);
    });
}
