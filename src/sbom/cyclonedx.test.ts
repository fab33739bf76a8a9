import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError, type Package } from '../core/index.js';
import { testdata } from '../core/test-support/testdata.js';
import { parseCycloneDx, toCycloneDx } from './cyclonedx.js';
import type { ImportedPackage } from './imported.js';
import { assertGolden } from '../core/test-support/golden.js';
import { sampleInventory } from './test-support/sample-inventory.js';
import { validateCycloneDx16 } from './test-support/validators.js';

type Json = Record<string, unknown>;
interface Component extends Json {
  'bom-ref': string;
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  licenses?: Json[];
  properties?: { name: string; value: string }[];
}

const doc = (): Json & { components: Component[]; metadata: Json; dependencies: Json[] } =>
  JSON.parse(toCycloneDx(sampleInventory())) as Json & {
    components: Component[];
    metadata: Json;
    dependencies: Json[];
  };

test('CycloneDX of the sample inventory validates against the official 1.6 schema', async () => {
  const json = toCycloneDx(sampleInventory());
  assert.equal(await validateCycloneDx16(json), '');
  assertGolden(testdata(import.meta.url, 'golden', 'sample.cdx.json'), json);
});

test('CycloneDX is deterministic: same inventory, same bytes; serialNumber is a content UUID', () => {
  const a = toCycloneDx(sampleInventory());
  assert.equal(a, toCycloneDx(sampleInventory()));
  const d = JSON.parse(a) as Json & { metadata: Json };
  assert.match(
    String(d.serialNumber),
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(d.specVersion, '1.6');
  assert.equal(d.metadata.timestamp, '2024-05-01T12:34:56.789Z');
  // A different inventory (one package fewer) gets a different serial number.
  const inv = sampleInventory();
  const other = JSON.parse(toCycloneDx({ ...inv, packages: inv.packages.slice(1) })) as Json;
  assert.notEqual(other.serialNumber, d.serialNumber);
});

test('metadata: the image is a container component with an oci purl; tools name customs', () => {
  const d = doc();
  const image = d.metadata.component as Component;
  const inv = sampleInventory();
  assert.equal(image.type, 'container');
  assert.equal(image.name, 'registry.example.com:5000/shop/web:1.4.2');
  assert.equal(image.version, inv.target.manifestDigest);
  assert.equal(
    image.purl,
    `pkg:oci/web@${inv.target.manifestDigest}?arch=amd64&repository_url=registry.example.com%3A5000%2Fshop%2Fweb&tag=1.4.2`,
  );
  const tools = (d.metadata.tools as { components: Component[] }).components;
  assert.deepEqual(
    tools.map((t) => [t.type, t.name, t.version]),
    [['application', 'customs', '0.1.0-test']],
  );
});

test('components: one per package plus the OS; bom-ref = package id; licences and customs properties', () => {
  const d = doc();
  const inv = sampleInventory();
  const os = d.components.filter((c) => c.type === 'operating-system');
  assert.deepEqual(
    os.map((c) => [c.name, c.version, c.description]),
    [['debian', '12', 'Debian GNU/Linux 12 (bookworm)']],
  );
  const libs = d.components.filter((c) => c.type === 'library');
  assert.equal(libs.length, inv.packages.length);
  const byRef = new Map(libs.map((c) => [c['bom-ref'], c]));
  for (const p of inv.packages) {
    const c = byRef.get(p.id);
    assert.ok(c, `component for ${p.name}`);
    assert.equal(c.purl, p.purl);
    assert.equal(c.version, p.version);
    const props = c.properties ?? [];
    assert.ok(props.some((x) => x.name === 'customs:layer:diffID' && x.value === p.layer));
    assert.ok(props.some((x) => x.name === 'customs:ecosystem' && x.value === p.ecosystem));
    for (const path of p.paths) assert.ok(props.some((x) => x.name === 'customs:path' && x.value === path));
  }
  const find = (name: string) => libs.find((c) => c.name === name) as Component;
  assert.deepEqual(find('serde').licenses, [{ expression: 'MIT OR Apache-2.0' }]);
  assert.deepEqual(find('zlib1g').licenses, [{ expression: 'Zlib' }]);
  // DEP-5 short names are normalised (docs/licenses.md); the declared text is kept as a property.
  assert.deepEqual(find('perl-base').licenses, [{ expression: 'GPL-1.0-or-later OR Artistic-1.0' }]);
  const perl = find('perl-base').properties ?? [];
  assert.ok(perl.some((x) => x.name === 'customs:license:declared' && x.value === 'GPL-1+ or Artistic'));
  assert.equal(find('libc6').licenses, undefined);
  assert.deepEqual([find('core').group, find('core').name], ['@babel', 'core']);
  assert.deepEqual([find('log4j-core').group, find('log4j-core').name], ['org.apache.logging.log4j', 'log4j-core']);
  assert.deepEqual(find('openssh-client').licenses, [{ expression: 'BSD-2-Clause' }]);
  const ssh = find('openssh-client').properties ?? [];
  assert.ok(ssh.some((x) => x.name === 'customs:license:declared' && x.value === 'BSD-2-clause'));
  assert.ok(ssh.some((x) => x.name === 'customs:source:name' && x.value === 'openssh'));
  assert.ok(ssh.some((x) => x.name === 'customs:source:version' && x.value === '1:9.2p1-2+deb12u3'));
});

test('dependencies: image → OS and language packages, OS → OS packages', () => {
  const d = doc();
  const inv = sampleInventory();
  const image = d.metadata.component as Component;
  const deps = new Map(d.dependencies.map((x) => [x.ref as string, (x.dependsOn as string[] | undefined) ?? []]));
  const osRef = d.components.find((c) => c.type === 'operating-system')?.['bom-ref'] as string;
  const osPkgs = inv.packages.filter((p) => p.ecosystem === 'deb').map((p) => p.id);
  const langPkgs = inv.packages.filter((p) => p.ecosystem !== 'deb').map((p) => p.id);
  assert.deepEqual(new Set(deps.get(osRef)), new Set(osPkgs));
  assert.deepEqual(new Set(deps.get(image['bom-ref'])), new Set([osRef, ...langPkgs]));
});

/** The facts an SBOM carries for a package (files lists are not written to SBOMs). */
export function comparable(p: Package | ImportedPackage): Json {
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

test('round trip: inventory → CycloneDX → parseCycloneDx gives the same packages and OS', () => {
  const inv = sampleInventory();
  const back = parseCycloneDx(toCycloneDx(inv));
  assert.equal(back.format, 'cyclonedx');
  assert.equal(back.specVersion, '1.6');
  assert.deepEqual(back.os, inv.os);
  assert.deepEqual(back.skipped, []);
  const sortById = (a: Json, b: Json) => String(a.id).localeCompare(String(b.id));
  assert.deepEqual(back.packages.map(comparable).sort(sortById), inv.packages.map(comparable).sort(sortById));
  assert.equal(back.subject?.name, inv.target.name);
  assert.equal(back.subject?.version, inv.target.manifestDigest);
});

test('parseCycloneDx reads a foreign 1.4 document: purls decoded, nested components, Trivy properties', () => {
  const foreign = {
    bomFormat: 'CycloneDX',
    specVersion: '1.4',
    version: 1,
    metadata: { component: { type: 'container', name: 'alpine:3.19' } },
    components: [
      {
        type: 'library',
        name: 'busybox',
        version: '1.36.1-r15',
        purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1',
        licenses: [{ license: { id: 'GPL-2.0-only' } }],
        properties: [
          { name: 'aquasecurity:trivy:SrcName', value: 'busybox' },
          { name: 'aquasecurity:trivy:SrcVersion', value: '1.36.1-r15' },
          { name: 'aquasecurity:trivy:LayerDiffID', value: 'sha256:abc' },
        ],
      },
      {
        type: 'application',
        name: 'app',
        components: [{ type: 'library', name: 'Flask', version: '3.0.0', purl: 'pkg:pypi/flask@3.0.0' }],
      },
      {
        type: 'library',
        name: 'login',
        version: '1:4.13+dfsg1-1',
        purl: 'pkg:deb/debian/login@4.13%2Bdfsg1-1?epoch=1',
      },
      { type: 'library', name: 'x', purl: 'pkg:github/package-url/purl-spec@244fd47' },
      { type: 'operating-system', name: 'alpine', version: '3.19.1' },
    ],
  };
  const got = parseCycloneDx(JSON.stringify(foreign));
  assert.deepEqual(got.os, { family: 'alpine', version: '3.19.1', name: 'alpine' });
  const busybox = got.packages.find((p) => p.name === 'busybox');
  assert.deepEqual(busybox && comparable(busybox), {
    id: '/components/0',
    ecosystem: 'apk',
    name: 'busybox',
    version: '1.36.1-r15',
    purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1',
    arch: 'x86_64',
    epoch: undefined,
    source: { name: 'busybox', version: '1.36.1-r15' },
    license: 'GPL-2.0-only',
    meta: undefined,
    layer: 'sha256:abc',
    paths: [],
  });
  assert.equal(got.packages.find((p) => p.ecosystem === 'pypi')?.name, 'Flask');
  // Debian epochs live in the version (deb-version(7)), even when a tool put them in a qualifier.
  assert.equal(got.packages.find((p) => p.name === 'login')?.version, '1:4.13+dfsg1-1');
  assert.deepEqual(
    got.skipped.map((s) => s.reason),
    ['no purl', 'purl type "github" is not an ecosystem customs knows'],
  );
});

function sbomError(f: () => unknown): CustomsError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CustomsError, `expected a CustomsError, got ${String(e)}`);
    assert.equal(e.code, 'SBOM_INVALID');
    return e;
  }
  assert.fail('expected SBOM_INVALID');
}

