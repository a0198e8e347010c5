// Targets, claims and coverage over HTTP.
import { Type } from 'typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { readTargetList } from '../../services/targets.js';
import { PageQuery, page, pageOf } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const TargetSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  purl: Nullable(Type.String()),
  repo: Nullable(Type.String()),
  maintainerOrgId: Nullable(Type.String({ format: 'uuid' })),
  criticality: Type.Number({ minimum: 0, maximum: 1 }),
  maxConcurrentScanners: Type.Integer(),
  scanIntervalDays: Type.Integer(),
  lastScannedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});

const NewTarget = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    purl: Type.Optional(Type.String({ description: 'package URL, e.g. pkg:github/madler/zlib' })),
    repo: Type.Optional(Type.String({ description: 'git URL or absolute path of the source' })),
    criticality: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: '0..1 as the OpenSSF criticality score; default 0.5' })),
    maintainerOrgId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const ClaimSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  targetId: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  scope: Type.String({ description: '"all", a weakness class, or CWE-n,CWE-m' }),
  scopeCwes: Type.Array(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  releasedAt: Nullable(Type.String({ format: 'date-time' })),
  releaseReason: Nullable(Type.Enum(['finished', 'abandoned'])),
  renewals: Type.Integer(),
  state: Type.Enum(['active', 'expired', 'released']),
});

const Scope = Type.Union([Type.String(), Type.Array(Type.Union([Type.String(), Type.Integer()]))], {
  description: '"all" (default), a weakness class such as "memory-safety", or a list of CWEs',
});
const LeaseHours = Type.Number({ exclusiveMinimum: 0, description: 'lease length in hours (default 72, at most 336)' });
const Who = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), version: Type.Optional(Nullable(Type.String({ maxLength: 100 }))) }, { additionalProperties: false });

const conflictResponse = {
  409: {
    description: 'Another organization holds an overlapping claim; `freeAt` says when the target frees up',
    content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
  },
};

