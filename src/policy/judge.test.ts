import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError, parseSeverityList } from '../core/index.js';
import { loadPolicies } from './load-policies.js';
import {
  ANY_FINDING_RULE,
  COMMAND_LINE,
  FAIL_ON_RULE,
  filterResult,
  judge,
  PACKAGE_DATABASE_RULE,
  parseFailOn,
} from './judge.js';
import { parseIgnoreFile } from './ignorefile.js';
import { sampleResult, vuln } from './test-support/gate-sample.js';

const NOW = new Date('2026-06-01T12:00:00Z');

test('--severity parses Trivy spelling, deduplicates and orders; bad values are usage errors', () => {
  assert.deepEqual(parseSeverityList('HIGH,critical, HIGH'), ['critical', 'high']);
  assert.throws(
    () => parseSeverityList('HIGH,SEVERE'),
    (e: unknown) => e instanceof CustomsError && e.code === 'USAGE_BAD_FLAG' && e.message.includes('SEVERE'),
  );
  assert.throws(
    () => parseSeverityList(' , '),
    (e: unknown) => e instanceof CustomsError && e.exitStatus === 2,
  );
});

test('--fail-on takes Grype names (negligible rates as low here)', () => {
  assert.equal(parseFailOn('High'), 'high');
  assert.equal(parseFailOn('negligible'), 'low');
  assert.throws(
    () => parseFailOn('unknown'),
    (e: unknown) => e instanceof CustomsError && e.code === 'USAGE_BAD_FLAG',
  );
  assert.throws(
    () => parseFailOn('severe'),
    (e: unknown) => e instanceof CustomsError && e.code === 'USAGE_BAD_FLAG',
  );
});

test('--fail-on high fails on the critical curl finding only, names the rule and the upgrade', () => {
  const { verdict } = judge(sampleResult(), { failOn: 'high' }, NOW);
  assert.equal(verdict.status, 'fail');
  assert.deepEqual(
    verdict.rules.map((r) => [r.ruleId, r.action, r.source, r.findings.map((f) => f.id)]),
    [[FAIL_ON_RULE, 'fail', COMMAND_LINE, ['CVE-2023-38545@p1']]],
  );
  assert.deepEqual(verdict.remediation, [
    { package: 'curl', from: '7.88.1-10+deb12u1', to: '7.88.1-10+deb12u4', how: 'upgrade', clears: [FAIL_ON_RULE] },
  ]);
  assert.deepEqual(verdict.policies, [COMMAND_LINE]);
});

test('--fail-on critical passes once curl is fixed; unknown severity never reaches a threshold', () => {
  const r = sampleResult();
  const fixed = {
    ...r,
    vulnerabilities: r.vulnerabilities
      .filter((f) => f.id !== 'CVE-2023-38545')
      .concat(vuln({ id: 'X-1', packageId: 'p9', severity: 'unknown' })),
  };
  assert.equal(judge(fixed, { failOn: 'critical' }, NOW).verdict.status, 'pass');
  assert.equal(
    judge(fixed, { failOn: 'low' }, NOW).verdict.rules[0]?.findings.some((f) => f.id.startsWith('X-1')),
    false,
  );
});

test('without --policy or --fail-on, any finding left fails (trivy --exit-code); --severity filters first', () => {
  const all = judge(sampleResult(), {}, NOW).verdict;
  assert.equal(all.status, 'fail');
  assert.equal(all.rules[0]?.ruleId, ANY_FINDING_RULE);
  assert.deepEqual(
    all.rules[0]?.findings.map((f) => f.kind),
    ['vuln', 'vuln', 'vuln', 'secret', 'misconfig', 'malware'],
  );
  // FindingRef IDs as src/policy's rules name them, so reports can look suppressed findings up.
  assert.deepEqual(
    all.rules[0]?.findings.slice(3).map((f) => f.id),
    ['aws-access-key-id@app/.env:3', 'CUS-IMG-001@docker-archive:app.tar', 'ioc-sha256@usr/bin/xmrig'],
  );
  const medium = judge(sampleResult(), { severities: ['medium'] }, NOW);
  assert.deepEqual(
    medium.verdict.rules[0]?.findings.map((f) => f.id),
    ['CVE-2023-32681@p2'],
  );
  assert.deepEqual(medium.result.secrets, []);
  assert.equal(judge(sampleResult(), { severities: ['unknown'] }, NOW).verdict.status, 'pass');
});

