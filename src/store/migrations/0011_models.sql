-- Voluntary frontier-model review: models and their cyber-capability results, published covered-model criteria
-- and the determinations made under them (never rewritten), voluntary submissions with their review windows,
-- partners' time-boxed grants (instructions sealed), review findings and report deliveries. There is no
-- approval, denial or clearance anywhere in this schema, on purpose: a review cannot block a release.

CREATE TABLE models (
  id uuid PRIMARY KEY,
  developer_org uuid NOT NULL REFERENCES orgs (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  version text NOT NULL CHECK (length(version) BETWEEN 1 AND 100),
  planned_release_at timestamptz NOT NULL,
  -- null: not disclosed (never counts towards coverage)
  training_flop double precision CHECK (training_flop IS NULL OR training_flop > 0),
  modalities text[] NOT NULL,
  model_card text,
  created_at timestamptz NOT NULL,
  CONSTRAINT models_once UNIQUE (developer_org, name, version)
);

CREATE TABLE model_results (
  id uuid PRIMARY KEY,
  model_id uuid NOT NULL REFERENCES models (id),
  benchmark text NOT NULL,
  benchmark_version text,
  metric text,
  score double precision NOT NULL,
  evaluated_at timestamptz NOT NULL,
  -- manual, or imported from an Inspect log (eval-json / eval-zip) with its digest, task and scorer
  source text NOT NULL,
  log_sha256 text,
  task text,
  scorer text,
  created_at timestamptz NOT NULL
);
CREATE INDEX model_results_model ON model_results (model_id, evaluated_at);

CREATE TABLE coverage_criteria (
  version text PRIMARY KEY,
  -- publication order: the latest is in force
  seq bigint GENERATED ALWAYS AS IDENTITY,
  document jsonb NOT NULL,
  published_at timestamptz NOT NULL,
  published_by_org uuid REFERENCES orgs (id)
);

-- every evaluation, kept as it was made: later criteria add determinations, they never change these
CREATE TABLE model_determinations (
  id uuid PRIMARY KEY,
  -- the order they were made in, also within one instant
  seq bigint GENERATED ALWAYS AS IDENTITY,
  model_id uuid NOT NULL REFERENCES models (id),
  criteria_version text NOT NULL REFERENCES coverage_criteria (version),
  covered boolean NOT NULL,
  tier text,
  rule text NOT NULL,
  detail jsonb NOT NULL,
  evaluated_at timestamptz NOT NULL
);
CREATE INDEX model_determinations_model ON model_determinations (model_id, seq);

CREATE TABLE model_reviews (
  id uuid PRIMARY KEY,
  model_id uuid NOT NULL REFERENCES models (id),
  developer_org uuid NOT NULL REFERENCES orgs (id),
  submitted_at timestamptz NOT NULL,
  -- the window ends at the planned release date, whatever the state of the review
  window_ends_at timestamptz NOT NULL,
  withdrawn_at timestamptz,
  CONSTRAINT model_reviews_window CHECK (window_ends_at > submitted_at AND window_ends_at <= submitted_at + interval '30 days')
);
CREATE INDEX model_reviews_model ON model_reviews (model_id);

CREATE TABLE review_grants (
  id uuid PRIMARY KEY,
  review_id uuid NOT NULL REFERENCES model_reviews (id),
  partner_org uuid NOT NULL REFERENCES orgs (id),
  scopes text[] NOT NULL,
  granted_by_org uuid NOT NULL REFERENCES orgs (id),
  granted_at timestamptz NOT NULL,
  -- the grant's own end; it also ends with the window and on withdrawal
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  data_key text NOT NULL,
  instructions_sealed text NOT NULL
);
CREATE INDEX review_grants_review ON review_grants (review_id);
CREATE INDEX review_grants_partner ON review_grants (partner_org);

CREATE TABLE review_findings (
  id uuid PRIMARY KEY,
  -- filing order, also within one instant
  seq bigint GENERATED ALWAYS AS IDENTITY,
  review_id uuid NOT NULL REFERENCES model_reviews (id),
  partner_org uuid NOT NULL REFERENCES orgs (id),
  kind text NOT NULL CHECK (kind IN ('cyber-capability', 'ai-system-vulnerability', 'safeguard-gap')),
  severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'none')),
  title text NOT NULL,
  data_key text NOT NULL,
  -- sealed JSON: description and evidence attachments
  body_sealed text NOT NULL,
  -- an AI-system vulnerability enters the vulnerability workflow as this record
  vuln_id uuid REFERENCES vulnerabilities (id),
  created_at timestamptz NOT NULL
);
CREATE INDEX review_findings_review ON review_findings (review_id, seq);
