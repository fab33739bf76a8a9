/**
 * The SPDX licence list and exception list (https://spdx.org/licenses/), current
 * and deprecated ids, read once from the spdx-license-ids and spdx-exceptions
 * packages. Licence classification, normalisation and categories all look ids
 * up here. SPDX 2.3 Annex D: ids match case-insensitively, so lookups take any
 * case and answer with the list's spelling.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const load = (...lists: string[]): readonly string[] => Object.freeze(lists.flatMap((l) => require(l) as string[]));

/** Every licence id, current ones first, in the list's order. */
export const SPDX_LICENSE_IDS: readonly string[] = load('spdx-license-ids', 'spdx-license-ids/deprecated');
/** Every exception id (for `WITH`), current ones first, in the list's order. */
export const SPDX_EXCEPTION_IDS: readonly string[] = load('spdx-exceptions', 'spdx-exceptions/deprecated');

const byLowerCase = (ids: readonly string[]): ReadonlyMap<string, string> =>
  new Map(ids.map((id) => [id.toLowerCase(), id]));
const LICENSES = byLowerCase(SPDX_LICENSE_IDS);
const EXCEPTIONS = byLowerCase(SPDX_EXCEPTION_IDS);

/** The licence id `word` names, in the list's spelling ("mit" → "MIT"), or undefined. */
export function spdxLicenseId(word: string): string | undefined {
  return LICENSES.get(word.toLowerCase());
}

/** The exception id `word` names, in the list's spelling, or undefined. */
export function spdxExceptionId(word: string): string | undefined {
  return EXCEPTIONS.get(word.toLowerCase());
}
