import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RightEdge,
  assembleProof,
  consistencyPlan,
  emptyRoot,
  inclusionPlan,
  leafHash,
  nodeKey,
  nodesNeeded,
  rootFromInclusionProof,
  rootOfLeaves,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NewNode,
} from '../../src/core/merkle/index.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

/** An in-memory store of every complete subtree, built through RightEdge exactly as the database is. */
function buildTree(leaves: Hash[]): { nodes: Map<string, Hash>; roots: Hash[] } {
  const nodes = new Map<string, Hash>();
  const roots: Hash[] = [emptyRoot];
  const edge = RightEdge.empty();
  for (const leaf of leaves) {
    for (const n of edge.append(leaf)) nodes.set(nodeKey(n), n.hash);
    roots.push(edge.root());
  }
  return { nodes, roots };
}

const skipCorpus = corpusMissing('Merkle test vectors');

describe.skipIf(skipCorpus)('RFC 6962 reference tree', () => {
  const ref = skipCorpus ? null : JSON.parse(readFileSync(corpusPath('merkle', 'rfc6962-reference-tree.json'), 'utf8'));

  it('hashes leaves and computes the root of every size 0–8', () => {
    const leaves = (ref.leafInputs as string[]).map((h) => leafHash(Buffer.from(h, 'hex')));
    expect(leaves.map((l) => l.toString('hex'))).toEqual(ref.leafHashes);
    const { roots } = buildTree(leaves);
    const expected = ref.rootHashesBySize as Record<string, string> | string[];
    for (let size = 0; size <= 8; size++) {
      const want = Array.isArray(expected) ? expected[size] : expected[String(size)];
      expect(roots[size]!.toString('hex'), `root of size ${size}`).toBe(want);
      expect(rootOfLeaves(leaves.slice(0, size)).equals(roots[size]!)).toBe(true);
    }
  });
});

describe.skipIf(skipCorpus)('transparency-dev inclusion vectors', () => {
  const files = skipCorpus ? [] : jsonFiles(corpusPath('merkle', 'transparency-dev', 'testdata', 'inclusion'));
  it('has vectors', () => expect(files.length).toBeGreaterThan(50));
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    it(`${f.split('/testdata/')[1]}: ${v.desc}`, () => {
      const run = () => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash ?? ''), (v.proof ?? []).map(b64), b64(v.root ?? ''));
      if (v.wantErr) expect(run).toThrow();
      else expect(run).not.toThrow();
    });
  }
});

describe.skipIf(skipCorpus)('transparency-dev consistency vectors', () => {
  const files = skipCorpus ? [] : jsonFiles(corpusPath('merkle', 'transparency-dev', 'testdata', 'consistency'));
  it('has vectors', () => expect(files.length).toBeGreaterThan(50));
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    it(`${f.split('/testdata/')[1]}: ${v.desc}`, () => {
      const run = () => verifyConsistency(v.size1, v.size2, b64(v.root1 ?? ''), b64(v.root2 ?? ''), (v.proof ?? []).map(b64));
      if (v.wantErr) expect(run).toThrow();
      else expect(run).not.toThrow();
    });
  }
});

describe.skipIf(skipCorpus)('proof construction reproduces the published proofs', () => {
  const ref = skipCorpus ? null : JSON.parse(readFileSync(corpusPath('merkle', 'rfc6962-reference-tree.json'), 'utf8'));
  const leaves = skipCorpus ? [] : (ref.leafInputs as string[]).map((h) => leafHash(Buffer.from(h, 'hex')));
  const { nodes } = buildTree(leaves);

  it('matches every valid inclusion vector over the reference tree', () => {
    let checked = 0;
    for (const f of jsonFiles(corpusPath('merkle', 'transparency-dev', 'testdata', 'inclusion'))) {
      const v = JSON.parse(readFileSync(f, 'utf8'));
      if (v.wantErr || v.treeSize > 8 || v.treeSize < 1) continue;
      if (!leaves[v.leafIdx]!.equals(b64(v.leafHash))) continue;
      const proof = assembleProof(inclusionPlan(v.leafIdx, v.treeSize), nodes);
      expect(proof.map((h) => h.toString('base64'))).toEqual(v.proof ?? []);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('matches every valid consistency vector over the reference tree', () => {
    let checked = 0;
    for (const f of jsonFiles(corpusPath('merkle', 'transparency-dev', 'testdata', 'consistency'))) {
      const v = JSON.parse(readFileSync(f, 'utf8'));
      if (v.wantErr || v.size2 > 8) continue;
      const proof = assembleProof(consistencyPlan(v.size1, v.size2), nodes);
      expect(proof.map((h) => h.toString('base64'))).toEqual(v.proof ?? []);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});

describe('proofs over a larger tree', () => {
  const n = 300;
  const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const { nodes, roots } = buildTree(leaves);

  it('every inclusion proof at every size verifies, and a wrong leaf does not', () => {
    for (const size of [1, 2, 3, 7, 8, 9, 64, 127, 255, 256, 300]) {
      for (let i = 0; i < size; i += Math.max(1, Math.floor(size / 17))) {
        const proof = assembleProof(inclusionPlan(i, size), nodes);
        verifyInclusion(i, size, leaves[i]!, proof, roots[size]!);
        expect(() => verifyInclusion(i, size, leaves[(i + 1) % n]!, proof, roots[size]!)).toThrow();
      }
    }
  });

  it('every consistency proof between sizes verifies, and a forged root does not', () => {
    for (const a of [1, 2, 3, 5, 8, 31, 32, 33, 100, 299, 300]) {
      for (const b of [a, a + 1, 64, 150, 256, 300]) {
        if (b < a || b > n) continue;
        const proof = assembleProof(consistencyPlan(a, b), nodes);
        verifyConsistency(a, b, roots[a]!, roots[b]!, proof);
        if (a < b) expect(() => verifyConsistency(a, b, roots[a - 1]!, roots[b]!, proof)).toThrow();
      }
    }
  });

  it('reads only O(log n) stored nodes per proof', () => {
    const big = 1_000_000;
    expect(nodesNeeded(inclusionPlan(123_457, big)).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(big)));
    expect(nodesNeeded(consistencyPlan(777_777, big)).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(big)));
  });

  it('the right edge survives a restart from its stored nodes', () => {
    const first = RightEdge.empty();
    for (const leaf of leaves.slice(0, 77)) first.append(leaf);
    const resumed = new RightEdge(77, first.edge() as NewNode[]);
    for (const leaf of leaves.slice(77)) resumed.append(leaf);
    expect(resumed.root().equals(roots[n]!)).toBe(true);
    expect(rootFromInclusionProof(0, 1, leaves[0]!, []).equals(leaves[0]!)).toBe(true);
  });
});
