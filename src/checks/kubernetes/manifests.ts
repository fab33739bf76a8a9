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

function toObject(value: unknown, locate: (p: Path) => SourceLocation): K8sObject | undefined {
  if (!isJson(value)) return undefined;
  const kind = value.kind;
  if (typeof kind !== 'string') return undefined;
  const meta = isJson(value.metadata) ? value.metadata : {};
  return {
    kind,
    apiVersion: typeof value.apiVersion === 'string' ? value.apiVersion : '',
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
 * Every Kubernetes object in a YAML or JSON text: multi-document YAML (`---`,
 * Helm's `# Source:` comments), `List` kinds (`kind: List` or `*List` with
 * `items`), and single JSON objects (JSON is YAML 1.2). Documents that do not
 * parse or are not objects with a `kind` are skipped and counted.
 */
export function loadManifests(text: string, file: string): { objects: K8sObject[]; skipped: number } {
  const lines = new LineCounter();
  const objects: K8sObject[] = [];
  let skipped = 0;
  // uniqueKeys false: duplicate keys do not abort the document (the last one wins, like kubectl).
  for (const doc of parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      skipped++;
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch {
      skipped++;
      continue;
    }
    if (value === null || value === undefined) continue;
    if (isJson(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        const o = toObject(item, locator(doc, ['items', i], lines, file));
        if (o) objects.push(o);
        else skipped++;
      });
      continue;
    }
    const o = toObject(value, locator(doc, [], lines, file));
    if (o) objects.push(o);
    else skipped++;
  }
  return { objects, skipped };
}
