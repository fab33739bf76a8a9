/**
 * Test support: responses checked against Harbor's pluggable scanner spec
 * (testdata/scanner-adapter-openapi-v1.1.yaml): the operation must declare
 * the status, the Content-Type must be one the spec lists for it, and the
 * body must validate against that content's JSON schema (ajv; the spec's
 * OpenAPI 3.0 schemas are JSON Schema with a few extra keywords).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { testdata } from '../../../core/test-support/testdata.js';

interface Operation {
  readonly responses: Record<string, { readonly content?: Record<string, { readonly schema?: { $ref?: string } }> }>;
}
interface SpecDoc {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

const SPEC_ID = 'harbor-scanner-spec';

export interface SpecChecker {
  readonly doc: SpecDoc;
  /** Assert a response conforms; returns the parsed body when it has one. */
  check(
    path: string,
    method: string,
    res: { statusCode: number; headers: Record<string, unknown>; body: string },
  ): unknown;
}

export function loadSpec(): SpecChecker {
  const doc = parse(
    readFileSync(testdata(import.meta.url.replace('/test-support/', '/'), 'scanner-adapter-openapi-v1.1.yaml'), 'utf8'),
  ) as SpecDoc;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat('url', (s: string) => URL.canParse(s));
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addSchema({ $id: SPEC_ID, components: doc.components });
  return {
    doc,
    check(path, method, res) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `the spec has no ${method.toUpperCase()} ${path}`);
      const declared = op.responses[String(res.statusCode)];
      assert.ok(declared, `${method.toUpperCase()} ${path} → ${res.statusCode}, a status the spec does not declare`);
      if (!declared.content) return undefined;
      const type = String(res.headers['content-type'] ?? '');
      const media = declared.content[type];
      assert.ok(
        media,
        `${method.toUpperCase()} ${path} → ${res.statusCode} as ${JSON.stringify(type)}; the spec lists ${Object.keys(declared.content).join(' | ')}`,
      );
      const body = JSON.parse(res.body) as unknown;
      const ref = media.schema?.$ref;
      if (ref) {
        const validate = ajv.getSchema(`${SPEC_ID}${ref}`);
        assert.ok(validate, `no schema ${ref}`);
        assert.ok(validate(body), `${ref}: ${ajv.errorsText(validate.errors)}\n${res.body.slice(0, 2000)}`);
      }
      return body;
    },
  };
}
