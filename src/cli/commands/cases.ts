// `clearinghouse case …` and `cve-ids import`: coordinated disclosure from the command line.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listAll, query } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';

interface CaseRow {
  id: string;
  displayId: string;
  title: string;
  state: string;
  tlp: string;
  exploited: boolean;
  wave: { current: number; name: string };
  openedAt: string;
  maintainerNotifiedAt: string | null;
  fixAvailableAt: string | null;
  fixedVersions: string[];
  deadline: { publishAt: string | null; detailAt: string | null; rule: string | null };
  hold: { reviewAt: string } | null;
  advisoryId: string | null;
  cveId: string | null;
  vulnerabilities: Array<{ displayId: string; title: string }>;
  products: Array<{ purlKey: string; affectedVersions: string[]; status: string; justification: string | null }>;
  participants: Array<{ orgName: string; role: string; wave: number; assets: number; notifiedAt: string | null }>;
  timeline: Array<{ at: string; kind: string; detail: Record<string, unknown> }>;
  detail?: { description?: string; locations?: unknown[]; proofsOfConcept?: unknown[] };
  waitingNotice?: boolean;
}

function show(c: CaseRow): string {
  const lines = fields([
    ['case', `${c.displayId} (${c.id})`],
    ['title', c.title],
    ['state', c.state + (c.hold ? `, review at ${c.hold.reviewAt}` : '') + (c.waitingNotice ? ' (maintainer notice waiting for budget)' : '')],
    ['TLP', `TLP:${c.tlp}`],
    ['wave', `${c.wave.current} (${c.wave.name})`],
    ['records', c.vulnerabilities.map((v) => `${v.displayId} ${v.title}`).join('; ')],
    ['maintainer notified', c.maintainerNotifiedAt],
    ['fix available', c.fixAvailableAt ? `${c.fixAvailableAt} (${c.fixedVersions.join(', ')})` : null],
    ['publish at', c.deadline.publishAt ? `${c.deadline.publishAt} — ${c.deadline.rule}` : c.deadline.rule],
    ['detail from', c.deadline.detailAt],
    ['advisory', c.advisoryId ? `${c.advisoryId}${c.cveId ? ` / ${c.cveId}` : ''}` : null],
  ]);
  const products = table(c.products, [
    { header: 'product', value: (p) => p.purlKey },
    { header: 'versions', value: (p) => p.affectedVersions.join(', ') },
    { header: 'VEX', value: (p) => p.status + (p.justification ? ` (${p.justification})` : '') },
  ]);
  const people = table(c.participants, [
    { header: 'participant', value: (p) => p.orgName },
    { header: 'role', value: (p) => p.role },
    { header: 'wave', value: (p) => p.wave },
    { header: 'assets', value: (p) => (p.role === 'operator' ? p.assets : '') },
    { header: 'notified', value: (p) => p.notifiedAt ?? 'not yet' },
  ]);
  const detail = c.detail ? `\ndetail (embargoed; this read is logged)\n${c.detail.description ?? ''}\n${c.detail.proofsOfConcept ? `${c.detail.proofsOfConcept.length} proof(s) of concept, ${c.detail.locations?.length ?? 0} code location(s); --json for all\n` : ''}` : '';
  const timeline = c.timeline.map((e) => `  ${e.at}  ${e.kind}`).join('\n');
  return `${lines}\n${products}\n${people}${detail}\ntimeline\n${timeline}\n`;
}

