// The database schema as TypeScript types (Kysely): the only description of tables outside the migrations.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface OrgsTable {
  id: string;
  name: string;
  kind: string;
  asset_class: string | null;
  sector: string | null;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  name: string;
  token_hash: string;
  visible_prefix: string;
  scopes: string[];
  created_at: CreatedAt;
  created_by_token: string | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** Entries committed by services but not yet given a place in the Merkle tree. */
export interface LogPendingTable {
  id: Generated<string>;
  data: Buffer;
  action: string;
  object_type: string;
  object_id: string;
  actor_org: string | null;
  logged_at: Timestamp;
}

export interface LogEntriesTable {
  idx: ColumnType<number, number, never>;
  /** The canonical bytes: authoritative. The other columns are copies for querying. */
  data: Buffer;
  action: string;
  object_type: string;
  object_id: string;
  actor_org: string | null;
  logged_at: Timestamp;
}

/** Complete subtrees of the log's Merkle tree; level 0 holds the leaf hashes. */
export interface LogNodesTable {
  level: number;
  idx: number;
  hash: Buffer;
}

export interface LogHeadTable {
  id: number;
  size: number;
  root_hash: Buffer;
  updated_at: Timestamp;
}

export interface LogCheckpointsTable {
  size: number;
  root_hash: Buffer;
  note: string;
  signed_at: Timestamp;
}

/** Public keys that have signed this log's checkpoints; the newest is current. */
export interface LogKeysTable {
  vkey: string;
  created_at: CreatedAt;
}

export interface TargetsTable {
  id: string;
  name: string;
  purl: string | null;
  purl_key: string | null;
  repo_url: string | null;
  repo_key: string | null;
  maintainer_org: string | null;
  criticality: number;
  max_concurrent_scanners: ColumnType<number, number | undefined, number>;
  scan_interval_days: ColumnType<number, number | undefined, number>;
  last_scanned_at: Timestamp | null;
  created_at: Timestamp;
  created_by_org: string | null;
}

export interface ClaimsTable {
  id: string;
  target_id: string;
  org_id: string;
  token_id: string | null;
  scope_kind: 'all' | 'class' | 'cwe';
  scope_class: string | null;
  scope_cwes: number[];
  created_at: Timestamp;
  expires_at: Timestamp;
  released_at: Timestamp | null;
  release_reason: 'finished' | 'abandoned' | null;
  renewals: ColumnType<number, number | undefined, number>;
}

export interface ScanRunsTable {
  id: string;
  org_id: string;
  target_id: string | null;
  claim_id: string | null;
  document_id: string | null;
  scanner_name: string;
  scanner_version: string | null;
  model_name: string | null;
  model_version: string | null;
  version: string | null;
  commit: string | null;
  scanned_at: Timestamp;
}

export interface DocumentsTable {
  id: string;
  org_id: string;
  token_id: string | null;
  sha256: string;
  size: number;
  media_type: string;
  filename: string | null;
  context: unknown;
  submitted_at: Timestamp;
}

export interface DocumentChunksTable {
  document_id: string;
  seq: number;
  data: Buffer;
}

