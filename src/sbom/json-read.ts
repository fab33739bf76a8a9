import { CustomsError, nestingProblem } from '../core/index.js';

/** Helpers shared by the SBOM readers (CycloneDX, SPDX): untrusted JSON, checked field by field. */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An SBOM_INVALID error whose message starts with the format ("CycloneDX: …"). */
export function sbomInvalid(format: string, message: string): CustomsError {
  return new CustomsError('SBOM_INVALID', `${format}: ${message}`);
}

/** Parse a JSON SBOM document that must be an object. */
export function parseJsonObject(text: string, format: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw sbomInvalid(
      format,
      `not valid JSON (${e instanceof Error ? e.message : String(e)}); only the JSON format is read`,
    );
  }
  // Bounded before any reader walks it (core/untrusted-data.ts).
  const deep = nestingProblem(doc);
  if (deep !== undefined) throw sbomInvalid(format, deep);
  if (!isObject(doc)) throw sbomInvalid(format, 'the document is not a JSON object');
  return doc;
}

/** Name/value pairs where a name may repeat (CycloneDX properties, SPDX annotations). */
export interface NamedValues {
  readonly entries: readonly (readonly [string, string])[];
  first(name: string): string | undefined;
  all(name: string): string[];
}

/**
 * The values whose name starts with `prefix`, keyed by the rest of the name (later ones win).
 * Built with fromEntries: assigning a key "__proto__" from a document would drop it.
 */
export function prefixedRecord(values: NamedValues, prefix: string): Record<string, string> {
  return Object.fromEntries(
    values.entries.filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v] as const),
  );
}

export function namedValues(entries: readonly (readonly [string, string])[]): NamedValues {
  return {
    entries,
    first: (name) => entries.find(([k]) => k === name)?.[1],
    all: (name) => entries.filter(([k]) => k === name).map(([, v]) => v),
  };
}