export function registerCases(program: Command, cli: CliContext): void {
  const kase = program.command('case').description('coordinated disclosure cases');
  kase
    .command('open')
    .description('open a case over validated records (coordinators)')
    .requiredOption('--vuln <ids...>', 'the records (ids or CHV ids)')
    .requiredOption('--title <title>', 'a title without embargoed detail (auditors see it)')
    .option('--tlp <label>', 'TLP 2.0 label of the case (default AMBER)')
    .option('--exploited', 'actively exploited: the short deadline applies')
    .action(async (o: { vuln: string[]; title: string; tlp?: string; exploited?: boolean }) => {
      const c = await cli.client().post<CaseRow>('/v1/cases', { vulnerabilities: o.vuln, title: o.title, ...(o.tlp ? { tlp: o.tlp } : {}), ...(o.exploited ? { exploited: true } : {}) });
      cli.out().print(c, () => show(c));
    });
  kase
    .command('list')
    .description('cases you may see (all, for coordinators and auditors)')
    .option('--state <state>', 'only cases in this state')
    .action(async (o: { state?: string }) => {
      const rows = await listAll<{ displayId: string; title: string; state: string; tlp: string; publishAt: string | null; advisoryId: string | null }>(cli.client(), '/v1/cases', o.state ? { state: o.state } : {});
      cli.out().print(rows, () =>
        rows.length === 0
          ? 'no cases\n'
          : table(rows, [
              { header: 'case', value: (c) => c.displayId },
              { header: 'state', value: (c) => c.state },
              { header: 'TLP', value: (c) => c.tlp },
              { header: 'publish at', value: (c) => c.publishAt },
              { header: 'advisory', value: (c) => c.advisoryId },
              { header: 'title', value: (c) => c.title },
            ]),
      );
    });
  kase
    .command('show <case>')
    .description('one case: state, deadline, products, participants, timeline, and the detail if you need to know it (the read is logged)')
    .action(async (id: string) => {
      const c = await cli.client().get<CaseRow>(`/v1/cases/${encodeURIComponent(id)}`);
      cli.out().print(c, () => show(c));
    });
  kase
    .command('message <case> <text>')
    .description("write in the case's thread")
    .option('--tlp <label>', 'as restrictive as the case or more (default: the case\'s)')
    .action(async (id: string, text: string, o: { tlp?: string }) => {
      const m = await cli.client().post<{ id: string; tlp: string; createdAt: string }>(`/v1/cases/${encodeURIComponent(id)}/messages`, { body: text, ...(o.tlp ? { tlp: o.tlp } : {}) });
      cli.out().print(m, () => `message ${m.id} (TLP:${m.tlp}) at ${m.createdAt}\n`);
    });
  kase
    .command('messages <case>')
    .description("the case's thread as your TLP allows (the read is logged)")
    .action(async (id: string) => {
      const { items } = await cli.client().get<{ items: Array<{ author: string; tlp: string; body: string; createdAt: string }> }>(`/v1/cases/${encodeURIComponent(id)}/messages`);
      cli.out().print(items, () => (items.length === 0 ? 'no messages\n' : items.map((m) => `${m.createdAt}  ${m.author}  TLP:${m.tlp}\n${m.body}\n`).join('\n')));
    });
  kase
    .command('statement <case>')
    .description("state a product's VEX status (its maintainer or a coordinator)")
    .requiredOption('--product <purl>', 'the product, as its package URL without version')
    .requiredOption('--status <status>', 'known_affected, known_not_affected, fixed or under_investigation')
    .option('--justification <j>', 'for known_not_affected: component_not_present, vulnerable_code_not_present, …')
    .option('--impact <text>', 'impact statement')
    .action(async (id: string, o: { product: string; status: string; justification?: string; impact?: string }) => {
      const c = await cli.client().put<CaseRow>(`/v1/cases/${encodeURIComponent(id)}/statements`, {
        purlKey: o.product,
        status: o.status,
        ...(o.justification ? { justification: o.justification } : {}),
        ...(o.impact ? { impactStatement: o.impact } : {}),
      });
      cli.out().print(c, () => show(c));
    });
  kase
    .command('fix <case>')
    .description('report a fix in progress, or available (maintainers, coordinators)')
    .option('--in-progress', 'a fix is being made')
    .option('--fixed <versions>', 'comma-separated fixed versions: a fix is available')
    .option('--commit <sha>', 'the fixing commit: a fix is available')
    .action(async (id: string, o: { inProgress?: boolean; fixed?: string; commit?: string }) => {
      const available = !!(o.fixed || o.commit);
      if (available === !!o.inProgress) throw new Error('give --in-progress, or --fixed and/or --commit');
      const c = await cli.client().post<CaseRow>(`/v1/cases/${encodeURIComponent(id)}/fix`, {
        state: available ? 'fix-available' : 'fix-in-progress',
        ...(o.fixed ? { fixedVersions: o.fixed.split(',').map((v) => v.trim()).filter(Boolean) } : {}),
        ...(o.commit ? { commit: o.commit } : {}),
      });
      cli.out().print(c, () => show(c));
    });
  kase
    .command('hold <case>')
    .description('equities hold with a recorded rationale and review instant (coordinators)')
    .requiredOption('--rationale <text>', 'why (stored sealed)')
    .requiredOption('--review-at <instant>', 'ISO 8601 instant with a zone, e.g. 2027-01-15T00:00:00Z')
    .action(async (id: string, o: { rationale: string; reviewAt: string }) => {
      const c = await cli.client().post<CaseRow>(`/v1/cases/${encodeURIComponent(id)}/hold`, { rationale: o.rationale, reviewAt: o.reviewAt });
      cli.out().print(c, () => show(c));
    });
  kase
    .command('release <case>')
    .description('end an equities hold (coordinators)')
    .action(async (id: string) => {
      const c = await cli.client().post<CaseRow>(`/v1/cases/${encodeURIComponent(id)}/release`, {});
      cli.out().print(c, () => show(c));
    });
  kase
    .command('close <case>')
    .description('close a case unfixed (coordinators)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { reason: string }) => {
      const c = await cli.client().post<CaseRow>(`/v1/cases/${encodeURIComponent(id)}/close`, { reason: o.reason });
      cli.out().print(c, () => show(c));
    });
  kase
    .command('publish <case>')
    .description('publish now: remaining waves first, then the advisory with a reserved CVE id (coordinators)')
    .action(async (id: string) => {
      const c = await cli.client().post<CaseRow>(`/v1/cases/${encodeURIComponent(id)}/publish`, {});
      cli.out().print(c, () => show(c));
    });
  kase
    .command('notices')
    .description("maintainer notices waiting for room in their intake budgets (coordinators, auditors)")
    .action(async () => {
      const { items } = await cli.client().get<{ items: Array<{ caseId: string; maintainerOrg: string; queuedAt: string }> }>(`/v1/cases/notices${query({})}`);
      cli.out().print(items, () =>
        items.length === 0 ? 'nothing waits\n' : table(items, [{ header: 'case', value: (n) => n.caseId }, { header: 'maintainer', value: (n) => n.maintainerOrg }, { header: 'queued', value: (n) => n.queuedAt }]),
      );
    });

  program
    .command('transparency')
    .description('the public transparency report: held vulnerabilities by age, deadlines, equities holds, time to fix and publish, notice timing by class')
    .action(async () => {
      type Dist = { count: number; median: number | null; p90: number | null };
      const r = await cli.client().get<{ heldUndisclosed: { total: number; byAge: Record<string, number> }; deadlines: Record<string, number>; equitiesHolds: { active: number; pastReview: number; reviewDates: string[] }; daysFromReport: { toFix: Dist; toPublication: Dist }; notificationHours: Record<string, Dist> }>('/v1/transparency', { auth: false });
      const d = (x: Dist, unit: string) => (x.count ? `median ${x.median} ${unit}, p90 ${x.p90} ${unit} (${x.count})` : 'none yet');
      cli.out().print(r, () =>
        fields([
          ['held undisclosed', `${r.heldUndisclosed.total} (${Object.entries(r.heldUndisclosed.byAge).map(([k, v]) => `${k}: ${v}`).join(', ')})`],
          ['deadlines', `met ${r.deadlines.met}, missed ${r.deadlines.missed}, overdue ${r.deadlines.overdue}, closed unfixed ${r.deadlines.closedUnfixed}`],
          ['equities holds', `${r.equitiesHolds.active} active, ${r.equitiesHolds.pastReview} past review${r.equitiesHolds.reviewDates.length ? ` (reviews ${r.equitiesHolds.reviewDates.join(', ')})` : ''}`],
          ['report → fix', d(r.daysFromReport.toFix, 'days')],
          ['report → publication', d(r.daysFromReport.toPublication, 'days')],
          ...Object.entries(r.notificationHours).map(([k, v]) => [`notice: ${k}`, d(v, 'h')] as [string, string]),
        ]),
      );
    });

  program
    .command('cve-ids')
    .description('the pool of reserved CVE ids publication assigns from')
    .command('import <file-or-ids...>')
    .description('import reserved CVE ids: a file with one per line (or JSON array), or the ids themselves (coordinators)')
    .action(async (args: string[]) => {
      let ids: string[] = [];
      for (const a of args) {
        if (/^CVE-\d{4}-\d{4,}$/.test(a)) ids.push(a);
        else {
          const text = await readFile(a, 'utf8');
          const t = text.trim();
          ids = ids.concat(t.startsWith('[') ? (JSON.parse(t) as string[]) : t.split(/\s+/).filter(Boolean));
        }
      }
      const r = await cli.client().post<{ added: number; free: number; assigned: number }>('/v1/cve-ids', { ids });
      cli.out().print(r, () => fields([['added', r.added], ['free', r.free], ['assigned', r.assigned]]));
    });
}
