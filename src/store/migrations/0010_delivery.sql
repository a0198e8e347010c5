-- Delivery of notifications: organizations' webhook endpoints and e-mail contacts, and one row per
-- notification per endpoint or contact, tried by a background job with backoff until delivered or dead.
-- A notification carries no embargoed detail: ids, a title the recipient may see, an API link and a TLP label.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  url text NOT NULL,
  -- the signing secret, sealed (AES-256-GCM) with the endpoint's own data key, bound to the endpoint id
  secret_sealed text NOT NULL,
  -- that data key, wrapped by the master key (which never enters the database)
  secret_key text NOT NULL,
  -- event types sent to it (exact, or a prefix ending in .*); null: every type
  event_types text[],
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  created_by_token uuid
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, created_at);

CREATE TABLE mail_contacts (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  address text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  created_by_token uuid
);
CREATE INDEX mail_contacts_org ON mail_contacts (org_id, created_at);
-- one enabled contact per address in an organization
CREATE UNIQUE INDEX mail_contacts_enabled_address ON mail_contacts (org_id, lower(address)) WHERE enabled;

CREATE TABLE deliveries (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
  endpoint_id uuid REFERENCES webhook_endpoints (id),
  contact_id uuid REFERENCES mail_contacts (id),
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  subject text,
  -- the CloudEvent sent (no embargoed detail)
  payload jsonb NOT NULL,
  -- the disclosure case it notifies of, if any (no foreign key yet)
  case_id uuid,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  -- pending: not tried before this instant (a delivery being tried is pushed ahead by its claim)
  next_attempt_at timestamptz,
  last_error text,
  last_status_code integer,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL,
  CONSTRAINT deliveries_target CHECK ((channel = 'webhook' AND endpoint_id IS NOT NULL AND contact_id IS NULL) OR (channel = 'email' AND contact_id IS NOT NULL AND endpoint_id IS NULL)),
  CONSTRAINT deliveries_pending_due CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_org ON deliveries (org_id, created_at);
CREATE INDEX deliveries_case ON deliveries (case_id) WHERE case_id IS NOT NULL;
