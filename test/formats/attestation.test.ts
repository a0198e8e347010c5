import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AttestationError,
  attestationKeyId,
  buildValidationStatement,
  inTotoPayloadType,
  outputEvidence,
  preAuthEncoding,
  publicKeyPem,
  signDsse,
  signEnvelope,
  validationPredicateType,
  verifyDsse,
  verifyEnvelope,
  type AttestationFailure,
  type DsseEnvelope,
  type ValidationInput,
  type ValidationStatement,
} from '../../src/formats/attestation.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { generateSigner, parseSignerKey, parseVerifierKey, signerFromSeed } from '../../src/formats/signed-note.js';

type Json = any;

const signer = generateSigner('clearinghouse.test/log');
const verifier = parseVerifierKey(signer.verifier.vkey);
const stranger = generateSigner('someone.else/log');

// The sandbox's defaults (src/sandbox/limits.ts), written out so this test does not depend on that module.
const limits = { cpuSeconds: 10, wallMs: 30_000, memoryBytes: 1024 * 2 ** 20, maxProcesses: 64, maxOutputBytes: 65536, maxFileBytes: 16 * 2 ** 20, tmpBytes: 64 * 2 ** 20 };

const input = (extra: Partial<ValidationInput> = {}): ValidationInput => ({
  kind: 'reproduction',
  result: 'reproduced',
  vulnerabilityId: '6BA7B810-9DAD-11D1-80B4-00C04FD430C8',
  findingId: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  poc: { sha256: 'ab'.repeat(32), name: 'crash.png' },
  reporter: {
    orgId: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
    scanner: { name: 'deep-audit', version: '0.9', model: { name: 'frontier-x', version: '2026-05' } },
  },
  target: { purl: 'pkg:github/pnggroup/libpng', repo: 'https://github.com/pnggroup/libpng', commit: 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2' },
  crash: { crashType: 'Heap-buffer-overflow WRITE 4', frames: ['png_read_row', 'png_process_data', 'main'], key: 'heap-buffer-overflow:png_read_row:png_process_data' },
  verdict: 'reproduced',
  runs: [
    { role: 'reported', commit: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2', outcome: 'signaled SIGABRT', crashKey: 'heap-buffer-overflow:png_read_row:png_process_data' },
    { role: 'reported-retry', commit: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2', outcome: 'signaled SIGABRT', crashKey: 'heap-buffer-overflow:png_read_row:png_process_data' },
  ],
  sandbox: { limits },
  startedAt: new Date('2026-05-01T12:00:00Z'),
  finishedAt: '2026-05-01T12:00:05.250Z',
  evidence: {
    stdout: outputEvidence(Buffer.from('running crash.png\n'), false),
    stderr: outputEvidence(Buffer.from('==1==ERROR: AddressSanitizer: heap-buffer-overflow\n'), false),
  },
  ...extra,
});

const statement = buildValidationStatement(input());
const envelope = signEnvelope(statement, signer);

/** The error a call throws, checked to be an AttestationError with the given reason. */
function refusal(fn: () => unknown, reason: AttestationFailure): AttestationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AttestationError);
    expect((err as AttestationError).reason).toBe(reason);
    return err as AttestationError;
  }
  throw new Error('expected an AttestationError');
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('buildValidationStatement', () => {
  it('builds an in-toto Statement v1 about the PoC, normalized', () => {
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.subject).toEqual([{ name: 'crash.png', digest: { sha256: 'ab'.repeat(32) } }]);
    expect(statement.predicateType).toBe(validationPredicateType);
    const p = statement.predicate;
    expect(p.vulnerabilityId).toBe('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    expect(p.target.commit).toBe('a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2');
    expect(p.reporter).toEqual({
      orgId: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
      scanner: { name: 'deep-audit', version: '0.9' },
      model: { name: 'frontier-x', version: '2026-05' },
    });
    expect(p.startedAt).toBe('2026-05-01T12:00:00.000Z');
    expect(p.finishedAt).toBe('2026-05-01T12:00:05.250Z');
    expect(p.evidence.stderr).toEqual({
      sha256: 'd70bcf7c257c14037f1840700c456dc7e873a1cad6b67f344d95d85d4c15dcfd', // sha256sum of the same line
      size: 51,
      truncated: false,
    });
  });

  it('states evidence as the SHA-256 of the kept bytes', () => {
    expect(outputEvidence(Buffer.from('abc'), true)).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', // FIPS 180-2 "abc"
      size: 3,
      truncated: true,
    });
  });

  it('accepts a crash without symbolized frames, and results that may or may not have seen a crash', () => {
    expect(buildValidationStatement(input({ crash: { crashType: 'UNKNOWN', frames: [], key: 'UNKNOWN' } })).predicate.crash?.frames).toEqual([]);
    expect(buildValidationStatement(input({ result: 'not-reproduced' })).predicate.crash).not.toBeNull(); // e.g. a different crash than claimed
    expect(buildValidationStatement(input({ result: 'not-reproduced', crash: null })).predicate.crash).toBeNull();
    expect(buildValidationStatement(input({ kind: 'fix-verification', result: 'fix-failed', crash: null })).predicate.result).toBe('fix-failed'); // a timeout
  });

  it('accepts a fix verification without a crash and a scanner without a model', () => {
    const s = buildValidationStatement(
      input({
        kind: 'fix-verification',
        result: 'fix-verified',
        crash: null,
        reporter: { orgId: '6ba7b812-9dad-11d1-80b4-00c04fd430c8', scanner: { name: 'fuzzer', version: null, model: null } },
        target: { purl: null, repo: 'git@github.com:pnggroup/libpng', commit: 'c'.repeat(64) },
      }),
    );
    expect(s.predicate.crash).toBeNull();
    expect(s.predicate.reporter.model).toBeNull();
  });

  it.each<[string, Partial<ValidationInput>, string, string]>([
    ['a result of the other kind', { kind: 'fix-verification' }, '/predicate/result', 'cannot be "reproduced" when kind is "fix-verification"'],
    ['a reproduction without a crash', { crash: null }, '/predicate/crash', 'must be set when result is "reproduced"'],
    ['a crash when the fix was verified', { kind: 'fix-verification', result: 'fix-verified' }, '/predicate/crash', 'must be null when result is "fix-verified"'],
    ['an unknown result', { result: 'maybe' as never }, '/predicate/result', 'must be one of "reproduced", "not-reproduced"'],
    ['a commit that is neither an id nor a version label', { target: { purl: 'pkg:npm/x', repo: null, commit: 'not a commit' } }, '/predicate/target/commit', 'full lowercase hex commit id'],
    ['no purl and no repo', { target: { purl: null, repo: null, commit: 'a'.repeat(40) } as never }, '/predicate/target', 'must name a purl, a repo or both'],
    ['a purl that is not one', { target: { purl: 'libpng', repo: null, commit: 'a'.repeat(40) } }, '/predicate/target/purl', 'must be a package URL'],
    ['a time with an offset', { startedAt: '2026-05-01T14:00:00+02:00' }, '/predicate/startedAt', 'ending in Z'],
    ['an end before the start', { finishedAt: '2026-05-01T11:59:59Z' }, '/predicate/finishedAt', 'is before startedAt'],
    ['a PoC digest that is not SHA-256', { poc: { sha256: 'abc' } }, '/subject/0/digest/sha256', 'lowercase hex SHA-256'],
    ['a finding id that is not a UUID', { findingId: 'f-1' }, '/predicate/findingId', 'must be a lowercase UUID'],
    ['an empty crash frame', { crash: { crashType: 'Segv', frames: [''], key: 'k' } }, '/predicate/crash/frames/0', 'fewer than 1 characters'],
    ['zero memory', { sandbox: { limits: { ...limits, memoryBytes: 0 } } }, '/predicate/sandbox/limits/memoryBytes', '>= 1'],
    ['an unknown limit', { sandbox: { limits: { ...limits, gpus: 1 } as never } }, '/predicate/sandbox/limits/gpus', 'is not a field of this predicate'],
    [
      'more evidence than the sandbox keeps',
      { sandbox: { limits: { ...limits, maxOutputBytes: 2 } }, evidence: { stdout: outputEvidence(Buffer.from('abc'), false), stderr: outputEvidence(Buffer.alloc(0), false) } },
      '/predicate/evidence/stdout/size',
      'is more than maxOutputBytes (2)',
    ],
  ])('refuses %s, naming the field', (_name, extra, field, message) => {
    const err = refusal(() => buildValidationStatement(input(extra)), 'invalid-statement');
    expect(err.field).toBe(field);
    expect(err.message).toContain(`invalid statement: ${field} `);
    expect(err.message).toContain(message);
  });
});

