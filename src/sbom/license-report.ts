import { compareStrings, type Ecosystem } from '../core/index.js';
import { categorizeLicense, LICENSE_CATEGORIES, type LicenseCategory } from './license-category.js';
import { joinDeclaredLicenses, normalizeLicense } from './license-normalize.js';
import type { Inventory } from './types.js';

/** Licences an OS package's copyright file declares (analyzer fact `packageLicenses`). */
export interface DeclaredPackageLicenses {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly licenses: readonly string[];
}

export interface LicenseReportEntry {
  /** The SPDX expression, or the declared text when it is unknown ("" when nothing was declared). */
  readonly license: string;
  readonly category: LicenseCategory;
  /** purls, sorted. */
  readonly packages: readonly string[];
}

export interface LicenseReport {
  /** One entry per distinct licence, sorted by licence. */
  readonly byLicense: readonly LicenseReportEntry[];
  /** Package counts per category (every category present, zero included). */
  readonly byCategory: Readonly<Record<LicenseCategory, number>>;
  /** Declared licences that are not SPDX-expressible, and packages declaring none (license ""). */
  readonly unknown: readonly { readonly license: string; readonly packages: readonly string[] }[];
}

/**
 * Packages by licence and category for `customs scan --scanners license`.
 * A package's licence is what its analyzer declared, else (OS packages) the
 * licences of its copyright file joined with AND: a package whose files
 * carry several licences is under all of them.
 */
export function licenseReport(
  inv: Inventory,
  extra: { readonly packageLicenses?: readonly DeclaredPackageLicenses[] } = {},
): LicenseReport {
  const fromCopyright = new Map<string, readonly string[]>();
  for (const pl of extra.packageLicenses ?? []) fromCopyright.set(`${pl.ecosystem}\0${pl.name}`, pl.licenses);

  const groups = new Map<
    string,
    { license: string; category: LicenseCategory; packages: string[]; unknown: boolean }
  >();
  for (const p of inv.packages) {
    const declared = p.license ?? joinOrUndefined(fromCopyright.get(`${p.ecosystem}\0${p.name}`)) ?? '';
    const n = normalizeLicense(declared);
    const license = n.spdx ?? n.unknown ?? '';
    const category = n.spdx !== undefined ? categorizeLicense(n.spdx) : 'unknown';
    const key = `${n.spdx !== undefined ? 's' : 'u'}\0${license}`;
    const g = groups.get(key) ?? { license, category, packages: [], unknown: n.spdx === undefined };
    g.packages.push(p.purl);
    groups.set(key, g);
  }
  const entries = [...groups.values()].sort(
    (a, b) => compareStrings(a.license, b.license) || Number(a.unknown) - Number(b.unknown),
  );
  const byCategory = Object.fromEntries(LICENSE_CATEGORIES.map((c) => [c, 0])) as Record<LicenseCategory, number>;
  for (const e of entries) {
    e.packages.sort(compareStrings);
    byCategory[e.category] += e.packages.length;
  }
  return {
    byLicense: entries.map(({ license, category, packages }) => ({ license, category, packages })),
    byCategory,
    unknown: entries.filter((e) => e.unknown).map(({ license, packages }) => ({ license, packages })),
  };
}

function joinOrUndefined(licenses: readonly string[] | undefined): string | undefined {
  return licenses === undefined ? undefined : joinDeclaredLicenses(licenses);
}
