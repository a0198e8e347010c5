// Signed validation attestations: an in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
// whose predicate says what the sandbox did with a proof of concept, in a DSSE v1 envelope
// (https://github.com/secure-systems-lab/dsse, protocol.md and envelope.md) signed with Ed25519.
// Anyone with the clearinghouse's public key can verify one offline: no clearinghouse code or network is needed,
// only PAE (below), Ed25519 and the public key, e.g. with `openssl pkeyutl -verify -rawin`.
//
// The key is the log key (src/runtime/home.ts): the one Ed25519 key that signs checkpoints also signs attestations.
// The two kinds of signed bytes cannot be mistaken for each other: a PAE has a space at byte 7 ("DSSEv1 "), while a
// checkpoint starts with its origin, a signed-note key name, which has no spaces.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { canonicalBytes } from '../core/canonical-json.js';
import { AppError } from '../core/errors.js';
import type { ScannerInfo, TargetRef } from '../core/findings.js';

/** The DSSE payloadType of every in-toto statement (in-toto spec/v1/envelope.md). */
export const inTotoPayloadType = 'application/vnd.in-toto+json';
export const inTotoStatementType = 'https://in-toto.io/Statement/v1';
/**
 * Our predicate's TypeURI. The major version is in the path, as in-toto's versioning rules ask: a reader of v1
 * may rely on every field below; a change that removes or redefines a field gets a new URI.
 */
export const validationPredicateType = 'https://clearinghouse.dev/validation/v1';

// Bounds that keep a hostile envelope cheap to reject; our own attestations are a few kilobytes.
const maxPayloadBytes = 1024 * 1024;
const maxSignatures = 16;

// ---------- errors ----------

export const attestationFailures = [
  'malformed-envelope',
  'bad-base64',
  'wrong-payload-type',
  'unknown-key',
  'bad-signature',
  'invalid-statement',
] as const;
export type AttestationFailure = (typeof attestationFailures)[number];

/**
 * Why an envelope or statement was refused. `field` is a JSON Pointer into the envelope, except for
 * `invalid-statement`, where it points into the statement (the decoded payload).
 */
export class AttestationError extends AppError {
  readonly reason: AttestationFailure;

  constructor(reason: AttestationFailure, message: string, field?: string) {
    super('unprocessable', message, field === undefined ? {} : { field });
    this.name = 'AttestationError';
    this.reason = reason;
  }
}

// ---------- the statement and its predicate ----------

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const closed = { additionalProperties: false } as const;

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'a lowercase hex SHA-256 (64 digits)' });
const Uuid = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'a lowercase UUID',
});
const Timestamp = Type.String({
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$',
  description: 'an ISO 8601 UTC time ending in Z, e.g. 2026-05-01T12:00:00.000Z',
});
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const OutputEvidence = Type.Object(
  {
    sha256: Sha256Hex,
    size: Type.Integer({ minimum: 0, description: 'bytes kept, at most sandbox.limits.maxOutputBytes' }),
    truncated: Type.Boolean({ description: 'the program wrote more than maxOutputBytes' }),
  },
  closed,
);

export const validationKinds = ['reproduction', 'fix-verification'] as const;
export type ValidationKind = (typeof validationKinds)[number];
/** The results each kind may have: a reproduction reproduces or not; a fix verification passes or fails. */
export const resultsByKind = {
  'reproduction': ['reproduced', 'not-reproduced'],
  'fix-verification': ['fix-verified', 'fix-failed'],
} as const satisfies Record<ValidationKind, readonly string[]>;
export const validationResults = [...resultsByKind.reproduction, ...resultsByKind['fix-verification']] as const;
export type ValidationResult = (typeof validationResults)[number];
// A reproduction names the crash it reproduced; a verified fix means no crash. The other two results may or may
// not have seen one (a timeout has none; a crash other than the claimed one is not a reproduction).
const crashRequired: ReadonlySet<string> = new Set<ValidationResult>(['reproduced']);
const crashForbidden: ReadonlySet<string> = new Set<ValidationResult>(['fix-verified']);

