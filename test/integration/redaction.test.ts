/**
 * Secrets in the image config never leave customs in clear. An image is
 * written here (a docker-archive, src/image/test-fixtures.ts) whose builder
 * leaked credentials the way builds do: a GitHub token as a build argument
 * (history "|1 GITHUB_TOKEN=… /bin/sh -c …", and repeated in CMD), AWS keys in
 * ENV, a token in a label and a password in an ENV instruction. It is scanned
 * through the engine with every scanner, judged by a policy that quotes label
 * values, and written in every scan format (with and without the verdict) and
 * every SBOM format, through the CLI too: no output holds any of the values,
 * while the secret scanner still reports each of them (redacted).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createContext } from '../../src/core/index.js';
import { DEFAULT_SCAN_PLAN, sbom, scan } from '../../src/engine/index.js';
import { writeDockerArchive } from '../../src/image/test-support/image-fixtures.js';
import { memoryDb } from '../../src/match/test-support/memory-db.js';
import { evaluatePolicy, loadPolicies, type Verdict } from '../../src/policy/index.js';
import { renderHtml, renderMarkdown, renderScanTable, SCAN_WRITERS } from '../../src/report/index.js';
import { toCustomsJson, toCycloneDx, toSpdx, toTable } from '../../src/sbom/index.js';
import type { ScanResult } from '../../src/result/index.js';
import { freshDir, runCustoms } from '../support/images.js';

/** Deterministic "random" characters from an alphabet (sha256 of a label, so reruns see the same image). */
function chars(label: string, alphabet: string, n: number): string {
  let out = '';
  for (let i = 0; out.length < n; i++) {
    for (const b of createHash('sha256').update(`${label}:${i}`).digest()) {
      if (out.length < n) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = `${BASE62}/+`;

const SECRETS = {
  githubToken: `ghp_${chars('gh', BASE62, 36)}`,
  awsKeyId: `AKIA${chars('akia', BASE32, 16)}`,
  awsSecret: chars('aws-secret', B64, 40),
  labelToken: `ghs_${chars('label', BASE62, 36)}`,
  dbPassword: `pw-${chars('db', BASE62, 14)}`,
};

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const DPKG_STATUS = `Package: curl
Status: install ok installed
Version: 7.88.1-10+deb12u1
Architecture: amd64

`;

let work = '';
let archive = '';
let result: ScanResult;
let verdict: Verdict;

before(async () => {
  work = await freshDir('redaction');
  archive = join(work, 'leaky.tar');
  writeDockerArchive(archive, [
    {
      tags: ['leaky:1'],
      image: {
        layers: [
          {
            files: [
              { path: 'etc/', type: 'dir' },
              { path: 'etc/os-release', data: OS_RELEASE },
              { path: 'var/lib/dpkg/', type: 'dir' },
              { path: 'var/lib/dpkg/status', data: DPKG_STATUS },
            ],
          },
          {
            files: [
              { path: 'app/', type: 'dir' },
              { path: 'app/node_modules/left-pad/package.json', data: '{"name":"left-pad","version":"1.3.0"}' },
            ],
          },
        ],
        config: {
          Env: ['PATH=/usr/bin', `AWS_ACCESS_KEY_ID=${SECRETS.awsKeyId}`, `AWS_SECRET_ACCESS_KEY=${SECRETS.awsSecret}`],
          Labels: { 'ci.token': SECRETS.labelToken, 'org.opencontainers.image.title': 'leaky' },
          Cmd: ['app', '--github-token', SECRETS.githubToken],
          User: 'root',
        },
        history: [
          { created_by: '/bin/sh -c #(nop) ADD file:0123 in / ' },
          { created_by: 'ARG GITHUB_TOKEN', empty_layer: true },
          { created_by: `ENV DB_PASSWORD=${SECRETS.dbPassword}`, empty_layer: true },
          { created_by: `|1 GITHUB_TOKEN=${SECRETS.githubToken} /bin/sh -c ./fetch-deps.sh`, comment: 'buildkit' },
        ],
      },
    },
  ]);
  const db = memoryDb([
    {
      id: 'CVE-2023-38545',
      aliases: [],
      summary: 'SOCKS5 heap buffer overflow',
      references: [],
      severity: [],
      source: 'osv:Debian',
      affected: [
        {
          ecosystem: 'Debian:12',
          name: 'curl',
          versions: [],
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u4' }] }],
        },
      ],
    },
  ]);
  const ctx = createContext({ config: { cacheDir: join(work, 'cache') }, now: () => new Date('2026-03-01T00:00:00Z') });
  result = await scan(`docker-archive:${archive}`, DEFAULT_SCAN_PLAN, { ...ctx, db, dbPath: '(memory)' });
  const policy = loadPolicies(
    [
      {
        path: 'policy.yaml',
        text: `apiVersion: customs/v1
kind: Policy
rules:
  - id: labels
    action: fail
    message: the CI token label is wrong
    image:
      requiredLabels: [{ name: ci.token, pattern: "^none$" }]
  - id: no-secrets
    action: fail
    message: no secrets
    secrets: {}
  - id: vulns
    action: warn
    message: vulnerabilities
    vulnerabilities: {}
`,
      },
    ],
    new Date('2026-03-01T00:00:00Z'),
  );
  verdict = evaluatePolicy(result, policy, {
    now: new Date('2026-03-01T00:00:00Z'),
    ...(result.config ? { config: result.config } : {}),
  });
});

function assertNoSecret(what: string, text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!text.includes(value), `${what} shows ${name} in clear`);
  }
}

test('the scan finds every planted secret (so the search below is not vacuous)', () => {
  const found = (result.secrets ?? []).map((s) => `${s.location} ${s.ruleId}`);
  for (const expected of [
    // Locations name the variable where there is one (ENV/ARG), never its value.
    'config Env[1] (ENV AWS_ACCESS_KEY_ID) aws-access-key-id',
    'config Env[2] (ENV AWS_SECRET_ACCESS_KEY) aws-secret-access-key',
    'config Labels["ci.token"] github-token',
    'config Cmd github-token',
    'history[3] created_by (ARG GITHUB_TOKEN) github-token',
  ]) {
    assert.ok(found.includes(expected), `${expected} in ${found.join(', ')}`);
  }
  assert.ok(
    found.some((f) => f.startsWith('history[2] created_by ')),
    `the ENV password in ${found.join(', ')}`,
  );
  assert.ok(
    verdict.rules.some((r) => r.ruleId === 'labels'),
    'the label rule failed and quotes the label',
  );
  // What writers show of the history and labels is redacted, not dropped.
  const layers = result.inventory.target.layers;
  assert.match(layers[0]?.createdBy ?? '', /ADD file:0123/);
  assert.match(layers[1]?.createdBy ?? '', /^\|1 GITHUB_TOKEN=ghp_\*+ \/bin\/sh -c \.\/fetch-deps\.sh$/);
  assert.match(result.inventory.target.labels?.['ci.token'] ?? '', /^ghs_\*+$/);
});

test('every scan format, with and without a verdict, holds no secret value', () => {
  for (const w of SCAN_WRITERS) {
    assertNoSecret(`scan -f ${w.format}`, w.render(result, { width: 200 }));
  }
  assertNoSecret('table with verdict', renderScanTable(result, { verdict, width: 200 }));
  assertNoSecret('html with verdict', renderHtml(result, { verdict }));
  assertNoSecret('markdown with verdict', renderMarkdown(result, { verdict }));
  assertNoSecret('verdict', JSON.stringify(verdict));
  // The HTML layer view shows the history line, redacted.
  assert.match(renderHtml(result), /GITHUB_TOKEN=ghp_\*+/);
});

test('every SBOM format holds no secret value (sbom as customs sbom makes it, and the scan inventory)', async () => {
  const ctx = createContext({ config: { cacheDir: join(work, 'cache') } });
  const inv = await sbom(`docker-archive:${archive}`, ctx);
  for (const [name, i] of [
    ['sbom', inv],
    ['scan inventory', result.inventory],
  ] as const) {
    assertNoSecret(`${name} json`, toCustomsJson(i));
    assertNoSecret(`${name} cyclonedx`, toCycloneDx(i));
    assertNoSecret(`${name} spdx`, toSpdx(i));
    assertNoSecret(`${name} table`, toTable(i, { width: 400 }));
  }
  assert.match(toTable(inv, { width: 400 }), /L2 {2}sha256:\w+ {2}\|1 GITHUB_TOKEN=ghp_\*+/, 'the table legend');
});

test('through the CLI: stdout and stderr of sbom and scan hold no secret value', async () => {
  const env = { CUSTOMS_CACHE_DIR: join(work, 'cli-cache') };
  for (const args of [
    ['sbom', `docker-archive:${archive}`, '-f', 'table'],
    ['sbom', `docker-archive:${archive}`, '-f', 'json'],
    ['scan', `docker-archive:${archive}`, '--scanners', 'secret,misconfig,license', '-f', 'table'],
    ['scan', `docker-archive:${archive}`, '--scanners', 'secret,misconfig', '-f', 'html'],
  ]) {
    const r = await runCustoms(args, env);
    assert.ok(r.code === 0, `${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    assertNoSecret(`customs ${args.join(' ')} (stdout)`, r.stdout);
    assertNoSecret(`customs ${args.join(' ')} (stderr)`, r.stderr);
  }
});
