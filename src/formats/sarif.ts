// SARIF 2.1.0 (OASIS) → CodeFinding: every result of every run, normalized with its run's tool and rules.
// Hand-written checks instead of a schema validator: intake has to keep up with ≥ 200,000 results/s, and each
// check names the JSON Pointer of the first problem so a scanner can fix its output.
import { invalidField } from '../core/errors.js';
import type { CodeFinding, CodeLocation, ScannerInfo, Severity, TargetRef } from '../core/findings.js';

export interface SarifRunInfo {
  /** JSON Pointer of the run, e.g. `/runs/0`. */
  pointer: string;
  scanner: ScannerInfo;
  /** Rules known to the run (driver and extensions). */
  rules: number;
  /** Results in the run (the number of findings it produced). */
  results: number;
  /** From `versionControlProvenance`, when the log names what was scanned. */
  target: TargetRef | null;
  commit: string | null;
}

export interface SarifParse {
  runs: SarifRunInfo[];
  findings: CodeFinding[];
}

export interface SarifOptions {
  /** Prefix for every pointer, when the log sits inside a larger document (e.g. `/sarif`). */
  pointerBase?: string;
}

type Obj = Record<string, unknown>;
type Level = 'none' | 'note' | 'warning' | 'error';

interface RuleInfo {
  id: string | null;
  name: string | null;
  /** One line of shortDescription. */
  title: string | null;
  fullDescription: string | null;
  cwes: number[];
  securitySeverity: Severity | null;
  level: Level | null;
  messageStrings: Obj | null;
}

interface ComponentInfo {
  name: string;
  guid: string | null;
  pointer: string;
  rules: RuleInfo[];
  globalMessageStrings: Obj | null;
}

interface TaxonomyInfo {
  isCwe: boolean;
  guid: string | null;
  taxa: unknown[] | null;
}

/** Everything about a run that its results need; built once per run (and by the streaming reader from its first pass). */
export interface SarifRunContext {
  pointer: string;
  scanner: ScannerInfo;
  target: TargetRef | null;
  commit: string | null;
  driver: ComponentInfo;
  extensions: ComponentInfo[];
  ruleCount: number;
  taxonomies: TaxonomyInfo[];
  ruleById: Map<string, RuleInfo> | null;
  /** uriBaseId → repository-relative prefix ('' for a root), resolved on first use. */
  basePrefix: Map<string, string>;
  /** Absolute URIs of root bases, stripped from absolute artifact URIs. */
  rootUris: string[];
  originalUriBaseIds: Obj | null;
  /** uriBaseId ('' for none) → uri → normalized path. */
  pathCache: Map<string, Map<string, string | null>>;
  artifacts: unknown[] | null;
  logicalLocations: unknown[] | null;
}

const levels: ReadonlySet<string> = new Set(['none', 'note', 'warning', 'error']);
const resultKinds: ReadonlySet<string> = new Set(['notApplicable', 'pass', 'fail', 'review', 'open', 'informational']);
const suppressionKinds: ReadonlySet<string> = new Set(['inSource', 'external']);
const suppressionStatuses: ReadonlySet<string> = new Set(['accepted', 'underReview', 'rejected']);
/** Logical-location kinds that name code a finding can sit in. */
const functionKinds: ReadonlySet<string> = new Set(['function', 'member', 'method']);
const levelSeverity: Record<Level, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'none' };
const EMPTY: readonly never[] = Object.freeze([]);

// ---------- small checks; each throws with the pointer of the value at fault ----------

/** RFC 6901 escaping of one reference token. */
export function pointerToken(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Each check takes the parent's pointer and the member's key separately, and joins them only to report an
// error: building a pointer string for every field read would cost more than the checks themselves.

function ptr(at: string, key: string | undefined, sub?: string): string {
  if (key === undefined) return at;
  return sub === undefined ? `${at}/${key}` : `${at}/${key}/${sub}`;
}

function obj(v: unknown, at: string, key?: string, sub?: string): Obj {
  if (!isObj(v)) throw invalidField(ptr(at, key, sub), 'must be a JSON object');
  return v;
}

function optObj(v: unknown, at: string, key?: string, sub?: string): Obj | null {
  if (v === undefined) return null;
  if (!isObj(v)) throw invalidField(ptr(at, key, sub), 'must be a JSON object');
  return v;
}

function optArr(v: unknown, at: string, key?: string, sub?: string): unknown[] | null {
  if (v === undefined) return null;
  if (!Array.isArray(v)) throw invalidField(ptr(at, key, sub), 'must be an array');
  return v;
}

function optStr(v: unknown, at: string, key?: string, sub?: string): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string') throw invalidField(ptr(at, key, sub), 'must be a string');
  return v;
}

