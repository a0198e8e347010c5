// Disclosure cases over HTTP: open, read (need-to-know; every read of embargoed detail logged), thread,
// VEX statements, fix progress, equities holds, closing, publication, the CVE id pool and the notice queue.
import { Type } from 'typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { PageQuery, page, pageOf } from '../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

const CaseSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  displayId: Type.String(),
  title: Type.String(),
  state: Type.Enum(['open', 'maintainer-notified', 'fix-in-progress', 'fix-available', 'published', 'closed-unfixed', 'equities-hold']),
  tlp: Type.Enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']),
  exploited: Type.Boolean(),
  wave: Type.Object({ current: Type.Integer(), name: Type.String() }),
  openedAt: Instant,
  maintainerNotifiedAt: Nullable(Instant),
  fixAvailableAt: Nullable(Instant),
  fixedVersions: Type.Array(Type.String()),
  fixCommit: Nullable(Type.String()),
  deadline: Type.Object({ publishAt: Nullable(Instant), detailAt: Nullable(Instant), remindAt: Nullable(Instant), rule: Nullable(Type.String()) }),
  hold: Type.Union([Type.Object({ reviewAt: Instant }), Type.Null()]),
  publishedAt: Nullable(Instant),
  closedAt: Nullable(Instant),
  advisoryId: Nullable(Type.String()),
  cveId: Nullable(Type.String()),
  vulnerabilities: Type.Array(Type.Object({ id: Type.String(), displayId: Type.String(), title: Type.String(), severity: Nullable(Type.String()), cwes: Type.Array(Type.Integer()) })),
  products: Type.Array(
    Type.Object({
      purlKey: Type.String(),
      name: Type.String(),
      affectedVersions: Type.Array(Type.String()),
      status: Type.Enum(['known_affected', 'known_not_affected', 'fixed', 'under_investigation']),
      justification: Nullable(Type.String()),
      impactStatement: Nullable(Type.String()),
      statusAt: Instant,
    }),
  ),
  participants: Type.Array(
    Type.Object({ orgId: Type.String(), orgName: Type.String(), role: Type.String(), wave: Type.Integer(), assetClass: Nullable(Type.String()), assets: Type.Integer(), notifiedAt: Nullable(Instant) }),
  ),
  timeline: Type.Array(Type.Object({ at: Instant, kind: Type.String(), actorOrg: Nullable(Type.String()), detail: Type.Record(Type.String(), Type.Unknown()) })),
  detail: Type.Optional(
    Type.Object({
      description: Type.Optional(Type.String()),
      locations: Type.Optional(Type.Array(Type.Unknown())),
      proofsOfConcept: Type.Optional(Type.Array(Type.Unknown())),
    }),
  ),
  waitingNotice: Type.Optional(Type.Boolean()),
});

const CaseSummary = Type.Object({
  id: Type.String(),
  displayId: Type.String(),
  title: Type.String(),
  state: Type.String(),
  tlp: Type.String(),
  openedAt: Instant,
  advisoryId: Nullable(Type.String()),
  publishAt: Nullable(Instant),
});

const Tlp = Type.String({ description: 'TLP 2.0 label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED (a TLP: prefix is accepted)' });

