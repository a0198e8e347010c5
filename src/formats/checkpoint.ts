// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the body of a signed note stating a log's size and root.
import { NoteError } from './signed-note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** Optional extension lines, kept verbatim. */
  extensions: string[];
}

export function formatCheckpoint(cp: Checkpoint): string {
  if (!cp.origin || cp.origin.includes('\n')) throw new NoteError('checkpoint origin must be one non-empty line');
  if (cp.rootHash.length !== 32) throw new NoteError('checkpoint root hash must be 32 bytes');
  const ext = cp.extensions.map((l) => `${l}\n`).join('');
  return `${cp.origin}\n${cp.size}\n${cp.rootHash.toString('base64')}\n${ext}`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('malformed checkpoint: fewer than three lines');
  const [origin, sizeLine, rootLine] = lines;
  if (!origin) throw new NoteError('malformed checkpoint: empty origin');
  if (!sizeLine || !/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) {
    throw new NoteError(`malformed checkpoint: tree size ${JSON.stringify(sizeLine)}`);
  }
  const rootHash = Buffer.from(rootLine ?? '', 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootLine) throw new NoteError('malformed checkpoint: root hash');
  const extensions = lines.slice(3, -1);
  if (extensions.some((l) => l === '')) throw new NoteError('malformed checkpoint: empty extension line');
  return { origin, size: Number(sizeLine), rootHash, extensions };
}
