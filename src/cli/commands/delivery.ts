// `clearinghouse webhook …`, `mail …` and `deliveries …`: where an organization's notifications go, and
// what became of each (the dead-letter list is `deliveries --status dead`).
import type { Command } from 'commander';
import { listAll } from '../client.js';
import type { CliContext } from '../context.js';
import { fields, table } from '../output.js';

interface WebhookRow {
  id: string;
  orgId: string;
  url: string;
  eventTypes: string[] | null;
  enabled: boolean;
  createdAt: string;
  secret?: string;
}

interface ContactRow {
  id: string;
  orgId: string;
  address: string;
  enabled: boolean;
  createdAt: string;
}

interface DeliveryRow {
  id: string;
  orgId: string;
  channel: string;
  endpointId: string | null;
  contactId: string | null;
  eventType: string;
  subject: string | null;
  caseId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: string | null;
  createdAt: string;
}

const webhookColumns = [
  { header: 'id', value: (w: WebhookRow) => w.id },
  { header: 'org', value: (w: WebhookRow) => w.orgId },
  { header: 'url', value: (w: WebhookRow) => w.url },
  { header: 'events', value: (w: WebhookRow) => (w.eventTypes ? w.eventTypes.join(',') : 'all') },
  { header: 'state', value: (w: WebhookRow) => (w.enabled ? 'enabled' : 'removed') },
];

const contactColumns = [
  { header: 'id', value: (c: ContactRow) => c.id },
  { header: 'org', value: (c: ContactRow) => c.orgId },
  { header: 'address', value: (c: ContactRow) => c.address },
  { header: 'state', value: (c: ContactRow) => (c.enabled ? 'enabled' : 'removed') },
];

const deliveryColumns = [
  { header: 'id', value: (d: DeliveryRow) => d.id },
  { header: 'channel', value: (d: DeliveryRow) => d.channel },
  { header: 'event', value: (d: DeliveryRow) => d.eventType },
  { header: 'subject', value: (d: DeliveryRow) => d.subject },
  { header: 'status', value: (d: DeliveryRow) => d.status },
  { header: 'attempts', value: (d: DeliveryRow) => d.attempts },
  { header: 'next attempt', value: (d: DeliveryRow) => d.nextAttemptAt },
  { header: 'last error', value: (d: DeliveryRow) => (d.status === 'delivered' ? null : d.lastError) },
];

function eventTypes(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('--events needs at least one event type, e.g. clearinghouse.case.notified or clearinghouse.case.*');
  return list;
}

export function registerDelivery(program: Command, cli: CliContext): void {
  const webhook = program.command('webhook').description("your organization's webhook endpoints (CloudEvents 1.0, signed with HMAC-SHA256)");
  webhook
    .command('add <url>')
    .description('register a webhook endpoint (https; http only to a loopback host); prints its signing secret once')
    .option('--events <types>', 'only these event types, comma-separated (exact, or a prefix such as clearinghouse.case.*); default: all')
    .option('--org <id>', "coordinators: another organization's endpoint")
    .action(async (url: string, o: { events?: string; org?: string }) => {
      const types = eventTypes(o.events);
      const w = await cli.client().post<WebhookRow>('/v1/webhooks', { url, ...(types ? { eventTypes: types } : {}), ...(o.org ? { orgId: o.org } : {}) });
      cli.out().print(w, () =>
        fields([
          ['webhook', w.id],
          ['org', w.orgId],
          ['url', w.url],
          ['events', w.eventTypes ? w.eventTypes.join(', ') : 'all'],
          ['secret', w.secret ?? null],
        ]) + 'The secret is shown only now: keep it where your receiver verifies the Clearinghouse-Signature header.\n',
      );
    });
  webhook
    .command('list')
    .description("webhook endpoints (yours; coordinators and auditors: all, or --org's)")
    .option('--org <id>', 'coordinators and auditors: one organization')
    .action(async (o: { org?: string }) => {
      const rows = await listAll<WebhookRow>(cli.client(), '/v1/webhooks', { orgId: o.org });
      cli.out().print(rows, () => (rows.length === 0 ? 'no webhooks\n' : table(rows, webhookColumns)));
    });
  webhook
    .command('remove <id>')
    .description('remove a webhook endpoint: nothing more is sent to it (its record stays)')
    .action(async (id: string) => {
      const w = await cli.client().request<WebhookRow>('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`);
      cli.out().print(w, () => `webhook ${w.id} removed (${w.url})\n`);
    });
  webhook
    .command('test <id>')
    .description('send a clearinghouse.test event to an endpoint (coordinators)')
    .action(async (id: string) => {
      const d = await cli.client().post<DeliveryRow>(`/v1/webhooks/${encodeURIComponent(id)}/test`, {});
      cli.out().print(d, () => fields([['delivery', d.id], ['status', d.status]]));
    });

  const mail = program.command('mail').description("your organization's e-mail contacts for notifications");
  mail
    .command('add <address>')
    .description('register an e-mail address for notifications (the server needs CLEARINGHOUSE_SMTP_URL)')
    .option('--org <id>', "coordinators: another organization's contact")
    .action(async (address: string, o: { org?: string }) => {
      const c = await cli.client().post<ContactRow>('/v1/mail-contacts', { address, ...(o.org ? { orgId: o.org } : {}) });
      cli.out().print(c, () => table([c], contactColumns));
    });
  mail
    .command('list')
    .description("e-mail contacts (yours; coordinators and auditors: all, or --org's)")
    .option('--org <id>', 'coordinators and auditors: one organization')
    .action(async (o: { org?: string }) => {
      const rows = await listAll<ContactRow>(cli.client(), '/v1/mail-contacts', { orgId: o.org });
      cli.out().print(rows, () => (rows.length === 0 ? 'no mail contacts\n' : table(rows, contactColumns)));
    });
  mail
    .command('remove <id>')
    .description('remove an e-mail contact')
    .action(async (id: string) => {
      const c = await cli.client().request<ContactRow>('DELETE', `/v1/mail-contacts/${encodeURIComponent(id)}`);
      cli.out().print(c, () => `mail contact ${c.id} removed (${c.address})\n`);
    });

  const deliveries = program
    .command('deliveries')
    .description('deliveries of notifications, newest first (yours; coordinators and auditors: all); --status dead is the dead-letter list')
    .option('--status <status>', 'pending, delivered or dead')
    .option('--case <id>', 'only the deliveries of one disclosure case')
    .option('--org <id>', 'coordinators and auditors: one organization')
    .action(async (o: { status?: string; case?: string; org?: string }) => {
      if (o.status !== undefined && !['pending', 'delivered', 'dead'].includes(o.status)) throw new Error(`--status must be pending, delivered or dead, not ${JSON.stringify(o.status)}`);
      const rows = await listAll<DeliveryRow>(cli.client(), '/v1/deliveries', { status: o.status, caseId: o.case, orgId: o.org });
      cli.out().print(rows, () => (rows.length === 0 ? 'no deliveries\n' : table(rows, deliveryColumns)));
    });
  deliveries
    .command('retry <id>')
    .description('put a dead delivery back in the queue, its attempts reset (coordinators, or the notified organization)')
    .action(async (id: string) => {
      const d = await cli.client().post<DeliveryRow>(`/v1/deliveries/${encodeURIComponent(id)}/retry`, {});
      cli.out().print(d, () => fields([['delivery', d.id], ['status', d.status], ['next attempt', d.nextAttemptAt]]));
    });
}
