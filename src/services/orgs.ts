// Organizations: created by coordinators; visible in full to coordinators and auditors, otherwise only one's own.
import { randomUUID } from 'node:crypto';
import { seesAllOrgs, type Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError, notFound } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import { orgAssetClass, orgSector, parseNewOrg, type AssetClass, type CiSector, type NewOrgInput, type Org, type OrgKind } from '../core/orgs.js';
import * as orgStore from '../store/orgs.js';
import { write, type ServiceContext } from './context.js';

export interface OrgView {
  id: string;
  name: string;
  kind: OrgKind;
  assetClass: AssetClass | null;
  sector: CiSector | null;
  createdAt: string;
}

export function orgView(org: Org): OrgView {
  return {
    id: org.id,
    name: org.name,
    kind: org.profile.kind,
    assetClass: orgAssetClass(org.profile),
    sector: orgSector(org.profile),
    createdAt: org.createdAt.toISOString(),
  };
}

export interface Page {
  limit: number;
  offset: number;
}

export class OrgService {
  constructor(private readonly ctx: ServiceContext) {}

  async create(caller: Caller | null, input: NewOrgInput): Promise<OrgView> {
    if (caller && caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators create organizations');
    const spec = parseNewOrg(input);
    return write(this.ctx, caller, async (trx) => {
      const org = await orgStore.insertOrg(trx, { id: randomUUID(), ...spec, createdAt: this.ctx.clock.now() });
      const view = orgView(org);
      return { result: view, events: [{ action: 'org.create', objectType: 'org', objectId: org.id, stateSha256: digestOf(view) }] };
    });
  }

  async list(caller: Caller, filter: Page & { kind?: OrgKind }): Promise<OrgView[]> {
    const orgs = await orgStore.listOrgs(this.ctx.db, {
      ...filter,
      ...(seesAllOrgs(caller) ? {} : { onlyId: caller.orgId }),
    });
    return orgs.map(orgView);
  }

  /** Another organization's record is "not found" to those who may not see it, so its existence does not leak. */
  async get(caller: Caller, id: string): Promise<OrgView> {
    if (!isUuid(id) || (!seesAllOrgs(caller) && id !== caller.orgId)) throw notFound('organization', id);
    const org = await orgStore.findOrg(this.ctx.db, id);
    if (!org) throw notFound('organization', id);
    return orgView(org);
  }
}
