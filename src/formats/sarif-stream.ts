// Streaming intake of huge SARIF logs (1 GB in ≤ 512 MB RSS): findings come out in batches, each result
// normalized with its run's tool and rules even when `results` precedes `tool` (as the SARIF SDK's converters,
// Semgrep and Cppcheck write it) or `taxonomies` / `originalUriBaseIds` follow it.
//
// Why a small splitter and not a streaming JSON library: only the structure down to `/runs/*/results/*` matters;
// each result is then handed whole to JSON.parse (native) and to the in-memory parser's normalizer. Measured on a
// generated 99 MB log (205,000 results, tool first) on this 2-core machine, parse + normalize, one pass:
// this splitter 35–39 MB/s (of which JSON.parse alone is ~80 MB/s here), @streamparser/json 0.0.26 11–12 MB/s,
// 3.2× slower, because its JS tokenizer builds every value token by token — and with results before tool it would
// have to tokenize the whole log twice (≈ 6× slower than the two-pass splitter, 28 MB/s). stream-json 3 needs
// Node 22 and was not tried. bench/findings-parse.mjs re-measures the splitter.
//
// With `reopen` (the raw document is stored anyway) the log is read twice: a first pass keeps every member of
// the log and of each run except `results` (skipped without parsing), a second pass parses only the results.
// Without it, one pass: a run's results are normalized with what of the run came before them, and a run whose
// `tool` comes after its results is refused.
import { invalidField } from '../core/errors.js';
import type { CodeFinding } from '../core/findings.js';
import { ValueScanner, WS } from './json-value-scan.js';
import { checkSarifLog, normalizeSarifResult, pointerToken, prepareSarifRun, sarifRunInfo, type SarifRunContext, type SarifRunInfo } from './sarif.js';

export interface SarifStreamOptions {
  /** Findings per yielded batch (default 2,000). */
  batchSize?: number;
  /** Prefix for every pointer, as in parseSarif. */
  pointerBase?: string;
  /** A fresh read of the same bytes, for the second pass; without it the log is read once (see above). */
  reopen?: () => AsyncIterable<Uint8Array>;
  /** Called once per run, after its last result, with what the in-memory parser returns in `runs`. */
  onRun?: (info: SarifRunInfo) => void;
}

type Obj = Record<string, unknown>;

// What the splitter is inside of, outermost first. Keys and every value not descended into are "raw values".
const enum Level { Start, Root, Runs, Run, Results, End }
const enum Expect { KeyOrClose, Key, Colon, Value, CommaOrClose, ValueOrClose }

interface RawResult {
  run: number;
  index: number;
  text: string;
}

interface SplitterEvents {
  /** A member of the log other than `runs`, or `runs` when it is not an array. */
  rootMember(key: string, text: string): void;
  /** `runs` is an array (its elements follow). */
  runsStart(): void;
  runStart(run: number): void;
  /** A member of a run other than `results` (or `results` when it is not an array). */
  runMember(run: number, key: string, text: string): void;
  resultsStart(run: number): void;
  runEnd(run: number, results: number | null): void;
}


/**
 * Finds the boundaries of `/runs/N/results/M` (and of every other member of the log and of each run) in text
 * that arrives piece by piece. Values it does not descend into are scanned only for their end: strings by
 * indexOf, containers by counting brackets outside strings. Captured values are returned as text.
 */
class SarifSplitter {
  private buf = '';
  private pos = 0;
  private level = Level.Start;
  private expect = Expect.Value;
  private rootKey = '';
  private runKey = '';
  private runIndex = -1;
  private resultIndex = -1;
  private runHasResults = false;
  // raw value in progress
  private inRaw = false;
  private readonly raw = new ValueScanner();
  private rawStart = 0;
  private rawCapture = false;
  private rawIsKey = false;
  readonly results: RawResult[] = [];

  constructor(
    private readonly base: string,
    private readonly events: SplitterEvents,
    private readonly captureMembers: boolean,
    private readonly captureResults: boolean,
  ) {}

