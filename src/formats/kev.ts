// CISA's Known Exploited Vulnerabilities catalog (known_exploited_vulnerabilities.json) → entries by CVE id.
// Checks follow the catalog's published JSON Schema (cisagov/kev-data known_exploited_vulnerabilities_schema.json)
// and the descriptions in it; every error names the JSON Pointer at fault. A `dueDate` before `dateAdded` is
// accepted: the real catalog has 15 such entries (added 2021-11-03 with the due dates of earlier directives).
import { invalidField } from '../core/errors.js';

export interface KevEntry {
  cveId: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  /** YYYY-MM-DD */
  dateAdded: string;
  shortDescription: string;
  requiredAction: string;
  /** YYYY-MM-DD: when federal agencies must have acted (BOD 22-01). */
  dueDate: string;
  /** `Known` in the catalog; `Unknown` (or absent) means CISA lacks confirmation. */
  knownRansomwareCampaignUse: boolean;
  notes: string;
  cwes: string[];
}

export interface KevCatalog {
  title: string | null;
  catalogVersion: string;
  /** As written, e.g. 2025-08-25T17:04:19.9796Z. */
  dateReleased: string;
  count: number;
  entries: KevEntry[];
  byCve: ReadonlyMap<string, KevEntry>;
}

type Obj = Record<string, unknown>;

const cvePattern = /^CVE-[0-9]{4}-[0-9]{4,19}$/;
const cwePattern = /^CWE-[0-9]+$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time (JSON Schema "date-time"), fractional seconds of any length.
const dateTimePattern = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const required = ['cveID', 'vendorProject', 'product', 'vulnerabilityName', 'dateAdded', 'shortDescription', 'requiredAction', 'dueDate'] as const;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validDate(s: string): boolean {
  const m = datePattern.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function validDateTime(s: string): boolean {
  const m = dateTimePattern.exec(s);
  return !!m && validDate(m[1] as string) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 61;
}

function str(o: Obj, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw invalidField(`${at}/${key}`, v === undefined ? `${key} is required` : `${key} must be a string`);
  return v;
}

function entry(v: unknown, at: string): KevEntry {
  if (!isObj(v)) throw invalidField(at, 'a catalog entry must be an object');
  for (const key of required) str(v, key, at);
  const cveId = str(v, 'cveID', at);
  if (!cvePattern.test(cveId)) throw invalidField(`${at}/cveID`, `cveID must look like CVE-YYYY-NNNN, not ${JSON.stringify(cveId)}`);
  for (const key of ['dateAdded', 'dueDate'] as const) {
    const d = str(v, key, at);
    if (!validDate(d)) throw invalidField(`${at}/${key}`, `${key} must be a calendar date YYYY-MM-DD, not ${JSON.stringify(d)}`);
  }
  let ransomware = false;
  if (v.knownRansomwareCampaignUse !== undefined) {
    const r = str(v, 'knownRansomwareCampaignUse', at);
    if (r !== 'Known' && r !== 'Unknown') throw invalidField(`${at}/knownRansomwareCampaignUse`, `knownRansomwareCampaignUse must be Known or Unknown, not ${JSON.stringify(r)}`);
    ransomware = r === 'Known';
  }
  const notes = v.notes === undefined ? '' : str(v, 'notes', at);
  let cwes: string[] = [];
  if (v.cwes !== undefined) {
    if (!Array.isArray(v.cwes)) throw invalidField(`${at}/cwes`, 'cwes must be an array of CWE ids');
    cwes = v.cwes.map((c, i) => {
      if (typeof c !== 'string' || !cwePattern.test(c)) throw invalidField(`${at}/cwes/${i}`, `a CWE id looks like CWE-79, not ${JSON.stringify(c)}`);
      return c;
    });
  }
  return {
    cveId,
    vendorProject: str(v, 'vendorProject', at),
    product: str(v, 'product', at),
    vulnerabilityName: str(v, 'vulnerabilityName', at),
    dateAdded: str(v, 'dateAdded', at),
    shortDescription: str(v, 'shortDescription', at),
    requiredAction: str(v, 'requiredAction', at),
    dueDate: str(v, 'dueDate', at),
    knownRansomwareCampaignUse: ransomware,
    notes,
    cwes,
  };
}

/** Parses and checks a KEV catalog (its JSON text or the parsed document). */
export function parseKevCatalog(input: unknown): KevCatalog {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw invalidField('/', `the KEV catalog is not JSON: ${(err as Error).message}`);
    }
  }
  if (!isObj(doc)) throw invalidField('/', 'the KEV catalog must be a JSON object');
  const catalogVersion = str(doc, 'catalogVersion', '');
  const dateReleased = str(doc, 'dateReleased', '');
  if (!validDateTime(dateReleased)) throw invalidField('/dateReleased', `dateReleased must be a date-time such as 2025-08-25T17:04:19.9796Z, not ${JSON.stringify(dateReleased)}`);
  const count = doc.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw invalidField('/count', count === undefined ? 'count is required' : 'count must be a non-negative integer');
  if (!Array.isArray(doc.vulnerabilities)) throw invalidField('/vulnerabilities', doc.vulnerabilities === undefined ? 'vulnerabilities is required' : 'vulnerabilities must be an array');
  const title = doc.title === undefined ? null : str(doc, 'title', '');
  const entries: KevEntry[] = [];
  const byCve = new Map<string, KevEntry>();
  doc.vulnerabilities.forEach((v, i) => {
    const e = entry(v, `/vulnerabilities/${i}`);
    const first = byCve.get(e.cveId);
    if (first) throw invalidField(`/vulnerabilities/${i}/cveID`, `${e.cveId} is listed twice (also at /vulnerabilities/${entries.indexOf(first)})`);
    byCve.set(e.cveId, e);
    entries.push(e);
  });
  if (count !== entries.length) throw invalidField('/count', `count says ${count} but the catalog lists ${entries.length} vulnerabilities`);
  return { title, catalogVersion, dateReleased, count, entries, byCve };
}
