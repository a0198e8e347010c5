// Published advisories, public: the list, each advisory's CSAF advisory and VEX, OSV and CVE records with their
// .asc, .sha256 and .sha512; CSAF distribution under /.well-known/csaf (provider metadata, ROLIE feed, keys);
// the OSV export and OSV's query API.
import { Type } from 'typebox';
import { publicAccess } from '../access.js';
import type { Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { PageQuery, page, pageOf } from '../schemas.js';

const Summary = Type.Object({
  id: Type.String(),
  cveId: Type.Union([Type.String(), Type.Null()]),
  case: Type.String(),
  title: Type.String(),
  publishedAt: Type.String({ format: 'date-time' }),
  documents: Type.Record(Type.String(), Type.String()),
});

const fileName = /^(csaf|vex|osv|cve)\.json(\.asc|\.sha256|\.sha512)?$/;

const Dist = Type.Object({ count: Type.Integer(), median: Type.Union([Type.Number(), Type.Null()]), p90: Type.Union([Type.Number(), Type.Null()]) });

export function publicationRoutes(app: Api, services: Services): void {
  const pub = services.publication;

  app.get(
    '/v1/transparency',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['publication'],
        summary:
          'The public transparency report: validated vulnerabilities held undisclosed by age, deadlines met and missed, equities holds and their review dates, days from report to fix and to publication, hours to notice by organization class',
        response: {
          200: Type.Object({
            generatedAt: Type.String({ format: 'date-time' }),
            heldUndisclosed: Type.Object({ total: Type.Integer(), byAge: Type.Record(Type.String(), Type.Integer()) }),
            deadlines: Type.Object({ met: Type.Integer(), missed: Type.Integer(), overdue: Type.Integer(), closedUnfixed: Type.Integer() }),
            equitiesHolds: Type.Object({ active: Type.Integer(), pastReview: Type.Integer(), reviewDates: Type.Array(Type.String()), decisions: Type.Integer() }),
            daysFromReport: Type.Object({ toFix: Dist, toPublication: Dist }),
            notificationHours: Type.Record(Type.String(), Dist),
          }),
        },
      },
    },
    async () => services.transparency.report(),
  );

  app.get(
    '/v1/advisories',
    { config: { access: publicAccess }, schema: { tags: ['publication'], summary: 'Published advisories, newest first', querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: pageOf(Summary) } } },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await pub.list({ limit, offset }), limit, offset);
    },
  );

  app.get(
    '/v1/advisories/:id',
    { config: { access: publicAccess }, schema: { tags: ['publication'], summary: 'One published advisory and the URLs of its documents', params: Type.Object({ id: Type.String() }), response: { 200: Summary } } },
    async (request) => pub.get(request.params.id),
  );

  app.get(
    '/v1/advisories/:id/:file',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['publication'],
        summary: 'A document of a published advisory — csaf.json, vex.json, osv.json, cve.json — or its detached OpenPGP signature (.asc) or digest (.sha256, .sha512)',
        params: Type.Object({ id: Type.String(), file: Type.String({ pattern: fileName.source }) }),
      },
    },
    async (request, reply) => {
      const m = fileName.exec(request.params.file)!;
      const f = await pub.file(request.params.id, m[1]!, (m[2] ?? '') as '' | '.asc');
      reply.type(f.type);
      return f.body;
    },
  );

  app.get(
    '/v1/advisories/:id/attestations/:reproduction',
    {
      config: { access: publicAccess },
      schema: { tags: ['publication'], summary: 'A signed attestation a published advisory cites (DSSE envelope)', params: Type.Object({ id: Type.String(), reproduction: Type.String() }) },
    },
    async (request) => pub.attestation(request.params.id, request.params.reproduction),
  );

  app.get(
    '/.well-known/csaf/provider-metadata.json',
    { config: { access: publicAccess }, schema: { tags: ['publication'], summary: 'CSAF 2.0 provider metadata' } },
    async () => pub.providerMetadata(),
  );

  app.get(
    '/.well-known/csaf/feed-tlp-white.json',
    { config: { access: publicAccess }, schema: { tags: ['publication'], summary: 'ROLIE feed of the published CSAF documents (TLP:CLEAR, WHITE in CSAF 2.0)' } },
    async () => pub.feed(),
  );

  app.get(
    '/.well-known/csaf/white/:year/:name',
    {
      config: { access: publicAccess },
      schema: { tags: ['publication'], summary: 'A CSAF document by its CSAF file name, or its .asc, .sha256 or .sha512', params: Type.Object({ year: Type.String({ pattern: '^[0-9]{4}$' }), name: Type.String({ maxLength: 300 }) }) },
    },
    async (request, reply) => {
      const f = await pub.csafFile(request.params.year, request.params.name);
      reply.type(f.type);
      return f.body;
    },
  );

  app.get(
    '/.well-known/csaf/openpgp/:key',
    { config: { access: publicAccess }, schema: { tags: ['publication'], summary: 'The public OpenPGP key that signs the CSAF documents', params: Type.Object({ key: Type.String({ pattern: '^[0-9A-Fa-f]{40,64}\\.asc$' }) }) } },
    async (request, reply) => {
      reply.type('application/pgp-keys');
      return pub.openpgpKey(request.params.key.replace(/\.asc$/, ''));
    },
  );

  app.get(
    '/v1/osv/all.zip',
    { config: { access: publicAccess }, schema: { tags: ['publication'], summary: "Every published OSV record in one zip, as osv.dev exports a database" } },
    async (_request, reply) => {
      reply.type('application/zip');
      return Buffer.from(await pub.osvExport());
    },
  );

  app.post(
    '/v1/query',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['publication'],
        summary: "OSV's query API: a package (purl, or ecosystem and name) and a version → the published and imported vulnerabilities affecting it",
        body: Type.Object(
          {
            package: Type.Object({ purl: Type.Optional(Type.String({ maxLength: 1000 })), name: Type.Optional(Type.String({ maxLength: 500 })), ecosystem: Type.Optional(Type.String({ maxLength: 100 })) }),
            version: Type.Optional(Type.String({ maxLength: 200 })),
            commit: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ vulns: Type.Array(Type.Unknown()) }) },
      },
    },
    async (request) => pub.osvQuery(request.body),
  );
}
