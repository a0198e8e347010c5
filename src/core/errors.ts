// Errors as values: a stable code, the HTTP status it maps to, and the field at fault.
// They become RFC 9457 problem+json in the API and a one-line message in the CLI, each in one place.

export const errorStatus = {
  'bad-request': 400,
  'invalid-field': 400,
  'unauthenticated': 401,
  'forbidden': 403,
  'not-found': 404,
  'conflict': 409,
  'gone': 410,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'unprocessable': 422,
  'locked': 423,
  'rate-limited': 429,
  'internal': 500,
  'unavailable': 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export const errorTitle: Record<ErrorCode, string> = {
  'bad-request': 'Bad request',
  'invalid-field': 'Invalid field',
  'unauthenticated': 'Authentication required',
  'forbidden': 'Forbidden',
  'not-found': 'Not found',
  'conflict': 'Conflict',
  'gone': 'Gone',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'unprocessable': 'Unprocessable content',
  'locked': 'Locked',
  'rate-limited': 'Too many requests',
  'internal': 'Internal error',
  'unavailable': 'Service unavailable',
};

export interface AppErrorOptions {
  /** JSON Pointer (RFC 6901) into the request body, or the name of a query/path parameter or CLI option. */
  field?: string;
  /** Extra members for the problem document (e.g. `retryAt` for a conflict). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = options.field;
    this.extra = options.extra;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function invalidField(field: string, message: string): AppError {
  return new AppError('invalid-field', message, { field });
}

export function notFound(what: string, id: string): AppError {
  return new AppError('not-found', `${what} ${id} not found`);
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The JSON Pointer (RFC 6901) of a top-level member: `~` and `/` in its name escaped. */
export function pointerTo(...names: string[]): string {
  return names.map((n) => `/${n.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
