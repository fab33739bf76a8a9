/**
 * What users see, pinned: `customs sbom`, `scan` and `gate` run through the CLI
 * (bin/customs.js) on the repository's corpus, every output format, with their exit
 * statuses, compared byte for byte with test/golden/cli/. Any refactoring of the
 * pipeline must leave these files unchanged; a deliberate change of output is
 * recorded with `UPDATE_GOLDEN=1`, and the diff shows reviewers what users will see.
 *
 * Inputs, all made by the repository's own code, offline:
 * - the demo image (demo/build-demo-image.ts, reproducible blobs) as an OCI layout;
 * - the vulnerability DB imported from test/feeds;
 * - test/corpus: policies and VEX documents, Dockerfiles and manifests, the malware
 *   rootfs with its IOC list, the secrets files;
 * - an SBOM and a saved scan result written by the first runs, read back by later ones.
 * Only what differs between two runs is masked: the scratch directory, the repository
 * path, wall-clock times (ISO timestamps: creation, DB build, report start/end) and the
 * UUIDs derived from them. The SBOM that later cases scan is first pinned to a fixed time,
 * so the digest of its text (the scanned target's ID) is the same on every run.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, lutimes, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { buildDemoImage } from '../../demo/build-demo-image.js';
import { REPO_ROOT, runCustoms } from '../support/images.js';

const GOLDEN = join(REPO_ROOT, 'test', 'golden', 'cli');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

let work = '';
let env: NodeJS.ProcessEnv = {};

const SCAN_FORMATS = ['table', 'json', 'sarif', 'junit', 'gitlab', 'cyclonedx', 'html', 'markdown'];
const SBOM_FORMATS = ['table', 'json', 'cyclonedx', 'spdx'];

/** Mask what changes from run to run; everything else must match byte for byte. */
function normalise(text: string): string {
  return text
    .replaceAll(work, '$WORK')
    .replaceAll(REPO_ROOT, '$REPO')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}\\?:\d{2}\\?:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?/g, '$TIME')
    .replace(UUID, '$UUID');
}

/** RFC 9562 UUIDs: SBOM serial numbers and namespaces are derived from the content, creation time included. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  /** Files (relative to the scratch directory) the command writes, recorded after its output. */
  readonly files?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

async function record(c: Case): Promise<string> {
  const args = c.args.map((a) => a.replaceAll('$WORK', work).replaceAll('$REPO', REPO_ROOT));
  const res = await runCustoms(args, { ...env, ...c.env });
  const parts = [
    `$ customs ${c.args.join(' ')}`,
    `exit: ${res.code}`,
    '--- stdout',
    res.stdout,
    '--- stderr',
    res.stderr,
  ];
  for (const f of c.files ?? []) {
    const path = join(work, f);
    parts.push(`--- file ${f}`, existsSync(path) ? await readFile(path, 'utf8') : '(not written)');
  }
  const text = normalise(parts.join('\n'));
  // A `dir:` target's pseudo diffID (and so its config digest) covers each entry's inode and
  // ctime (src/image/rootfs-dir.ts): different for every copy of the tree, so they are masked.
  return c.args.some((a) => a.startsWith('dir:')) ? maskDigests(text) : text;
}

const maskDigests = (text: string): string => text.replace(/sha256:[0-9a-f]{12,64}/g, 'sha256:$DIGEST');

async function check(c: Case): Promise<void> {
  const got = await record(c);
  const file = join(GOLDEN, `${c.name}.txt`);
  if (UPDATE) {
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(file, got);
    return;
  }
  assert.ok(existsSync(file), `${file} is missing; record it with UPDATE_GOLDEN=1`);
  assert.equal(got, await readFile(file, 'utf8'), `${c.name}: output differs from ${file}`);
}

/** A `dir:` image's ID covers file times: pin them, so a fresh clone scans to the same bytes. */
async function pinTimes(dir: string): Promise<void> {
  const at = new Date('2024-01-01T00:00:00Z');
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await pinTimes(p);
    await lutimes(p, at, at);
  }
  await lutimes(dir, at, at);
}

/**
 * The scratch directory is one fixed path, whatever the checkout's location:
 * tables size their columns to the paths they print, so a path of another
 * length would change every table's bytes. The corpus files the cases read are
 * copied under it for the same reason.
 */
