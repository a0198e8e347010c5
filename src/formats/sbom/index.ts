// SBOM ingest: CycloneDX 1.4–1.6 JSON or SPDX 2.3 JSON, detected from the document, streamed into batches of
// components keyed by package URL, each validated against the official schema on the way.
//
// Streaming: the root object is split (json-split.ts) so that its big arrays — `components` (CycloneDX, with the
// nested `components` of components), `packages` (SPDX), and `dependencies`, `relationships`, `files` … — are read
// one item at a time and never held whole. Each item is validated against its schema definition as it comes; the
// rest of the document (the "header") is validated when the document ends. A malformed, truncated or invalid
// document makes the generator throw, possibly after some batches went out: the caller writes batches inside one
// transaction and rolls it back on a throw, so nothing is half-ingested. The last batch is only yielded once the
// whole document has been checked.
//
// Items need the format (and version) to be validated. Generators write `bomFormat`/`specVersion`/`spdxVersion`
// first; if a document's items come before them, up to `pendingLimit` characters of items are held back, and past
// that the document is read twice when `reopen` is given (a first pass for the root members only), else refused.
// The generator named in `metadata.tools` / `creationInfo.creators` is an ecosystem hint (purl-derive.ts) for the
// components read after it, which is all of them in the order generators write.
import { invalidField } from '../../core/errors.js';
import { collectCycloneDx, cycloneDxDocumentHint } from './cyclonedx.js';
import { detectSbomFormat, type SbomFormat } from './detect.js';
import { capture, feed, JsonSplitter, pointerToken, skip, type SplitFrame, type SplitHandler, type SplitPlan } from './json-split.js';
import { SbomTally, type SbomComponent, type SbomSummary } from './model.js';
import type { EcosystemHint } from './purl-derive.js';
import { bulkRootArrays, sbomValidators, schemaError, type SbomValidators } from './schemas.js';
import { spdxDocumentHint, spdxPackage } from './spdx.js';

export { detectSbomFormat, type SbomFormat } from './detect.js';
export type { SbomComponent, SbomSummary, UnidentifiedComponent } from './model.js';
export type { PurlSource } from './purl-derive.js';

export interface SbomStreamOptions {
  /** Components per yielded batch (default 2,000). */
  batchSize?: number;
  /** A fresh read of the same bytes, used only when items precede the format markers by more than `pendingLimit`. */
  reopen?: () => AsyncIterable<Uint8Array | string>;
  /** Characters of items held back while the format is unknown (default 16 Mi). */
  pendingLimit?: number;
  /** A component whose text exceeds this many characters is read member by member instead of parsed whole (default 1 Mi). */
  largeComponent?: number;
  /** Unidentified components and invalid purls listed in the summary (default 100 of each). */
  sampleLimit?: number;
  /** Called with the summary once the document has been read and checked (also the generator's return value). */
  onSummary?: (summary: SbomSummary) => void;
}

type Obj = Record<string, unknown>;

const enum RoleKind { Root, Bulk, Component, Nested }
interface Role {
  kind: RoleKind;
  /** For Bulk: the root member's name. */
  key: string;
}
const ROOT: Role = { kind: RoleKind.Root, key: '' };
const NESTED: Role = { kind: RoleKind.Nested, key: 'components' };
const COMPONENT: Role = { kind: RoleKind.Component, key: '' };

/** Thrown inside a pass when items pile up before the format is known and a second read is possible. */
class NeedsHeaderPass extends Error {}

function parseJson(text: string, at: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidField(at || '/', `malformed JSON: ${(err as Error).message}`);
  }
}

