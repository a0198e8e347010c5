-- Exposure, first part: operators' assets and the SBOM each one currently runs, its components keyed by
-- package URL. A new SBOM replaces the old one in the same transaction that stores it.

CREATE TABLE assets (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  asset_class text NOT NULL CHECK (asset_class IN ('nss', 'dow', 'fceb', 'sltt', 'ci')),
  sector text,
  criticality double precision NOT NULL CHECK (criticality >= 0 AND criticality <= 1),
  created_at timestamptz NOT NULL,
  CONSTRAINT assets_name_per_org UNIQUE (org_id, name),
  CONSTRAINT assets_ci_sector CHECK ((asset_class = 'ci') = (sector IS NOT NULL))
);

CREATE TABLE sboms (
  id uuid PRIMARY KEY,
  asset_id uuid NOT NULL REFERENCES assets (id),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  format text NOT NULL CHECK (format IN ('cyclonedx', 'spdx')),
  spec_version text NOT NULL,
  components integer NOT NULL,
  derived integer NOT NULL,
  unidentified integer NOT NULL,
  -- what the parser said of the document: subject, purl sources, unidentified samples
  summary jsonb NOT NULL,
  uploaded_at timestamptz NOT NULL,
  -- set when a newer SBOM for the asset took its place
  replaced_at timestamptz
);
CREATE UNIQUE INDEX sboms_current ON sboms (asset_id) WHERE replaced_at IS NULL;

CREATE TABLE sbom_components (
  sbom_id uuid NOT NULL REFERENCES sboms (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  purl text NOT NULL,
  -- the package without version: what advisories are matched by
  purl_key text NOT NULL,
  name text NOT NULL,
  version text,
  derived boolean NOT NULL,
  purl_source text NOT NULL,
  PRIMARY KEY (sbom_id, seq)
);
CREATE INDEX sbom_components_package ON sbom_components (purl_key);
