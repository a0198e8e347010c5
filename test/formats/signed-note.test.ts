import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '../../src/formats/checkpoint.js';
import { generateSigner, parseNote, parseSignerKey, parseVerifierKey, signNote, verifyNote } from '../../src/formats/signed-note.js';
import { corpusMissing, corpusPath } from '../support/corpus.js';

interface Vector {
  id: string;
  verifierKeys?: string[];
  verifierKey?: string;
  signerKey_TEST_ONLY?: string;
  note?: string;
  text?: string;
  expectedNote?: string;
  expect?: Record<string, unknown>;
}

const skip = corpusMissing('signed-note vectors');
const vectors: Vector[] = skip ? [] : JSON.parse(readFileSync(corpusPath('merkle', 'signed-notes.json'), 'utf8')).vectors;

describe.skipIf(skip)('C2SP signed-note vectors', () => {
  for (const v of vectors) {
    it(v.id, () => {
      if (v.signerKey_TEST_ONLY && v.text && v.expectedNote) {
        const signer = parseSignerKey(v.signerKey_TEST_ONLY);
        expect(signer.verifier.vkey).toBe(v.verifierKey);
        expect(signNote(v.text, signer)).toBe(v.expectedNote);
      }
      const keys = v.verifierKeys ?? (v.verifierKey ? [v.verifierKey] : []);
      if (v.note && keys.length > 0 && v.expect) {
        for (const k of keys) {
          const verifier = parseVerifierKey(k);
          const want = v.expect[verifier.name];
          if (want === 'valid') expect(verifyNote(v.note, verifier)).toBe(parseNote(v.note).text);
          else if (want === 'invalid') expect(() => verifyNote(v.note!, verifier)).toThrow();
        }
      }
      if (v.note && v.expect && 'treeSize' in v.expect) {
        const cp = parseCheckpoint(parseNote(v.note).text);
        expect(cp.origin).toBe(v.expect.origin);
        expect(cp.size).toBe(v.expect.treeSize);
        expect(cp.rootHash.toString('base64')).toBe(v.expect.rootHash);
      }
      if (v.note && !v.expect) {
        expect(parseNote(v.note).signatures.length).toBeGreaterThan(0);
        expect(() => parseCheckpoint(parseNote(v.note!).text)).not.toThrow();
      }
    });
  }
});

describe('signing our own checkpoints', () => {
  it('round-trips a checkpoint through sign, verify and parse', () => {
    const signer = generateSigner('clearinghouse.test/log');
    const body = formatCheckpoint({ origin: 'clearinghouse.test/log', size: 42, rootHash: Buffer.alloc(32, 7), extensions: [] });
    const note = signNote(body, signer);
    const verifier = parseVerifierKey(signer.verifier.vkey);
    expect(parseCheckpoint(verifyNote(note, verifier)).size).toBe(42);
    expect(parseSignerKey(signer.skey).verifier.vkey).toBe(signer.verifier.vkey);
    const forged = note.replace('\n42\n', '\n43\n');
    expect(() => verifyNote(forged, verifier)).toThrow(/invalid signature/);
    const other = generateSigner('clearinghouse.test/log');
    expect(() => verifyNote(note, other.verifier)).toThrow(/not signed by/);
  });

  it('refuses malformed keys and notes with a reason', () => {
    expect(() => parseVerifierKey('name+zz+abc')).toThrow(/key hash/);
    expect(() => parseNote('no separator\n')).toThrow(/blank line/);
    expect(() => parseCheckpoint('origin\nnot-a-number\nAAAA\n')).toThrow(/tree size/);
    expect(() => signNote('no newline', generateSigner('a'))).toThrow(/newline/);
  });
});
