// The typed Fastify instance routes are written against, and what each request carries.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Caller, RouteAccess } from '../core/access.js';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; every route must say (see access.ts). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/** The caller of a route whose access rule guarantees one. */
export function callerOf(request: { caller: Caller | null }): Caller {
  if (!request.caller) throw new Error('route declared organization access but no caller was authenticated');
  return request.caller;
}
