// OSV (https://ossf.github.io/osv-schema/) → AdvisoryFinding, from one record, an array, a text file (JSON or
// YAML, as PyPA publishes), a directory tree or an osv.dev export zip. Checks follow the schema where real data
// follows it; where published records do not (a GIT `fixed` that is not a commit hash, a record without
// `modified`), the record is still taken — see test/formats/osv.test.ts for which ones.
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { Unzip, UnzipInflate } from 'fflate';
import YAML from 'yaml';
import { AppError, invalidField, isAppError } from '../core/errors.js';
import type { AdvisoryFinding, AffectedPackage, ScannerInfo, Severity } from '../core/findings.js';
import { cvssSeverity, cvssVectorProblem } from './native-finding.js';

type Obj = Record<string, unknown>;

const rangeTypes: ReadonlySet<string> = new Set(['GIT', 'SEMVER', 'ECOSYSTEM']);
const eventKeys: ReadonlySet<string> = new Set(['introduced', 'fixed', 'last_affected', 'limit']);
/** `database_specific.severity` as GHSA and others write it. */
const dbSeverity: Record<string, Severity> = {
  CRITICAL: 'critical', HIGH: 'high', MODERATE: 'medium', MEDIUM: 'medium', LOW: 'low', NONE: 'none',
};

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optStr(o: Obj, key: string, at: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw invalidField(`${at}/${key}`, `${key} must be a string`);
  return v;
}

function optArr(o: Obj, key: string, at: string): unknown[] | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw invalidField(`${at}/${key}`, `${key} must be an array`);
  return v;
}