  /** The pointer of what is being read, for errors. */
  where(): string {
    const b = this.base;
    switch (this.level) {
      case Level.Start:
      case Level.End:
        return b || '/';
      case Level.Root:
        return this.expect === Expect.Value || (this.inRaw && !this.rawIsKey) ? `${b}/${pointerToken(this.rootKey)}` : b || '/';
      case Level.Runs:
        return this.runIndex >= 0 && this.expect !== Expect.CommaOrClose ? `${b}/runs/${this.runIndex}` : `${b}/runs`;
      case Level.Run:
        return this.expect === Expect.Value || (this.inRaw && !this.rawIsKey) ? `${b}/runs/${this.runIndex}/${pointerToken(this.runKey)}` : `${b}/runs/${this.runIndex}`;
      case Level.Results:
        return this.resultIndex >= 0 && this.inRaw ? `${b}/runs/${this.runIndex}/results/${this.resultIndex}` : `${b}/runs/${this.runIndex}/results`;
    }
  }

  private fail(message: string): never {
    throw invalidField(this.where(), message);
  }

  private unexpected(c: number): never {
    const ch = String.fromCharCode(c);
    this.fail(`malformed JSON: unexpected ${JSON.stringify(ch)}`);
  }

  push(text: string): void {
    if (this.inRaw && this.rawCapture) {
      // Keep the value read so far; everything before it is done with.
      const done = this.rawStart;
      this.buf = this.buf.slice(done) + text;
      this.pos -= done;
      this.rawStart = 0;
    } else {
      this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
      this.pos = 0;
    }
    this.run();
  }

  end(): void {
    if (this.inRaw && this.raw.openScalar) {
      // A number or literal that the end of input terminates.
      this.finishRaw(this.buf.length);
    }
    const len = this.buf.length;
    for (let p = this.pos; p < len; p++) {
      const c = this.buf.charCodeAt(p);
      if (c >= 128 || !WS[c]) {
        if (this.level === Level.End) this.unexpected(c);
        break;
      }
    }
    if (this.level !== Level.End || this.inRaw) this.fail('the document ends before this value is complete (truncated?)');
  }

  private run(): void {
    const buf = this.buf;
    const len = buf.length;
    while (this.pos < len) {
      if (this.inRaw) {
        if (!this.scanRaw()) return;
        continue;
      }
      // Structural level: skip whitespace, then act on one character.
      let p = this.pos;
      let c = buf.charCodeAt(p);
      while (c < 128 && WS[c] === 1) {
        if (++p >= len) {
          this.pos = p;
          return;
        }
        c = buf.charCodeAt(p);
      }
      this.pos = p;
      this.step(c);
    }
  }

  private step(c: number): void {
    const level = this.level;
    const expect = this.expect;
    if (level === Level.End) this.unexpected(c);
    if (expect === Expect.Value || expect === Expect.ValueOrClose) {
      if (expect === Expect.ValueOrClose && c === 0x5d /* ] */) return this.closeArray();
      return this.value(c);
    }
    if (expect === Expect.KeyOrClose || expect === Expect.Key) {
      if (c === 0x7d /* } */ && expect === Expect.KeyOrClose) return this.closeObject();
      if (c !== 0x22 /* " */) this.unexpected(c);
      return this.startRaw(true, true);
    }
    if (expect === Expect.Colon) {
      if (c !== 0x3a /* : */) this.unexpected(c);
      this.pos++;
      this.expect = Expect.Value;
      return;
    }
    // CommaOrClose
    if (c === 0x2c /* , */) {
      this.pos++;
      this.expect = level === Level.Runs || level === Level.Results ? Expect.Value : Expect.Key;
      return;
    }
    if (level === Level.Runs || level === Level.Results) {
      if (c !== 0x5d) this.unexpected(c);
      return this.closeArray();
    }
    if (c !== 0x7d) this.unexpected(c);
    this.closeObject();
  }

  /** A value begins at this.pos with character c. */
  private value(c: number): void {
    switch (this.level) {
      case Level.Start:
        if (c !== 0x7b /* { */) this.fail('a SARIF log must be a JSON object');
        this.pos++;
        this.level = Level.Root;
        this.expect = Expect.KeyOrClose;
        return;
      case Level.Root:
        if (this.rootKey === 'runs' && c === 0x5b /* [ */) {
          this.pos++;
          this.level = Level.Runs;
          this.expect = Expect.ValueOrClose;
          this.runIndex = -1;
          this.events.runsStart();
          return;
        }
        return this.startRaw(this.captureMembers, false);
      case Level.Runs:
        this.runIndex++;
        if (c !== 0x7b) this.fail('must be a JSON object');
        this.pos++;
        this.level = Level.Run;
        this.expect = Expect.KeyOrClose;
        this.runHasResults = false;
        this.resultIndex = -1;
        this.events.runStart(this.runIndex);
        return;
      case Level.Run:
        if (this.runKey === 'results' && c === 0x5b) {
          this.pos++;
          this.level = Level.Results;
          this.expect = Expect.ValueOrClose;
          this.runHasResults = true;
          this.resultIndex = -1;
          this.events.resultsStart(this.runIndex);
          return;
        }
        return this.startRaw(this.captureMembers || this.runKey === 'results', false);
      case Level.Results:
        this.resultIndex++;
        return this.startRaw(this.captureResults, false);
    }
  }

