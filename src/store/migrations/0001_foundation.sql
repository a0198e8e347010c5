-- Foundation: organizations, API tokens and the transparency log.

CREATE TABLE orgs (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('coordinator', 'scanner', 'maintainer', 'operator', 'partner', 'auditor')),
  asset_class text CHECK (asset_class IN ('nss', 'dow', 'fceb', 'sltt', 'ci')),
  sector text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- an operator always has an asset class, nobody else has one; a sector exactly when the class is ci
  CONSTRAINT orgs_operator_class CHECK ((kind = 'operator') = (asset_class IS NOT NULL)),
  CONSTRAINT orgs_ci_sector CHECK ((coalesce(asset_class, '') = 'ci') = (sector IS NOT NULL))
);
CREATE UNIQUE INDEX orgs_name_unique ON orgs (lower(name));

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  visible_prefix text NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by_token uuid REFERENCES api_tokens (id),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_org ON api_tokens (org_id);

CREATE TABLE log_pending (
  id bigserial PRIMARY KEY,
  data bytea NOT NULL,
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text NOT NULL,
  actor_org uuid,
  logged_at timestamptz NOT NULL
);

CREATE TABLE log_entries (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  data bytea NOT NULL,
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text NOT NULL,
  actor_org uuid,
  logged_at timestamptz NOT NULL
);
CREATE INDEX log_entries_object ON log_entries (object_type, object_id);
CREATE INDEX log_entries_actor ON log_entries (actor_org, logged_at);

CREATE TABLE log_nodes (
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 63),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- One row: the integrated size and root. Locking it serialises integration, so the tree never forks.
CREATE TABLE log_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  size bigint NOT NULL CHECK (size >= 0),
  root_hash bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO log_head (id, size, root_hash) VALUES (1, 0, sha256(''::bytea));

CREATE TABLE log_checkpoints (
  size bigint PRIMARY KEY,
  root_hash bytea NOT NULL,
  note text NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE log_keys (
  vkey text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
