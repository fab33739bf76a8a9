import { PackageURL } from 'packageurl-js';
import type { OsInfo, PackageFact } from './model.js';
import { pep503 } from './package-name.js';

/**
 * Build the purl of a package (purl-spec PURL-TYPES.rst). OS packages carry the
 * distro qualifier (`distro=debian-12`), arch and epoch as the spec says.
 */
export function purlOf(p: PackageFact, os?: OsInfo): string {
  let namespace: string | undefined;
  let name = p.name;
  const qualifiers: Record<string, string> = {};
  switch (p.ecosystem) {
    case 'deb':
    case 'rpm':
    case 'apk':
      namespace = os?.family ?? osNamespaceFallback(p.ecosystem);
      if (p.arch) qualifiers.arch = p.arch;
      if (p.epoch !== undefined && p.epoch !== 0) qualifiers.epoch = String(p.epoch);
      if (os) qualifiers.distro = `${os.family}-${os.version}`;
      if (p.ecosystem === 'deb' && p.source && p.source.name !== p.name) {
        qualifiers.upstream = p.source.version === p.version ? p.source.name : `${p.source.name}@${p.source.version}`;
      }
      if (p.ecosystem === 'rpm' && p.source) qualifiers.upstream = p.source.name;
      break;
    case 'npm': {
      const m = /^(@[^/]+)\/(.+)$/.exec(p.name);
      if (m?.[1] && m[2]) {
        namespace = m[1];
        name = m[2];
      }
      break;
    }
    case 'maven': {
      const i = p.name.indexOf(':');
      if (i > 0) {
        namespace = p.name.slice(0, i);
        name = p.name.slice(i + 1);
      }
      break;
    }
    case 'golang':
    case 'composer': {
      const i = p.name.lastIndexOf('/');
      if (i > 0) {
        namespace = p.name.slice(0, i);
        name = p.name.slice(i + 1);
      }
      break;
    }
    case 'pypi':
      // PEP 503 normalisation, as the purl spec asks for pypi names.
      name = pep503(p.name);
      break;
    default:
      break;
  }
  for (const [k, v] of Object.entries(p.qualifiers ?? {})) qualifiers[k] = v;
  const q = Object.keys(qualifiers).length > 0 ? qualifiers : undefined;
  let purl: PackageURL;
  try {
    purl = new PackageURL(p.ecosystem, namespace, name, p.version || undefined, q, undefined);
  } catch {
    // The type's rules refuse it (a Maven artifact whose group is unknown): a
    // generic purl is honest where a guessed namespace would invite false matches.
    purl = new PackageURL(
      'generic',
      undefined,
      p.name,
      p.version || undefined,
      { ...q, ecosystem: p.ecosystem },
      undefined,
    );
  }
  // purl-spec "Character encoding": '+' is always percent-encoded outside the
  // type (packageurl-js 2.0 still leaves it bare), and the colon ':' never is,
  // "whether used as a Separator Character or otherwise" (packageurl-js 2.0
  // encodes it in qualifier values).
  return purl.toString().replaceAll('+', '%2B').replaceAll('%3A', ':');
}

function osNamespaceFallback(eco: 'deb' | 'rpm' | 'apk'): string {
  return eco === 'deb' ? 'debian' : eco === 'apk' ? 'alpine' : 'redhat';
}
