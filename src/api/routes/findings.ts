// Findings intake, findings, vulnerability records and jobs over HTTP.
import { Type } from 'typebox';
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { PageQuery, page, pageOf, ReproductionSchema, ValidationSchema } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const DocumentSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sha256: Type.String(),
  size: Type.Integer(),
  mediaType: Type.String(),
  filename: Nullable(Type.String()),
  submittedAt: Type.String({ format: 'date-time' }),
});

const Summary = Type.Object({
  findings: Type.Integer(),
  newVulnerabilities: Type.Integer(),
  duplicates: Type.Integer(),
  reasons: Type.Record(Type.String(), Type.Integer()),
  skipped: Type.Integer(),
  ignored: Type.Integer({ description: 'results that report no problem (SARIF kind pass or notApplicable)' }),
});

const Submission = Type.Object({
  state: Type.Enum(['processed', 'queued']),
  created: Type.Boolean({ description: 'false when this exact document had been submitted before (idempotent)' }),
  document: DocumentSchema,
  summary: Type.Optional(Summary),
  jobId: Type.Optional(Type.String({ format: 'uuid' })),
});

const FindingSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  documentId: Type.String({ format: 'uuid' }),
  pointer: Type.String({ description: 'JSON Pointer of the finding in its document' }),
  kind: Type.String(),
  source: Type.String(),
  title: Type.String(),
  severity: Nullable(Type.String()),
  cwes: Type.Array(Type.Integer()),
  targetId: Nullable(Type.String()),
  vulnId: Type.String({ format: 'uuid' }),
  vulnDisplayId: Type.String(),
  status: Type.Enum(['first-report', 'duplicate'], { description: 'duplicate: another organization reported the record first' }),
  linkReason: Type.String(),
  linkScore: Type.Number(),
  submittedAt: Type.String({ format: 'date-time' }),
  orgId: Type.Optional(Type.String({ description: 'coordinators and auditors only' })),
  detail: Type.Optional(Type.Unknown()),
});

const VulnSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  displayId: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  targetId: Nullable(Type.String()),
  severity: Nullable(Type.String()),
  cwes: Type.Array(Type.Integer()),
  findingCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  mergedInto: Nullable(Type.String()),
  validationState: Type.Enum(['unvalidated', 'validated', 'rejected']),
});

const VulnSchema = Type.Intersect([
  VulnSummary,
  Type.Object({
    creditedOrgId: Type.Optional(Nullable(Type.String())),
    decisions: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    findings: Type.Array(FindingSchema),
    validation: ValidationSchema,
    reproductions: Type.Array(ReproductionSchema),
    validationEvents: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  }),
]);

export const JobSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  subjectId: Nullable(Type.String()),
  status: Type.Enum(['queued', 'running', 'succeeded', 'failed']),
  attempts: Type.Integer(),
  progress: Nullable(Type.Record(Type.String(), Type.Unknown())),
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  error: Nullable(Type.Record(Type.String(), Type.Unknown())),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});