const WORK = '/tmp/customs-cli-golden';

before(async () => {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  work = WORK;
  await cp(join(REPO_ROOT, 'test', 'corpus'), join(work, 'corpus'), { recursive: true, verbatimSymlinks: true });
  await buildDemoImage(join(REPO_ROOT, 'demo', 'rootfs-layers'), join(work, 'image'));
  env = { CUSTOMS_CACHE_DIR: join(work, 'cache'), CUSTOMS_DB_DIR: join(work, 'db'), GITHUB_STEP_SUMMARY: '' };
  const db = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '-q'], env);
  assert.equal(db.code, 0, db.stderr);
  // Trivy's .trivyignore format: one vulnerability by alias, one check, one with an expired date.
  await writeFile(
    join(work, 'ignore.txt'),
    '# accepted for now\nCVE-2023-38545 exp:2999-01-01 waiting for upstream\nCUS-IMG-001\nCVE-2021-23337 exp:2000-01-01\n',
  );
  // A file an analyzer cannot read: an Unknown, which --strict makes fatal.
  await mkdir(join(work, 'broken', 'app', 'node_modules', 'x'), { recursive: true });
  await writeFile(join(work, 'broken', 'app', 'node_modules', 'x', 'package.json'), '{not json');
  for (const [from, to] of [
    ['malware/rootfs', 'malware'],
    ['secrets/files', 'secrets'],
  ] as const) {
    await cp(join(REPO_ROOT, 'test', 'corpus', from), join(work, to), { recursive: true, verbatimSymlinks: true });
  }
  for (const d of ['broken', 'malware', 'secrets']) await pinTimes(join(work, d));
  await writeFile(join(work, 'Dockerfile'), 'FROM debian:12 AS build\nRUN true\nFROM debian:12\nUSER app\n');
  // A policy with a misconfigurations rule and an image rule: a manifest gate judges the first only.
  await writeFile(
    join(work, 'misconfig-policy.yaml'),
    'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: no-high-misconfig\n    action: fail\n    message: no high or critical misconfigurations\n    misconfigurations: {minSeverity: high}\n  - id: need-entrypoint\n    action: fail\n    message: an entrypoint is set\n    image: {requireEntrypoint: true}\n',
  );
});

const SBOM_CASES: Case[] = SBOM_FORMATS.map((f) => ({
  name: `sbom-demo-${f}`,
  args: ['sbom', '$WORK/image', '-f', f, '-q'],
}));

