// What every service needs: the database, the transparency log, the clock, and one way to write.
import type { Kysely } from 'kysely';
import type { Caller } from '../core/access.js';
import type { Clock } from '../core/clock.js';
import { systemActor, type LogActor, type LogEvent } from '../core/log/entry.js';
import type { MasterKey } from '../secrets/envelope.js';
import type { Schema } from '../store/schema.js';
import type { TransparencyLog } from './transparency-log.js';

export type Db = Kysely<Schema>;

export interface ServiceContext {
  readonly db: Db;
  readonly log: TransparencyLog;
  readonly clock: Clock;
  /** Wraps the data keys of embargoed detail and other secrets at rest (src/secrets/envelope.ts). */
  readonly masterKey: MasterKey;
  /** Reports a problem that must not fail the request that caused it (e.g. a late log integration). */
  readonly warn: (message: string, err?: unknown) => void;
}

export function actorOf(caller: Caller | null): LogActor {
  return caller ? { kind: 'org', orgId: caller.orgId, tokenId: caller.tokenId } : systemActor;
}

/**
 * Runs a state change in one transaction together with its log events, then integrates the log so the
 * change is in the next checkpoint. If integration fails after the commit, the change stands and the
 * background integrator catches up; the entry was committed with the change, so nothing is lost.
 */
export async function write<T>(
  ctx: ServiceContext,
  caller: Caller | null,
  change: (trx: Db) => Promise<{ result: T; events: LogEvent[] }>,
): Promise<T> {
  const result = await ctx.db.transaction().execute(async (trx) => {
    const { result, events } = await change(trx);
    await ctx.log.record(trx, actorOf(caller), events);
    return result;
  });
  await ctx.log.integrate().catch((err) => ctx.warn('transparency log integration deferred', err));
  return result;
}
