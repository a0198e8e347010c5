// Two OS processes append to one PostgreSQL database at once: the log must end with every entry in
// one tree, with every inclusion proof and the consistency proof from every checkpoint verifying.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { decodeLogRecord } from '../../src/core/log/entry.js';
import { RightEdge, leafHash, rootOfLeaves, verifyConsistency, verifyInclusion } from '../../src/core/merkle/index.js';
import { parseCheckpoint } from '../../src/formats/checkpoint.js';
import { generateSigner, verifyNote } from '../../src/formats/signed-note.js';
import { createServices, type Services } from '../../src/services/index.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { readEntries } from '../../src/store/log.js';
import { createServerDatabase, serverUrl } from '../support/db.js';

const worker = fileURLToPath(new URL('../support/append-worker.mjs', import.meta.url));
const perProcess = 5000;

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}

if (!serverUrl) console.warn('skipping the two-process log test: it needs DATABASE_URL (a PostgreSQL server); the embedded database admits one process by design');

describe.skipIf(!serverUrl)('two processes appending to one PostgreSQL log', () => {
  let db: Awaited<ReturnType<typeof createServerDatabase>>;
  let store: Store;
  let services: Services;
  const signer = generateSigner('clearinghouse.test/concurrency');

  beforeAll(async () => {
    db = await createServerDatabase();
    store = await openStore({ engine: 'server', url: db.url });
    services = await createServices({ store, signer, clock: systemClock, warn: () => undefined });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('ends with 10,000 entries in one tree', async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([
      run([db.url, signer.skey, 'A', String(perProcess), '8']),
      run([db.url, signer.skey, 'B', String(perProcess), '8']),
    ]);
    expect(a).toContain('A appended 5000');
    expect(b).toContain('B appended 5000');
    console.log(`two processes appended ${2 * perProcess} entries in ${Date.now() - started} ms`);

    const size = await services.log.size();
    expect(size).toBe(2 * perProcess);
    const entries = [];
    for (let start = 0; start < size; start += 1000) entries.push(...(await readEntries(store.db, start, start + 1000)));
    expect(entries.map((e) => e.index)).toEqual(Array.from({ length: size }, (_, i) => i));
    const ids = new Set(entries.map((e) => decodeLogRecord(e.data).objectId));
    expect(ids.size).toBe(size);
    for (let i = 0; i < perProcess; i++) expect(ids.has(`A-${i}`) && ids.has(`B-${i}`)).toBe(true);

    const leaves = entries.map((e) => leafHash(e.data));
    const root = rootOfLeaves(leaves);
    const latest = await services.log.checkpoint();
    const cp = parseCheckpoint(verifyNote(latest.note, signer.verifier));
    expect(cp.size).toBe(size);
    expect(cp.rootHash.equals(root)).toBe(true);

    // every inclusion proof, served from the stored subtrees, verifies against the signed root
    for (let i = 0; i < size; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, size - i) }, async (_, k) => {
          const p = await services.log.inclusionProof(i + k, size);
          verifyInclusion(i + k, size, leaves[i + k]!, p.hashes, cp.rootHash);
        }),
      );
    }

    // every checkpoint either process signed is a prefix of this one: the tree never forked
    const checkpoints = await store.db.selectFrom('log_checkpoints').select(['size', 'root_hash', 'note']).orderBy('size').execute();
    expect(checkpoints.length).toBeGreaterThan(2);
    const rootAt = new Map<number, Buffer>();
    const edge = RightEdge.empty();
    rootAt.set(0, edge.root());
    for (const leaf of leaves) {
      edge.append(leaf);
      rootAt.set(edge.size, edge.root());
    }
    for (const c of checkpoints) {
      const parsed = parseCheckpoint(verifyNote(c.note, signer.verifier));
      expect(parsed.rootHash.equals(rootAt.get(parsed.size)!)).toBe(true);
      if (parsed.size === 0 || parsed.size === size) continue;
      const proof = await services.log.consistencyProof(parsed.size, size);
      verifyConsistency(parsed.size, size, parsed.rootHash, cp.rootHash, proof.hashes);
    }
  }, 300_000);
});