const SCAN_CASES: Case[] = [
  ...SCAN_FORMATS.map((f) => ({ name: `scan-demo-${f}`, args: ['scan', '$WORK/image', '-f', f, '-q'] })),
  {
    name: 'scan-demo-no-vuln',
    args: ['scan', '$WORK/image', '--scanners', 'secret,misconfig,malware,license', '-f', 'json', '-q'],
  },
  {
    name: 'scan-demo-save-json',
    args: ['scan', '$WORK/image', '-f', 'json', '-o', '$WORK/saved.json', '-q'],
    files: ['saved.json'],
  },
  {
    name: 'scan-demo-save-sbom',
    args: ['sbom', '$WORK/image', '-f', 'cyclonedx', '-o', '$WORK/sbom.cdx.json', '-q'],
    files: ['sbom.cdx.json'],
  },
  ...['table', 'json', 'sarif'].map((f) => ({
    name: `scan-sbom-file-${f}`,
    args: ['scan', '$WORK/pinned.cdx.json', '-f', f, '-q'],
  })),
  { name: 'scan-saved-json-refused', args: ['scan', '$WORK/saved.json', '-q'] },
  ...['table', 'json'].map((f) => ({
    name: `scan-dockerfile-${f}`,
    args: ['scan', 'dockerfile', '$WORK/corpus/misconfig/dockerfile', '-f', f],
  })),
  ...['table', 'json'].map((f) => ({
    name: `scan-k8s-${f}`,
    args: ['scan', 'k8s', '$WORK/corpus/misconfig/kubernetes', '-f', f],
  })),
  // Config scans write every format with a place for misconfigurations; GitLab container scanning has none.
  ...['sarif', 'junit', 'markdown'].map((f) => ({
    name: `scan-dockerfile-${f}`,
    args: ['scan', 'dockerfile', '$WORK/Dockerfile', '-f', f],
  })),
  { name: 'scan-dockerfile-gitlab-refused', args: ['scan', 'dockerfile', '$WORK/Dockerfile', '-f', 'gitlab'] },
  ...['table', 'json'].map((f) => ({
    name: `scan-malware-corpus-${f}`,
    args: [
      'scan',
      'dir:$WORK/malware',
      '--scanners',
      'malware',
      '--ioc',
      '$WORK/corpus/malware/iocs.csv',
      '-f',
      f,
      '-q',
    ],
  })),
  ...['table', 'json'].map((f) => ({
    name: `scan-secrets-corpus-${f}`,
    args: ['scan', 'dir:$WORK/secrets', '--scanners', 'secret', '-f', f, '-q'],
  })),
  { name: 'scan-unknowns', args: ['scan', 'dir:$WORK/broken', '-f', 'json', '-q'] },
  { name: 'scan-strict', args: ['scan', 'dir:$WORK/broken', '--strict', '-q'] },
  { name: 'scan-no-db', args: ['scan', '$WORK/image', '--db', '$WORK/nowhere.db', '-q'] },
  // Trivy's filter flags on scan: the gate's filters; --db-dir as `customs db` takes it.
  {
    name: 'scan-demo-filters',
    args: [
      'scan',
      '$WORK/image',
      '--severity',
      'HIGH,CRITICAL',
      '--ignore-unfixed',
      '--ignorefile',
      '$WORK/ignore.txt',
      '-q',
    ],
  },
  { name: 'scan-no-db-dir', args: ['scan', '$WORK/image', '--db-dir', '$WORK/nowhere', '-q'] },
  // -o FILE without --format: the extension's format, or a refusal naming the choices.
  {
    name: 'scan-dockerfile-output-json',
    args: ['scan', 'dockerfile', '$WORK/Dockerfile', '-o', '$WORK/df.json'],
    files: ['df.json'],
  },
  { name: 'scan-output-spdx-refused', args: ['scan', '$WORK/image', '-o', '$WORK/x.spdx.json', '-q'] },
  { name: 'scan-sbom-secret-only', args: ['scan', '$WORK/pinned.cdx.json', '--scanners', 'secret', '-q'] },
  { name: 'scan-bad-scanner', args: ['scan', '$WORK/image', '--scanners', 'vuln,bogus'] },
  { name: 'scan-bad-format', args: ['scan', '$WORK/image', '-f', 'pdf'] },
];

const POLICY = [
  '--policy',
  '$WORK/corpus/policy/org-baseline.yaml',
  '--policy',
  '$WORK/corpus/policy/team-override.yaml',
  '--vex',
  '$WORK/corpus/policy/openvex.json',
  '--vex',
  '$WORK/corpus/policy/cyclonedx-vex.json',
];

