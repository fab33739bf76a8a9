import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isCustomsError } from '../core/index.js';
import { assertGolden } from '../core/test-support/golden.js';
import { expiryInstant, loadPolicies } from './load-policies.js';
import { policyJsonSchema } from './schema.js';

const NOW = new Date('2024-06-01T00:00:00Z');
const schemaFile = new URL('../../schema/policy-v1.json', import.meta.url).pathname;

const BASELINE = `apiVersion: customs/v1
kind: Policy
metadata: {name: org-baseline}
rules:
  - id: no-critical
    action: fail
    message: No critical vulnerabilities
    vulnerabilities: {minSeverity: critical}
  - id: no-secrets
    action: fail
    message: No secrets
    secrets: {}
  - id: healthcheck
    action: warn
    message: Add a HEALTHCHECK
    image: {requireHealthcheck: true}
exceptions:
  - advisory: CVE-2021-44228
    reason: not reachable
    owner: sec@example.com
    expires: 2024-12-31
`;

const TEAM = `apiVersion: customs/v1
kind: Policy
disable: [healthcheck]
rules:
  - id: no-critical
    action: warn
    message: Critical vulnerabilities (team override)
    vulnerabilities: {minSeverity: critical, fixableOnly: true}
  - id: team-cel
    action: fail
    message: no EOL OS
    cel: "has(image.os) && has(image.os.eol) && image.os.eol"
exceptions:
  - id: team-ex
    package: pkg:npm/lodash
    reason: mitigated
    owner: team@example.com
    expires: 2024-07-01T00:00:00Z
`;

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isCustomsError(e), String(e));
    assert.equal(e.code, 'POLICY_INVALID');
    return e.message;
  }
  assert.fail('expected POLICY_INVALID');
}

