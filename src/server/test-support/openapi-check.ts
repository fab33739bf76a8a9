/**
 * Checks responses against the app's OpenAPI 3.1 document: the document
 * itself with a real OpenAPI validator, then each answer's body with the
 * JSON Schema (2020-12, as OpenAPI 3.1 uses) that the document gives for its
 * path, method and status. A response whose status is not documented fails.
 */
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';

interface Operation {
  readonly responses?: Record<string, { readonly content?: Record<string, { readonly schema?: unknown }> }>;
}
type Document = { readonly openapi: string; readonly paths: Record<string, Record<string, Operation>> };

export async function validateDocument(doc: unknown): Promise<void> {
  const res = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
  if (!res.valid)
    assert.fail(`the OpenAPI document is invalid: ${String(JSON.stringify(res.errors, null, 2)).slice(0, 4000)}`);
}

export class ResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: { re: RegExp; template: string }[];
  readonly checked = new Set<string>();

  constructor(private readonly doc: Document) {
    this.routes = Object.keys(doc.paths).map((template) => ({
      template,
      re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** Assert that `body` (parsed JSON) is what the document says `method url` answers with `status`. */
  check(method: string, url: string, status: number, body: unknown): void {
    const path = url.split('?')[0] ?? url;
    const route = this.routes.find((r) => r.re.test(path));
    assert.ok(route, `${method} ${path} is not in the OpenAPI document`);
    const op = this.doc.paths[route.template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${route.template} is not documented`);
    const res = op.responses?.[String(status)];
    assert.ok(res, `${method} ${route.template} does not document status ${status.toString()}`);
    this.checked.add(`${method} ${route.template} ${status.toString()}`);
    const schema = res.content?.['application/json']?.schema;
    if (schema === undefined) return;
    const validate = this.ajv.compile(schema as object);
    if (!validate(body)) {
      assert.fail(
        `${method} ${path} ${status.toString()}: the body does not match the documented schema: ${this.ajv.errorsText(validate.errors)}\n${String(JSON.stringify(body)).slice(0, 1000)}`,
      );
    }
  }
}
