// Imported vulnerability knowledge over HTTP: OSV imports (streamed) and the exact-version query.
import { Type } from 'typebox';
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { PageQuery, page, pageOf } from '../schemas.js';

const ImportSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  source: Type.String(),
  sha256: Type.String(),
  records: Type.Integer(),
  added: Type.Integer(),
  changed: Type.Integer(),
  unchanged: Type.Integer(),
  changes: Type.Object({ added: Type.Array(Type.String()), changed: Type.Array(Type.String()) }, { description: 'ids added and changed by this import (the first 1,000 of each)' }),
  importedAt: Type.String({ format: 'date-time' }),
});

const MatchSchema = Type.Object({
  advisoryId: Type.String(),
  aliases: Type.Array(Type.String()),
  summary: Type.Union([Type.String(), Type.Null()]),
  severity: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(['affected', 'unknown']),
  because: Type.String(),
});

export function advisoryRoutes(app: Api, services: Services): void {
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const kinds = {
      osv: {
        summary: 'Import an OSV database export: a zip (as osv.dev publishes per ecosystem), a JSON array of records, or one record',
        description: 'One transaction: every record is validated, new ones are added, changed ones rewritten, and the import is recorded with what it added and changed. A malformed record refuses the whole import, naming the record and field.',
        run: services.advisories.importOsv.bind(services.advisories),
      },
      kev: {
        summary: "Import CISA's Known Exploited Vulnerabilities catalog (JSON); it replaces the previous one",
        description: 'Recorded with the CVE ids it added (changes.added) and removed (changes.changed). A malformed catalog is refused with the JSON Pointer at fault.',
        run: services.advisories.importKev.bind(services.advisories),
      },
      epss: {
        summary: "Import FIRST's EPSS scores (CSV, plain or gzip), read line by line",
        description: 'Recorded with how many scores were new and changed. A malformed line refuses the import, naming the line.',
        run: services.advisories.importEpss.bind(services.advisories),
      },
    } as const;
    for (const [kind, k] of Object.entries(kinds)) {
      scope.post(
        `/v1/imports/${kind}`,
        {
          config: { access: { kinds: ['coordinator'], scope: 'write' } },
          bodyLimit: Number.MAX_SAFE_INTEGER,
          schema: {
            tags: ['exposure'],
            summary: k.summary,
            description: k.description,
            querystring: Type.Object({ source: Type.Optional(Type.String({ maxLength: 500, description: 'where it came from (a file name or URL), for the record' })) }, { additionalProperties: false }),
            response: { 201: Type.Object({ created: Type.Boolean(), import: ImportSchema }) },
          },
        },
        async (request, reply) => {
          const out = await k.run(callerOf(request), { body: request.body as Readable, source: request.query.source ?? 'upload' });
          reply.code(201);
          return out;
        },
      );
    }
  });

  app.get(
    '/v1/imports',
    {
      config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } },
      schema: { tags: ['exposure'], summary: 'Advisory imports, newest first, with what each changed', querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: pageOf(ImportSchema) } },
    },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await services.advisories.imports(callerOf(request), { limit, offset }), limit, offset);
    },
  );

  app.get(
    '/v1/exposure',
    {
      config: { access: { kinds: ['operator', 'coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['exposure'],
        summary: "What the caller's assets run that imported advisories affect (all assets for coordinators and auditors), federal asset classes first",
        querystring: Type.Object({ asset: Type.Optional(Type.String({ description: 'one asset: id, or name in your organization' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                assetId: Type.String(),
                assetName: Type.String(),
                orgId: Type.String(),
                assetClass: Type.String(),
                sector: Type.Union([Type.String(), Type.Null()]),
                criticality: Type.Number(),
                component: Type.String(),
                version: Type.String(),
                advisoryId: Type.String(),
                aliases: Type.Array(Type.String()),
                summary: Type.Union([Type.String(), Type.Null()]),
                severity: Type.Union([Type.String(), Type.Null()]),
                status: Type.Enum(['affected', 'unknown']),
                because: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await services.advisories.exposure(callerOf(request), request.query.asset !== undefined ? { asset: request.query.asset } : {}) }),
  );

  app.get(
    '/v1/queue',
    {
      config: { access: { kinds: ['operator', 'coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['exposure'],
        summary: 'The remediation queue: advisories affecting visible assets, most urgent first, each with its priority explained (an operator: its own assets only)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                advisoryId: Type.String(),
                aliases: Type.Array(Type.String()),
                summary: Type.Union([Type.String(), Type.Null()]),
                severity: Type.Union([Type.String(), Type.Null()]),
                decision: Type.String({ description: 'SSVC: Act, Attend, Track* or Track' }),
                epss: Type.Union([Type.Number(), Type.Null()]),
                cvssScore: Type.Union([Type.Number(), Type.Null()]),
                key: Type.String({ description: 'sorts most urgent first' }),
                assets: Type.Array(Type.String()),
                explanation: Type.Array(Type.Object({ input: Type.String(), value: Type.Unknown(), effect: Type.String() })),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await services.advisories.queue(callerOf(request), { limit: request.query.limit ?? 100 }) }),
  );

  app.get(
    '/v1/query',
    {
      config: { access: { kinds: 'any', scope: 'read' } },
      schema: {
        tags: ['exposure'],
        summary: 'The imported advisories that affect one exact package version (pkg:type/name@version), decided with the ecosystem\'s own version order',
        querystring: Type.Object({ purl: Type.String({ minLength: 5, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ purl: Type.String(), package: Type.String(), version: Type.String(), matches: Type.Array(MatchSchema) }) },
      },
    },
    async (request) => services.advisories.query(request.query.purl),
  );
}