const GATE_CASES: Case[] = [
  ...SCAN_FORMATS.map((f) => ({ name: `gate-demo-${f}`, args: ['gate', '$WORK/image', '-f', f, '-q'] })),
  ...SCAN_FORMATS.map((f) => ({
    name: `gate-demo-policy-${f}`,
    args: ['gate', '$WORK/image', ...POLICY, '-f', f, '-q'],
  })),
  { name: 'gate-demo-fail-on-critical', args: ['gate', '$WORK/image', '--fail-on', 'critical', '-q'] },
  {
    name: 'gate-demo-fail-on-negligible',
    args: ['gate', '$WORK/image', '--fail-on', 'negligible', '-f', 'json', '-q'],
  },
  {
    name: 'gate-demo-severity',
    args: ['gate', '$WORK/image', '--severity', 'HIGH,critical', '--ignore-unfixed', '-f', 'json', '-q'],
  },
  {
    name: 'gate-demo-ignorefile',
    args: ['gate', '$WORK/image', '--ignorefile', '$WORK/ignore.txt', '-q'],
  },
  {
    name: 'gate-demo-ignorefile-json',
    args: ['gate', '$WORK/image', '--ignorefile', '$WORK/ignore.txt', '--fail-on', 'high', '-f', 'json', '-q'],
  },
  {
    name: 'gate-demo-outputs',
    args: [
      'gate',
      '$WORK/image',
      ...POLICY,
      '--exit-code',
      '7',
      '--dockerfile',
      '$WORK/Dockerfile',
      '-o',
      'sarif=$WORK/out.sarif',
      '-o',
      'junit=$WORK/out.xml',
      '-o',
      'gitlab=$WORK/out.gitlab.json',
      '-o',
      '$WORK/out.txt',
      '--summary',
      '-q',
    ],
    files: ['out.sarif', 'out.xml', 'out.gitlab.json', 'out.txt', 'summary.md'],
    env: { GITHUB_STEP_SUMMARY: '' },
  },
  {
    name: 'gate-demo-summary',
    args: ['gate', '$WORK/image', '--fail-on', 'high', '--summary', '-f', 'json', '-q'],
    files: ['summary.md'],
  },
  { name: 'gate-demo-no-vuln', args: ['gate', '$WORK/image', '--scanners', 'secret,misconfig', '-q'] },
  ...['table', 'json', 'sarif'].map((f) => ({
    name: `gate-saved-${f}`,
    args: ['gate', '$WORK/saved.json', ...POLICY, '-f', f, '-q'],
  })),
  { name: 'gate-sbom-file', args: ['gate', '$WORK/pinned.cdx.json', '--fail-on', 'high', '-f', 'json', '-q'] },
  {
    name: 'gate-malware-corpus',
    args: ['gate', 'dir:$WORK/malware', '--scanners', 'malware,secret', '-f', 'markdown', '-q'],
  },
  { name: 'gate-strict', args: ['gate', 'dir:$WORK/broken', '--strict', '-q'] },
  // A Dockerfile or manifests, judged by the same flags and policy misconfiguration rules.
  { name: 'gate-dockerfile', args: ['gate', 'dockerfile', '$WORK/Dockerfile'] },
  {
    name: 'gate-dockerfile-sarif',
    args: ['gate', 'dockerfile', '$WORK/Dockerfile', '--severity', 'HIGH,CRITICAL', '-o', '$WORK/df.sarif'],
    files: ['df.sarif'],
  },
  {
    name: 'gate-k8s-policy',
    args: ['gate', 'k8s', '$WORK/corpus/misconfig/kubernetes', '--policy', '$WORK/misconfig-policy.yaml'],
  },
  { name: 'gate-dockerfile-no-path', args: ['gate', 'dockerfile'] },
  { name: 'gate-bad-severity', args: ['gate', '$WORK/image', '--severity', 'HIGH,urgent'] },
  { name: 'gate-bad-fail-on', args: ['gate', '$WORK/image', '--fail-on', 'unknown'] },
  { name: 'gate-bad-output', args: ['gate', '$WORK/image', '-o', 'pdf=x.pdf'] },
  { name: 'gate-missing-policy', args: ['gate', '$WORK/image', '--policy', '$WORK/none.yaml', '-q'] },
  { name: 'gate-bad-exit-code', args: ['gate', '$WORK/image', '--exit-code', '300'] },
  { name: 'sbom-unknowns', args: ['sbom', 'dir:$WORK/broken', '-q'] },
  { name: 'sbom-strict', args: ['sbom', 'dir:$WORK/broken', '--strict', '-q'] },
  { name: 'sbom-missing', args: ['sbom', '$WORK/no-such-image', '-q'] },
];

// One test per case, in order: later cases read what earlier ones wrote.
for (const c of [...SBOM_CASES, ...SCAN_CASES, ...GATE_CASES]) {
  test(c.name, async () => {
    const summary = c.files?.includes('summary.md') ? { GITHUB_STEP_SUMMARY: join(work, 'summary.md') } : {};
    if (c.files?.includes('summary.md')) await writeFile(join(work, 'summary.md'), '');
    await check({ ...c, env: { ...c.env, ...summary } });
    if (c.name === 'scan-demo-save-sbom') {
      const text = await readFile(join(work, 'sbom.cdx.json'), 'utf8');
      const pinned = text
        .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '2024-01-01T00:00:00.000Z')
        .replace(UUID, '00000000-0000-5000-8000-000000000000');
      await writeFile(join(work, 'pinned.cdx.json'), pinned);
    }
  });
}
