/**
 * The smallest set of upgrades that clears the vulnerability findings of the
 * failing rules: each finding belongs to one package, so every package with a
 * fixable finding needs one upgrade, to the highest of the lowest fixed
 * versions its findings need. Findings without a fix cannot be cleared by an
 * upgrade and are left out. A package from the base layer is fixed by
 * rebuilding on a newer base image ("rebuild-base"), not by upgrading it in
 * the app layers.
 */
import type { VulnFinding } from '../match/index.js';
import type { Remediation } from './types.js';
import { schemeOfEcosystem } from './version-constraint.js';

export function remediate(findings: readonly VulnFinding[], baseLayer: string | undefined): Remediation[] {
  const byPackage = new Map<string, { f: VulnFinding; to: string; clears: Set<string> }>();
  for (const f of findings) {
    const scheme = schemeOfEcosystem(f.package.ecosystem);
    const cmp = (a: string, b: string): number => {
      if (scheme === undefined) return a < b ? -1 : a > b ? 1 : 0;
      try {
        return scheme.compare(a, b);
      } catch {
        return a < b ? -1 : a > b ? 1 : 0;
      }
    };
    // The lowest fix above the installed version (fixedVersions can list several branches).
    const candidates = f.fixedVersions.filter((v) => cmp(v, f.installedVersion) > 0).sort(cmp);
    const need = candidates[0];
    if (need === undefined) continue;
    const key = f.packageId;
    const cur = byPackage.get(key);
    if (cur === undefined) byPackage.set(key, { f, to: need, clears: new Set([f.id]) });
    else {
      cur.clears.add(f.id);
      if (cmp(need, cur.to) > 0) cur.to = need;
    }
  }
  return [...byPackage.values()]
    .map(({ f, to, clears }) => ({
      package: f.package.name,
      from: f.installedVersion,
      to,
      how: baseLayer !== undefined && f.layer === baseLayer ? 'rebuild-base' : 'upgrade',
      clears: [...clears].sort(),
    }))
    .sort((a, b) =>
      a.package < b.package ? -1 : a.package > b.package ? 1 : a.from < b.from ? -1 : a.from > b.from ? 1 : 0,
    );
}
