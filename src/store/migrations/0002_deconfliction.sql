-- Deconfliction: scan targets and claims, scan runs (coverage), raw documents, background jobs,
-- findings and the vulnerability records they are deduplicated into.

CREATE TABLE targets (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  purl text,
  -- package URL without version, qualifiers or subpath: what makes two targets the same package
  purl_key text,
  repo_url text,
  -- repository URL without scheme, credentials, ".git" or trailing slash, host lower-cased
  repo_key text,
  maintainer_org uuid REFERENCES orgs (id),
  -- 0..1, as the OpenSSF criticality score
  criticality double precision NOT NULL CHECK (criticality >= 0 AND criticality <= 1),
  -- how many organizations may hold overlapping claims at once (coordinator policy)
  max_concurrent_scanners integer NOT NULL DEFAULT 1 CHECK (max_concurrent_scanners BETWEEN 1 AND 100),
  scan_interval_days integer NOT NULL DEFAULT 30 CHECK (scan_interval_days BETWEEN 1 AND 3650),
  last_scanned_at timestamptz,
  created_at timestamptz NOT NULL,
  created_by_org uuid REFERENCES orgs (id),
  CONSTRAINT targets_identified CHECK (purl_key IS NOT NULL OR repo_key IS NOT NULL)
);
CREATE UNIQUE INDEX targets_purl_key ON targets (purl_key) WHERE purl_key IS NOT NULL;
CREATE UNIQUE INDEX targets_repo_key ON targets (repo_key) WHERE repo_key IS NOT NULL;
CREATE INDEX targets_priority ON targets (last_scanned_at NULLS FIRST, criticality DESC);

