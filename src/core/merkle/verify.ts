// Verifying RFC 9162 §2.1.3.2 inclusion and §2.1.4.2 consistency proofs, as any outside verifier would.
import { nodeHash, type Hash } from './hash.js';

export class ProofError extends Error {
  override name = 'ProofError';
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);
const isPow2 = (n: number): boolean => {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
};

/** The root an inclusion proof implies; throws ProofError when the proof has the wrong shape. */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, proof: readonly Hash[]): Hash {
  if (index < 0 || index >= size) throw new ProofError(`index ${index} is beyond tree size ${size}`);
  if (leaf.length !== 32) throw new ProofError('leaf hash has the wrong length');
  let fn = index;
  let sn = size - 1;
  let r: Hash = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new ProofError('proof hash has the wrong length');
    if (sn === 0) throw new ProofError('inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('inclusion proof is too short');
  return r;
}

export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): void {
  const got = rootFromInclusionProof(index, size, leaf, proof);
  if (!got.equals(root)) throw new ProofError(`leaf ${index} is not included in the tree of size ${size}: root mismatch`);
}

export function verifyConsistency(size1: number, size2: number, root1: Hash, root2: Hash, proof: readonly Hash[]): void {
  if (size1 < 0 || size2 < size1) throw new ProofError(`size ${size1} cannot be consistent with smaller size ${size2}`);
  // Every tree extends the empty one, so such a "proof" proves nothing; callers skip the check instead.
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError('a proof between equal sizes must be empty');
    if (!root1.equals(root2)) throw new ProofError('equal sizes with different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('consistency proof is empty');
  for (const p of proof) if (p.length !== 32) throw new ProofError('proof hash has the wrong length');
  const path = isPow2(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Hash = path[0]!;
  let sr: Hash = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('consistency proof is too long');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('consistency proof is too short');
  if (!fr.equals(root1)) throw new ProofError(`consistency proof does not lead to the root of size ${size1}`);
  if (!sr.equals(root2)) throw new ProofError(`consistency proof does not lead to the root of size ${size2}`);
}