/** SARIF indexes are integers ≥ -1, -1 meaning "not given". */
function optIndex(v: unknown, at: string, key?: string, sub?: string): number {
  if (v === undefined) return -1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -1) throw invalidField(ptr(at, key, sub), 'must be an integer ≥ -1');
  return v;
}

function optPositive(v: unknown, at: string, key?: string, sub?: string): number | null {
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalidField(ptr(at, key, sub), 'must be an integer ≥ 1');
  return v;
}

function optLevel(v: unknown, at: string, key?: string, sub?: string): Level | null {
  if (v === undefined) return null;
  if (typeof v !== 'string' || !levels.has(v)) throw invalidField(ptr(at, key, sub), 'must be one of none, note, warning, error');
  return v as Level;
}

/** A multiformatMessageString: `{ text, markdown? }`. */
function msgString(v: unknown, at: string, key?: string): string {
  const o = obj(v, at, key);
  if (typeof o.text !== 'string') throw invalidField(`${ptr(at, key)}/text`, 'must be a string');
  return o.text;
}

function optMsgString(v: unknown, at: string, key?: string): string | null {
  return v === undefined ? null : msgString(v, at, key);
}

function messageStrings(v: unknown, at: string, key?: string): Obj | null {
  const o = optObj(v, at, key);
  if (o) for (const k in o) msgString(o[k], ptr(at, key), pointerToken(k));
  return o;
}

function stringMap(v: unknown, at: string, key: string, into: Record<string, string>): void {
  const o = optObj(v, at, key);
  if (!o) return;
  for (const k in o) {
    const s = o[k];
    if (typeof s !== 'string') throw invalidField(`${at}/${key}/${pointerToken(k)}`, 'must be a string');
    into[k] = s;
  }
}

// ---------- text helpers ----------

/** First non-empty line, trimmed and capped: titles are one line. */
export function oneLine(text: string, max = 300): string {
  let s = text;
  const nl = s.indexOf('\n');
  if (nl >= 0 || s.charCodeAt(0) <= 32) {
    const lines = s.split(/\r?\n/);
    s = lines.find((l) => l.trim() !== '') ?? '';
  }
  s = s.trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const placeholder = /\{\{|\}\}|\{(\d+)\}/g;

/** SARIF §3.11.5: `{n}` is argument n; `{{` and `}}` are literal braces. */
function substitute(text: string, args: unknown[] | null): string {
  if (!text.includes('{') && !text.includes('}')) return text;
  return text.replace(placeholder, (m, n: string | undefined) => {
    if (n === undefined) return m[0] as string;
    const a = args?.[Number(n)];
    return typeof a === 'string' ? a : m;
  });
}

// ---------- CWE and severity ----------

const cweTag = /^(?:external\/cwe\/)?cwe[-_: ]?0*([1-9]\d{0,5})(?!\d)/i;
const cweAnywhere = /\bCWE[-_: ]?0*([1-9]\d{0,5})(?!\d)/gi;

function cweFromTag(tag: string, into: number[]): void {
  const m = cweTag.exec(tag);
  if (m) into.push(Number(m[1]));
}

/** Free-form property values (`"cwe": "CWE-327: Use of …"`, numbers, lists). */
function cweFromLoose(v: unknown, into: number[]): void {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v > 0) into.push(v);
  } else if (typeof v === 'string') {
    if (/^\d+$/.test(v.trim())) into.push(Number(v));
    else for (const m of v.matchAll(cweAnywhere)) into.push(Number(m[1]));
  } else if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'string' || typeof x === 'number') cweFromLoose(x, into);
  }
}

/** `properties.tags` (strings only, per the schema) and `cwe`-named members, from a rule's or a result's property bag. */
function cweFromProperties(props: Obj | null, at: string, into: number[]): void {
  if (!props) return;
  const tags = props.tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags)) throw invalidField(`${at}/tags`, 'must be an array of strings');
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      if (typeof t !== 'string') throw invalidField(`${at}/tags/${i}`, 'must be a string');
      cweFromTag(t, into);
    }
  }
  if (props.cwe !== undefined) cweFromLoose(props.cwe, into);
  if (props.cwes !== undefined) cweFromLoose(props.cwes, into);
  if (props.CWE !== undefined) cweFromLoose(props.CWE, into);
}

function taxonIsCwe(ref: Obj, taxonomies: TaxonomyInfo[]): TaxonomyInfo | true | null {
  const tc = ref.toolComponent;
  if (isObj(tc)) {
    if (typeof tc.name === 'string' && /^cwe$/i.test(tc.name)) return taxonomyByGuid(taxonomies, tc.guid) ?? taxonomies.find((t) => t.isCwe) ?? true;
    if (typeof tc.index === 'number' && tc.index >= 0) {
      const t = taxonomies[tc.index];
      return t && t.isCwe ? t : null;
    }
    const byGuid = taxonomyByGuid(taxonomies, tc.guid);
    return byGuid && byGuid.isCwe ? byGuid : null;
  }
  return null;
}

