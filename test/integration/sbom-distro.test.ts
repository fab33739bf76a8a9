/**
 * SBOMs that state the distro release only in their packages' purl `distro`
 * qualifiers (as Syft, Trivy and the purl spec's own examples write it), and
 * `--distro NAME:VERSION`: scanned through the CLI against a DB imported from
 * test/feeds, the distro packages are matched, and each finding says how.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { freshDir, REPO_ROOT, runCustoms } from '../support/images.js';

let work = '';
let env: NodeJS.ProcessEnv = {};

before(async () => {
  work = await freshDir('sbom-distro');
  env = { CUSTOMS_CACHE_DIR: join(work, 'cache'), CUSTOMS_DB_DIR: join(work, 'db') };
  const db = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '-q'], env);
  assert.equal(db.code, 0, db.stderr);
});

/** A CycloneDX 1.6 document with these purls and no operating-system component. */
function cyclonedx(purls: readonly string[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'container', name: 'app', 'bom-ref': 'app' } },
    components: purls.map((purl, i) => {
      const name = /\/([^/@]+)@/.exec(purl)?.[1] ?? `c${i}`;
      return { type: 'library', 'bom-ref': `c${i}`, name, version: purl.split('@')[1]?.split('?')[0], purl };
    }),
  });
}

/** An SPDX 2.3 document with these purls and no OS package. */
function spdx(purls: readonly string[]): string {
  return JSON.stringify({
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'app',
    documentNamespace: 'https://example.com/app',
    creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: test'] },
    packages: purls.map((purl, i) => ({
      SPDXID: `SPDXRef-p${i}`,
      name: /\/([^/@]+)@/.exec(purl)?.[1] ?? `p${i}`,
      versionInfo: purl.split('@')[1]?.split('?')[0],
      downloadLocation: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }],
    })),
  });
}

interface Scan {
  readonly os?: { readonly family: string; readonly version: string };
  readonly vulnerabilities: readonly {
    readonly aliases: readonly string[];
    readonly id: string;
    readonly match: { readonly searchedBy: string; readonly matcher: string };
  }[];
  readonly notes: readonly { readonly message: string }[];
}

async function scan(file: string, text: string, ...flags: string[]): Promise<Scan> {
  const path = join(work, file);
  await writeFile(path, text);
  const res = await runCustoms(['scan', path, '-f', 'json', '-q', ...flags], env);
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as Scan;
}

const cve = (s: Scan, id: string) => s.vulnerabilities.find((v) => v.id === id || v.aliases.includes(id));

const CURL_DEB = 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u3?arch=amd64';

test('deb purls with distro=debian-12 (Syft) are matched against Debian 12, and say so', async () => {
  const s = await scan('syft.cdx.json', cyclonedx([`${CURL_DEB}&distro=debian-12`]));
  const f = cve(s, 'CVE-2023-38545');
  assert.ok(f, JSON.stringify(s.notes));
  assert.match(f.match.searchedBy, /Debian:12/);
  assert.equal(f.match.matcher, 'deb-distro');
  assert.deepEqual(s.os && [s.os.family, s.os.version], ['debian', '12']);
  assert.ok(s.notes.some((n) => /purl distro qualifiers name debian 12/.test(n.message)));
});

test('a code name (distro=bookworm, the purl spec example form) in SPDX is Debian 12', async () => {
  const s = await scan('codename.spdx.json', spdx([`${CURL_DEB}&distro=bookworm`]));
  assert.match(cve(s, 'CVE-2023-38545')?.match.searchedBy ?? '', /Debian:12/);
});

test('apk purls with a bare distro version (Trivy) or alpine-VERSION (Syft) are matched against Alpine v3.19', async () => {
  for (const distro of ['3.19.1', 'alpine-3.19.1']) {
    const s = await scan(
      `alpine-${distro}.cdx.json`,
      cyclonedx([`pkg:apk/alpine/curl@8.3.0-r0?arch=x86_64&distro=${distro}`]),
    );
    assert.match(cve(s, 'CVE-2023-38545')?.match.searchedBy ?? '', /Alpine:v3\.19/, distro);
  }
});

test('Ubuntu code names in the qualifier are releases (jammy → 22.04)', async () => {
  const s = await scan('jammy.cdx.json', cyclonedx(['pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.13?arch=amd64&distro=jammy']));
  assert.match(cve(s, 'CVE-2023-38545')?.match.searchedBy ?? '', /Ubuntu:22\.04/);
});

test('--distro stands in for an SBOM that states no release; without it the note names the flag', async () => {
  const sbom = cyclonedx([CURL_DEB]);
  const without = await scan('bare.cdx.json', sbom);
  assert.equal(cve(without, 'CVE-2023-38545'), undefined);
  assert.ok(without.notes.some((n) => n.message.includes('--distro NAME:VERSION')));

  const withFlag = await scan('bare.cdx.json', sbom, '--distro', 'debian:12');
  assert.match(cve(withFlag, 'CVE-2023-38545')?.match.searchedBy ?? '', /Debian:12/);
  assert.ok(withFlag.notes.some((n) => /matched as debian 12 \(--distro\)/.test(n.message)));
});

test('--distro overrides the qualifiers: the same SBOM as Debian 11 has no bookworm advisory', async () => {
  const s = await scan('override.cdx.json', cyclonedx([`${CURL_DEB}&distro=debian-12`]), '--distro', 'debian:11');
  assert.equal(cve(s, 'CVE-2023-38545'), undefined);
  assert.deepEqual(s.os && [s.os.family, s.os.version], ['debian', '11']);
});

test('qualifiers naming different releases are not guessed between', async () => {
  const s = await scan(
    'mixed.cdx.json',
    cyclonedx([
      `${CURL_DEB}&distro=debian-12`,
      'pkg:deb/debian/xz-utils@5.2.5-2.1~deb11u1?arch=amd64&distro=debian-11',
    ]),
  );
  assert.equal(s.vulnerabilities.length, 0);
  assert.ok(s.notes.some((n) => n.message.includes('debian-11, debian-12')));
});

test('a bad --distro is a usage error naming the accepted distros', async () => {
  const sbom = join(work, 'bad.cdx.json');
  await writeFile(sbom, cyclonedx([CURL_DEB]));
  for (const [flag, expected] of [
    ['centos:7', /"centos" is not a distro customs has advisories for; NAME is one of alpine, .*debian.*ubuntu/],
    ['debian', /is not NAME:VERSION/],
    ['debian:potato-x', /is not a release of debian/],
  ] as const) {
    const res = await runCustoms(['scan', sbom, '--distro', flag, '-q'], env);
    assert.equal(res.code, 2, `${flag}: ${res.stderr}`);
    assert.match(res.stderr, expected, flag);
  }
  const gate = await runCustoms(['gate', sbom, '--distro', 'nope:1', '-q'], env);
  assert.equal(gate.code, 2, gate.stderr);
  assert.match(gate.stderr, /NAME is one of/);
});
