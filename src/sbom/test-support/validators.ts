import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { testdata } from '../../core/test-support/testdata.js';

type AddFormats = (ajv: Ajv | Ajv2020) => unknown;
// ajv-formats is CommonJS: its function is the module itself or its `default`.
const addFormats = ((ajvFormats as unknown as { default?: AddFormats }).default ??
  (ajvFormats as unknown as AddFormats)) as AddFormats;

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

/** Validates against schema/inventory-v1.json (JSON Schema 2020-12). Returns error text or ''. */
export function inventorySchemaValidator(): (json: string) => string {
  const schema = JSON.parse(
    readFileSync(new URL('../../../schema/inventory-v1.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (json) => (validate(JSON.parse(json)) ? '' : describe(validate.errors));
}

/** Validates against the official SPDX 2.3 schema (draft-07). Returns error text or ''. */
export function spdxSchemaValidator(): (json: string) => string {
  const schema = JSON.parse(
    readFileSync(testdata(new URL('../x.js', import.meta.url).href, 'spdx-schema-2.3.json'), 'utf8'),
  ) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (json) => (validate(JSON.parse(json)) ? '' : describe(validate.errors));
}

/** Validates against the official CycloneDX 1.6 strict JSON schema (the library's validator). */
export async function validateCycloneDx16(json: string): Promise<string> {
  const err: unknown = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
  return err === null ? '' : JSON.stringify(err, null, 2);
}
