/**
 * `customs gate` the way a CI pipeline runs it, end to end through the CLI (bin/customs.js):
 *   1. build the vulnerability DB from test/feeds (`customs db import`);
 *   2. "build" the image: an OCI layout written here (Debian 12 os-release, a dpkg status with
 *      curl 7.88.1-10+deb12u1, and app/node_modules/lodash 4.17.20). test/feeds says both are
 *      vulnerable: DSA-5510-1 fixes curl CVE-2023-38545 in 7.88.1-10+deb12u4 (NVD 9.8, critical),
 *      GHSA-35jh-r3h4-6jhm fixes lodash CVE-2021-23337 in 4.17.21 (high);
 *   3. gate it with a policy → exit 1, naming the failing rule; rebuild with the fixed versions → 0;
 *   4. scan once to JSON and gate the saved result → the same verdicts;
 *   5. usage errors → 2, a missing policy file → 3, --exit-code, --ignorefile, -o FORMAT=FILE, --summary.
 * No Docker needed: the layout is written by test code (src/image/test-support/image-fixtures.ts), read as `oci:DIR`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeOciLayout } from '../../src/image/test-support/image-fixtures.js';
import { freshDir, REPO_ROOT, type RunResult, runCustoms } from '../support/images.js';

let work = '';
let dbDir = '';
let vulnerable = '';
let fixed = '';
let policy = '';

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

// deb-status(5) stanza: only "install ok installed" counts.
const dpkgStatus = (curl: string): string => `Package: curl
Status: install ok installed
Priority: optional
Section: web
Installed-Size: 500
Maintainer: Alessandro Ghedini <ghedo@debian.org>
Architecture: amd64
Version: ${curl}
Depends: libc6 (>= 2.34)
Description: command line tool for transferring data with URL syntax

`;

const lodash = (version: string): string => `${JSON.stringify({ name: 'lodash', version, license: 'MIT' }, null, 2)}\n`;

function writeImage(dir: string, curl: string, lodashVersion: string): string {
  writeOciLayout(dir, [
    {
      refName: 'latest',
      image: {
        layers: [
          {
            files: [
              { path: 'etc/', type: 'dir' },
              { path: 'etc/os-release', data: OS_RELEASE },
              { path: 'var/lib/dpkg/', type: 'dir' },
              { path: 'var/lib/dpkg/status', data: dpkgStatus(curl) },
            ],
          },
          { files: [{ path: 'app/node_modules/lodash/package.json', data: lodash(lodashVersion) }] },
        ],
      },
    },
  ]);
  return `oci:${dir}`;
}

const POLICY = `apiVersion: customs/v1
kind: Policy
metadata:
  name: release gate
rules:
  - id: no-high-vulnerabilities
    action: fail
    message: High and critical vulnerabilities must be fixed before release
    vulnerabilities:
      minSeverity: high
  - id: fixable-medium
    action: warn
    message: A fix exists for a medium vulnerability
    vulnerabilities:
      minSeverity: medium
      fixableOnly: true
`;

const gate = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  runCustoms(['gate', ...args, '--db', dbDir, '-q', '--no-cache'], env);

before(async () => {
  work = await freshDir('gate-pipeline');
  dbDir = join(work, 'db');
  const imported = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '--db-dir', dbDir, '-q']);
  assert.equal(imported.code, 0, imported.stderr);
  vulnerable = writeImage(join(work, 'vulnerable'), '7.88.1-10+deb12u1', '4.17.20');
  fixed = writeImage(join(work, 'fixed'), '7.88.1-10+deb12u4', '4.17.21');
  policy = join(work, 'policy.yaml');
  await writeFile(policy, POLICY);
});

test('the vulnerable image fails the gate (exit 1) and the output names the rule and the findings', async () => {
  const r = await gate([vulnerable, '--policy', policy]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /Gate: FAIL/);
  assert.match(r.stdout, /no-high-vulnerabilities/);
  assert.match(r.stdout, /CVE-2023-38545 in curl 7\.88\.1-10\+deb12u1/);
  assert.match(r.stdout, /CVE-2021-23337 in lodash 4\.17\.20/);
  assert.match(r.stderr, /gate failed: no-high-vulnerabilities/);
});

test('the rebuilt image (curl and lodash at their fixed versions) passes (exit 0)', async () => {
  const r = await gate([fixed, '--policy', policy]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Gate: PASS/);
  assert.doesNotMatch(r.stdout, /CVE-2023-38545|CVE-2021-23337/);
});

test('scan once, gate the saved JSON: the same verdicts', async () => {
  for (const [target, want] of [
    [vulnerable, 1],
    [fixed, 0],
  ] as const) {
    const saved = join(work, `${want}.scan.json`);
    const s = await runCustoms(['scan', target, '-f', 'json', '-o', saved, '--db', dbDir, '-q', '--no-cache']);
    assert.equal(s.code, 0, s.stderr);
    const direct = await gate([target, '--policy', policy, '-f', 'json']);
    const fromSaved = await gate([saved, '--policy', policy, '-f', 'json']);
    assert.equal(direct.code, want, direct.stderr);
    assert.equal(fromSaved.code, want, fromSaved.stderr);
    type Doc = {
      verdict: { status: string; rules: { ruleId: string; findings: { id: string }[] }[]; notes?: string[] };
    };
    const a = JSON.parse(direct.stdout) as Doc;
    const b = JSON.parse(fromSaved.stdout) as Doc;
    assert.equal(a.verdict.status, want === 1 ? 'fail' : 'pass');
    assert.deepEqual(b.verdict.rules, a.verdict.rules);
    assert.equal(b.verdict.status, a.verdict.status);
    assert.ok(b.verdict.notes?.some((n) => n.startsWith('gated a saved scan result')));
  }
});

test('Trivy/Grype flags: --fail-on, --severity, --ignore-unfixed, --exit-code', async () => {
  const critical = await gate([vulnerable, '--fail-on', 'critical']);
  assert.equal(critical.code, 1, critical.stderr);
  assert.match(critical.stdout, /cli\.fail-on/);
  assert.match(critical.stdout, /CVE-2023-38545/);
  const custom = await gate([vulnerable, '--fail-on', 'high', '--exit-code', '13']);
  assert.equal(custom.code, 13);
  // Only vulnerabilities, only HIGH/CRITICAL, and a fix exists: both findings count (Trivy's --exit-code 1).
  const trivyish = await gate([vulnerable, '--scanners', 'vuln', '--severity', 'HIGH,CRITICAL', '--ignore-unfixed']);
  assert.equal(trivyish.code, 1, trivyish.stderr);
  assert.match(trivyish.stdout, /cli\.any-finding/);
  const lowOnly = await gate([vulnerable, '--scanners', 'vuln', '--severity', 'LOW']);
  assert.equal(lowOnly.code, 0, lowOnly.stderr);
  const never = await gate([vulnerable, '--fail-on', 'low', '--exit-code', '0']);
  assert.equal(never.code, 0);
});

test('--ignorefile (.trivyignore) suppresses findings and reports expired entries', async () => {
  const ignore = join(work, '.trivyignore');
  await writeFile(
    ignore,
    '# accepted until the rebuild\nDSA-5510-1 exp:2999-01-01\nGHSA-35jh-r3h4-6jhm\nCVE-2000-0001 exp:2001-01-01\n',
  );
  const r = await gate([vulnerable, '--policy', policy, '--ignorefile', ignore]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Gate: PASS/);
  assert.match(r.stdout, /Expired exception CVE-2000-0001/);
  const j = await gate([vulnerable, '--policy', policy, '--ignorefile', ignore, '-f', 'json']);
  type Doc = {
    verdict: {
      status: string;
      suppressed: { finding: { id: string }; by: string; expires?: string }[];
      expiredExceptions: { id: string; expired: string }[];
    };
  };
  const v = (JSON.parse(j.stdout) as Doc).verdict;
  // DSA-5510-1 names both curl CVEs (38545, 38546); the GHSA is lodash's.
  assert.deepEqual(v.suppressed.map((x) => [x.finding.id.split('@')[0], x.by, x.expires]).sort(), [
    ['CVE-2021-23337', 'ignorefile', undefined],
    ['CVE-2023-38545', 'ignorefile', '2999-01-01'],
    ['CVE-2023-38546', 'ignorefile', '2999-01-01'],
  ]);
  assert.deepEqual(
    v.expiredExceptions.map((x) => [x.id, x.expired]),
    [['CVE-2000-0001', '2001-01-01']],
  );
});

test('-o FORMAT=FILE writes several reports; --summary appends Markdown to $GITHUB_STEP_SUMMARY', async () => {
  const sarif = join(work, 'gate.sarif');
  const html = join(work, 'gate.html');
  const summary = join(work, 'summary.md');
  await writeFile(summary, '# Earlier step\n\n');
  const junit = join(work, 'gate.xml');
  const gitlab = join(work, 'gl-container-scanning-report.json');
  const cdx = join(work, 'gate.cdx.json');
  const r = await gate(
    [
      vulnerable,
      '--policy',
      policy,
      '-o',
      `sarif=${sarif}`,
      '-o',
      `html=${html}`,
      '-o',
      `junit=${junit}`,
      '-o',
      `gitlab=${gitlab}`,
      '-o',
      `cyclonedx=${cdx}`,
      '--summary',
    ],
    { GITHUB_STEP_SUMMARY: summary },
  );
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(readFileSync(sarif, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
  assert.equal(doc.version, '2.1.0');
  assert.ok(doc.runs[0]?.results.some((x) => x.ruleId === 'CVE-2023-38545'));
  assert.match(readFileSync(html, 'utf8'), /^<!DOCTYPE html>/i);
  assert.match(readFileSync(junit, 'utf8'), /<testsuites[\s>][\s\S]*no-high-vulnerabilities/);
  const gl = JSON.parse(readFileSync(gitlab, 'utf8')) as { scan: { type: string }; vulnerabilities: unknown[] };
  assert.equal(gl.scan.type, 'container_scanning');
  assert.ok(gl.vulnerabilities.length >= 2);
  const bom = JSON.parse(readFileSync(cdx, 'utf8')) as { bomFormat: string; vulnerabilities: { id: string }[] };
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.ok(bom.vulnerabilities.some((x) => x.id === 'CVE-2021-23337'));
  const md = readFileSync(summary, 'utf8');
  assert.ok(md.startsWith('# Earlier step\n\n'), 'appended, not overwritten');
  assert.match(md, /no-high-vulnerabilities/);
  assert.match(r.stdout, /Gate: FAIL/); // the --format report still goes to stdout
});

test('usage errors exit 2 and write no report', async () => {
  // Run in `work`: a relative -o path lands there, so that is where to look for it.
  const inWork = (args: readonly string[]): Promise<RunResult> =>
    runCustoms(['gate', ...args, '--db', dbDir, '-q', '--no-cache'], {}, work);
  for (const args of [
    [vulnerable, '--fail-on', 'severe'],
    [vulnerable, '--severity', 'HIGH,BAD'],
    [vulnerable, '--exit-code', 'one'],
    [vulnerable, '--format', 'pdf'],
    [vulnerable, '-o', 'pdf=x.pdf'],
    [vulnerable, '--no-such-flag'],
    [],
  ]) {
    const r = await inWork(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /customs: /);
  }
  for (const name of ['x.pdf', 'pdf=x.pdf']) {
    assert.equal(existsSync(join(work, name)), false, `${name} written by a refused command`);
  }
  // The control: the same -o FORMAT=FILE with a format gate knows is written exactly there.
  const ok = await inWork([vulnerable, '--fail-on', 'critical', '-o', 'json=x.json']);
  assert.equal(ok.code, 1, ok.stderr);
  assert.equal(existsSync(join(work, 'x.json')), true, '-o json=x.json did not write x.json in the working directory');
});

test('input errors exit 3 with a clear message: missing policy file, bad ignore file, bad saved scan', async () => {
  const missing = join(work, 'no-such-policy.yaml');
  const r = await gate([vulnerable, '--policy', missing]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /--policy .*no-such-policy\.yaml: no such file/);
  assert.match(r.stderr, /GATE_INPUT_NOT_FOUND/);
  const badIgnore = join(work, 'bad.trivyignore');
  await writeFile(badIgnore, 'CVE-1 exp:someday\n');
  const i = await gate([vulnerable, '--fail-on', 'high', '--ignorefile', badIgnore]);
  assert.equal(i.code, 3, i.stderr);
  assert.match(i.stderr, /line 1/);
  const badScan = join(work, 'bad.scan.json');
  await writeFile(badScan, JSON.stringify({ schemaVersion: 1, scanners: ['vuln'], vulnerabilities: [{ id: 1 }] }));
  const s = await gate([badScan, '--fail-on', 'high']);
  assert.equal(s.code, 3, s.stderr);
  assert.match(s.stderr, /SCAN_RESULT_INVALID/);
});
