// Who may do what: token scopes, the caller a request acts as, and each route's declared needs.
import { AppError } from './errors.js';
import type { OrgKind } from './orgs.js';

/** `admin` implies `write`, which implies `read`. */
export const scopes = ['read', 'write', 'admin'] as const;
export type Scope = (typeof scopes)[number];

const scopeRank: Record<Scope, number> = { read: 0, write: 1, admin: 2 };

export function hasScope(held: readonly Scope[], needed: Scope): boolean {
  return held.some((s) => scopeRank[s] >= scopeRank[needed]);
}

/** The authenticated party behind a request: always an organization, through one of its tokens. */
export interface Caller {
  orgId: string;
  orgKind: OrgKind;
  tokenId: string;
  scopes: readonly Scope[];
}

/** What a route needs. Every route declares one; a route without a declaration cannot be registered. */
export type RouteAccess = PublicAccess | OrgAccess;
export interface PublicAccess {
  readonly public: true;
}
export interface OrgAccess {
  readonly kinds: readonly OrgKind[] | 'any';
  readonly scope: Scope;
}

export function isPublic(access: RouteAccess): access is PublicAccess {
  return 'public' in access;
}

/** 401 when no caller, 403 when the caller's kind or scope does not fit. Object-level checks come later (404). */
export function authorize(caller: Caller | null, access: RouteAccess): void {
  if (isPublic(access)) return;
  if (!caller) throw new AppError('unauthenticated', 'a bearer token is required');
  if (access.kinds !== 'any' && !access.kinds.includes(caller.orgKind)) {
    throw new AppError('forbidden', `organizations of kind ${caller.orgKind} may not do this (allowed: ${access.kinds.join(', ')})`);
  }
  if (!hasScope(caller.scopes, access.scope)) {
    throw new AppError('forbidden', `this token lacks the ${access.scope} scope`);
  }
}

/** Coordinators and auditors see every organization's metadata; everyone else sees only their own. */
export function seesAllOrgs(caller: Caller): boolean {
  return caller.orgKind === 'coordinator' || caller.orgKind === 'auditor';
}

export function canManageOrgTokens(caller: Caller, orgId: string): boolean {
  if (!hasScope(caller.scopes, 'admin')) return false;
  return caller.orgKind === 'coordinator' || caller.orgId === orgId;
}
