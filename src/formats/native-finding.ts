// The clearinghouse's own finding format, for AI scanners and anyone without SARIF: one finding
// (`{"clearinghouseFinding": "1.0", …}`) or several (`{"clearinghouseFindings": "1.0", "findings": […]}`).
// The JSON Schema below documents it (OpenAPI); the checks are hand-written so each error names its pointer
// and says what is wrong in words, and so they cover what a schema cannot (CVSS grammar, base64 size).
import { invalidField } from '../core/errors.js';
import { severities, type CodeFinding, type CodeLocation, type ProofOfConcept, type ScannerInfo, type Severity, type TargetRef } from '../core/findings.js';
import { cvssSeverity, cvssVectorProblem } from '../core/scoring/cvss.js';

export const nativeFindingVersion = '1.0';
/** Largest proof-of-concept attachment, decoded. */
export const maxProofOfConceptBytes = 10 * 1024 * 1024;
const maxTitle = 500;
const maxText = 200_000;

// CVSS vector grammar and severity live in core/scoring/cvss.ts; re-exported here for existing callers.
export { cvssSeverity, cvssVectorProblem };

// ---------- the format ----------

const purlPattern = '^pkg:[A-Za-z.+-][A-Za-z0-9.+-]*/[^\\s]+$';
const cwePattern = '^CWE-[1-9][0-9]{0,5}$';
const mediaTypePattern = '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(;.*)?$';
// With the length a multiple of 4, this is padded standard base64; a flat class keeps the regex from recursing on 14 MB.
const base64Pattern = '^[A-Za-z0-9+/]*={0,2}$';
const purlRe = new RegExp(purlPattern);
const cweRe = new RegExp(cwePattern);
const mediaTypeRe = new RegExp(mediaTypePattern);
const base64Re = new RegExp(base64Pattern);

const cweItem = { oneOf: [{ type: 'integer', minimum: 1, maximum: 999999 }, { type: 'string', pattern: cwePattern }] } as const;
const nameVersion = (what: string) => ({
  type: 'object',
  description: what,
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, version: { type: ['string', 'null'], maxLength: 200 } },
}) as const;

const findingProperties = {
  title: { type: 'string', minLength: 1, maxLength: maxTitle, description: 'One line saying what the flaw is.' },
  description: { type: ['string', 'null'], maxLength: maxText },
  target: {
    type: 'object',
    description: 'What was scanned: a package URL, a repository URL, or both.',
    additionalProperties: false,
    minProperties: 1,
    properties: { purl: { type: ['string', 'null'], pattern: purlPattern }, repo: { type: ['string', 'null'], format: 'uri' } },
  },
  version: { type: ['string', 'null'], minLength: 1, maxLength: 200, description: 'Version scanned; give this or commit.' },
  commit: { type: ['string', 'null'], pattern: '^[0-9a-fA-F]{7,64}$', description: 'Commit scanned; give this or version.' },
  introducedCommit: {
    type: ['string', 'null'],
    pattern: '^[0-9a-fA-F]{7,64}$',
    description: 'The commit that introduced the bug. The proof of concept must then crash there and at the reported commit, and not at its parent.',
  },
  location: {
    type: 'object',
    required: ['path'],
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Relative to the repository root, / separators, no . or .. segments.' },
      startLine: { type: 'integer', minimum: 1 },
      endLine: { type: 'integer', minimum: 1, description: 'At or after startLine.' },
      startColumn: { type: 'integer', minimum: 1 },
      endColumn: { type: 'integer', minimum: 1 },
      function: { type: ['string', 'null'], maxLength: 1000 },
      snippet: { type: ['string', 'null'], maxLength: maxText },
    },
  },
  cwe: { description: 'CWE number(s): 787, "CWE-787", or a list of them.', oneOf: [cweItem, { type: 'array', items: cweItem, maxItems: 50 }] },
  cvssVector: { type: ['string', 'null'], pattern: '^CVSS:(3\\.[01]|4\\.0)/', description: 'A CVSS 3.0, 3.1 or 4.0 vector, checked against the specification grammar.' },
  severity: { type: ['string', 'null'], enum: [...severities, null] },
  proofOfConcept: {
    type: ['object', 'null'],
    required: ['filename', 'mediaType', 'contentBase64'],
    additionalProperties: false,
    properties: {
      filename: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000]+$' },
      mediaType: { type: 'string', pattern: mediaTypePattern },
      contentBase64: { type: 'string', pattern: base64Pattern, description: `Standard base64 (RFC 4648 §4), padded, no line breaks; at most ${maxProofOfConceptBytes} bytes decoded.` },
      expectedCrash: {
        type: ['object', 'null'],
        description: 'What running it does, as a sanitizer reports it: crash type (e.g. Heap-buffer-overflow) and top stack frames (function names).',
        required: ['crashType'],
        additionalProperties: false,
        properties: {
          crashType: { type: 'string', minLength: 1, maxLength: 100 },
          frames: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 500 } },
        },
      },
    },
  },
  scanner: nameVersion('The tool that found it.'),
  model: { ...nameVersion('For AI scanners: the model behind the tool.'), type: ['object', 'null'] },
} as const;

