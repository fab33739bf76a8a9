import { isRecord } from './limits.js';

/**
 * The licence an npm package.json declares, as written. package.json(5):
 * `license` is an SPDX expression string; the deprecated forms are an object
 * `{type, url}` and a `licenses` array of such objects (or strings). Several
 * legacy entries mean the user may pick one, hence " OR ".
 */
export function npmLicense(pkg: Record<string, unknown>): string | undefined {
  const one = licenseName(pkg.license);
  if (one !== undefined) return one;
  const list = pkg.licenses;
  if (Array.isArray(list)) {
    const names = list.map(licenseName).filter((n): n is string => n !== undefined);
    if (names.length > 0) return names.join(' OR ');
  } else {
    return licenseName(list);
  }
  return undefined;
}

function licenseName(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (isRecord(v) && typeof v.type === 'string' && v.type.trim() !== '') return v.type.trim();
  return undefined;
}
