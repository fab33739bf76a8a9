import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { SourceLocation } from '../types.js';

export type Path = readonly (string | number)[];
export type Json = Record<string, unknown>;

/** One Kubernetes object of the input, with a way back to its lines. */
export interface K8sObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  /** metadata.namespace, or "default" when unset (what kubectl apply would use). */
  readonly namespace: string;
  readonly value: Json;
  /** 1-based lines of the field at `path` (relative to the object), or of its nearest present parent. */
  locate(path: Path): SourceLocation;
}

export function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function get(v: unknown, path: Path): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isJson(cur) ? cur[p] : undefined;
  }
  return cur;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function locator(doc: Document, base: Path, lines: LineCounter, file: string): (path: Path) => SourceLocation {
  return (path) => {
    const full = [...base, ...path];
    for (let n = full.length; n >= 0; n--) {
      const parent = n === 0 ? doc.contents : doc.getIn(full.slice(0, n - 1), true);
      const last = full[n - 1];
      let range: readonly number[] | null | undefined;
      if (n === 0) range = doc.contents?.range;
      else if (isMap(parent)) {
        // Point at the key of the field: `privileged: true` is one line, a map value starts below its key.
        const pair = parent.items.find((it) => (isScalar(it.key) ? it.key.value : it.key) === last);
        const key = pair?.key;
        const value = pair?.value as { range?: readonly number[] } | null | undefined;
        if (pair && isScalar(key) && key.range) range = [key.range[0], value?.range?.[1] ?? key.range[1]];
      } else {
        const node = doc.getIn(full.slice(0, n), true) as { range?: readonly number[] } | undefined;
        range = node?.range;
      }
      if (range && range.length >= 2) {
        const start = lines.linePos(range[0] as number).line;
        // range[1] is the end of the value; a block value ends just after its last line's newline.
        const end = lines.linePos(Math.max(range[0] as number, (range[1] as number) - 1)).line;
        return { path: file, startLine: start, endLine: Math.max(start, end) };
      }
    }
    return { path: file, startLine: 1, endLine: 1 };
  };
}

function toObject(value: Json, locate: (p: Path) => SourceLocation): K8sObject {
  const meta = isJson(value.metadata) ? value.metadata : {};
  return {
    kind: value.kind as string,
    apiVersion: value.apiVersion as string,
    name:
      typeof meta.name === 'string'
        ? meta.name
        : typeof meta.generateName === 'string'
          ? `${meta.generateName}*`
          : '(unnamed)',
    namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default',
    value,
    locate,
  };
}

/**
 * An object already parsed (an AdmissionReview's `request.object`): no text
 * to point into, so every location is line 1 of `file`.
 */
export function objectOfValue(value: Json, file: string): K8sObject | undefined {
  if (!isK8sObject(value)) return undefined;
  const location: SourceLocation = { path: file, startLine: 1, endLine: 1 };
  return toObject(value, () => location);
}

/** Why part of a text is not a Kubernetes manifest: the file, the 1-based line, what was expected. */
export interface ManifestProblem {
  readonly path: string;
  readonly line: number;
  readonly message: string;
}

const EXPECTED =
  'expected a Kubernetes object: a mapping with apiVersion and kind, such as "apiVersion: v1" and "kind: Pod"';

/** What a document's value is, for "got …" in messages. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'string') return /^FROM\s/i.test(value) ? 'text (it looks like a Dockerfile)' : 'a string';
  if (!isJson(value)) return `a ${typeof value}`;
  const missing = ['apiVersion', 'kind'].filter((k) => typeof value[k] !== 'string' || value[k] === '');
  return `a mapping without ${missing.join(' and ')}`;
}

const isK8sObject = (v: unknown): v is Json =>
  isJson(v) && typeof v.kind === 'string' && v.kind !== '' && typeof v.apiVersion === 'string' && v.apiVersion !== '';

/**
 * Every Kubernetes object in a YAML or JSON text: multi-document YAML (`---`,
 * Helm's `# Source:` comments), `List` kinds (`kind: List` or `*List` with
 * `items`), and single JSON objects (JSON is YAML 1.2). Empty documents (a
 * rendered chart leaves some) are fine. A document that does not parse, or
 * whose value is not an object with apiVersion and kind (what `kubectl
 * apply` requires), is a problem naming its line: the caller turns problems
 * into an input error rather than reporting nothing for them.
 */
export function loadManifests(text: string, file: string): { objects: K8sObject[]; problems: ManifestProblem[] } {
  const lines = new LineCounter();
  const objects: K8sObject[] = [];
  const problems: ManifestProblem[] = [];
  const lineOf = (offset: number | undefined): number => lines.linePos(offset ?? 0).line;
  // uniqueKeys false: duplicate keys do not abort the document (the last one wins, like kubectl).
  for (const doc of parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false })) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const error = doc.errors[0];
    if (error) {
      const first = error.message.split('\n')[0] ?? error.message;
      problems.push({ path: file, line: lineOf(error.pos[0]), message: `not valid YAML: ${first}` });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push({ path: file, line: lineOf(start), message: `not valid YAML: ${(e as Error).message}` });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (isJson(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        const locate = locator(doc, ['items', i], lines, file);
        if (isK8sObject(item)) objects.push(toObject(item, locate));
        else
          problems.push({
            path: file,
            line: locate([]).startLine,
            message: `items[${i}] of ${value.kind} is ${describe(item)} (${EXPECTED})`,
          });
      });
      continue;
    }
    if (isK8sObject(value)) objects.push(toObject(value, locator(doc, [], lines, file)));
    else
      problems.push({ path: file, line: lineOf(start), message: `the document is ${describe(value)} (${EXPECTED})` });
  }
  return { objects, problems };
}
