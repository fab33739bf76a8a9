import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageConfig } from '../image/index.js';
import { evaluatePolicy } from './evaluate-policy.js';
import type { ScanResult } from '../result/index.js';
import type { EvaluateOptions } from './input.js';
import { loadPolicies } from './load-policies.js';
import { APP_LAYER, BASE_LAYER, scanFixture } from './test-support/scan-fixture.js';
import type { Verdict } from './types.js';
import { loadVex } from './vex.js';

const NOW = new Date('2024-06-01T00:00:00Z');

function judge(yaml: string, input: ScanResult = scanFixture(), opts: Partial<EvaluateOptions> = {}): Verdict {
  const p = loadPolicies([{ path: 'p.yaml', text: `apiVersion: customs/v1\nkind: Policy\n${yaml}` }], NOW);
  return evaluatePolicy(input, p, { now: NOW, ...opts });
}
const ids = (v: Verdict, rule = 'r'): string[] =>
  v.rules.find((r) => r.ruleId === rule)?.findings.map((f) => f.id) ?? [];
const rule = (kind: string, body: string, action = 'fail'): string =>
  `rules:\n  - {id: r, action: ${action}, message: m, ${kind}: ${body}}\n`;
const vulnIds = (v: Verdict): string[] => ids(v).map((i) => i.split('@')[0] ?? '');

test('vulnerability conditions: severity, CVSS, fixable, KEV, EPSS, package type, layer', () => {
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{minSeverity: critical}'))), [
    'CVE-2021-44228',
    'CVE-2021-45046',
    'CVE-2023-38545',
  ]);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{minSeverity: high}'))).length, 4);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{minCvss: 9.5}'))), ['CVE-2021-44228', 'CVE-2023-38545']);
  assert.equal(vulnIds(judge(rule('vulnerabilities', '{fixableOnly: true}'))).includes('CVE-2024-2511'), false);
  assert.equal(vulnIds(judge(rule('vulnerabilities', '{}'))).includes('CVE-2024-2511'), true);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{kev: true}'))), ['CVE-2021-44228', 'CVE-2021-45046']);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{epssAbove: 0.5}'))), ['CVE-2021-44228']);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{packageTypes: [os], minSeverity: medium}'))), [
    'CVE-2023-38545',
    'CVE-2024-0727',
  ]);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{layers: [app], minSeverity: high}'))), [
    'CVE-2021-23337',
    'CVE-2021-44228',
    'CVE-2021-45046',
  ]);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{layers: [base], minSeverity: high}'))), ['CVE-2023-38545']);
  const v = judge(rule('vulnerabilities', '{minSeverity: critical}'));
  assert.equal(v.status, 'fail');
  assert.match(
    v.rules[0]?.findings.find((f) => f.id.startsWith('CVE-2023-38545'))?.summary ?? '',
    /curl 7\.88\.1-10\+deb12u1 \(critical, fixed in 7\.88\.1-10\+deb12u4\)/,
  );
});

test('vulnerabilities minSeverity: a threshold admits its severity and worse; "unknown" admits every finding', () => {
  // One finding per severity, named by it, so each threshold's hits read as the scale's prefix.
  const base = scanFixture();
  const scale = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
  const one = base.vulnerabilities[0];
  assert.ok(one);
  const input = scanFixture({ vulnerabilities: scale.map((severity) => ({ ...one, id: `V-${severity}`, severity })) });
  const hits = (min: string): string[] =>
    vulnIds(judge(rule('vulnerabilities', `{minSeverity: ${min}}`), input)).map((id) => id.slice(2));
  assert.deepEqual(hits('critical'), ['critical']);
  assert.deepEqual(hits('high'), ['critical', 'high']);
  assert.deepEqual(hits('medium'), ['critical', 'high', 'medium']);
  assert.deepEqual(hits('low'), ['critical', 'high', 'low', 'medium']);
  assert.deepEqual(hits('unknown'), ['critical', 'high', 'low', 'medium', 'unknown']);
});

