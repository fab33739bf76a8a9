/**
 * Reading documents customs is handed (VEX, SBOMs, policies, secret configs,
 * saved results): a key from a document must never reach Object.prototype,
 * and a document must not nest deeper than code that walks it can follow.
 *
 * Depth: V8's JSON.parse is iterative (Node 20 parses 2,000,000 nested arrays
 * without a stack overflow), so JSON is parsed first and its depth measured
 * after, iteratively (nestingProblem). YAML is measured before it is parsed
 * (yaml-nesting.ts): the yaml package recurses while composing a document,
 * and a 2 MB file of nested flow sequences costs it half a minute and a
 * gigabyte before it reports a stack overflow.
 */
/**
 * Deepest nesting read in a document. The formats need far less (a CycloneDX
 * BOM with components nested 64 deep, the most its reader follows, is about
 * 135 levels of JSON), and code that walks a value recursively (schema
 * validators, stableJson, structuredClone) is safe well beyond it.
 */
export const MAX_NESTING = 256;

/** `table[key]` when `key` is the table's own property; never a member of Object.prototype. */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

interface Frame {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  next: number;
}

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

function frameOf(v: object): Frame {
  if (Array.isArray(v)) return { keys: [], values: v, next: 0 };
  const keys = Object.keys(v);
  return { keys, values: keys.map((k) => (v as Record<string, unknown>)[k]), next: 0 };
}

/**
 * Why a parsed value nests too deeply ("nested more than 256 levels deep at
 * /a/0/b/…"), or undefined. Iterative: the walk itself cannot overflow the
 * stack, and it stops at the first container past the limit.
 */
export function nestingProblem(value: unknown, limit = MAX_NESTING): string | undefined {
  if (!isContainer(value)) return undefined;
  const stack: Frame[] = [frameOf(value)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (top.next >= top.values.length) {
      stack.pop();
      continue;
    }
    const child = top.values[top.next++];
    if (!isContainer(child)) continue;
    if (stack.length >= limit) return `nested more than ${limit} levels deep at ${pointer(stack)}`;
    stack.push(frameOf(child));
  }
  return undefined;
}

/** A JSON Pointer (RFC 6901) to where the walk is, shortened after eight steps. */
function pointer(stack: readonly Frame[]): string {
  const steps = stack.slice(0, 8).map((f) => {
    const i = f.next - 1;
    const key = f.keys.length > 0 ? (f.keys[i] ?? '') : String(i);
    return key.replaceAll('~', '~0').replaceAll('/', '~1');
  });
  return `/${steps.join('/')}${stack.length > 8 ? '/…' : ''}`;
}

/** What hasFields checks a field for: `object` is a non-null object (arrays included). */
export type FieldType = 'string' | 'number' | 'object';

/**
 * True when `v` is a non-null object whose named fields have these types: the shape check
 * of a row read back from a cache or a store, before it stands for a result.
 */
export function hasFields(v: unknown, fields: Readonly<Record<string, FieldType>>): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  for (const [name, type] of Object.entries(fields)) {
    const x = r[name];
    if (type === 'object' ? typeof x !== 'object' || x === null : typeof x !== type) return false;
  }
  return true;
}