/** Sets a member as JSON.parse would: a `__proto__` key becomes an own member (which the schema then refuses). */
function setMember(o: Obj, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One read of the document: splits it, validates items and turns them into components in `out`. */
class SbomReader implements SplitHandler<Role> {
  readonly splitter = new JsonSplitter<Role>(this);
  readonly out: SbomComponent[] = [];
  readonly tally: SbomTally;
  /** Root members other than bulk arrays, parsed. */
  readonly root: Obj;
  /** Items read of each bulk root array. */
  readonly counts = new Map<string, number>();
  private format: SbomFormat | null;
  private validators: SbomValidators | null = null;
  private docHint: EcosystemHint | null | undefined = undefined;
  private pending: Array<() => void> = [];
  private pendingChars = 0;
  private readonly assemblies: Obj[] = [];
  private readonly bulkPlans = new Map<string, SplitPlan<Role>>();
  private readonly componentPlan: SplitPlan<Role>;
  private readonly nestedPlan: SplitPlan<Role> = { kind: 'descend', role: NESTED };

  constructor(
    private readonly opts: SbomStreamOptions,
    seed: { format: SbomFormat; root: Obj } | null,
    /** Header pass: root members only, bulk arrays skipped unread. */
    private readonly headerOnly = false,
  ) {
    this.tally = new SbomTally(opts.sampleLimit ?? 100);
    this.componentPlan = { kind: 'descend', role: COMPONENT, above: opts.largeComponent ?? 1 << 20 };
    this.format = seed?.format ?? null;
    this.root = seed ? { ...seed.root } : {};
    if (this.format) this.validators = sbomValidators(this.format);
  }

  // ---------- splitter events ----------

  plan(parent: SplitFrame<Role> | null, c: number): SplitPlan<Role> {
    if (!parent) return c === 0x7b ? { kind: 'descend', role: ROOT } : capture;
    switch (parent.role.kind) {
      case RoleKind.Root: {
        if (c !== 0x5b || !bulkRootArrays.has(parent.key)) return capture;
        if (this.headerOnly) return skip;
        let p = this.bulkPlans.get(parent.key);
        if (!p) this.bulkPlans.set(parent.key, (p = { kind: 'descend', role: { kind: RoleKind.Bulk, key: parent.key } }));
        return p;
      }
      case RoleKind.Bulk:
        return parent.role.key === 'components' && c === 0x7b ? this.componentPlan : capture;
      case RoleKind.Component:
        return parent.key === 'components' && c === 0x5b ? this.nestedPlan : capture;
      case RoleKind.Nested:
        return c === 0x7b ? this.componentPlan : capture;
    }
  }

  open(frame: SplitFrame<Role>): void {
    if (frame.role.kind === RoleKind.Component) this.assemblies.push({});
  }

  value(parent: SplitFrame<Role> | null, text: string): void {
    if (!parent) throw invalidField('/', 'an SBOM must be a JSON object (CycloneDX or SPDX JSON)');
    switch (parent.role.kind) {
      case RoleKind.Root: {
        const key = parent.key;
        setMember(this.root, key, parseJson(text, `/${pointerToken(key)}`));
        if (key === 'metadata' || key === 'creationInfo') this.docHint = undefined;
        if (!this.format && (key === 'bomFormat' || key === 'specVersion' || key === 'spdxVersion')) this.detect(false);
        return;
      }
      case RoleKind.Bulk: {
        const key = parent.role.key;
        const at = `${parent.pointer}/${parent.index}`;
        this.whenKnown(() => this.item(key, at, parseJson(text, at)), text.length);
        return;
      }
      case RoleKind.Component: {
        const at = `${parent.pointer}/${pointerToken(parent.key)}`;
        setMember(this.assemblies[this.assemblies.length - 1] as Obj, parent.key, parseJson(text, at));
        return;
      }
      case RoleKind.Nested: {
        const at = `${parent.pointer}/${parent.index}`;
        this.whenKnown(() => this.item('components', at, parseJson(text, at)), text.length);
        return;
      }
    }
  }

  close(frame: SplitFrame<Role>): void {
    if (frame.role.kind === RoleKind.Bulk) this.counts.set(frame.role.key, frame.index + 1);
    else if (frame.role.kind === RoleKind.Component) {
      // A large component read member by member; its nested components have been handled one by one.
      const assembled = this.assemblies.pop() as Obj;
      this.whenKnown(() => this.item('components', frame.pointer, assembled), 0);
    }
  }

  // ---------- format ----------

  private detect(complete: boolean): void {
    const format = detectSbomFormat(this.root, complete);
    if (!format) return;
    this.format = format;
    this.validators = sbomValidators(format);
    const pending = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    for (const fn of pending) fn();
  }

  private whenKnown(fn: () => void, chars: number): void {
    if (this.validators) return fn();
    this.pending.push(fn);
    this.pendingChars += chars;
    if (this.pendingChars > (this.opts.pendingLimit ?? 16 << 20)) {
      if (this.opts.reopen) throw new NeedsHeaderPass();
      throw invalidField('/', 'too many components come before bomFormat/specVersion (or spdxVersion) to read this SBOM in one pass; put them first, or upload it so that it can be read twice');
    }
  }

  private hint(): EcosystemHint | null {
    if (this.docHint === undefined) {
      this.docHint = this.format?.kind === 'spdx' ? spdxDocumentHint(this.root.creationInfo) : cycloneDxDocumentHint(this.root.metadata);
    }
    return this.docHint;
  }

  // ---------- items ----------

  /** One item of a bulk array (or a nested component), parsed: validate, and turn it into components if it is one. */
  private item(key: string, at: string, value: unknown): void {
    const v = this.validators as SbomValidators;
    const validate = v.item(key);
    if (validate && !validate(value)) throw schemaError(validate.errors, at, v.label);
    if (!validate || !isObj(value)) return; // not an array of this format: the header check names the member
    if (v.format.kind === 'cyclonedx') {
      if (key === 'components') collectCycloneDx(value, at, this.hint(), this.tally, this.out, at.lastIndexOf('/components/') > 0);
    } else if (key === 'packages') {
      const c = spdxPackage(value, at, this.hint(), this.tally);
      if (c) this.out.push(c);
    }
  }

  // ---------- the end ----------

  /** After the splitter ended: what a header pass learned. */
  headerSeed(): { format: SbomFormat; root: Obj } {
    if (!this.format) this.detect(true);
    return { format: this.format as SbomFormat, root: this.root };
  }

  /** After the splitter ended: the header checks, the CycloneDX subject, the summary. */
  finish(): SbomSummary {
    if (!this.format) this.detect(true);
    const v = this.validators as SbomValidators;
    const header: Obj = { ...this.root };
    for (const key of this.counts.keys()) header[key] = [];
    if (!v.header(header)) throw schemaError(v.header.errors, '', v.label);
    for (const [key, n] of this.counts) {
      if (!v.arrays.has(key)) continue;
      const { min, max } = v.limits(key);
      if (n < min) throw invalidField(`/${key}`, `needs at least ${min} items (${v.label} schema)`);
      if (n > max) throw invalidField(`/${key}`, `allows at most ${max} items (${v.label} schema)`);
    }
    let subject: SbomSummary['subject'] = null;
    let documentId: string | null = null;
    const format = v.format;
    if (format.kind === 'cyclonedx') {
      documentId = typeof this.root.serialNumber === 'string' ? this.root.serialNumber : null;
      const meta = this.root.metadata;
      if (isObj(meta) && isObj(meta.component)) {
        const mc = meta.component;
        const before = this.out.length;
        collectCycloneDx(mc, '/metadata/component', this.hint(), this.tally, this.out);
        const first = this.out[before];
        subject = { name: String(mc.name ?? ''), version: typeof mc.version === 'string' ? mc.version : null, purl: first?.pointer === '/metadata/component' ? first.purl : null };
      }
    } else {
      documentId = typeof this.root.documentNamespace === 'string' ? this.root.documentNamespace : null;
      subject = typeof this.root.name === 'string' ? { name: this.root.name, version: null, purl: null } : null;
    }
    const t = this.tally;
    return {
      format,
      documentId,
      subject,
      components: t.components,
      derived: t.derived,
      bySource: { ...t.bySource },
      nested: t.nested,
      unidentified: t.unidentified,
      unidentifiedSamples: t.unidentifiedSamples,
      invalidPurls: t.invalidPurls,
      invalidPurlSamples: t.invalidPurlSamples,
      arrays: Object.fromEntries(this.counts),
    };
  }
}

async function* readPass(reader: SbomReader, source: AsyncIterable<Uint8Array | string>, batchSize: number): AsyncGenerator<SbomComponent[]> {
  for await (const _ of feed(source, reader.splitter)) {
    void _;
    while (reader.out.length >= batchSize) yield reader.out.splice(0, batchSize);
  }
}

/**
 * Streams the components of a CycloneDX 1.4–1.6 or SPDX 2.3 JSON SBOM in batches; returns (and passes to
 * `onSummary`) the summary. Throws an invalid-field error naming the JSON Pointer of the first problem.
 */
export async function* streamSbom(source: AsyncIterable<Uint8Array | string>, opts: SbomStreamOptions = {}): AsyncGenerator<SbomComponent[], SbomSummary> {
  const batchSize = Math.max(1, opts.batchSize ?? 2000);
  let reader = new SbomReader(opts, null);
  try {
    yield* readPass(reader, source, batchSize);
  } catch (err) {
    if (!(err instanceof NeedsHeaderPass) || !opts.reopen) throw err;
    // Nothing was yielded: items were held back for want of the format. Read the root members first.
    const header = new SbomReader(opts, null, true);
    for await (const _ of feed(opts.reopen(), header.splitter)) void _;
    reader = new SbomReader(opts, header.headerSeed());
    yield* readPass(reader, opts.reopen(), batchSize);
  }
  const summary = reader.finish();
  while (reader.out.length > 0) yield reader.out.splice(0, batchSize);
  opts.onSummary?.(summary);
  return summary;
}

async function* single(piece: Uint8Array | string): AsyncGenerator<Uint8Array | string> {
  yield piece;
}

/** Reads a whole SBOM (text, bytes, a parsed document, or a byte stream) into memory: for small documents and tests. */
export async function readSbom(input: string | Uint8Array | AsyncIterable<Uint8Array | string> | Obj, opts: SbomStreamOptions = {}): Promise<{ components: SbomComponent[]; summary: SbomSummary }> {
  let source: AsyncIterable<Uint8Array | string>;
  if (typeof input === 'string' || input instanceof Uint8Array) source = single(input);
  else if (Symbol.asyncIterator in input) source = input as AsyncIterable<Uint8Array | string>;
  else source = single(JSON.stringify(input));
  const components: SbomComponent[] = [];
  const gen = streamSbom(source, opts);
  for (;;) {
    const r = await gen.next();
    if (r.done) return { components, summary: r.value };
    for (const c of r.value) components.push(c);
  }
}