function taxonomyByGuid(taxonomies: TaxonomyInfo[], guid: unknown): TaxonomyInfo | null {
  if (typeof guid !== 'string') return null;
  const g = guid.toLowerCase();
  return taxonomies.find((t) => t.guid === g) ?? null;
}

/** A reportingDescriptorReference (`taxa[]`, `relationships[].target`) that points at a CWE. */
function cweFromReference(v: unknown, at: string, taxonomies: TaxonomyInfo[], into: number[]): void {
  const ref = obj(v, at);
  const id = optStr(ref.id, at, 'id');
  const index = optIndex(ref.index, at, 'index');
  if (ref.toolComponent !== undefined) {
    const tc = obj(ref.toolComponent, at, 'toolComponent');
    optStr(tc.name, at, 'toolComponent/name');
    optIndex(tc.index, at, 'toolComponent/index');
  }
  if (id !== null && /^cwe-/i.test(id)) return cweFromTag(id, into);
  const tax = taxonIsCwe(ref, taxonomies);
  if (!tax) return;
  if (id !== null) {
    if (/^\d+$/.test(id)) into.push(Number(id));
    return;
  }
  if (index >= 0 && tax !== true) {
    const taxon = tax.taxa?.[index];
    if (isObj(taxon) && typeof taxon.id === 'string') {
      if (/^\d+$/.test(taxon.id)) into.push(Number(taxon.id));
      else cweFromTag(taxon.id, into);
    }
  }
}

function sortedUnique(list: number[]): number[] {
  if (list.length < 2) return list;
  list.sort((a, b) => a - b);
  let w = 1;
  for (let r = 1; r < list.length; r++) if (list[r] !== list[w - 1]) list[w++] = list[r] as number;
  list.length = w;
  return list;
}

/** CVSS-style qualitative rating of a 0–10 score (CodeQL's `security-severity`). */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

const severityWords: Record<string, Severity> = {
  critical: 'critical', high: 'high', important: 'high', medium: 'medium', moderate: 'medium',
  low: 'low', minor: 'low', none: 'none', info: 'none', informational: 'none',
};

/** `security-severity` is a number, a numeric string (CodeQL) or, from some tools, a word (Semgrep's "MEDIUM"). */
function securitySeverity(props: Obj | null): Severity | null {
  const v = props?.['security-severity'];
  if (typeof v === 'number') return v >= 0 && v <= 10 ? severityFromScore(v) : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return n <= 10 ? severityFromScore(n) : null;
  }
  return severityWords[s.toLowerCase()] ?? null;
}

// ---------- runs ----------

function ruleInfo(v: unknown, at: string, taxonomies: TaxonomyInfo[]): RuleInfo {
  const r = obj(v, at);
  const id = optStr(r.id, at, 'id');
  if (id === null) throw invalidField(`${at}/id`, 'a rule (reportingDescriptor) needs a string id');
  const name = optStr(r.name, at, 'name');
  const short = optMsgString(r.shortDescription, at, 'shortDescription');
  const full = optMsgString(r.fullDescription, at, 'fullDescription');
  const strings = messageStrings(r.messageStrings, at, 'messageStrings');
  let level: Level | null = null;
  const dc = optObj(r.defaultConfiguration, at, 'defaultConfiguration');
  if (dc) level = optLevel(dc.level, at, 'defaultConfiguration/level');
  const props = optObj(r.properties, at, 'properties');
  const cwes: number[] = [];
  cweFromProperties(props, `${at}/properties`, cwes);
  const rel = optArr(r.relationships, at, 'relationships');
  if (rel) {
    for (let i = 0; i < rel.length; i++) {
      const ra = `${at}/relationships/${i}`;
      const rr = obj(rel[i], ra);
      cweFromReference(rr.target, `${ra}/target`, taxonomies, cwes);
    }
  }
  return {
    id,
    name,
    title: short !== null && short.trim() !== '' ? oneLine(short) : null,
    fullDescription: full,
    cwes: sortedUnique(cwes),
    securitySeverity: securitySeverity(props),
    level,
    messageStrings: strings,
  };
}

