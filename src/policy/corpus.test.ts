import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { evaluatePolicy } from './evaluate-policy.js';
import { loadPolicies } from './load-policies.js';
import { scanFixture } from './test-support/scan-fixture.js';
import { loadVex } from './vex.js';

const corpus = (name: string): string => new URL(`../../test/corpus/policy/${name}`, import.meta.url).pathname;
const read = (name: string): { path: string; text: string } => ({
  path: `test/corpus/policy/${name}`,
  text: readFileSync(corpus(name), 'utf8'),
});
const NOW = new Date('2024-06-01T00:00:00Z');

test('the example policies validate against the published schema, merge, and judge the test scan', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(
    JSON.parse(readFileSync(new URL('../../schema/policy-v1.json', import.meta.url), 'utf8')) as object,
  );
  const files = [read('org-baseline.yaml'), read('team-override.yaml')];
  for (const f of files) assert.ok(validate(parse(f.text)), `${f.path}: ${JSON.stringify(validate.errors)}`);
  const policy = loadPolicies(files, NOW);
  assert.equal(
    policy.rules.find((r) => r.spec.id === 'runtime-hygiene'),
    undefined,
  );
  const vex = [
    loadVex(read('openvex.json').text, 'openvex.json'),
    loadVex(read('cyclonedx-vex.json').text, 'cyclonedx-vex.json'),
  ];
  const v = evaluatePolicy(scanFixture(), policy, { now: NOW, vex });
  assert.equal(v.status, 'fail');
  assert.deepEqual(
    v.rules.map((r) => r.ruleId),
    ['no-kev', 'critical-fixable', 'high-old-fixes', 'no-secrets', 'openssl-floor'],
  );
  // Exceptions and VEX apply before the rules, so the medium CVE-2024-0727 no rule
  // matches is listed as suppressed by team-override's exception too.
  assert.deepEqual(
    v.suppressed.map((s) => [s.finding.id.split('@')[0], s.by]),
    [
      ['CVE-2021-23337', 'vex'],
      ['CVE-2023-38545', 'vex'],
      ['CVE-2024-0727', 'exception'],
    ],
  );
  assert.ok(v.remediation.some((r) => r.package === 'org.apache.logging.log4j:log4j-core' && r.to === '2.16.0'));
});