test('fixAvailableForDays ages the fix by the advisory date and notes undated findings', () => {
  // 2024-06-01 − 2024-01-26 = 127 days (CVE-2024-0727); 2023-10-18 is 227 days back.
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{fixAvailableForDays: 200, packageTypes: [os]}'))), [
    'CVE-2023-38545',
    'CVE-2023-38546',
  ]);
  assert.deepEqual(vulnIds(judge(rule('vulnerabilities', '{fixAvailableForDays: 100, packageTypes: [os]}'))), [
    'CVE-2023-38545',
    'CVE-2023-38546',
    'CVE-2024-0727',
  ]);
  const input = scanFixture();
  const undated = scanFixture({ vulnerabilities: input.vulnerabilities.map(({ published: _, ...v }) => v) });
  const v = judge(rule('vulnerabilities', '{fixAvailableForDays: 1}'), undated);
  assert.equal(v.status, 'pass');
  assert.match(v.notes?.join() ?? '', /no published date/);
});

test('status: fail beats warn, warn alone warns, nothing matched passes', () => {
  const both = `rules:\n  - {id: w, action: warn, message: m, vulnerabilities: {minSeverity: low}}\n  - {id: f, action: fail, message: m, vulnerabilities: {kev: true}}\n`;
  assert.equal(judge(both).status, 'fail');
  assert.equal(judge(rule('vulnerabilities', '{minSeverity: low}', 'warn')).status, 'warn');
  assert.equal(judge(rule('vulnerabilities', '{minCvss: 10, packageTypes: [os]}')).status, 'pass');
  assert.deepEqual(judge(rule('vulnerabilities', '{minCvss: 10, packageTypes: [os]}')).rules, []);
});

test('image rules: base image allow/block by repository, tag glob and digest', () => {
  assert.deepEqual(ids(judge(rule('image', '{allowedBaseImages: ["debian:12*"]}'))), []);
  assert.deepEqual(ids(judge(rule('image', '{allowedBaseImages: ["docker.io/library/debian"]}'))), []);
  assert.deepEqual(
    ids(
      judge(
        rule(
          'image',
          '{allowedBaseImages: [{digest: "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}]}',
        ),
      ),
    ),
    [],
  );
  assert.deepEqual(ids(judge(rule('image', '{allowedBaseImages: ["alpine", "debian:11*"]}'))), [
    'base-image-not-allowed:docker.io/library/debian:12.5-slim sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc',
  ]);
  assert.equal(
    ids(judge(rule('image', '{blockedBaseImages: [{repository: debian, tag: "*-slim"}]}')))[0]?.startsWith(
      'base-image-blocked:',
    ),
    true,
  );
  assert.deepEqual(ids(judge(rule('image', '{blockedBaseImages: ["ubuntu"]}'))), []);
  assert.equal(ids(judge(rule('image', '{blockedBaseImages: ["*:12.5-*"]}'))).length, 1);
  assert.deepEqual(ids(judge(rule('image', '{blockedBaseImages: ["*:latest"]}'))), []);
  const nolabels = scanFixture();
  const t = { ...nolabels.inventory.target, labels: {} };
  const bare = scanFixture({ inventory: { ...nolabels.inventory, target: t } });
  assert.deepEqual(ids(judge(rule('image', '{allowedBaseImages: ["debian"]}'), bare)), ['base-image-unknown']);
  assert.deepEqual(ids(judge(rule('image', '{blockedBaseImages: ["debian"]}'), bare)), []);
});

test('image rules: registries, labels, size, age', () => {
  assert.deepEqual(ids(judge(rule('image', '{allowedRegistries: ["registry.example.com"]}'))), []);
  assert.deepEqual(ids(judge(rule('image', '{allowedRegistries: ["*.example.org", "docker.io"]}'))), [
    'registry-not-allowed:registry.example.com',
  ]);
  assert.deepEqual(
    ids(
      judge(
        rule(
          'image',
          '{requiredLabels: [org.opencontainers.image.source, org.opencontainers.image.revision, {name: org.opencontainers.image.base.name, pattern: "docker.io/library/*"}]}',
        ),
      ),
    ),
    ['label-missing:org.opencontainers.image.revision'],
  );
  assert.deepEqual(ids(judge(rule('image', '{maxSizeBytes: 41000000}'))), []);
  assert.deepEqual(ids(judge(rule('image', '{maxSizeBytes: 40999999}'))), ['too-large']);
  assert.deepEqual(ids(judge(rule('image', '{maxAgeDays: 91}'))), []); // created 2024-03-01T12:00Z: 91.5 days, whole days count
  assert.deepEqual(ids(judge(rule('image', '{maxAgeDays: 90}'))), ['too-old']);
});