function component(v: unknown, at: string, taxonomies: TaxonomyInfo[]): ComponentInfo {
  const c = obj(v, at);
  const name = optStr(c.name, at, 'name');
  if (name === null) throw invalidField(`${at}/name`, 'a tool component needs a string name');
  const rulesRaw = optArr(c.rules, at, 'rules');
  const rules: RuleInfo[] = [];
  if (rulesRaw) for (let i = 0; i < rulesRaw.length; i++) rules.push(ruleInfo(rulesRaw[i], `${at}/rules/${i}`, taxonomies));
  const guid = optStr(c.guid, at, 'guid');
  return { name, guid: guid?.toLowerCase() ?? null, pointer: at, rules, globalMessageStrings: messageStrings(c.globalMessageStrings, at, 'globalMessageStrings') };
}

function firstVcs(run: Obj, at: string): { repo: string | null; commit: string | null; rootBase: string | null } {
  const list = optArr(run.versionControlProvenance, at, 'versionControlProvenance');
  const first = list?.[0];
  if (first === undefined) return { repo: null, commit: null, rootBase: null };
  const va = `${at}/versionControlProvenance/0`;
  const v = obj(first, va);
  const repo = optStr(v.repositoryUri, va, 'repositoryUri');
  const commit = optStr(v.revisionId, va, 'revisionId');
  const mapped = optObj(v.mappedTo, va, 'mappedTo');
  const rootBase = mapped ? optStr(mapped.uriBaseId, va, 'mappedTo/uriBaseId') : null;
  return { repo: repo === '' ? null : repo, commit: commit === '' ? null : commit, rootBase };
}

/** Checks a run's members other than `results` and prepares what its results need. `run.results` is not read. */
export function prepareSarifRun(runValue: unknown, at: string): SarifRunContext {
  const run = obj(runValue, at);
  const tool = obj(run.tool, at, 'tool');
  const taxRaw = optArr(run.taxonomies, at, 'taxonomies');
  const taxonomies: TaxonomyInfo[] = [];
  if (taxRaw) {
    for (let i = 0; i < taxRaw.length; i++) {
      const ta = `${at}/taxonomies/${i}`;
      const t = obj(taxRaw[i], ta);
      const name = optStr(t.name, ta, 'name');
      if (name === null) throw invalidField(`${ta}/name`, 'a taxonomy needs a string name');
      const guid = optStr(t.guid, ta, 'guid');
      taxonomies.push({ isCwe: /\bCWE\b/i.test(name), guid: guid?.toLowerCase() ?? null, taxa: optArr(t.taxa, ta, 'taxa') });
    }
  }
  const driver = component(tool.driver, `${at}/tool/driver`, taxonomies);
  const extRaw = optArr(tool.extensions, at, 'tool/extensions');
  const extensions: ComponentInfo[] = [];
  if (extRaw) for (let i = 0; i < extRaw.length; i++) extensions.push(component(extRaw[i], `${at}/tool/extensions/${i}`, taxonomies));
  const d = tool.driver as Obj;
  const semver = optStr(d.semanticVersion, at, 'tool/driver/semanticVersion');
  const version = optStr(d.version, at, 'tool/driver/version');
  const scanner: ScannerInfo = Object.freeze({ name: driver.name, version: semver || version || null, model: null });
  const vcs = firstVcs(run, at);
  const target: TargetRef | null = vcs.repo ? Object.freeze({ purl: null, repo: vcs.repo }) : null;
  const originalUriBaseIds = optObj(run.originalUriBaseIds, at, 'originalUriBaseIds');
  const ctx: SarifRunContext = {
    pointer: at,
    scanner,
    target,
    commit: vcs.commit,
    driver,
    extensions,
    ruleCount: driver.rules.length + extensions.reduce((n, e) => n + e.rules.length, 0),
    taxonomies,
    ruleById: null,
    basePrefix: new Map(),
    rootUris: [],
    originalUriBaseIds,
    pathCache: new Map(),
    artifacts: optArr(run.artifacts, at, 'artifacts'),
    logicalLocations: optArr(run.logicalLocations, at, 'logicalLocations'),
  };
  // The base the VCS maps to is the repository root, whatever its URI.
  if (vcs.rootBase !== null) {
    ctx.basePrefix.set(vcs.rootBase, '');
    const root = originalUriBaseIds?.[vcs.rootBase];
    const abs = isObj(root) && typeof root.uri === 'string' && isAbsoluteUri(root.uri.trim()) ? fileUriPath(root.uri.trim()) : null;
    if (abs) ctx.rootUris.push(abs.endsWith('/') ? abs : `${abs}/`);
  }
  if (originalUriBaseIds) {
    for (const k in originalUriBaseIds) {
      const ba = `${at}/originalUriBaseIds/${pointerToken(k)}`;
      const b = obj(originalUriBaseIds[k], ba);
      optStr(b.uri, ba, 'uri');
      optStr(b.uriBaseId, ba, 'uriBaseId');
    }
    for (const k in originalUriBaseIds) resolveBase(ctx, k, 0);
  }
  return ctx;
}

