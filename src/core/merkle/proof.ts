// Building RFC 9162 §2.1.3–2.1.4 inclusion and consistency proofs from stored complete subtrees.
// A proof is planned as a list of leaf ranges; each range is hashed from the complete subtrees under it,
// so at most O(log² n) — in practice O(log n) — stored nodes are read and nothing is recomputed.
import { AppError } from '../errors.js';
import type { Hash } from './hash.js';
import { decompose, hashRange, largestPow2Below, nodeKey, type NodeId } from './range.js';

/** Leaves [begin, end) whose subtree hash is one element of a proof. */
export interface LeafRange {
  begin: number;
  end: number;
}

export function inclusionPlan(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || index < 0) throw new AppError('invalid-field', 'index must be a non-negative integer', { field: 'index' });
  if (!Number.isSafeInteger(size) || index >= size) throw new AppError('invalid-field', `index ${index} is not below tree size ${size}`, { field: 'index' });
  const out: LeafRange[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = largestPow2Below(hi - lo);
    if (index < lo + k) {
      walk(lo, lo + k);
      out.push({ begin: lo + k, end: hi });
    } else {
      walk(lo + k, hi);
      out.push({ begin: lo, end: lo + k });
    }
  };
  walk(0, size);
  return out;
}

export function consistencyPlan(from: number, to: number): LeafRange[] {
  if (!Number.isSafeInteger(from) || from < 0) throw new AppError('invalid-field', 'from must be a non-negative integer', { field: 'from' });
  if (!Number.isSafeInteger(to) || from > to) throw new AppError('invalid-field', `from (${from}) must not exceed to (${to})`, { field: 'from' });
  const out: LeafRange[] = [];
  if (from === 0 || from === to) return out;
  const walk = (m: number, lo: number, hi: number, whole: boolean): void => {
    if (m === hi - lo) {
      if (!whole) out.push({ begin: lo, end: hi });
      return;
    }
    const k = largestPow2Below(hi - lo);
    if (m <= k) {
      walk(m, lo, lo + k, whole);
      out.push({ begin: lo + k, end: hi });
    } else {
      walk(m - k, lo + k, hi, false);
      out.push({ begin: lo, end: lo + k });
    }
  };
  walk(from, 0, to, true);
  return out;
}

/** The stored nodes a plan needs, without duplicates. */
export function nodesNeeded(plan: readonly LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const r of plan) for (const id of decompose(r.begin, r.end)) seen.set(nodeKey(id), id);
  return [...seen.values()];
}

/** Turns a plan into the proof's hashes, reading complete subtrees from `nodes` (keyed by nodeKey). */
export function assembleProof(plan: readonly LeafRange[], nodes: ReadonlyMap<string, Hash>): Hash[] {
  const at = (id: NodeId): Hash => {
    const h = nodes.get(nodeKey(id));
    if (!h) throw new Error(`tree node ${nodeKey(id)} is missing from the store`);
    return h;
  };
  return plan.map((r) => hashRange(r.begin, r.end, at));
}