function strings(o: Obj, key: string, at: string): string[] {
  const list = optArr(o, key, at) ?? [];
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') throw invalidField(`${at}/${key}/${i}`, 'must be a string');
  return list as string[];
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 time → ISO 8601 in UTC, so `+00:00` and `Z` spellings compare equal. */
function time(o: Obj, key: string, at: string): string | null {
  const v = optStr(o, key, at);
  if (v === null) return null;
  const ms = rfc3339.test(v) ? Date.parse(v.charCodeAt(10) === 0x20 ? v.replace(' ', 'T') : v) : NaN;
  if (Number.isNaN(ms)) throw invalidField(`${at}/${key}`, `${key} must be an RFC 3339 time such as 2024-01-31T12:00:00Z`);
  // Go's zero time: golang/vulndb's repository copy leaves modified/published unset this way.
  if (v.startsWith('0001-01-01T00:00:00')) return null;
  return new Date(ms).toISOString();
}

/** The nodejs/security-wg advisories look OSV-ish but are not: refuse them by name. */
function refuseNonOsv(doc: Obj, at: string): void {
  if (typeof doc.id === 'number' || (doc.module_name !== undefined && (doc.cves !== undefined || doc.vulnerable_versions !== undefined))) {
    throw invalidField(`${at}/id`, 'this is a nodejs/security-wg advisory, not OSV (integer id, module_name, cves, vulnerable_versions); submit the OSV record (GHSA) for it instead');
  }
  if (doc.id === undefined) {
    const values = Object.values(doc);
    if (values.length > 0 && values.every((v) => isObj(v) && (typeof v.id === 'number' || v.module_name !== undefined))) {
      throw invalidField(at || '/', 'this is a nodejs/security-wg advisory index, not OSV');
    }
  }
}

/** Pointers below an affected entry are built only to report an error (a record has dozens of events). */
function affectedPackage(v: unknown, at: string): AffectedPackage {
  if (!isObj(v)) throw invalidField(at, 'an affected entry must be an object');
  const ranges: AffectedPackage['ranges'] = [];
  const rangeList = optArr(v, 'ranges', at) ?? [];
  for (let i = 0; i < rangeList.length; i++) {
    const r = rangeList[i];
    if (!isObj(r)) throw invalidField(`${at}/ranges/${i}`, 'a range must be an object');
    const type = r.type;
    if (typeof type !== 'string' || !rangeTypes.has(type)) throw invalidField(`${at}/ranges/${i}/type`, 'type must be GIT, SEMVER or ECOSYSTEM');
    const repo = r.repo === undefined || r.repo === null ? null : r.repo;
    if (repo !== null && typeof repo !== 'string') throw invalidField(`${at}/ranges/${i}/repo`, 'repo must be a string');
    if (type === 'GIT' && repo === null) throw invalidField(`${at}/ranges/${i}/repo`, 'a GIT range needs its repo');
    const eventList = r.events;
    if (!Array.isArray(eventList) || eventList.length === 0) throw invalidField(`${at}/ranges/${i}/events`, 'a range needs at least one event');
    const events: Array<Record<string, string>> = [];
    for (let j = 0; j < eventList.length; j++) {
      const e = eventList[j];
      if (!isObj(e)) throw invalidField(`${at}/ranges/${i}/events/${j}`, 'an event must be an object');
      let kind: string | null = null;
      let others = false;
      for (const k in e) {
        if (!eventKeys.has(k)) {
          others = true;
          continue;
        }
        if (kind !== null) throw invalidField(`${at}/ranges/${i}/events/${j}/${k}`, 'an event has exactly one of introduced, fixed, last_affected, limit');
        kind = k;
      }
      if (kind === null) throw invalidField(`${at}/ranges/${i}/events/${j}`, 'an event needs introduced, fixed, last_affected or limit');
      const value = e[kind];
      if (typeof value !== 'string' || value === '') throw invalidField(`${at}/ranges/${i}/events/${j}/${kind}`, `${kind} must be a non-empty string`);
      // The record's own event object when it holds nothing else: no copy.
      events.push(others ? { [kind]: value } : (e as Record<string, string>));
    }
    ranges.push(repo === null ? { type, events } : { type, repo, events });
  }
  const versions = strings(v, 'versions', at);
  const pkg = v.package;
  if (pkg === undefined || pkg === null) {
    // OSV allows an entry without a package when a GIT range says which repository is affected.
    const git = ranges.find((r) => r.type === 'GIT' && r.repo);
    if (!git) throw invalidField(`${at}/package`, 'an affected entry needs a package, or a GIT range naming its repo');
    return { ecosystem: 'GIT', name: git.repo as string, purl: null, ranges, versions };
  }
  if (!isObj(pkg)) throw invalidField(`${at}/package`, 'package must be an object');
  const { ecosystem, name, purl } = pkg;
  if (typeof ecosystem !== 'string' || ecosystem === '') throw invalidField(`${at}/package/ecosystem`, 'package needs an ecosystem');
  if (typeof name !== 'string' || name === '') throw invalidField(`${at}/package/name`, 'package needs a name');
  if (purl !== undefined && purl !== null && (typeof purl !== 'string' || !purl.startsWith('pkg:'))) {
    throw invalidField(`${at}/package/purl`, 'purl must be a package URL (pkg:…)');
  }
  return { ecosystem, name, purl: (purl as string | null | undefined) ?? null, ranges, versions };
}

function cweFrom(v: unknown, into: number[]): void {
  if (typeof v !== 'string') return;
  const m = /^CWE-0*([1-9]\d{0,5})$/i.exec(v.trim());
  if (m && !into.includes(Number(m[1]))) into.push(Number(m[1]));
}

/** The database an id comes from: its prefix (GHSA, GO, PYSEC, RUSTSEC, CVE, OSV, …). */
export function osvDatabase(id: string): string {
  const dash = id.indexOf('-');
  return dash > 0 ? id.slice(0, dash) : id;
}

const scanners = new Map<string, ScannerInfo>();

/** One frozen ScannerInfo per database, shared by its records. */
function scannerFor(id: string): ScannerInfo {
  const name = osvDatabase(id);
  let s = scanners.get(name);
  if (!s) {
    s = Object.freeze({ name, version: null, model: null });
    if (scanners.size < 1000) scanners.set(name, s);
  }
  return s;
}

/** Parses one OSV record. `pointer` locates it in a larger document (e.g. `/3` in an array). */
export function parseOsv(doc: unknown, pointer = ''): AdvisoryFinding {
  if (!isObj(doc)) throw invalidField(pointer || '/', 'an OSV record must be a JSON object');
  refuseNonOsv(doc, pointer);
  const at = pointer;
  const id = optStr(doc, 'id', at);
  if (id === null || !/^\S+$/.test(id)) throw invalidField(`${at}/id`, 'an OSV record needs an id without spaces');
  optStr(doc, 'schema_version', at);
  const modified = time(doc, 'modified', at);
  const published = time(doc, 'published', at);
  const withdrawn = time(doc, 'withdrawn', at);
  const aliases = strings(doc, 'aliases', at);
  strings(doc, 'related', at);
  const summary = optStr(doc, 'summary', at);
  const details = optStr(doc, 'details', at);

  let cvssVector: string | null = null;
  const sevList = optArr(doc, 'severity', at) ?? [];
  for (let i = 0; i < sevList.length; i++) {
    const sa = `${at}/severity/${i}`;
    const s = sevList[i];
    if (!isObj(s)) throw invalidField(sa, 'a severity entry must be an object');
    const type = optStr(s, 'type', sa);
    const score = optStr(s, 'score', sa);
    if (type === null) throw invalidField(`${sa}/type`, 'a severity entry needs a type');
    if (score === null) throw invalidField(`${sa}/score`, 'a severity entry needs a score');
    if (cvssVector === null && (type === 'CVSS_V3' || type === 'CVSS_V4') && cvssVectorProblem(score) === null) cvssVector = score;
  }

  const affectedList = optArr(doc, 'affected', at) ?? [];
  const affected: AffectedPackage[] = [];
  const cwes: number[] = [];
  for (let i = 0; i < affectedList.length; i++) {
    affected.push(affectedPackage(affectedList[i], `${at}/affected/${i}`));
    // GHSA's converter puts CWEs on each affected entry: database_specific.cwes[].cweId.
    const ds = (affectedList[i] as Obj).database_specific;
    if (isObj(ds) && Array.isArray(ds.cwes)) for (const c of ds.cwes) if (isObj(c)) cweFrom(c.cweId, cwes);
  }

  let severity: Severity | null = null;
  const ds = doc.database_specific;
  if (ds !== undefined && ds !== null && !isObj(ds)) throw invalidField(`${at}/database_specific`, 'database_specific must be an object');
  if (isObj(ds)) {
    if (typeof ds.severity === 'string') severity = dbSeverity[ds.severity.toUpperCase()] ?? null;
    if (Array.isArray(ds.cwe_ids)) for (const c of ds.cwe_ids) cweFrom(c, cwes);
  }
  if (severity === null && cvssVector !== null) severity = cvssSeverity(cvssVector);

  const title = summary?.trim() || firstLine(details) || id;
  return {
    kind: 'advisory',
    source: 'osv',
    pointer,
    title,
    description: details,
    severity,
    cwes: cwes.length > 1 ? cwes.sort((a, b) => a - b) : cwes,
    cvssVector,
    scanner: scannerFor(id),
    advisoryId: id,
    aliases,
    affected,
    published,
    modified,
    withdrawn,
  };
}

function firstLine(text: string | null): string | null {
  if (text === null) return null;
  // Scans line by line without splitting: PyPA's details are long and have no summary to spare them.
  let from = 0;
  while (from <= text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    const t = text.slice(from, nl).trim();
    if (t !== '') return t.length > 300 ? `${t.slice(0, 299)}…` : t;
    from = nl + 1;
  }
  return null;
}

/** One OSV record or an array of them. */
export function parseOsvDocuments(doc: unknown): AdvisoryFinding[] {
  if (Array.isArray(doc)) return doc.map((d, i) => parseOsv(d, `/${i}`));
  return [parseOsv(doc, '')];
}

/** Names the file in an error raised while reading it; the field stays the pointer inside the file. */
function inFile(err: unknown, file: string): unknown {
  if (!isAppError(err)) return err;
  if (err.extra?.file !== undefined) return err;
  return new AppError(err.code, `${file}: ${err.message}`, { field: err.field, extra: { ...(err.extra ?? {}), file }, cause: err });
}

/** Parses an OSV file's text: `.json`, or `.yaml` / `.yml` (PyPA's advisory database is YAML). */
export function parseOsvText(text: string, filename: string): AdvisoryFinding[] {
  let doc: unknown;
  try {
    if (/\.ya?ml$/i.test(filename)) {
      // YAML 1.2 core schema: dates stay strings, as OSV wants them.
      doc = YAML.parse(text, { uniqueKeys: true });
    } else if (/\.json$/i.test(filename)) {
      doc = JSON.parse(text);
    } else {
      throw invalidField('/', 'an OSV file must be .json, .yaml or .yml');
    }
  } catch (err) {
    if (isAppError(err)) throw inFile(err, filename);
    throw inFile(invalidField('/', `not valid ${/\.json$/i.test(filename) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`), filename);
  }
  let records: AdvisoryFinding[];
  try {
    records = parseOsvDocuments(doc);
  } catch (err) {
    throw inFile(err, filename);
  }
  // Records of an export are told apart by file: the pointer becomes `file#pointer`.
  for (const r of records) r.pointer = `${filename}#${r.pointer}`;
  return records;
}

export interface OsvExportOptions {
  /** Records per yielded batch (default 1,000). */
  batchSize?: number;
  /** Largest single file inside a zip, decompressed (default 64 MiB): a guard against zip bombs. */
  maxEntryBytes?: number;
}

const osvFile = /\.(json|ya?ml)$/i;

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && osvFile.test(e.name)) yield p;
  }
}

