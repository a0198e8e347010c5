// Splits a JSON document that arrives piece by piece into the values a handler asks for, without holding the
// document: the handler descends into the containers it cares about (an SBOM's root, its `components` or `packages`
// arrays, a huge component) and every other value is handed over whole, as text, for JSON.parse — or skipped.
//
// The technique is that of src/formats/sarif-stream.ts (values not descended into are scanned only for their end:
// strings by indexOf, containers by counting brackets outside strings), generalized to any nesting chosen at run
// time instead of SARIF's fixed /runs/*/results/*. That splitter was left as it is: factoring this out of it would
// have changed its error pointers. A value may also be captured "unless large": when it grows past a threshold
// while still incomplete, the splitter rewinds to its start and descends into it instead, so one component with a
// million nested components still streams.
import { invalidField } from '../../core/errors.js';
import { ValueScanner, WS } from '../json-value-scan.js';

export interface SplitFrame<R> {
  readonly role: R;
  /** JSON Pointer of this container ('' for the root). */
  readonly pointer: string;
  readonly isArray: boolean;
  /** The current member's key (objects). */
  key: string;
  /** The current item's index (arrays); -1 before the first. */
  index: number;
}

export type SplitPlan<R> =
  | { readonly kind: 'capture' }
  | { readonly kind: 'skip' }
  | { readonly kind: 'descend'; readonly role: R; /** Capture, unless the value's text grows past this many characters. */ readonly above?: number };

export const capture = { kind: 'capture' } as const;
export const skip = { kind: 'skip' } as const;

export interface SplitHandler<R> {
  /**
   * A value starts (first character code `c`) in `parent` (null: the root). Descending is honoured only for an
   * object or array; otherwise the value is captured.
   */
  plan(parent: SplitFrame<R> | null, c: number): SplitPlan<R>;
  open(frame: SplitFrame<R>): void;
  /** A captured value of `parent` (its key or index is parent.key / parent.index); null parent: the root. */
  value(parent: SplitFrame<R> | null, text: string): void;
  close(frame: SplitFrame<R>): void;
}

const enum Expect { KeyOrClose, Key, Colon, Value, CommaOrClose, ValueOrClose, Done }


