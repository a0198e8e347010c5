-- Where vulnerability knowledge is fetched from: an OSV export, the KEV catalog or an EPSS file at a URL,
-- fetched when asked or every so many hours by a background job, each run's outcome kept on the source.
CREATE TABLE import_sources (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('osv', 'kev', 'epss')),
  url text NOT NULL,
  -- null: runs only when asked
  every_hours integer CHECK (every_hours BETWEEN 1 AND 8760),
  -- when the pending job is due (null: nothing pending)
  next_run_at timestamptz,
  last_run_at timestamptz,
  last_status text CHECK (last_status IN ('ok', 'unchanged', 'failed')),
  last_error text,
  last_import_id uuid REFERENCES advisory_imports (id),
  -- SHA-256 of the body last imported: the same bytes again are not imported again
  last_sha256 text,
  -- validators of the body last imported, sent back for a conditional GET
  etag text,
  last_modified text,
  created_by_org uuid REFERENCES orgs (id),
  -- the token that registered it: the imports it runs act for that organization through it
  created_by_token uuid,
  created_at timestamptz NOT NULL,
  disabled boolean NOT NULL DEFAULT false
);
CREATE INDEX import_sources_created ON import_sources (created_at);
-- a source's pending job is found by its subject; jobs_subject (0002) indexes subject_id