/**
 * Reads an OSV export: a directory tree of .json/.yaml/.yml records (other files are skipped), or a .zip such as
 * osv.dev's `<ecosystem>/all.zip` (read as a stream, one entry at a time). Errors name the file.
 */
export async function* readOsvExport(path: string, opts: OsvExportOptions = {}): AsyncGenerator<AdvisoryFinding[]> {
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const info = await stat(path);
  let batch: AdvisoryFinding[] = [];
  if (info.isDirectory()) {
    for await (const file of walk(path)) {
      const text = await readFile(file, 'utf8');
      batch.push(...parseOsvText(text, relative(path, file)));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } else if (/\.zip$/i.test(path)) {
    for await (const records of zipRecords(path, opts.maxEntryBytes ?? 64 * 1024 * 1024)) {
      batch.push(...records);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } else {
    batch = parseOsvText(await readFile(path, 'utf8'), basename(path));
  }
  if (batch.length > 0) yield batch;
}

/** fflate's streaming reader stops quietly on a damaged or truncated file: insist on the end-of-central-directory record. */
async function checkZipEnd(zipPath: string, size: number): Promise<void> {
  const tail = Math.min(size, 22 + 65535);
  const handle = await open(zipPath, 'r');
  try {
    const buf = Buffer.alloc(tail);
    await handle.read(buf, 0, tail, size - tail);
    for (let i = tail - 22; i >= 0; i--) {
      if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x05 && buf[i + 3] === 0x06) return;
    }
  } finally {
    await handle.close();
  }
  throw invalidField('/', `${basename(zipPath)}: not a zip file, or a truncated one (no end of central directory)`);
}

async function* zipRecords(zipPath: string, maxEntryBytes: number): AsyncGenerator<AdvisoryFinding[]> {
  const zipName = basename(zipPath);
  await checkZipEnd(zipPath, (await stat(zipPath)).size);
  const ready: AdvisoryFinding[][] = [];
  let failure: unknown = null;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/') || !osvFile.test(file.name)) return;
    const where = `${zipName}!${file.name}`;
    const parts: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = invalidField('/', `${where}: cannot decompress: ${err.message}`);
        return;
      }
      size += data.length;
      if (size > maxEntryBytes) {
        failure = new AppError('payload-too-large', `${where}: larger than ${maxEntryBytes} bytes decompressed`, { extra: { file: where } });
        file.terminate();
        return;
      }
      parts.push(data);
      if (!final) return;
      try {
        const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
        ready.push(parseOsvText(decoder.decode(bytes), file.name));
      } catch (e) {
        failure = isAppError(e) ? e : invalidField('/', `${where}: not valid UTF-8`);
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      unzip.push(chunk, final);
    } catch (err) {
      failure ??= isAppError(err) ? err : invalidField('/', `${zipName}: not a readable zip: ${(err as Error).message}`);
    }
    if (failure) throw failure;
  };
  const stream = createReadStream(zipPath, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      push(chunk, false);
      while (ready.length > 0) yield ready.shift() as AdvisoryFinding[];
    }
    push(new Uint8Array(0), true);
  } finally {
    stream.destroy();
  }
  if (failure) throw failure;
  while (ready.length > 0) yield ready.shift() as AdvisoryFinding[];
}
