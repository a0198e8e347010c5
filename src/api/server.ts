// Builds the HTTP API: Fastify with TypeBox schemas, OpenAPI 3.1 at /openapi.json and /docs,
// problem+json errors, access control on every route, and Prometheus metrics.
import Fastify, { LogController, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isPublic, type RouteAccess } from '../core/access.js';
import { AppError } from '../core/errors.js';
import type { Services } from '../services/index.js';
import { installAccessControl, publicAccess } from './access.js';
import { installMetrics } from './metrics.js';
import { problemContentType, sendProblem } from './problem.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/log.js';
import { orgRoutes } from './routes/orgs.js';
import { deconflictionRoutes } from './routes/deconfliction.js';
import { findingRoutes } from './routes/findings.js';
import { validationRoutes } from './routes/validation.js';
import { assetRoutes } from './routes/assets.js';
import { advisoryRoutes } from './routes/advisories.js';
import { caseRoutes } from './routes/cases.js';
import { publicationRoutes } from './routes/publication.js';
import { modelRoutes } from './routes/models.js';
import { deliveryRoutes } from './routes/delivery.js';
import { Problem } from './schemas.js';
import type { Api } from './types.js';
import { defaultBodyLimit } from './limits.js';

export interface ApiOptions {
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
  version?: string;
  /** One log line per request (off by default; errors are always logged). */
  logRequests?: boolean;
}


const problemResponses = {
  400: 'Invalid input: the problem names the field',
  401: 'Missing, malformed, expired or revoked token',
  403: 'The organization kind or token scope does not allow this',
  404: 'Not found, or not visible to this organization',
};

export async function buildApi(services: Services, options: ApiOptions = {}): Promise<Api> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? defaultBodyLimit,
    // Unknown body members are errors, not silently dropped: a typo must not change meaning.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    requestTimeout: 120_000,
    connectionTimeout: 0,
    return503OnClosing: true,
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;

  app.addSchema(Problem);
  // First, so that its onRoute check also covers the routes plugins add.
  installAccessControl(app, services.tokens);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Clearinghouse API',
        version: options.version ?? '0.1.0',
        description:
          'AI Cybersecurity Clearinghouse. Bearer tokens authenticate organizations; every route states the organization kinds and token scope it needs (x-clearinghouse-access). Errors are RFC 9457 problem+json.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: ({ schema, url, route }) => {
      const access = (route.config as { access?: RouteAccess } | undefined)?.access;
      const out = { ...(schema ?? {}) } as Record<string, unknown>;
      if (access && !isPublic(access)) {
        out.security = [{ bearer: [] }];
        out['x-clearinghouse-access'] = { kinds: access.kinds, scope: access.scope };
      } else {
        out['x-clearinghouse-access'] = 'public';
      }
      const responses = { ...((out.response as Record<string, unknown>) ?? {}) };
      for (const [status, description] of Object.entries(problemResponses)) {
        if (access && isPublic(access) && (status === '401' || status === '403')) continue;
        responses[status] ??= { description, content: { [problemContentType]: { schema: { $ref: 'Problem#' } } } };
      }
      out.response = responses;
      return { schema: out, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err, request, reply) => sendProblem(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('not-found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  installMetrics(app, services.log);

  app.get('/openapi.json', { config: { access: publicAccess }, schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, services);
  orgRoutes(app, services);
  logRoutes(app, services);
  deconflictionRoutes(app, services);
  findingRoutes(app, services);
  validationRoutes(app, services);
  assetRoutes(app, services);
  advisoryRoutes(app, services);
  deliveryRoutes(app, services);
  caseRoutes(app, services);
  publicationRoutes(app, services);
  modelRoutes(app, services);
  return app;
}
