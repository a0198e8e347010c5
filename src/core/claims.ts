// Scan claims: a scanner organization's lease on a target for a scope, and when two leases collide.
import { cweClasses } from './cwe-classes.js';
import { AppError, invalidField } from './errors.js';

/** What a claim covers: everything, a named weakness class, or a list of CWEs. */
export type ClaimScope = { kind: 'all' } | { kind: 'class'; name: string; cwes: number[] } | { kind: 'cwe'; cwes: number[] };

export const defaultLeaseHours = 72;
export const maxLeaseHours = 14 * 24;

function cwesOfClass(name: string): number[] | null {
  const set = (cweClasses as Record<string, Iterable<number> | undefined>)[name];
  return set ? [...set].sort((a, b) => a - b) : null;
}

export function classNames(): string[] {
  return Object.keys(cweClasses).sort();
}

/** Accepts `all`, a class name (`memory-safety`), or CWEs (`CWE-787,CWE-416`, `[787, 416]`). */
export function parseScope(input: unknown, field = '/scope'): ClaimScope {
  if (input === undefined || input === null || input === '' || input === 'all') return { kind: 'all' };
  const list = Array.isArray(input) ? input : typeof input === 'string' && /^\s*(cwe-)?\d+/i.test(input) ? input.split(',') : null;
  if (list) {
    const cwes = new Set<number>();
    for (const item of list) {
      const m = /^\s*(?:CWE-)?(\d{1,5})\s*$/i.exec(String(item));
      if (!m) throw invalidField(field, `"${String(item)}" is not a CWE (write CWE-787 or 787)`);
      cwes.add(Number(m[1]));
    }
    if (cwes.size === 0) throw invalidField(field, 'a CWE scope needs at least one CWE');
    return { kind: 'cwe', cwes: [...cwes].sort((a, b) => a - b) };
  }
  if (typeof input === 'string') {
    const cwes = cwesOfClass(input);
    if (cwes) return { kind: 'class', name: input, cwes };
  }
  throw invalidField(field, `scope must be "all", a class (${classNames().join(', ')}) or a list of CWEs`);
}

export function scopeLabel(scope: ClaimScope): string {
  if (scope.kind === 'all') return 'all';
  if (scope.kind === 'class') return scope.name;
  return scope.cwes.map((c) => `CWE-${c}`).join(',');
}

/** Two scopes overlap when either is `all` or they share a CWE. */
export function scopesOverlap(a: ClaimScope, b: ClaimScope): boolean {
  if (a.kind === 'all' || b.kind === 'all') return true;
  const set = new Set(a.cwes);
  return b.cwes.some((c) => set.has(c));
}

export function parseLeaseHours(input: unknown, field = '/leaseHours'): number {
  if (input === undefined || input === null) return defaultLeaseHours;
  if (typeof input !== 'number' || !Number.isFinite(input) || input <= 0 || input > maxLeaseHours) {
    throw invalidField(field, `leaseHours must be a number of hours above 0 and at most ${maxLeaseHours}`);
  }
  return input;
}

export interface ActiveClaim {
  orgId: string;
  scope: ClaimScope;
  expiresAt: Date;
}

/**
 * Whether `orgId` may claim `scope` now, given the target's other active claims and how many
 * organizations may scan it at once. Returns the instant the target frees up when it may not.
 */
export function claimConflict(orgId: string, scope: ClaimScope, active: readonly ActiveClaim[], maxConcurrent: number): { freeAt: Date } | null {
  // The latest expiry of each other organization holding an overlapping claim.
  const byOrg = new Map<string, number>();
  for (const c of active) {
    if (c.orgId === orgId || !scopesOverlap(scope, c.scope)) continue;
    byOrg.set(c.orgId, Math.max(byOrg.get(c.orgId) ?? 0, c.expiresAt.getTime()));
  }
  if (byOrg.size < maxConcurrent) return null;
  // With N allowed, a place opens when all but N-1 of the others have expired.
  const expiries = [...byOrg.values()].sort((a, b) => a - b);
  return { freeAt: new Date(expiries[byOrg.size - maxConcurrent]!) };
}

export function claimConflictError(freeAt: Date): AppError {
  return new AppError('conflict', `another organization holds an overlapping claim on this target until ${freeAt.toISOString()}`, {
    field: '/targetId',
    extra: { freeAt: freeAt.toISOString() },
  });
}
