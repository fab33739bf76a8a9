/**
 * Debian machine-readable copyright (DEP-5, copyright-format 1.0) licence
 * short names → SPDX licence ids. DEP-5 "License specification": a family
 * name, then "-VERSION" when the licence has versions ("If the version
 * number is omitted, the lowest version number is implied"), then "+" when
 * later versions may be used.
 * https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/#license-specification
 */
import { ownValue } from '../core/index.js';

/** Families whose SPDX ids spell "or later" as -or-later and "this version only" as -only. */
const ONLY_OR_LATER: Readonly<Record<string, { spdx: string; lowest: string }>> = {
  gpl: { spdx: 'GPL', lowest: '1.0' },
  lgpl: { spdx: 'LGPL', lowest: '2.0' },
  agpl: { spdx: 'AGPL', lowest: '1.0' },
  gfdl: { spdx: 'GFDL', lowest: '1.1' },
};

/** Versioned families spelled FAMILY-VERSION in SPDX ("+" stays the SPDX "+" operator). */
const VERSIONED: Readonly<Record<string, { spdx: string; lowest: string }>> = {
  apache: { spdx: 'Apache', lowest: '1.0' },
  artistic: { spdx: 'Artistic', lowest: '1.0' },
  mpl: { spdx: 'MPL', lowest: '1.0' },
  cddl: { spdx: 'CDDL', lowest: '1.0' },
  cpl: { spdx: 'CPL', lowest: '1.0' },
  epl: { spdx: 'EPL', lowest: '1.0' },
  efl: { spdx: 'EFL', lowest: '1.0' },
  lppl: { spdx: 'LPPL', lowest: '1.0' },
  qpl: { spdx: 'QPL', lowest: '1.0' },
  zope: { spdx: 'ZPL', lowest: '1.1' },
  zpl: { spdx: 'ZPL', lowest: '1.1' },
  python: { spdx: 'Python', lowest: '2.0' },
  psf: { spdx: 'PSF', lowest: '2.0' },
  'cc-by': { spdx: 'CC-BY', lowest: '1.0' },
  'cc-by-sa': { spdx: 'CC-BY-SA', lowest: '1.0' },
  'cc-by-nd': { spdx: 'CC-BY-ND', lowest: '1.0' },
  'cc-by-nc': { spdx: 'CC-BY-NC', lowest: '1.0' },
  'cc-by-nc-sa': { spdx: 'CC-BY-NC-SA', lowest: '1.0' },
  'cc-by-nc-nd': { spdx: 'CC-BY-NC-ND', lowest: '1.0' },
  cc0: { spdx: 'CC0', lowest: '1.0' },
  osl: { spdx: 'OSL', lowest: '1.0' },
  afl: { spdx: 'AFL', lowest: '1.1' },
  ofl: { spdx: 'OFL', lowest: '1.0' },
  sil: { spdx: 'OFL', lowest: '1.0' },
  eupl: { spdx: 'EUPL', lowest: '1.0' },
};

/** Names without versions, and DEP-5's own names for licences SPDX calls otherwise. */
const FIXED: Readonly<Record<string, string>> = {
  expat: 'MIT',
  mit: 'MIT',
  'mit/x11': 'MIT',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-4-clause': 'BSD-4-Clause',
  isc: 'ISC',
  zlib: 'Zlib',
  'w3c-software': 'W3C',
  w3c: 'W3C',
  x11: 'X11',
  'public-domain': 'LicenseRef-public-domain',
  'gfdl-niv': 'GFDL-1.1-no-invariants-only',
};

/** Perl's licence is "Artistic or GPL-1+" (DEP-5 short-name table, "Perl"). */
const PERL = 'Artistic-1.0-Perl OR GPL-1.0-or-later';

/**
 * The SPDX expression for one DEP-5 short name ("GPL-2+", "Expat",
 * "CC-BY-SA-3.0", "GFDL-NIV-1.3+"), or undefined when it is not one.
 * `isLicenseId` says which ids the SPDX list has.
 */
export function debianShortName(name: string, isLicenseId: (id: string) => string | undefined): string | undefined {
  const lower = name.trim().toLowerCase();
  if (lower === 'perl') return PERL;
  // Own properties only: the name is the image's, and "constructor" is not a licence.
  const fixed = ownValue(FIXED, lower);
  if (fixed !== undefined) return fixed;
  // GFDL-NIV-1.3+; also the spelling some packages use, "GFDL-1.3+-no-invariant(s)" (gzip).
  const niv = /^gfdl-niv-(\d+(?:\.\d+)?)(\+)?$/.exec(lower) ?? /^gfdl-(\d+(?:\.\d+)?)(\+)?-no-invariants?$/.exec(lower);
  if (niv?.[1] !== undefined)
    return isLicenseId(`GFDL-${dotted(niv[1])}-no-invariants-${niv[2] ? 'or-later' : 'only'}`);
  const m = /^([a-z][a-z0-9-]*?)(?:-(\d+(?:\.\d+)*[a-z]?))?(\+)?$/.exec(lower);
  if (!m?.[1]) return undefined;
  const [, family, version, plus] = m;
  const ool = ownValue(ONLY_OR_LATER, family);
  if (ool !== undefined)
    return isLicenseId(`${ool.spdx}-${dotted(version ?? ool.lowest)}-${plus ? 'or-later' : 'only'}`);
  const v = ownValue(VERSIONED, family);
  if (v !== undefined) {
    const id = isLicenseId(`${v.spdx}-${dotted(version ?? v.lowest)}`);
    return id === undefined ? undefined : plus ? `${id}+` : id;
  }
  return undefined;
}

/** "2" → "2.0"; "2.1" and "1.3c" stay. */
function dotted(version: string): string {
  return /^\d+$/.test(version) ? `${version}.0` : version;
}
