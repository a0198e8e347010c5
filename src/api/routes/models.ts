// Frontier-model review over HTTP: models and their results (typed, or Inspect logs uploaded as they are),
// coverage criteria (public) and determinations, voluntary submissions, partners' grants and access, review
// findings and the developer's report. No route approves, denies, clears or blocks anything.
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { publicAccess } from '../access.js';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { AppError } from '../../core/errors.js';
import { PageQuery, page } from '../schemas.js';

/** Largest evaluation log accepted (an .eval archive with its samples). */
const maxLogBytes = 256 * 2 ** 20;

async function collect(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxLogBytes) throw new AppError('payload-too-large', `an evaluation log may be at most ${maxLogBytes} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

const id = Type.Object({ id: Type.String() });
const Result = Type.Object({
  benchmark: Type.String({ maxLength: 200 }),
  benchmarkVersion: Type.Optional(Type.String({ maxLength: 100 })),
  metric: Type.Optional(Type.String({ maxLength: 100 })),
  score: Type.Number(),
  evaluatedAt: Type.String({ description: 'ISO 8601 instant with a zone' }),
});

export function modelRoutes(app: Api, services: Services): void {
  const models = services.models;
  const developer = { kinds: ['scanner', 'coordinator'], scope: 'write' } as const;
  const readers = { kinds: ['scanner', 'partner', 'coordinator', 'auditor'], scope: 'read' } as const;

  app.post(
    '/v1/models',
    {
      config: { access: developer },
      schema: {
        tags: ['models'],
        summary: 'Register a model: name, version, planned public release (ISO instant), training compute, modalities, model card, cyber-capability results',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            version: Type.String({ minLength: 1, maxLength: 100 }),
            plannedReleaseAt: Type.String(),
            trainingFlop: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            modalities: Type.Optional(Type.Array(Type.String(), { maxItems: 20 })),
            modelCard: Type.Optional(Type.String({ maxLength: 100_000 })),
            results: Type.Optional(Type.Array(Result, { maxItems: 200 })),
            developerOrgId: Type.Optional(Type.String({ description: 'coordinators: the developer' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      reply.code(201);
      return models.register(callerOf(request), request.body);
    },
  );

  app.get(
    '/v1/models',
    { config: { access: readers }, schema: { tags: ['models'], summary: 'Models: your own (developers), those you hold a grant on (partners), all (coordinators, auditors)', querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }) } },
    async (request) => {
      const { limit = 100, offset = 0 } = request.query;
      return page(await models.list(callerOf(request), { limit, offset }), limit, offset);
    },
  );

  app.get('/v1/models/:id', { config: { access: readers }, schema: { tags: ['models'], summary: 'A model with its results, determinations and reviews', params: id } }, async (request) => models.view(callerOf(request), request.params.id));

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post(
      '/v1/models/:id/results',
      {
        config: { access: developer },
        bodyLimit: Number.MAX_SAFE_INTEGER,
        schema: {
          tags: ['models'],
          summary: "Add the headline result of an Inspect evaluation log, sent as it is: EvalLog JSON or an .eval archive (task, model, scorer and metrics read from it; a malformed log is refused with the reason)",
          params: id,
          querystring: Type.Object({ filename: Type.Optional(Type.String({ maxLength: 300 })) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const bytes = await collect(request.body as Readable);
        const out = await models.importEvalLog(callerOf(request), request.params.id, bytes, request.query.filename ?? null);
        reply.code(out.created ? 201 : 200);
        return out;
      },
    );
  });

  app.post('/v1/models/:id/evaluate', { config: { access: { kinds: ['scanner', 'coordinator', 'auditor'], scope: 'read' } }, schema: { tags: ['models'], summary: 'Decide coverage under the criteria in force; the determination is kept as made', params: id } }, async (request) =>
    models.evaluate(callerOf(request), request.params.id),
  );

  app.get('/v1/criteria', { config: { access: publicAccess }, schema: { tags: ['models'], summary: 'The covered-model criteria in force (public)' } }, async () => models.currentCriteria());

  app.post(
    '/v1/criteria',
    { config: { access: { kinds: ['coordinator'], scope: 'write' } }, schema: { tags: ['models'], summary: 'Publish a new version of the covered-model criteria; earlier determinations stay as they were made' } },
    async (request, reply) => {
      reply.code(201);
      return models.publishCriteria(callerOf(request), request.body);
    },
  );

  app.post(
    '/v1/models/:id/submit',
    {
      config: { access: { kinds: ['scanner'], scope: 'write' } },
      schema: {
        tags: ['models'],
        summary: 'Submit a model for voluntary review: the window runs from now to the planned release, at most 30 days',
        params: id,
        body: Type.Optional(Type.Object({ releaseAt: Type.Optional(Type.String()) }, { additionalProperties: false })),
      },
    },
    async (request, reply) => {
      reply.code(201);
      return models.submit(callerOf(request), request.params.id, request.body ?? {});
    },
  );

  app.get('/v1/reviews/:id', { config: { access: readers }, schema: { tags: ['models'], summary: 'A review: its window, grants and findings (partners: their own)', params: id } }, async (request) => models.reviewView(callerOf(request), request.params.id));

  app.post(
    '/v1/reviews/:id/release',
    { config: { access: { kinds: ['scanner'], scope: 'write' } }, schema: { tags: ['models'], summary: "Move the planned release date (the developer's alone); the window follows", params: id, body: Type.Object({ releaseAt: Type.String() }, { additionalProperties: false }) } },
    async (request) => models.moveRelease(callerOf(request), request.params.id, request.body),
  );

  app.post('/v1/reviews/:id/withdraw', { config: { access: { kinds: ['scanner'], scope: 'write' } }, schema: { tags: ['models'], summary: 'Withdraw the submission; every grant ends', params: id } }, async (request) =>
    models.withdraw(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/reviews/:id/grants',
    {
      config: { access: developer },
      schema: {
        tags: ['models'],
        summary: 'Grant a partner time-boxed, scoped early access; instructions and credentials are stored encrypted and shown only to the grantee',
        params: id,
        body: Type.Object(
          {
            partnerOrgId: Type.String(),
            scopes: Type.Array(Type.Enum(['api-access', 'weights-access', 'eval-logs']), { minItems: 1, maxItems: 3 }),
            instructions: Type.String({ minLength: 1, maxLength: 20_000 }),
            expiresAt: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      reply.code(201);
      return models.grant(callerOf(request), request.params.id, request.body);
    },
  );

  app.get('/v1/grants/:id/access', { config: { access: { kinds: ['partner'], scope: 'read' } }, schema: { tags: ['models'], summary: 'A grantee reads its access instructions while the grant is active (410 after); each view is logged', params: id } }, async (request) =>
    models.access(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/reviews/:id/findings',
    {
      config: { access: { kinds: ['partner'], scope: 'write' } },
      schema: {
        tags: ['models'],
        summary: 'File a review finding (partners with an active grant); an AI-system vulnerability becomes a vulnerability record with the model as its product',
        params: id,
        body: Type.Object(
          {
            kind: Type.Enum(['cyber-capability', 'ai-system-vulnerability', 'safeguard-gap']),
            severity: Type.Enum(['critical', 'high', 'medium', 'low', 'none']),
            title: Type.String({ minLength: 1, maxLength: 300 }),
            description: Type.String({ minLength: 1, maxLength: 100_000 }),
            evidence: Type.Optional(Type.Array(Type.Object({ filename: Type.String({ maxLength: 300 }), mediaType: Type.String({ maxLength: 200 }), contentBase64: Type.String() }, { additionalProperties: false }), { maxItems: 20 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      reply.code(201);
      return models.fileFinding(callerOf(request), request.params.id, request.body);
    },
  );

  app.get(
    '/v1/reviews/:id/report',
    {
      config: { access: developer },
      schema: { tags: ['models'], summary: 'The review report for the developer, as JSON or readable text (?format=text); each delivery is logged', params: id, querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'text'])) }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      const r = await models.report(callerOf(request), request.params.id);
      if (request.query.format === 'text') {
        reply.type('text/plain; charset=utf-8');
        return r.text;
      }
      return r.report;
    },
  );
}
