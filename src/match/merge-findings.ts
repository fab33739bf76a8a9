/**
 * Advisories about one flaw become one finding per package. IDs are joined when
 * an advisory names another as an alias (OSV `aliases`: "the same vulnerability").
 * A distro advisory that only lists the CVEs it fixes (a DSA's or USN's `upstream`)
 * is not an alias of any one of them (they are different flaws): it speaks for
 * each, so each CVE gets a finding with the advisory's ID among its aliases,
 * merged with what the CVE's own records say.
 * The primary ID is the CVE (the lowest when several), else a GHSA, else the
 * lowest ID; every other ID is an alias.
 */
import type { Package } from '../core/index.js';
import type { FixState, SeverityRating, VulnDbReader } from '../vulndb/index.js';
import { compareVersionsOrText } from '../version/index.js';
import { advisoryUrl } from './advisory-url.js';
import { pickCvss, pickSeverity } from './severity.js';
import type { Candidate, PackageMatch, VulnFinding } from './types.js';

const isCve = (id: string): boolean => /^CVE-\d{4}-\d+$/.test(id);

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The lower ID becomes the root, so groups do not depend on the order of union calls.
    if (ra < rb) this.parent.set(rb, ra);
    else if (rb < ra) this.parent.set(ra, rb);
  }
}

/** `sorted` in code-unit order. */
function primaryOf(sorted: readonly string[]): string {
  return sorted.find(isCve) ?? sorted.find((i) => i.startsWith('GHSA-')) ?? (sorted[0] as string);
}

const STATE_ORDER: readonly FixState[] = ['end-of-life', 'will-not-fix', 'unfixed'];

function stateOf(candidates: readonly Candidate[], fixed: readonly string[]): FixState {
  if (fixed.length > 0) return 'fixed';
  const states = new Set(candidates.map((c) => c.state).filter((s): s is FixState => s !== undefined));
  return STATE_ORDER.find((s) => states.has(s)) ?? 'unfixed';
}

function ratingKey(r: SeverityRating): string {
  return `${r.source}\u0000${r.severity}\u0000${r.vector ?? ''}`;
}

export function mergeFindings(pkg: Package, m: PackageMatch, db: VulnDbReader): VulnFinding[] {
  if (m.candidates.length === 0) return [];
  const uf = new UnionFind();
  // A distro advisory that only names the CVEs it fixes (upstream, no aliases) speaks for each of them.
  const entries: { c: Candidate; key: string; ids: string[] }[] = [];
  for (const c of m.candidates) {
    const upstream = c.advisory.upstream ?? [];
    if (upstream.length > 0 && c.advisory.aliases.length === 0 && !isCve(c.advisory.id)) {
      for (const u of upstream) entries.push({ c, key: u, ids: [u, c.advisory.id] });
    } else {
      for (const a of c.advisory.aliases) uf.union(c.advisory.id, a);
      entries.push({ c, key: c.advisory.id, ids: [c.advisory.id, ...c.advisory.aliases] });
    }
  }
  const groups = new Map<string, { cs: Candidate[]; ids: Set<string> }>();
  for (const e of entries) {
    const root = uf.find(e.key);
    const g = groups.get(root) ?? { cs: [], ids: new Set<string>() };
    if (!g.cs.includes(e.c)) g.cs.push(e.c);
    for (const id of e.ids) g.ids.add(id);
    groups.set(root, g);
  }
  const notAffected = new Set(m.notAffected);
  const out: VulnFinding[] = [];
  for (const { cs, ids } of groups.values()) {
    const all = [...ids].sort();
    if (notAffected.size > 0 && all.some((x) => notAffected.has(x))) continue;
    const id = primaryOf(all);
    const aliases = all.filter((x) => x !== id);
    const cves = all.filter(isCve);
    const enrich = cves.map((c) => db.enrichment(c)).filter((e) => e !== undefined);
    const primaryEnrichment = enrich.find((e) => e.cve === id) ?? enrich[0];
    const ratings: SeverityRating[] = [];
    const seen = new Set<string>();
    const add = (r: SeverityRating): void => {
      const k = ratingKey(r);
      if (!seen.has(k)) {
        seen.add(k);
        ratings.push(r);
      }
    };
    for (const c of cs) for (const r of c.affected.severity ?? []) add(r);
    for (const c of cs) for (const r of c.advisory.severity) add(r);
    for (const e of enrich) for (const r of e.severity) add(r);
    const decided = pickSeverity(ratings, m.kind);
    const cvss = pickCvss(ratings, m.kind);
    const fixed = sortVersions([...new Set(cs.flatMap((c) => c.fixedVersions))], m);
    const lead = cs.find((c) => c.advisory.id === id) ?? cs.find((c) => c.advisory.summary !== undefined) ?? cs[0];
    const title =
      cs.find((c) => c.advisory.id === id && c.advisory.summary)?.advisory.summary ??
      cs.find((c) => c.advisory.summary)?.advisory.summary;
    const published = lead?.advisory.published ?? primaryEnrichment?.published;
    const advisories = [...new Set(cs.map((c) => c.advisory.id))].sort();
    const constraints = [...new Set(cs.map((c) => c.constraint))];
    out.push({
      id,
      aliases,
      packageId: pkg.id,
      package: { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version, purl: pkg.purl },
      installedVersion: pkg.version,
      fixedVersions: fixed,
      state: stateOf(cs, fixed),
      severity: decided?.severity ?? 'unknown',
      severitySource: decided?.source ?? 'none',
      ratings,
      ...(cvss?.vector !== undefined && cvss.score !== undefined
        ? { cvss: { vector: cvss.vector, score: cvss.score, version: cvss.cvssVersion ?? '' } }
        : {}),
      ...(primaryEnrichment?.epss
        ? { epss: { score: primaryEnrichment.epss.score, percentile: primaryEnrichment.epss.percentile } }
        : {}),
      kev: enrich.some((e) => e.kev !== undefined),
      ...(title !== undefined ? { title: firstLine(title) } : {}),
      ...(published !== undefined ? { published } : {}),
      layer: pkg.layer,
      paths: pkg.paths,
      url: advisoryUrl(id, all, cs[0]?.affected.ecosystem ?? ''),
      match: {
        matcher: m.matcher,
        searchedBy: m.searchedBy,
        advisory: advisories.join(', '),
        constraint: constraints.join('; '),
        ...(m.comparedVersion !== undefined ? { comparedVersion: m.comparedVersion } : {}),
      },
    });
  }
  return out;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function sortVersions(vs: string[], m: PackageMatch): string[] {
  return vs.sort((a, b) => compareVersionsOrText(m.scheme, a, b));
}
