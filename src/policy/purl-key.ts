/**
 * purl comparison for VEX and exceptions: the purl spec
 * (https://github.com/package-url/purl-spec) makes the type case-insensitive
 * and components percent-encoded; qualifiers and subpath do not change which
 * package is meant for our purposes (a VEX product "pkg:deb/debian/openssl"
 * speaks of every openssl package, with or without distro/arch qualifiers).
 */
export interface PurlKey {
  /** "pkg:type/namespace/name", type lower-cased, components decoded. */
  readonly base: string;
  readonly version?: string;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function purlKey(purl: string): PurlKey | undefined {
  if (!/^pkg:/i.test(purl)) return undefined;
  let rest = purl.slice(4).replace(/^\/+/, '');
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > rest.lastIndexOf('/')) {
    version = decode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const parts = rest.split('/').filter((p) => p !== '');
  const type = parts.shift()?.toLowerCase();
  if (type === undefined || parts.length === 0) return undefined;
  const base = `pkg:${type}/${parts.map(decode).join('/')}`;
  return version !== undefined && version !== '' ? { base, version } : { base };
}

/** True when `pattern` (a purl, maybe without version) names the package `purl`. */
export function purlMatches(pattern: string, purl: string): boolean {
  const p = purlKey(pattern);
  const t = purlKey(purl);
  if (p === undefined || t === undefined) return false;
  return p.base === t.base && (p.version === undefined || p.version === t.version);
}
