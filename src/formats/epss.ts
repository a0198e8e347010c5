// FIRST's EPSS daily CSV (epss_scores-YYYY-MM-DD.csv[.gz]) parsed a line at a time, so a 300,000-row file never
// needs to sit in memory as text: a `#model_version:…,score_date:…` comment line, the header `cve,epss,percentile`,
// then one row per CVE. Files from before the comment line was introduced (early 2022) are accepted without it.
// Every error names its line (1-based) and the column at fault.
import { AppError } from '../core/errors.js';

export interface EpssScore {
  cve: string;
  /** Probability of exploitation activity in the next 30 days, 0–1. */
  epss: number;
  /** Share of all scored CVEs with an EPSS at or below this one, 0–1. */
  percentile: number;
}

export interface EpssHeader {
  /** e.g. v2025.03.14; null for files without the comment line. */
  modelVersion: string | null;
  /** ISO 8601 UTC, e.g. 2025-03-14T00:00:00.000Z; null for files without the comment line. */
  scoreDate: string | null;
}

export interface EpssFile extends EpssHeader {
  scores: Map<string, EpssScore>;
}

const cvePattern = /^CVE-\d{4}-\d{4,19}$/;
const numberPattern = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
// 2025-03-14T00:00:00Z, …+00:00 and the older …+0000.
const scoreDatePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

function lineError(line: number, message: string): AppError {
  return new AppError('invalid-field', `EPSS CSV line ${line}: ${message}`, { field: `line ${line}`, extra: { line } });
}

/**
 * Feed it the file's lines in order (`push`), then call `end`. Rows come back from `push` one at a time, so the
 * caller decides what to keep. Only the set of CVE ids seen is held, to refuse a CVE listed twice.
 */
export class EpssParser {
  private lineNo = 0;
  private state: 'start' | 'header' | 'rows' = 'start';
  private readonly seen = new Map<string, number>();
  readonly header: EpssHeader = { modelVersion: null, scoreDate: null };

  /** The number of data rows accepted so far. */
  get rows(): number {
    return this.seen.size;
  }

  /** One line, without its line break (a trailing CR is dropped). Returns the row it holds, or null. */
  push(raw: string): EpssScore | null {
    const n = ++this.lineNo;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (n === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text === '') return null;
    if (this.state === 'start') {
      this.state = 'header';
      if (text.startsWith('#')) {
        this.comment(text, n);
        return null;
      }
    }
    if (this.state === 'header') {
      if (text.startsWith('#')) throw lineError(n, 'a second comment line; expected the header cve,epss,percentile');
      const cols = text.split(',').map((c) => c.trim().toLowerCase());
      if (cols.length !== 3 || cols[0] !== 'cve' || cols[1] !== 'epss' || cols[2] !== 'percentile') {
        throw lineError(n, `expected the header cve,epss,percentile, found ${JSON.stringify(text.slice(0, 80))}`);
      }
      this.state = 'rows';
      return null;
    }
    return this.row(text, n);
  }

  /** Checks that the file was complete enough to be an EPSS file. Returns the header and row count. */
  end(): EpssHeader & { rows: number } {
    if (this.state !== 'rows') throw lineError(this.lineNo + 1, 'the file ended before its header cve,epss,percentile');
    return { ...this.header, rows: this.rows };
  }

  private comment(text: string, n: number): void {
    const fields = new Map<string, string>();
    for (const part of text.slice(1).split(',')) {
      const colon = part.indexOf(':');
      if (colon <= 0) throw lineError(n, `malformed comment field ${JSON.stringify(part)}; expected #model_version:…,score_date:…`);
      fields.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
    }
    const modelVersion = fields.get('model_version');
    const scoreDate = fields.get('score_date');
    if (!modelVersion) throw lineError(n, 'the comment line has no model_version');
    if (!scoreDate) throw lineError(n, 'the comment line has no score_date');
    const iso = scoreDatePattern.test(scoreDate) ? scoreDate.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : '';
    const t = Date.parse(iso);
    if (!iso || Number.isNaN(t)) throw lineError(n, `score_date must be a date-time such as 2025-03-14T00:00:00Z, not ${JSON.stringify(scoreDate)}`);
    this.header.modelVersion = modelVersion;
    this.header.scoreDate = new Date(t).toISOString();
  }

  private row(text: string, n: number): EpssScore {
    const cols = text.split(',');
    if (cols.length !== 3) throw lineError(n, `expected 3 columns (cve,epss,percentile), found ${cols.length}`);
    const [cve, epssText, percentileText] = cols.map((c) => c.trim()) as [string, string, string];
    if (!cvePattern.test(cve)) throw lineError(n, `column cve must be a CVE id such as CVE-2024-3094, not ${JSON.stringify(cve.slice(0, 40))}`);
    const epss = this.probability(epssText, 'epss', n);
    const percentile = this.probability(percentileText, 'percentile', n);
    const first = this.seen.get(cve);
    if (first !== undefined) throw lineError(n, `${cve} is listed twice (first on line ${first})`);
    this.seen.set(cve, n);
    return { cve, epss, percentile };
  }

  private probability(text: string, column: string, n: number): number {
    const v = numberPattern.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(v) || v < 0 || v > 1) throw lineError(n, `column ${column} must be a number from 0 to 1, not ${JSON.stringify(text.slice(0, 40))}`);
    return v;
  }
}

/** Parses lines as they come; the generator's return value is the header and row count. */
export function* parseEpssLines(lines: Iterable<string>): Generator<EpssScore, EpssHeader & { rows: number }> {
  const parser = new EpssParser();
  for (const line of lines) {
    const row = parser.push(line);
    if (row) yield row;
  }
  return parser.end();
}

/** The same over an async source of lines (e.g. `readline` over a gunzipped stream). */
export async function* parseEpssLinesAsync(lines: AsyncIterable<string>): AsyncGenerator<EpssScore, EpssHeader & { rows: number }> {
  const parser = new EpssParser();
  for await (const line of lines) {
    const row = parser.push(line);
    if (row) yield row;
  }
  return parser.end();
}

/** Splits a stream of text or UTF-8 byte chunks into lines (LF or CRLF), without holding more than one line. */
export async function* linesOf(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      yield rest.slice(start, nl);
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield rest;
}

/** A whole EPSS file held in memory: its header and scores by CVE id. */
export function parseEpssCsv(text: string): EpssFile {
  const scores = new Map<string, EpssScore>();
  const gen = parseEpssLines(text.split('\n'));
  for (;;) {
    const step = gen.next();
    if (step.done) return { modelVersion: step.value.modelVersion, scoreDate: step.value.scoreDate, scores };
    scores.set(step.value.cve, step.value);
  }
}
