// Translating PostgreSQL errors into the clearinghouse's error values, in the one layer that sees SQL.
import { AppError } from '../core/errors.js';

interface PgError {
  code?: string;
  constraint?: string;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as PgError;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** Runs `fn`; a unique violation on `constraint` becomes a 409 naming `field`. */
export async function uniqueAs<T>(constraint: string, field: string, message: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err, constraint)) throw new AppError('conflict', message, { field, cause: err });
    throw err;
  }
}