test('--ignore-unfixed drops vulnerabilities with no fixed version before any rule', () => {
  const r = judge(sampleResult(), { ignoreUnfixed: true, severities: ['low'] }, NOW);
  assert.equal(r.verdict.status, 'pass');
  assert.deepEqual(r.result.vulnerabilities, []);
  const f = filterResult(sampleResult(), { ignoreUnfixed: true });
  assert.deepEqual(
    f.vulnerabilities.map((v) => v.id),
    ['CVE-2023-38545', 'CVE-2023-32681'],
  );
  // Sections of scanners that did not run stay absent.
  const { secrets: _s, ...noSecrets } = sampleResult();
  assert.equal('secrets' in filterResult(noSecrets, { severities: ['high'] }), false);
});

test('--ignorefile suppresses by ID or alias, keeps the finding visible, and lists expired entries', () => {
  const ignore = {
    file: '.trivyignore',
    entries: parseIgnoreFile(
      'DSA-5510-1 exp:2026-12-31 # base image rebuild pending\nCVE-2023-32681 exp:2026-01-01\naws-access-key-id\n',
      '.trivyignore',
    ),
  };
  const { verdict, result } = judge(sampleResult(), { failOn: 'medium', ignore }, NOW);
  // curl is suppressed through its DSA alias; requests' entry has expired, so it still fails.
  assert.equal(verdict.status, 'fail');
  assert.deepEqual(
    verdict.rules[0]?.findings.map((f) => f.id),
    ['CVE-2023-32681@p2'],
  );
  assert.deepEqual(
    verdict.suppressed.map((s) => [s.finding.id, s.by, s.reason, s.expires]),
    [
      ['CVE-2023-38545@p1', 'ignorefile', 'base image rebuild pending', '2026-12-31'],
      ['aws-access-key-id@app/.env:3', 'ignorefile', 'listed in .trivyignore', undefined],
    ],
  );
  assert.deepEqual(verdict.expiredExceptions, [
    { id: 'CVE-2023-32681', reason: 'listed in .trivyignore', expired: '2026-01-01', source: '.trivyignore:2' },
  ]);
  // Reports still show the suppressed finding (marked by the verdict).
  assert.equal(
    result.vulnerabilities.some((v) => v.id === 'CVE-2023-38545'),
    true,
  );
});

const policyOf = (yaml: string) =>
  loadPolicies([{ path: 'p.yaml', text: `apiVersion: customs/v1\nkind: Policy\n${yaml}` }], NOW);

test('policy verdicts merge with flag rules: status is the worst, policies and suppressions are kept', () => {
  const policy = policyOf(
    'rules:\n  - {id: langs, action: warn, message: language vulnerabilities, vulnerabilities: {packageTypes: [language]}}\n  - {id: all, action: warn, message: any, vulnerabilities: {minSeverity: low}}\n',
  );
  const warnOnly = judge(sampleResult(), { policy, ignoreUnfixed: true }, NOW).verdict;
  assert.equal(warnOnly.status, 'warn');
  // The policy sees the filtered result: the unfixed CVE-2024-0001 is gone.
  assert.deepEqual(
    warnOnly.rules.map((r) => [r.ruleId, r.findings.map((f) => f.id)]),
    [
      ['langs', ['CVE-2023-32681@p2']],
      ['all', ['CVE-2023-32681@p2', 'CVE-2023-38545@p1']],
    ],
  );
  assert.deepEqual(warnOnly.policies, ['p.yaml']); // no flag rule took part
  const both = judge(sampleResult(), { policy, failOn: 'critical' }, NOW).verdict;
  assert.equal(both.status, 'fail');
  assert.deepEqual(
    both.rules.map((r) => r.ruleId),
    ['langs', 'all', FAIL_ON_RULE],
  );
  assert.deepEqual(both.policies, ['p.yaml', COMMAND_LINE]);
});

