// Disclosure deadlines from policy (DESIGN.md, after Google Project Zero): 90 days after the maintainer is
// actually notified; +30 days when a fix is released within those 90, so users can patch; 7 days when the flaw is
// actively exploited (in KEV); full technical detail no earlier than 30 days after a fix is available. CERT/CC's
// 45-day policy is the alternative preset. Instants in, instants out — never bare dates.

export interface DeadlinePolicy {
  deadlineDays: number;
  fixGraceDays: number;
  exploitedDays: number;
  detailDelayDays: number;
  reminderDays: number;
}

export const deadlinePresets: Record<'project-zero' | 'cert-cc', DeadlinePolicy> = {
  'project-zero': { deadlineDays: 90, fixGraceDays: 30, exploitedDays: 7, detailDelayDays: 30, reminderDays: 14 },
  'cert-cc': { deadlineDays: 45, fixGraceDays: 0, exploitedDays: 7, detailDelayDays: 0, reminderDays: 7 },
};

const day = 86_400_000;

export interface DeadlineFacts {
  /** When the maintainer was notified: the clock starts here, not at the report. */
  maintainerNotifiedAt: Date | null;
  fixAvailableAt: Date | null;
  /** Actively exploited (listed in KEV). */
  exploited: boolean;
}

export interface Deadline {
  /** When the case is published unless held; null until the maintainer is notified. */
  publishAt: Date | null;
  /** Earliest time the full technical detail (proof of concept) may be published; null until a fix exists. */
  detailAt: Date | null;
  /** When a reminder is due before the deadline. */
  remindAt: Date | null;
  /** Which rule decided, in words. */
  rule: string;
}

export function deadlineFor(policy: DeadlinePolicy, f: DeadlineFacts): Deadline {
  if (!f.maintainerNotifiedAt) return { publishAt: null, detailAt: null, remindAt: null, rule: 'the clock starts when the maintainer is notified' };
  const start = f.maintainerNotifiedAt.getTime();
  let publishAt: number;
  let rule: string;
  if (f.exploited) {
    publishAt = start + policy.exploitedDays * day;
    rule = `actively exploited (KEV): ${policy.exploitedDays} days after the maintainer was notified`;
  } else {
    publishAt = start + policy.deadlineDays * day;
    rule = `${policy.deadlineDays} days after the maintainer was notified`;
    if (f.fixAvailableAt && f.fixAvailableAt.getTime() <= publishAt && policy.fixGraceDays > 0) {
      publishAt += policy.fixGraceDays * day;
      rule += `, +${policy.fixGraceDays} because a fix was released within them`;
    }
  }
  const detailAt = f.fixAvailableAt ? new Date(Math.max(publishAt, f.fixAvailableAt.getTime() + policy.detailDelayDays * day)) : null;
  const remindAt = policy.reminderDays > 0 ? new Date(publishAt - policy.reminderDays * day) : null;
  return { publishAt: new Date(publishAt), detailAt, remindAt, rule };
}
