// Set sketches for advisory texts. MinHash signatures and their LSH band keys let near-identical texts find
// each other through an index lookup instead of an all-pairs comparison; bottom-k sketches keep small sets
// exactly (and large ones as a sample) for Jaccard indexes too small for MinHash to estimate. Both travel as
// strings (signatures as hex, sketches as base64 of 32-bit little-endian values), so stored features stay
// JSON-friendly and identical on every machine.

export const minHashSize = 64;
/** 8 bands × 8 rows: a pair with Jaccard 0.9 shares a band with probability 0.99, one with 0.5 with 0.03. */
export const lshBands = 8;
const rowsPerBand = minHashSize / lshBands;

// fixed seeds, so signatures computed today compare with those stored last year
const seeds = new Uint32Array(minHashSize);
{
  let s = 0x9e3779b9;
  for (let i = 0; i < minHashSize; i++) {
    s = (Math.imul(s ^ (s >>> 16), 0x85ebca6b) + 0x6b43a9b5) >>> 0;
    seeds[i] = s;
  }
}

/** FNV-1a over UTF-16 code units, then a murmur3 finalizer: a well-mixed 32-bit hash of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/** The murmur3 32-bit finalizer: spreads every input bit over the output. */
export function fmix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The signature of a set of (well-mixed) hashes, or null for an empty set (no evidence is not "similar").
 * Permutation i is x ↦ xorshift(imul(x ⊕ seedᵢ, odd constant)): a bijection per seed, cheap enough for 64 of
 * them per shingle.
 */
export function minHash(hashes: Iterable<number>): Uint32Array | null {
  const sig = new Uint32Array(minHashSize).fill(0xffffffff);
  let any = false;
  for (const x of hashes) {
    any = true;
    for (let i = 0; i < minHashSize; i++) {
      let v = Math.imul(x ^ seeds[i]!, 0x9e3779b1);
      v = (v ^ (v >>> 15)) >>> 0;
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return any ? sig : null;
}

/** A bottom-k sketch as base64 of its 32-bit little-endian values. */
export function encodeSketch(sig: Uint32Array): string {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64');
}

/** A MinHash signature as text: 8 hex digits per value, so two signatures compare without decoding. */
export function signatureHex(sig: Uint32Array): string {
  let out = '';
  for (const v of sig) out += v.toString(16).padStart(8, '0');
  return out;
}

/** Estimated Jaccard similarity of two sets from their `signatureHex` signatures: the share of values that agree. */
export function estimateJaccard(a: string, b: string): number {
  if (a === b) return 1;
  const n = Math.min(a.length, b.length) >>> 3;
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let k = i * 8;
    const end = k + 8;
    while (k < end && a.charCodeAt(k) === b.charCodeAt(k)) k++;
    if (k === end) same++;
  }
  return same / n;
}

/** `lsh:<band>:<hex>` for each band of the signature. */
export function lshKeys(sig: Uint32Array): string[] {
  const keys: string[] = [];
  for (let b = 0; b < lshBands; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < rowsPerBand; r++) h = fmix(Math.imul(h ^ sig[b * rowsPerBand + r]!, 0x01000193));
    // a second, differently seeded hash widens the key to 64 bits, so unrelated texts do not share buckets
    let g = 0x6a09e667 ^ b;
    for (let r = rowsPerBand - 1; r >= 0; r--) g = fmix(Math.imul(g ^ sig[b * rowsPerBand + r]!, 0x01000193));
    keys.push(`lsh:${b}:${h.toString(16).padStart(8, '0')}${g.toString(16).padStart(8, '0')}`);
  }
  return keys;
}

/** Bottom-k sketch size: sets of up to this many distinct values are kept whole. */
export const sketchSize = 1024;

/** The `sketchSize` smallest distinct hashes, ascending: the whole set when it is small enough. */
export function bottomK(hashes: Iterable<number>): Uint32Array {
  const sorted = Uint32Array.from(new Set(hashes)).sort();
  return sorted.length > sketchSize ? sorted.slice(0, sketchSize) : sorted;
}

export function decodeSketch(sketch: string): Uint32Array {
  const buf = Buffer.from(sketch, 'base64');
  const out = new Uint32Array(buf.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}

/**
 * Jaccard index of two sets from their bottom-k sketches, ignoring the values in `ignore` (stop words and
 * package names, which say nothing about which vulnerability a text describes): exact when neither set was
 * cut, otherwise the standard estimate over the k smallest values of the union.
 */
export function sketchJaccard(a: Uint32Array, b: Uint32Array, ignore: ReadonlySet<number>): number {
  const x = a.filter((v) => !ignore.has(v));
  const y = b.filter((v) => !ignore.has(v));
  const cut = a.length >= sketchSize || b.length >= sketchSize;
  // merge the two ascending lists
  let i = 0;
  let j = 0;
  let union = 0;
  let both = 0;
  const limit = cut ? Math.min(x.length, y.length) : Infinity;
  while ((i < x.length || j < y.length) && union < limit) {
    if (j >= y.length || (i < x.length && x[i]! < y[j]!)) i++;
    else if (i >= x.length || y[j]! < x[i]!) j++;
    else {
      both++;
      i++;
      j++;
    }
    union++;
  }
  return union === 0 ? 0 : both / union;
}
