// Published advisories as served (documents, detached signatures) and the OpenPGP key that signs them.
import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.js';

type Db = Kysely<Schema>;

export interface PublishedDocument {
  /** The bytes served, as text. */
  text: string;
  asc: string;
  sha256: string;
  sha512: string;
}

export interface Publication {
  advisoryId: string;
  caseId: string;
  cveId: string | null;
  publishedAt: Date;
  revision: number;
  documents: Record<string, PublishedDocument>;
}

function toPublication(r: { advisory_id: string; case_id: string; cve_id: string | null; published_at: Date; revision: number; documents: unknown; signatures: unknown }): Publication {
  const docs = (typeof r.documents === 'string' ? JSON.parse(r.documents) : r.documents) as Record<string, PublishedDocument>;
  return { advisoryId: r.advisory_id, caseId: r.case_id, cveId: r.cve_id, publishedAt: r.published_at, revision: r.revision, documents: docs };
}

export async function insertPublication(trx: Db, p: Publication): Promise<void> {
  await sql`
    INSERT INTO publications (advisory_id, case_id, cve_id, published_at, revision, documents, signatures)
    VALUES (${p.advisoryId}, ${p.caseId}::uuid, ${p.cveId}, ${p.publishedAt}, ${p.revision}, ${JSON.stringify(p.documents)}::jsonb, '{}'::jsonb)`.execute(trx);
}

export async function findPublication(db: Db, advisoryId: string): Promise<Publication | null> {
  const { rows } = await sql<Parameters<typeof toPublication>[0]>`SELECT * FROM publications WHERE advisory_id = ${advisoryId}`.execute(db);
  return rows[0] ? toPublication(rows[0]) : null;
}

export async function listPublications(db: Db, page: { limit: number; offset: number }): Promise<Publication[]> {
  const { rows } = await sql<Parameters<typeof toPublication>[0]>`
    SELECT * FROM publications ORDER BY published_at DESC, advisory_id LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db);
  return rows.map(toPublication);
}

/** Published OSV records whose affected packages name this one (a GIN-less scan: publications are few). */
export async function publishedOsvFor(db: Db, ecosystem: string, name: string): Promise<string[]> {
  const { rows } = await sql<{ text: string }>`
    SELECT documents->'osv'->>'text' AS text FROM publications
    WHERE (documents->'osv'->>'text')::jsonb->'affected' @> ${JSON.stringify([{ package: { ecosystem, name } }])}::jsonb`.execute(db);
  return rows.map((r) => r.text);
}

export interface StoredKey {
  fingerprint: string;
  armoredPublic: string;
  dataKey: string;
  privateSealed: string;
}

export async function currentKey(db: Db): Promise<StoredKey | null> {
  const { rows } = await sql<{ fingerprint: string; armored_public: string; data_key: string; private_sealed: string }>`
    SELECT fingerprint, armored_public, data_key, private_sealed FROM openpgp_keys WHERE current`.execute(db);
  const r = rows[0];
  return r ? { fingerprint: r.fingerprint, armoredPublic: r.armored_public, dataKey: r.data_key, privateSealed: r.private_sealed } : null;
}

/** Stores a new current key unless another process stored one first (then that one is current). */
export async function insertKeyIfNone(trx: Db, k: StoredKey, at: Date): Promise<void> {
  await sql`
    INSERT INTO openpgp_keys (fingerprint, armored_public, data_key, private_sealed, created_at, current)
    VALUES (${k.fingerprint}, ${k.armoredPublic}, ${k.dataKey}, ${k.privateSealed}, ${at}, true)
    ON CONFLICT DO NOTHING`.execute(trx);
}

export async function publicKey(db: Db, fingerprint: string): Promise<string | null> {
  const { rows } = await sql<{ armored_public: string }>`SELECT armored_public FROM openpgp_keys WHERE fingerprint = ${fingerprint.toUpperCase()} OR fingerprint = ${fingerprint.toLowerCase()}`.execute(db);
  return rows[0]?.armored_public ?? null;
}

export async function allKeys(db: Db): Promise<Array<{ fingerprint: string }>> {
  const { rows } = await sql<{ fingerprint: string }>`SELECT fingerprint FROM openpgp_keys ORDER BY created_at`.execute(db);
  return rows;
}

/** The signed attestations of the records' reproductions and fix verifications. */
export async function attestationsOf(db: Db, vulnIds: string[]): Promise<Array<{ id: string; kind: 'reproduction' | 'fix-verification'; attestation: unknown }>> {
  if (vulnIds.length === 0) return [];
  const { rows } = await sql<{ id: string; kind: 'reproduction' | 'fix-verification'; attestation: unknown }>`
    SELECT id, kind, attestation FROM reproductions WHERE vuln_id = ANY(${vulnIds}::uuid[]) AND attestation IS NOT NULL ORDER BY created_at`.execute(db);
  return rows;
}

export async function attestationOf(db: Db, advisoryId: string, reproductionId: string): Promise<unknown | null> {
  const { rows } = await sql<{ attestation: unknown }>`
    SELECT r.attestation FROM publications p JOIN case_vulns cv ON cv.case_id = p.case_id JOIN reproductions r ON r.vuln_id = cv.vuln_id
    WHERE p.advisory_id = ${advisoryId} AND r.id = ${reproductionId}::uuid AND r.attestation IS NOT NULL`.execute(db);
  return rows[0]?.attestation ?? null;
}