test('schema/policy-v1.json is the JSON Schema generated from the TypeBox schema', () => {
  // Only UPDATE_GOLDEN=1 writes: a missing published schema is a failure, not a file to make up.
  assertGolden(schemaFile, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
});

test('the published JSON Schema accepts the example policies and rejects a bad one', async () => {
  const { parse } = await import('yaml');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  for (const text of [BASELINE, TEAM]) assert.ok(validate(parse(text)), JSON.stringify(validate.errors));
  assert.equal(validate(parse('apiVersion: customs/v2\nkind: Policy\n')), false);
});

test('files merge in order: later rules with the same id replace, new ones append, disable removes, exceptions add up', () => {
  const p = loadPolicies(
    [
      { path: 'org.yaml', text: BASELINE },
      { path: 'team.yaml', text: TEAM },
    ],
    NOW,
  );
  assert.deepEqual(p.files, ['org.yaml', 'team.yaml']);
  assert.deepEqual(
    p.rules.map((r) => [r.spec.id, r.spec.action, r.source]),
    [
      ['no-critical', 'warn', 'team.yaml'],
      ['no-secrets', 'fail', 'org.yaml'],
      ['team-cel', 'fail', 'team.yaml'],
    ],
  );
  assert.deepEqual(
    p.exceptions.map((e) => [e.id, e.source]),
    [
      ['org.yaml#exceptions[0]', 'org.yaml'],
      ['team-ex', 'team.yaml'],
    ],
  );
  // Reversed order: the org file now wins the same-id rule and re-enables nothing it did not define.
  const r = loadPolicies(
    [
      { path: 'team.yaml', text: TEAM },
      { path: 'org.yaml', text: BASELINE },
    ],
    NOW,
  );
  assert.deepEqual(
    r.rules.map((x) => [x.spec.id, x.spec.action]),
    [
      ['no-critical', 'fail'],
      ['team-cel', 'fail'],
      ['no-secrets', 'fail'],
      ['healthcheck', 'warn'],
    ],
  );
});

test('schema errors list every bad field with its file and path', () => {
  const msg = problems(() =>
    loadPolicies(
      [
        {
          path: 'bad.yaml',
          text: `apiVersion: customs/v1
kind: Policy
rules:
  - id: a
    action: block
    message: x
    vulnerabilities: {minSeverity: severe, minCvss: 11}
  - id: b
    action: fail
    vulnerabilities: {}
    bogus: 1
exceptions:
  - advisory: CVE-1
    reason: r
    expires: tomorrow
`,
        },
      ],
      NOW,
    ),
  );
  for (const want of [
    'bad.yaml: rules[0].action: "block" is not one of fail, warn',
    'rules[0].vulnerabilities.minSeverity: "severe" is not one of critical, high, medium, low, unknown',
    'rules[0].vulnerabilities.minCvss',
    'rules[1].message: is required',
    'rules[1].bogus: unknown field; allowed here: id,',
    'exceptions[0].owner: is required',
    'exceptions[0].expires',
  ]) {
    assert.ok(msg.includes(want), `missing ${want} in:\n${msg}`);
  }
  // Each problem once: a missing field is not also reported as "Expected string".
  const lines = msg.split('\n').slice(1);
  assert.equal(new Set(lines).size, lines.length, msg);
  assert.equal(lines.filter((l) => l.includes('rules[1].message')).length, 1, msg);
  assert.ok(!msg.includes('Expected union value'), msg);
});

test('semantic problems: no or two rule kinds, duplicate ids, bad constraint, bad CEL, impossible date, empty exception, YAML syntax', () => {
  const msg = problems(() =>
    loadPolicies(
      [
        {
          path: 'p.yaml',
          text: `apiVersion: customs/v1
kind: Policy
rules:
  - {id: none, action: fail, message: m}
  - {id: two, action: fail, message: m, secrets: {}, malware: {}}
  - {id: two, action: warn, message: m, secrets: {}}
  - {id: pk, action: fail, message: m, packages: {forbidden: [{name: x, versions: ">= 1.0, ~~2"}]}}
  - {id: c, action: fail, message: m, cel: "size(packages) >"}
exceptions:
  - {advisory: CVE-1, reason: r, owner: o, expires: 2025-02-30}
  - {reason: r, owner: o, expires: 2025-01-01}
`,
        },
        { path: 'broken.yaml', text: 'apiVersion: customs/v1\nkind: [unclosed\n' },
      ],
      NOW,
    ),
  );
  for (const want of [
    'rules[0]: a rule has exactly one of',
    'rules[1]: a rule has exactly one of',
    'rules[2].id: duplicate rule id "two"',
    'rules[3].packages.forbidden[0].versions',
    'rules[4].cel:',
    'exceptions[0].expires: "2025-02-30" is not a calendar date',
    'exceptions[1]: an exception names at least one of',
    'broken.yaml: line',
  ]) {
    assert.ok(msg.includes(want), `missing ${want} in:\n${msg}`);
  }
});

test('hostile YAML: alias bombs and non-object documents are refused, not expanded', () => {
  const bomb = `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
  problems(() => loadPolicies([{ path: 'bomb.yaml', text: bomb }], NOW));
  assert.match(
    problems(() => loadPolicies([{ path: 'list.yaml', text: '- 1\n- 2\n' }], NOW)),
    /list\.yaml: \(top level\)/,
  );
  assert.match(
    problems(() => loadPolicies([{ path: 'empty.yaml', text: '' }], NOW)),
    /empty\.yaml/,
  );
});

test('date-only expiries last through that UTC day', () => {
  assert.equal(expiryInstant('2024-12-31')?.toISOString(), '2025-01-01T00:00:00.000Z');
  assert.equal(expiryInstant('2024-02-29')?.toISOString(), '2024-03-01T00:00:00.000Z');
  assert.equal(expiryInstant('2023-02-29'), undefined);
  assert.equal(expiryInstant('2024-07-01T02:00:00+02:00')?.toISOString(), '2024-07-01T00:00:00.000Z');
});

test('hostile YAML: deep nesting in any YAML form is POLICY_INVALID naming the file and line, quickly', () => {
  const head = 'apiVersion: customs/v1\nkind: Policy\n';
  const n = 200_000;
  const deepList = `${'['.repeat(n)}${']'.repeat(n)}`;
  const cases: [string, string][] = [
    ['flow.yaml', `${head}rules: ${deepList}\n`],
    ['flowmap.yaml', `${head}rules: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`],
    ['dashes.yaml', `${head}rules:\n  ${'- '.repeat(n)}x\n`],
    ['keys.yaml', `${head}${'? '.repeat(n)}x\n`],
    ['indent.yaml', `${head}rules:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}- a:`).join('\n')} 1\n`],
    ['policy.json', `{"apiVersion": "customs/v1", "kind": "Policy", "x": ${deepList}}`],
  ];
  for (const [path, text] of cases) {
    const started = Date.now();
    const msg = problems(() => loadPolicies([{ path, text }], NOW));
    assert.match(msg, new RegExp(`${path.replace('.', '\\.')}: line \\d+: nested more than 256 levels deep`), msg);
    assert.ok(Date.now() - started < 5000, `${path} took ${Date.now() - started} ms`);
  }
  // Quotes, comments and block scalars hold brackets that are not structure: not counted.
  const brackets = '['.repeat(300);
  const fine = `${head}# ${brackets}\nrules:\n  - id: r\n    action: warn\n    message: "${brackets}"\n    cel: |\n      ${brackets}\n      true\n`;
  assert.match(
    problems(() => loadPolicies([{ path: 'fine.yaml', text: fine }], NOW)),
    /cel/,
  );
});

