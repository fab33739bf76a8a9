import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseDebianCopyright } from '../analyze/index.js';
import type { Package } from '../core/index.js';
import { testdata } from '../core/test-support/testdata.js';
import { toCycloneDx } from './cyclonedx.js';
import { joinDeclaredLicenses, normalizeLicense } from './license-normalize.js';
import { toSpdx } from './spdx.js';
import { sampleInventory } from './test-support/sample-inventory.js';
import { spdxSchemaValidator, validateCycloneDx16 } from './test-support/validators.js';
import type { Inventory } from './types.js';

/** License: fields of real bookworm copyright files (src/analyze/license/testdata/README.md). */
const licensesOf = (pkg: string): string[] =>
  parseDebianCopyright(
    readFileSync(testdata(import.meta.url, '..', '..', 'analyze', 'license', 'testdata', `${pkg}-copyright`), 'utf8'),
  );

/**
 * What each short name is in SPDX, after Debian's copyright-format 1.0
 * short-name table (a missing version is the lowest; "+" is "or later";
 * Expat is MIT) and the SPDX licence and exception lists.
 */
const EXPECTED: Readonly<Record<string, readonly (readonly [string, string | undefined])[]>> = {
  zlib1g: [['Zlib', 'Zlib']],
  libzstd1: [
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['GPL-2', 'GPL-2.0-only'],
    ['zlib', 'Zlib'],
    ['Expat', 'MIT'],
  ],
  libsystemd0: [
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['CC0-1.0', 'CC0-1.0'],
    ['GPL-2 with Linux-syscall-note exception', 'GPL-2.0-only WITH Linux-syscall-note'],
    ['Expat', 'MIT'],
    ['public-domain', 'LicenseRef-public-domain'],
    ['GPL-2+', 'GPL-2.0-or-later'],
  ],
  gzip: [
    ['GPL-3+', 'GPL-3.0-or-later'],
    ['GFDL-1.3+-no-invariant', 'GFDL-1.3-no-invariants-or-later'],
    ['FSF-manpages', undefined],
  ],
  coreutils: [
    ['GPL-3+', 'GPL-3.0-or-later'],
    ['BSD-4-clause-UC', 'BSD-4-Clause-UC'],
    ['ISC', 'ISC'],
    ['FSFULLR', 'FSFULLR'],
    ['GFDL-NIV-1.3', 'GFDL-1.3-no-invariants-only'],
  ],
  bash: [
    ['GPL-3+', 'GPL-3.0-or-later'],
    ['GPL-3+ with Bison exception', 'GPL-3.0-or-later WITH Bison-exception-2.2'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GFDL-NIV-1.3', 'GFDL-1.3-no-invariants-only'],
    ['Latex2e', 'Latex2e'],
    ['BSD-4-clause-UC', 'BSD-4-Clause-UC'],
    ['MIT-like', undefined],
    ['permissive', undefined],
  ],
  libffi8: [
    ['Expat', 'MIT'],
    ['X11', 'X11'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPL-3+', 'GPL-3.0-or-later'],
    ['MPL-1.1', 'MPL-1.1'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['public-domain', 'LicenseRef-public-domain'],
    ['GPL', 'GPL-1.0-only'],
  ],
  'liblz4-1': [
    ['BSD-2-clause', 'BSD-2-Clause'],
    ['GPL-2+', 'GPL-2.0-or-later'],
  ],
  openssl: [
    ['Apache-2.0', 'Apache-2.0'],
    ['Artistic', 'Artistic-1.0'],
    ['GPL-1+', 'GPL-1.0-or-later'],
  ],
};

test('License: fields of real Debian copyright files normalise to SPDX as the DEP-5 short-name table says', () => {
  for (const [pkg, expected] of Object.entries(EXPECTED)) {
    const names = licensesOf(pkg);
    assert.deepEqual(
      names.map((n) => [n, normalizeLicense(n).spdx]),
      expected,
      pkg,
    );
  }
});

test('exceptions by the GPL version they come with; SPDX ids without the word "exception"', () => {
  const cases: [string, string][] = [
    ['GPL-3+ with Autoconf exception', 'GPL-3.0-or-later WITH Autoconf-exception-3.0'],
    ['GPL-2+ with Autoconf exception', 'GPL-2.0-or-later WITH Autoconf-exception-2.0'],
    ['GPL-2+ with Bison exception', 'GPL-2.0-or-later WITH Bison-exception-1.24'],
    ['GPL-3+ with texinfo exception', 'GPL-3.0-or-later WITH Texinfo-exception'],
    ['LGPL-2.1+ with OCaml linking exception', 'LGPL-2.1-or-later WITH OCaml-LGPL-linking-exception'],
    ['GPL-2.0+ and LGPL-2.1+', 'GPL-2.0-or-later AND LGPL-2.1-or-later'],
  ];
  for (const [declared, spdx] of cases) assert.deepEqual(normalizeLicense(declared), { spdx }, declared);
  // Several SPDX texts and nothing to choose by: left as declared.
  assert.deepEqual(normalizeLicense('GPL-2+ with GStreamer exception'), { unknown: 'GPL-2+ with GStreamer exception' });
});

/** The sample inventory's OS packages carrying the licences of these copyright files, as buildInventory joins them. */
function inventoryWithCopyrights(): Inventory {
  const inv = sampleInventory();
  const template = inv.packages.find((p) => p.ecosystem === 'deb') as Package;
  const packages = Object.keys(EXPECTED).map((name, i) => ({
    ...template,
    id: `copyright-${i}`,
    name,
    purl: `pkg:deb/debian/${name}@1.0-1?arch=amd64`,
    license: joinDeclaredLicenses(licensesOf(name)),
  }));
  return { ...inv, packages };
}

interface CdxLicense {
  readonly expression?: string;
  readonly license?: { readonly id?: string; readonly name?: string };
}

test('CycloneDX writes the SPDX licences, the declared ones as customs:license:declared', async () => {
  const json = toCycloneDx(inventoryWithCopyrights());
  assert.equal(await validateCycloneDx16(json), '');
  const doc = JSON.parse(json) as {
    components: { name: string; licenses?: CdxLicense[]; properties?: { name: string; value: string }[] }[];
  };
  const c = (name: string) => doc.components.find((x) => x.name === name);
  assert.deepEqual(c('libzstd1')?.licenses, [{ expression: 'BSD-3-Clause AND GPL-2.0-only AND Zlib AND MIT' }]);
  assert.deepEqual(
    c('libzstd1')?.properties?.find((p) => p.name === 'customs:license:declared')?.value,
    'BSD-3-clause AND GPL-2 AND zlib AND Expat',
  );
  // A part SPDX has no id for: every part a licence object, ids where the list has them.
  const gzip = c('gzip')?.licenses ?? [];
  assert.deepEqual(gzip.map((l) => l.license?.id ?? `name:${l.license?.name}`).sort(), [
    'GFDL-1.3-no-invariants-or-later',
    'GPL-3.0-or-later',
    'name:FSF-manpages',
  ]);
  const bash = (c('bash')?.licenses ?? []).map((l) => l.license?.id ?? `name:${l.license?.name}`);
  assert.ok(bash.includes('name:GPL-3.0-or-later WITH Bison-exception-2.2'), bash.join());
  assert.ok(!bash.some((l) => /GPL-\d\+|clause|Expat/.test(l)), bash.join());
});

test('SPDX writes licenseDeclared in SPDX, parts it cannot express and public-domain as defined LicenseRefs', () => {
  const json = toSpdx(inventoryWithCopyrights());
  assert.equal(spdxSchemaValidator()(json), '');
  const doc = JSON.parse(json) as {
    packages: { name: string; licenseDeclared: string }[];
    hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[];
  };
  const lic = (name: string) => doc.packages.find((p) => p.name === name)?.licenseDeclared;
  assert.equal(lic('libzstd1'), 'BSD-3-Clause AND GPL-2.0-only AND Zlib AND MIT');
  assert.equal(
    lic('libsystemd0'),
    'LGPL-2.1-or-later AND CC0-1.0 AND GPL-2.0-only WITH Linux-syscall-note AND MIT AND LicenseRef-public-domain AND GPL-2.0-or-later',
  );
  assert.match(
    lic('gzip') ?? '',
    /^GPL-3\.0-or-later AND GFDL-1\.3-no-invariants-or-later AND LicenseRef-FSF-manpages$/,
  );
  // Every LicenseRef used is defined, and every one defined is used.
  const defined = new Map((doc.hasExtractedLicensingInfos ?? []).map((e) => [e.licenseId, e.extractedText]));
  const used = new Set(doc.packages.flatMap((p) => p.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []));
  assert.deepEqual(new Set(defined.keys()), used);
  assert.equal(defined.get('LicenseRef-FSF-manpages'), 'FSF-manpages');
  assert.match(defined.get('LicenseRef-public-domain') ?? '', /^No license required for any purpose/);
});
