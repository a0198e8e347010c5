// The RFC 6962 / RFC 9162 Merkle tree: hashing, appends, proofs and their verification. No storage inside.
export * from './hash.js';
export * from './range.js';
export * from './proof.js';
export * from './verify.js';
