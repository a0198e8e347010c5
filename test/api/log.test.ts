// The transparency log over HTTP, checked the way an outside verifier would: signed checkpoint,
// entries, inclusion and consistency proofs — and every state change present in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogRecord } from '../../src/core/log/entry.js';
import { leafHash, rootOfLeaves, verifyConsistency, verifyInclusion } from '../../src/core/merkle/index.js';
import { parseCheckpoint } from '../../src/formats/checkpoint.js';
import { parseVerifierKey, verifyNote } from '../../src/formats/signed-note.js';
import { call, orgWithToken, startTestApp, type TestApp } from '../support/app.js';
import { engineName } from '../support/db.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const b64 = (s: string) => Buffer.from(s, 'base64');

async function checkpoint() {
  const key = await call(app, 'GET', '/v1/log/key', { token: null });
  expect(key.headers['content-type']).toMatch(/^text\/plain/);
  const note = await call(app, 'GET', '/v1/log/checkpoint', { token: null });
  expect(note.headers['content-type']).toMatch(/^text\/plain/);
  return parseCheckpoint(verifyNote(note.text, parseVerifierKey(key.text.trim())));
}

describe(`transparency log over HTTP (${engineName})`, () => {
  it('logs every state change, signs checkpoints and proves inclusion and consistency', async () => {
    const first = await checkpoint();
    expect(first.size).toBe(2); // bootstrap: the coordinator organization and its first token
    const grid = await orgWithToken(app, { name: 'Grid Co', kind: 'operator', assetClass: 'ci', sector: 'energy' });
    await call(app, 'POST', `/v1/tokens/${grid.tokenId}/revoke`, { body: {} });
    const cp = await checkpoint();
    expect(cp.size).toBe(5);

    const res = await call(app, 'GET', `/v1/log/entries?start=0&end=${cp.size}`, { token: null });
    expect(res.status).toBe(200);
    const entries = res.body.entries as Array<{ index: number; data: string; leafHash: string }>;
    expect(entries.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
    const records = entries.map((e) => decodeLogRecord(b64(e.data)));
    expect(records.map((r) => r.action)).toEqual(['org.create', 'token.create', 'org.create', 'token.create', 'token.revoke']);
    expect(records[2]!.actor).toMatchObject({ kind: 'org' });
    expect(records[4]!.objectId).toBe(grid.tokenId);
    // the log commits to state by hash: no secret travels in an entry
    expect(entries.map((e) => b64(e.data).toString()).join()).not.toContain(grid.token);

    const leaves = entries.map((e) => b64(e.leafHash));
    entries.forEach((e, i) => expect(leafHash(b64(e.data)).equals(leaves[i]!)).toBe(true));
    expect(rootOfLeaves(leaves).equals(cp.rootHash)).toBe(true);

    for (let i = 0; i < cp.size; i++) {
      const proof = await call(app, 'GET', `/v1/log/proof/inclusion?index=${i}&size=${cp.size}`, { token: null });
      expect(proof.body).toMatchObject({ index: i, size: cp.size, leafHash: entries[i]!.leafHash });
      verifyInclusion(i, cp.size, leaves[i]!, proof.body.hashes.map(b64), cp.rootHash);
    }
    const cons = await call(app, 'GET', `/v1/log/proof/consistency?from=${first.size}&to=${cp.size}`, { token: null });
    expect(cons.body).toMatchObject({ from: first.size, to: cp.size });
    verifyConsistency(first.size, cp.size, first.rootHash, cp.rootHash, cons.body.hashes.map(b64));
  });

  it('refuses out-of-range proof and entry requests with the parameter named', async () => {
    const size = (await checkpoint()).size;
    const beyond = await call(app, 'GET', `/v1/log/proof/inclusion?index=0&size=${size + 10}`, { token: null });
    expect(beyond.status).toBe(400);
    expect(beyond.body.field).toBe('size');
    expect((await call(app, 'GET', `/v1/log/proof/inclusion?index=${size}&size=${size}`, { token: null })).body.field).toBe('index');
    expect((await call(app, 'GET', `/v1/log/proof/consistency?from=3&to=2`, { token: null })).body.field).toBe('from');
    expect((await call(app, 'GET', `/v1/log/entries?start=5&end=2`, { token: null })).body.field).toBe('end');
    expect((await call(app, 'GET', `/v1/log/entries?start=abc&end=2`, { token: null })).body.field).toBe('start');
    expect((await call(app, 'GET', `/v1/log/entries?start=0`, { token: null })).body.field).toBe('end');
  });

  it('caps one read of entries at 1,000', async () => {
    await app.services.ctx.db.transaction().execute(async (trx) => {
      await app.services.log.record(
        trx,
        { kind: 'system' },
        Array.from({ length: 1500 }, (_, i) => ({ action: 'test.bulk', objectType: 'test', objectId: String(i), stateSha256: '0'.repeat(64) })),
      );
    });
    await app.services.log.integrate();
    const res = await call(app, 'GET', '/v1/log/entries?start=0&end=5000', { token: null });
    expect(res.body.entries).toHaveLength(1000);
    const cp = await checkpoint();
    const proof = await call(app, 'GET', `/v1/log/proof/inclusion?index=1234&size=${cp.size}`, { token: null });
    const entry = await call(app, 'GET', '/v1/log/entries?start=1234&end=1235', { token: null });
    verifyInclusion(1234, cp.size, b64(entry.body.entries[0].leafHash), proof.body.hashes.map(b64), cp.rootHash);
  });

  it('a failed change leaves no log entry behind', async () => {
    const before = await app.services.log.size();
    await call(app, 'POST', '/v1/orgs', { body: { name: 'Grid Co', kind: 'scanner' } }); // duplicate name → 409
    await app.services.log.integrate();
    expect(await app.services.log.size()).toBe(before);
  });
});