export function sarifRunInfo(ctx: SarifRunContext, results: number): SarifRunInfo {
  return { pointer: ctx.pointer, scanner: ctx.scanner, rules: ctx.ruleCount, results, target: ctx.target, commit: ctx.commit };
}

// ---------- paths ----------

const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]+:/;

function isAbsoluteUri(u: string): boolean {
  return u.startsWith('/') || u.startsWith('\\') || hasScheme.test(u);
}

/** The repository-relative prefix of a uriBaseId: relative bases chain up to a root (absolute, unknown, or the VCS root). */
function resolveBase(ctx: SarifRunContext, id: string, depth: number): string {
  const known = ctx.basePrefix.get(id);
  if (known !== undefined) return known;
  let prefix = '';
  const node = ctx.originalUriBaseIds?.[id];
  if (isObj(node) && depth < 16) {
    const uri = typeof node.uri === 'string' ? node.uri.trim() : '';
    const parent = typeof node.uriBaseId === 'string' ? node.uriBaseId : null;
    if (uri !== '' && isAbsoluteUri(uri)) {
      const abs = fileUriPath(uri);
      if (abs !== null && abs !== '') ctx.rootUris.push(abs.endsWith('/') ? abs : `${abs}/`);
    } else {
      const rel = normalizePath(uri);
      prefix = (parent !== null ? resolveBase(ctx, parent, depth + 1) : '') + (rel === '' ? '' : `${rel}/`);
    }
  }
  ctx.basePrefix.set(id, prefix);
  return prefix;
}

/** `file://host/p` → `/p`, `file:///C:/x` → `C:/x`; other schemes → null (not a path in the repository). */
function fileUriPath(uri: string): string | null {
  let u = uri;
  if (/^file:/i.test(u)) {
    u = u.slice(5);
    if (u.startsWith('//')) {
      const slash = u.indexOf('/', 2);
      u = slash < 0 ? '' : u.slice(slash);
    }
    if (/^\/[A-Za-z]:/.test(u)) u = u.slice(1);
  } else if (hasScheme.test(u) && !/^[A-Za-z]:[\\/]/.test(u)) {
    return null;
  }
  if (u.includes('%')) {
    try {
      u = decodeURIComponent(u);
    } catch {
      /* keep it as written */
    }
  }
  return u.replace(/\\/g, '/');
}

/** Resolves `.`, `..` and repeated `/`; no leading `/`. */
function normalizePath(p: string): string {
  if (!p.includes('./') && !p.includes('//') && !p.startsWith('/') && !p.endsWith('/') && !p.endsWith('/.') && p !== '.' && p !== '..') return p;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.join('/');
}

/** An artifact URI as a `/`-separated path relative to the repository root. */
function repoPath(ctx: SarifRunContext, uri: string, baseId: string | null): string | null {
  const key = baseId ?? '';
  let cache = ctx.pathCache.get(key);
  if (!cache) {
    cache = new Map();
    ctx.pathCache.set(key, cache);
  }
  const hit = cache.get(uri);
  if (hit !== undefined) return hit;
  let path: string | null;
  if (isAbsoluteUri(uri)) {
    let abs = fileUriPath(uri);
    if (abs !== null) {
      for (const root of ctx.rootUris) {
        if (abs.startsWith(root)) {
          abs = abs.slice(root.length);
          break;
        }
      }
      path = normalizePath(abs);
    } else {
      path = uri;
    }
  } else {
    let rel = uri;
    if (rel.includes('%')) {
      try {
        rel = decodeURIComponent(rel);
      } catch {
        /* keep it as written */
      }
    }
    if (rel.includes('\\')) rel = rel.replace(/\\/g, '/');
    const prefix = baseId === null ? '' : resolveBase(ctx, baseId, 0);
    path = normalizePath(prefix + rel);
  }
  if (path === '') path = null;
  if (cache.size < 100_000) cache.set(uri, path);
  return path;
}

// ---------- results ----------

function findRule(ctx: SarifRunContext, id: string): RuleInfo | undefined {
  if (!ctx.ruleById) {
    const m = new Map<string, RuleInfo>();
    for (const comp of [ctx.driver, ...ctx.extensions]) for (const r of comp.rules) if (r.id !== null && !m.has(r.id)) m.set(r.id, r);
    ctx.ruleById = m;
  }
  const hit = ctx.ruleById.get(id);
  if (hit !== undefined) return hit;
  // SARIF §3.27.5: a hierarchical ruleId ("C2001/sub") belongs to the rule named by its first component.
  const slash = id.indexOf('/');
  return slash > 0 ? ctx.ruleById.get(id.slice(0, slash)) : undefined;
}