const CONFIG = (c: NonNullable<ImageConfig['config']>): ImageConfig => ({
  config: c,
  rootfs: { type: 'layers', diff_ids: [] },
});

test('image config rules read the config; without it root/healthcheck fall back to CUS-IMG-001/002', () => {
  const r =
    '{requireNonRootUser: true, requireHealthcheck: true, requireEntrypoint: true, forbiddenPorts: [22, "8080/udp"]}';
  const good = CONFIG({
    User: 'app:app',
    Healthcheck: { Test: ['CMD', 'true'] },
    Entrypoint: ['/app'],
    ExposedPorts: { '8080/tcp': {} },
  });
  assert.deepEqual(ids(judge(rule('image', r), scanFixture(), { config: good })), []);
  const bad = CONFIG({
    User: '0:0',
    Healthcheck: { Test: ['NONE'] },
    Entrypoint: null,
    ExposedPorts: { '22/tcp': {}, '8080/udp': {} },
  });
  assert.deepEqual(ids(judge(rule('image', r), scanFixture(), { config: bad })), [
    'no-entrypoint',
    'no-healthcheck',
    'port-forbidden:22/tcp',
    'port-forbidden:8080/udp',
    'root-user',
  ]);
  const fallback = judge(rule('image', r));
  assert.deepEqual(ids(fallback), ['no-healthcheck', 'root-user']);
  assert.equal(fallback.notes?.length, 2);
  assert.deepEqual(ids(judge(rule('image', r), scanFixture({ misconfigurations: [] }))), []);
});

test('package rules: forbidden names and versions, minimum versions by the ecosystem scheme (incl. source packages)', () => {
  assert.deepEqual(ids(judge(rule('packages', '{forbidden: [{name: lodash, versions: "< 4.17.21"}]}'))), [
    'forbidden:lodash@pkg:npm/lodash@4.17.20',
  ]);
  assert.deepEqual(ids(judge(rule('packages', '{forbidden: [{name: lodash, versions: ">= 4.17.21"}]}'))), []);
  assert.deepEqual(ids(judge(rule('packages', '{forbidden: [{name: lodash, ecosystem: pypi}]}'))), []);
  assert.deepEqual(ids(judge(rule('packages', '{forbidden: [{name: curl}]}'))).length, 1);
  // deb-version(7): 3.0.11-1~deb12u2 < 3.0.13; the binary libssl3 is from source openssl.
  assert.deepEqual(ids(judge(rule('packages', '{minimumVersions: ["openssl >= 3.0.13"]}'))), [
    'minimum:openssl@pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
  ]);
  assert.deepEqual(ids(judge(rule('packages', '{minimumVersions: ["deb:openssl >= 3.0.11-1~deb12u2"]}'))), []);
  assert.deepEqual(ids(judge(rule('packages', '{minimumVersions: ["deb:curl >= 7.88.1-10+deb12u4"]}'))).length, 1);
  // Maven ordering: 2.14.1 < 2.17.1 (string order would say otherwise for 2.9 vs 2.14).
  assert.deepEqual(
    ids(judge(rule('packages', '{minimumVersions: ["org.apache.logging.log4j:log4j-core >= 2.9"]}'))),
    [],
  );
  assert.deepEqual(
    ids(judge(rule('packages', '{minimumVersions: ["maven:org.apache.logging.log4j:log4j-core >= 2.17.1"]}'))).length,
    1,
  );
});

test('forbidden licences: a package fails only when every way to satisfy its expression needs a forbidden licence', () => {
  const v = judge(rule('packages', '{forbiddenLicenses: [GPL-3.0-only, GPL-3.0-or-later]}'));
  assert.deepEqual(
    ids(v).map((i) => i.split('@pkg:')[1]),
    ['npm/both@1.0.0', 'deb/debian/readline-common@8.2-1.3?arch=all&distro=debian-12'],
  );
  // "GPL-3.0" (deprecated id) normalises to GPL-3.0-only.
  assert.equal(ids(judge(rule('packages', '{forbiddenLicenses: [GPL-3.0]}'))).length, 1);
  // The licence report (copyright files) wins over the declared licence.
  const input = scanFixture({
    licenses: {
      byLicense: [{ license: 'AGPL-3.0-only', category: 'strong-copyleft', packages: ['pkg:npm/lodash@4.17.20'] }],
      byCategory: { permissive: 0, 'weak-copyleft': 0, 'strong-copyleft': 1, unknown: 0 },
      unknown: [],
    },
  });
  assert.deepEqual(ids(judge(rule('packages', '{forbiddenLicenses: [AGPL-3.0-only]}'), input)), [
    'license:AGPL-3.0-only@pkg:npm/lodash@4.17.20',
  ]);
});

