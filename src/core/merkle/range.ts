// Addressing the complete subtrees of a growing tree, and the O(log n) right edge that appends need.
import { nodeHash, emptyRoot, type Hash } from './hash.js';

/** A complete (perfect) subtree: level 0 is a leaf; the node covers leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  level: number;
  index: number;
}

// Tree indexes exceed 2^31, so plain arithmetic replaces JavaScript's 32-bit shift operators.
const pow2 = (level: number): number => 2 ** level;

export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

export function nodeStart(id: NodeId): number {
  return id.index * pow2(id.level);
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
export function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function trailingZeros(n: number): number {
  if (n === 0) return 64;
  let z = 0;
  while (n % 2 === 0) {
    n /= 2;
    z++;
  }
  return z;
}

function floorLog2(n: number): number {
  let l = 0;
  while (pow2(l + 1) <= n) l++;
  return l;
}

/** The aligned complete subtrees that exactly cover leaves [begin, end), left to right. */
export function decompose(begin: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let at = begin;
  while (at < end) {
    const level = Math.min(trailingZeros(at), floorLog2(end - at));
    out.push({ level, index: at / pow2(level) });
    at += pow2(level);
  }
  return out;
}

/**
 * The hash of leaves [begin, end) as RFC 6962 defines it for a tree of end − begin leaves, given the
 * hashes of its complete subtrees. Valid for every range a proof asks for (begin aligned to the subtree).
 */
export function hashRange(begin: number, end: number, nodeAt: (id: NodeId) => Hash): Hash {
  if (begin === end) return emptyRoot;
  const parts = decompose(begin, end);
  let acc = nodeAt(parts[parts.length - 1]!);
  for (let i = parts.length - 2; i >= 0; i--) acc = nodeHash(nodeAt(parts[i]!), acc);
  return acc;
}

/** The complete subtrees of a tree of `size` leaves, left to right: one per set bit of `size`. */
export function rightEdgeIds(size: number): NodeId[] {
  return decompose(0, size);
}

/** A complete subtree whose hash is now known and can be stored. */
export interface NewNode extends NodeId {
  hash: Hash;
}

/**
 * The right edge ("compact range") of a tree: enough to append leaves and compute the root without
 * reading anything else. Appending a leaf yields the complete subtrees it finishes, to be stored.
 */
export class RightEdge {
  private readonly nodes: NewNode[];
  private count: number;

  constructor(size: number, edge: NewNode[]) {
    const expected = rightEdgeIds(size);
    if (expected.length !== edge.length || expected.some((id, i) => id.level !== edge[i]!.level || id.index !== edge[i]!.index)) {
      throw new Error(`right edge does not match a tree of size ${size}`);
    }
    this.count = size;
    this.nodes = edge.map((n) => ({ ...n }));
  }

  static empty(): RightEdge {
    return new RightEdge(0, []);
  }

  get size(): number {
    return this.count;
  }

  /** Adds one leaf hash; returns the leaf node and every subtree it completes. */
  append(leaf: Hash): NewNode[] {
    const created: NewNode[] = [{ level: 0, index: this.count, hash: leaf }];
    this.nodes.push(created[0]!);
    while (this.nodes.length >= 2) {
      const right = this.nodes[this.nodes.length - 1]!;
      const left = this.nodes[this.nodes.length - 2]!;
      if (left.level !== right.level) break;
      const parent: NewNode = { level: left.level + 1, index: left.index / 2, hash: nodeHash(left.hash, right.hash) };
      this.nodes.splice(this.nodes.length - 2, 2, parent);
      created.push(parent);
    }
    this.count++;
    return created;
  }

  root(): Hash {
    if (this.nodes.length === 0) return emptyRoot;
    let acc = this.nodes[this.nodes.length - 1]!.hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeHash(this.nodes[i]!.hash, acc);
    return acc;
  }

  edge(): NewNode[] {
    return this.nodes.map((n) => ({ ...n }));
  }
}

/** Root of a whole list of leaf hashes, computed level by level (for verifiers holding every entry). */
export function rootOfLeaves(leaves: readonly Hash[]): Hash {
  const edge = RightEdge.empty();
  for (const leaf of leaves) edge.append(leaf);
  return edge.root();
}
