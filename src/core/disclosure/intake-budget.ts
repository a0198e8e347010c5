// A maintainer's intake budget: AI scanners can bury a small project in reports, so case notices to one
// maintainer organization go out in digests, most urgent first, at most `cap` in any rolling `periodDays`,
// across every reporter together. What does not fit waits, visible to coordinators.

export interface PendingNotice {
  caseId: string;
  /** Sorts most urgent first (the remediation priority key). */
  priorityKey: string;
  queuedAt: Date;
}

export interface BudgetPolicy {
  cap: number;
  periodDays: number;
}

/** Which pending notices fit in this digest, given the instants of notices already sent. */
export function planDigest(pending: readonly PendingNotice[], sentAt: readonly Date[], policy: BudgetPolicy, now: Date): { send: PendingNotice[]; waiting: PendingNotice[]; room: number; nextRoomAt: Date | null } {
  const windowStart = now.getTime() - policy.periodDays * 86_400_000;
  const recent = sentAt.filter((d) => d.getTime() > windowStart).map((d) => d.getTime()).sort((a, b) => a - b);
  const room = Math.max(0, policy.cap - recent.length);
  const ranked = [...pending].sort((a, b) => (a.priorityKey < b.priorityKey ? -1 : a.priorityKey > b.priorityKey ? 1 : a.queuedAt.getTime() - b.queuedAt.getTime() || (a.caseId < b.caseId ? -1 : 1)));
  const send = ranked.slice(0, room);
  const waiting = ranked.slice(room);
  // when the oldest notice in the window ages out, one more fits
  const nextRoomAt = waiting.length && recent.length ? new Date(recent[Math.max(0, recent.length - policy.cap)]! + policy.periodDays * 86_400_000) : null;
  return { send, waiting, room, nextRoomAt };
}
