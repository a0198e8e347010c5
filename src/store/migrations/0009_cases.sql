-- Coordinated disclosure: cases over validated vulnerabilities, their participants and notification waves,
-- message threads and per-product VEX statements, deadlines and equities holds, the maintainer's intake
-- budget, and the reserved CVE ids assigned at publication. Embargoed detail is stored sealed only, under a
-- per-case data key that is itself stored wrapped by the master key (which is never in the database).

CREATE TABLE cases (
  id uuid PRIMARY KEY,
  -- what people say: CHC-<year>-<number>
  display_id text NOT NULL UNIQUE,
  -- metadata, seen by auditors: no embargoed detail belongs here
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  state text NOT NULL CHECK (state IN ('open', 'maintainer-notified', 'fix-in-progress', 'fix-available', 'published', 'closed-unfixed', 'equities-hold')),
  -- the state an equities hold interrupted, to return to
  held_from text,
  tlp text NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  -- v1:<master key id>:<base64>: the case's AES-256-GCM data key, wrapped
  data_key text NOT NULL,
  -- sealed JSON: description, proof of concept, code locations
  detail_sealed text NOT NULL,
  priority_key text NOT NULL,
  exploited boolean NOT NULL DEFAULT false,
  wave integer NOT NULL DEFAULT 0 CHECK (wave BETWEEN 0 AND 4),
  federal_wave_at timestamptz,
  opened_by_org uuid NOT NULL REFERENCES orgs (id),
  opened_at timestamptz NOT NULL,
  maintainer_notified_at timestamptz,
  fix_available_at timestamptz,
  fixed_versions text[] NOT NULL DEFAULT '{}',
  fix_commit text,
  publish_at timestamptz,
  detail_at timestamptz,
  remind_at timestamptz,
  reminded_at timestamptz,
  escalated_at timestamptz,
  deadline_rule text,
  hold_review_at timestamptz,
  published_at timestamptz,
  closed_at timestamptz,
  advisory_id text UNIQUE,
  cve_id text UNIQUE
);
CREATE INDEX cases_due ON cases (publish_at) WHERE state NOT IN ('published', 'closed-unfixed');

CREATE TABLE case_vulns (
  case_id uuid NOT NULL REFERENCES cases (id),
  vuln_id uuid NOT NULL REFERENCES vulnerabilities (id),
  PRIMARY KEY (case_id, vuln_id)
);
-- one live case per vulnerability
CREATE UNIQUE INDEX case_vulns_once ON case_vulns (vuln_id);

CREATE TABLE case_participants (
  case_id uuid NOT NULL REFERENCES cases (id),
  org_id uuid NOT NULL REFERENCES orgs (id),
  role text NOT NULL CHECK (role IN ('maintainer', 'operator', 'reporter')),
  -- 0 reporters, 1 maintainer, 2 federal operators, 3 sltt/ci operators
  wave integer NOT NULL CHECK (wave BETWEEN 0 AND 3),
  asset_class text,
  -- exposed assets (operators)
  assets integer NOT NULL DEFAULT 0,
  -- set when its wave reached it: only then does it see the case
  notified_at timestamptz,
  PRIMARY KEY (case_id, org_id, role)
);
CREATE INDEX case_participants_org ON case_participants (org_id) WHERE notified_at IS NOT NULL;

CREATE TABLE case_products (
  case_id uuid NOT NULL REFERENCES cases (id),
  purl_key text NOT NULL,
  name text NOT NULL,
  maintainer_org uuid REFERENCES orgs (id),
  affected_versions text[] NOT NULL,
  -- VEX statement for the product
  status text NOT NULL CHECK (status IN ('known_affected', 'known_not_affected', 'fixed', 'under_investigation')),
  justification text,
  impact_statement text,
  status_by_org uuid REFERENCES orgs (id),
  status_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, purl_key)
);

CREATE TABLE case_messages (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases (id),
  author_org uuid NOT NULL REFERENCES orgs (id),
  tlp text NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
  body_sealed text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX case_messages_case ON case_messages (case_id, created_at);

-- the timeline: every state change, wave, reminder, escalation, hold and publication
CREATE TABLE case_events (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases (id),
  at timestamptz NOT NULL,
  kind text NOT NULL,
  actor_org uuid REFERENCES orgs (id),
  -- metadata only (states, waves, counts, dates); never embargoed detail
  detail jsonb NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, at);

CREATE TABLE equities_decisions (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases (id),
  decided_by_org uuid NOT NULL REFERENCES orgs (id),
  -- sealed: the rationale may say more than the case's metadata
  rationale_sealed text NOT NULL,
  review_at timestamptz NOT NULL,
  decided_at timestamptz NOT NULL
);

-- the maintainer's intake budget: a case notice waits here until a digest has room for it
CREATE TABLE maintainer_notices (
  case_id uuid NOT NULL REFERENCES cases (id),
  maintainer_org uuid NOT NULL REFERENCES orgs (id),
  priority_key text NOT NULL,
  queued_at timestamptz NOT NULL,
  sent_at timestamptz,
  PRIMARY KEY (case_id, maintainer_org)
);
CREATE INDEX maintainer_notices_waiting ON maintainer_notices (maintainer_org, priority_key) WHERE sent_at IS NULL;
CREATE INDEX maintainer_notices_sent ON maintainer_notices (maintainer_org, sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE cve_pool (
  cve_id text PRIMARY KEY CHECK (cve_id ~ '^CVE-[0-9]{4}-[0-9]{4,}$'),
  imported_at timestamptz NOT NULL,
  imported_by_org uuid REFERENCES orgs (id),
  case_id uuid UNIQUE REFERENCES cases (id),
  assigned_at timestamptz
);

-- what a published case emitted: the documents as served, and their detached signatures and digests
CREATE TABLE publications (
  advisory_id text PRIMARY KEY,
  case_id uuid NOT NULL UNIQUE REFERENCES cases (id),
  cve_id text,
  published_at timestamptz NOT NULL,
  -- revision of the documents: 1 at publication, +1 when the detail is released later
  revision integer NOT NULL DEFAULT 1,
  documents jsonb NOT NULL,
  signatures jsonb NOT NULL
);

-- the OpenPGP key that signs CSAF documents (.asc): its private half sealed under the master key
CREATE TABLE openpgp_keys (
  fingerprint text PRIMARY KEY,
  armored_public text NOT NULL,
  data_key text NOT NULL,
  private_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  -- one key signs at a time
  current boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX openpgp_keys_current ON openpgp_keys (current) WHERE current;
