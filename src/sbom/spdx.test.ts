import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError, type Package } from '../core/index.js';
import { testdata } from '../core/test-support/testdata.js';
import type { ImportedPackage } from './imported.js';
import { parseSpdx, sanitizeIdString, toSpdx } from './spdx.js';
import { assertGolden } from '../core/test-support/golden.js';
import { sampleInventory } from './test-support/sample-inventory.js';
import { spdxSchemaValidator } from './test-support/validators.js';

type Json = Record<string, unknown>;
interface SpdxPackage extends Json {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  licenseDeclared?: string;
  primaryPackagePurpose?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
}
interface SpdxDoc extends Json {
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  creationInfo: { created: string; creators: string[] };
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name?: string }[];
}

const doc = (): SpdxDoc => JSON.parse(toSpdx(sampleInventory())) as SpdxDoc;

test('SPDX of the sample inventory validates against the official 2.3 schema', () => {
  const json = toSpdx(sampleInventory());
  assert.equal(spdxSchemaValidator()(json), '');
  assertGolden(testdata(import.meta.url, 'golden', 'sample.spdx.json'), json);
});

test('the schema validator used above does reject a broken document', () => {
  const d = doc();
  (d.packages[0] as Json).primaryPackagePurpose = 'SPACESHIP';
  delete (d as Json).SPDXID;
  const errors = spdxSchemaValidator()(JSON.stringify(d));
  assert.match(errors, /SPDXID/);
  assert.match(errors, /primaryPackagePurpose/);
});

test('SPDX document fields follow the 2.3 spec; output is deterministic', () => {
  const d = doc();
  assert.equal(d.spdxVersion, 'SPDX-2.3');
  assert.equal(d.dataLicense, 'CC0-1.0');
  assert.equal(d.SPDXID, 'SPDXRef-DOCUMENT');
  assert.equal(d.name, 'registry.example.com:5000/shop/web:1.4.2');
  assert.deepEqual(d.creationInfo, { created: '2024-05-01T12:34:56Z', creators: ['Tool: customs-0.1.0-test'] });
  assert.match(String(d.documentNamespace), /^https:\/\/spdx\.org\/spdxdocs\/customs\/[A-Za-z0-9.-]+-[0-9a-f-]{36}$/);
  assert.ok(!String(d.documentNamespace).includes('#'));
  assert.equal(toSpdx(sampleInventory()), toSpdx(sampleInventory()));
  const inv = sampleInventory();
  const other = JSON.parse(toSpdx({ ...inv, createdAt: '2024-05-02T00:00:00Z' })) as Json;
  assert.notEqual(other.documentNamespace, d.documentNamespace);
});

