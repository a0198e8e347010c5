// Checks a CSAF 2.0 document with the BSI/secvisogram validator: the strict JSON schema and every mandatory test
// (CSAF 2.0 §6.1). The optional and informative tests are left out on purpose: some fetch URLs and one needs
// hunspell, and none of them decides whether a document is valid CSAF.
// @ts-expect-error TS7016: the validator library ships JavaScript without declarations; the shape is below.
import validateStrictUntyped from '@secvisogram/csaf-validator-lib/validateStrict.js';
// @ts-expect-error TS7016 (as above)
import * as mandatoryTests from '@secvisogram/csaf-validator-lib/mandatoryTests.js';
// @ts-expect-error TS7016 (as above)
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js';

type DocumentTest = (doc: unknown) => unknown;

interface ValidatorResult {
  isValid: boolean;
  tests: Array<{ name: string; isValid: boolean; errors: Array<{ instancePath: string; message: string }> }>;
}

const validateStrict = validateStrictUntyped as (tests: DocumentTest[], doc: unknown) => Promise<ValidatorResult>;

/** The schema test first, then the mandatory tests 6.1.1–6.1.33 in the library's order. */
const tests: DocumentTest[] = [csaf_2_0_strict as DocumentTest, ...(Object.values(mandatoryTests) as DocumentTest[])];

export interface CsafValidationError {
  /** JSON Pointer into the document. */
  instancePath: string;
  message: string;
  /** The validator's test that failed, e.g. `csaf_2_0_strict` or `mandatoryTest_6_1_27_10`. */
  test: string;
}

export interface CsafValidation {
  valid: boolean;
  errors: CsafValidationError[];
}

/** Runs the schema and mandatory tests; `valid` is true only when none reports an error. */
export async function validateCsaf(doc: unknown): Promise<CsafValidation> {
  const result = await validateStrict(tests, doc);
  const errors = result.tests.flatMap((t) =>
    t.errors.map((e) => ({ instancePath: e.instancePath, message: e.message, test: t.name })),
  );
  return { valid: result.isValid && errors.length === 0, errors };
}

/** The names of the tests `validateCsaf` runs, for reports. */
export const csafTestNames: readonly string[] = tests.map((t) => (t as { name: string }).name);
