import parseSpdxExpression from 'spdx-expression-parse';

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
  return isSpdxExpression(text) ? { kind: 'expression', expression: text } : { kind: 'name', name: text };
}

/**
 * True when `text` parses as an SPDX expression that references only
 * licences on the SPDX list. LicenseRef-/DocumentRef- references are refused:
 * an SPDX document must define every LicenseRef it uses, and a declared
 * licence string gives us no text to define it with.
 */
export function isSpdxExpression(text: string): boolean {
  if (text.length === 0 || text.length > MAX_EXPRESSION) return false;
  if (/LicenseRef-|DocumentRef-/i.test(text)) return false;
  try {
    parseSpdxExpression(text);
    return true;
  } catch {
    return false;
  }
}
