// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys: key strings, signing and verifying.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

const ed25519Alg = 0x01;
const sigLinePrefix = '\u2014 '; // an em dash and a space
const maxSignatures = 64;
// DER prefixes that wrap a raw 32-byte Ed25519 key as PKCS#8 / SPKI, so node:crypto can use it.
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

export class NoteError extends Error {
  override name = 'NoteError';
}

function checkName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}: it must be non-empty with no spaces or '+'`);
}

/** First four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), as the spec defines the key ID. */
export function keyHash(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update('\n').update(Buffer.of(ed25519Alg)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

export interface NoteVerifier {
  name: string;
  keyHash: number;
  publicKey: Buffer;
  key: KeyObject;
  /** The `name+hash+base64` form. */
  vkey: string;
}

export interface NoteSigner extends Omit<NoteVerifier, 'vkey'> {
  privateKey: KeyObject;
  verifier: NoteVerifier;
  /** The `PRIVATE+KEY+name+hash+base64` form, as Go's sumdb/note writes it. */
  skey: string;
}

function makeVerifier(name: string, publicKey: Buffer): NoteVerifier {
  checkName(name);
  const hash = keyHash(name, publicKey);
  const key = createPublicKey({ key: Buffer.concat([spkiPrefix, publicKey]), format: 'der', type: 'spki' });
  const vkey = `${name}+${hex8(hash)}+${Buffer.concat([Buffer.of(ed25519Alg), publicKey]).toString('base64')}`;
  return { name, keyHash: hash, publicKey, key, vkey };
}

export function signerFromSeed(name: string, seed: Buffer): NoteSigner {
  if (seed.length !== 32) throw new NoteError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = Buffer.from(spki.subarray(spki.length - 32));
  const verifier = makeVerifier(name, publicKey);
  const skey = `PRIVATE+KEY+${name}+${hex8(verifier.keyHash)}+${Buffer.concat([Buffer.of(ed25519Alg), seed]).toString('base64')}`;
  return { name, keyHash: verifier.keyHash, publicKey, key: verifier.key, privateKey, verifier, skey };
}

export function generateSigner(name: string): NoteSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return signerFromSeed(name, Buffer.from(der.subarray(der.length - 32)));
}

/** Splits `name+hash+base64`; the base64 part may itself contain '+'. */
function parseKeyParts(text: string, what: string): { name: string; hash: number; key: Buffer } {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new NoteError(`malformed ${what}`);
  const name = text.slice(0, first);
  const hashHex = text.slice(first + 1, second);
  const b64 = text.slice(second + 1);
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new NoteError(`malformed ${what}: key hash must be 8 lowercase hex digits`);
  const raw = Buffer.from(b64, 'base64');
  if (raw.toString('base64') !== b64 || raw.length !== 33 || raw[0] !== ed25519Alg) throw new NoteError(`malformed ${what}: not an Ed25519 key`);
  return { name, hash: parseInt(hashHex, 16), key: raw.subarray(1) };
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, hash, key } = parseKeyParts(vkey.trim(), 'verifier key');
  const verifier = makeVerifier(name, Buffer.from(key));
  if (verifier.keyHash !== hash) throw new NoteError('verifier key hash does not match its name and key');
  return verifier;
}

export function parseSignerKey(skey: string): NoteSigner {
  const text = skey.trim();
  if (!text.startsWith('PRIVATE+KEY+')) throw new NoteError('malformed signer key: it must start with PRIVATE+KEY+');
  const { name, hash, key } = parseKeyParts(text.slice('PRIVATE+KEY+'.length), 'signer key');
  const signer = signerFromSeed(name, Buffer.from(key));
  if (signer.keyHash !== hash) throw new NoteError('signer key hash does not match its name and key');
  return signer;
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('note text must end in a newline');
  // The spec forbids ASCII control characters other than newline anywhere in a note.
  if (/[\u0000-\u0009\u000b-\u001f]/u.test(text)) throw new NoteError('note text contains a control character');
}

/** Signs `text` (which ends in a newline) and returns the whole note. */
export function signNote(text: string, ...signers: NoteSigner[]): string {
  checkText(text);
  const lines = signers.map((s) => {
    const sig = sign(null, Buffer.from(text, 'utf8'), s.privateKey);
    const blob = Buffer.alloc(4 + sig.length);
    blob.writeUInt32BE(s.keyHash, 0);
    sig.copy(blob, 4);
    return `${sigLinePrefix}${s.name} ${blob.toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export interface NoteSignature {
  name: string;
  keyHash: number;
  signature: Buffer;
}

export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

export function parseNote(note: string): ParsedNote {
  if (/[\u0000-\u0009\u000b-\u001f]/u.test(note)) throw new NoteError('malformed note: it contains a control character');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (!sigBlock.endsWith('\n')) throw new NoteError('malformed note: signature block must end in a newline');
  const signatures = sigBlock
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      if (!line.startsWith(sigLinePrefix)) throw new NoteError(`malformed signature line ${JSON.stringify(line)}`);
      const rest = line.slice(sigLinePrefix.length);
      const space = rest.lastIndexOf(' ');
      if (space <= 0) throw new NoteError(`malformed signature line ${JSON.stringify(line)}`);
      const name = rest.slice(0, space);
      const blob = Buffer.from(rest.slice(space + 1), 'base64');
      if (blob.length < 5) throw new NoteError(`signature of ${name} is too short`);
      return { name, keyHash: blob.readUInt32BE(0), signature: blob.subarray(4) };
    });
  if (signatures.length === 0) throw new NoteError('note has no signatures');
  if (signatures.length > maxSignatures) throw new NoteError(`note has more than ${maxSignatures} signatures`);
  return { text, signatures };
}

/** Verifies the note with one key; returns its text when that key's signature is present and valid. */
export function verifyNote(note: string, verifier: NoteVerifier): string {
  const parsed = parseNote(note);
  const sig = parsed.signatures.find((s) => s.name === verifier.name && s.keyHash === verifier.keyHash);
  if (!sig) throw new NoteError(`note is not signed by ${verifier.name}+${hex8(verifier.keyHash)}`);
  if (sig.signature.length !== 64 || !verify(null, Buffer.from(parsed.text, 'utf8'), verifier.key, sig.signature)) {
    throw new NoteError(`invalid signature by ${verifier.name}`);
  }
  return parsed.text;
}