test('parseCycloneDx refuses what it cannot read, naming the problem', () => {
  assert.match(sbomError(() => parseCycloneDx('<bom/>')).message, /not valid JSON.*only the JSON format/);
  assert.match(
    sbomError(() => parseCycloneDx('{"bomFormat":"CycloneDX","specVersion":"1.2"}')).message,
    /specVersion "1.2" is not supported/,
  );
  assert.match(sbomError(() => parseCycloneDx('{"spdxVersion":"SPDX-2.3"}')).message, /bomFormat is undefined/);
  const bad = { bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'library' }, 7, { name: 'x' }] };
  const e = sbomError(() => parseCycloneDx(JSON.stringify(bad)));
  assert.match(e.message, /\/components\/0: name/);
  assert.match(e.message, /\/components\/1: not an object/);
  assert.match(e.message, /\/components\/2: type/);
});

test('parseCycloneDx bounds nesting depth of hostile documents', () => {
  // Built as text: JSON.stringify itself cannot nest this deep.
  const text = (n: number): string =>
    `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${'{"type":"library","name":"n","components":['.repeat(n)}{"type":"library","name":"leaf"}${']}'.repeat(n)}]}`;
  // Past the bound on every document (core's nestingProblem), before the reader walks it …
  assert.match(sbomError(() => parseCycloneDx(text(100_000))).message, /nested more than 256 levels deep/);
  // … and within it, past the reader's own bound on nested components.
  assert.match(sbomError(() => parseCycloneDx(text(70))).message, /nested deeper than 64/);
});

test('the CycloneDX validator used above does reject a broken document', async () => {
  // The library's validator stops at the first error: one broken field per document.
  const badType = doc();
  (badType.components[0] as Json).type = 'spaceship';
  assert.match(await validateCycloneDx16(JSON.stringify(badType)), /components\/0\/type/);
  const badSerial = doc();
  badSerial.serialNumber = 'not-a-urn';
  assert.match(await validateCycloneDx16(JSON.stringify(badSerial)), /serialNumber/);
});
