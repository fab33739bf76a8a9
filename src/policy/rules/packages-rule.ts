import { type Package, pep503 } from '../../core/index.js';
import { normalizeLicense } from '../../sbom/index.js';
import parseSpdxExpression from 'spdx-expression-parse';
import type { Hit, RuleContext } from '../input.js';
import type { PackagesSpec } from '../schema.js';
import { schemeForEcosystem } from '../../version/index.js';
import { type Constraint, parseConstraint, satisfies } from '../version-constraint.js';

function packageHit(p: Package, id: string, summary: string): Hit {
  return {
    ref: { kind: 'package', id: `${id}@${p.purl}`, summary },
    advisories: [id],
    packages: [{ name: p.name, version: p.version, purl: p.purl }],
    paths: p.paths,
  };
}

/** "[ecosystem:]name >= version" */
function parseMinimum(text: string): { ecosystem?: string; name: string; version: string } | undefined {
  const m = /^(?:([a-z]+):)?(\S+)\s*>=\s*(\S+)$/.exec(text.trim());
  if (!m?.[2] || !m[3]) return undefined;
  return { ...(m[1] !== undefined ? { ecosystem: m[1] } : {}), name: m[2], version: m[3] };
}

/** Package names compare as the ecosystem spells them; PyPI names per PEP 503 normalisation. */
function sameName(p: Package, name: string): boolean {
  if (p.ecosystem === 'pypi') return pep503(p.name) === pep503(name);
  return p.name === name;
}

type SpdxNode =
  | { license: string; plus?: boolean; exception?: string }
  | { conjunction: 'and' | 'or'; left: SpdxNode; right: SpdxNode };

interface LicenseId {
  readonly license: string;
  readonly exception?: string;
}

function forbiddenIds(list: readonly string[]): LicenseId[] {
  const out: LicenseId[] = [];
  const collect = (n: SpdxNode): void => {
    if ('conjunction' in n) {
      collect(n.left);
      collect(n.right);
    } else
      out.push({
        license: n.plus ? `${n.license}+` : n.license,
        ...(n.exception !== undefined ? { exception: n.exception } : {}),
      });
  };
  for (const text of list) {
    const n = normalizeLicense(text);
    try {
      collect(parseSpdxExpression(n.spdx ?? text) as SpdxNode);
    } catch {
      out.push({ license: text });
    }
  }
  return out;
}

/**
 * True when every way to satisfy the expression uses a forbidden licence:
 * OR lets the licensee choose (forbidden only if both sides are), AND needs
 * both (forbidden if either is). A forbidden entry without WITH matches the
 * licence with any exception; one with WITH only that exception.
 */
function onlyForbidden(n: SpdxNode, forbidden: readonly LicenseId[]): boolean {
  if ('conjunction' in n) {
    const l = onlyForbidden(n.left, forbidden);
    const r = onlyForbidden(n.right, forbidden);
    return n.conjunction === 'and' ? l || r : l && r;
  }
  const id = n.plus ? `${n.license}+` : n.license;
  return forbidden.some(
    (f) => f.license.toLowerCase() === id.toLowerCase() && (f.exception === undefined || f.exception === n.exception),
  );
}

export function packageHits(spec: PackagesSpec, ctx: RuleContext): Hit[] {
  const out: Hit[] = [];
  const pkgs = ctx.input.inventory.packages;
  const compare = (p: Package, version: string, constraint: Constraint): boolean | undefined => {
    const scheme = schemeForEcosystem(p.ecosystem);
    if (scheme === undefined) return undefined;
    try {
      return satisfies(constraint, version, scheme);
    } catch {
      ctx.note(`${p.purl}: version ${version} cannot be compared (${scheme.name} scheme); package rules skipped it`);
      return undefined;
    }
  };

  for (const f of spec.forbidden ?? []) {
    const c = f.versions !== undefined ? parseConstraint(f.versions) : undefined;
    for (const p of pkgs) {
      if (!sameName(p, f.name) || (f.ecosystem !== undefined && p.ecosystem !== f.ecosystem)) continue;
      if (c !== undefined && (typeof c === 'string' || compare(p, p.version, c) !== true)) continue;
      out.push(
        packageHit(
          p,
          `forbidden:${f.name}`,
          `${p.name} ${p.version} (${p.ecosystem}) is forbidden${f.versions !== undefined ? ` in versions ${f.versions}` : ''}`,
        ),
      );
    }
  }

  for (const text of spec.minimumVersions ?? []) {
    const min = parseMinimum(text);
    if (min === undefined) continue;
    for (const p of pkgs) {
      if (min.ecosystem !== undefined && p.ecosystem !== min.ecosystem) continue;
      // A distro's source package name covers its binaries (openssl → libssl3), at the source version.
      const bySource = !sameName(p, min.name) && p.source?.name === min.name;
      if (!sameName(p, min.name) && !bySource) continue;
      const version = bySource && p.source ? p.source.version : p.version;
      if (compare(p, version, [[{ op: '<', version: min.version }]]) !== true) continue;
      out.push(
        packageHit(
          p,
          `minimum:${min.name}`,
          `${p.name} ${version}${bySource ? ` (source ${min.name})` : ''} is older than the required ${min.version}`,
        ),
      );
    }
  }

  if (spec.forbiddenLicenses !== undefined) {
    const forbidden = forbiddenIds(spec.forbiddenLicenses);
    // The licence report knows copyright-file licences of OS packages; else the declared one.
    const byPurl = new Map<string, string>();
    for (const e of ctx.input.licenses?.byLicense ?? []) for (const purl of e.packages) byPurl.set(purl, e.license);
    for (const p of pkgs) {
      const expr = byPurl.get(p.purl) ?? normalizeLicense(p.license ?? '').spdx;
      if (expr === undefined || expr === '') continue;
      let tree: SpdxNode;
      try {
        tree = parseSpdxExpression(expr) as SpdxNode;
      } catch {
        continue; // not SPDX: the licence report lists it as unknown
      }
      if (onlyForbidden(tree, forbidden))
        out.push(
          packageHit(
            p,
            `license:${expr}`,
            `${p.name} ${p.version} is licensed ${expr}, which needs a forbidden licence`,
          ),
        );
    }
  }
  return out;
}
