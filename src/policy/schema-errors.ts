/**
 * Schema errors a person can act on: one line per problem, at a path written the way
 * the YAML reads (`rules[0].action`), saying what was found and what is allowed
 * (`"block" is not one of fail, warn`). TypeBox reports some problems twice (a missing
 * property is both "required" and "Expected string"); the first per path is kept.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value, type ValueError, ValueErrorType } from '@sinclair/typebox/value';

/** "/rules/0/action" → "rules[0].action"; "" → "(top level)". */
export function yamlPath(pointer: string): string {
  if (pointer === '') return '(top level)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

const shown = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** The literal values a schema allows, when it is one literal or a union of literals. */
function literalsOf(schema: TSchema): unknown[] | undefined {
  if ('const' in schema) return [schema.const];
  const any = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!Array.isArray(any) || any.length === 0) return undefined;
  const values: unknown[] = [];
  for (const s of any) {
    if (!('const' in s)) return undefined;
    values.push(s.const);
  }
  return values;
}

function describe(e: ValueError): string {
  const literals = literalsOf(e.schema);
  if (e.type === ValueErrorType.ObjectRequiredProperty) return 'is required';
  if (literals !== undefined && e.value !== undefined) {
    const choices = literals.map((v) => (typeof v === 'string' ? v : shown(v))).join(', ');
    return literals.length === 1 ? `${shown(e.value)} is not ${choices}` : `${shown(e.value)} is not one of ${choices}`;
  }
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    const props = Object.keys((e.schema as { properties?: Record<string, unknown> }).properties ?? {});
    return `unknown field${props.length > 0 ? `; allowed here: ${props.join(', ')}` : ''}`;
  }
  return e.value === undefined ? e.message : `${e.message} (got ${shown(e.value)})`;
}

/** Every problem of `value` against `schema`, once each: "rules[0].action: "block" is not one of fail, warn". */
export function schemaProblems(schema: TSchema, value: unknown): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    out.push(`${yamlPath(e.path)}: ${describe(e)}`);
  }
  return out;
}
