// API tokens: issued to an organization, shown once, listed by prefix, revocable; need-to-know on every path.
import { randomUUID } from 'node:crypto';
import { canManageOrgTokens, hasScope, seesAllOrgs, type Caller, type Scope } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, invalidField, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import { defaultTokenScopes, hashToken, issueToken, looksLikeToken, maxTokenLifetimeDays, parseScopes } from '../core/tokens.js';
import * as orgStore from '../store/orgs.js';
import * as tokenStore from '../store/tokens.js';
import { write, type Db, type ServiceContext } from './context.js';
import type { Page } from './orgs.js';

const day = 86_400_000;
export const defaultTokenLifetimeDays = 90;

export interface TokenView {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface IssuedTokenView extends TokenView {
  /** The secret: returned once, at creation, and never again. */
  token: string;
}

function tokenView(t: tokenStore.TokenRecord): TokenView {
  return {
    id: t.id,
    orgId: t.orgId,
    name: t.name,
    prefix: t.visiblePrefix,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}

/** What the log commits to: the token's public state, never its secret or hash. */
function tokenState(t: tokenStore.TokenRecord): unknown {
  const { lastUsedAt: _ignored, ...rest } = tokenView(t);
  return rest;
}

export interface NewTokenInput {
  orgId?: string;
  name?: unknown;
  scopes?: unknown;
  expiresAt?: unknown;
  expiresInDays?: unknown;
}

export class TokenService {
  /** When this process last recorded each token's use: keeps `last_used_at` to one write a minute. */
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly ctx: ServiceContext) {}

  private expiry(input: NewTokenInput, now: Date, lifetimeDays: number): Date {
    if (input.expiresAt !== undefined && input.expiresInDays !== undefined) throw invalidField('/expiresAt', 'give expiresAt or expiresInDays, not both');
    let at: Date;
    if (input.expiresAt !== undefined) {
      if (typeof input.expiresAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(input.expiresAt) || Number.isNaN(Date.parse(input.expiresAt))) {
        throw invalidField('/expiresAt', 'expiresAt must be an ISO 8601 instant with a time zone, e.g. 2027-01-31T00:00:00Z');
      }
      at = new Date(input.expiresAt);
    } else if (input.expiresInDays !== undefined) {
      if (typeof input.expiresInDays !== 'number' || !Number.isFinite(input.expiresInDays) || input.expiresInDays <= 0) {
        throw invalidField('/expiresInDays', 'expiresInDays must be a positive number');
      }
      at = new Date(now.getTime() + input.expiresInDays * day);
    } else {
      at = new Date(now.getTime() + lifetimeDays * day);
    }
    if (at.getTime() <= now.getTime()) throw invalidField(input.expiresAt !== undefined ? '/expiresAt' : '/expiresInDays', 'the expiry must be in the future');
    if (at.getTime() > now.getTime() + maxTokenLifetimeDays * day) {
      throw invalidField(input.expiresAt !== undefined ? '/expiresAt' : '/expiresInDays', `a token may live at most ${maxTokenLifetimeDays} days`);
    }
    return at;
  }

  /** Issues a token inside an existing transaction (used by bootstrap as well as by the API). */
  async issue(trx: Db, caller: Caller | null, orgId: string, input: NewTokenInput, lifetimeDays = defaultTokenLifetimeDays) {
    const name = input.name === undefined ? 'token' : input.name;
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) throw invalidField('/name', 'name must be 1–100 characters');
    const scopes = input.scopes === undefined ? [...defaultTokenScopes] : parseScopes(input.scopes);
    if (caller) {
      const wider = scopes.find((s) => !hasScope(caller.scopes, s));
      if (wider) throw new AppError('forbidden', `a token cannot grant the ${wider} scope, which the calling token lacks`, { field: '/scopes' });
    }
    const now = this.ctx.clock.now();
    const expiresAt = this.expiry(input, now, lifetimeDays);
    const issued = issueToken();
    const record = await tokenStore.insertToken(trx, {
      id: randomUUID(),
      orgId,
      name: name.trim(),
      hash: issued.hash,
      visiblePrefix: issued.visiblePrefix,
      scopes,
      createdAt: now,
      createdByToken: caller?.tokenId ?? null,
      expiresAt,
    });
    const view: IssuedTokenView = { ...tokenView(record), token: issued.secret };
    return { view, event: { action: 'token.create', objectType: 'token', objectId: record.id, stateSha256: digestOf(tokenState(record)) } };
  }

