-- Validation: build recipes, sandboxed reproductions and fix verifications with their signed
-- attestations, the validation state of each record and every transition of it, clearinghouse policy.

-- How to build a target and run a proof of concept against it.
CREATE TABLE build_recipes (
  target_id uuid PRIMARY KEY REFERENCES targets (id),
  source_kind text NOT NULL CHECK (source_kind IN ('path', 'tarball', 'git')),
  source text NOT NULL,
  -- the commit built when a finding names none (git sources)
  commit text,
  build_command text NOT NULL,
  -- shell command run in the built tree; {poc} is replaced by the path of the proof of concept
  run_command text NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by_org uuid NOT NULL REFERENCES orgs (id)
);

ALTER TABLE vulnerabilities
  ADD COLUMN validation_state text NOT NULL DEFAULT 'unvalidated'
    CHECK (validation_state IN ('unvalidated', 'validated', 'rejected')),
  ADD COLUMN validation_method text CHECK (validation_method IN ('reproduction', 'corroboration', 'attestation')),
  ADD COLUMN validation_confidence real CHECK (validation_confidence >= 0 AND validation_confidence <= 1),
  ADD COLUMN rejection_reason text CHECK (rejection_reason IN ('not-reproducible', 'not-a-vulnerability', 'out-of-scope', 'duplicate')),
  -- the crash signature key of the reproduction that validated it (same key, same target: same record)
  ADD COLUMN crash_signature text,
  ADD COLUMN fix_commit text,
  ADD COLUMN fix_status text CHECK (fix_status IN ('pending', 'fix-verified', 'fix-failed', 'error')),
  -- records whose proofs of concept one fix commit stopped: one root cause, each record keeps its credit
  ADD COLUMN root_cause_id uuid REFERENCES vulnerabilities (id),
  ADD CONSTRAINT vulnerabilities_validation_shape CHECK (
    (validation_state = 'unvalidated' AND validation_method IS NULL AND rejection_reason IS NULL)
    OR (validation_state = 'validated' AND validation_method IS NOT NULL AND validation_confidence IS NOT NULL AND rejection_reason IS NULL)
    OR (validation_state = 'rejected' AND validation_method IS NULL AND rejection_reason IS NOT NULL));
CREATE INDEX vulnerabilities_signature ON vulnerabilities (target_id, crash_signature) WHERE crash_signature IS NOT NULL;
CREATE INDEX vulnerabilities_root_cause ON vulnerabilities (root_cause_id) WHERE root_cause_id IS NOT NULL;

-- Every change of a record's validation state, with its evidence (the log holds the hash of each).
CREATE TABLE validation_events (
  id uuid PRIMARY KEY,
  vuln_id uuid NOT NULL REFERENCES vulnerabilities (id),
  from_state text NOT NULL,
  to_state text NOT NULL,
  method text,
  rejection_reason text,
  confidence real,
  evidence jsonb NOT NULL,
  -- null when the clearinghouse decided (a reproduction, corroboration)
  actor_org uuid REFERENCES orgs (id),
  at timestamptz NOT NULL
);
CREATE INDEX validation_events_vuln ON validation_events (vuln_id, at);

-- One sandboxed check of a proof of concept: a reproduction (at the reported commit, and for the
-- proof-of-vulnerability contract at the introducing commit and its parent) or a fix verification.
CREATE TABLE reproductions (
  id uuid PRIMARY KEY,
  vuln_id uuid NOT NULL REFERENCES vulnerabilities (id),
  finding_id uuid NOT NULL REFERENCES findings (id),
  -- the reporting organization, kept here so quality figures need no join through findings
  reporter_org uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reproduction', 'fix-verification')),
  status text NOT NULL CHECK (status IN ('queued', 'reproduced', 'not-reproduced', 'fix-verified', 'fix-failed', 'error')),
  -- why, in a word: no-crash, flaky-signature, claim-mismatch, crashes-at-parent, build-failed, ...
  verdict text,
  commit text,
  poc_sha256 text NOT NULL CHECK (poc_sha256 ~ '^[0-9a-f]{64}$'),
  signature jsonb,
  signature_key text,
  -- each sandbox run: commit, role, outcome, signature, capped stdout/stderr (base64) and their digests
  runs jsonb NOT NULL DEFAULT '[]',
  attestation jsonb,
  job_id uuid,
  requested_by_org uuid REFERENCES orgs (id),
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX reproductions_vuln ON reproductions (vuln_id, created_at);
CREATE INDEX reproductions_reporter ON reproductions (reporter_org, kind, status);

-- Decisions the clearinghouse takes itself (same crash signature) have no acting organization.
ALTER TABLE vuln_decisions ALTER COLUMN actor_org DROP NOT NULL;

-- Clearinghouse policy: one JSON value per key; defaults live in code, changes are logged.
CREATE TABLE policy (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by_org uuid REFERENCES orgs (id)
);

-- Organizations list their own jobs, newest first.
CREATE INDEX jobs_org ON jobs (org_id, created_at DESC);