test('secrets, misconfigurations and malware: any, by severity, by id', () => {
  assert.equal(ids(judge(rule('secrets', '{}'))).length, 2);
  assert.deepEqual(ids(judge(rule('secrets', '{minSeverity: high}'))), ['aws-access-key-id@app/.env:3']);
  assert.deepEqual(ids(judge(rule('misconfigurations', '{minSeverity: high}'))), [
    'CUS-IMG-001@registry.example.com/team/app:1.4.2',
  ]);
  assert.deepEqual(ids(judge(rule('misconfigurations', '{ids: [CUS-IMG-002]}'))), [
    'CUS-IMG-002@registry.example.com/team/app:1.4.2',
  ]);
  assert.deepEqual(ids(judge(rule('malware', '{}'))), []);
  const mal = scanFixture({
    malware: [
      {
        kind: 'miner',
        ruleId: 'xmrig',
        severity: 'critical',
        title: 'Cryptominer',
        detail: 'XMRig',
        path: 'usr/bin/xmrig',
        layer: APP_LAYER,
      },
    ],
  });
  assert.deepEqual(ids(judge(rule('malware', '{}'), mal)), ['xmrig@usr/bin/xmrig']);
});

test('CEL rules over the documented model: bool, list of strings or maps, evaluation errors fail closed', () => {
  assert.deepEqual(ids(judge(rule('cel', `"image.os.family == 'debian' && image.sizeBytes > 40000000"`))), ['r:true']);
  assert.deepEqual(ids(judge(rule('cel', `"image.os.family == 'alpine'"`))), []);
  assert.deepEqual(
    ids(
      judge(
        rule('cel', `"vulnerabilities.filter(v, v.cvss >= 9 && v.type == 'language').map(v, v.id + ' ' + v.package)"`),
      ),
    ),
    ['r:CVE-2021-44228 org.apache.logging.log4j:log4j-core', 'r:CVE-2021-45046 org.apache.logging.log4j:log4j-core'],
  );
  const maps = judge(
    rule(
      'cel',
      `"packages.filter(p, p.base && p.name.startsWith('lib')).map(p, {'id': p.name, 'summary': p.name + ' from the base layer', 'purl': p.purl})"`,
    ),
  );
  assert.deepEqual(ids(maps), ['r:libssl3']);
  assert.equal(maps.rules[0]?.findings[0]?.summary, 'libssl3 from the base layer');
  assert.deepEqual(
    ids(
      judge(
        rule(
          'cel',
          `"size(secrets.filter(s, s.severity == 'critical')) > 0 && image.labels['org.opencontainers.image.source'].contains('github')"`,
        ),
      ),
    ),
    ['r:true'],
  );
  const err = judge(rule('cel', `"image.nosuchfield == 1"`));
  assert.equal(err.status, 'fail');
  assert.match(err.rules[0]?.findings[0]?.summary ?? '', /could not be evaluated/);
  assert.match(judge(rule('cel', `"42"`)).rules[0]?.findings[0]?.summary ?? '', /not a bool or a list/);
});

test('exceptions suppress matching findings (kept visible); expired ones stop applying and are reported', () => {
  const v = judge(`${rule('vulnerabilities', '{minSeverity: critical}')}exceptions:
  - {id: log4j, advisory: GHSA-jfh8-c2jp-5v3q, package: "pkg:maven/org.apache.logging.log4j/log4j-core", reason: JNDI lookups disabled, owner: app@example.com, expires: 2024-12-31}
  - {id: old, advisory: CVE-2023-38545, reason: was fine, owner: sec@example.com, expires: 2024-05-31}
  - {id: other-image, advisory: CVE-2021-45046, image: "docker.io/library/*", reason: r, owner: o, expires: 2030-01-01}
`);
  assert.deepEqual(vulnIds(v), ['CVE-2021-45046', 'CVE-2023-38545']);
  assert.deepEqual(
    v.suppressed.map((s) => [s.finding.id.split('@')[0], s.by, s.reason, s.owner, s.expires]),
    [['CVE-2021-44228', 'exception', 'JNDI lookups disabled', 'app@example.com', '2024-12-31']],
  );
  assert.deepEqual(v.expiredExceptions, [
    { id: 'old', reason: 'was fine', owner: 'sec@example.com', expired: '2024-05-31', source: 'p.yaml' },
  ]);
  // The date-only expiry holds through its whole day.
  const lastDay = judge(
    `${rule('vulnerabilities', '{minSeverity: critical, packageTypes: [os]}')}exceptions:\n  - {advisory: CVE-2023-38545, reason: r, owner: o, expires: 2024-06-01}\n`,
  );
  assert.equal(lastDay.status, 'pass');
  assert.equal(lastDay.expiredExceptions.length, 0);
});