test('a clean result passes every way', () => {
  const r = { ...sampleResult(), vulnerabilities: [], secrets: [], misconfigurations: [], malware: [] };
  for (const rules of [{}, { failOn: 'low' as const }, { severities: ['critical' as const] }]) {
    assert.equal(judge(r, rules, NOW).verdict.status, 'pass');
  }
});

test('remediation asks for the highest fix a package needs, in its version order (deb: +deb12u10 > +deb12u4)', () => {
  const r = sampleResult();
  const two = {
    ...r,
    vulnerabilities: [vuln({ fixedVersions: ['7.88.1-10+deb12u10'], id: 'CVE-2024-2398' }), vuln({})],
  };
  const { verdict } = judge(two, { failOn: 'high' }, NOW);
  assert.deepEqual(
    verdict.remediation.map((x) => [x.package, x.to]),
    [['curl', '7.88.1-10+deb12u10']],
  );
});

test("the caller's notes and the policy's notes reach the verdict; none means no notes field", () => {
  const policy = policyOf(
    'rules:\n  - {id: ep, action: fail, message: needs an entrypoint, image: {requireEntrypoint: true}}\n',
  );
  assert.deepEqual(judge(sampleResult(), { policy }, NOW, ['saved scan']).verdict.notes, [
    'saved scan',
    'requireEntrypoint: the image config was not given; not checked',
  ]);
  assert.equal('notes' in judge(sampleResult(), { failOn: 'high' }, NOW).verdict, false);
});

test('an unreadable OS package database fails the gate by default; the policy may warn or ignore', () => {
  const clean = { ...sampleResult(), vulnerabilities: [], secrets: [], misconfigurations: [], malware: [] };
  const unknowns = [
    {
      path: 'var/lib/dpkg/status',
      layer: 'sha256:l2',
      analyzer: 'dpkg-status',
      code: 'FILE_TOO_LARGE',
      message: 'file of 9 bytes is over the 8-byte limit; not analysed',
    },
    // Not a package database: stays an Unknown the report lists, no gate rule.
    { path: 'app/package.json', layer: 'sha256:l2', analyzer: 'npm', code: 'ANALYZER_FAILED', message: 'bad JSON' },
  ];
  const r = { ...clean, inventory: { ...clean.inventory, unknowns } };
  assert.equal(judge(clean, {}, NOW).verdict.status, 'pass');
  const policy = policyOf('rules: []\n');
  for (const rules of [{}, { failOn: 'critical' as const }, { policy }]) {
    const v = judge(r, rules, NOW).verdict;
    assert.equal(v.status, 'fail');
    assert.deepEqual(
      v.rules.map((x) => [x.ruleId, x.action, x.message, x.source]),
      [
        [
          PACKAGE_DATABASE_RULE,
          'fail',
          'package database unreadable: /var/lib/dpkg/status: file of 9 bytes is over the 8-byte limit; not analysed',
          'customs default',
        ],
      ],
    );
  }
  const warn = judge(r, { policy, packageDatabaseUnknowns: { action: 'warn', source: 'p.yaml' } }, NOW).verdict;
  assert.equal(warn.status, 'warn');
  assert.deepEqual(warn.rules[0]?.source, 'p.yaml');
  assert.equal(
    judge(r, { packageDatabaseUnknowns: { action: 'ignore', source: 'p.yaml' } }, NOW).verdict.status,
    'pass',
  );
});