const findingRequired = ['title', 'target', 'scanner'];

/** JSON Schema (2020-12) of the native format: one finding, or a collection of them. */
export const nativeFindingSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://clearinghouse.invalid/schemas/native-finding-1.0.json',
  title: 'Clearinghouse native finding 1.0',
  oneOf: [{ $ref: '#/$defs/single' }, { $ref: '#/$defs/collection' }],
  $defs: {
    finding: {
      type: 'object',
      required: findingRequired,
      anyOf: [{ required: ['version'] }, { required: ['commit'] }],
      additionalProperties: false,
      properties: { clearinghouseFinding: { const: nativeFindingVersion }, ...findingProperties },
    },
    single: {
      type: 'object',
      required: ['clearinghouseFinding', ...findingRequired],
      anyOf: [{ required: ['version'] }, { required: ['commit'] }],
      additionalProperties: false,
      properties: { clearinghouseFinding: { const: nativeFindingVersion }, ...findingProperties },
    },
    collection: {
      type: 'object',
      required: ['clearinghouseFindings', 'findings'],
      additionalProperties: false,
      properties: {
        clearinghouseFindings: { const: nativeFindingVersion },
        findings: { type: 'array', items: { $ref: '#/$defs/finding' } },
      },
    },
  },
} as const;

type Obj = Record<string, unknown>;
const known = new Set(['clearinghouseFinding', ...Object.keys(findingProperties)]);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, at: string, opts: { required?: boolean; max?: number; min?: number } = {}): string | null {
  const v = o[key];
  if (v === undefined || v === null) {
    if (opts.required) throw invalidField(`${at}/${key}`, `${key} is required`);
    return null;
  }
  if (typeof v !== 'string') throw invalidField(`${at}/${key}`, `${key} must be a string`);
  if (v.length < (opts.min ?? 0)) throw invalidField(`${at}/${key}`, `${key} must not be empty`);
  if (opts.max !== undefined && v.length > opts.max) throw invalidField(`${at}/${key}`, `${key} must be at most ${opts.max} characters`);
  return v;
}

function posInt(o: Obj, key: string, at: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalidField(`${at}/${key}`, `${key} must be an integer ≥ 1`);
  return v;
}

