-- Vulnerability knowledge from outside: OSV database exports, each import recorded with what it changed;
-- the affected packages of every advisory indexed by package, so a package version is matched without a scan.

CREATE TABLE advisory_imports (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('osv')),
  source text NOT NULL,
  sha256 text NOT NULL,
  records integer NOT NULL,
  added integer NOT NULL,
  changed integer NOT NULL,
  unchanged integer NOT NULL,
  -- the ids added and changed (the first thousand of each), so a later import can say what moved
  changes jsonb NOT NULL,
  imported_at timestamptz NOT NULL,
  by_org uuid REFERENCES orgs (id)
);

CREATE TABLE advisories (
  id text PRIMARY KEY,
  aliases text[] NOT NULL,
  summary text,
  severity text,
  cvss_vector text,
  published timestamptz,
  modified timestamptz,
  withdrawn timestamptz,
  -- SHA-256 of the normalized record: a re-import changes a row only when this differs
  sha256 text NOT NULL,
  data jsonb NOT NULL,
  first_import uuid NOT NULL REFERENCES advisory_imports (id),
  last_import uuid NOT NULL REFERENCES advisory_imports (id)
);
CREATE INDEX advisories_aliases ON advisories USING gin (aliases);

CREATE TABLE advisory_packages (
  advisory_id text NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  ecosystem text NOT NULL,
  name text NOT NULL,
  -- the package as a purl without version: how SBOM components find the advisories that may affect them
  purl_key text,
  ranges jsonb NOT NULL,
  versions text[] NOT NULL,
  PRIMARY KEY (advisory_id, seq)
);
CREATE INDEX advisory_packages_key ON advisory_packages (purl_key) WHERE purl_key IS NOT NULL;
