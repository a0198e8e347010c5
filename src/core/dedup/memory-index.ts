// An in-memory candidate index: the reference for what the store's lookup must return (tests and the
// quality benchmark use it). Key → findings indexed under it; a lookup returns each matching finding once,
// in the order the findings were added (the store orders by insertion id to give the same answer).
import type { FindingFeatures } from './fingerprint.js';
import { lookupKeys } from './fingerprint.js';
import type { Candidate } from './match.js';

interface Entry extends Candidate {
  seq: number;
}

export class MemoryCandidateIndex {
  private readonly byKey = new Map<string, Entry[]>();
  private readonly entries: Entry[] = [];

  /** Indexes a finding, already linked to `vulnId`, under all its lookup keys. */
  add(vulnId: string, features: FindingFeatures): void {
    const entry: Entry = { vulnId, features, seq: this.entries.length };
    this.entries.push(entry);
    for (const key of new Set(lookupKeys(features))) {
      let list = this.byKey.get(key);
      if (!list) this.byKey.set(key, (list = []));
      list.push(entry);
    }
  }

  /** Every finding indexed under any of `keys`, once each, oldest first. */
  candidates(keys: readonly string[]): Candidate[] {
    const found = new Map<number, Entry>();
    for (const key of keys) for (const e of this.byKey.get(key) ?? []) found.set(e.seq, e);
    return [...found.values()].sort((a, b) => a.seq - b.seq).map(({ vulnId, features }) => ({ vulnId, features }));
  }

  /** Moves every finding of record `from` to record `into` (what a coordinator's merge does to the store). */
  relink(from: string, into: string): void {
    for (const e of this.entries) if (e.vulnId === from) e.vulnId = into;
  }

  get size(): number {
    return this.entries.length;
  }
}
