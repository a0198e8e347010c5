// Operators' assets and their SBOMs over HTTP. An SBOM upload streams: the body is never held whole.
import { Type } from 'typebox';
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { PageQuery, page, pageOf } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const SbomSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sha256: Type.String(),
  size: Type.Integer(),
  format: Type.Enum(['cyclonedx', 'spdx']),
  specVersion: Type.String(),
  components: Type.Integer({ description: 'components keyed by package URL' }),
  derived: Type.Integer({ description: 'of those, how many purls were derived (from CPE, name and version, locators)' }),
  unidentified: Type.Integer({ description: 'components with nothing to key them by (counted, listed in summary)' }),
  uploadedAt: Type.String({ format: 'date-time' }),
  summary: Type.Optional(Type.Unknown()),
});

const AssetSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  assetClass: Type.Enum(['nss', 'dow', 'fceb', 'sltt', 'ci']),
  sector: Nullable(Type.String()),
  criticality: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
  sbom: Nullable(SbomSchema),
});

const ComponentSchema = Type.Object({
  seq: Type.Integer(),
  purl: Type.String(),
  purlKey: Type.String(),
  name: Type.String(),
  version: Nullable(Type.String()),
  derived: Type.Boolean(),
  purlSource: Type.String(),
});

const assetReaders = { kinds: ['operator', 'coordinator', 'auditor'], scope: 'read' } as const;

export function assetRoutes(app: Api, services: Services): void {
  const id = Type.Object({ id: Type.String({ description: 'asset id, or its name within your organization' }) });

  app.post(
    '/v1/assets',
    {
      config: { access: { kinds: ['operator', 'coordinator'], scope: 'write' } },
      schema: {
        tags: ['exposure'],
        summary: 'Register an asset (operators; coordinators for an operator named by orgId). Class and sector default to the operator\'s',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            assetClass: Type.Optional(Type.Enum(['nss', 'dow', 'fceb', 'sltt', 'ci'])),
            sector: Type.Optional(Type.String()),
            criticality: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            orgId: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: { 201: AssetSchema },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return services.assets.create(callerOf(request), request.body);
    },
  );

  app.get(
    '/v1/assets',
    {
      config: { access: assetReaders },
      schema: { tags: ['exposure'], summary: "Assets: an operator's own; all for coordinators and auditors", querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: pageOf(AssetSchema) } },
    },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await services.assets.list(callerOf(request), { limit, offset }), limit, offset);
    },
  );

  app.get(
    '/v1/assets/:id',
    { config: { access: assetReaders }, schema: { tags: ['exposure'], summary: 'One asset with its current SBOM', params: id, response: { 200: AssetSchema } } },
    async (request) => services.assets.get(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/assets/:id/components',
    {
      config: { access: assetReaders },
      schema: { tags: ['exposure'], summary: "The components of the asset's current SBOM, by package URL", params: id, querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: pageOf(ComponentSchema) } },
    },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await services.assets.components(callerOf(request), request.params.id, { limit, offset }), limit, offset);
    },
  );

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put(
      '/v1/assets/:id/sbom',
      {
        config: { access: { kinds: ['operator', 'coordinator'], scope: 'write' } },
        bodyLimit: Number.MAX_SAFE_INTEGER,
        schema: {
          tags: ['exposure'],
          summary: "Upload the asset's SBOM (CycloneDX 1.4–1.6 or SPDX 2.3 JSON, auto-detected); it replaces the previous one atomically",
          description: 'The body streams into the database in batches inside one transaction: a malformed or truncated document is refused with the JSON Pointer of the first problem and the previous SBOM stays. The same bytes again change nothing (200).',
          params: id,
          response: { 200: Type.Object({ created: Type.Boolean(), asset: AssetSchema, sbom: SbomSchema }), 201: Type.Object({ created: Type.Boolean(), asset: AssetSchema, sbom: SbomSchema }) },
        },
      },
      async (request, reply) => {
        const out = await services.assets.uploadSbom(callerOf(request), request.params.id, request.body as Readable);
        reply.code(out.created ? 201 : 200);
        return out;
      },
    );
  });
}
