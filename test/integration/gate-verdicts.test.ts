/**
 * Verdicts a user can trust, through the CLI on the demo image (demo/build-demo-image.ts)
 * and the DB imported from test/feeds, offline:
 * - --vex (OpenVEX and CycloneDX) clears a finding for the flag rules as for a policy;
 * - `dir:` of a directory that is no root filesystem says so (a note, an Unknown for --strict);
 * - `scan dockerfile` / `scan k8s` without PATH is a usage error, never an image pull;
 * - a gate on a saved `scan -f json` result gives the verdict of a gate on the image.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { buildDemoImage } from '../../demo/build-demo-image.js';
import { freshDir, REPO_ROOT, runCustoms } from '../support/images.js';

let work = '';
let env: NodeJS.ProcessEnv = {};
const MINIMIST = 'pkg:npm/minimist@1.2.5';

before(async () => {
  work = await freshDir('gate-verdicts');
  await buildDemoImage(join(REPO_ROOT, 'demo', 'rootfs-layers'), join(work, 'image'));
  env = { CUSTOMS_CACHE_DIR: join(work, 'cache'), CUSTOMS_DB_DIR: join(work, 'db'), GITHUB_STEP_SUMMARY: '' };
  const db = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '-q'], env);
  assert.equal(db.code, 0, db.stderr);
  // The demo's one critical finding is minimist's CVE-2021-44906; both documents say it does not apply.
  await writeFile(
    join(work, 'openvex.json'),
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/demo',
      author: 'sec@example.com',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2021-44906' },
          products: [{ '@id': MINIMIST }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  await writeFile(
    join(work, 'cdx-vex.json'),
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      vulnerabilities: [
        {
          id: 'CVE-2021-44906',
          analysis: { state: 'not_affected', justification: 'code_not_reachable' },
          affects: [{ ref: MINIMIST }],
        },
      ],
    }),
  );
});

interface GateJson {
  verdict: {
    status: string;
    rules: { ruleId: string; action: string; findings: { id: string }[] }[];
    suppressed: { finding: { id: string }; by: string }[];
    notes?: string[];
  };
  result: { summary: { packages: number } };
}

const gateJson = async (args: readonly string[]): Promise<{ code: number; doc: GateJson; stderr: string }> => {
  const r = await runCustoms(['gate', ...args, '-f', 'json', '-q'], env);
  assert.ok(r.stdout.length > 0, r.stderr);
  return { code: r.code, doc: JSON.parse(r.stdout) as GateJson, stderr: r.stderr };
};

for (const vex of ['openvex.json', 'cdx-vex.json']) {
  for (const flags of [
    ['--fail-on', 'critical'],
    ['--severity', 'CRITICAL'],
    ['--ignore-unfixed', '--fail-on', 'high'],
  ]) {
    test(`gate --vex ${vex} ${flags.join(' ')}: the VEX clears the finding before the flag rule`, async () => {
      const image = join(work, 'image');
      const without = await gateJson([image, ...flags]);
      assert.equal(without.code, 1, 'without the VEX the critical minimist finding fails the gate');
      const { code, doc } = await gateJson([image, ...flags, '--vex', join(work, vex)]);
      const failing = doc.verdict.rules.flatMap((r) => r.findings.map((f) => f.id));
      assert.equal(
        failing.some((id) => id.startsWith('CVE-2021-44906')),
        false,
      );
      assert.deepEqual(
        doc.verdict.suppressed.map((s) => [s.finding.id.split('@')[0], s.by]),
        [['CVE-2021-44906', 'vex']],
      );
      // minimist was the only critical finding: --fail-on critical and --severity CRITICAL now pass.
      if (!flags.includes('high')) assert.equal(code, 0);
    });
  }
}

test('scan and sbom of a dir: that is no root filesystem say so, and --strict fails on it', async () => {
  const plain = join(work, 'plain');
  await mkdir(join(plain, 'docs'), { recursive: true });
  await writeFile(join(plain, 'README.md'), '# notes\n');
  await writeFile(join(plain, 'docs', 'a.txt'), 'text\n');
  const scan = await runCustoms(['scan', `dir:${plain}`, '--scanners', 'vuln,misconfig', '-q'], env);
  assert.equal(scan.code, 0, scan.stderr);
  assert.match(scan.stdout, /does not look like a root filesystem/);
  const json = await runCustoms(['scan', `dir:${plain}`, '-f', 'json', '-q'], env);
  const doc = JSON.parse(json.stdout) as { notes: { message: string }[]; summary: { unknowns: number } };
  assert.ok(doc.notes.some((n) => n.message.includes('does not look like a root filesystem')));
  assert.equal(doc.summary.unknowns, 1);
  const strict = await runCustoms(['scan', `dir:${plain}`, '--strict', '-q'], env);
  assert.equal(strict.code, 3);
  assert.match(strict.stderr, /does not look like a root filesystem/);
  const sbom = await runCustoms(['sbom', `dir:${plain}`, '-q'], env);
  assert.equal(sbom.code, 0, sbom.stderr);
  assert.match(sbom.stdout, /ANALYZE_NOT_ROOTFS: does not look like a root filesystem/);
  assert.equal((await runCustoms(['sbom', `dir:${plain}`, '--strict', '-q'], env)).code, 3);
  // A real root filesystem (an OS release file) is not flagged.
  await mkdir(join(plain, 'etc'), { recursive: true });
  await writeFile(join(plain, 'etc', 'os-release'), 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n');
  const rootfs = await runCustoms(['sbom', `dir:${plain}`, '--strict', '-q'], env);
  assert.equal(rootfs.code, 0, rootfs.stderr);
  assert.doesNotMatch(rootfs.stdout, /root filesystem/);
});

for (const kind of ['dockerfile', 'k8s']) {
  test(`scan ${kind} without PATH is a usage error naming PATH, not an image pull`, async () => {
    // No registry is reachable here: a pull attempt would fail as an input error (3), slowly.
    const r = await runCustoms(['scan', kind, '-q'], { ...env, CUSTOMS_REGISTRY_HOST: '' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`scan ${kind}: missing PATH`));
    assert.match(r.stderr, /USAGE_BAD_ARGUMENT/);
    assert.doesNotMatch(r.stderr, /docker\.io|registry|pull/i);
  });
}

test('scan once, gate later: a saved scan gets the verdict, rules and exit status of a gate on the image', async () => {
  const policy = join(work, 'policy.yaml');
  await writeFile(
    policy,
    `apiVersion: customs/v1
kind: Policy
rules:
  - {id: registries, action: fail, message: company registry only, image: {allowedRegistries: [registry.example.com]}}
  - {id: bases, action: fail, message: approved bases, image: {allowedBaseImages: ["debian:12*"]}}
  - {id: hygiene, action: warn, message: run as a user, image: {requireNonRootUser: true, requireEntrypoint: true, forbiddenPorts: [22], maxAgeDays: 100000}}
  - {id: labels, action: warn, message: labels, image: {requiredLabels: [org.opencontainers.image.title, org.opencontainers.image.version]}}
  - {id: licences, action: warn, message: no GPL-3.0, packages: {forbiddenLicenses: [GPL-3.0-only, GPL-3.0-or-later]}}
  - {id: floor, action: warn, message: base-files floor, packages: {minimumVersions: ["deb:base-files >= 99"]}}
  - {id: crit, action: fail, message: no critical, vulnerabilities: {minSeverity: critical}}
  - {id: env, action: warn, message: PATH is set, cel: 'image.env.exists(e, e.startsWith("PATH="))'}
`,
  );
  const image = join(work, 'image');
  const saved = join(work, 'scan.json');
  const scan = await runCustoms(['scan', image, '-f', 'json', '-o', saved, '-q'], env);
  assert.equal(scan.code, 0, scan.stderr);
  const live = await gateJson([image, '--policy', policy]);
  const later = await gateJson([saved, '--policy', policy]);
  const rules = (d: GateJson) => d.verdict.rules.map((r) => [r.ruleId, r.action, r.findings.map((f) => f.id)]);
  assert.deepEqual(rules(later.doc), rules(live.doc));
  assert.equal(later.doc.verdict.status, live.doc.verdict.status);
  assert.equal(later.code, live.code);
  // The rules this policy is about all decided something on the saved result too.
  const decided = rules(later.doc).map((r) => r[0]);
  for (const id of ['registries', 'bases', 'hygiene', 'labels', 'floor', 'crit', 'env'])
    assert.ok(decided.includes(id), id);
  // No "could not decide" note about tags or config; the saved note only.
  assert.deepEqual(later.doc.verdict.notes, [
    'gated a saved scan result: read back, not rescanned',
    ...(live.doc.verdict.notes ?? []),
  ]);
  assert.equal(later.doc.result.summary.packages, live.doc.result.summary.packages);
  const table = await runCustoms(['gate', saved, '--policy', policy, '-q'], env);
  assert.doesNotMatch(table.stdout, /no RepoTags/);
  assert.ok(JSON.parse(await readFile(saved, 'utf8')).packages.length > 1);
});
