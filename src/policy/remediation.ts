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
import { compareStrings } from '../core/index.js';
import { compareVersionsOrText, schemeForEcosystem } from '../version/index.js';

/** The upgrade one package needs to clear the given findings, and which findings it clears. */
export interface UpgradeTarget {
  readonly finding: VulnFinding;
  readonly to: string;
  readonly how: 'upgrade' | 'rebuild-base';
  /** IDs of the findings the upgrade clears, sorted. */
  readonly findingIds: readonly string[];
}

/** Per package: the highest of the lowest fixed versions its findings need (in the package's version order). */
export function upgradeTargets(findings: readonly VulnFinding[], baseLayer: string | undefined): UpgradeTarget[] {
  const byPackage = new Map<string, { f: VulnFinding; to: string; clears: Set<string> }>();
  for (const f of findings) {
    const scheme = schemeForEcosystem(f.package.ecosystem);
    const cmp = (a: string, b: string): number => compareVersionsOrText(scheme, a, b);
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
      finding: f,
      to,
      how: baseLayer !== undefined && f.layer === baseLayer ? ('rebuild-base' as const) : ('upgrade' as const),
      findingIds: [...clears].sort(),
    }))
    .sort(
      (a, b) =>
        compareStrings(a.finding.package.name, b.finding.package.name) ||
        compareStrings(a.finding.installedVersion, b.finding.installedVersion),
    );
}

/** Remediation of a policy's failing rules: each upgrade names the findings it clears. */
export function remediate(findings: readonly VulnFinding[], baseLayer: string | undefined): Remediation[] {
  return upgradeTargets(findings, baseLayer).map((t) => ({
    package: t.finding.package.name,
    from: t.finding.installedVersion,
    to: t.to,
    how: t.how,
    clears: t.findingIds,
  }));
}