describe('signEnvelope / verifyEnvelope', () => {
  it('round-trips through JSON text', () => {
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0]!.keyid).toBe(attestationKeyId(signer.publicKey));
    // The payload is the statement's RFC 8785 form, so equal statements sign equal bytes.
    expect(Buffer.from(envelope.payload, 'base64').toString('utf8')).toBe(canonicalJson(statement));
    expect(verifyEnvelope(JSON.stringify(envelope), [verifier])).toEqual(statement);
    expect(verifyEnvelope(envelope, [stranger.verifier, verifier])).toEqual(statement);
  });

  it('is deterministic (Ed25519 over canonical JSON)', () => {
    expect(signEnvelope(clone(statement), signer)).toEqual(envelope);
  });

  it('uses the log key: the signer from its skey string verifies with the published vkey', () => {
    expect(signEnvelope(statement, parseSignerKey(signer.skey))).toEqual(envelope);
  });

  it('refuses a tampered payload', () => {
    const forged = clone(statement);
    forged.predicate.result = 'not-reproduced';
    forged.predicate.crash = null;
    const env = { ...envelope, payload: b64(canonicalJson(forged)) };
    const err = refusal(() => verifyEnvelope(env, [verifier]), 'bad-signature');
    expect(err.message).toBe(
      `signature 0 by key ${attestationKeyId(signer.publicKey)} does not verify: the payload, payloadType or signature was altered`,
    );
    expect(err.field).toBe('/signatures/0/sig');
  });

  it('refuses a tampered payloadType', () => {
    const err = refusal(() => verifyEnvelope({ ...envelope, payloadType: 'application/json' }, [verifier]), 'wrong-payload-type');
    expect(err.message).toBe('payloadType is "application/json", expected "application/vnd.in-toto+json"');
    expect(err.field).toBe('/payloadType');
  });

  it('refuses a tampered signature', () => {
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    sig[10]! ^= 0x01;
    const env: DsseEnvelope = { ...envelope, signatures: [{ ...envelope.signatures[0]!, sig: sig.toString('base64') }] };
    expect(refusal(() => verifyEnvelope(env, [verifier]), 'bad-signature').message).toMatch(/^signature 0 by key [0-9a-f]{64} does not verify/);
    const short = { ...envelope, signatures: [{ ...envelope.signatures[0]!, sig: b64(sig.subarray(0, 63)) }] };
    refusal(() => verifyEnvelope(short, [verifier]), 'bad-signature');
  });

  it('refuses an envelope signed by another key', () => {
    const env = signEnvelope(statement, stranger);
    const err = refusal(() => verifyEnvelope(env, [verifier]), 'unknown-key');
    expect(err.message).toBe(
      `no signature by a known key: the envelope's keyids are ${attestationKeyId(stranger.publicKey)}; the known keys are ${attestationKeyId(signer.publicKey)}`,
    );
    // Claiming our keyid does not help: keyid is only a hint, and the signature is checked against our key.
    const claimed = { ...env, signatures: [{ keyid: attestationKeyId(signer.publicKey), sig: env.signatures[0]!.sig }] };
    refusal(() => verifyEnvelope(claimed, [verifier]), 'bad-signature');
  });

  it('accepts when any one signature verifies, whatever its keyid says', () => {
    const ours = envelope.signatures[0]!;
    const theirs = signEnvelope(statement, stranger).signatures[0]!;
    expect(verifyEnvelope({ ...envelope, signatures: [theirs, ours] }, [verifier])).toEqual(statement);
    expect(verifyEnvelope({ ...envelope, signatures: [{ sig: ours.sig }] }, [verifier])).toEqual(statement);
    expect(verifyEnvelope({ ...envelope, signatures: [{ keyid: 'stale-hint', sig: ours.sig }] }, [verifier])).toEqual(statement);
  });

  it('refuses bad base64, naming where', () => {
    let err = refusal(() => verifyEnvelope({ ...envelope, payload: `${envelope.payload.slice(0, 20)}*${envelope.payload.slice(21)}` }, [verifier]), 'bad-base64');
    expect(err.message).toBe('payload is not valid base64: it has characters outside the base64 alphabets or misplaced padding');
    expect(err.field).toBe('/payload');
    err = refusal(() => verifyEnvelope({ ...envelope, signatures: [{ keyid: '', sig: 'QQ=' }] }, [verifier]), 'bad-base64');
    expect(err.message).toBe('signature 0 is not valid base64: its length is impossible');
    expect(err.field).toBe('/signatures/0/sig');
    err = refusal(() => verifyEnvelope({ ...envelope, payload: 'QR==' }, [verifier]), 'bad-base64');
    expect(err.message).toBe('payload is not valid base64: its last character has stray bits');
  });

  it('accepts URL-safe base64, as DSSE requires', () => {
    const url = (s: string) => Buffer.from(s, 'base64').toString('base64url');
    const env = { ...envelope, payload: url(envelope.payload), signatures: [{ ...envelope.signatures[0]!, sig: url(envelope.signatures[0]!.sig) }] };
    expect(verifyEnvelope(env, [verifier])).toEqual(statement);
  });

  it.each<[string, unknown, string, string]>([
    ['not JSON', '{"payload":', 'envelope is not JSON', ''],
    ['not an object', [1], 'envelope must be a JSON object', ''],
    ['no payloadType', { payload: '', signatures: [{ sig: '' }] }, 'envelope payloadType must be a string', '/payloadType'],
    ['no signatures', { payload: '', payloadType: inTotoPayloadType, signatures: [] }, 'envelope has no signatures', '/signatures'],
    ['a signature without sig', { payload: '', payloadType: inTotoPayloadType, signatures: [{ keyid: 'k' }] }, 'signature 0 has no sig string', '/signatures/0/sig'],
  ])('refuses a malformed envelope: %s', (_name, env, message, field) => {
    const err = refusal(() => verifyEnvelope(env, [verifier]), 'malformed-envelope');
    expect(err.message).toContain(message);
    expect(err.field).toBe(field);
  });

  it('refuses a validly signed payload whose statement is invalid, naming the field', () => {
    const bad: Json = clone(statement);
    bad.predicate.result = 'probably';
    let err = refusal(() => verifyEnvelope(signDsse(inTotoPayloadType, Buffer.from(JSON.stringify(bad)), signer), [verifier]), 'invalid-statement');
    expect(err.message).toBe('invalid statement: /predicate/result must be one of "reproduced", "not-reproduced", "fix-verified", "fix-failed"');
    delete bad.predicate.evidence;
    bad.predicate.result = 'reproduced';
    err = refusal(() => verifyEnvelope(signDsse(inTotoPayloadType, Buffer.from(JSON.stringify(bad)), signer), [verifier]), 'invalid-statement');
    expect(err.message).toBe('invalid statement: /predicate/evidence is missing');
    err = refusal(() => verifyEnvelope(signDsse(inTotoPayloadType, Buffer.from('{"_type": '), signer), [verifier]), 'invalid-statement');
    expect(err.message).toMatch(/^invalid statement: the payload is not UTF-8 JSON/);
    err = refusal(() => verifyEnvelope(signDsse(inTotoPayloadType, Buffer.of(0x7b, 0xff, 0x7d), signer), [verifier]), 'invalid-statement');
    expect(err.message).toMatch(/^invalid statement: the payload is not UTF-8 JSON/);
  });

  it('ignores unknown Statement fields (in-toto parsing rules) but refuses unknown predicate fields', () => {
    const extended: Json = { ...clone(statement), 'https://example.com/ext': true };
    expect(verifyEnvelope(signDsse(inTotoPayloadType, Buffer.from(JSON.stringify(extended)), signer), [verifier])).toEqual(extended);
    extended.predicate.partial = true;
    const err = refusal(() => verifyEnvelope(signDsse(inTotoPayloadType, Buffer.from(JSON.stringify(extended)), signer), [verifier]), 'invalid-statement');
    expect(err.message).toBe('invalid statement: /predicate/partial is not a field of this predicate');
  });

  it('will not sign an invalid statement', () => {
    const bad: ValidationStatement = { ...clone(statement), predicateType: 'https://slsa.dev/provenance/v1' as never };
    expect(refusal(() => signEnvelope(bad, signer), 'invalid-statement').message).toBe(
      'invalid statement: /predicateType must be "https://clearinghouse.dev/validation/v1"',
    );
  });
});

