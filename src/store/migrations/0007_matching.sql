-- Exposure, kept: every package version any SBOM holds is decided once against the advisories of its package,
-- and the verdicts are stored. A new SBOM decides only the versions no SBOM brought before; a new or changed
-- advisory decides only the versions of its packages. Exposure is then a join through two indexes.

-- the version a component is matched by (its purl's, else the SBOM's); rows from before this migration are
-- filled when the matcher catches up on start
ALTER TABLE sbom_components ADD COLUMN match_version text;
DROP INDEX sbom_components_package;
CREATE INDEX sbom_components_match ON sbom_components (purl_key, match_version);
-- what the catch-up on start still has to fill (empty once it ran)
CREATE INDEX sbom_components_unmatched ON sbom_components (sbom_id, seq) WHERE match_version IS NULL;

CREATE TABLE package_versions (
  purl_key text NOT NULL,
  version text NOT NULL,
  PRIMARY KEY (purl_key, version)
);

-- only the versions an advisory affects (or cannot decide); a version absent here for an advisory of its
-- package was decided not affected
CREATE TABLE version_matches (
  purl_key text NOT NULL,
  version text NOT NULL,
  advisory_id text NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('affected', 'unknown')),
  because text NOT NULL,
  PRIMARY KEY (purl_key, version, advisory_id)
);
CREATE INDEX version_matches_advisory ON version_matches (advisory_id);

-- which matcher decided the stored verdicts; another one (an upgrade that changed a version order) decides
-- them all again on start
CREATE TABLE matcher_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  matcher_version integer NOT NULL,
  matched_at timestamptz NOT NULL
);