export function deconflictionRoutes(app: Api, services: Services): void {
  const id = Type.Object({ id: Type.String() });

  app.post(
    '/v1/targets',
    {
      config: { access: { kinds: ['coordinator', 'maintainer'], scope: 'write' } },
      schema: { tags: ['targets'], summary: 'Add a scan target (coordinators; maintainers for their own projects)', body: NewTarget, response: { 201: TargetSchema } },
    },
    async (request, reply) => {
      reply.code(201);
      return services.targets.add(callerOf(request), request.body);
    },
  );

  app.register(async (scope) => {
    // CSV arrives as text; JSON through the default parser.
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(
      '/v1/targets/import',
      {
        config: { access: { kinds: ['coordinator', 'maintainer'], scope: 'write' } },
        schema: {
          tags: ['targets'],
          summary: 'Import a list of targets in one transaction: a JSON array (or {"targets": [...]}) or CSV with columns name,purl,repo,criticality,maintainerOrgId',
          response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer(), targets: Type.Array(TargetSchema) }) },
        },
      },
      async (request) => {
        const inputs = readTargetList(request.body, String(request.headers['content-type'] ?? ''));
        return services.targets.import(callerOf(request), inputs);
      },
    );
  });

  app.get(
    '/v1/targets',
    {
      config: { access: { kinds: 'any', scope: 'read' } },
      schema: {
        tags: ['targets'],
        summary: 'Scan targets, most critical first',
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(TargetSchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, q } = request.query;
      return page(await services.targets.list({ limit, offset, ...(q ? { q } : {}) }), limit, offset);
    },
  );

  app.get(
    '/v1/targets/:id',
    { config: { access: { kinds: 'any', scope: 'read' } }, schema: { tags: ['targets'], summary: 'One target', params: id, response: { 200: TargetSchema } } },
    async (request) => services.targets.get(request.params.id),
  );

  app.put(
    '/v1/targets/:id/policy',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['targets'],
        summary: 'Scanning policy of a target: how many organizations may scan it at once, how often it should be scanned',
        params: id,
        body: Type.Object(
          { maxConcurrentScanners: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })), scanIntervalDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TargetSchema },
      },
    },
    async (request) => services.targets.setPolicy(callerOf(request), request.params.id, request.body),
  );

  app.get(
    '/v1/coverage',
    {
      config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['targets'],
        summary: 'Scan coverage: targets by how overdue their next scan is, with who scanned which version with which scanner or model',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: pageOf(
            Type.Object({
              target: TargetSchema,
              daysOverdue: Type.Number(),
              priority: Type.Number(),
              runs: Type.Array(
                Type.Object({
                  orgId: Type.String(),
                  claimId: Nullable(Type.String()),
                  scanner: Type.Object({ name: Type.String(), version: Nullable(Type.String()) }),
                  model: Nullable(Type.Object({ name: Type.String(), version: Nullable(Type.String()) })),
                  version: Nullable(Type.String()),
                  commit: Nullable(Type.String()),
                  scannedAt: Type.String({ format: 'date-time' }),
                }),
              ),
            }),
          ),
        },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await services.targets.coverage({ limit, offset }), limit, offset);
    },
  );

  app.post(
    '/v1/claims',
    {
      config: { access: { kinds: ['scanner'], scope: 'write' } },
      schema: {
        tags: ['claims'],
        summary: 'Claim a target for a scope and a lease',
        body: Type.Object({ targetId: Type.String(), scope: Type.Optional(Scope), leaseHours: Type.Optional(LeaseHours) }, { additionalProperties: false }),
        response: { 201: ClaimSchema, ...conflictResponse },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return services.claims.claim(callerOf(request), request.body);
    },
  );

  app.post(
    '/v1/claims/next',
    {
      config: { access: { kinds: ['scanner'], scope: 'write' } },
      schema: {
        tags: ['claims'],
        summary: 'Claim the highest-priority target free for this scope (criticality × staleness); 204 when none is free, with X-Free-At and Retry-After when targets held by others will free up',
        body: Type.Object({ scope: Type.Optional(Scope), leaseHours: Type.Optional(LeaseHours) }, { additionalProperties: false }),
        response: { 201: Type.Object({ claim: ClaimSchema, target: TargetSchema }), 204: Type.Null({ description: 'nothing to claim' }) },
      },
    },
    async (request, reply) => {
      const next = await services.claims.next(callerOf(request), request.body ?? {});
      if (!next) {
        // Targets held by others that this organization could scan later: say when the first frees up.
        const freeAt = await services.claims.nextFreeAt(callerOf(request), request.body ?? {});
        if (freeAt) reply.header('x-free-at', freeAt.toISOString()).header('retry-after', String(Math.max(1, Math.ceil((freeAt.getTime() - Date.now()) / 1000))));
        return reply.code(204).send(null);
      }
      reply.code(201);
      return next;
    },
  );

  app.get(
    '/v1/claims',
    {
      config: { access: { kinds: ['scanner', 'coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['claims'],
        summary: 'Claims: a scanner\'s own; all for coordinators and auditors',
        querystring: Type.Object({ active: Type.Optional(Type.Boolean()), targetId: Type.Optional(Type.String()), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(ClaimSchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, active, targetId } = request.query;
      return page(await services.claims.list(callerOf(request), { limit, offset, ...(active ? { active } : {}), ...(targetId ? { targetId } : {}) }), limit, offset);
    },
  );

  app.get(
    '/v1/claims/:id',
    { config: { access: { kinds: ['scanner', 'coordinator'], scope: 'read' } }, schema: { tags: ['claims'], summary: 'One claim', params: id, response: { 200: ClaimSchema } } },
    async (request) => services.claims.get(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/claims/:id/renew',
    {
      config: { access: { kinds: ['scanner'], scope: 'write' } },
      schema: {
        tags: ['claims'],
        summary: 'Extend a lease from now',
        params: id,
        body: Type.Optional(Type.Object({ leaseHours: Type.Optional(LeaseHours) }, { additionalProperties: false })),
        response: { 200: ClaimSchema, ...conflictResponse },
      },
    },
    async (request) => services.claims.renew(callerOf(request), request.params.id, request.body ?? {}),
  );

  app.post(
    '/v1/claims/:id/release',
    {
      config: { access: { kinds: ['scanner', 'coordinator'], scope: 'write' } },
      schema: {
        tags: ['claims'],
        summary: 'End a lease early; with finished=true and a report, the scan is recorded in coverage',
        params: id,
        body: Type.Optional(
          Type.Object(
            {
              finished: Type.Optional(Type.Boolean()),
              scanner: Type.Optional(Who),
              model: Type.Optional(Who),
              version: Type.Optional(Type.String({ maxLength: 200 })),
              commit: Type.Optional(Type.String({ maxLength: 64 })),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: ClaimSchema },
      },
    },
    async (request) => {
      const b = request.body ?? {};
      return services.claims.release(callerOf(request), request.params.id, {
        ...(b.finished !== undefined ? { finished: b.finished } : {}),
        ...(b.scanner ? { report: { scanner: b.scanner, model: b.model ?? null, version: b.version ?? null, commit: b.commit ?? null } } : {}),
      });
    },
  );
}