test('packages: image CONTAINER, OS, one LIBRARY per package with purl, ids from [A-Za-z0-9.-]', () => {
  const d = doc();
  const inv = sampleInventory();
  const image = d.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER') as SpdxPackage;
  assert.equal(image.versionInfo, inv.target.manifestDigest);
  assert.match(image.externalRefs?.[0]?.referenceLocator ?? '', /^pkg:oci\/web@sha256:/);
  const os = d.packages.filter((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM');
  assert.deepEqual(
    os.map((p) => [p.name, p.versionInfo]),
    [['debian', '12']],
  );
  const libs = d.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY');
  assert.equal(libs.length, inv.packages.length);
  for (const p of d.packages) assert.match(p.SPDXID, /^SPDXRef-[A-Za-z0-9.-]+$/);
  assert.equal(new Set(d.packages.map((p) => p.SPDXID)).size, d.packages.length, 'SPDXIDs are unique');
  for (const p of inv.packages) {
    const s = libs.find((x) => x.SPDXID === `SPDXRef-Package-${p.id}`);
    assert.ok(s, `package ${p.name}`);
    assert.equal(s.name, p.name);
    assert.equal(s.versionInfo, p.version);
    assert.equal(s.downloadLocation, 'NOASSERTION');
    assert.equal(s.filesAnalyzed, false);
    assert.equal(s.licenseConcluded, 'NOASSERTION');
    assert.deepEqual(s.externalRefs, [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl },
    ]);
  }
  const ssh = libs.find((p) => p.name === 'openssh-client');
  assert.equal(ssh?.sourceInfo, 'built package from: openssh 1:9.2p1-2+deb12u3');
});

test('licences: SPDX expressions kept, other declared licences normalised (docs/licenses.md), none is NOASSERTION', () => {
  const d = doc();
  const lic = (name: string) => d.packages.find((p) => p.name === name)?.licenseDeclared;
  assert.equal(lic('serde'), 'MIT OR Apache-2.0');
  assert.equal(lic('libc6'), 'NOASSERTION');
  // DEP-5 "GPL-1+ or Artistic" and free text spdx-correct fixes without guessing.
  assert.equal(lic('perl-base'), 'GPL-1.0-or-later OR Artistic-1.0');
  assert.equal(lic('requests'), 'Apache-2.0');
  // Annex D: licence ids match case-insensitively; the list's spelling is written.
  assert.equal(lic('openssh-client'), 'BSD-2-Clause');
  // Every LicenseRef used is defined, and every one defined is used (src/sbom/license-debian.test.ts has some).
  const extracted = new Map((d.hasExtractedLicensingInfos ?? []).map((e) => [e.licenseId, e.extractedText]));
  const used = new Set(d.packages.map((p) => p.licenseDeclared).filter((l) => l?.startsWith('LicenseRef-')));
  assert.deepEqual(new Set(extracted.keys()), used);
});

test('relationships: DOCUMENT DESCRIBES the image; the image CONTAINS the OS and every package', () => {
  const d = doc();
  const image = d.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER') as SpdxPackage;
  assert.deepEqual(d.relationships[0], {
    spdxElementId: 'SPDXRef-DOCUMENT',
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: image.SPDXID,
  });
  const contained = new Set(
    d.relationships
      .filter((r) => r.spdxElementId === image.SPDXID && r.relationshipType === 'CONTAINS')
      .map((r) => r.relatedSpdxElement),
  );
  assert.deepEqual(contained, new Set(d.packages.filter((p) => p !== image).map((p) => p.SPDXID)));
});

test('sanitizeIdString keeps only letters, digits, "." and "-"; clashing ids stay unique', () => {
  assert.equal(sanitizeIdString('@babel/core@7.0.0'), 'babel-core-7.0.0');
  assert.equal(sanitizeIdString('///'), 'x');
  const inv = sampleInventory();
  const first = inv.packages[0] as Package;
  const clash: Package[] = [
    { ...first, id: 'a/b' },
    { ...first, id: 'a_b', name: `${first.name}-2` },
  ];
  const json = toSpdx({ ...inv, packages: clash });
  assert.equal(spdxSchemaValidator()(json), '');
  const back = parseSpdx(json);
  assert.deepEqual(back.packages.map((p) => p.id).sort(), ['a/b', 'a_b']);
});

function comparable(p: Package | ImportedPackage): Json {
  return {
    id: p.id,
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    purl: p.purl,
    arch: p.arch,
    epoch: p.epoch,
    source: p.source,
    license: p.license,
    meta: p.meta,
    layer: p.layer,
    paths: p.paths,
  };
}

test('round trip: inventory → SPDX → parseSpdx gives the same packages and OS', () => {
  const inv = sampleInventory();
  const back = parseSpdx(toSpdx(inv));
  assert.equal(back.format, 'spdx');
  assert.equal(back.specVersion, 'SPDX-2.3');
  assert.deepEqual(back.os, inv.os);
  assert.deepEqual(back.skipped, []);
  const byId = (a: Json, b: Json) => (String(a.id) < String(b.id) ? -1 : 1);
  assert.deepEqual(back.packages.map(comparable).sort(byId), inv.packages.map(comparable).sort(byId));
  assert.deepEqual(back.subject, {
    name: inv.target.name,
    version: inv.target.manifestDigest,
    purl: JSON.parse(toSpdx(inv)).packages[0].externalRefs[0].referenceLocator,
  });
});

test('parseSpdx reads a foreign 2.2 document (documentDescribes, no annotations)', () => {
  const foreign = {
    spdxVersion: 'SPDX-2.2',
    SPDXID: 'SPDXRef-DOCUMENT',
    documentDescribes: ['SPDXRef-img'],
    packages: [
      { SPDXID: 'SPDXRef-img', name: 'alpine', versionInfo: '3.19' },
      {
        SPDXID: 'SPDXRef-musl',
        name: 'musl',
        versionInfo: '1.2.4-r2',
        licenseDeclared: 'MIT',
        externalRefs: [
          {
            referenceCategory: 'SECURITY',
            referenceType: 'cpe23Type',
            referenceLocator: 'cpe:2.3:a:musl:musl:1.2.4:*:*:*:*:*:*:*',
          },
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&upstream=musl',
          },
        ],
      },
      { SPDXID: 'SPDXRef-file-thing', name: 'thing' },
    ],
  };
  const got = parseSpdx(JSON.stringify(foreign));
  assert.deepEqual(got.subject, { name: 'alpine', version: '3.19' });
  assert.deepEqual(
    got.packages.map((p) => [p.id, p.ecosystem, p.name, p.version, p.arch, p.license, p.source]),
    [['SPDXRef-musl', 'apk', 'musl', '1.2.4-r2', 'x86_64', 'MIT', { name: 'musl', version: '1.2.4-r2' }]],
  );
  assert.deepEqual(got.skipped, [{ ref: 'SPDXRef-file-thing', reason: 'no purl external reference' }]);
});

test('parseSpdx refuses what it cannot read, listing every bad field', () => {
  const err = (text: string): CustomsError => {
    try {
      parseSpdx(text);
    } catch (e) {
      assert.ok(e instanceof CustomsError);
      assert.equal(e.code, 'SBOM_INVALID');
      return e;
    }
    assert.fail('expected SBOM_INVALID');
  };
  assert.match(err('SPDXVersion: SPDX-2.3').message, /not valid JSON.*only the JSON format/);
  assert.match(err('{"spdxVersion":"SPDX-3.0"}').message, /"SPDX-3.0" is not supported/);
  const e = err(JSON.stringify({ spdxVersion: 'SPDX-2.3', packages: [{ name: 'a' }, 'x', { SPDXID: 'SPDXRef-b' }] }));
  assert.match(e.message, /\/packages\/0\/SPDXID/);
  assert.match(e.message, /\/packages\/1: not an object/);
  assert.match(e.message, /\/packages\/2\/name/);
});
