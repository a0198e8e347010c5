// What one transparency-log entry says, and its canonical bytes (the Merkle leaf's input).
import { canonicalBytes } from '../canonical-json.js';

/** Who did it: an organization through one of its tokens, or the system itself (jobs, start-up). */
export type LogActor = { kind: 'org'; orgId: string; tokenId: string | null } | { kind: 'system' };

export const systemActor: LogActor = { kind: 'system' };

/** A state change or a read of embargoed detail, as a service reports it. */
export interface LogEvent {
  /** Dotted verb, e.g. `org.create`, `token.revoke`, `case.detail.read`. */
  action: string;
  objectType: string;
  objectId: string;
  /** Hex SHA-256 of the object's canonical state after the action (never the state itself). */
  stateSha256: string;
}

export interface LogRecord extends LogEvent {
  actor: LogActor;
  /** ISO 8601 instant in UTC with milliseconds. */
  time: string;
}

export const logEntryVersion = 1;

/** The leaf bytes: RFC 8785 canonical JSON, so any verifier can re-derive them from the fields. */
export function encodeLogRecord(rec: LogRecord): Buffer {
  return canonicalBytes({
    v: logEntryVersion,
    time: rec.time,
    actor: rec.actor.kind === 'system' ? { system: true } : { org: rec.actor.orgId, token: rec.actor.tokenId },
    action: rec.action,
    object: { type: rec.objectType, id: rec.objectId },
    stateSha256: rec.stateSha256,
  });
}

/** Reads leaf bytes back; throws when they are not a well-formed entry. */
export function decodeLogRecord(bytes: Uint8Array): LogRecord {
  const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  const object = v.object as { type?: unknown; id?: unknown } | undefined;
  const actor = v.actor as { system?: unknown; org?: unknown; token?: unknown } | undefined;
  if (v.v !== logEntryVersion || typeof v.time !== 'string' || typeof v.action !== 'string' || typeof v.stateSha256 !== 'string' || !object || !actor) {
    throw new Error('not a clearinghouse log entry');
  }
  if (typeof object.type !== 'string' || typeof object.id !== 'string') throw new Error('log entry object is malformed');
  const decodedActor: LogActor =
    actor.system === true ? systemActor : { kind: 'org', orgId: String(actor.org), tokenId: actor.token == null ? null : String(actor.token) };
  return { time: v.time, actor: decodedActor, action: v.action, objectType: object.type, objectId: object.id, stateSha256: v.stateSha256 };
}