function componentFor(ctx: SarifRunContext, ref: Obj, at: string): ComponentInfo {
  const tc = optObj(ref.toolComponent, at, 'toolComponent');
  if (!tc) return ctx.driver;
  const index = optIndex(tc.index, at, 'toolComponent/index');
  if (index >= 0) {
    const ext = ctx.extensions[index];
    if (!ext) throw invalidField(`${at}/toolComponent/index`, `no tool extension at index ${index}`);
    return ext;
  }
  const name = optStr(tc.name, at, 'toolComponent/name');
  const guid = optStr(tc.guid, at, 'toolComponent/guid')?.toLowerCase() ?? null;
  for (const c of [ctx.driver, ...ctx.extensions]) if ((guid !== null && c.guid === guid) || (guid === null && c.name === name)) return c;
  return ctx.driver;
}

function ruleAt(comp: ComponentInfo, index: number, at: string, key: string): RuleInfo {
  const r = comp.rules[index];
  if (!r) throw invalidField(`${at}/${key}`, `no rule at index ${index} in ${comp.pointer}/rules`);
  return r;
}

/** Pointer pieces below a result, per location index: made once, so reading a location allocates no strings. */
interface LocationKeys {
  loc: string;
  physical: string;
  artifact: string;
  region: string;
  context: string;
  logical: string;
  logicalItems: string[];
}
const locationKeys: LocationKeys[] = [];

function keysFor(k: number): LocationKeys {
  const hit = locationKeys[k];
  if (hit) return hit;
  const loc = `locations/${k}`;
  const keys: LocationKeys = {
    loc,
    physical: `${loc}/physicalLocation`,
    artifact: `${loc}/physicalLocation/artifactLocation`,
    region: `${loc}/physicalLocation/region`,
    context: `${loc}/physicalLocation/contextRegion`,
    logical: `${loc}/logicalLocations`,
    logicalItems: [],
  };
  if (k < 256) locationKeys[k] = keys;
  return keys;
}

function logicalKey(keys: LocationKeys, i: number): string {
  return (keys.logicalItems[i] ??= `${keys.logical}/${i}`);
}

/** The function named by a location's logical locations (directly, or through `index` into the run's list). */
function functionName(ctx: SarifRunContext, lls: unknown[], at: string, keys: LocationKeys): string | null {
  for (let i = 0; i < lls.length; i++) {
    const lk = logicalKey(keys, i);
    const ll = obj(lls[i], at, lk);
    let kind = optStr(ll.kind, at, lk, 'kind');
    let fqn = optStr(ll.fullyQualifiedName, at, lk, 'fullyQualifiedName');
    let name = optStr(ll.name, at, lk, 'name');
    const index = optIndex(ll.index, at, lk, 'index');
    if (index >= 0 && ctx.logicalLocations) {
      const ref = ctx.logicalLocations[index];
      if (isObj(ref)) {
        if (kind === null && typeof ref.kind === 'string') kind = ref.kind;
        if (fqn === null && typeof ref.fullyQualifiedName === 'string') fqn = ref.fullyQualifiedName;
        if (name === null && typeof ref.name === 'string') name = ref.name;
      }
    }
    if (kind !== null && !functionKinds.has(kind)) continue;
    const f = fqn ?? name;
    if (f !== null && f !== '') return f;
  }
  return null;
}

function region(v: unknown, at: string, key: string): Obj | null {
  const r = optObj(v, at, key);
  if (!r) return null;
  optPositive(r.startLine, at, key, 'startLine');
  optPositive(r.startColumn, at, key, 'startColumn');
  optPositive(r.endLine, at, key, 'endLine');
  optPositive(r.endColumn, at, key, 'endColumn');
  if (r.snippet !== undefined) {
    const s = obj(r.snippet, at, key, 'snippet');
    optStr(s.text, at, key, 'snippet/text');
  }
  return r;
}

function artifactLocation(ctx: SarifRunContext, v: unknown, at: string, key: string): string | null {
  const al = optObj(v, at, key);
  if (!al) return null;
  let uri = optStr(al.uri, at, key, 'uri');
  let base = optStr(al.uriBaseId, at, key, 'uriBaseId');
  const index = optIndex(al.index, at, key, 'index');
  if (uri === null && index >= 0) {
    // Only the index is given: the URI is in run.artifacts[index].location.
    const art = ctx.artifacts?.[index];
    const loc = isObj(art) && isObj(art.location) ? art.location : null;
    if (loc && typeof loc.uri === 'string') {
      uri = loc.uri;
      base = typeof loc.uriBaseId === 'string' ? loc.uriBaseId : null;
    }
  }
  return uri === null ? null : repoPath(ctx, uri, base);
}

