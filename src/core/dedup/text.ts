// Advisory prose as the matcher sees it: words (for shingles and text identity) and terms (words joined by
// `-`, `_` or `.`, so `gix-fs`, `github.com` and `1.4.0` stay one term), hashed in one pass without building
// strings, since every advisory's title and details go through here.
import { fmix } from './minhash.js';

/** Letters and digits, ASCII or not; general punctuation and spaces outside ASCII are not word characters. */
function wordCode(c: number): number {
  if (c >= 97 && c <= 122) return c;
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 48 && c <= 57) return c;
  if (c <= 127) return -1;
  if ((c >= 0x2000 && c <= 0x206f) || (c >= 0xa0 && c <= 0xbf) || (c >= 0x3000 && c <= 0x303f) || c === 0xfeff) return -1;
  return c;
}

const isSeparator = (c: number): boolean => c === 45 || c === 95 || c === 46;

/** The terms of a text as strings (lower-cased, separators written `-`): `Foo_Bar.baz` → `foo-bar-baz`. */
export function textTerms(text: string): string[] {
  const out: string[] = [];
  let term = '';
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const w = wordCode(text.charCodeAt(i));
    if (w >= 0) term += String.fromCharCode(w);
    else if (term !== '' && isSeparator(text.charCodeAt(i)) && i + 1 < n && wordCode(text.charCodeAt(i + 1)) >= 0) term += '-';
    else if (term !== '') {
      out.push(term);
      term = '';
    }
  }
  if (term !== '') out.push(term);
  return out;
}

export interface ScannedText {
  /** `hash32` of each word, in text order. */
  words: number[];
  /** `hash32` of each term (equal to `hash32` of the strings `textTerms` returns). */
  terms: number[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Words and terms of a text, as hashes. */
export function scanText(text: string): ScannedText {
  const words: number[] = [];
  const terms: number[] = [];
  let word = FNV_OFFSET;
  let term = FNV_OFFSET;
  let inWord = false;
  let inTerm = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const w = wordCode(c);
    if (w >= 0) {
      word = Math.imul(word ^ w, FNV_PRIME);
      term = Math.imul(term ^ w, FNV_PRIME);
      inWord = true;
      inTerm = true;
      continue;
    }
    if (inWord) {
      words.push(fmix(word));
      word = FNV_OFFSET;
      inWord = false;
    }
    if (inTerm && isSeparator(c) && i + 1 < n && wordCode(text.charCodeAt(i + 1)) >= 0) {
      term = Math.imul(term ^ 45, FNV_PRIME);
    } else if (inTerm) {
      terms.push(fmix(term));
      term = FNV_OFFSET;
      inTerm = false;
    }
  }
  if (inWord) words.push(fmix(word));
  if (inTerm) terms.push(fmix(term));
  return { words, terms };
}

/** Hashes of the word 3-shingles (one shingle for texts of one or two words), from word hashes. */
export function shingles(words: readonly number[]): Set<number> {
  const out = new Set<number>();
  if (words.length > 0 && words.length < 3) out.add(fmix(words.reduce((h, w) => Math.imul(h ^ w, FNV_PRIME), FNV_OFFSET)));
  for (let i = 0; i + 2 < words.length; i++) {
    let h = fmix(words[i]! ^ 0x3c6ef372);
    h = fmix(h ^ Math.imul(words[i + 1]!, 0x9e3779b1));
    out.add(fmix(h ^ Math.imul(words[i + 2]!, 0x85ebca6b)));
  }
  return out;
}

/** A 128-bit identity of the word sequence (hex): equal for texts that differ only in case, spacing or punctuation. */
export function wordsIdentity(words: readonly number[]): string | null {
  if (words.length === 0) return null;
  const h = [0x811c9dc5, 0x01234567, 0x89abcdef, 0x6a09e667];
  for (const w of words) {
    h[0] = fmix(h[0]! ^ w);
    h[1] = fmix(Math.imul(h[1]! ^ w, 0x9e3779b1));
    h[2] = fmix(h[2]! + w);
    h[3] = fmix(Math.imul(h[3]!, 31) ^ w ^ 0x5bd1e995);
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}