export function caseRoutes(app: Api, services: Services): void {
  const id = Type.Object({ id: Type.String({ description: 'case id or CHC id' }) });
  const cases = services.cases;
  const participantsWrite = { kinds: ['coordinator', 'maintainer', 'operator', 'scanner'], scope: 'write' } as const;
  const coordinator = { kinds: ['coordinator'], scope: 'write' } as const;

  app.post(
    '/v1/cases',
    {
      config: { access: coordinator },
      schema: {
        tags: ['disclosure'],
        summary: "Open a case for validated records: maintainers, exposed operators and reporters become participants; the maintainer's notice goes through its intake budget",
        body: Type.Object(
          {
            vulnerabilities: Type.Array(Type.String(), { minItems: 1, maxItems: 100 }),
            title: Type.String({ minLength: 1, maxLength: 300, description: 'metadata: auditors see it; no embargoed detail' }),
            tlp: Type.Optional(Tlp),
            exploited: Type.Optional(Type.Boolean({ description: 'actively exploited: the short deadline applies' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CaseSchema },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return cases.open(callerOf(request), request.body);
    },
  );

  app.get(
    '/v1/cases',
    {
      config: { access: { kinds: 'any', scope: 'read' } },
      schema: {
        tags: ['disclosure'],
        summary: 'Cases the caller may see: all for coordinators and auditors; for others those whose wave has reached them',
        querystring: Type.Object({ state: Type.Optional(Type.String()), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(CaseSummary) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, state } = request.query;
      return page(await cases.list(callerOf(request), { limit, offset, ...(state ? { state } : {}) }), limit, offset);
    },
  );

  app.get(
    '/v1/cases/notices',
    {
      config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } },
      schema: {
        tags: ['disclosure'],
        summary: "Maintainer notices waiting for room in their organizations' intake budgets, most urgent first",
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ caseId: Type.String(), maintainerOrg: Type.String(), priorityKey: Type.String(), queuedAt: Instant })) }) },
      },
    },
    async (request) => ({ items: await cases.waiting(callerOf(request)) }),
  );

  app.get(
    '/v1/cases/:id',
    {
      config: { access: { kinds: 'any', scope: 'read' } },
      schema: { tags: ['disclosure'], summary: 'One case; participants with need-to-know get its detail, and the read is logged', params: id, response: { 200: CaseSchema } },
    },
    async (request) => cases.view(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/cases/:id/messages',
    {
      config: { access: { kinds: ['coordinator', 'maintainer', 'operator', 'scanner'], scope: 'read' } },
      schema: {
        tags: ['disclosure'],
        summary: "The case's thread, as the caller's TLP allows (TLP:RED only to its author and coordinators); the read is logged",
        params: id,
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), author: Type.String(), authorOrg: Type.String(), tlp: Type.String(), body: Type.String(), createdAt: Instant })) }) },
      },
    },
    async (request) => ({ items: await cases.messages(callerOf(request), request.params.id) }),
  );

  app.post(
    '/v1/cases/:id/messages',
    {
      config: { access: participantsWrite },
      schema: {
        tags: ['disclosure'],
        summary: "Write in the case's thread (participants and coordinators); a message is as restrictive as the case or more",
        params: id,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 100_000 }), tlp: Type.Optional(Tlp) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), tlp: Type.String(), createdAt: Instant }) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return cases.postMessage(callerOf(request), request.params.id, request.body);
    },
  );

  app.put(
    '/v1/cases/:id/statements',
    {
      config: { access: { kinds: ['coordinator', 'maintainer'], scope: 'write' } },
      schema: {
        tags: ['disclosure'],
        summary: "A product's VEX status in the case (its maintainer or a coordinator)",
        params: id,
        body: Type.Object(
          {
            purlKey: Type.String({ maxLength: 500 }),
            status: Type.Enum(['known_affected', 'known_not_affected', 'fixed', 'under_investigation']),
            justification: Type.Optional(Type.String({ maxLength: 100 })),
            impactStatement: Type.Optional(Type.String({ maxLength: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
    },
    async (request) => cases.setStatement(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/cases/:id/fix',
    {
      config: { access: { kinds: ['coordinator', 'maintainer'], scope: 'write' } },
      schema: {
        tags: ['disclosure'],
        summary: 'Report a fix in progress, or a fix available (fixed versions and/or commit): the deadline is recomputed and federal operators are notified',
        params: id,
        body: Type.Object(
          { state: Type.Enum(['fix-in-progress', 'fix-available']), fixedVersions: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })), commit: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: CaseSchema },
      },
    },
    async (request) => cases.reportFix(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/cases/:id/hold',
    {
      config: { access: coordinator },
      schema: {
        tags: ['disclosure'],
        summary: 'Equities hold: a recorded decision with its rationale and a review date (an ISO 8601 instant with a zone)',
        params: id,
        body: Type.Object({ rationale: Type.String({ minLength: 1, maxLength: 20_000 }), reviewAt: Type.String() }, { additionalProperties: false }),
        response: { 200: CaseSchema },
      },
    },
    async (request) => cases.hold(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/cases/:id/release',
    { config: { access: coordinator }, schema: { tags: ['disclosure'], summary: 'End an equities hold: back to the state it interrupted', params: id, response: { 200: CaseSchema } } },
    async (request) => cases.release(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/cases/:id/close',
    {
      config: { access: coordinator },
      schema: { tags: ['disclosure'], summary: 'Close a case unfixed', params: id, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }), response: { 200: CaseSchema } },
    },
    async (request) => cases.close(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/cases/:id/publish',
    {
      config: { access: coordinator },
      schema: { tags: ['disclosure'], summary: 'Publish: every remaining wave first, a reserved CVE id, the signed advisory documents', params: id, response: { 200: CaseSchema } },
    },
    async (request) => cases.publish(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/cve-ids',
    {
      config: { access: coordinator },
      schema: {
        tags: ['disclosure'],
        summary: 'Import reserved CVE ids into the pool publication assigns from',
        body: Type.Object({ ids: Type.Array(Type.String(), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ added: Type.Integer(), free: Type.Integer(), assigned: Type.Integer() }) },
      },
    },
    async (request) => cases.importCveIds(callerOf(request), request.body),
  );
}
