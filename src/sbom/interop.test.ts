import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testdata } from '../core/test-support/testdata.js';
import { parseCycloneDx } from './cyclonedx.js';
import type { ImportedSbom } from './imported.js';
import { parseSpdx } from './spdx.js';

// Real Trivy output for a known root filesystem (see testdata/README.md).
const read = (name: string) => readFileSync(testdata(import.meta.url, 'trivy', name), 'utf8');

const summary = (sbom: ImportedSbom) =>
  sbom.packages
    .map((p) => [
      p.ecosystem,
      p.name,
      p.version,
      p.source ? `${p.source.name} ${p.source.version}` : '',
      p.license ?? '',
    ])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])));

const EXPECTED = [
  ['npm', '@babel/core', '7.24.0', '', 'MIT'],
  ['pypi', 'Jinja2', '3.1.3', '', 'BSD-3-Clause'],
  ['deb', 'libssl3', '3.0.15-1~deb12u1', 'openssl 3.0.15-1~deb12u1', ''],
  // Trivy moves the Debian epoch into a purl qualifier and splits the source version; both come back whole.
  ['deb', 'openssh-client', '1:9.2p1-2+deb12u3', 'openssh 1:9.2p1-2+deb12u3', ''],
];

test("Trivy's CycloneDX 1.5: packages, source packages, epochs, licences, paths and OS are read", () => {
  const sbom = parseCycloneDx(read('rootfs.cdx.json'));
  assert.equal(sbom.specVersion, '1.5');
  assert.deepEqual(summary(sbom), EXPECTED);
  assert.deepEqual(sbom.os, { family: 'debian', version: '12.7', name: 'debian' });
  const babel = sbom.packages.find((p) => p.name === '@babel/core');
  assert.deepEqual(babel?.paths, ['app/node_modules/@babel/core/package.json']);
  assert.equal(sbom.packages.find((p) => p.name === 'openssh-client')?.arch, 'amd64');
});

test("Trivy's SPDX 2.3: the same packages; packages without purl are listed as skipped", () => {
  const sbom = parseSpdx(read('rootfs.spdx.json'));
  assert.equal(sbom.specVersion, 'SPDX-2.3');
  assert.deepEqual(summary(sbom), EXPECTED);
  assert.equal(sbom.os?.family, 'debian');
  assert.equal(sbom.os?.version, '12.7');
  assert.equal(sbom.subject?.name, '.');
  assert.deepEqual(sbom.skipped.map((s) => s.reason).sort(), [
    'no purl external reference',
    'no purl external reference',
  ]);
});