export interface JobsTable {
  id: string;
  kind: string;
  org_id: string | null;
  subject_id: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  run_after: Timestamp;
  lease_until: Timestamp | null;
  progress: unknown;
  result: unknown;
  error: unknown;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface VulnerabilitiesTable {
  id: string;
  display_id: string;
  kind: 'code' | 'advisory';
  title: string;
  target_id: string | null;
  severity: string | null;
  cwes: ColumnType<number[], number[] | undefined, number[]>;
  created_at: Timestamp;
  merged_into: string | null;
  validation_state: ColumnType<'unvalidated' | 'validated' | 'rejected', 'unvalidated' | 'validated' | 'rejected' | undefined, 'unvalidated' | 'validated' | 'rejected'>;
  validation_method: ColumnType<string | null, string | null | undefined, string | null>;
  validation_confidence: ColumnType<number | null, number | null | undefined, number | null>;
  rejection_reason: ColumnType<string | null, string | null | undefined, string | null>;
  crash_signature: ColumnType<string | null, string | null | undefined, string | null>;
  fix_commit: ColumnType<string | null, string | null | undefined, string | null>;
  fix_status: ColumnType<string | null, string | null | undefined, string | null>;
  root_cause_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface FindingsTable {
  id: string;
  seq: Generated<number>;
  document_id: string;
  org_id: string;
  scan_run_id: string | null;
  pointer: string;
  kind: 'code' | 'advisory';
  source: 'sarif' | 'osv' | 'native';
  title: string;
  severity: string | null;
  cwes: number[];
  target_id: string | null;
  data: unknown;
  features: unknown;
  vuln_id: string;
  link_reason: string;
  link_score: number;
  submitted_at: Timestamp;
}

export interface VulnDecisionsTable {
  id: string;
  vuln_id: string;
  action: 'merge' | 'split';
  other_vuln_id: string;
  finding_ids: string[];
  reason: string;
  actor_org: string | null;
  decided_at: Timestamp;
}

export interface FindingKeysTable {
  key_hash: string;
  finding_id: string;
}

export interface BuildRecipesTable {
  target_id: string;
  source_kind: 'path' | 'tarball' | 'git';
  source: string;
  commit: string | null;
  build_command: string;
  run_command: string;
  updated_at: Timestamp;
  updated_by_org: string;
}

export interface ValidationEventsTable {
  id: string;
  vuln_id: string;
  from_state: string;
  to_state: string;
  method: string | null;
  rejection_reason: string | null;
  confidence: number | null;
  evidence: unknown;
  actor_org: string | null;
  at: Timestamp;
}

export interface ReproductionsTable {
  id: string;
  vuln_id: string;
  finding_id: string;
  reporter_org: string;
  kind: 'reproduction' | 'fix-verification';
  status: 'queued' | 'reproduced' | 'not-reproduced' | 'fix-verified' | 'fix-failed' | 'error';
  verdict: string | null;
  commit: string | null;
  poc_sha256: string;
  signature: unknown;
  signature_key: string | null;
  runs: ColumnType<unknown, string | undefined, string>;
  attestation: unknown;
  job_id: string | null;
  requested_by_org: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface PolicyTable {
  key: string;
  value: unknown;
  updated_at: Timestamp;
  updated_by_org: string | null;
}

export interface AssetsTable {
  id: string;
  org_id: string;
  name: string;
  asset_class: 'nss' | 'dow' | 'fceb' | 'sltt' | 'ci';
  sector: string | null;
  criticality: number;
  created_at: Timestamp;
}

export interface SbomsTable {
  id: string;
  asset_id: string;
  sha256: string;
  size: number;
  format: 'cyclonedx' | 'spdx';
  spec_version: string;
  components: number;
  derived: number;
  unidentified: number;
  summary: unknown;
  uploaded_at: Timestamp;
  replaced_at: Timestamp | null;
}

export interface SbomComponentsTable {
  sbom_id: string;
  seq: number;
  purl: string;
  purl_key: string;
  name: string;
  version: string | null;
  match_version: string | null;
  derived: boolean;
  purl_source: string;
}

export interface AdvisoryImportsTable {
  id: string;
  kind: 'osv' | 'kev' | 'epss';
  source: string;
  sha256: string;
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  changes: unknown;
  imported_at: Timestamp;
  by_org: string | null;
}

export interface ImportSourcesTable {
  id: string;
  kind: 'osv' | 'kev' | 'epss';
  url: string;
  every_hours: number | null;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  last_status: 'ok' | 'unchanged' | 'failed' | null;
  last_error: string | null;
  last_import_id: string | null;
  last_sha256: string | null;
  etag: string | null;
  last_modified: string | null;
  created_by_org: string | null;
  created_by_token: string | null;
  created_at: Timestamp;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  secret_sealed: string;
  secret_key: string;
  event_types: string[] | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  created_by_token: string | null;
}

export interface MailContactsTable {
  id: string;
  org_id: string;
  address: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  created_by_token: string | null;
}

export interface DeliveriesTable {
  id: string;
  org_id: string;
  channel: 'webhook' | 'email';
  endpoint_id: string | null;
  contact_id: string | null;
  event_id: string;
  event_type: string;
  subject: string | null;
  payload: unknown;
  case_id: string | null;
  status: 'pending' | 'delivered' | 'dead';
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  last_status_code: number | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

export interface Schema {
  orgs: OrgsTable;
  api_tokens: ApiTokensTable;
  log_pending: LogPendingTable;
  log_entries: LogEntriesTable;
  log_nodes: LogNodesTable;
  log_head: LogHeadTable;
  log_checkpoints: LogCheckpointsTable;
  log_keys: LogKeysTable;
  targets: TargetsTable;
  claims: ClaimsTable;
  scan_runs: ScanRunsTable;
  documents: DocumentsTable;
  document_chunks: DocumentChunksTable;
  jobs: JobsTable;
  vulnerabilities: VulnerabilitiesTable;
  findings: FindingsTable;
  finding_keys: FindingKeysTable;
  vuln_decisions: VulnDecisionsTable;
  build_recipes: BuildRecipesTable;
  validation_events: ValidationEventsTable;
  reproductions: ReproductionsTable;
  policy: PolicyTable;
  assets: AssetsTable;
  sboms: SbomsTable;
  sbom_components: SbomComponentsTable;
  advisory_imports: AdvisoryImportsTable;
  import_sources: ImportSourcesTable;
  webhook_endpoints: WebhookEndpointsTable;
  mail_contacts: MailContactsTable;
  deliveries: DeliveriesTable;
}
