import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { renderScanJson } from './scan-json.js';
import { isScanResultJson, parseScanResultJson, SAVED_DB_PATH } from './scan-json-read.js';
import type { ScanResult } from '../result/index.js';
import { L1, sampleResult } from '../policy/test-support/gate-sample.js';

/** The sample with what a scan of an image has besides findings: tags, labels, packages, config. */
function imageResult(): ScanResult {
  const r = sampleResult();
  const curl = r.vulnerabilities[0];
  return {
    ...r,
    inventory: {
      ...r.inventory,
      target: {
        ...r.inventory.target,
        repoTags: ['registry.example.com/team/app:1'],
        repoDigests: [`registry.example.com/team/app@${L1}`],
        created: '2026-01-01T00:00:00Z',
        labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:12' },
        layers: r.inventory.target.layers.map((l, i) => ({ ...l, size: 1000 + i, createdBy: `RUN step ${i}` })),
      },
      packages: [
        {
          ecosystem: 'deb',
          name: 'base-files',
          version: '12.4',
          id: 'p0',
          purl: 'pkg:deb/debian/base-files@12.4',
          paths: ['var/lib/dpkg/status'],
          layer: L1,
          license: 'GPL-2.0-or-later',
        },
        {
          ecosystem: 'deb',
          name: 'curl',
          version: curl?.installedVersion ?? '',
          purl: curl?.package.purl ?? '',
          id: 'p1',
          paths: ['var/lib/dpkg/status'],
          layer: L1,
        },
      ],
    },
    config: {
      created: '2026-01-01T00:00:00Z',
      config: {
        User: 'app',
        Env: ['PATH=/usr/bin', 'DB_PASSWORD=<redacted>'],
        Entrypoint: ['/app/run'],
        Cmd: ['--serve'],
        ExposedPorts: { '8080/tcp': {}, '22/tcp': {} },
        Healthcheck: { Test: ['CMD', '/app/health'] },
      },
      rootfs: { type: 'layers', diff_ids: r.inventory.target.layers.map((l) => l.diffID) },
    },
  };
}

test('a saved scan result reads back to the same JSON, with what policies read about the image', () => {
  const saved = renderScanJson(imageResult());
  const back = parseScanResultJson(saved, 's.json');
  assert.equal(renderScanJson(back), saved);
  assert.equal(back.db?.path, SAVED_DB_PATH);
  assert.deepEqual(back.vulnerabilities, sampleResult().vulnerabilities);
  assert.deepEqual(back.secrets, sampleResult().secrets);
  assert.deepEqual(back.licenses, sampleResult().licenses);
  // The inventory policies read: every package, the references, labels and layers.
  assert.deepEqual(back.inventory.packages, imageResult().inventory.packages);
  assert.deepEqual(back.inventory.target, imageResult().inventory.target);
  // The config fields rules check, Env as the scan redacted it.
  const c = back.config?.config;
  assert.deepEqual(
    [c?.User, c?.Entrypoint, c?.Cmd, Object.keys(c?.ExposedPorts ?? {}), c?.Healthcheck?.Test, c?.Env],
    [
      'app',
      ['/app/run'],
      ['--serve'],
      ['22/tcp', '8080/tcp'],
      ['CMD', '/app/health'],
      ['PATH=/usr/bin', 'DB_PASSWORD=<redacted>'],
    ],
  );
  assert.equal(back.config?.created, '2026-01-01T00:00:00Z');
});

test('a file written before the image fields existed still reads: vulnerable packages, no layers or config', () => {
  const doc = JSON.parse(renderScanJson(imageResult())) as Record<string, unknown> & {
    target: Record<string, unknown>;
  };
  for (const k of ['repoTags', 'repoDigests', 'created', 'labels', 'layers']) delete doc.target[k];
  delete doc.config;
  delete doc.packages;
  const back = parseScanResultJson(JSON.stringify(doc), 's.json');
  assert.deepEqual(
    back.inventory.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer, p.paths[0]]),
    [
      ['deb', 'curl', '7.88.1-10+deb12u1', sampleResult().vulnerabilities[0]?.layer, 'var/lib/dpkg/status'],
      ['deb', 'curl', '7.88.1-10+deb12u1', sampleResult().vulnerabilities[2]?.layer, 'var/lib/dpkg/status'],
      [
        'pypi',
        'requests',
        '2.28.1',
        sampleResult().vulnerabilities[1]?.layer,
        'usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA',
      ],
    ],
  );
  assert.deepEqual(back.inventory.target.layers, []);
  assert.deepEqual(back.inventory.target.repoTags, []);
  assert.equal(back.config, undefined);
});

test('isScanResultJson tells a saved scan from an SBOM', () => {
  assert.equal(isScanResultJson(JSON.parse(renderScanJson(sampleResult()))), true);
  assert.equal(isScanResultJson({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [] }), false);
  assert.equal(isScanResultJson({ schemaVersion: 1, tool: { name: 'customs' }, packages: [] }), false);
  assert.equal(isScanResultJson([]), false);
  assert.equal(isScanResultJson(null), false);
});

const fails = (text: string, ...parts: string[]) =>
  assert.throws(
    () => parseScanResultJson(text, 's.json'),
    (e: unknown) =>
      e instanceof CustomsError &&
      e.code === 'SCAN_RESULT_INVALID' &&
      e.exitStatus === 3 &&
      parts.every((p) => e.message.includes(p)),
  );

test('bad saved results are refused listing every bad field', () => {
  fails('{"schemaVersion": 1', 'not JSON');
  fails('{"bomFormat":"CycloneDX"}', 'schemaVersion');
  fails(
    renderScanJson(sampleResult()).replace('"schemaVersion": 1', '"schemaVersion": 2'),
    'schemaVersion 2 is not supported',
  );
  const doc = JSON.parse(renderScanJson(sampleResult())) as {
    vulnerabilities: Record<string, unknown>[];
    summary: Record<string, unknown>;
  };
  const v0 = doc.vulnerabilities[0] as Record<string, unknown>;
  v0.severity = 'catastrophic';
  v0.kev = 'yes';
  doc.summary.total = 'three';
  fails(JSON.stringify(doc), '/vulnerabilities/0/severity', '/vulnerabilities/0/kev', '/summary/total');
});

test('an unknown ecosystem is refused (the package model has one list of ecosystems)', () => {
  const doc = JSON.parse(renderScanJson(sampleResult())) as { vulnerabilities: { package: { ecosystem: string } }[] };
  (doc.vulnerabilities[1] as { package: { ecosystem: string } }).package.ecosystem = 'pip';
  fails(JSON.stringify(doc), '/vulnerabilities/1/package/ecosystem', '"pip"');
});

test('hostile input: deep nesting and huge arrays fail cleanly', () => {
  fails(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'schemaVersion');
  const doc = JSON.parse(renderScanJson(sampleResult())) as { vulnerabilities: unknown[] };
  doc.vulnerabilities = Array.from({ length: 200 }, () => ({ nope: true }));
  fails(JSON.stringify(doc), '… and');
});