/** The crash as the sandbox saw it: `ObservedCrash` of src/core/validation/verdict.ts. */
export const AttestedCrash = Type.Object(
  {
    crashType: Text(200),
    /** Normalized function names, innermost first; empty when nothing meaningful was symbolized. */
    frames: Type.Array(Text(1000), { maxItems: 64 }),
    /** The stable key crashes are grouped by. */
    key: Text(512),
  },
  closed,
);

/** The limits each sandboxed run had: the fields of `SandboxLimits` in src/sandbox/limits.ts. */
export const AttestedLimits = Type.Object(
  {
    cpuSeconds: Type.Number({ exclusiveMinimum: 0 }),
    wallMs: Type.Number({ exclusiveMinimum: 0 }),
    memoryBytes: Type.Integer({ minimum: 1 }),
    maxProcesses: Type.Integer({ minimum: 1 }),
    /** Bytes kept per stream; the evidence digests are of at most this many bytes. */
    maxOutputBytes: Type.Integer({ minimum: 0 }),
    maxFileBytes: Type.Integer({ minimum: 0 }),
    tmpBytes: Type.Integer({ minimum: 0 }),
  },
  closed,
);

/**
 * The predicate of `https://clearinghouse.dev/validation/v1`. Closed, which in-toto lets a predicate choose: an
 * unknown field might qualify the result, so a reader refuses it rather than miss it. New fields get a new URI.
 */
export const ValidationPredicate = Type.Object(
  {
    kind: Type.Enum([...validationKinds]),
    result: Type.Enum([...validationResults]),
    vulnerabilityId: Uuid,
    findingId: Uuid,
    reporter: Type.Object(
      {
        orgId: Uuid,
        scanner: Type.Object({ name: Text(200), version: Nullable(Text(200)) }, closed),
        model: Nullable(Type.Object({ name: Text(200), version: Nullable(Text(200)) }, closed)),
      },
      closed,
    ),
    target: Type.Object(
      {
        purl: Nullable(Type.String({ pattern: '^pkg:[A-Za-z][A-Za-z0-9.+-]*/', maxLength: 2000, description: 'a package URL (pkg:type/…)' })),
        repo: Nullable(Text(2000)),
        /** The commit the sandbox built and ran (for a fix verification, the commit with the fix); a version label for sources without history. */
        commit: Type.String({
          pattern: '^([0-9a-f]{40}|[0-9a-f]{64}|[0-9A-Za-z][0-9A-Za-z._+/-]{0,199})$',
          description: 'a full lowercase hex commit id (40 or 64 digits), or the version label of a directory or tarball source',
        }),
      },
      closed,
    ),
    crash: Nullable(AttestedCrash),
    /** Why the result is what it is, in a word (reproduced-with-contract, flaky-signature, same-crash, ...). */
    verdict: Text(100),
    /** Every sandboxed run behind the result: the reported commit and its retry, and for the proof-of-vulnerability
     * contract the introducing commit and its parent. */
    runs: Type.Array(
      Type.Object(
        {
          role: Type.Enum(['reported', 'reported-retry', 'introduced', 'parent', 'fix']),
          commit: Nullable(Text(200)),
          outcome: Text(100),
          crashKey: Nullable(Text(512)),
        },
        closed,
      ),
      { maxItems: 16 },
    ),
    sandbox: Type.Object({ limits: AttestedLimits }, closed),
    startedAt: Timestamp,
    finishedAt: Timestamp,
    evidence: Type.Object(
      {
        stdout: OutputEvidence,
        stderr: OutputEvidence,
      },
      closed,
    ),
  },
  closed,
);

/**
 * The statement. Its subject is the PoC, by SHA-256. The Statement and subject layers stay open, as in-toto's
 * parsing rules require (consumers ignore unknown fields there); the predicate is ours and closed.
 */
