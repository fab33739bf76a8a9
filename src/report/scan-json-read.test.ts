import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { renderScanJson } from './scan-json.js';
import { isScanResultJson, parseScanResultJson, SAVED_DB_PATH } from './scan-json-read.js';
import { sampleResult } from './test-support/gate-sample.js';

test('a saved scan result reads back to the same JSON (every field the schema keeps)', () => {
  const saved = renderScanJson(sampleResult());
  const back = parseScanResultJson(saved, 's.json');
  // Only summary.packages differs: the saved JSON counts every package, the rebuilt inventory holds the vulnerable ones.
  const again = JSON.parse(renderScanJson(back)) as { summary: { packages: number } };
  assert.equal(again.summary.packages, 3);
  again.summary.packages = 0;
  assert.equal(`${JSON.stringify(again, null, 2)}\n`, saved);
  assert.equal(back.db?.path, SAVED_DB_PATH);
  assert.deepEqual(back.vulnerabilities, sampleResult().vulnerabilities);
  assert.deepEqual(back.secrets, sampleResult().secrets);
  assert.deepEqual(back.licenses, sampleResult().licenses);
});

test('the rebuilt inventory holds the vulnerable packages, with their layer and paths', () => {
  const back = parseScanResultJson(renderScanJson(sampleResult()), 's.json');
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
  // Not in the saved JSON: layers, tags, labels.
  assert.deepEqual(back.inventory.target.layers, []);
  assert.deepEqual(back.inventory.target.repoTags, []);
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
