// Expecting a parser to refuse its input with an AppError, and getting that error back to inspect.
import { expect } from 'vitest';
import { AppError } from '../../src/core/errors.js';

export function fails(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}

export async function failsAsync(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}
