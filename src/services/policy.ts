// Clearinghouse policy: public to read (policy is not a favour, anyone may see it), coordinators change it,
// and every change is logged with the values it set.
import type { Caller } from '../core/access.js';
import { digestOf } from '../core/canonical-json.js';
import { AppError } from '../core/errors.js';
import { effectivePolicy, parsePolicyUpdate, policyKeys, type PolicyValues } from '../core/policy.js';
import * as validationStore from '../store/validation.js';
import { write, type Db, type ServiceContext } from './context.js';

export interface PolicyView {
  values: PolicyValues;
  settings: Array<{ name: string; value: unknown; defaultValue: unknown; description: string }>;
}

export class PolicyService {
  constructor(private readonly ctx: ServiceContext) {}

  async current(db: Db = this.ctx.db): Promise<PolicyValues> {
    return effectivePolicy(await validationStore.readPolicy(db));
  }

  async view(): Promise<PolicyView> {
    const values = await this.current();
    return {
      values,
      settings: Object.entries(policyKeys).map(([name, k]) => ({ name, value: values[name as keyof PolicyValues], defaultValue: k.defaultValue, description: k.description })),
    };
  }

  async update(caller: Caller, body: unknown): Promise<PolicyView> {
    if (caller.orgKind !== 'coordinator') throw new AppError('forbidden', 'only coordinators change policy');
    const update = parsePolicyUpdate(body);
    await write(this.ctx, caller, async (trx) => {
      await validationStore.writePolicy(trx, update, caller.orgId, this.ctx.clock.now());
      return { result: null, events: [{ action: 'policy.update', objectType: 'policy', objectId: Object.keys(update).sort().join(','), stateSha256: digestOf(update) }] };
    });
    return this.view();
  }
}
