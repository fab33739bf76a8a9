/** Reading fields of JSON the engines send (parsed at the boundary: anything unexpected becomes empty). */

export type Json = Readonly<Record<string, unknown>>;

export function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

/** A string → string map (labels); other values dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (typeof val === 'string') out[k] = val;
  return out;
}
