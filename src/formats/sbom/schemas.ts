// The official CycloneDX 1.4–1.6 and SPDX 2.3 JSON schemas, compiled with ajv so that a streamed SBOM is validated
// piece by piece: the document without its big arrays ("header"), then each item of those arrays on its own.
//
// Where the schemas come from at run time: CycloneDX's from the @cyclonedx/cyclonedx-library package
// (res/schema/bom-1.x.SNAPSHOT.schema.json: the official files but for the SNAPSHOT names of their sub-schemas, the
// `$schema` member's enum dropped, a newer SPDX licence list, and 1.4 no longer requiring `version`, as
// test/formats/sbom.test.ts checks against the corpus copies), SPDX's from ./spdx-2.3-schema.ts, a copy of the
// official file, because no npm package ships it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { AppError, invalidField } from '../../core/errors.js';
import type { CycloneDxVersion, SbomFormat } from './detect.js';
import { pointerToken } from './json-split.js';
import { spdx23Schema } from './spdx-2.3-schema.js';

type Obj = Record<string, unknown>;

export interface SbomValidators {
  readonly format: SbomFormat;
  /** "CycloneDX 1.6" / "SPDX 2.3", for messages. */
  readonly label: string;
  /** Root members that are arrays of items in the schema: validated item by item, never held whole. */
  readonly arrays: ReadonlySet<string>;
  /** The root object with each member of `arrays` given as `[]`. */
  readonly header: ValidateFunction;
  /** The schema of one item of root array `key` (CycloneDX `components` → definitions/component), or null. */
  item(key: string): ValidateFunction | null;
  /** minItems / maxItems of root array `key` (uniqueItems is not checked on streamed arrays). */
  limits(key: string): { min: number; max: number };
}

let cdxSchemaDir: string | null = null;

/** Where @cyclonedx/cyclonedx-library keeps its JSON schemas (its package exports do not list them). */
export function cycloneDxSchemaDir(): string {
  if (!cdxSchemaDir) {
    const require = createRequire(import.meta.url);
    cdxSchemaDir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
  }
  return cdxSchemaDir;
}

/** The CycloneDX schema for a version as the run-time validation uses it. */
export function cycloneDxSchema(version: CycloneDxVersion): Obj {
  return JSON.parse(readFileSync(join(cycloneDxSchemaDir(), `bom-${version}.SNAPSHOT.schema.json`), 'utf8')) as Obj;
}

function arrayMembers(root: Obj): Set<string> {
  const out = new Set<string>();
  const props = (root.properties ?? {}) as Record<string, Obj>;
  for (const [k, v] of Object.entries(props)) if (v.type === 'array' && v.items !== undefined) out.add(k);
  return out;
}

type SchemaCompiler = Pick<Ajv, 'addSchema' | 'compile' | 'getSchema'>;

function build(format: SbomFormat, ajv: SchemaCompiler, root: Obj, label: string): SbomValidators {
  const id = root.$id as string;
  ajv.addSchema(root);
  const arrays = arrayMembers(root);
  const props: Obj = { ...(root.properties as Obj) };
  for (const k of arrays) props[k] = { type: 'array' };
  const headerId = id.endsWith('.schema.json') ? id.replace(/\.schema\.json$/, '.header.schema.json') : `${id}/header`;
  const header = ajv.compile({ ...root, $id: headerId, properties: props } as AnySchemaObject);
  const items = new Map<string, ValidateFunction | null>();
  return {
    format,
    label,
    arrays,
    header,
    item(key) {
      let v = items.get(key);
      if (v === undefined) {
        v = arrays.has(key) ? (ajv.getSchema(`${id}#/properties/${pointerToken(key)}/items`) ?? null) : null;
        items.set(key, v);
      }
      return v;
    },
    limits(key) {
      const p = ((root.properties as Obj)[key] ?? {}) as Obj;
      return { min: typeof p.minItems === 'number' ? p.minItems : 0, max: typeof p.maxItems === 'number' ? p.maxItems : Infinity };
    },
  };
}

const cache = new Map<string, SbomValidators>();

/** Compiled validators for a format (compiled once per process: ≈ 0.2–0.4 s for CycloneDX). */
export function sbomValidators(format: SbomFormat): SbomValidators {
  const key = `${format.kind}@${format.version}`;
  let v = cache.get(key);
  if (v) return v;
  if (format.kind === 'cyclonedx') {
    const dir = cycloneDxSchemaDir();
    const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
    addFormats.default(ajv);
    // As the CycloneDX library itself does: no working checker exists for iri-reference; idn-email is informative.
    ajv.addFormat('iri-reference', true);
    ajv.addFormat('idn-email', true);
    for (const sub of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
      ajv.addSchema(JSON.parse(readFileSync(join(dir, sub), 'utf8')) as AnySchemaObject, `http://cyclonedx.org/schema/${sub}`);
    }
    v = build(format, ajv, cycloneDxSchema(format.version), `CycloneDX ${format.version}`);
  } else {
    const ajv = new Ajv2019({ strict: false, allErrors: false, validateSchema: false });
    v = build(format, ajv, structuredClone(spdx23Schema), 'SPDX 2.3');
  }
  cache.set(key, v);
  return v;
}

/** Root array member names of every supported format: what a streamed document's root may hold in bulk. */
export const bulkRootArrays: ReadonlySet<string> = new Set([
  // CycloneDX 1.4–1.6
  'components', 'services', 'externalReferences', 'dependencies', 'compositions', 'properties', 'vulnerabilities', 'annotations', 'formulation',
  // SPDX 2.3
  'packages', 'files', 'snippets', 'relationships', 'annotations', 'externalDocumentRefs', 'hasExtractedLicensingInfos', 'revieweds', 'documentDescribes',
]);

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed here';
    case 'enum': {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      const shown = allowed.slice(0, 12).map((a) => JSON.stringify(a)).join(', ');
      return `must be one of ${shown}${allowed.length > 12 ? ', …' : ''}`;
    }
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/** The first schema violation as an invalid-field error naming its JSON Pointer (`base` + the error's path). */
export function schemaError(errors: ErrorObject[] | null | undefined, base: string, label: string): AppError {
  const e = errors?.[0];
  if (!e) return invalidField(base || '/', `does not match the ${label} schema`);
  let at = base + e.instancePath;
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  if (e.keyword === 'required' && params.missingProperty !== undefined) at += `/${pointerToken(params.missingProperty)}`;
  if (e.keyword === 'additionalProperties' && params.additionalProperty !== undefined) at += `/${pointerToken(params.additionalProperty)}`;
  return invalidField(at || '/', `${describe(e)} (${label} schema)`);
}
