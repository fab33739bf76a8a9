import parseSpdxExpression from 'spdx-expression-parse';
import { spdxExceptionId, spdxLicenseId } from './spdx-ids.js';

/**
 * A declared licence, classified for SBOM output: a valid SPDX licence
 * expression (SPDX 2.3 Annex D, checked with spdx-expression-parse against
 * the SPDX licence list) or a free-text name.
 */
export type ClassifiedLicense =
  | { readonly kind: 'expression'; readonly expression: string }
  | { readonly kind: 'name'; readonly name: string };

/** Expressions longer than this are not parsed (hostile input stays bounded). */
const MAX_EXPRESSION = 4096;

export function classifyLicense(declared: string): ClassifiedLicense | undefined {
  const text = declared.trim();
  if (text === '') return undefined;
  const expression = toSpdxExpression(text);
  return expression !== undefined ? { kind: 'expression', expression } : { kind: 'name', name: text };
}

/**
 * The SPDX expression `text` denotes, with licence ids in the list's
 * spelling, or undefined when it is not one. Annex D: licence ids match
 * case-insensitively ("mit" is MIT), operators must be AND/OR/WITH.
 * LicenseRef-/DocumentRef- references are refused: an SPDX document must
 * define every LicenseRef it uses, and a declared licence string gives no
 * text to define it with.
 */
export function toSpdxExpression(text: string): string | undefined {
  if (text.length === 0 || text.length > MAX_EXPRESSION) return undefined;
  if (/LicenseRef-|DocumentRef-/i.test(text)) return undefined;
  let badOperator = false;
  const canonical = text.replace(/[A-Za-z0-9][A-Za-z0-9.-]*/g, (word) => {
    if (word === 'AND' || word === 'OR' || word === 'WITH') return word;
    const lower = word.toLowerCase();
    // Annex D.2: operators match case-sensitively, so "MIT and BSD" is not an expression.
    if (lower === 'and' || lower === 'or' || lower === 'with') badOperator = true;
    return spdxExceptionId(lower) ?? spdxLicenseId(lower) ?? word;
  });
  if (badOperator) return undefined;
  try {
    parseSpdxExpression(canonical);
    return canonical;
  } catch {
    return undefined;
  }
}

export function isSpdxExpression(text: string): boolean {
  return toSpdxExpression(text) !== undefined;
}

/** What an SBOM's licence field will say for a declared licence (undefined: nothing). */
export function licenseAsWritten(declared: string): string | undefined {
  const c = classifyLicense(declared);
  return c === undefined ? undefined : c.kind === 'expression' ? c.expression : c.name;
}