CREATE TABLE claims (
  id uuid PRIMARY KEY,
  target_id uuid NOT NULL REFERENCES targets (id),
  org_id uuid NOT NULL REFERENCES orgs (id),
  token_id uuid REFERENCES api_tokens (id),
  scope_kind text NOT NULL CHECK (scope_kind IN ('all', 'class', 'cwe')),
  scope_class text,
  -- the CWEs the scope covers (a class expanded); empty for 'all', which overlaps everything
  scope_cwes integer[] NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  released_at timestamptz,
  release_reason text CHECK (release_reason IN ('finished', 'abandoned')),
  renewals integer NOT NULL DEFAULT 0,
  CONSTRAINT claims_scope_shape CHECK (
    (scope_kind = 'all' AND scope_class IS NULL AND cardinality(scope_cwes) = 0)
    OR (scope_kind = 'class' AND scope_class IS NOT NULL AND cardinality(scope_cwes) > 0)
    OR (scope_kind = 'cwe' AND scope_class IS NULL AND cardinality(scope_cwes) > 0)),
  CONSTRAINT claims_release CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
CREATE INDEX claims_active ON claims (target_id, expires_at) WHERE released_at IS NULL;
CREATE INDEX claims_org ON claims (org_id, created_at);

-- Coverage: who scanned what, with which tool or model, when.
CREATE TABLE scan_runs (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  target_id uuid REFERENCES targets (id),
  claim_id uuid REFERENCES claims (id),
  -- the submitted document the run's findings came in, when it was reported that way
  document_id uuid,
  scanner_name text NOT NULL,
  scanner_version text,
  model_name text,
  model_version text,
  version text,
  commit text,
  scanned_at timestamptz NOT NULL
);
CREATE INDEX scan_runs_target ON scan_runs (target_id, scanned_at DESC);
CREATE INDEX scan_runs_org ON scan_runs (org_id, scanned_at DESC);

-- Every submitted document, unchanged, as 1 MiB chunks: large logs stream in and out without one huge value.
CREATE TABLE documents (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  token_id uuid REFERENCES api_tokens (id),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  media_type text NOT NULL,
  filename text,
  -- what the submission said about the scan, for formats (SARIF) that do not name their target
  context jsonb NOT NULL,
  submitted_at timestamptz NOT NULL,
  CONSTRAINT documents_once_per_org UNIQUE (org_id, sha256)
);

CREATE TABLE document_chunks (
  -- deferred: chunks stream in before the document row, which needs the SHA-256 of them all
  document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (document_id, seq)
);

-- Background work clients can poll. Workers take jobs with FOR UPDATE SKIP LOCKED under a lease,
-- so a job enqueued in the same transaction as its document is never lost and never run twice at once.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  org_id uuid REFERENCES orgs (id),
  subject_id uuid,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  run_after timestamptz NOT NULL,
  lease_until timestamptz,
  progress jsonb,
  result jsonb,
  error jsonb,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX jobs_ready ON jobs (run_after) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_subject ON jobs (subject_id);

CREATE SEQUENCE vuln_number_seq;

CREATE TABLE vulnerabilities (
  id uuid PRIMARY KEY,
  -- a short, stable name people can say: CHV-<year>-<number>
  display_id text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('code', 'advisory')),
  title text NOT NULL,
  target_id uuid REFERENCES targets (id),
  severity text CHECK (severity IN ('critical', 'high', 'medium', 'low', 'none')),
  cwes integer[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  -- set when a coordinator merged this record into another; its findings moved there
  merged_into uuid REFERENCES vulnerabilities (id)
);
CREATE INDEX vulnerabilities_target ON vulnerabilities (target_id);
CREATE INDEX vulnerabilities_created ON vulnerabilities (created_at, id);

CREATE TABLE findings (
  id uuid PRIMARY KEY,
  -- insertion order: deduplication reads candidates oldest first, so its decisions are reproducible
  seq bigint GENERATED ALWAYS AS IDENTITY,
  document_id uuid NOT NULL REFERENCES documents (id),
  -- org, scan run and target carry no foreign keys: each is a per-row check on the hottest insert
  -- path, and all three are resolved by the intake service in the same transaction (the org is the
  -- document's, which is checked).
  org_id uuid NOT NULL,
  scan_run_id uuid,
  pointer text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('code', 'advisory')),
  source text NOT NULL CHECK (source IN ('sarif', 'osv', 'native')),
  title text NOT NULL,
  severity text CHECK (severity IN ('critical', 'high', 'medium', 'low', 'none')),
  cwes integer[] NOT NULL,
  target_id uuid,
  -- the normalized finding as parsed (the raw document is in document_chunks) and its dedup features;
  -- json, not jsonb: never queried inside the database, and storing the text is the cheaper write
  data json NOT NULL,
  features json NOT NULL,
  vuln_id uuid NOT NULL REFERENCES vulnerabilities (id),
  link_reason text NOT NULL,
  link_score real NOT NULL,
  submitted_at timestamptz NOT NULL,
  CONSTRAINT findings_once_per_document UNIQUE (document_id, pointer)
);
CREATE INDEX findings_vuln ON findings (vuln_id, submitted_at, seq);
CREATE INDEX findings_org ON findings (org_id, submitted_at DESC, id);

-- Lookup keys of every finding (fingerprints, exact keys, aliases, packages, locations, LSH bands):
-- deduplication reads the candidates of a whole batch in one indexed query.
CREATE TABLE finding_keys (
  -- md5 of the key text as a uuid: fixed 16 bytes, so the index stays small as it grows
  key_hash uuid NOT NULL,
  -- written with its finding by the same function; no per-row foreign-key check on the hot path
  finding_id uuid NOT NULL,
  PRIMARY KEY (key_hash, finding_id)
);

-- Coordinators' merge and split decisions with their reasons (the log holds their hashes).
CREATE TABLE vuln_decisions (
  id uuid PRIMARY KEY,
  vuln_id uuid NOT NULL REFERENCES vulnerabilities (id),
  action text NOT NULL CHECK (action IN ('merge', 'split')),
  other_vuln_id uuid NOT NULL REFERENCES vulnerabilities (id),
  finding_ids uuid[] NOT NULL DEFAULT '{}',
  reason text NOT NULL,
  actor_org uuid NOT NULL REFERENCES orgs (id),
  decided_at timestamptz NOT NULL
);
CREATE INDEX vuln_decisions_vuln ON vuln_decisions (vuln_id, decided_at);
CREATE INDEX vuln_decisions_other ON vuln_decisions (other_vuln_id, decided_at);