  private closeArray(): void {
    this.pos++;
    if (this.level === Level.Results) {
      this.level = Level.Run;
    } else {
      this.level = Level.Root;
    }
    this.expect = Expect.CommaOrClose;
  }

  private closeObject(): void {
    this.pos++;
    if (this.level === Level.Run) {
      this.events.runEnd(this.runIndex, this.runHasResults ? this.resultIndex + 1 : null);
      this.level = Level.Runs;
    } else {
      this.level = Level.End;
    }
    this.expect = Expect.CommaOrClose;
  }

  private startRaw(capture: boolean, isKey: boolean): void {
    const c = this.buf.charCodeAt(this.pos);
    this.inRaw = true;
    this.rawStart = this.pos;
    this.rawCapture = capture || isKey;
    this.rawIsKey = isKey;
    const step = this.raw.begin(c);
    if (step < 0) this.unexpected(c);
    this.pos += step;
  }

  /** Advances through the raw value; true when it ended (and was handed on), false when more input is needed. */
  private scanRaw(): boolean {
    const end = this.raw.scan(this.buf, this.pos);
    if (end < 0) {
      this.pos = this.buf.length;
      return false;
    }
    this.finishRaw(end);
    return true;
  }

  private finishRaw(end: number): void {
    this.inRaw = false;
    this.pos = end;
    const text = this.rawCapture ? this.buf.slice(this.rawStart, end) : '';
    if (this.rawIsKey) {
      const key = parseJson(text, this.where()) as string;
      if (this.level === Level.Root) this.rootKey = key;
      else this.runKey = key;
      this.expect = Expect.Colon;
      return;
    }
    this.expect = Expect.CommaOrClose;
    if (!this.rawCapture) return;
    switch (this.level) {
      case Level.Root:
        this.events.rootMember(this.rootKey, text);
        return;
      case Level.Run:
        this.events.runMember(this.runIndex, this.runKey, text);
        return;
      case Level.Results:
        this.results.push({ run: this.runIndex, index: this.resultIndex, text });
        return;
      default:
        return;
    }
  }
}

function parseJson(text: string, at: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidField(at, `malformed JSON: ${(err as Error).message}`);
  }
}

async function* pieces(source: AsyncIterable<Uint8Array>, splitter: SarifSplitter): AsyncGenerator<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw invalidField(splitter.where(), 'the document is not valid UTF-8');
    }
    splitter.push(text);
    yield;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw invalidField(splitter.where(), 'the document ends inside a UTF-8 sequence');
  }
  if (tail) {
    splitter.push(tail);
    yield;
  }
  splitter.end();
}

interface RunMeta {
  members: Obj;
  results: number | null;
}

/** Collects the log's members and each run's members (results excepted), parsed. */
class MetaCollector implements SplitterEvents {
  readonly root: Obj = {};
  readonly runs: RunMeta[] = [];
  runsArray = false;
  /** Runs whose `results` array has started, before their `tool` was seen. */
  readonly resultsBeforeTool = new Set<number>();
  constructor(private readonly base: string) {}
  rootMember(key: string, text: string): void {
    this.root[key] = parseJson(text, `${this.base}/${pointerToken(key)}`);
  }
  runsStart(): void {
    this.runsArray = true;
  }
  runStart(run: number): void {
    this.runs[run] = { members: {}, results: null };
  }
  runMember(run: number, key: string, text: string): void {
    (this.runs[run] as RunMeta).members[key] = parseJson(text, `${this.base}/runs/${run}/${pointerToken(key)}`);
  }
  resultsStart(run: number): void {
    if ((this.runs[run] as RunMeta).members.tool === undefined) this.resultsBeforeTool.add(run);
  }
  runEnd(run: number, results: number | null): void {
    (this.runs[run] as RunMeta).results = results;
  }
}

