// Validation over HTTP: build recipes, reproduction and fix-verification requests, coordinators'
// attestations and rejections, signed attestations, reporter quality, jobs and policy.
import { Type } from 'typebox';
import { publicAccess } from '../access.js';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { attestationKeyId, publicKeyPem } from '../../formats/attestation.js';
import { PageQuery, page, pageOf, ReproductionSchema, ValidationSchema } from '../schemas.js';
import { JobSchema } from './findings.js';

const RecipeBody = Type.Object(
  {
    sourceKind: Type.Enum(['path', 'tarball', 'git']),
    source: Type.String({ minLength: 1, maxLength: 2000, description: 'absolute path, tarball path or http(s) URL, or git URL' }),
    commit: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'commit (git) or version label built when a finding names none' })),
    buildCommand: Type.String({ minLength: 1, maxLength: 4000, description: 'shell command run in the source tree, in the sandbox' }),
    runCommand: Type.String({ minLength: 1, maxLength: 4000, description: 'shell command run in the built tree; {poc} becomes the proof-of-concept path' }),
  },
  { additionalProperties: false },
);

const RecipeSchema = Type.Object({
  targetId: Type.String({ format: 'uuid' }),
  sourceKind: Type.String(),
  source: Type.String(),
  commit: Type.Union([Type.String(), Type.Null()]),
  buildCommand: Type.String(),
  runCommand: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
  updatedByOrg: Type.String(),
});

const Envelope = Type.Object(
  {
    payload: Type.String(),
    payloadType: Type.String(),
    signatures: Type.Array(Type.Object({ keyid: Type.String(), sig: Type.String() })),
  },
  { description: 'DSSE envelope holding an in-toto Statement v1 (predicate https://clearinghouse.dev/validation/v1)' },
);

const Quality = Type.Object({
  orgId: Type.String(),
  orgName: Type.String(),
  findings: Type.Integer(),
  duplicates: Type.Integer(),
  duplicateRate: Type.Union([Type.Number(), Type.Null()]),
  reproductionsTried: Type.Integer(),
  reproduced: Type.Integer(),
  notReproduced: Type.Integer(),
  reproductionRate: Type.Union([Type.Number(), Type.Null()]),
});

const PolicySchema = Type.Object({
  values: Type.Record(Type.String(), Type.Unknown()),
  settings: Type.Array(Type.Object({ name: Type.String(), value: Type.Unknown(), defaultValue: Type.Unknown(), description: Type.String() })),
});

const coordinatorOnly = { kinds: ['coordinator'], scope: 'write' } as const;