// secure-systems-lab/dsse protocol.md, "Test Vectors" (version 1.0.0): the spec's own example, ECDSA P-256.
const helloWorld = {
  payloadType: 'http://example.com/HelloWorld',
  body: 'hello world',
  pae: 'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
  x: '46950820868899156662930047687818585632848591499744589407958293238635476079160',
  y: '5640078356564379163099075877009565129882514886557779369047442380624545832820',
  sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==',
};

// secure-systems-lab/dsse testvectors/vectors.json (commit 82043adf78bb4e67c208f9ffa72b38804ea6a0c4). Key A is
// RFC 8032 section 7.1 TEST 1, so its Ed25519 signatures are deterministic and must be reproduced exactly.
const rfc8032Test1 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
};
const statementStub = 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ=='; // {"_type":"https://in-toto.io/Statement/v1"}
const dsseVectors = [
  {
    id: 'single-signature',
    payload: statementStub,
    payloadType: 'application/vnd.in-toto+json',
    sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==',
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
  },
  {
    id: 'url-safe-base64',
    payload: '-_-_Pj8=',
    payloadType: 'application/vnd.in-toto+json',
    sig: 'P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==',
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f',
  },
  {
    id: 'non-ascii-payload-type',
    payload: statementStub,
    payloadType: 'application/vnd.exämple+json',
    sig: 'xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==',
    pae: '445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
  },
  {
    id: 'empty-payload',
    payload: '',
    payloadType: 'application/vnd.in-toto+json',
    sig: 'gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==',
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020',
  },
];

