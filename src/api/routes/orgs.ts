// Organizations and tokens over HTTP.
import { Type } from 'typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { IssuedToken, NewOrg, NewToken, Org, OrgKind, PageQuery, Token, page, pageOf } from '../schemas.js';

const anyOrgRead = { kinds: 'any', scope: 'read' } as const;
const anyOrgAdmin = { kinds: 'any', scope: 'admin' } as const;

export function orgRoutes(app: Api, services: Services): void {
  app.get(
    '/v1/whoami',
    {
      config: { access: anyOrgRead },
      schema: {
        tags: ['organizations'],
        summary: 'The organization and token behind the bearer token',
        response: { 200: Type.Object({ org: Org, tokenId: Type.String(), scopes: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return { org: await services.orgs.get(caller, caller.orgId), tokenId: caller.tokenId, scopes: [...caller.scopes] };
    },
  );

  app.get(
    '/v1/orgs',
    {
      config: { access: anyOrgRead },
      schema: {
        tags: ['organizations'],
        summary: 'Organizations: all of them for coordinators and auditors, otherwise one\'s own',
        querystring: Type.Object({ kind: Type.Optional(OrgKind), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(Org) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, kind } = request.query;
      return page(await services.orgs.list(callerOf(request), { limit, offset, ...(kind ? { kind } : {}) }), limit, offset);
    },
  );

  app.post(
    '/v1/orgs',
    {
      config: { access: { kinds: ['coordinator'], scope: 'admin' } },
      schema: {
        tags: ['organizations'],
        summary: 'Create an organization (coordinators)',
        body: NewOrg,
        response: { 201: Org },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return services.orgs.create(callerOf(request), request.body);
    },
  );

  app.get(
    '/v1/orgs/:orgId',
    {
      config: { access: anyOrgRead },
      schema: { tags: ['organizations'], summary: 'One organization', params: Type.Object({ orgId: Type.String() }), response: { 200: Org } },
    },
    async (request) => services.orgs.get(callerOf(request), request.params.orgId),
  );

  app.get(
    '/v1/tokens',
    {
      config: { access: anyOrgRead },
      schema: {
        tags: ['tokens'],
        summary: 'API tokens (never their secrets): one\'s own organization\'s, or any for coordinators and auditors',
        querystring: Type.Object({ orgId: Type.Optional(Type.String()), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(Token) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, orgId } = request.query;
      return page(await services.tokens.list(callerOf(request), { limit, offset, ...(orgId ? { orgId } : {}) }), limit, offset);
    },
  );

  app.post(
    '/v1/tokens',
    {
      config: { access: anyOrgAdmin },
      schema: {
        tags: ['tokens'],
        summary: 'Issue a token; the secret is in this response only',
        body: NewToken,
        response: { 201: IssuedToken },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return services.tokens.create(callerOf(request), request.body);
    },
  );

  app.post(
    '/v1/tokens/:tokenId/revoke',
    {
      config: { access: anyOrgAdmin },
      schema: { tags: ['tokens'], summary: 'Revoke a token (idempotent)', params: Type.Object({ tokenId: Type.String() }), response: { 200: Token } },
    },
    async (request) => services.tokens.revoke(callerOf(request), request.params.tokenId),
  );
}
