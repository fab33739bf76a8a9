import { isAtLeast, OS_ECOSYSTEMS } from '../../core/index.js';
import type { VulnFinding } from '../../match/index.js';
import { describeFinding, findingRef } from '../../result/index.js';
import type { Hit, RuleContext } from '../input.js';
import type { VulnerabilitiesSpec } from '../schema.js';

const DAY_MS = 86_400_000;

/** The CVSS base score: the finding's chosen CVSS, else the highest rating with a score. */
export function cvssScore(f: VulnFinding): number | undefined {
  if (f.cvss !== undefined) return f.cvss.score;
  const scores = f.ratings.map((r) => r.score).filter((s): s is number => s !== undefined);
  return scores.length > 0 ? Math.max(...scores) : undefined;
}

export function vulnHit(f: VulnFinding): Hit {
  const finding = describeFinding('vuln', f);
  return {
    ref: findingRef(finding, 'ruleSummary'),
    advisories: finding.ruleIds,
    packages: finding.packages,
    paths: finding.paths,
    vuln: f,
  };
}

/**
 * A vulnerability matches when it meets every condition the rule sets.
 * fixAvailableForDays: the DB does not record when a fix was released, so the
 * advisory's `published` date stands in for it (distro fixes usually ship
 * with or soon after the advisory); a finding with a fix but no published
 * date does not match, and the verdict notes it.
 */
export function vulnerabilityHits(spec: VulnerabilitiesSpec, ctx: RuleContext): Hit[] {
  const out: Hit[] = [];
  let undated = 0;
  for (const f of ctx.input.vulnerabilities) {
    // minSeverity "unknown" admits every finding: unrated ranks lowest on the scale.
    if (spec.minSeverity !== undefined && !isAtLeast(f.severity, spec.minSeverity)) continue;
    if (spec.minCvss !== undefined) {
      const s = cvssScore(f);
      if (s === undefined || s < spec.minCvss) continue;
    }
    const fixable = f.fixedVersions.length > 0;
    if (spec.fixableOnly === true && !fixable) continue;
    if (spec.kev === true && !f.kev) continue;
    if (spec.epssAbove !== undefined && !(f.epss !== undefined && f.epss.score > spec.epssAbove)) continue;
    if (spec.fixAvailableForDays !== undefined) {
      if (!fixable) continue;
      const t = f.published === undefined ? Number.NaN : Date.parse(f.published);
      if (Number.isNaN(t)) {
        undated++;
        continue;
      }
      if (ctx.now.getTime() - t < spec.fixAvailableForDays * DAY_MS) continue;
    }
    if (spec.packageTypes !== undefined) {
      const type = (OS_ECOSYSTEMS as readonly string[]).includes(f.package.ecosystem) ? 'os' : 'language';
      if (!spec.packageTypes.includes(type)) continue;
    }
    if (spec.layers !== undefined) {
      const where = ctx.baseLayer !== undefined && f.layer === ctx.baseLayer ? 'base' : 'app';
      if (!spec.layers.includes(where)) continue;
    }
    out.push(vulnHit(f));
  }
  if (undated > 0) {
    ctx.note(
      `${undated.toString()} fixable vulnerabilit${undated === 1 ? 'y has' : 'ies have'} no published date; fixAvailableForDays could not age ${undated === 1 ? 'it' : 'them'}`,
    );
  }
  return out;
}