function onlyKnown(o: Obj, allowed: ReadonlySet<string> | readonly string[], at: string): void {
  const set = allowed instanceof Set ? allowed : new Set(allowed as readonly string[]);
  for (const k in o) if (!set.has(k)) throw invalidField(`${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, `unknown field ${JSON.stringify(k)}`);
}

function target(v: unknown, at: string): TargetRef {
  if (!isObj(v)) throw invalidField(at, 'target must be an object with purl and/or repo');
  onlyKnown(v, ['purl', 'repo'], at);
  const purl = str(v, 'purl', at, { min: 1, max: 2000 });
  const repo = str(v, 'repo', at, { min: 1, max: 2000 });
  if (purl !== null && !purlRe.test(purl)) throw invalidField(`${at}/purl`, 'purl must be a package URL, e.g. pkg:npm/lodash@4.17.21');
  if (repo !== null && !URL.canParse(repo)) throw invalidField(`${at}/repo`, 'repo must be an absolute URL, e.g. https://github.com/owner/name');
  if (purl !== null) return { purl, repo };
  if (repo !== null) return { purl, repo };
  throw invalidField(at, 'target needs a purl, a repo, or both');
}

function repoRelativePath(v: string, at: string): string {
  if (v.includes('\\')) throw invalidField(at, 'path must use / separators');
  if (v.startsWith('/') || /^[A-Za-z]:/.test(v)) throw invalidField(at, 'path must be relative to the repository root');
  const p = v.startsWith('./') ? v.slice(2) : v;
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..')) throw invalidField(at, 'path must not contain empty, . or .. segments');
  return p;
}

function location(v: unknown, at: string): CodeLocation | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw invalidField(at, 'location must be an object');
  onlyKnown(v, ['path', 'startLine', 'endLine', 'startColumn', 'endColumn', 'function', 'snippet'], at);
  const path = repoRelativePath(str(v, 'path', at, { required: true, min: 1, max: 4096 }) as string, `${at}/path`);
  const startLine = posInt(v, 'startLine', at);
  const endLine = posInt(v, 'endLine', at);
  if (endLine !== null && startLine === null) throw invalidField(`${at}/endLine`, 'endLine needs a startLine');
  if (endLine !== null && startLine !== null && endLine < startLine) throw invalidField(`${at}/endLine`, 'endLine must not be before startLine');
  const startColumn = posInt(v, 'startColumn', at);
  const endColumn = posInt(v, 'endColumn', at);
  return {
    path,
    startLine,
    endLine: endLine ?? startLine,
    startColumn,
    endColumn,
    function: str(v, 'function', at, { max: 1000 }),
    snippet: str(v, 'snippet', at, { max: maxText }),
  };
}

function cweNumber(v: unknown, at: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 999999) return v;
  if (typeof v === 'string' && cweRe.test(v)) return Number(v.slice(4));
  throw invalidField(at, 'cwe must be a CWE number (787) or id ("CWE-787")');
}

function cwes(v: unknown, at: string): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v.map((x, i) => cweNumber(x, `${at}/${i}`)) : [cweNumber(v, at)];
  if (list.length > 50) throw invalidField(at, 'at most 50 CWEs');
  return [...new Set(list)].sort((a, b) => a - b);
}

function proofOfConcept(v: unknown, at: string): ProofOfConcept | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw invalidField(at, 'proofOfConcept must be an object');
  onlyKnown(v, ['filename', 'mediaType', 'contentBase64', 'expectedCrash'], at);
  const filename = str(v, 'filename', at, { required: true, min: 1, max: 255 }) as string;
  if (/[/\\\u0000]/.test(filename) || filename === '.' || filename === '..') throw invalidField(`${at}/filename`, 'filename must be a plain file name, without directories');
  const mediaType = str(v, 'mediaType', at, { required: true, min: 1, max: 255 }) as string;
  if (!mediaTypeRe.test(mediaType)) throw invalidField(`${at}/mediaType`, 'mediaType must be a media type such as text/x-c or application/octet-stream');
  const content = str(v, 'contentBase64', at, { required: true }) as string;
  // The size is known from the length; checked before the (linear) pattern so a huge body fails fast.
  const pad = content.endsWith('==') ? 2 : content.endsWith('=') ? 1 : 0;
  const bytes = (content.length / 4) * 3 - pad;
  if (bytes > maxProofOfConceptBytes) throw invalidField(`${at}/contentBase64`, `the proof of concept may be at most ${maxProofOfConceptBytes} bytes (10 MiB)`);
  if (content.length % 4 !== 0 || !base64Re.test(content)) throw invalidField(`${at}/contentBase64`, 'contentBase64 must be standard, padded base64 without line breaks');
  const expected = expectedCrash(v.expectedCrash, `${at}/expectedCrash`);
  return { filename, mediaType, contentBase64: content, ...(expected ? { expectedCrash: expected } : {}) };
}

function expectedCrash(v: unknown, at: string): { crashType: string; frames: string[] } | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw invalidField(at, 'expectedCrash must be an object with crashType and frames');
  onlyKnown(v, ['crashType', 'frames'], at);
  const crashType = (str(v, 'crashType', at, { required: true, min: 1, max: 100 }) as string).trim();
  if (crashType === '') throw invalidField(`${at}/crashType`, 'crashType must not be blank');
  const frames = v.frames ?? [];
  if (!Array.isArray(frames) || frames.length > 10) throw invalidField(`${at}/frames`, 'frames must be a list of at most 10 function names');
  frames.forEach((f, i) => {
    if (typeof f !== 'string' || f.length === 0 || f.length > 500) throw invalidField(`${at}/frames/${i}`, 'a frame is a function name (1–500 characters)');
  });
  return { crashType, frames: frames as string[] };
}

function nameVersionOf(v: unknown, at: string, what: string): { name: string; version: string | null } {
  if (!isObj(v)) throw invalidField(at, `${what} must be an object with name and version`);
  onlyKnown(v, ['name', 'version'], at);
  const name = (str(v, 'name', at, { required: true, min: 1, max: 200 }) as string).trim();
  if (name === '') throw invalidField(`${at}/name`, 'name must not be blank');
  return { name, version: str(v, 'version', at, { max: 200 }) };
}

function finding(v: unknown, at: string, marker: boolean): CodeFinding {
  if (!isObj(v)) throw invalidField(at || '/', 'a finding must be a JSON object');
  if (marker && v.clearinghouseFinding !== nativeFindingVersion) {
    throw invalidField(`${at}/clearinghouseFinding`, `clearinghouseFinding must be "${nativeFindingVersion}"`);
  }
  if (!marker && v.clearinghouseFinding !== undefined && v.clearinghouseFinding !== nativeFindingVersion) {
    throw invalidField(`${at}/clearinghouseFinding`, `clearinghouseFinding must be "${nativeFindingVersion}" when given`);
  }
  onlyKnown(v, known, at);
  const title = (str(v, 'title', at, { required: true, min: 1, max: maxTitle }) as string).trim();
  if (title === '' || title.includes('\n')) throw invalidField(`${at}/title`, 'title must be one non-blank line');
  const description = str(v, 'description', at, { max: maxText });
  const tgt = target(v.target, `${at}/target`);
  const version = str(v, 'version', at, { min: 1, max: 200 });
  const commit = str(v, 'commit', at, { min: 1, max: 64 });
  if (commit !== null && !/^[0-9a-fA-F]{7,64}$/.test(commit)) throw invalidField(`${at}/commit`, 'commit must be a hexadecimal commit id (7–64 digits)');
  if (version === null && commit === null) throw invalidField(`${at}/version`, 'a finding names the version or the commit it was found in');
  const introducedCommit = str(v, 'introducedCommit', at, { min: 1, max: 64 });
  if (introducedCommit !== null && !/^[0-9a-fA-F]{7,64}$/.test(introducedCommit)) throw invalidField(`${at}/introducedCommit`, 'introducedCommit must be a hexadecimal commit id (7–64 digits)');
  const loc = location(v.location, `${at}/location`);
  const cweList = cwes(v.cwe, `${at}/cwe`);
  const cvssVector = str(v, 'cvssVector', at, { max: 500 });
  if (cvssVector !== null) {
    const problem = cvssVectorProblem(cvssVector);
    if (problem) throw invalidField(`${at}/cvssVector`, `cvssVector ${problem}`);
  }
  let severity: Severity | null = null;
  if (v.severity !== undefined && v.severity !== null) {
    if (typeof v.severity !== 'string' || !(severities as readonly string[]).includes(v.severity)) {
      throw invalidField(`${at}/severity`, `severity must be one of ${severities.join(', ')}`);
    }
    severity = v.severity as Severity;
  } else if (cvssVector !== null) {
    severity = cvssSeverity(cvssVector);
  }
  const poc = proofOfConcept(v.proofOfConcept, `${at}/proofOfConcept`);
  const tool = nameVersionOf(v.scanner, `${at}/scanner`, 'scanner');
  const model = v.model === undefined || v.model === null ? null : nameVersionOf(v.model, `${at}/model`, 'model');
  const scanner: ScannerInfo = { name: tool.name, version: tool.version, model };
  return {
    kind: 'code',
    source: 'native',
    pointer: at,
    title,
    description,
    severity,
    cwes: cweList,
    cvssVector,
    scanner,
    ruleId: null,
    target: tgt,
    version,
    commit: commit?.toLowerCase() ?? null,
    ...(introducedCommit ? { introducedCommit: introducedCommit.toLowerCase() } : {}),
    location: loc,
    toolFingerprints: {},
    codeFlows: null,
    proofOfConcept: poc,
  };
}

/** Parses a native finding document (one finding or a collection) into CodeFindings. */
export function parseNativeFindings(doc: unknown): CodeFinding[] {
  if (!isObj(doc)) throw invalidField('/', 'a native finding document must be a JSON object');
  if (doc.clearinghouseFindings !== undefined) {
    if (doc.clearinghouseFindings !== nativeFindingVersion) throw invalidField('/clearinghouseFindings', `clearinghouseFindings must be "${nativeFindingVersion}"`);
    onlyKnown(doc, ['clearinghouseFindings', 'findings'], '');
    if (!Array.isArray(doc.findings)) throw invalidField('/findings', 'findings must be an array');
    return doc.findings.map((f, i) => finding(f, `/findings/${i}`, false));
  }
  if (doc.clearinghouseFinding === undefined) {
    throw invalidField('/clearinghouseFinding', `a native finding document starts with "clearinghouseFinding": "${nativeFindingVersion}" (or "clearinghouseFindings" for several)`);
  }
  return [finding(doc, '', true)];
}
