// Authentication and route-level authorization. Every route declares `config.access`; registering one
// that does not is an error, so no route can be public by omission. Object-level need-to-know (404 for
// another organization's objects) is enforced in the services.
import type { FastifyRequest } from 'fastify';
import { authorize, isPublic, type RouteAccess } from '../core/access.js';
import { AppError } from '../core/errors.js';
import type { TokenService } from '../services/tokens.js';
import type { Api } from './types.js';

export const publicAccess: RouteAccess = { public: true };

/** Routes that plugins add (the Swagger UI's static files) are public documentation. */
const pluginPublicPrefixes = ['/docs'];

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match) throw new AppError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

export function installAccessControl(app: Api, tokens: TokenService): void {
  app.decorateRequest('caller', null);

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: RouteAccess };
    if (config.access) return;
    if (pluginPublicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
      route.config = { ...config, access: publicAccess } as typeof route.config;
      return;
    }
    throw new Error(`route ${String(route.method)} ${route.url} declares no access rule (config.access)`);
  });

  // onRequest runs before the body is read: an unauthenticated caller cannot make the server parse a large upload.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) {
      // Only the not-found handler has no access rule: it answers 404 itself. Anything else is refused.
      if (request.is404) return;
      throw new AppError('forbidden', 'this route declares no access rule');
    }
    if (isPublic(access)) return;
    const secret = bearerOf(request);
    if (secret === null) throw new AppError('unauthenticated', 'a bearer token is required (Authorization: Bearer <token>)');
    request.caller = await tokens.authenticate(secret);
    authorize(request.caller, access);
  });
}
