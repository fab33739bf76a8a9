/**
 * `customs scan` end to end on the real image of the accuracy test (a debootstrap'd
 * bookworm with curl, openssl, zlib, npm modules and a Go binary; test/support/images.ts),
 * against a DB that `customs db import` builds from OSV records written here about the
 * versions really in that image (read with dpkg-query / go version -m by the ground truth):
 *   curl (source of curl and libcurl4): fixed one step ABOVE the installed version → both binaries hit;
 *   openssl: fixed BELOW, and fixed AT the installed version → nothing;
 *   zlib (zlib1g): no fix (introduced "0" only) → unfixed;
 *   npm commander: fixed above its version → hit; Go stdlib of gohello: fixed above → hit;
 *   the same curl record under Debian:11 → nothing (another release).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import {
  type BuiltImage,
  buildRealImage,
  freshDir,
  type GroundTruth,
  groundTruth,
  REPO_ROOT,
  runCustoms,
} from '../support/images.js';

let image: BuiltImage;
let truth: GroundTruth;
let dbDir = '';

const osv = (id: string, ecosystem: string, name: string, events: Record<string, string>[], type = 'ECOSYSTEM') => ({
  schema_version: '1.6.0',
  id,
  modified: '2026-01-01T00:00:00Z',
  published: '2026-01-01T00:00:00Z',
  aliases: [],
  summary: `test advisory about ${name}`,
  affected: [{ package: { ecosystem, name }, ranges: [{ type, events }] }],
});

function debSource(name: string): string {
  const p = truth.deb.find((d) => d.source.name === name);
  if (!p) throw new Error(`the image has no binary of source package ${name}`);
  return p.source.version;
}

before(async () => {
  image = await buildRealImage();
  truth = await groundTruth(image);
  const feeds = await freshDir('scan-real-image');
  await mkdir(join(feeds, 'osv'), { recursive: true });
  const curl = debSource('curl');
  const openssl = debSource('openssl');
  const commander = truth.npm.find((p) => p.name === 'commander');
  const go = truth.go[0];
  if (!commander || !go) throw new Error('the image lost commander or gohello');
  // "+customs1" sorts after the installed revision in dpkg order (deb-version(7)): one step above.
  const records = [
    osv('CUSTOMS-E2E-CURL', 'Debian:12', 'curl', [{ introduced: '0' }, { fixed: `${curl}+customs1` }]),
    osv('CUSTOMS-E2E-CURL-11', 'Debian:11', 'curl', [{ introduced: '0' }, { fixed: `${curl}+customs1` }]),
    osv('CUSTOMS-E2E-OPENSSL-BELOW', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '1.0.0-1' }]),
    osv('CUSTOMS-E2E-OPENSSL-AT', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: openssl }]),
    osv('CUSTOMS-E2E-ZLIB', 'Debian:12', 'zlib', [{ introduced: '0' }]),
    osv(
      'CUSTOMS-E2E-COMMANDER',
      'npm',
      'commander',
      [{ introduced: '0' }, { fixed: `${commander.version.split('.')[0]}.999.0` }],
      'SEMVER',
    ),
    osv('CUSTOMS-E2E-GO', 'Go', 'stdlib', [{ introduced: '0' }, { fixed: '1.999.0' }], 'SEMVER'),
  ];
  for (const r of records) await writeFile(join(feeds, 'osv', `${r.id}.json`), `${JSON.stringify(r, null, 2)}\n`);
  dbDir = join(feeds, 'db');
  const imported = await runCustoms(['db', 'import', join(feeds, 'osv'), '--db-dir', dbDir, '-q']);
  assert.equal(imported.code, 0, imported.stderr);
});

test('scan --format json: exactly the findings the feed implies for the packages in the image', async () => {
  const r = await runCustoms([
    'scan',
    `docker-archive:${image.archive}`,
    '--db',
    dbDir,
    '--format',
    'json',
    '-q',
    '--no-cache',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    vulnerabilities: {
      id: string;
      state: string;
      package: { name: string; ecosystem: string };
      installedVersion: string;
      fixedVersions: string[];
      match: { searchedBy: string };
    }[];
    summary: { total: number };
    notes: { message: string }[];
  };
  const validate = new Ajv2020.default({ strict: false }).compile(
    JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'scan-result-v1.json'), 'utf8')) as object,
  );
  assert.equal(validate(doc), true, JSON.stringify(validate.errors));
  const curlBinaries = truth.deb.filter((d) => d.source.name === 'curl').map((d) => d.name);
  const zlibBinaries = truth.deb.filter((d) => d.source.name === 'zlib').map((d) => d.name);
  assert.ok(curlBinaries.includes('libcurl4') && curlBinaries.includes('curl'));
  const want = [
    ...curlBinaries.map((n) => `deb ${n} CUSTOMS-E2E-CURL fixed`),
    ...zlibBinaries.map((n) => `deb ${n} CUSTOMS-E2E-ZLIB unfixed`),
    'npm commander CUSTOMS-E2E-COMMANDER fixed',
    'golang stdlib CUSTOMS-E2E-GO fixed',
  ].sort();
  const got = doc.vulnerabilities.map((v) => `${v.package.ecosystem} ${v.package.name} ${v.id} ${v.state}`).sort();
  assert.deepEqual(got, want);
  const libcurl = doc.vulnerabilities.find((v) => v.package.name === 'libcurl4');
  assert.deepEqual(libcurl?.fixedVersions, [`${debSource('curl')}+customs1`]);
  assert.equal(libcurl?.match.searchedBy, 'source package curl in Debian:12');
  assert.equal(doc.summary.total, want.length);
  // The feed has no PyPI or Maven records, and the image has such packages: said, not hidden.
  assert.deepEqual(doc.notes.map((n) => n.message.replace(/ \(built [^)]*\)/, '')).sort(), [
    'no Maven advisories in this DB; its maven packages were not matched',
    'no PyPI advisories in this DB; its pypi packages were not matched',
  ]);
});

test('scan table and SBOM input give the same findings; a missing DB exits 3 with the fix', async () => {
  const table = await runCustoms(['scan', `docker-archive:${image.archive}`, '--db', dbDir, '-q']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^SEVERITY\s+ID\s+PACKAGE\s+INSTALLED\s+FIXED\s+STATUS\s+LAYER$/m);
  assert.match(table.stdout, /UNKNOWN\s+CUSTOMS-E2E-CURL\s+libcurl4\s/);
  const sbom = join(dbDir, '..', 'image.cdx.json');
  const made = await runCustoms(['sbom', `docker-archive:${image.archive}`, '-f', 'cyclonedx', '-o', sbom, '-q']);
  assert.equal(made.code, 0, made.stderr);
  const fromSbom = await runCustoms(['scan', sbom, '--db', dbDir, '--format', 'json']);
  assert.equal(fromSbom.code, 0, fromSbom.stderr);
  const ids = (text: string) =>
    (JSON.parse(text) as { vulnerabilities: { id: string; package: { name: string } }[] }).vulnerabilities
      .map((v) => `${v.package.name} ${v.id}`)
      .sort();
  const direct = await runCustoms(['scan', `docker-archive:${image.archive}`, '--db', dbDir, '--format', 'json', '-q']);
  assert.deepEqual(ids(fromSbom.stdout), ids(direct.stdout));
  const missing = await runCustoms([
    'scan',
    `docker-archive:${image.archive}`,
    '--db',
    join(dbDir, 'nope', 'customs.db'),
    '-q',
  ]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /no vulnerability DB at .*nope.*customs db update.*customs db import/);
});