export const ValidationStatement = Type.Object({
  _type: Type.Literal(inTotoStatementType),
  subject: Type.Array(Type.Object({ name: Text(500), digest: Type.Object({ sha256: Sha256Hex }) }), { minItems: 1, maxItems: 1 }),
  predicateType: Type.Literal(validationPredicateType),
  predicate: ValidationPredicate,
});

export type AttestedCrash = Static<typeof AttestedCrash>;
export type AttestedLimits = Static<typeof AttestedLimits>;
export type ValidationPredicate = Static<typeof ValidationPredicate>;
export type ValidationStatement = Static<typeof ValidationStatement>;
export type OutputEvidence = Static<typeof OutputEvidence>;

// ---------- shape errors in words ----------

interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message: string;
  params: Record<string, unknown>;
}

/** The schema a `#/…` schemaPath points at, to quote its description. */
function schemaAt(root: unknown, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

const list = (values: unknown): string => (Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(', ') : '');

/**
 * The first schema error as `{ field, message }`. A union (`X | null`) reports its branches at one path; we say
 * "must be object or null" instead, unless a deeper error inside the value explains better.
 */
function describeFirstError(schema: TSchema, value: unknown): { field: string; message: string } | null {
  const errors = [...Value.Errors(schema, value)] as SchemaError[];
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    const at = e.instancePath;
    if (e.keyword === 'boolean') continue; // repeats an additionalProperties error
    if (e.keyword === 'type' && unionPaths.has(at)) continue;
    if (e.keyword === 'anyOf') {
      if (errors.some((o) => o.instancePath.startsWith(`${at}/`))) continue;
      const types = errors.filter((o) => o.keyword === 'type' && o.instancePath === at).map((o) => String(o.params.type));
      return { field: at, message: `must be ${types.join(' or ')}` };
    }
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params.requiredProperties as string[] | undefined) ?? [];
        const present = value !== null && typeof value === 'object' ? Value.Pointer.Get(value, at) : undefined;
        const first = missing.find((k) => present === null || typeof present !== 'object' || !(k in present)) ?? missing[0] ?? '';
        return { field: `${at}/${first}`, message: 'is missing' };
      }
      case 'additionalProperties': {
        const extra = (e.params.additionalProperties as string[] | undefined)?.[0] ?? '';
        return { field: `${at}/${extra}`, message: 'is not a field of this predicate' };
      }
      case 'enum':
        return { field: at, message: `must be one of ${list(e.params.allowedValues)}` };
      case 'const':
        return { field: at, message: `must be ${JSON.stringify(e.params.allowedValue)}` };
      case 'pattern':
      case 'format': {
        const description = schemaAt(schema, e.schemaPath)?.description;
        return { field: at, message: typeof description === 'string' ? `must be ${description}` : e.message };
      }
      default:
        return { field: at, message: e.message };
    }
  }
  return null;
}

/** Rules across fields that a JSON Schema cannot state. */
function crossFieldProblem(p: ValidationPredicate): { field: string; message: string } | null {
  const allowed: readonly string[] = resultsByKind[p.kind];
  if (!allowed.includes(p.result)) {
    return { field: '/predicate/result', message: `cannot be "${p.result}" when kind is "${p.kind}"; allowed: ${list(allowed)}` };
  }
  if (crashRequired.has(p.result) && p.crash === null) return { field: '/predicate/crash', message: `must be set when result is "${p.result}"` };
  if (crashForbidden.has(p.result) && p.crash !== null) return { field: '/predicate/crash', message: `must be null when result is "${p.result}"` };
  if (p.target.purl === null && p.target.repo === null) return { field: '/predicate/target', message: 'must name a purl, a repo or both' };
  if (Date.parse(p.finishedAt) < Date.parse(p.startedAt)) return { field: '/predicate/finishedAt', message: 'is before startedAt' };
  const cap = p.sandbox.limits.maxOutputBytes;
  for (const stream of ['stdout', 'stderr'] as const) {
    if (p.evidence[stream].size > cap) return { field: `/predicate/evidence/${stream}/size`, message: `is more than maxOutputBytes (${cap})` };
  }
  return null;
}