/** JSON Pointer escaping of one reference token. */
export function pointerToken(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

export class JsonSplitter<R> {
  private buf = '';
  private pos = 0;
  private readonly stack: SplitFrame<R>[] = [];
  private expect = Expect.Value;
  // the raw value in progress
  private inRaw = false;
  private readonly raw = new ValueScanner();
  private rawStart = 0;
  private rawCapture = false;
  private rawIsKey = false;
  private rawRole: R | undefined = undefined;
  private rawAbove = 0;

  constructor(private readonly handler: SplitHandler<R>) {}

  /** The pointer of what is being read, for errors. */
  where(): string {
    const top = this.stack[this.stack.length - 1];
    if (!top) return '/';
    const child = top.isArray ? String(top.index) : pointerToken(top.key);
    if (this.inRaw && !this.rawIsKey) return `${top.pointer}/${child}`;
    if (top.isArray) return this.expect === Expect.Value ? `${top.pointer}/${top.index + 1}` : top.pointer || '/';
    if (this.expect === Expect.Value || this.expect === Expect.Colon) return `${top.pointer}/${child}`;
    return top.pointer || '/';
  }

  private fail(message: string): never {
    throw invalidField(this.where(), message);
  }

  private unexpected(c: number): never {
    this.fail(`malformed JSON: unexpected ${JSON.stringify(String.fromCharCode(c))}`);
  }

  push(text: string): void {
    if (this.inRaw && (this.rawCapture || this.rawAbove > 0)) {
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
    if (this.inRaw && this.raw.openScalar) this.finishRaw(this.buf.length);
    if (this.expect === Expect.Value && this.stack.length === 0 && !this.inRaw) this.fail('the document is empty');
    const len = this.buf.length;
    for (let p = this.pos; p < len; p++) {
      const c = this.buf.charCodeAt(p);
      if (c >= 128 || !WS[c]) {
        if (this.expect === Expect.Done) this.unexpected(c);
        break;
      }
    }
    if (this.expect !== Expect.Done || this.inRaw) this.fail('the document ends before this value is complete (truncated?)');
  }

  private run(): void {
    const buf = this.buf;
    const len = buf.length;
    while (this.pos < len) {
      if (this.inRaw) {
        if (!this.scanRaw()) {
          if (this.rawAbove > 0 && this.inRaw && len - this.rawStart > this.rawAbove) this.rewind();
          else return;
        }
        continue;
      }
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
    const expect = this.expect;
    switch (expect) {
      case Expect.Done:
        return this.unexpected(c);
      case Expect.Value:
      case Expect.ValueOrClose:
        if (expect === Expect.ValueOrClose && c === 0x5d /* ] */) return this.close();
        return this.value(c);
      case Expect.KeyOrClose:
      case Expect.Key:
        if (c === 0x7d /* } */ && expect === Expect.KeyOrClose) return this.close();
        if (c !== 0x22 /* " */) this.unexpected(c);
        return this.startRaw(true, true, undefined, 0);
      case Expect.Colon:
        if (c !== 0x3a /* : */) this.unexpected(c);
        this.pos++;
        this.expect = Expect.Value;
        return;
      case Expect.CommaOrClose: {
        const top = this.stack[this.stack.length - 1] as SplitFrame<R>;
        if (c === 0x2c /* , */) {
          this.pos++;
          this.expect = top.isArray ? Expect.Value : Expect.Key;
          return;
        }
        if (c !== (top.isArray ? 0x5d : 0x7d)) this.unexpected(c);
        return this.close();
      }
    }
  }

  private value(c: number): void {
    const parent = this.stack[this.stack.length - 1] ?? null;
    if (parent?.isArray) parent.index++;
    const plan = this.handler.plan(parent, c);
    const container = c === 0x7b /* { */ || c === 0x5b; /* [ */
    if (plan.kind === 'descend' && container) {
      if (plan.above && plan.above > 0) return this.startRaw(true, false, plan.role, plan.above);
      return this.open(plan.role, c);
    }
    this.startRaw(plan.kind === 'capture', false, undefined, 0);
  }

  private open(role: R, c: number): void {
    this.pos++;
    const parent = this.stack[this.stack.length - 1];
    const pointer = parent ? `${parent.pointer}/${parent.isArray ? parent.index : pointerToken(parent.key)}` : '';
    const frame: SplitFrame<R> = { role, pointer, isArray: c === 0x5b, key: '', index: -1 };
    this.stack.push(frame);
    this.expect = frame.isArray ? Expect.ValueOrClose : Expect.KeyOrClose;
    this.handler.open(frame);
  }

  private close(): void {
    this.pos++;
    const frame = this.stack.pop() as SplitFrame<R>;
    this.expect = this.stack.length > 0 ? Expect.CommaOrClose : Expect.Done;
    this.handler.close(frame);
  }

  /** A value captured "unless large" has grown too large: read it again from its start, descending. */
  private rewind(): void {
    this.inRaw = false;
    this.pos = this.rawStart;
    this.rawAbove = 0;
    this.open(this.rawRole as R, this.buf.charCodeAt(this.pos));
  }

  private startRaw(capture: boolean, isKey: boolean, role: R | undefined, above: number): void {
    const c = this.buf.charCodeAt(this.pos);
    this.inRaw = true;
    this.rawStart = this.pos;
    this.rawCapture = capture || isKey;
    this.rawIsKey = isKey;
    this.rawRole = role;
    this.rawAbove = above;
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
    const top = this.stack[this.stack.length - 1] ?? null;
    if (this.rawIsKey) {
      const text = this.buf.slice(this.rawStart + 1, end - 1);
      (top as SplitFrame<R>).key = text.includes('\\') ? parseKey(`"${text}"`, this.where()) : text;
      this.expect = Expect.Colon;
      return;
    }
    this.expect = top ? Expect.CommaOrClose : Expect.Done;
    if (this.rawCapture || this.rawAbove > 0) this.handler.value(top, this.buf.slice(this.rawStart, end));
  }
}

function parseKey(text: string, at: string): string {
  try {
    return JSON.parse(text) as string;
  } catch (err) {
    throw invalidField(at, `malformed JSON: ${(err as Error).message}`);
  }
}

/** Feeds decoded text to the splitter, yielding after each piece so the caller can drain what it produced. */
export async function* feed(source: AsyncIterable<Uint8Array | string>, splitter: { push(t: string): void; end(): void; where(): string }): AsyncGenerator<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw invalidField(splitter.where(), 'the document is not valid UTF-8');
      }
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
