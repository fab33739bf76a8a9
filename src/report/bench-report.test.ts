import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchReport, DOCKER_CONTROLS } from '../bench/index.js';
import { findingsOf } from '../result/index.js';
import { benchAsResult, renderBench } from './bench-report.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function report(): BenchReport {
  const pick = (id: string) => DOCKER_CONTROLS.find((c) => c.id === id) as (typeof DOCKER_CONTROLS)[number];
  return {
    schemaVersion: 1,
    benchmark: 'cis-docker',
    benchmarkVersion: '1.6.0',
    target: 'unix:///var/run/docker.sock',
    results: [
      { ...pick('2.2'), status: 'pass', evidence: ['daemon.json /etc/docker/daemon.json: "icc": false'] },
      { ...pick('5.5'), status: 'fail', evidence: ['container /p: HostConfig.Privileged=true (state created)'] },
      { ...pick('5.30'), status: 'warn', evidence: ['container /w: HostConfig.NetworkMode=default'] },
      { ...pick('2.7'), status: 'info', evidence: ['the daemon listens on no TCP address'] },
      { ...pick('4.2'), status: 'manual', evidence: ['<script>"&'] },
    ],
  };
}

test('json carries id, title, level, scored, status, evidence and remediation of every control', () => {
  const doc = JSON.parse(renderBench(report(), 'json', NOW)) as {
    summary: Record<string, number>;
    results: Record<string, unknown>[];
  };
  assert.deepEqual(doc.summary, { pass: 1, fail: 1, warn: 1, info: 1, manual: 1 });
  assert.deepEqual(Object.keys(doc.results[1] ?? {}), [
    'id',
    'title',
    'section',
    'level',
    'scored',
    'status',
    'evidence',
    'remediation',
  ]);
  assert.equal(doc.results[1]?.id, '5.5');
  assert.equal(doc.results[1]?.status, 'fail');
});

test('failed and warned controls are misconfiguration findings of the result model, the others are not', () => {
  const fs = findingsOf(benchAsResult(report(), NOW));
  assert.deepEqual(
    fs.map((f) => [f.kind, f.ruleId, f.severity]),
    [
      ['misconfig', 'CIS-DOCKER-5.5', 'high'],
      ['misconfig', 'CIS-DOCKER-5.30', 'low'],
    ],
  );
  const sarif = JSON.parse(renderBench(report(), 'sarif', NOW)) as { runs: { results: { ruleId: string }[] }[] };
  assert.deepEqual(
    sarif.runs[0]?.results.map((r) => r.ruleId),
    ['CIS-DOCKER-5.5', 'CIS-DOCKER-5.30'],
  );
});

test('junit: a case per control, fail and warn fail, info and manual skipped, text escaped', () => {
  const xml = renderBench(report(), 'junit', NOW);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 5);
  assert.equal((xml.match(/<failure /g) ?? []).length, 2);
  assert.equal((xml.match(/<skipped /g) ?? []).length, 2);
  assert.ok(xml.includes('&lt;script&gt;&quot;&amp;'));
  assert.ok(!xml.includes('<script>'));
});

test('table: one line per control, evidence under the ones that did not pass, a total', () => {
  const t = renderBench(report(), 'table', NOW);
  assert.match(t, /^ {2}FAIL {3}5\.5 {5}Ensure that privileged containers are not used \(L1\)\n {11}container \/p:/m);
  assert.doesNotMatch(t, /"icc": false/, 'passing controls list no evidence in the table');
  assert.match(t, /Total: 5 \(pass 1, fail 1, warn 1, info 1, manual 1\)/);
  assert.equal(renderBench(report(), 'table', NOW), t);
});
