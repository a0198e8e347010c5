// `clearinghouse log verify`: checks the server's log the way an outside auditor would, trusting nothing
// it serves. The checkpoint's signature against the pinned key; consistency with the checkpoint
// remembered from the last run (no rewrite, no rollback); every entry's bytes against the signed root.
// When the root does not match, inclusion proofs narrow the difference down to the altered entry.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeLogRecord } from '../core/log/entry.js';
import { RightEdge, inclusionPlan, leafHash, verifyConsistency, type Hash } from '../core/merkle/index.js';
import { parseCheckpoint, type Checkpoint } from '../formats/checkpoint.js';
import { parseVerifierKey, verifyNote } from '../formats/signed-note.js';
import { query, type Client } from './client.js';

export class VerificationError extends Error {
  override name = 'VerificationError';
}

export interface RememberedCheckpoint {
  vkey: string;
  size: number;
  rootHash: string;
  note: string;
  verifiedAt: string;
}

export interface VerifyOptions {
  /** Where the last verified checkpoint is kept. */
  stateFile: string;
  /** A verifier key to trust instead of the one pinned in the state file (or fetched on first use). */
  key?: string;
  /** Check signature and consistency only, not every entry. */
  skipEntries?: boolean;
  progress?: (done: number, total: number) => void;
}

export interface VerifyReport {
  origin: string;
  size: number;
  rootHash: string;
  previousSize: number | null;
  entriesChecked: number;
  keyPinnedNow: boolean;
}

export function defaultStateFile(server: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const id = createHash('sha256').update(server.replace(/\/+$/, '')).digest('hex').slice(0, 16);
  return join(base, 'clearinghouse', `log-${id}.json`);
}

function readState(path: string): RememberedCheckpoint | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RememberedCheckpoint;
  } catch (err) {
    throw new VerificationError(`${path}: cannot read the remembered checkpoint: ${(err as Error).message}`);
  }
}

function writeState(path: string, state: RememberedCheckpoint): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

const pageSize = 1000;

async function fetchLeaves(client: Client, size: number, progress?: (done: number, total: number) => void): Promise<Hash[]> {
  const leaves: Hash[] = new Array(size);
  const starts: number[] = [];
  for (let s = 0; s < size; s += pageSize) starts.push(s);
  let done = 0;
  const worker = async () => {
    for (let start = starts.shift(); start !== undefined; start = starts.shift()) {
      const end = Math.min(size, start + pageSize);
      const res = await client.get<{ entries: Array<{ index: number; data: string; leafHash: string }> }>(`/v1/log/entries${query({ start, end })}`, { auth: false });
      if (res.entries.length !== end - start) throw new VerificationError(`the server returned ${res.entries.length} entries for [${start}, ${end})`);
      for (const [i, e] of res.entries.entries()) {
        const index = start + i;
        if (e.index !== index) throw new VerificationError(`the server returned entry ${e.index} where entry ${index} belongs`);
        const data = Buffer.from(e.data, 'base64');
        const computed = leafHash(data);
        if (computed.toString('base64') !== e.leafHash) throw new VerificationError(`entry ${index}: its leafHash does not match its data`);
        try {
          decodeLogRecord(data);
        } catch (err) {
          throw new VerificationError(`entry ${index}: not a well-formed log entry (${(err as Error).message})`);
        }
        leaves[index] = computed;
      }
      done += end - start;
      progress?.(done, size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, starts.length) }, worker));
  return leaves;
}

/**
 * The entries' root differs from the signed one: find an entry that differs. Invariant: the server's hash
 * of `suspect` (a subtree of the signed tree) differs from ours. The inclusion proof of its first leaf
 * gives the server's hashes of every sibling inside it; a differing sibling becomes the new suspect, and
 * when none differs the leaf itself is the altered entry. O(log n) proofs.
 */
async function locateAlteredEntry(client: Client, size: number, leaves: Hash[]): Promise<number> {
  const localRange = (begin: number, end: number): Hash => {
    const edge = RightEdge.empty();
    for (let i = begin; i < end; i++) edge.append(leaves[i]!);
    return edge.root();
  };
  let suspect = { begin: 0, end: size };
  for (;;) {
    if (suspect.end - suspect.begin === 1) return suspect.begin;
    const index = suspect.begin;
    const proof = await client.get<{ hashes: string[] }>(`/v1/log/proof/inclusion${query({ index, size })}`, { auth: false });
    const plan = inclusionPlan(index, size);
    if (proof.hashes.length !== plan.length) throw new VerificationError(`the server's inclusion proof for entry ${index} has the wrong length`);
    let next: { begin: number; end: number } | null = null;
    for (const [i, range] of plan.entries()) {
      if (range.begin < suspect.begin || range.end > suspect.end) continue;
      if (!localRange(range.begin, range.end).equals(Buffer.from(proof.hashes[i]!, 'base64'))) {
        next = range;
        break;
      }
    }
    if (!next) return index;
    suspect = next;
  }
}

export async function verifyLog(client: Client, options: VerifyOptions): Promise<VerifyReport> {
  const remembered = readState(options.stateFile);
  const served = (await client.get<string>('/v1/log/key', { auth: false, accept: 'text/plain' })).trim();
  const vkey = options.key ?? remembered?.vkey ?? served;
  const verifier = parseVerifierKey(vkey);
  if (!options.key && remembered && remembered.vkey !== served) {
    throw new VerificationError(`the log's key changed from ${remembered.vkey} to ${served}; pass --key to trust a new key`);
  }

  const note = await client.get<string>('/v1/log/checkpoint', { auth: false, accept: 'text/plain' });
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(verifyNote(note, verifier));
  } catch (err) {
    throw new VerificationError(`checkpoint: ${(err as Error).message}`);
  }
  if (checkpoint.origin !== verifier.name) throw new VerificationError(`checkpoint origin ${checkpoint.origin} is not the key's name ${verifier.name}`);

  if (remembered) {
    const oldRoot = Buffer.from(remembered.rootHash, 'base64');
    if (checkpoint.size < remembered.size) {
      throw new VerificationError(`the log shrank from ${remembered.size} to ${checkpoint.size} entries: entries were removed or the log was rolled back`);
    }
    if (remembered.size > 0) {
      const proof = await client.get<{ hashes: string[] }>(`/v1/log/proof/consistency${query({ from: remembered.size, to: checkpoint.size })}`, { auth: false });
      try {
        verifyConsistency(remembered.size, checkpoint.size, oldRoot, checkpoint.rootHash, proof.hashes.map((h) => Buffer.from(h, 'base64')));
      } catch (err) {
        throw new VerificationError(
          `the log is not consistent with the checkpoint of size ${remembered.size} verified at ${remembered.verifiedAt}: history was rewritten (${(err as Error).message})`,
        );
      }
    }
  }

  let entriesChecked = 0;
  if (!options.skipEntries && checkpoint.size > 0) {
    const leaves = await fetchLeaves(client, checkpoint.size, options.progress);
    const edge = RightEdge.empty();
    for (const l of leaves) edge.append(l);
    if (!edge.root().equals(checkpoint.rootHash)) {
      const altered = await locateAlteredEntry(client, checkpoint.size, leaves);
      throw new VerificationError(`entry ${altered} does not match the signed tree: it was changed after it was logged`);
    }
    entriesChecked = leaves.length;
  }

  writeState(options.stateFile, {
    vkey,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash.toString('base64'),
    note,
    verifiedAt: new Date().toISOString(),
  });
  return {
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash.toString('base64'),
    previousSize: remembered?.size ?? null,
    entriesChecked,
    keyPinnedNow: !remembered && !options.key,
  };
}
