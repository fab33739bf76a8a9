import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { type BenchReport, DOCKER_CONTROLS, evaluateDocker } from '../bench/index.js';
import { CustomsError } from '../core/index.js';
import type { ScanResult } from '../result/index.js';
import { type ComplianceInput, complianceReport, FRAMEWORKS, NIST_800_190 } from './compliance.js';
import { COMPLIANCE_HTML_CSP, parseComplianceInput, renderCompliance } from './compliance-render.js';
import { sampleResult } from './test-support/machine-sample.js';

/**
 * NIST SP 800-190 (September 2017) section 4 "Countermeasures for Major Risks", written
 * out here from the publication's table of contents, independently of compliance.ts.
 */
const NIST_SECTION_4: readonly (readonly [string, string])[] = [
  ['4.1.1', 'Image vulnerabilities'],
  ['4.1.2', 'Image configuration defects'],
  ['4.1.3', 'Embedded malware'],
  ['4.1.4', 'Embedded clear text secrets'],
  ['4.1.5', 'Use of untrusted images'],
  ['4.2.1', 'Insecure connections to registries'],
  ['4.2.2', 'Stale images in registries'],
  ['4.2.3', 'Insufficient authentication and authorization restrictions'],
  ['4.3.1', 'Unbounded administrative access'],
  ['4.3.2', 'Unauthorized access'],
  ['4.3.3', 'Poorly separated inter-container network traffic'],
  ['4.3.4', 'Mixing of workload sensitivity levels'],
  ['4.3.5', 'Orchestrator node trust'],
  ['4.4.1', 'Vulnerabilities within the runtime software'],
  ['4.4.2', 'Unbounded network access from containers'],
  ['4.4.3', 'Insecure container runtime configurations'],
  ['4.4.4', 'App vulnerabilities'],
  ['4.4.5', 'Rogue containers'],
  ['4.5.1', 'Large attack surface'],
  ['4.5.2', 'Shared kernel'],
  ['4.5.3', 'Host OS component vulnerabilities'],
  ['4.5.4', 'Improper user access rights'],
  ['4.5.5', 'Host file system tampering'],
];

const NOW = new Date('2026-06-01T00:00:00Z');

function dockerBench(over: Record<string, 'pass' | 'fail'> = {}): BenchReport {
  const facts = {
    endpoint: 'unix:///var/run/docker.sock',
    info: { DockerRootDir: '/var/lib/docker', SecurityOptions: ['name=seccomp,profile=default'] },
    daemonJson: { path: '/etc/docker/daemon.json', error: 'absent' },
    auditRules: [],
    files: [],
    paths: { registryCerts: [] },
    groups: {},
    containers: [],
    images: [],
    env: {},
  };
  const results = evaluateDocker(facts).map((r) =>
    over[r.id] ? { ...r, status: over[r.id] as 'pass' | 'fail', evidence: [`container /web: decided ${r.id}`] } : r,
  );
  return { schemaVersion: 1, benchmark: 'cis-docker', benchmarkVersion: '1.6.0', target: facts.endpoint, results };
}

const scanInput = (scan: ScanResult, source = 'app.json'): ComplianceInput => ({ source, kind: 'scan', scan });

test('the NIST SP 800-190 report names every section 4 countermeasure exactly once, in every format', () => {
  assert.deepEqual(
    NIST_800_190.map((c) => [c.id, c.title]),
    NIST_SECTION_4.map(([id, title]) => [id, title]),
  );
  const r = complianceReport('nist-800-190', []);
  assert.equal(r.controls.length, 23);
  for (const format of ['json', 'csv', 'html', 'junit'] as const) {
    const text = renderCompliance(r, format, NOW);
    for (const [id, title] of NIST_SECTION_4) {
      const hits = text.split(title).length - 1;
      assert.equal(hits, 1, `${format}: "${title}" appears ${hits} times`);
      assert.ok(text.includes(id), `${format}: ${id}`);
    }
  }
  // Without inputs nothing is decided.
  assert.ok(r.controls.every((c) => c.status === 'not-assessed'));
});

test('scan findings decide the image countermeasures, naming the input and the findings', () => {
  const r = complianceReport('nist-800-190', [scanInput(sampleResult())]);
  const by = new Map(r.controls.map((c) => [c.id, c]));
  assert.equal(by.get('4.1.3')?.status, 'fail');
  assert.match(by.get('4.1.3')?.evidence[0] ?? '', /^app\.json: docker-archive:app\.tar: 1 malware indicators: XMRig/);
  assert.equal(by.get('4.1.4')?.status, 'fail');
  assert.equal(by.get('4.1.2')?.status, 'fail', 'CUS-IMG-001 is an image configuration defect');
  assert.match(by.get('4.1.2')?.evidence.join() ?? '', /CUS-IMG-001/);
  // A host scan is not an image: 4.5.3 stays unassessed from an image scan.
  assert.equal(by.get('4.5.3')?.status, 'not-assessed');

  const clean: ScanResult = { ...sampleResult(), vulnerabilities: [], secrets: [], malware: [], misconfigurations: [] };
  const c = new Map(complianceReport('nist-800-190', [scanInput(clean)]).controls.map((x) => [x.id, x]));
  for (const id of ['4.1.1', '4.1.2', '4.1.3', '4.1.4', '4.4.4']) assert.equal(c.get(id)?.status, 'pass', id);
});

