// Locates ../shared/corpus (real documents written by others). Absent in a user's clone: tests then skip, saying why.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpusDir = process.env.CLEARINGHOUSE_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus');
export const hasCorpus = existsSync(corpusDir);

export function corpusPath(...parts: string[]): string {
  return join(corpusDir, ...parts);
}

/** For describe.skipIf: prints the reason once per file when the corpus is missing. */
export function corpusMissing(what: string): boolean {
  if (!hasCorpus) console.warn(`skipping ${what}: corpus not found at ${corpusDir} (set CLEARINGHOUSE_CORPUS)`);
  return !hasCorpus;
}
