// The public transparency report: how long the clearinghouse holds undisclosed vulnerabilities, whether it
// meets its deadlines, its equities holds, how long fixes and publication take, and how soon each class of
// organization hears — the figures that show notification waves are policy, not favours.
import * as store from '../store/transparency.js';
import type { ServiceContext } from './context.js';

export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
}

export interface TransparencyReport {
  generatedAt: string;
  heldUndisclosed: { total: number; byAge: Record<string, number> };
  deadlines: { met: number; missed: number; overdue: number; closedUnfixed: number };
  equitiesHolds: { active: number; pastReview: number; reviewDates: string[]; decisions: number };
  daysFromReport: { toFix: Distribution; toPublication: Distribution };
  /** Hours from a case's opening to the notice, by who: maintainer, operator:<class>. */
  notificationHours: Record<string, Distribution>;
}

function distribution(values: number[]): Distribution {
  const v = [...values].sort((a, b) => a - b);
  const at = (p: number) => (v.length ? Math.round(v[Math.min(v.length - 1, Math.floor(p * v.length))]! * 10) / 10 : null);
  return { count: v.length, median: at(0.5), p90: at(0.9) };
}

export const ageBuckets = ['0-29 days', '30-89 days', '90-179 days', '180+ days'] as const;

export class TransparencyService {
  constructor(private readonly ctx: ServiceContext) {}

  async report(): Promise<TransparencyReport> {
    const now = this.ctx.clock.now();
    const [held, deadlines, holds, durations, delays] = await Promise.all([
      store.heldByAge(this.ctx.db, now),
      store.deadlineOutcomes(this.ctx.db, now),
      store.holds(this.ctx.db, now),
      store.caseDurations(this.ctx.db),
      store.notificationDelays(this.ctx.db),
    ]);
    const byAge = Object.fromEntries(ageBuckets.map((b) => [b, held.find((h) => h.bucket === b)?.records ?? 0]));
    const groups = new Map<string, number[]>();
    for (const d of delays) groups.set(d.group, [...(groups.get(d.group) ?? []), d.hours]);
    const order = ['maintainer', 'operator:nss', 'operator:dow', 'operator:fceb', 'operator:sltt', 'operator:ci'];
    const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length);
    return {
      generatedAt: now.toISOString(),
      heldUndisclosed: { total: Object.values(byAge).reduce((a, b) => a + b, 0), byAge },
      deadlines,
      equitiesHolds: holds,
      daysFromReport: {
        toFix: distribution(durations.map((d) => d.toFix).filter((x): x is number => x !== null)),
        toPublication: distribution(durations.map((d) => d.toPublication).filter((x): x is number => x !== null)),
      },
      notificationHours: Object.fromEntries([...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((g) => [g, distribution(groups.get(g)!)])),
    };
  }
}