const SubmitQuery = Type.Object(
  {
    targetId: Type.Optional(Type.String({ description: 'the scanned target (SARIF does not name it)' })),
    purl: Type.Optional(Type.String()),
    repo: Type.Optional(Type.String()),
    version: Type.Optional(Type.String({ maxLength: 200 })),
    commit: Type.Optional(Type.String({ maxLength: 64 })),
    claimId: Type.Optional(Type.String()),
    scanner: Type.Optional(Type.String({ maxLength: 200, description: 'overrides the tool name in the document' })),
    scannerVersion: Type.Optional(Type.String({ maxLength: 100 })),
    model: Type.Optional(Type.String({ maxLength: 200, description: 'the AI model that found these' })),
    modelVersion: Type.Optional(Type.String({ maxLength: 100 })),
    filename: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);

const scannerOrCoordinator = { kinds: ['scanner', 'coordinator'], scope: 'write' } as const;
const findingReaders = { kinds: ['scanner', 'coordinator', 'auditor'], scope: 'read' } as const;

export function findingRoutes(app: Api, services: Services): void {
  const id = Type.Object({ id: Type.String() });

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The document streams into storage as it arrives: no parser holds a 1 GB upload in memory.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post(
      '/v1/findings',
      {
        config: { access: scannerOrCoordinator },
        bodyLimit: Number.MAX_SAFE_INTEGER,
        schema: {
          tags: ['findings'],
          summary: 'Submit findings: a SARIF 2.1.0 log, OSV record(s), a zip export of OSV records, or native JSON findings (auto-detected)',
          description:
            'The document is stored unchanged with its SHA-256; resubmitting it returns the earlier outcome (200). Up to 1 MiB it is processed at once (201); larger documents are queued (202, poll /v1/jobs/{jobId}). A malformed document is refused with the JSON Pointer of the first problem and nothing is stored.',
          querystring: SubmitQuery,
          response: { 200: Submission, 201: Submission, 202: Submission },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const outcome = await services.intake.submit(callerOf(request), {
          body: request.body as Readable,
          mediaType: String(request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim(),
          filename: q.filename ?? null,
          context: {
            ...(q.targetId ? { targetId: q.targetId } : {}),
            ...(q.purl ? { purl: q.purl } : {}),
            ...(q.repo ? { repo: q.repo } : {}),
            ...(q.version ? { version: q.version } : {}),
            ...(q.commit ? { commit: q.commit } : {}),
            ...(q.claimId ? { claimId: q.claimId } : {}),
            ...(q.scanner ? { scanner: { name: q.scanner, version: q.scannerVersion ?? null } } : {}),
            ...(q.model ? { model: { name: q.model, version: q.modelVersion ?? null } } : {}),
          },
        });
        if (outcome.state === 'queued') {
          reply.header('location', `/v1/jobs/${outcome.jobId}`);
          reply.code(outcome.created ? 202 : 200);
        } else {
          reply.code(outcome.created ? 201 : 200);
        }
        return outcome;
      },
    );
  });

  app.get(
    '/v1/findings',
    {
      config: { access: findingReaders },
      schema: {
        tags: ['findings'],
        summary: 'Findings: a scanner\'s own, with their duplicate status; all for coordinators and auditors',
        querystring: Type.Object({ documentId: Type.Optional(Type.String()), vulnId: Type.Optional(Type.String()), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(FindingSchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, documentId, vulnId } = request.query;
      return page(
        await services.vulns.listFindings(callerOf(request), { limit, offset, ...(documentId ? { documentId } : {}), ...(vulnId ? { vulnId } : {}) }),
        limit,
        offset,
      );
    },
  );

  app.get(
    '/v1/findings/:id',
    { config: { access: findingReaders }, schema: { tags: ['findings'], summary: 'One finding, with its normalized detail', params: id, response: { 200: FindingSchema } } },
    async (request) => services.vulns.getFinding(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/documents/:id',
    {
      config: { access: scannerOrCoordinator },
      schema: {
        tags: ['findings'],
        summary: 'A submitted document: its hash, size, job and how many findings it gave',
        params: id,
        response: { 200: Type.Intersect([DocumentSchema, Type.Object({ jobId: Nullable(Type.String()), findings: Type.Integer() })]) },
      },
    },
    async (request) => services.intake.getDocument(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/vulns',
    {
      config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['vulnerabilities'],
        summary: 'Vulnerability records (merged ones excluded)',
        querystring: Type.Object({ targetId: Type.Optional(Type.String({ format: 'uuid' })), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(VulnSummary) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, targetId } = request.query;
      return page(await services.vulns.list(callerOf(request), { limit, offset, ...(targetId ? { targetId } : {}) }), limit, offset);
    },
  );

  app.get(
    '/v1/vulns/:id',
    {
      config: { access: findingReaders },
      schema: {
        tags: ['vulnerabilities'],
        summary: 'One record by id or CHV id. A reporter sees it with its own findings only',
        params: id,
        response: { 200: VulnSchema },
      },
    },
    async (request) => services.vulns.get(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/vulns/:id/merge',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['vulnerabilities'],
        summary: 'Merge this record into another; the reason is recorded and logged',
        params: id,
        body: Type.Object({ into: Type.String(), reason: Type.String({ minLength: 3, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: VulnSchema },
      },
    },
    async (request) => services.vulns.merge(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/vulns/:id/split',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['vulnerabilities'],
        summary: 'Move some findings of this record into a new one; the reason is recorded and logged',
        params: id,
        body: Type.Object({ findingIds: Type.Array(Type.String(), { minItems: 1 }), reason: Type.String({ minLength: 3, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 201: VulnSchema },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return services.vulns.split(callerOf(request), request.params.id, request.body);
    },
  );

  app.get(
    '/v1/jobs/:id',
    { config: { access: { kinds: 'any', scope: 'read' } }, schema: { tags: ['jobs'], summary: 'A background job: status, progress, result or problem', params: id, response: { 200: JobSchema } } },
    async (request) => services.jobs.get(callerOf(request), request.params.id),
  );
}