/** Returns `value` as a statement, or throws an `invalid-statement` error naming the field at fault. */
export function checkValidationStatement(value: unknown): ValidationStatement {
  const problem = Value.Check(ValidationStatement, value)
    ? crossFieldProblem((value as ValidationStatement).predicate)
    : describeFirstError(ValidationStatement, value) ?? { field: '', message: 'is not a validation statement' };
  if (problem) throw new AttestationError('invalid-statement', `invalid statement: ${problem.field || '(root)'} ${problem.message}`, problem.field);
  return value as ValidationStatement;
}

// ---------- building ----------

export interface ValidationInput {
  kind: ValidationKind;
  result: ValidationResult;
  vulnerabilityId: string;
  findingId: string;
  /** The proof of concept: the statement's subject. `name` defaults to "poc". */
  poc: { sha256: string; name?: string };
  reporter: { orgId: string; scanner: ScannerInfo };
  target: TargetRef & { commit: string };
  crash: AttestedCrash | null;
  verdict: string;
  runs: Array<{ role: 'reported' | 'reported-retry' | 'introduced' | 'parent' | 'fix'; commit: string | null; outcome: string; crashKey: string | null }>;
  sandbox: { limits: AttestedLimits };
  startedAt: Date | string;
  finishedAt: Date | string;
  evidence: { stdout: OutputEvidence; stderr: OutputEvidence };
}

/** The evidence entry for one captured stream: the bytes the sandbox kept, and whether it cut the stream. */
export function outputEvidence(kept: Uint8Array, truncated: boolean): OutputEvidence {
  return { sha256: createHash('sha256').update(kept).digest('hex'), size: kept.length, truncated };
}

const isoTime = (t: Date | string): string => (typeof t === 'string' ? t : t.toISOString());

/** Builds and checks the statement; throws an `invalid-statement` error naming the field at fault. */
export function buildValidationStatement(input: ValidationInput): ValidationStatement {
  const { scanner } = input.reporter;
  const statement = {
    _type: inTotoStatementType,
    subject: [{ name: input.poc.name ?? 'poc', digest: { sha256: input.poc.sha256.toLowerCase() } }],
    predicateType: validationPredicateType,
    predicate: {
      kind: input.kind,
      result: input.result,
      vulnerabilityId: input.vulnerabilityId.toLowerCase(),
      findingId: input.findingId.toLowerCase(),
      reporter: {
        orgId: input.reporter.orgId.toLowerCase(),
        scanner: { name: scanner.name, version: scanner.version },
        model: scanner.model ? { name: scanner.model.name, version: scanner.model.version } : null,
      },
      target: { purl: input.target.purl, repo: input.target.repo, commit: /^[0-9a-f]+$/i.test(input.target.commit) ? input.target.commit.toLowerCase() : input.target.commit },
      crash: input.crash ? { crashType: input.crash.crashType, frames: [...input.crash.frames], key: input.crash.key } : null,
      verdict: input.verdict,
      runs: input.runs.map((r) => ({ role: r.role, commit: r.commit, outcome: r.outcome, crashKey: r.crashKey })),
      sandbox: { limits: { ...input.sandbox.limits } },
      startedAt: isoTime(input.startedAt),
      finishedAt: isoTime(input.finishedAt),
      evidence: { stdout: { ...input.evidence.stdout }, stderr: { ...input.evidence.stderr } },
    },
  };
  return checkValidationStatement(statement);
}

// ---------- DSSE ----------

export interface DsseSignature {
  /** An unauthenticated hint: `attestationKeyId` of the signing key. */
  keyid: string;
  /** Base64 of the 64-byte Ed25519 signature over PAE(payloadType, payload). */
  sig: string;
}

