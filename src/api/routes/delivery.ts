// Delivery of notifications over HTTP: organizations' webhook endpoints and e-mail contacts, the deliveries
// made to them (the dead-letter list is `?status=dead`), retrying a dead one, and a coordinator's test event.
import { Type } from 'typebox';
import { callerOf, type Api } from '../types.js';
import type { Services } from '../../services/index.js';
import { PageQuery, page, pageOf } from '../schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const anyRead = { kinds: 'any', scope: 'read' } as const;
const anyWrite = { kinds: 'any', scope: 'write' } as const;
const idParam = Type.Object({ id: Type.String() });

const WebhookSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  url: Type.String(),
  eventTypes: Nullable(Type.Array(Type.String(), { description: 'event types sent to it (exact, or a prefix ending in .*); null: every type' })),
  enabled: Type.Boolean({ description: 'false: removed, kept for the record; nothing is sent to it' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const CreatedWebhookSchema = Type.Intersect([
  WebhookSchema,
  Type.Object({ secret: Type.String({ description: 'the signing secret (HMAC-SHA256 key of the Clearinghouse-Signature header); shown only in this response, stored sealed' }) }),
]);

const MailContactSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  address: Type.String(),
  enabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const DeliverySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  channel: Type.Enum(['webhook', 'email']),
  endpointId: Nullable(Type.String()),
  contactId: Nullable(Type.String()),
  eventId: Type.String({ description: 'the CloudEvent id: the same for every recipient of one notification and every attempt; receivers deduplicate by it' }),
  eventType: Type.String(),
  subject: Nullable(Type.String()),
  caseId: Nullable(Type.String()),
  status: Type.Enum(['pending', 'delivered', 'dead'], { description: 'dead: every attempt failed (the dead-letter list); POST …/retry tries again' }),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String()),
  lastStatusCode: Nullable(Type.Integer({ description: 'HTTP status of the last webhook attempt, or SMTP reply code of the last e-mail attempt' })),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  event: Type.Unknown({ description: 'the CloudEvent 1.0 sent: ids, a title, the API resource and the TLP label, never embargoed detail' }),
});

