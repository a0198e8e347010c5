// Imported vulnerability knowledge over HTTP: OSV, KEV and EPSS imports (streamed, or fetched from import
// sources by URL on a schedule) and the exact-version query.
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

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ImportSourceSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.Enum(['osv', 'kev', 'epss']),
  url: Type.String(),
  everyHours: Nullable(Type.Integer({ description: 'hours between runs; null: runs only when asked' })),
  nextRunAt: Nullable(Type.String({ format: 'date-time', description: 'when the pending run is due; null: none pending' })),
  lastRunAt: Nullable(Type.String({ format: 'date-time' })),
  lastStatus: Nullable(Type.Enum(['ok', 'unchanged', 'failed'], { description: 'ok: imported; unchanged: 304 or the same bytes as the last import, nothing imported; failed: see lastError' })),
  lastError: Nullable(Type.String()),
  lastImportId: Nullable(Type.String({ description: 'the last import this source made (GET /v1/imports)' })),
  lastSha256: Nullable(Type.String()),
  etag: Nullable(Type.String()),
  lastModified: Nullable(Type.String()),
  createdByOrg: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  disabled: Type.Boolean({ description: 'deleted: kept for the record, never run again' }),
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

  const sourceId = Type.Object({ id: Type.String() });
  app.post(
    '/v1/import-sources',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['exposure'],
        summary: 'Register a URL to import an OSV export, the KEV catalog or an EPSS file from, when asked or every so many hours',
        description:
          'A run is a background job: a conditional GET (If-None-Match/If-Modified-Since from the last run), redirects followed to http(s) only; a 304 or the same bytes as the last import records `unchanged`; new bytes are imported as an upload is (recorded in /v1/imports with what changed); a failure records `failed` with the reason and changes nothing else. With everyHours the source runs at once, then every so many hours after each run; without, only when asked (POST /v1/import-sources/{id}/run).',
        body: Type.Object(
          {
            kind: Type.Enum(['osv', 'kev', 'epss']),
            url: Type.String({ minLength: 1, maxLength: 2000, description: 'http or https, without credentials' }),
            everyHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ImportSourceSchema },
      },
    },
    async (request, reply) => {
      const out = await services.importSources.register(callerOf(request), request.body);
      reply.code(201);
      return out;
    },
  );

  app.get(
    '/v1/import-sources',
    {
      config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } },
      schema: { tags: ['exposure'], summary: 'Import sources, newest first, with the outcome of each one\'s last run', querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: pageOf(ImportSourceSchema) } },
    },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await services.importSources.list(callerOf(request), { limit, offset }), limit, offset);
    },
  );

  app.get(
    '/v1/import-sources/:id',
    { config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } }, schema: { tags: ['exposure'], summary: 'One import source', params: sourceId, response: { 200: ImportSourceSchema } } },
    async (request) => services.importSources.get(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/import-sources/:id/run',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['exposure'],
        summary: 'Run an import source now, in the background (poll /v1/jobs/{jobId})',
        description: 'A source has at most one pending run: asking again while one is queued moves it up and answers its job.',
        params: sourceId,
        response: { 202: Type.Object({ jobId: Type.String({ format: 'uuid' }), source: ImportSourceSchema }) },
      },
    },
    async (request, reply) => {
      const out = await services.importSources.run(callerOf(request), request.params.id);
      reply.code(202);
      return out;
    },
  );

  app.delete(
    '/v1/import-sources/:id',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: { tags: ['exposure'], summary: 'Delete an import source: it stays listed, disabled, and its pending run does nothing (idempotent)', params: sourceId, response: { 200: ImportSourceSchema } },
    },
    async (request) => services.importSources.disable(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/exposure',
    {
      config: { access: { kinds: ['operator', 'coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['exposure'],
        summary: "What the caller's assets run that imported advisories affect (all assets for coordinators and auditors), federal asset classes first",
        querystring: Type.Object(
          {
            asset: Type.Optional(Type.String({ description: 'one asset: id, or name in your organization' })),
            advisory: Type.Optional(Type.String({ maxLength: 200, description: 'one advisory: the assets it affects' })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
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
    async (request) => {
      const { asset, advisory, limit = 500, offset = 0 } = request.query;
      return { items: await services.advisories.exposure(callerOf(request), { ...(asset !== undefined ? { asset } : {}), ...(advisory !== undefined ? { advisory } : {}), limit, offset }) };
    },
  );

  app.post(
    '/v1/exposure/rematch',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['exposure'],
        summary: 'Decides every known package version against every advisory again, from nothing (the stored verdicts are otherwise kept current as SBOMs and advisories arrive)',
        response: {
          200: Type.Object({
            matcherVersion: Type.Integer(),
            packageVersions: Type.Integer(),
            packages: Type.Integer(),
            decided: Type.Integer(),
            matches: Type.Integer(),
            backfilled: Type.Integer(),
            phases: Type.Object(
              { backfill: Type.Integer(), clear: Type.Integer(), read: Type.Integer(), decide: Type.Integer(), store: Type.Integer(), analyze: Type.Integer() },
              { description: 'milliseconds in each phase (store: waiting for the database to store verdicts)' },
            ),
            ms: Type.Integer(),
          }),
        },
      },
    },
    async (request) => services.matching.rematch(callerOf(request)),
  );

  app.get(
    '/v1/queue',
    {
      config: { access: { kinds: ['operator', 'maintainer', 'coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['exposure'],
        summary:
          "The remediation queue, most urgent first, each with its priority explained: coordinators and auditors see imported advisories affecting any asset and the clearinghouse's own records; an operator its own exposure; a maintainer the advisories naming its products (exposure by class, no operator named)",
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                advisoryId: Type.String({ description: "the imported advisory's id, or the clearinghouse record's CHV id" }),
                source: Type.Enum(['osv', 'clearinghouse']),
                vulnId: Type.Union([Type.String(), Type.Null()], { description: 'the clearinghouse record, for source clearinghouse' }),
                aliases: Type.Array(Type.String()),
                summary: Type.Union([Type.String(), Type.Null()]),
                severity: Type.Union([Type.String(), Type.Null()]),
                decision: Type.String({ description: 'SSVC: Act, Attend, Track* or Track' }),
                epss: Type.Union([Type.Number(), Type.Null()]),
                cvssScore: Type.Union([Type.Number(), Type.Null()]),
                key: Type.String({ description: 'sorts most urgent first' }),
                exposedAssets: Type.Integer(),
                assets: Type.Array(Type.String(), { description: 'up to 20 exposed assets by name (none for maintainers)' }),
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
