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
  /** Called with the new tree size after each integration (metrics). */
  onIntegrated: ((size: number) => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly signer: NoteSigner,
    private readonly clock: Clock,
  ) {}

  get origin(): string {
    return this.signer.name;
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
    if (!(await logStore.latestCheckpoint(this.db))) await this.integrate();
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
      const { integrated, size } = await this.integrateBatch();
      if (size !== null) this.onIntegrated?.(size);
      if (integrated < integrationBatch) return;
    }
  }

  private async integrateBatch(): Promise<{ integrated: number; size: number | null }> {
    return this.db.transaction().execute(async (trx) => {
      const head = await logStore.lockHead(trx);
      const pending = await logStore.takePending(trx, integrationBatch);
      const hasCheckpoint = pending.length > 0 || (await logStore.latestCheckpoint(trx)) !== null;
      if (pending.length === 0 && hasCheckpoint) return { integrated: 0, size: null };
      const edgeIds = rightEdgeIds(head.size);
      const stored = await logStore.fetchNodes(trx, edgeIds);
      const edge = new RightEdge(
        head.size,
        edgeIds.map((id) => {
          const hash = stored.get(nodeKey(id));
          if (!hash) throw new Error(`transparency log is corrupt: subtree ${nodeKey(id)} is missing`);
          return { ...id, hash };
        }),
      );
      if (!edge.root().equals(head.rootHash)) throw new Error('transparency log is corrupt: stored subtrees do not match the head');
      const nodes: NewNode[] = [];
      const entries: logStore.IntegratedEntry[] = [];
      for (const p of pending) {
        entries.push({ ...p, index: edge.size });
        nodes.push(...edge.append(leafHash(p.data)));
      }
      const at = this.clock.now();
      const newHead = { size: edge.size, rootHash: edge.root() };
      if (pending.length > 0) await logStore.writeIntegration(trx, { entries, nodes, pendingIds: pending.map((p) => p.id), head: newHead, at });
      const note = signNote(formatCheckpoint({ origin: this.origin, size: newHead.size, rootHash: newHead.rootHash, extensions: [] }), this.signer);
      await logStore.insertCheckpoint(trx, { ...newHead, note, at });
      return { integrated: pending.length, size: newHead.size };
    });
  }

  /** The newest signed checkpoint (C2SP signed note). */
  async checkpoint(): Promise<logStore.StoredCheckpoint> {
    const cp = await logStore.latestCheckpoint(this.db);
    if (cp) return cp;
    await this.integrate();
    const again = await logStore.latestCheckpoint(this.db);
    if (!again) throw new Error('the transparency log has no checkpoint');
    return again;
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

  private async checkSize(size: number, field: string): Promise<void> {
    const current = await this.size();
    if (!Number.isSafeInteger(size) || size < 0 || size > current) {
      throw new AppError('invalid-field', `${field} ${size} is beyond the current tree size ${current}`, { field });
    }
  }

  async inclusionProof(index: number, size: number): Promise<InclusionProof> {
    await this.checkSize(size, 'size');
    const plan = inclusionPlan(index, size);
    const leafId = { level: 0, index };
    const nodes = await logStore.fetchNodes(this.db, [leafId, ...nodesNeeded(plan)]);
    const leaf = nodes.get(nodeKey(leafId));
    if (!leaf) throw new Error(`transparency log is corrupt: leaf ${index} is missing`);
    return { index, size, leafHash: leaf, hashes: assembleProof(plan, nodes) };
  }

  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    await this.checkSize(to, 'to');
    const plan = consistencyPlan(from, to);
    const nodes = await logStore.fetchNodes(this.db, nodesNeeded(plan));
    return { from, to, hashes: assembleProof(plan, nodes) };
  }
}