test('exceptions by image, path and rule; all fields set must match', () => {
  const sec = rule('secrets', '{}');
  assert.equal(
    judge(`${sec}exceptions:\n  - {path: "app/*.env", reason: r, owner: o, expires: 2030-01-01}\n`).rules[0]?.findings
      .length,
    1,
  );
  assert.equal(
    judge(`${sec}exceptions:\n  - {path: "app/.env", reason: r, owner: o, expires: 2030-01-01}\n`).rules[0]?.findings
      .length,
    1,
  );
  assert.equal(
    judge(`${sec}exceptions:\n  - {image: "registry.example.com/team/*", reason: r, owner: o, expires: 2030-01-01}\n`)
      .status,
    'pass',
  );
  assert.equal(
    judge(
      `${sec}exceptions:\n  - {image: "registry.example.com/team/*", rules: [other], reason: r, owner: o, expires: 2030-01-01}\n`,
    ).status,
    'fail',
  );
  assert.equal(
    judge(
      `${sec}exceptions:\n  - {advisory: aws-access-key-id, path: "other/**", reason: r, owner: o, expires: 2030-01-01}\n`,
    ).rules[0]?.findings.length,
    2,
  );
  assert.equal(
    judge(
      `${rule('vulnerabilities', '{}')}exceptions:\n  - {package: "lodash@4.17.20", reason: r, owner: o, expires: 2030-01-01}\n`,
    ).suppressed.length,
    1,
  );
});

const OPENVEX = JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/2024-001',
  author: 'app team',
  timestamp: '2024-05-01T00:00:00Z',
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] },
      products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' }],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    },
    {
      vulnerability: { name: 'CVE-2023-38545' },
      products: [
        {
          '@id': 'pkg:oci/app@sha256%3Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          subcomponents: [{ '@id': 'pkg:deb/debian/curl' }],
        },
      ],
      status: 'not_affected',
      justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
    },
    {
      vulnerability: { name: 'CVE-2021-45046' },
      products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }],
      status: 'not_affected',
      justification: 'component_not_present',
      timestamp: '2024-01-01T00:00:00Z',
    },
    {
      vulnerability: { name: 'CVE-2021-45046' },
      products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }],
      status: 'affected',
      action_statement: 'upgrade',
      timestamp: '2024-02-01T00:00:00Z',
    },
  ],
});

test('OpenVEX: not_affected suppresses by package purl or image product + subcomponent; the latest statement wins', () => {
  const vex = [loadVex(OPENVEX, 'app.openvex.json')];
  const v = judge(rule('vulnerabilities', '{minSeverity: critical}'), scanFixture(), { vex });
  assert.deepEqual(vulnIds(v), ['CVE-2021-45046']);
  assert.deepEqual(
    v.suppressed.map((s) => [s.finding.id.split('@')[0], s.by, s.vex?.status, s.vex?.justification, s.vex?.document]),
    [
      ['CVE-2021-44228', 'vex', 'not_affected', 'vulnerable_code_not_in_execute_path', 'app.openvex.json'],
      [
        'CVE-2023-38545',
        'vex',
        'not_affected',
        'vulnerable_code_cannot_be_controlled_by_adversary',
        'app.openvex.json',
      ],
    ],
  );
});