describe('DSSE known answers', () => {
  it('PAE matches the protocol.md test vector', () => {
    expect(preAuthEncoding(helloWorld.payloadType, Buffer.from(helloWorld.body)).toString('latin1')).toBe(helloWorld.pae);
  });

  it("the spec's ECDSA signature verifies over our PAE bytes", () => {
    const coord = (n: string) => Buffer.from(BigInt(n).toString(16).padStart(64, '0'), 'hex').toString('base64url');
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: coord(helloWorld.x), y: coord(helloWorld.y) }, format: 'jwk' });
    const pae = preAuthEncoding(helloWorld.payloadType, Buffer.from(helloWorld.body));
    expect(verify('sha256', pae, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(helloWorld.sig, 'base64'))).toBe(true);
  });

  const keyA = signerFromSeed('dsse-test-A', Buffer.from(rfc8032Test1.seed, 'hex'));

  it('the RFC 8032 TEST 1 seed gives its published public key', () => {
    expect(keyA.publicKey.toString('hex')).toBe(rfc8032Test1.public);
  });

  for (const v of dsseVectors) {
    it(`vector ${v.id}: PAE, the exact signature, and verification`, () => {
      const body = Buffer.from(v.payload, 'base64');
      expect(preAuthEncoding(v.payloadType, body).toString('hex')).toBe(v.pae);
      expect(signDsse(v.payloadType, body, keyA).signatures[0]!.sig).toBe(Buffer.from(v.sig, 'base64').toString('base64'));
      // The vectors' keyid "A" names none of our keys: it is only a hint, so every known key is tried.
      const env = { payload: v.payload, payloadType: v.payloadType, signatures: [{ keyid: 'A', sig: v.sig }] };
      expect(verifyDsse(env, [stranger, keyA], v.payloadType).payload).toEqual(body);
    });
  }

  it('vector payload-type-swapped is refused', () => {
    const env = { payload: statementStub, payloadType: 'application/vnd.example.other+json', signatures: [{ keyid: 'A', sig: dsseVectors[0]!.sig }] };
    refusal(() => verifyEnvelope(env, [keyA]), 'wrong-payload-type');
    // Even a verifier that expected that type rejects it, because the signature covers the original type.
    refusal(() => verifyDsse(env, [keyA], 'application/vnd.example.other+json'), 'unknown-key');
  });

  it('vector single-signature verifies as DSSE but is not a validation statement', () => {
    const env = { payload: statementStub, payloadType: inTotoPayloadType, signatures: [{ keyid: 'A', sig: dsseVectors[0]!.sig }] };
    expect(refusal(() => verifyEnvelope(env, [keyA]), 'invalid-statement').message).toBe('invalid statement: /subject is missing');
  });
});

