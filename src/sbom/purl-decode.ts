import { PackageURL } from 'packageurl-js';
import { ECOSYSTEMS, type Ecosystem, pep503 } from '../core/index.js';

/** A package's identity decoded from its purl (the inverse of core's purlOf). */
export interface DecodedPurl {
  readonly ecosystem: Ecosystem;
  /** Name as the ecosystem spells it (Maven group:artifact, npm @scope/name, Go module path). */
  readonly name: string;
  readonly version: string;
  /** purl namespace: for OS packages the distro family (debian, alpine …). */
  readonly namespace?: string;
  readonly arch?: string;
  readonly epoch?: number;
  /** From the `upstream` qualifier (OS packages). */
  readonly source?: { readonly name: string; readonly version: string };
  /** Qualifiers not captured by the fields above. */
  readonly qualifiers?: Readonly<Record<string, string>>;
}

export type DecodeResult =
  | { readonly ok: true; readonly value: DecodedPurl }
  | { readonly ok: false; readonly reason: string };

const KNOWN = new Set<string>(ECOSYSTEMS);
const OS = new Set(['deb', 'rpm', 'apk']);
const MAX_PURL = 8192;

/**
 * Decode a purl (purl-spec) into the package model. `displayName` is the
 * name the SBOM shows beside the purl: for pypi, whose purl name is PEP 503
 * normalised, it keeps the original spelling when it normalises to the same.
 */
export function decodePurl(purl: string, displayName?: string): DecodeResult {
  if (purl.length > MAX_PURL) return { ok: false, reason: `purl longer than ${MAX_PURL} characters` };
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch (e) {
    return { ok: false, reason: `invalid purl: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!KNOWN.has(p.type)) return { ok: false, reason: `purl type "${p.type}" is not an ecosystem customs knows` };
  const ecosystem = p.type as Ecosystem;
  const q: Record<string, string> = { ...(p.qualifiers ?? {}) };
  const version = p.version ?? '';
  let name = p.name;
  let arch: string | undefined;
  let epoch: number | undefined;
  let source: { name: string; version: string } | undefined;
  let outVersion = version;

  if (OS.has(ecosystem)) {
    arch = take(q, 'arch');
    const e = take(q, 'epoch');
    delete q.distro;
    const upstream = take(q, 'upstream');
    const epochNum = e !== undefined && /^[0-9]{1,9}$/.test(e) ? Number(e) : undefined;
    if (ecosystem === 'deb') {
      // Debian versions carry their epoch ("1:9.2p1-2", deb-version(7)); some tools move it to a qualifier.
      if (epochNum !== undefined && epochNum !== 0 && !version.includes(':')) outVersion = `${epochNum}:${version}`;
      else if (epochNum !== undefined && epochNum !== 0) epoch = epochNum;
    } else if (epochNum !== undefined) {
      epoch = epochNum;
    }
    if (upstream) source = decodeUpstream(ecosystem, upstream, outVersion);
  } else {
    switch (ecosystem) {
      case 'npm':
        if (p.namespace) name = `${p.namespace}/${p.name}`;
        break;
      case 'maven':
        if (p.namespace) name = `${p.namespace}:${p.name}`;
        break;
      case 'golang':
      case 'composer':
        if (p.namespace) name = `${p.namespace}/${p.name}`;
        break;
      case 'pypi':
        if (displayName && pep503(displayName) === pep503(p.name)) name = displayName;
        break;
      default:
        if (p.namespace) name = `${p.namespace}/${p.name}`;
        break;
    }
  }
  const value: DecodedPurl = {
    ecosystem,
    name,
    version: outVersion,
    ...(p.namespace !== undefined && OS.has(ecosystem) ? { namespace: p.namespace } : {}),
    ...(arch !== undefined ? { arch } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(Object.keys(q).length > 0 ? { qualifiers: q } : {}),
  };
  return { ok: true, value };
}

function take(q: Record<string, string>, key: string): string | undefined {
  const v = q[key];
  delete q[key];
  return v;
}

/**
 * The `upstream` qualifier: purl-spec deb says "name" or "name@version" of the
 * source package; rpm tools write the source RPM ("openssl-3.0.7-1.el9.src.rpm").
 * Without a version, the source has the binary's version (the common case).
 */
function decodeUpstream(eco: Ecosystem, upstream: string, version: string): { name: string; version: string } {
  const at = upstream.indexOf('@');
  if (at > 0) return { name: upstream.slice(0, at), version: upstream.slice(at + 1) };
  if (eco === 'rpm') {
    const m = /^(.+)-([^-]+)-([^-]+)\.(?:src|nosrc)\.rpm$/.exec(upstream);
    if (m?.[1] && m[2] && m[3]) return { name: m[1], version: `${m[2]}-${m[3]}` };
  }
  return { name: upstream, version };
}
