// The transparency log as a service: services record events inside their own transactions; an
// integrator gives pending entries their place in the Merkle tree, one process at a time (the head
// row's lock), and signs a checkpoint for each new size. Reads serve entries and RFC 9162 proofs.
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { encodeLogRecord, type LogActor, type LogEvent } from '../core/log/entry.js';
import {
  RightEdge,
  assembleProof,
  consistencyPlan,
  inclusionPlan,
  leafHash,
  nodeKey,
  nodesNeeded,
  rightEdgeIds,
  type Hash,
  type NewNode,
  type NodeId,
} from '../core/merkle/index.js';
import { formatCheckpoint } from '../formats/checkpoint.js';
import { signNote, type NoteSigner } from '../formats/signed-note.js';
import * as logStore from '../store/log.js';
import type { Schema } from '../store/schema.js';

type Db = Kysely<Schema>;

const integrationBatch = 5000;
export const maxEntriesPerRead = 1000;

export interface InclusionProof {
  index: number;
  size: number;
  leafHash: Hash;
  hashes: Hash[];
}

export interface ConsistencyProof {
  from: number;
  to: number;
  hashes: Hash[];
}

export class TransparencyLog {
  private active: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly signer: NoteSigner,
    private readonly clock: Clock,
  ) {}

  get origin(): string {
    return this.signer.name;
  }

  /** The raw Ed25519 public key of the signer (it also signs validation attestations). */
  get verifierPublicKey(): Buffer {
    return this.signer.publicKey;
  }

  get verifierKey(): string {
    return this.signer.verifier.vkey;
  }

  /**
   * Binds the log to its signing key at start-up: the first key to open a database becomes its key, and a
   * process holding another key is refused, so two signers can never publish diverging checkpoints.
   */
  async bindSigningKey(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await logStore.lockHead(trx);
      const keys = await logStore.logKeys(trx);
      if (keys.length === 0) await logStore.registerLogKey(trx, this.verifierKey);
      else if (keys[keys.length - 1] !== this.verifierKey) {
        throw new AppError(
          'conflict',
          `this database's transparency log is signed by ${keys[keys.length - 1]}, but the configured signing key is ${this.verifierKey}; use the data directory's log key (CLEARINGHOUSE_HOME) or CLEARINGHOUSE_LOG_KEY`,
        );
      }
    });
    if (!(await logStore.latestCheckpoint(this.db))) {
      // A new log: publish a signed checkpoint of the current head (size 0) so there is always one to fetch.
      const head = await logStore.readHead(this.db);
      await logStore.insertCheckpoint(this.db, { ...head, note: this.signCheckpoint(head), at: this.clock.now() });
    }
  }

  /** Adds events to the log as part of the caller's transaction: they commit or vanish with it. */
  async record(trx: Db, actor: LogActor, events: readonly LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    const loggedAt = this.clock.now();
    const time = loggedAt.toISOString();
    await logStore.insertPending(
      trx,
      events.map((e) => ({
        data: encodeLogRecord({ ...e, actor, time }),
        action: e.action,
        objectType: e.objectType,
        objectId: e.objectId,
        actorOrg: actor.kind === 'org' ? actor.orgId : null,
        loggedAt,
      })),
    );
  }

  /**
   * Integrates every pending entry committed before the call. Concurrent callers share runs: one that
   * arrives during a run waits for the next, which picks up its entries along with everyone else's.
   */
  integrate(): Promise<void> {
    if (!this.active) {
      this.active = this.integrateAll().finally(() => {
        this.active = null;
      });
      return this.active;
    }
    if (!this.queued) {
      this.queued = this.active
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.integrate();
        });
    }
    return this.queued;
  }

  private async integrateAll(): Promise<void> {
    for (;;) {
      const { integrated } = await this.integrateBatch();
      if (integrated < integrationBatch) return;
    }
  }

  /** The right edge after the last integration here; reused while the head still matches it. */
  private edgeCache: { size: number; root: Hash; edge: NewNode[] } | null = null;

  private async rightEdge(trx: Db, head: logStore.LogHead): Promise<RightEdge> {
    const cached = this.edgeCache;
    if (cached && cached.size === head.size && cached.root.equals(head.rootHash)) return new RightEdge(head.size, cached.edge);
    const ids = rightEdgeIds(head.size);
    const stored = await logStore.fetchNodes(trx, ids);
    const edge = new RightEdge(
      head.size,
      ids.map((id) => {
        const hash = stored.get(nodeKey(id));
        if (!hash) throw new Error(`transparency log is corrupt: subtree ${nodeKey(id)} is missing`);
        return { ...id, hash };
      }),
    );
    if (!edge.root().equals(head.rootHash)) throw new Error('transparency log is corrupt: stored subtrees do not match the head');
    return edge;
  }

  private async integrateBatch(): Promise<{ integrated: number; size: number | null }> {
    const done = await this.db.transaction().execute(async (trx) => {
      const head = await logStore.lockHead(trx);
      const pending = await logStore.takePending(trx, integrationBatch);
      if (pending.length === 0) return null;
      const edge = await this.rightEdge(trx, head);
      const nodes: NewNode[] = [];
      const entries: logStore.IntegratedEntry[] = [];
      for (const p of pending) {
        entries.push({ ...p, index: edge.size });
        nodes.push(...edge.append(leafHash(p.data)));
      }
      const at = this.clock.now();
      const newHead = { size: edge.size, rootHash: edge.root() };
      await logStore.writeIntegration(trx, { entries, nodes, head: newHead, note: this.signCheckpoint(newHead), at });
      return { integrated: pending.length, edge };
    });
    if (!done) return { integrated: 0, size: null };
    // Cached only once committed: after a rollback the head would not match it, and it would be refetched.
    this.edgeCache = { size: done.edge.size, root: done.edge.root(), edge: done.edge.edge() };
    return { integrated: done.integrated, size: done.edge.size };
  }

  private signCheckpoint(head: logStore.LogHead): string {
    return signNote(formatCheckpoint({ origin: this.origin, size: head.size, rootHash: head.rootHash, extensions: [] }), this.signer);
  }

  /** The newest signed checkpoint (C2SP signed note). */
  async checkpoint(): Promise<logStore.StoredCheckpoint> {
    const cp = await logStore.latestCheckpoint(this.db);
    if (!cp) throw new Error('the transparency log has no checkpoint (bindSigningKey was not called)');
    return cp;
  }

  /** Whether entries are waiting for integration (committed by another process, or deferred by a failure). */
  hasPending(): Promise<boolean> {
    return logStore.hasPending(this.db);
  }

  async size(): Promise<number> {
    return (await logStore.readHead(this.db)).size;
  }

  async entries(start: number, end: number): Promise<logStore.StoredEntry[]> {
    const size = await this.size();
    if (!Number.isSafeInteger(start) || start < 0) throw new AppError('invalid-field', 'start must be a non-negative integer', { field: 'start' });
    if (!Number.isSafeInteger(end) || end <= start) throw new AppError('invalid-field', 'end must be greater than start', { field: 'end' });
    if (start >= size) throw new AppError('invalid-field', `start ${start} is beyond the tree size ${size}`, { field: 'start' });
    const cappedEnd = Math.min(end, size, start + maxEntriesPerRead);
    return logStore.readEntries(this.db, start, cappedEnd);
  }

  /**
   * Reads the stored subtrees a proof needs. Only integrated leaves have subtrees, so a missing one means
   * the size asked for is beyond the tree (checked then, to spare every proof a read of the head).
   */
  private async nodesFor(ids: NodeId[], size: number, field: string): Promise<Map<string, Hash>> {
    const nodes = await logStore.fetchNodes(this.db, ids);
    if (nodes.size < new Set(ids.map(nodeKey)).size) {
      const current = await this.size();
      if (size > current) throw new AppError('invalid-field', `${field} ${size} is beyond the current tree size ${current}`, { field });
      throw new Error('transparency log is corrupt: a stored subtree is missing');
    }
    return nodes;
  }

  async inclusionProof(index: number, size: number): Promise<InclusionProof> {
    const plan = inclusionPlan(index, size);
    const leafId = { level: 0, index };
    const nodes = await this.nodesFor([leafId, ...nodesNeeded(plan)], size, 'size');
    return { index, size, leafHash: nodes.get(nodeKey(leafId))!, hashes: assembleProof(plan, nodes) };
  }

  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    const plan = consistencyPlan(from, to);
    const ids = nodesNeeded(plan);
    if (ids.length === 0) {
      // from = 0 or from = to: an empty proof, as long as `to` exists
      const current = await this.size();
      if (to > current) throw new AppError('invalid-field', `to ${to} is beyond the current tree size ${current}`, { field: 'to' });
      return { from, to, hashes: [] };
    }
    const nodes = await this.nodesFor(ids, to, 'to');
    return { from, to, hashes: assembleProof(plan, nodes) };
  }
}
