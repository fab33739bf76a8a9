import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANY_FINDING_RULE, FAIL_ON_RULE, type GateRules, judge } from './judge.js';
import { loadPolicies } from './load-policies.js';
import { L1, sampleResult } from './test-support/gate-sample.js';
import { loadVex, type VexDocument } from './vex.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const CURL = 'CVE-2023-38545@p1';

/** OpenVEX: the image (pkg:oci, its manifest digest) is not affected through its curl subcomponent. */
const openVex = (): VexDocument =>
  loadVex(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'sec@example.com',
      timestamp: '2026-05-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2023-38545' },
          products: [
            {
              '@id': `pkg:oci/app@${encodeURIComponent(L1)}`,
              subcomponents: [{ '@id': 'pkg:deb/debian/curl' }],
            },
          ],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
    'app.openvex.json',
  );

/** CycloneDX VEX: curl, by its purl, through a bom-ref. */
const cdxVex = (): VexDocument =>
  loadVex(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [
        {
          'bom-ref': 'curl',
          type: 'library',
          name: 'curl',
          version: '7.88.1-10+deb12u1',
          purl: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1?distro=debian-12',
        },
      ],
      vulnerabilities: [
        {
          id: 'CVE-2023-38545',
          analysis: { state: 'not_affected', justification: 'code_not_reachable' },
          affects: [{ ref: 'curl' }],
        },
      ],
    }),
    'app.cdx.json',
  );

const failingIds = (rules: GateRules) =>
  judge(sampleResult(), rules, NOW).verdict.rules.flatMap((r) => r.findings.map((f) => `${r.ruleId} ${f.id}`));

for (const [name, doc] of [
  ['OpenVEX', openVex],
  ['CycloneDX VEX', cdxVex],
] as const) {
  test(`${name} suppresses before --fail-on: the one critical vulnerability no longer fails the gate`, () => {
    const rules: GateRules = { failOn: 'critical' };
    assert.deepEqual(failingIds(rules), [`${FAIL_ON_RULE} ${CURL}`]); // without VEX it fails
    const { verdict, result } = judge(sampleResult(), { ...rules, vex: [doc()] }, NOW);
    assert.equal(verdict.status, 'pass');
    assert.deepEqual(verdict.rules, []);
    assert.deepEqual(
      verdict.suppressed.map((s) => [s.finding.id, s.by, s.vex?.status]),
      [[CURL, 'vex', 'not_affected']],
    );
    // Reports still show the finding, marked by the verdict.
    assert.equal(
      result.vulnerabilities.some((v) => v.id === 'CVE-2023-38545'),
      true,
    );
  });

  test(`${name} suppresses before the default any-finding rule`, () => {
    assert.equal(failingIds({}).includes(`${ANY_FINDING_RULE} ${CURL}`), true);
    const ids = failingIds({ vex: [doc()] });
    assert.equal(ids.includes(`${ANY_FINDING_RULE} ${CURL}`), false);
    // The other findings still fail it; VEX only speaks of the curl vulnerability.
    assert.equal(ids.includes(`${ANY_FINDING_RULE} CVE-2023-32681@p2`), true);
    // With --severity critical the rest is a secret and malware: still a failure, without curl.
    assert.deepEqual(failingIds({ severities: ['critical'], vex: [doc()] }), [
      `${ANY_FINDING_RULE} aws-access-key-id@app/.env:3`,
      `${ANY_FINDING_RULE} ioc-sha256@usr/bin/xmrig`,
    ]);
  });

  test(`${name} suppresses with --ignore-unfixed and --fail-on, and beside a policy`, () => {
    assert.deepEqual(failingIds({ ignoreUnfixed: true, failOn: 'high', vex: [doc()] }), []);
    const policy = loadPolicies(
      [
        {
          path: 'p.yaml',
          text: 'apiVersion: customs/v1\nkind: Policy\nrules:\n  - {id: no-crit, action: fail, message: m, vulnerabilities: {minSeverity: critical}}\n',
        },
      ],
      NOW,
    );
    const { verdict } = judge(sampleResult(), { policy, failOn: 'critical', vex: [doc()] }, NOW);
    assert.equal(verdict.status, 'pass');
    // Suppressed once, whichever rules would have matched it.
    assert.deepEqual(
      verdict.suppressed.map((s) => [s.finding.id, s.by]),
      [[CURL, 'vex']],
    );
  });
}

test("a policy's exceptions apply to the flag rules too; one scoped to cli.fail-on to that rule alone", () => {
  const withException = (exception: string) =>
    loadPolicies(
      [{ path: 'p.yaml', text: `apiVersion: customs/v1\nkind: Policy\nrules: []\nexceptions:\n  - ${exception}\n` }],
      NOW,
    );
  const unscoped = withException(
    '{id: curl-ok, advisory: CVE-2023-38545, reason: not reachable, owner: sec@example.com, expires: 2026-12-31}',
  );
  const v = judge(sampleResult(), { policy: unscoped, failOn: 'critical' }, NOW).verdict;
  assert.equal(v.status, 'pass');
  assert.deepEqual(
    v.suppressed.map((s) => [s.finding.id, s.by, s.reason]),
    [[CURL, 'exception', 'not reachable']],
  );
  const scoped = withException(
    `{id: curl-ok, advisory: CVE-2023-38545, rules: [${FAIL_ON_RULE}], reason: not reachable, owner: sec@example.com, expires: 2026-12-31}`,
  );
  assert.equal(judge(sampleResult(), { policy: scoped, failOn: 'critical' }, NOW).verdict.status, 'pass');
  const other = withException(
    '{id: curl-ok, advisory: CVE-2023-38545, rules: [some-other-rule], reason: not reachable, owner: sec@example.com, expires: 2026-12-31}',
  );
  assert.equal(judge(sampleResult(), { policy: other, failOn: 'critical' }, NOW).verdict.status, 'fail');
  // An expired exception no longer applies, and is listed.
  const expired = withException(
    '{id: curl-ok, advisory: CVE-2023-38545, reason: not reachable, owner: sec@example.com, expires: 2026-01-01}',
  );
  const ev = judge(sampleResult(), { policy: expired, failOn: 'critical' }, NOW).verdict;
  assert.equal(ev.status, 'fail');
  assert.deepEqual(
    ev.expiredExceptions.map((e) => e.id),
    ['curl-ok'],
  );
});
