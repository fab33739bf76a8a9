/**
 * Match every package of an inventory against the vulnerability DB. Each package
 * goes to the matcher for its ecosystem (MATCHERS); what cannot be decided (no
 * data for the distro release, an invalid version) becomes a MatchNote, never a
 * guess or a crash. Findings are sorted by severity (critical first), then
 * package name, package version, ID and package ID.
 */
import type { Ecosystem, Package } from '../core/index.js';
import { OS_ECOSYSTEMS, severityRank, toCustomsError } from '../core/index.js';
import type { Inventory } from '../sbom/index.js';
import type { VulnDbReader } from '../vulndb/index.js';
import { distroKey } from './distro-key.js';
import { LANGUAGE_ECOSYSTEMS } from './language-ecosystems.js';
import { MATCHERS } from './matchers.js';
import { memoReader } from './memo-reader.js';
import { mergeFindings } from './merge-findings.js';
import type { MatchEnv, MatchNote, MatchOptions, MatchResult, Matcher, VulnFinding } from './types.js';

/** critical → unknown, then package name, version, ID, package ID (the documented order of `customs scan`). */
export function compareFindings(a: VulnFinding, b: VulnFinding): number {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    cmp(a.package.name, b.package.name) ||
    cmp(a.package.version, b.package.version) ||
    cmp(a.id, b.id) ||
    cmp(a.packageId, b.packageId)
  );
}

function builtOn(db: VulnDbReader, opts: MatchOptions): string {
  const built = (opts.metadata ?? db.metadata).builtAt;
  return built ? ` (built ${built.slice(0, 10)})` : '';
}

export function matchInventory(inv: Inventory, reader: VulnDbReader, opts: MatchOptions = {}): MatchResult {
  const db = memoReader(reader);
  const notes = new Map<string, MatchNote>();
  const note = (n: MatchNote): void => {
    if (!notes.has(n.message)) notes.set(n.message, n);
  };
  const key = opts.distroKey ?? distroKey(inv.os);
  const env: MatchEnv = { db, os: inv.os, distroKey: key, note };
  const byEcosystem = new Map<Ecosystem, Matcher>();
  for (const m of MATCHERS) for (const e of m.ecosystems) byEcosystem.set(e, m);

  const present = new Set(inv.packages.map((p) => p.ecosystem));
  const hasOs = OS_ECOSYSTEMS.some((e) => present.has(e));
  if (hasOs) {
    if (inv.os === undefined) {
      note({
        message:
          'the target has distro packages but states no distro release (no os-release, no OS in the SBOM, no purl distro qualifier), so they were not matched; give it with --distro NAME:VERSION (e.g. debian:12)',
      });
    } else if (key === undefined) {
      note({
        message: `no advisory feed for ${inv.os.name || inv.os.family} ${inv.os.version}: its distro packages were not matched`,
      });
    } else if (!db.hasEcosystem(key)) {
      note({
        message: `no advisories for ${key.replace(':', ' ')} in this DB${builtOn(db, opts)}; run customs db update`,
        ecosystem: key,
      });
    }
    if (inv.os?.eol === true) {
      note({
        message: `${inv.os.name || inv.os.family} is past its end of life: the distro publishes no more fixes, so absent findings mean little`,
      });
    }
  }
  for (const eco of LANGUAGE_ECOSYSTEMS) {
    if (present.has(eco.ecosystem) && !db.hasEcosystem(eco.osv)) {
      note({
        message: `no ${eco.osv} advisories in this DB${builtOn(db, opts)}; its ${eco.ecosystem} packages were not matched`,
        ecosystem: eco.osv,
      });
    }
  }

  const findings: VulnFinding[] = [];
  for (const pkg of inv.packages) {
    const matcher = byEcosystem.get(pkg.ecosystem);
    if (matcher === undefined) continue;
    findings.push(...matchPackage(pkg, matcher, env, db));
  }
  findings.sort(compareFindings);
  return { findings, notes: [...notes.values()] };
}

function matchPackage(pkg: Package, matcher: Matcher, env: MatchEnv, db: VulnDbReader): VulnFinding[] {
  try {
    const m = matcher.match(pkg, env);
    return m === undefined ? [] : mergeFindings(pkg, m, db);
  } catch (e) {
    // A bad version or record must not end the scan: say which package could not be decided.
    const err = toCustomsError(e);
    env.note({ message: `${pkg.ecosystem} ${pkg.name} ${pkg.version} could not be matched: ${err.message}` });
    return [];
  }
}
