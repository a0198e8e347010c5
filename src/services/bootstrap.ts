// First start: the clearinghouse's own coordinator organization and its first admin token.
import { randomUUID } from 'node:crypto';
import { digestOf } from '../core/canonical-json.js';
import type { OrgProfile } from '../core/orgs.js';
import { isUniqueViolation } from '../store/errors.js';
import * as orgStore from '../store/orgs.js';
import { write, type ServiceContext } from './context.js';
import { orgView } from './orgs.js';
import type { IssuedTokenView, TokenService } from './tokens.js';

export const firstCoordinatorName = 'Clearinghouse coordinators';
const bootstrapTokenDays = 365;

/**
 * Creates the coordinator organization and an admin token when the database has no organization yet.
 * Returns the token (to be shown once) or null when the database was already set up. Two processes
 * starting at once on one server race on the organization's unique name; the loser returns null.
 */
export async function bootstrapFirstCoordinator(ctx: ServiceContext, tokens: TokenService): Promise<IssuedTokenView | null> {
  if ((await orgStore.countOrgs(ctx.db)) > 0) return null;
  try {
    return await write(ctx, null, async (trx) => {
      const profile: OrgProfile = { kind: 'coordinator' };
      const org = await orgStore.insertOrg(trx, { id: randomUUID(), name: firstCoordinatorName, profile, createdAt: ctx.clock.now() });
      const { view, event } = await tokens.issue(trx, null, org.id, { name: 'first admin (created at init)', scopes: ['read', 'write', 'admin'] }, bootstrapTokenDays);
      return {
        result: view,
        events: [{ action: 'org.create', objectType: 'org', objectId: org.id, stateSha256: digestOf(orgView(org)) }, event],
      };
    });
  } catch (err) {
    if (isUniqueViolation(err) || (err as { code?: string }).code === 'conflict') return null;
    throw err;
  }
}
