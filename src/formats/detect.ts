// Which findings format a parsed document is in, from the markers each format requires; no guessing beyond them.
import { invalidField } from '../core/errors.js';

export type FindingsFormat = 'sarif' | 'osv' | 'native';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksSarif(d: Obj): boolean {
  if (typeof d.$schema === 'string' && /sarif/i.test(d.$schema)) return true;
  return d.version === '2.1.0' && d.runs !== undefined;
}

function looksOsv(d: unknown): boolean {
  return isObj(d) && typeof d.id === 'string' && (d.modified !== undefined || d.affected !== undefined);
}

export function detectFindingsFormat(doc: unknown): FindingsFormat {
  if (Array.isArray(doc)) {
    if (doc.length > 0 && doc.every(looksOsv)) return 'osv';
    throw invalidField('/', 'an array of findings must be OSV records (each with id and modified or affected); SARIF and native findings are one JSON object');
  }
  if (!isObj(doc)) throw invalidField('/', 'a findings document must be a JSON object (SARIF, OSV or a native finding)');
  if (doc.clearinghouseFinding !== undefined || doc.clearinghouseFindings !== undefined) return 'native';
  if (looksSarif(doc)) return 'sarif';
  if (looksOsv(doc)) return 'osv';
  if (typeof doc.id === 'number' && doc.module_name !== undefined) {
    throw invalidField('/id', 'this is a nodejs/security-wg advisory, not OSV; submit the OSV record (GHSA) for it instead');
  }
  if (doc.runs !== undefined || doc.version !== undefined) {
    throw invalidField('/version', 'looks like SARIF but is not SARIF 2.1.0: version must be "2.1.0"');
  }
  throw invalidField('/', 'unrecognized findings format: expected SARIF 2.1.0 (version "2.1.0" and runs), OSV (id with modified or affected), or a native finding ("clearinghouseFinding": "1.0")');
}