export function validationRoutes(app: Api, services: Services): void {
  const id = Type.Object({ id: Type.String() });
  const v = services.validation;

  app.put(
    '/v1/targets/:id/recipe',
    {
      config: { access: { kinds: ['coordinator', 'maintainer'], scope: 'write' } },
      schema: { tags: ['validation'], summary: "Set a target's build recipe (coordinators and the target's maintainers)", params: id, body: RecipeBody, response: { 200: RecipeSchema } },
    },
    async (request) => v.setRecipe(callerOf(request), request.params.id, request.body),
  );

  app.get(
    '/v1/targets/:id/recipe',
    {
      config: { access: { kinds: ['coordinator', 'maintainer', 'auditor'], scope: 'read' } },
      schema: { tags: ['validation'], summary: "A target's build recipe", params: id, response: { 200: RecipeSchema } },
    },
    async (request) => v.getRecipe(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/vulns/:id/validate',
    {
      config: { access: coordinatorOnly },
      schema: {
        tags: ['validation'],
        summary: 'Queue sandboxed reproductions of the proofs of concept in a record (202; poll the jobs)',
        params: id,
        body: Type.Optional(Type.Object({ findingId: Type.Optional(Type.String()) }, { additionalProperties: false })),
        response: { 202: Type.Object({ reproductions: Type.Array(ReproductionSchema) }) },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return v.requestReproduction(callerOf(request), request.params.id, request.body ?? {});
    },
  );

  app.post(
    '/v1/vulns/:id/fix',
    {
      config: { access: { kinds: ['coordinator', 'maintainer'], scope: 'write' } },
      schema: {
        tags: ['validation'],
        summary: 'Record the commit that fixes a record and queue its verification against the reproduced proof of concept (202)',
        params: id,
        body: Type.Object({ commit: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ reproduction: ReproductionSchema }) },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return v.recordFix(callerOf(request), request.params.id, request.body);
    },
  );

  app.post(
    '/v1/vulns/:id/attest',
    {
      config: { access: coordinatorOnly },
      schema: {
        tags: ['validation'],
        summary: 'Validate a record by attestation, with a rationale (logged)',
        params: id,
        body: Type.Object({ rationale: Type.String({ minLength: 3, maxLength: 4000 }), confidence: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })) }, { additionalProperties: false }),
        response: { 200: ValidationSchema },
      },
    },
    async (request) => v.attest(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/vulns/:id/reject',
    {
      config: { access: coordinatorOnly },
      schema: {
        tags: ['validation'],
        summary: 'Reject a record, with a reason and rationale (logged)',
        params: id,
        body: Type.Object(
          {
            reason: Type.Enum(['not-reproducible', 'not-a-vulnerability', 'out-of-scope', 'duplicate']),
            rationale: Type.String({ minLength: 3, maxLength: 4000 }),
            duplicateOf: Type.Optional(Type.String({ description: 'with reason duplicate: the record it duplicates' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ValidationSchema },
      },
    },
    async (request) => v.reject(callerOf(request), request.params.id, request.body),
  );

  app.get(
    '/v1/reproductions/:id/attestation',
    {
      config: { access: { kinds: ['coordinator', 'auditor', 'scanner'], scope: 'read' } },
      schema: {
        tags: ['validation'],
        summary: "The signed attestation of a reproduction or fix verification (the reporter's own, or any for coordinators and auditors)",
        params: id,
        response: { 200: Envelope },
      },
    },
    async (request) => v.attestation(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/attestations/key',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['validation'],
        summary: 'The Ed25519 key that signs attestations: PEM, DSSE keyid and signed-note verifier key',
        response: { 200: Type.Object({ keyid: Type.String(), pem: Type.String(), vkey: Type.String() }) },
      },
    },
    async () => {
      const key = services.log.verifierKey;
      const raw = services.log.verifierPublicKey;
      return { keyid: attestationKeyId(raw), pem: publicKeyPem(raw), vkey: key };
    },
  );

  app.get(
    '/v1/reporters/quality',
    {
      config: { access: { kinds: ['coordinator', 'auditor'], scope: 'read' } },
      schema: { tags: ['validation'], summary: "Each reporting organization's duplicate rate and reproduction rate", response: { 200: Type.Object({ items: Type.Array(Quality) }) } },
    },
    async (request) => ({ items: await v.quality(callerOf(request)) }),
  );

  app.get(
    '/v1/jobs',
    {
      config: { access: { kinds: 'any', scope: 'read' } },
      schema: {
        tags: ['jobs'],
        summary: "Background jobs, newest first: an organization's own; all for coordinators and auditors",
        querystring: Type.Object(
          { status: Type.Optional(Type.Enum(['queued', 'running', 'succeeded', 'failed'])), kind: Type.Optional(Type.String({ maxLength: 50 })), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(JobSchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, status, kind } = request.query;
      return page(await services.jobs.list(callerOf(request), { limit, offset, ...(status ? { status } : {}), ...(kind ? { kind } : {}) }), limit, offset);
    },
  );

  app.get(
    '/v1/policy',
    { config: { access: publicAccess }, schema: { tags: ['policy'], summary: 'Current policy: every setting, its value, default and meaning', response: { 200: PolicySchema } } },
    async () => services.policy.view(),
  );

  app.patch(
    '/v1/policy',
    {
      config: { access: { kinds: ['coordinator'], scope: 'admin' } },
      schema: { tags: ['policy'], summary: 'Change policy settings (coordinators; logged)', body: Type.Record(Type.String(), Type.Unknown()), response: { 200: PolicySchema } },
    },
    async (request) => services.policy.update(callerOf(request), request.body),
  );
}