test('unknowns.packageDatabases: the last file that sets it wins, with its source; other values are refused', () => {
  const head = 'apiVersion: customs/v1\nkind: Policy\n';
  assert.equal(loadPolicies([{ path: 'org.yaml', text: BASELINE }], NOW).packageDatabaseUnknowns, undefined);
  const merged = loadPolicies(
    [
      { path: 'org.yaml', text: `${head}unknowns: {packageDatabases: warn}\n` },
      { path: 'team.yaml', text: `${head}unknowns: {packageDatabases: ignore}\n` },
      { path: 'env.yaml', text: head },
    ],
    NOW,
  );
  assert.deepEqual(merged.packageDatabaseUnknowns, { action: 'ignore', source: 'team.yaml' });
  assert.match(
    problems(() => loadPolicies([{ path: 'p.yaml', text: `${head}unknowns: {packageDatabases: skip}\n` }], NOW)),
    /p\.yaml: unknowns\.packageDatabases/,
  );
});

test('hostile YAML: a mapping of 200,000 keys is refused in linear time, its problems listed at most 50 times', () => {
  // Found by fuzzing: the parser's own duplicate-key check compares every key
  // with every other (20,000 keys took 7 s), and a file of repeated keys
  // produced a 29 MB message.
  const distinct = Array.from({ length: 200_000 }, (_, i) => `k${i.toString()}: 1`).join('\n');
  const started = performance.now();
  assert.match(
    problems(() => loadPolicies([{ path: 'wide.yaml', text: distinct }], NOW)),
    /wide\.yaml/,
  );
  const repeated = 'a: 1\n'.repeat(200_000);
  const message = problems(() => loadPolicies([{ path: 'dup.yaml', text: repeated }], NOW));
  assert.ok(performance.now() - started < 20_000, `took ${(performance.now() - started).toFixed(0)} ms`);
  assert.match(message, /dup\.yaml: line 2: duplicate key "a" in one mapping/);
  assert.match(message, /dup\.yaml: … and 199949 more/);
  assert.ok(message.length < 10_000, `message of ${message.length.toString()} characters`);
});

test('a duplicate key names its line', () => {
  assert.match(
    problems(() => loadPolicies([{ path: 'p.yaml', text: 'rules:\n  - id: a\n    id: b\n' }], NOW)),
    /p\.yaml: line 3: duplicate key "id" in one mapping/,
  );
});