/** `at` is the result's pointer. */
function location(ctx: SarifRunContext, locs: unknown[], at: string): CodeLocation | null {
  // The first location that has a physical location; otherwise the first one (which may name only a function).
  let k = 0;
  for (let i = 0; i < locs.length; i++) {
    const l = obj(locs[i], at, keysFor(i).loc);
    if (l.physicalLocation !== undefined) {
      k = i;
      break;
    }
  }
  const keys = keysFor(k);
  const l = locs[k] as Obj;
  let path: string | null = null;
  let startLine: number | null = null;
  let endLine: number | null = null;
  let startColumn: number | null = null;
  let endColumn: number | null = null;
  let snippet: string | null = null;
  const pl = optObj(l.physicalLocation, at, keys.physical);
  if (pl) {
    path = artifactLocation(ctx, pl.artifactLocation, at, keys.artifact);
    const r = region(pl.region, at, keys.region);
    const cr = region(pl.contextRegion, at, keys.context);
    if (r) {
      startLine = (r.startLine as number | undefined) ?? null;
      // §3.30.7: endLine defaults to startLine.
      endLine = (r.endLine as number | undefined) ?? startLine;
      startColumn = (r.startColumn as number | undefined) ?? null;
      endColumn = (r.endColumn as number | undefined) ?? null;
      if (startLine !== null && endLine !== null && endLine < startLine) {
        throw invalidField(`${at}/${keys.region}/endLine`, 'must not be before startLine');
      }
      snippet = (r.snippet as Obj | undefined)?.text as string | undefined ?? null;
    }
    if (snippet === null && cr) snippet = (cr.snippet as Obj | undefined)?.text as string | undefined ?? null;
  }
  const lls = optArr(l.logicalLocations, at, keys.logical);
  const fn = lls ? functionName(ctx, lls, at, keys) : null;
  if (path === null && startLine === null && fn === null && snippet === null) return null;
  return { path, startLine, endLine, startColumn, endColumn, function: fn, snippet };
}

/** Normalizes one result of a prepared run. `at` is the result's pointer. */
export function normalizeSarifResult(ctx: SarifRunContext, value: unknown, at: string): CodeFinding {
  const res = obj(value, at);
  // --- which rule
  const ruleIdRaw = optStr(res.ruleId, at, 'ruleId');
  let ruleIndex = optIndex(res.ruleIndex, at, 'ruleIndex');
  let comp = ctx.driver;
  let refId: string | null = null;
  if (res.rule !== undefined) {
    const ref = obj(res.rule, at, 'rule');
    refId = optStr(ref.id, at, 'rule/id');
    const refIndex = optIndex(ref.index, at, 'rule/index');
    comp = componentFor(ctx, ref, `${at}/rule`);
    if (ruleIndex < 0) ruleIndex = refIndex;
  }
  let rule: RuleInfo | undefined;
  if (ruleIndex >= 0) rule = ruleAt(comp, ruleIndex, at, res.ruleIndex !== undefined ? 'ruleIndex' : 'rule/index');
  else if (ruleIdRaw !== null || refId !== null) rule = findRule(ctx, (ruleIdRaw ?? refId) as string);
  const ruleId = ruleIdRaw ?? refId ?? rule?.id ?? null;

  // --- message
  let text: string | null = null;
  if (res.message !== undefined) {
    const m = obj(res.message, at, 'message');
    const mt = optStr(m.text, at, 'message', 'text');
    const mid = optStr(m.id, at, 'message', 'id');
    if (mt === null && mid === null) throw invalidField(`${at}/message`, 'a message needs text or id');
    const args = optArr(m.arguments, at, 'message', 'arguments');
    if (args) for (let i = 0; i < args.length; i++) if (typeof args[i] !== 'string') throw invalidField(`${at}/message/arguments/${i}`, 'must be a string');
    let raw = mt;
    if (raw === null && mid !== null) {
      const ms = (rule?.messageStrings?.[mid] ?? comp.globalMessageStrings?.[mid] ?? ctx.driver.globalMessageStrings?.[mid]) as Obj | undefined;
      raw = ms ? (ms.text as string) : null;
    }
    if (raw !== null) text = args ? substitute(raw, args) : raw;
  }

  // --- kind, level, severity
  const kind = optStr(res.kind, at, 'kind');
  if (kind !== null && !resultKinds.has(kind)) throw invalidField(`${at}/kind`, 'must be one of notApplicable, pass, fail, review, open, informational');
  const level = optLevel(res.level, at, 'level');
  const props = optObj(res.properties, at, 'properties');
  let severity: Severity | null;
  if (kind === 'pass' || kind === 'notApplicable') severity = 'none';
  else severity = securitySeverity(props) ?? rule?.securitySeverity ?? null;
  if (severity === null) {
    const lv = level ?? rule?.level ?? null;
    severity = lv === null ? null : levelSeverity[lv];
  }

  // --- CWEs: the rule's, plus the result's own properties and taxa
  let cwes: number[];
  const taxa = optArr(res.taxa, at, 'taxa');
  if (props || taxa) {
    cwes = rule ? rule.cwes.slice() : [];
    cweFromProperties(props, `${at}/properties`, cwes);
    if (taxa) for (let i = 0; i < taxa.length; i++) cweFromReference(taxa[i], `${at}/taxa/${i}`, ctx.taxonomies, cwes);
    sortedUnique(cwes);
  } else {
    cwes = rule ? rule.cwes.slice() : [];
  }

  // --- location
  const locs = optArr(res.locations, at, 'locations');
  let loc: CodeLocation | null = null;
  if (locs && locs.length > 0) loc = location(ctx, locs, at);
  else if (res.analysisTarget !== undefined) {
    const path = artifactLocation(ctx, res.analysisTarget, at, 'analysisTarget');
    if (path !== null) loc = { path, startLine: null, endLine: null, startColumn: null, endColumn: null, function: null, snippet: null };
  }

  // --- fingerprints, flows, suppressions
  const toolFingerprints: Record<string, string> = {};
  if (res.partialFingerprints !== undefined) stringMap(res.partialFingerprints, at, 'partialFingerprints', toolFingerprints);
  if (res.fingerprints !== undefined) stringMap(res.fingerprints, at, 'fingerprints', toolFingerprints);
  const codeFlows = optArr(res.codeFlows, at, 'codeFlows');
  if (res.suppressions !== undefined) checkSuppressions(res.suppressions, `${at}/suppressions`);

  const title = rule?.title ?? (text !== null && text.trim() !== '' ? oneLine(text) : null) ?? rule?.name ?? ruleId ?? 'SARIF result';
  return {
    kind: 'code',
    source: 'sarif',
    pointer: at,
    title,
    description: text ?? rule?.fullDescription ?? null,
    severity,
    cwes,
    cvssVector: null,
    scanner: ctx.scanner,
    ruleId,
    target: ctx.target,
    version: null,
    commit: ctx.commit,
    location: loc,
    toolFingerprints,
    codeFlows,
    proofOfConcept: null,
  };
}