test('CycloneDX VEX: not_affected / resolved / false_positive suppress via bom-ref or purl; in_triage does not', () => {
  const cdx = JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    components: [
      { 'bom-ref': 'lodash-ref', type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
    ],
    vulnerabilities: [
      {
        id: 'CVE-2021-23337',
        analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'template() is never called' },
        affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lodash-ref' }],
      },
      {
        id: 'CVE-2024-0727',
        analysis: { state: 'resolved' },
        affects: [{ ref: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12' }],
      },
      {
        id: 'CVE-2023-38546',
        analysis: { state: 'false_positive' },
        affects: [{ ref: 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u1' }],
      },
      { id: 'CVE-2023-38545', analysis: { state: 'in_triage' }, affects: [{ ref: 'pkg:deb/debian/curl' }] },
    ],
  });
  const v = judge(rule('vulnerabilities', '{}'), scanFixture(), { vex: [loadVex(cdx, 'bom.cdx.json')] });
  assert.deepEqual(
    v.suppressed.map((s) => [s.finding.id.split('@')[0], s.vex?.status, s.vex?.justification]),
    [
      ['CVE-2021-23337', 'not_affected', 'code_not_reachable: template() is never called'],
      ['CVE-2023-38546', 'false_positive', undefined],
      ['CVE-2024-0727', 'resolved', undefined],
    ],
  );
  assert.ok(vulnIds(v).includes('CVE-2023-38545'));
});

test('remediation: the highest needed fix per package; base-layer packages say rebuild-base', () => {
  const v = judge(rule('vulnerabilities', '{minSeverity: low, fixableOnly: true}'));
  assert.deepEqual(v.remediation, [
    {
      package: 'curl',
      from: '7.88.1-10+deb12u1',
      to: '7.88.1-10+deb12u4',
      how: 'rebuild-base',
      clears: ['CVE-2023-38545', 'CVE-2023-38546'],
    },
    {
      package: 'libssl3',
      from: '3.0.11-1~deb12u2',
      to: '3.0.13-1~deb12u1',
      how: 'rebuild-base',
      clears: ['CVE-2024-0727'],
    },
    { package: 'lodash', from: '4.17.20', to: '4.17.21', how: 'upgrade', clears: ['CVE-2021-23337'] },
    // 2.15.0 clears CVE-2021-44228 but CVE-2021-45046 needs 2.16.0: the highest wins; 2.3.1 and 2.12.2 are older branches.
    {
      package: 'org.apache.logging.log4j:log4j-core',
      from: '2.14.1',
      to: '2.16.0',
      how: 'upgrade',
      clears: ['CVE-2021-44228', 'CVE-2021-45046'],
    },
  ]);
  // Only the failing rules' findings count when the gate fails.
  const mixed = judge(
    `rules:\n  - {id: f, action: fail, message: m, vulnerabilities: {kev: true}}\n  - {id: w, action: warn, message: m, vulnerabilities: {}}\n`,
  );
  assert.deepEqual(
    mixed.remediation.map((r) => r.package),
    ['org.apache.logging.log4j:log4j-core'],
  );
  // A single-layer image has no base layer.
  const flat = scanFixture();
  const one = scanFixture({
    inventory: {
      ...flat.inventory,
      target: { ...flat.inventory.target, layers: flat.inventory.target.layers.slice(0, 1) },
    },
  });
  assert.ok(judge(rule('vulnerabilities', '{packageTypes: [os]}'), one).remediation.every((r) => r.how === 'upgrade'));
  assert.equal(BASE_LAYER, flat.inventory.target.layers[0]?.diffID);
});

test('deterministic: same input gives the same verdict whatever the finding order', () => {
  const yaml = `rules:\n  - {id: a, action: fail, message: m, vulnerabilities: {}}\n  - {id: b, action: warn, message: m, secrets: {}}\n  - {id: c, action: fail, message: m, packages: {forbiddenLicenses: [GPL-3.0-only]}}\n`;
  const input = scanFixture();
  const shuffled = scanFixture({
    vulnerabilities: [...input.vulnerabilities].reverse(),
    secrets: [...(input.secrets ?? [])].reverse(),
    inventory: { ...input.inventory, packages: [...input.inventory.packages].reverse() },
  });
  assert.equal(JSON.stringify(judge(yaml, input)), JSON.stringify(judge(yaml, shuffled)));
  assert.deepEqual(judge(yaml).policies, ['p.yaml']);
});

test("required labels are the image's own: a label named like an Object.prototype member is missing when absent", () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.deepEqual(ids(judge(rule('image', `{requiredLabels: ["${name}"]}`))), [`label-missing:${name}`], name);
  }
});
