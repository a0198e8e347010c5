// Request fields the use cases share. Exact instants: every time the clearinghouse takes in (deadlines, review dates, release dates) is an ISO 8601
// instant with a time zone, never a bare date or a local time that could mean two different moments.
import { invalidField } from './errors.js';

const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(value: unknown, at: string): Date {
  if (typeof value !== 'string' || !instant.test(value)) throw invalidField(at, 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-01T12:00:00Z');
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw invalidField(at, 'is not a valid instant');
  return d;
}

/** A text field of a request body: at most `max` characters; absent or empty is an error unless optional (then null). */
export function textField(value: unknown, at: string, max: number, required = true): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw invalidField(at, 'is required');
    return null;
  }
  if (typeof value !== 'string' || value.length > max) throw invalidField(at, `must be a string of at most ${max} characters`);
  return value;
}