export function deliveryRoutes(app: Api, services: Services): void {
  app.post(
    '/v1/webhooks',
    {
      config: { access: anyWrite },
      schema: {
        tags: ['delivery'],
        summary: "Register a webhook endpoint of the caller's organization; the signing secret is in this response only",
        description:
          'Notifications are POSTed as CloudEvents 1.0 in structured mode (content-type application/cloudevents+json) with a `Clearinghouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` header keyed by the secret. A 2xx answer within 10 s delivers; anything else is retried with exponential backoff and jitter, then the delivery is dead. https only (http to a loopback host for local receivers). Coordinators may register for another organization (orgId).',
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000 }),
            eventTypes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: 'only these event types (exact, or a prefix ending in .*); default: all' })),
            orgId: Type.Optional(Type.String({ description: "coordinators: the organization it belongs to; default: the caller's own" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedWebhookSchema },
      },
    },
    async (request, reply) => {
      const out = await services.delivery.registerWebhook(callerOf(request), request.body);
      reply.code(201);
      return out;
    },
  );

  app.get(
    '/v1/webhooks',
    {
      config: { access: anyRead },
      schema: {
        tags: ['delivery'],
        summary: "Webhook endpoints, newest first: the caller's organization's; coordinators and auditors see all (or one organization's)",
        querystring: Type.Object({ orgId: Type.Optional(Type.String()), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(WebhookSchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, orgId } = request.query;
      return page(await services.delivery.listWebhooks(callerOf(request), { ...(orgId !== undefined ? { orgId } : {}), limit, offset }), limit, offset);
    },
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: { access: anyRead },
      schema: { tags: ['delivery'], summary: 'One webhook endpoint (never its secret)', params: idParam, response: { 200: WebhookSchema } },
    },
    async (request) => services.delivery.getWebhook(callerOf(request), request.params.id),
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { access: anyWrite },
      schema: { tags: ['delivery'], summary: 'Remove a webhook endpoint: it stays listed, disabled; nothing more is sent to it (idempotent)', params: idParam, response: { 200: WebhookSchema } },
    },
    async (request) => services.delivery.disableWebhook(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/webhooks/:id/test',
    {
      config: { access: { kinds: ['coordinator'], scope: 'write' } },
      schema: {
        tags: ['delivery'],
        summary: 'Send a clearinghouse.test event to one endpoint, through the delivery queue (coordinators)',
        params: idParam,
        response: { 202: DeliverySchema },
      },
    },
    async (request, reply) => {
      const out = await services.delivery.testWebhook(callerOf(request), request.params.id);
      reply.code(202);
      return out;
    },
  );

  app.post(
    '/v1/mail-contacts',
    {
      config: { access: anyWrite },
      schema: {
        tags: ['delivery'],
        summary: "Register an e-mail address of the caller's organization for notifications (409 when the server has no SMTP configured)",
        description: 'Each notification is one e-mail: the event type and subject in the subject line, the API link and TLP label in the text, the CloudEvent attached as event.json; never embargoed detail.',
        body: Type.Object(
          {
            address: Type.String({ minLength: 3, maxLength: 254 }),
            orgId: Type.Optional(Type.String({ description: "coordinators: the organization it belongs to; default: the caller's own" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: MailContactSchema },
      },
    },
    async (request, reply) => {
      const out = await services.delivery.registerMailContact(callerOf(request), request.body);
      reply.code(201);
      return out;
    },
  );

  app.get(
    '/v1/mail-contacts',
    {
      config: { access: anyRead },
      schema: {
        tags: ['delivery'],
        summary: "E-mail contacts, newest first: the caller's organization's; coordinators and auditors see all (or one organization's)",
        querystring: Type.Object({ orgId: Type.Optional(Type.String()), ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(MailContactSchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, orgId } = request.query;
      return page(await services.delivery.listMailContacts(callerOf(request), { ...(orgId !== undefined ? { orgId } : {}), limit, offset }), limit, offset);
    },
  );

  app.delete(
    '/v1/mail-contacts/:id',
    {
      config: { access: anyWrite },
      schema: { tags: ['delivery'], summary: 'Remove an e-mail contact: it stays listed, disabled (idempotent)', params: idParam, response: { 200: MailContactSchema } },
    },
    async (request) => services.delivery.disableMailContact(callerOf(request), request.params.id),
  );

  app.get(
    '/v1/deliveries',
    {
      config: { access: anyRead },
      schema: {
        tags: ['delivery'],
        summary: "Deliveries of notifications, newest first: the caller's organization's; coordinators and auditors see all. status=dead is the dead-letter list",
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum(['pending', 'delivered', 'dead'])),
            caseId: Type.Optional(Type.String({ description: 'only the deliveries of one disclosure case' })),
            orgId: Type.Optional(Type.String({ description: 'coordinators and auditors: one organization' })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(DeliverySchema) },
      },
    },
    async (request) => {
      const { limit = 100, offset = 0, status, caseId, orgId } = request.query;
      return page(
        await services.delivery.listDeliveries(callerOf(request), { ...(status ? { status } : {}), ...(caseId !== undefined ? { caseId } : {}), ...(orgId !== undefined ? { orgId } : {}), limit, offset }),
        limit,
        offset,
      );
    },
  );

  app.get(
    '/v1/deliveries/:id',
    {
      config: { access: anyRead },
      schema: { tags: ['delivery'], summary: 'One delivery with its attempts and last error', params: idParam, response: { 200: DeliverySchema } },
    },
    async (request) => services.delivery.getDelivery(callerOf(request), request.params.id),
  );

  app.post(
    '/v1/deliveries/:id/retry',
    {
      config: { access: anyWrite },
      schema: {
        tags: ['delivery'],
        summary: 'Put a dead delivery back in the queue, its attempts reset (coordinators, or the notified organization)',
        params: idParam,
        response: { 202: DeliverySchema },
      },
    },
    async (request, reply) => {
      const out = await services.delivery.retry(callerOf(request), request.params.id);
      reply.code(202);
      return out;
    },
  );
}