export interface DsseEnvelope {
  /** Base64 of the serialized statement (RFC 8785 canonical JSON). */
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

/** Anything holding a raw 32-byte Ed25519 public key, such as a signed-note `NoteVerifier` or `NoteSigner`. */
export interface AttestationPublicKey {
  publicKey: Uint8Array;
}

/** A signed-note `NoteSigner` (the log key) fits. */
export interface AttestationSigner extends AttestationPublicKey {
  privateKey: KeyObject;
}

/**
 * DSSE v1 Pre-Authentication Encoding (protocol.md, "Signature Definition"):
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the decimal byte length and type is UTF-8.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type, Buffer.from(` ${payload.length} `, 'ascii'), payload]);
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError(`an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

function spki(raw: Uint8Array): Buffer {
  return ed25519PublicKey(raw).export({ format: 'der', type: 'spki' });
}

/**
 * The DSSE keyid of a key: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo, i.e. of the bytes inside its
 * PEM. Anyone can recompute it: `openssl pkey -pubin -in key.pem -outform DER | sha256sum`.
 */
export function attestationKeyId(publicKey: Uint8Array): string {
  return createHash('sha256').update(spki(publicKey)).digest('hex');
}

/** The key in PEM (SPKI), the form to publish for offline verifiers. */
export function publicKeyPem(publicKey: Uint8Array): string {
  return ed25519PublicKey(publicKey).export({ format: 'pem', type: 'spki' }).toString();
}

/** Signs arbitrary bytes as a DSSE envelope with one Ed25519 signature. */
export function signDsse(payloadType: string, payload: Uint8Array, signer: AttestationSigner): DsseEnvelope {
  const sig = sign(null, preAuthEncoding(payloadType, payload), signer.privateKey);
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: [{ keyid: attestationKeyId(signer.publicKey), sig: sig.toString('base64') }],
  };
}

/** Checks the statement, serializes it as canonical JSON and signs it. */
export function signEnvelope(statement: ValidationStatement, signer: AttestationSigner): DsseEnvelope {
  return signDsse(inTotoPayloadType, canonicalBytes(checkValidationStatement(statement)), signer);
}

/** Strict base64: the standard or the URL-safe alphabet (DSSE allows both), padding optional, no stray bits. */
function decodeBase64(text: string, field: string, what: string): Buffer {
  const fail = (why: string) => new AttestationError('bad-base64', `${what} is not valid base64: ${why}`, field);
  const alphabet = /^[A-Za-z0-9+/]*={0,2}$/.test(text) || /^[A-Za-z0-9_-]*={0,2}$/.test(text);
  if (!alphabet) throw fail('it has characters outside the base64 alphabets or misplaced padding');
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1 || (bare.length !== text.length && text.length % 4 !== 0)) throw fail('its length is impossible');
  const bytes = Buffer.from(bare, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== bare.replace(/-/g, '+').replace(/_/g, '/')) throw fail('its last character has stray bits');
  return bytes;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface ParsedEnvelope {
  payload: Buffer;
  payloadType: string;
  signatures: Array<{ keyid: string; sig: Buffer }>;
}

/** Decodes the JSON envelope (envelope.md); unknown fields are ignored, as its parsing rules require. */
function parseEnvelope(envelope: unknown): ParsedEnvelope {
  const malformed = (message: string, field: string) => new AttestationError('malformed-envelope', message, field);
  let env = envelope;
  if (typeof env === 'string' || Buffer.isBuffer(env)) {
    try {
      env = JSON.parse(env.toString());
    } catch (err) {
      throw malformed(`envelope is not JSON: ${(err as Error).message}`, '');
    }
  }
  if (!isObject(env)) throw malformed('envelope must be a JSON object', '');
  if (typeof env.payload !== 'string') throw malformed('envelope payload must be a base64 string', '/payload');
  if (typeof env.payloadType !== 'string') throw malformed('envelope payloadType must be a string', '/payloadType');
  if (!Array.isArray(env.signatures)) throw malformed('envelope signatures must be an array', '/signatures');
  if (env.signatures.length === 0) throw malformed('envelope has no signatures', '/signatures');
  if (env.signatures.length > maxSignatures) throw malformed(`envelope has more than ${maxSignatures} signatures`, '/signatures');
  if (env.payload.length > Math.ceil(maxPayloadBytes / 3) * 4) throw malformed(`payload is larger than ${maxPayloadBytes} bytes`, '/payload');
  const signatures = env.signatures.map((s: unknown, i) => {
    const at = `/signatures/${i}`;
    if (!isObject(s)) throw malformed(`signature ${i} must be an object`, at);
    if (typeof s.sig !== 'string') throw malformed(`signature ${i} has no sig string`, `${at}/sig`);
    // keyid is OPTIONAL, and unset means the same as empty (envelope.md).
    if (s.keyid !== undefined && typeof s.keyid !== 'string') throw malformed(`signature ${i} keyid must be a string`, `${at}/keyid`);
    return { keyid: s.keyid ?? '', sig: decodeBase64(s.sig, `${at}/sig`, `signature ${i}`) };
  });
  return { payload: decodeBase64(env.payload, '/payload', 'payload'), payloadType: env.payloadType, signatures };
}