/** Suppressed results stay findings (an accepted suppression is the tool user's call, not ours); only the shape is checked. */
function checkSuppressions(v: unknown, at: string): void {
  const list = optArr(v, at) ?? EMPTY;
  for (let i = 0; i < list.length; i++) {
    const sa = `${at}/${i}`;
    const s = obj(list[i], sa);
    if (typeof s.kind !== 'string' || !suppressionKinds.has(s.kind)) throw invalidField(`${sa}/kind`, 'must be inSource or external');
    if (s.status !== undefined && (typeof s.status !== 'string' || !suppressionStatuses.has(s.status))) {
      throw invalidField(`${sa}/status`, 'must be accepted, underReview or rejected');
    }
  }
}

/** Checks the log's own members: `version` must be 2.1.0. */
export function checkSarifLog(doc: Obj, base: string): void {
  if (doc.version !== '2.1.0') {
    throw invalidField(`${base}/version`, doc.version === undefined ? 'a SARIF log needs version "2.1.0"' : `unsupported SARIF version ${JSON.stringify(doc.version)}; only 2.1.0 is accepted`);
  }
  optStr(doc.$schema, base, '$schema');
}

/** Parses a SARIF 2.1.0 log (already JSON.parse'd) into one CodeFinding per result. */
export function parseSarif(docValue: unknown, opts: SarifOptions = {}): SarifParse {
  const base = opts.pointerBase ?? '';
  const doc = obj(docValue, base || '/');
  checkSarifLog(doc, base);
  const runsRaw = doc.runs === null ? EMPTY : optArr(doc.runs, base, 'runs');
  if (runsRaw === null) throw invalidField(`${base}/runs`, 'a SARIF log needs a runs array');
  const runs: SarifRunInfo[] = [];
  const findings: CodeFinding[] = [];
  for (let i = 0; i < runsRaw.length; i++) {
    const ra = `${base}/runs/${i}`;
    const ctx = prepareSarifRun(runsRaw[i], ra);
    const results = (runsRaw[i] as Obj).results;
    const list = results === null ? EMPTY : optArr(results, ra, 'results') ?? EMPTY;
    const rp = `${ra}/results/`;
    for (let j = 0; j < list.length; j++) findings.push(normalizeSarifResult(ctx, list[j], rp + j));
    runs.push(sarifRunInfo(ctx, list.length));
  }
  return { runs, findings };
}
