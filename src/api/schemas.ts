// Request and response schemas shared by routes; they validate input and generate /openapi.json.
import { Type } from 'typebox';
import { assetClasses, ciSectors, orgKinds } from '../core/orgs.js';
import { scopes } from '../core/access.js';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    field: Type.Optional(Type.String({ description: 'JSON Pointer into the body, or the name of the query/path parameter at fault' })),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export function pageOf<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    limit: Type.Integer(),
    offset: Type.Integer(),
    nextOffset: Type.Union([Type.Integer(), Type.Null()], { description: 'offset of the next page, or null on the last page' }),
  });
}

export function page<T>(items: T[], limit: number, offset: number) {
  return { items, limit, offset, nextOffset: items.length === limit ? offset + limit : null };
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const OrgKind = Type.Enum([...orgKinds]);
export const AssetClass = Type.Enum([...assetClasses]);
export const Sector = Type.Enum([...ciSectors]);
export const Scope = Type.Enum([...scopes]);

export const Org = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: OrgKind,
  assetClass: Nullable(AssetClass),
  sector: Nullable(Sector),
  createdAt: Type.String({ format: 'date-time' }),
});

export const NewOrg = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    kind: OrgKind,
    assetClass: Type.Optional(AssetClass),
    sector: Type.Optional(Sector),
  },
  { additionalProperties: false },
);

export const Token = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the secret, to tell tokens apart' }),
  scopes: Type.Array(Scope),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const IssuedToken = Type.Intersect([Token, Type.Object({ token: Type.String({ description: 'the secret; shown only in this response' }) })]);

export const NewToken = Type.Object(
  {
    orgId: Type.Optional(Type.String({ description: 'organization the token acts for; default: the caller\'s own' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    scopes: Type.Optional(Type.Array(Scope, { minItems: 1, uniqueItems: true })),
    expiresAt: Type.Optional(Type.String({ description: 'ISO 8601 instant with a time zone' })),
    expiresInDays: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

// ---- validation ----

export const ValidationSchema = Type.Object({
  state: Type.Enum(['unvalidated', 'validated', 'rejected']),
  method: Nullable(Type.Enum(['reproduction', 'corroboration', 'attestation'])),
  confidence: Nullable(Type.Number()),
  rejectionReason: Nullable(Type.Enum(['not-reproducible', 'not-a-vulnerability', 'out-of-scope', 'duplicate'])),
  crashSignature: Nullable(Type.String({ description: 'crash type and top frames, normalized as ClusterFuzz does' })),
  fix: Nullable(Type.Object({ commit: Type.String(), status: Type.Enum(['pending', 'fix-verified', 'fix-failed', 'error']) })),
  rootCause: Nullable(
    Type.Object({
      id: Type.String({ format: 'uuid', description: 'the group is named by its earliest record' }),
      records: Type.Array(Type.Object({ id: Type.String(), displayId: Type.String() })),
    }),
  ),
});

export const ReproductionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  vulnId: Type.String({ format: 'uuid' }),
  findingId: Type.String({ format: 'uuid' }),
  kind: Type.Enum(['reproduction', 'fix-verification']),
  status: Type.Enum(['queued', 'reproduced', 'not-reproduced', 'fix-verified', 'fix-failed', 'error']),
  verdict: Nullable(Type.String()),
  commit: Nullable(Type.String()),
  pocSha256: Type.String(),
  signature: Type.Unknown(),
  signatureKey: Nullable(Type.String()),
  jobId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  runs: Type.Optional(Type.Array(Type.Unknown(), { description: 'coordinators: each sandboxed run with capped stdout/stderr (base64)' })),
  reporterOrg: Type.Optional(Type.String()),
});