/** The log without its results: what `parseSarif` would check before reading any result. */
function checkRoot(meta: MetaCollector, base: string): void {
  checkSarifLog(meta.root, base);
  // An array is descended into and never captured: a captured `runs` is not one (null: no runs, as parseSarif takes it).
  if (meta.runsArray) return;
  if (meta.root.runs === null) return;
  if (meta.root.runs === undefined) throw invalidField(`${base}/runs`, 'a SARIF log needs a runs array');
  throw invalidField(`${base}/runs`, 'must be an array');
}

function checkResultsMember(meta: RunMeta, at: string): void {
  // `results` captured raw: not an array. null means the tool failed to run; anything else is malformed.
  const r = meta.members.results;
  if (r !== undefined && r !== null) throw invalidField(`${at}/results`, 'must be an array');
}

/** Streams the findings of a SARIF 2.1.0 log in batches; see the header for one pass versus two. */
export async function* streamSarif(source: AsyncIterable<Uint8Array>, opts: SarifStreamOptions = {}): AsyncGenerator<CodeFinding[]> {
  const base = opts.pointerBase ?? '';
  const batchSize = Math.max(1, opts.batchSize ?? 2000);
  let batch: CodeFinding[] = [];

  if (opts.reopen) {
    // Pass 1: everything but the results.
    const meta = new MetaCollector(base);
    const first = new SarifSplitter(base, meta, true, false);
    for await (const _ of pieces(source, first)) void _;
    checkRoot(meta, base);
    const contexts: SarifRunContext[] = [];
    for (let i = 0; i < meta.runs.length; i++) {
      const at = `${base}/runs/${i}`;
      const run = meta.runs[i] as RunMeta;
      contexts.push(prepareSarifRun(run.members, at));
      checkResultsMember(run, at);
    }
    // Pass 2: only the results, each with its run's context.
    const counts: number[] = [];
    const second = new SarifSplitter(base, {
      rootMember() {},
      runsStart() {},
      runStart() {},
      runMember() {},
      resultsStart() {},
      runEnd(run, results) {
        counts[run] = results ?? 0;
      },
    }, false, true);
    let reported = 0;
    for await (const _ of pieces(opts.reopen(), second)) {
      void _;
      for (const r of second.results) {
        const at = `${base}/runs/${r.run}/results/${r.index}`;
        batch.push(normalizeSarifResult(contexts[r.run] as SarifRunContext, parseJson(r.text, at), at));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      second.results.length = 0;
      while (opts.onRun && reported < counts.length && counts[reported] !== undefined) {
        opts.onRun(sarifRunInfo(contexts[reported] as SarifRunContext, counts[reported] as number));
        reported++;
      }
    }
    if (counts.length !== meta.runs.length) throw invalidField(`${base}/runs`, 'the second read of the document differs from the first');
    if (batch.length > 0) yield batch;
    return;
  }

  // One pass: a run's context is prepared when its results start, from the members read so far.
  const meta = new MetaCollector(base);
  const contexts: SarifRunContext[] = [];
  const events: SplitterEvents = {
    rootMember: (k, t) => meta.rootMember(k, t),
    runsStart: () => meta.runsStart(),
    runStart: (run) => meta.runStart(run),
    runMember: (run, k, t) => meta.runMember(run, k, t),
    resultsStart(run) {
      const at = `${base}/runs/${run}`;
      const members = (meta.runs[run] as RunMeta).members;
      if (members.tool === undefined) {
        throw invalidField(`${at}/results`, 'this run\'s results come before its tool; streaming such a log needs a second read (reopen)');
      }
      if (meta.root.version !== undefined) checkSarifLog(meta.root, base);
      contexts[run] = prepareSarifRun(members, at);
    },
    runEnd(run, results) {
      meta.runEnd(run, results);
      const at = `${base}/runs/${run}`;
      const m = meta.runs[run] as RunMeta;
      // Members after the results are still checked, though the results were normalized without them.
      const ctx = prepareSarifRun(m.members, at);
      checkResultsMember(m, at);
      opts.onRun?.(sarifRunInfo(contexts[run] ?? ctx, results ?? 0));
    },
  };
  const splitter = new SarifSplitter(base, events, true, true);
  for await (const _ of pieces(source, splitter)) {
    void _;
    for (const r of splitter.results) {
      const at = `${base}/runs/${r.run}/results/${r.index}`;
      batch.push(normalizeSarifResult(contexts[r.run] as SarifRunContext, parseJson(r.text, at), at));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    splitter.results.length = 0;
  }
  checkRoot(meta, base);
  if (batch.length > 0) yield batch;
}
