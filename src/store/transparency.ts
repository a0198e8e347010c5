// The public transparency report's figures: aggregates over cases and records only — no case, record or
// organization is named, so it can be public while cases are embargoed.
import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

/** Validated records not yet published (in a live case or none), by age since they were reported. */
export async function heldByAge(db: Db, now: Date): Promise<Array<{ bucket: string; records: number }>> {
  const { rows } = await sql<{ bucket: string; records: number }>`
    WITH held AS (
      SELECT v.created_at FROM vulnerabilities v
      LEFT JOIN case_vulns cv ON cv.vuln_id = v.id LEFT JOIN cases c ON c.id = cv.case_id
      WHERE v.merged_into IS NULL AND v.validation_state = 'validated' AND (c.id IS NULL OR c.state NOT IN ('published', 'closed-unfixed'))
    )
    SELECT CASE WHEN age < 30 THEN '0-29 days' WHEN age < 90 THEN '30-89 days' WHEN age < 180 THEN '90-179 days' ELSE '180+ days' END AS bucket, count(*)::int AS records
    FROM (SELECT extract(epoch FROM (${now}::timestamptz - created_at)) / 86400 AS age FROM held) h
    GROUP BY 1`.execute(db);
  return rows;
}

export async function deadlineOutcomes(db: Db, now: Date): Promise<{ met: number; missed: number; overdue: number; closedUnfixed: number }> {
  const { rows } = await sql<{ met: number; missed: number; overdue: number; closed: number }>`
    SELECT count(*) FILTER (WHERE state = 'published' AND publish_at IS NOT NULL AND published_at <= publish_at + interval '1 hour')::int AS met,
      count(*) FILTER (WHERE state = 'published' AND publish_at IS NOT NULL AND published_at > publish_at + interval '1 hour')::int AS missed,
      count(*) FILTER (WHERE state NOT IN ('published', 'closed-unfixed') AND publish_at < ${now})::int AS overdue,
      count(*) FILTER (WHERE state = 'closed-unfixed')::int AS closed
    FROM cases`.execute(db);
  const r = rows[0]!;
  return { met: r.met, missed: r.missed, overdue: r.overdue, closedUnfixed: r.closed };
}

export async function holds(db: Db, now: Date): Promise<{ active: number; pastReview: number; reviewDates: string[]; decisions: number }> {
  const { rows } = await sql<{ review_at: Date }>`SELECT hold_review_at AS review_at FROM cases WHERE state = 'equities-hold' ORDER BY hold_review_at`.execute(db);
  const { rows: d } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM equities_decisions`.execute(db);
  return { active: rows.length, pastReview: rows.filter((r) => r.review_at <= now).length, reviewDates: rows.map((r) => r.review_at.toISOString()), decisions: d[0]?.n ?? 0 };
}

/** Days from the first report of a case's records to its fix and to its publication. */
export async function caseDurations(db: Db): Promise<Array<{ toFix: number | null; toPublication: number | null }>> {
  const { rows } = await sql<{ to_fix: number | null; to_pub: number | null }>`
    SELECT extract(epoch FROM (c.fix_available_at - r.reported)) / 86400 AS to_fix, extract(epoch FROM (c.published_at - r.reported)) / 86400 AS to_pub
    FROM cases c JOIN LATERAL (SELECT min(v.created_at) AS reported FROM case_vulns cv JOIN vulnerabilities v ON v.id = cv.vuln_id WHERE cv.case_id = c.id) r ON true
    WHERE c.fix_available_at IS NOT NULL OR c.published_at IS NOT NULL`.execute(db);
  return rows.map((r) => ({ toFix: r.to_fix === null ? null : Number(r.to_fix), toPublication: r.to_pub === null ? null : Number(r.to_pub) }));
}

/** Hours from a case's opening to each participant's notice, by role and class. */
export async function notificationDelays(db: Db): Promise<Array<{ group: string; hours: number }>> {
  const { rows } = await sql<{ grp: string; hours: number }>`
    SELECT CASE WHEN p.role = 'operator' THEN 'operator:' || coalesce(p.asset_class, 'unknown') ELSE p.role END AS grp,
      extract(epoch FROM (p.notified_at - c.opened_at)) / 3600 AS hours
    FROM case_participants p JOIN cases c ON c.id = p.case_id
    WHERE p.notified_at IS NOT NULL AND p.role <> 'reporter'`.execute(db);
  return rows.map((r) => ({ group: r.grp, hours: Number(r.hours) }));
}
