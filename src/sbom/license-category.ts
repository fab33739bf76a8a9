import parseSpdxExpression from 'spdx-expression-parse';
import { SPDX_LICENSE_IDS } from './spdx-ids.js';

export const LICENSE_CATEGORIES = ['permissive', 'weak-copyleft', 'strong-copyleft', 'unknown'] as const;
export type LicenseCategory = (typeof LICENSE_CATEGORIES)[number];

/**
 * Families by category, as patterns over SPDX licence ids. Sources: the
 * FSF/OSI descriptions of each licence and google/licenseclassifier's
 * license types (notice + unencumbered → permissive, reciprocal → weak
 * copyleft, restricted → strong copyleft, except LGPL, which is weak
 * copyleft here as in common usage). Licences not matched (non-commercial
 * Creative Commons, proprietary, niche) are unknown: someone has to look.
 */
const RULES: readonly (readonly [RegExp, LicenseCategory])[] = [
  [/^(?:AGPL|GPL)-\d/, 'strong-copyleft'],
  [/^(?:GFDL|OSL|EUPL|SSPL|RPL|QPL|CC-BY-SA|CECILL-[12])-|^(?:Sleepycat|CECILL-2\.1)$/, 'strong-copyleft'],
  [
    /^(?:LGPL|MPL|EPL|CDDL|CPL|IPL|APSL|NPL|RPSL|OFL|CPAL|Ms-RL|MS-RL|SPL|ErlPL|LGPLLR)(?:-|$)|^CECILL-C$|^Ruby$|^MS-PL$/,
    'weak-copyleft',
  ],
  [
    /^(?:MIT|BSD|0BSD|Apache|ISC|Zlib|X11|Unlicense|CC0|CC-BY-\d|Artistic|PSF|Python|BSL|AFL|OpenSSL|SSLeay|PHP|PostgreSQL|NCSA|libtiff|FTL|ICU|Unicode|W3C|ZPL|Zend|curl|HPND|WTFPL|bzip2|Libpng|libpng|IJG|JSON|BlueOak|UPL|Boost|ECL|EDL|MulanPSL|NTP|OLDAP|PIL|TCL|Vim|Xnet|XFree86|xinetd|Beerware|MirOS|Info-ZIP|CECILL-B|NAIST|Spencer|Fair|ImageMagick|blessing|MIT-0)(?:-|$)/,
    'permissive',
  ],
];

/** Non-SPDX references customs itself writes (licence normalisation of DEP-5 names). */
const REFS: Readonly<Record<string, LicenseCategory>> = { 'LicenseRef-public-domain': 'permissive' };

/**
 * Exceptions that let software under a copyleft licence be linked or
 * embedded without the combined work taking on that licence (runtime
 * library and linking exceptions): they turn strong copyleft into weak.
 */
const LINKING_EXCEPTIONS = new Set([
  'Classpath-exception-2.0',
  'GCC-exception-2.0',
  'GCC-exception-2.0-note',
  'GCC-exception-3.1',
  'Libtool-exception',
  'Autoconf-exception-2.0',
  'Autoconf-exception-3.0',
  'Autoconf-exception-generic',
  'Autoconf-exception-generic-3.0',
  'Bison-exception-1.24',
  'Bison-exception-2.2',
  'Font-exception-2.0',
  'OCaml-LGPL-linking-exception',
  'eCos-exception-2.0',
  'mif-exception',
  'Universal-FOSS-exception-1.0',
  'WxWindows-exception-3.1',
  'FLTK-exception',
  'LLVM-exception',
  'u-boot-exception-2.0',
  'Linux-syscall-note',
]);

/** The table keyed by SPDX id, built once from the SPDX licence list and the rules above. */
export const LICENSE_CATEGORY_BY_ID: ReadonlyMap<string, LicenseCategory> = (() => {
  const table = new Map<string, LicenseCategory>();
  for (const id of SPDX_LICENSE_IDS) {
    if (/^CC-BY-NC/.test(id)) continue; // non-commercial: not open source, left unknown
    const hit = RULES.find(([re]) => re.test(id));
    if (hit) table.set(id, hit[1]);
  }
  for (const [id, c] of Object.entries(REFS)) table.set(id, c);
  return table;
})();

const RANK: Readonly<Record<LicenseCategory, number>> = {
  permissive: 0,
  'weak-copyleft': 1,
  'strong-copyleft': 2,
  unknown: 3,
};

type Node =
  | { license: string; plus?: boolean; exception?: string }
  | { conjunction: 'and' | 'or'; left: Node; right: Node };

/**
 * The category of an SPDX expression. OR: the licensee picks, so the most
 * permissive known choice counts (unknown only when every choice is
 * unknown). AND: all apply, so the most restrictive counts, and one unknown
 * part makes the whole unknown. WITH a linking exception lowers strong
 * copyleft to weak. Not an SPDX expression: unknown.
 */
export function categorizeLicense(expr: string): LicenseCategory {
  let tree: Node;
  try {
    tree = parseSpdxExpression(expr) as Node;
  } catch {
    return 'unknown';
  }
  return categoryOf(tree);
}

function categoryOf(n: Node): LicenseCategory {
  if ('conjunction' in n) {
    const l = categoryOf(n.left);
    const r = categoryOf(n.right);
    if (n.conjunction === 'and') return RANK[l] >= RANK[r] ? l : r;
    if (l === 'unknown') return r;
    if (r === 'unknown') return l;
    return RANK[l] <= RANK[r] ? l : r;
  }
  const base = LICENSE_CATEGORY_BY_ID.get(n.license) ?? 'unknown';
  if (n.exception !== undefined && base === 'strong-copyleft' && LINKING_EXCEPTIONS.has(n.exception))
    return 'weak-copyleft';
  return base;
}
