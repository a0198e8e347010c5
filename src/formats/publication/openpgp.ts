// OpenPGP signing of published CSAF documents (CSAF 2.0 §7.1.19–20): a v4 EdDSA key and detached, ASCII-armored
// `.asc` signatures. v4 keys on curve25519Legacy (not RFC 9580 v6 keys) because GnuPG 2.2, still what Debian and
// many consumers run, cannot import v6 keys.
import * as openpgp from 'openpgp';
import { invalidField } from '../../core/errors.js';

const v4 = { v6Keys: false } as const;

export interface SigningKeyPair {
  /** ASCII-armored secret key, not passphrase-protected: the caller stores it encrypted. */
  armoredPrivate: string;
  armoredPublic: string;
  /** Upper-case hex v4 fingerprint (40 digits), as provider-metadata.json lists it. */
  fingerprint: string;
}

/** A new signing key for `name <email>`, with no expiry (rotate by publishing a new key in provider metadata). */
export async function generateSigningKey(owner: { name: string; email: string }): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: owner.name, email: owner.email }],
    format: 'armored',
    config: v4,
  });
  return { armoredPrivate: privateKey, armoredPublic: publicKey, fingerprint: await fingerprintOf(publicKey) };
}

/** The fingerprint of an armored key, upper-case hex. */
export async function fingerprintOf(armoredKey: string): Promise<string> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey });
  } catch (err) {
    throw invalidField('armoredPublic', `not an OpenPGP key: ${(err as Error).message}`);
  }
  return key.getFingerprint().toUpperCase();
}

/** A detached, ASCII-armored signature of `bytes`: the content of the document's `.asc` file. */
export async function signDetached(armoredPrivate: string, bytes: Uint8Array): Promise<string> {
  let signingKeys: openpgp.PrivateKey;
  try {
    signingKeys = await openpgp.readPrivateKey({ armoredKey: armoredPrivate });
  } catch (err) {
    throw invalidField('armoredPrivate', `not an OpenPGP private key: ${(err as Error).message}`);
  }
  if (!signingKeys.isDecrypted()) throw invalidField('armoredPrivate', 'the key is passphrase-protected: decrypt it first');
  const message = await openpgp.createMessage({ binary: bytes });
  return openpgp.sign({ message, signingKeys, detached: true, format: 'armored' });
}

/** Whether `asc` is a valid detached signature of `bytes` by the key `armoredPublic`. */
export async function verifyDetached(armoredPublic: string, bytes: Uint8Array, asc: string): Promise<boolean> {
  try {
    const [verificationKeys, signature, message] = await Promise.all([
      openpgp.readKey({ armoredKey: armoredPublic }),
      openpgp.readSignature({ armoredSignature: asc }),
      openpgp.createMessage({ binary: bytes }),
    ]);
    const { signatures } = await openpgp.verify({ message, signature, verificationKeys, expectSigned: false });
    if (signatures.length === 0) return false;
    for (const s of signatures) await s.verified; // rejects when the signature does not verify
    return true;
  } catch {
    return false;
  }
}