/**
 * Verifies a DSSE envelope and returns its payload bytes and the keyid of the key that verified it. At least one
 * signature must verify with one of `publicKeys` (threshold 1). keyid only narrows which keys are tried, as the
 * protocol says; a signature whose keyid names no known key is still tried against all of them.
 */
export function verifyDsse(
  envelope: unknown,
  publicKeys: readonly AttestationPublicKey[],
  payloadType: string,
): { payload: Buffer; keyid: string } {
  if (publicKeys.length === 0) throw new AttestationError('unknown-key', 'no public keys to verify with');
  const env = parseEnvelope(envelope);
  // The protocol checks the type after the signature; checking it first rejects the same envelopes and says why.
  if (env.payloadType !== payloadType) {
    throw new AttestationError('wrong-payload-type', `payloadType is ${JSON.stringify(env.payloadType)}, expected ${JSON.stringify(payloadType)}`, '/payloadType');
  }
  const keys = publicKeys.map((k) => ({ keyid: attestationKeyId(k.publicKey), key: ed25519PublicKey(k.publicKey) }));
  const pae = preAuthEncoding(env.payloadType, env.payload);
  let failedNamed: { index: number; keyid: string } | null = null;
  for (const [index, s] of env.signatures.entries()) {
    const named = keys.filter((k) => k.keyid === s.keyid);
    const candidates = named.length > 0 ? named : keys;
    const match = s.sig.length === 64 ? candidates.find((k) => verify(null, pae, k.key, s.sig)) : undefined;
    if (match) return { payload: env.payload, keyid: match.keyid };
    if (named.length > 0) failedNamed ??= { index, keyid: s.keyid };
  }
  if (failedNamed) {
    throw new AttestationError(
      'bad-signature',
      `signature ${failedNamed.index} by key ${failedNamed.keyid} does not verify: the payload, payloadType or signature was altered`,
      `/signatures/${failedNamed.index}/sig`,
    );
  }
  const seen = env.signatures.map((s) => s.keyid || '(none)').join(', ');
  throw new AttestationError(
    'unknown-key',
    `no signature by a known key: the envelope's keyids are ${seen}; the known keys are ${keys.map((k) => k.keyid).join(', ')}`,
    '/signatures',
  );
}

/**
 * Verifies an attestation offline: the envelope (an object, or its JSON text), a signature by one of
 * `publicKeys`, the in-toto payloadType, then the statement's shape. Returns the statement; throws an
 * `AttestationError` whose `reason` and message say what is wrong.
 */
export function verifyEnvelope(envelope: unknown, publicKeys: readonly AttestationPublicKey[]): ValidationStatement {
  const { payload } = verifyDsse(envelope, publicKeys, inTotoPayloadType);
  let statement: unknown;
  try {
    statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new AttestationError('invalid-statement', `invalid statement: the payload is not UTF-8 JSON (${(err as Error).message})`, '');
  }
  return checkValidationStatement(statement);
}
