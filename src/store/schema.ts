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

export interface Schema {
  orgs: OrgsTable;
  api_tokens: ApiTokensTable;
  log_pending: LogPendingTable;
  log_entries: LogEntriesTable;
  log_nodes: LogNodesTable;
  log_head: LogHeadTable;
  log_checkpoints: LogCheckpointsTable;
  log_keys: LogKeysTable;
}