const opensslOk = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
if (!opensslOk) console.warn('skipping the openssl interoperability tests: openssl is not on PATH');

describe.skipIf(!opensslOk)('interoperability with openssl (an independent Ed25519 and PAE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attestation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => join(dir, name);
  const sh = (script: string) => spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8' });

  // The PAE as the spec describes it, built by the shell from the envelope's fields, not by preAuthEncoding.
  const shellPae = `
    base64 -d payload.b64 > body
    type=$(cat type.txt)
    printf 'DSSEv1 %d %s %d ' "$(printf %s "$type" | wc -c)" "$type" "$(wc -c < body)" > pae
    cat body >> pae`;

  writeFileSync(file('priv.pem'), signer.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  execFileSync('openssl', ['pkey', '-in', 'priv.pem', '-pubout', '-out', 'pub.pem'], { cwd: dir });

  it('openssl derives the same public key PEM and keyid', () => {
    expect(readFileSync(file('pub.pem'), 'utf8')).toBe(publicKeyPem(signer.publicKey));
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', 'pub.pem', '-outform', 'DER'], { cwd: dir });
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der, encoding: 'utf8' });
    expect(digest.split(' ')[0]).toBe(envelope.signatures[0]!.keyid);
  });

  // Through a file, as an offline verifier receives it; the shell reads the fields from there.
  const writeEnvelope = (env: Pick<DsseEnvelope, 'payload' | 'payloadType'> & { signatures: Array<{ sig: string }> }) => {
    writeFileSync(file('envelope.json'), JSON.stringify(env));
    const parsed = JSON.parse(readFileSync(file('envelope.json'), 'utf8'));
    writeFileSync(file('payload.b64'), `${parsed.payload}\n`);
    writeFileSync(file('type.txt'), parsed.payloadType);
    writeFileSync(file('sig.b64'), `${parsed.signatures[0]?.sig ?? ''}\n`);
  };
  const opensslVerify = () => sh(`${shellPae}
    base64 -d sig.b64 > sig
    openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in pae -sigfile sig`);

  it('openssl verifies an envelope signed here', () => {
    writeEnvelope(envelope);
    const run = opensslVerify();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Signature Verified Successfully');
    expect(readFileSync(file('pae'))).toEqual(preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64')));
  });

  it('openssl refuses it once tampered', () => {
    const forged = clone(statement);
    forged.predicate.result = 'not-reproduced';
    forged.predicate.crash = null;
    writeEnvelope({ ...envelope, payload: b64(canonicalJson(forged)) });
    const run = opensslVerify();
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('Signature Verification Failure');
  });

  it('an envelope signed by openssl verifies here', () => {
    const other = clone(statement);
    other.predicate.kind = 'fix-verification';
    other.predicate.result = 'fix-failed';
    writeEnvelope({ payload: b64(JSON.stringify(other, null, 2)), payloadType: inTotoPayloadType, signatures: [] });
    const run = sh(`${shellPae}
      openssl pkeyutl -sign -inkey priv.pem -rawin -in pae -out sig
      base64 -w0 sig`);
    expect(run.status).toBe(0);
    const env = { payload: b64(JSON.stringify(other, null, 2)), payloadType: inTotoPayloadType, signatures: [{ sig: run.stdout.trim() }] };
    expect(verifyEnvelope(env, [verifier])).toEqual(other);
    // The key's private half in openssl's hands is the log key: check it is the same key, not a look-alike.
    expect(createPrivateKey(readFileSync(file('priv.pem'))).export({ format: 'jwk' }).x).toBe(signer.publicKey.toString('base64url'));
  });
});