test('a host scan decides 4.5.3 and runtime packages decide 4.4.1', () => {
  const base = sampleResult();
  const runc = {
    ...base.vulnerabilities[0],
    severity: 'high' as const,
    package: { ...base.vulnerabilities[0]?.package, name: 'runc', purl: 'pkg:deb/debian/runc@1.1.5' },
  } as ScanResult['vulnerabilities'][number];
  const host: ScanResult = {
    ...base,
    inventory: { ...base.inventory, target: { ...base.inventory.target, name: 'dir:/', transport: 'dir' } },
    vulnerabilities: [runc],
  };
  const by = new Map(complianceReport('nist-800-190', [scanInput(host, 'host.json')]).controls.map((c) => [c.id, c]));
  assert.equal(by.get('4.5.3')?.status, 'fail');
  assert.equal(by.get('4.4.1')?.status, 'fail');
  assert.match(
    by.get('4.4.1')?.evidence[0] ?? '',
    /^host\.json: dir:\/: 1 vulnerabilities in container runtime packages/,
  );
  assert.equal(by.get('4.1.1')?.status, 'not-assessed', 'a host is not an image');
});

test('bench results decide orchestrator, container and host countermeasures; warn/info/manual decide nothing', () => {
  const by = (b: BenchReport) =>
    new Map(
      complianceReport('nist-800-190', [{ source: 'bench.json', kind: 'bench', bench: b }]).controls.map((c) => [
        c.id,
        c,
      ]),
    );
  const all = Object.fromEntries(DOCKER_CONTROLS.map((c) => [c.id, 'pass' as const]));
  const failing = by(dockerBench({ ...all, '5.5': 'fail' }));
  assert.equal(failing.get('4.4.3')?.status, 'fail');
  assert.equal(failing.get('4.4.3')?.evidence[0], 'bench.json: cis-docker 5.5 fail: container /web: decided 5.5');
  const passing = by(dockerBench(all));
  for (const id of ['4.2.1', '4.3.3', '4.4.2', '4.4.3', '4.5.2', '4.5.4', '4.5.5'])
    assert.equal(passing.get(id)?.status, 'pass', id);
  // A benchmark with only manual/info results for a countermeasure leaves it unassessed.
  const manualOnly = dockerBench();
  const m = by({ ...manualOnly, results: manualOnly.results.map((r) => ({ ...r, status: 'manual' as const })) });
  assert.equal(m.get('4.4.3')?.status, 'not-assessed');
  assert.ok((m.get('4.4.3')?.evidence.length ?? 0) > 1, 'the manual results are listed as evidence');
});

test('cis-docker lists every control once and runs the checks of each item', () => {
  const r = complianceReport('cis-docker', [scanInput(sampleResult())]);
  assert.deepEqual(
    r.controls.map((c) => c.id),
    DOCKER_CONTROLS.map((c) => c.id),
  );
  const c41 = r.controls.find((c) => c.id === '4.1');
  assert.equal(c41?.status, 'fail');
  assert.match(c41?.evidence[0] ?? '', /CUS-IMG-001/);
  const k = complianceReport('cis-k8s', []);
  assert.equal(new Set(k.controls.map((c) => c.id)).size, k.controls.length);
  assert.ok(
    k.controls.some((c) => c.id === '5.1.3'),
    'section 5 from the Kubernetes checks',
  );
  assert.deepEqual(FRAMEWORKS, ['nist-800-190', 'cis-docker', 'cis-k8s']);
});

test('inputs are recognised by shape; anything else is refused naming the file', () => {
  const bench = parseComplianceInput(
    JSON.stringify({
      benchmark: 'cis-docker',
      benchmarkVersion: '1.6.0',
      target: 'x',
      results: [{ id: '5.5', title: 't', status: 'fail', evidence: ['e'] }],
    }),
    'b.json',
  );
  assert.equal(bench.kind, 'bench');
  const config = parseComplianceInput(
    JSON.stringify({
      schemaVersion: 1,
      kind: 'k8s',
      target: 'deploy/',
      files: [],
      misconfigurations: [{ checkId: 'CUS-K8S-042', severity: 'medium', message: 'm' }],
    }),
    'k.json',
  );
  assert.equal(config.kind, 'config');
  assert.throws(
    () => parseComplianceInput('{"hello": 1}', 'x.json'),
    (e: unknown) =>
      e instanceof CustomsError &&
      e.code === 'COMPLIANCE_INPUT_INVALID' &&
      e.message.startsWith('x.json: not a customs scan'),
  );
  assert.throws(
    () =>
      parseComplianceInput(
        JSON.stringify({ benchmark: 'cis-docker', results: [{ id: '1', title: 't', status: 'maybe', evidence: [] }] }),
        'b.json',
      ),
    (e: unknown) => e instanceof CustomsError && /status "maybe"/.test(e.message),
  );
});

test('CSV guards formula cells and HTML escapes evidence under a hash-pinned style', () => {
  const hostile = '=HYPERLINK("http://x")<script>alert(1)</script>';
  const r = complianceReport('nist-800-190', [
    {
      source: hostile,
      kind: 'config',
      config: {
        kind: 'k8s',
        target: hostile,
        misconfigurations: [
          { checkId: 'CUS-K8S-042', severity: 'medium', title: 't', message: hostile, target: hostile },
        ],
      },
    },
  ]);
  const csv = renderCompliance(r, 'csv', NOW);
  assert.ok(!/(^|,)=HYPERLINK/m.test(csv), 'no cell starts with =');
  const html = renderCompliance(r, 'html', NOW);
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&lt;script&gt;'));
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  assert.ok(COMPLIANCE_HTML_CSP.includes(createHash('sha256').update(style, 'utf8').digest('base64')));
});
