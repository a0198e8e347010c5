-- CISA's Known Exploited Vulnerabilities and FIRST's EPSS, imported like OSV exports (each import recorded),
-- by CVE id: what the remediation queue weighs besides CVSS and exposure.
ALTER TABLE advisory_imports DROP CONSTRAINT advisory_imports_kind_check;
ALTER TABLE advisory_imports ADD CONSTRAINT advisory_imports_kind_check CHECK (kind IN ('osv', 'kev', 'epss'));

CREATE TABLE kev_entries (
  cve text PRIMARY KEY,
  vendor_project text NOT NULL,
  product text NOT NULL,
  name text NOT NULL,
  date_added text NOT NULL,
  due_date text NOT NULL,
  ransomware boolean NOT NULL,
  import_id uuid NOT NULL REFERENCES advisory_imports (id)
);

CREATE TABLE epss_scores (
  cve text PRIMARY KEY,
  epss double precision NOT NULL,
  percentile double precision NOT NULL,
  score_date text,
  import_id uuid NOT NULL REFERENCES advisory_imports (id)
);