  async create(caller: Caller, input: NewTokenInput): Promise<IssuedTokenView> {
    const orgId = input.orgId ?? caller.orgId;
    if (!isUuid(orgId) || !(seesAllOrgs(caller) || orgId === caller.orgId)) throw notFound('organization', orgId);
    if (!canManageOrgTokens(caller, orgId)) throw new AppError('forbidden', 'only a coordinator or the organization itself, with the admin scope, issues its tokens');
    return write(this.ctx, caller, async (trx) => {
      if (!(await orgStore.findOrg(trx, orgId))) throw notFound('organization', orgId);
      const { view, event } = await this.issue(trx, caller, orgId, input);
      return { result: view, events: [event] };
    });
  }

  async list(caller: Caller, filter: Page & { orgId?: string }): Promise<TokenView[]> {
    const orgId = filter.orgId ?? (seesAllOrgs(caller) ? undefined : caller.orgId);
    if (orgId !== undefined && (!isUuid(orgId) || (!seesAllOrgs(caller) && orgId !== caller.orgId))) throw notFound('organization', orgId);
    const rows = await tokenStore.listTokens(this.ctx.db, { limit: filter.limit, offset: filter.offset, ...(orgId ? { orgId } : {}) });
    return rows.map(tokenView);
  }

  async revoke(caller: Caller, tokenId: string): Promise<TokenView> {
    if (!isUuid(tokenId)) throw notFound('token', tokenId);
    return write(this.ctx, caller, async (trx) => {
      const token = await tokenStore.findToken(trx, tokenId);
      if (!token || !(seesAllOrgs(caller) || token.orgId === caller.orgId)) throw notFound('token', tokenId);
      if (!canManageOrgTokens(caller, token.orgId)) throw new AppError('forbidden', 'revoking needs the admin scope of the token\'s organization or a coordinator');
      const revoked = await tokenStore.revokeToken(trx, tokenId, this.ctx.clock.now());
      if (!revoked) return { result: tokenView(token), events: [] };
      return {
        result: tokenView(revoked),
        events: [{ action: 'token.revoke', objectType: 'token', objectId: tokenId, stateSha256: digestOf(tokenState(revoked)) }],
      };
    });
  }

  /** Turns a presented secret into the caller it stands for, or a 401 saying why not. */
  async authenticate(secret: string): Promise<Caller> {
    if (!looksLikeToken(secret)) throw new AppError('unauthenticated', 'the bearer token is malformed');
    const token = await tokenStore.findTokenByHash(this.ctx.db, hashToken(secret));
    if (!token) throw new AppError('unauthenticated', 'the bearer token is not valid');
    const now = this.ctx.clock.now();
    if (token.revokedAt) throw new AppError('unauthenticated', `the bearer token ${token.visiblePrefix}… was revoked`);
    if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) {
      throw new AppError('unauthenticated', `the bearer token ${token.visiblePrefix}… expired at ${token.expiresAt.toISOString()}`);
    }
    const touched = this.lastTouched.get(token.id) ?? 0;
    if (now.getTime() - touched > 60_000) {
      this.lastTouched.set(token.id, now.getTime());
      await tokenStore.touchToken(this.ctx.db, token.id, now);
    }
    return { orgId: token.orgId, orgKind: token.orgKind, tokenId: token.id, scopes: token.scopes };
  }
}
