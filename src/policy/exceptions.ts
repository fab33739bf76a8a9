/**
 * Which exception or VEX statement suppresses a finding. An exception applies
 * when every field it sets matches (advisory AND package AND image AND path,
 * and the rule when `rules` is set) and it has not expired.
 */
import type { Inventory } from '../sbom/index.js';
import { globMatch } from './glob.js';
import type { Hit } from './input.js';
import type { PolicyException } from './policy-model.js';
import { purlMatches } from './purl-key.js';
import type { VexDocument, VexStatement } from './vex.js';

/**
 * `package`: a purl (with or without version: qualifiers ignored), a name,
 * or name@version (npm scopes keep their leading "@").
 */
export function packageMatches(
  pattern: string,
  pkg: { readonly name: string; readonly version: string; readonly purl: string },
): boolean {
  if (/^pkg:/i.test(pattern)) return purlMatches(pattern, pkg.purl);
  if (pattern === pkg.name) return true;
  const at = pattern.lastIndexOf('@');
  return at > 0 && pattern.slice(0, at) === pkg.name && pattern.slice(at + 1) === pkg.version;
}

/** Names the image is known by: the target, its tags and digests, and manifest / config digests. */
export function imageNames(inv: Inventory): string[] {
  const t = inv.target;
  return [t.name, ...t.repoTags, ...t.repoDigests, t.manifestDigest, t.configDigest].filter(
    (x): x is string => x !== undefined,
  );
}

export function exceptionMatches(ex: PolicyException, hit: Hit, ruleId: string, images: readonly string[]): boolean {
  const s = ex.spec;
  if (s.rules !== undefined && !s.rules.includes(ruleId)) return false;
  if (s.advisory !== undefined && !hit.advisories.some((a) => a.toUpperCase() === s.advisory?.toUpperCase()))
    return false;
  if (s.package !== undefined && !hit.packages.some((p) => packageMatches(s.package ?? '', p))) return false;
  if (s.image !== undefined && !images.some((n) => globMatch(s.image ?? '', n))) return false;
  if (s.path !== undefined) {
    const glob = s.path.replace(/^\/+/, '');
    if (!hit.paths.some((p) => globMatch(glob, p.replace(/^\/+/, ''), true))) return false;
  }
  return true;
}

export interface VexMatch {
  readonly statement: VexStatement;
  readonly document: string;
}

/** A statement's product names this image (pkg:oci purl digest, reference, or digest). */
function productIsImage(product: string, images: readonly string[]): boolean {
  if (/^pkg:oci\//i.test(product)) {
    // purl-spec oci type: the version is the manifest digest.
    const at = product.indexOf('@');
    const digest = at >= 0 ? decodeURIComponent(product.slice(at + 1).split('?')[0] ?? '') : undefined;
    return digest !== undefined && images.some((n) => n === digest || n.endsWith(`@${digest}`));
  }
  return images.includes(product);
}

/**
 * The VEX statement that decides a vulnerability finding: statements naming
 * the vulnerability (id or alias) and the package (its purl as a product, or
 * the image as a product with the package among its subcomponents or no
 * subcomponents at all). Of several, the latest by timestamp wins, then the
 * later document / statement (OpenVEX: newer statements supersede older).
 */
export function vexFor(hit: Hit, docs: readonly VexDocument[], images: readonly string[]): VexMatch | undefined {
  const ids = new Set(hit.advisories.map((a) => a.toUpperCase()));
  let best: { m: VexMatch; ts: number; order: number } | undefined;
  let order = 0;
  for (const doc of docs) {
    for (const st of doc.statements) {
      order++;
      if (!st.vulnerabilities.some((v) => ids.has(v.toUpperCase()))) continue;
      const pkg = hit.packages[0];
      if (pkg === undefined) continue;
      const direct = st.products.some((p) => purlMatches(p, pkg.purl));
      const viaImage =
        st.products.some((p) => productIsImage(p, images)) &&
        (st.subcomponents.length === 0 || st.subcomponents.some((sc) => purlMatches(sc, pkg.purl)));
      if (!direct && !viaImage) continue;
      const ts = st.timestamp !== undefined ? Date.parse(st.timestamp) : Number.NEGATIVE_INFINITY;
      const t = Number.isNaN(ts) ? Number.NEGATIVE_INFINITY : ts;
      if (best === undefined || t > best.ts || (t === best.ts && order > best.order))
        best = { m: { statement: st, document: doc.path }, ts: t, order };
    }
  }
  return best?.m;
}
