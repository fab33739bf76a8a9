/**
 * Dogfood: customs judges its own image and Dockerfile by the project's release policy
 * (deploy/policy.yaml, with deploy/secrets.yaml for the secret scan) and writes the
 * image's SBOM as a build artifact (test/.work/artifacts/customs-image.cdx.json), as
 * scripts/release.sh does for a release. The vulnerability DB is built from test/feeds
 * (this machine has no feed access).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { freshDir, REPO_ROOT, runCustoms, WORK_DIR } from '../support/images.js';
import { customsImage } from './image-support.js';

let image = '';
let work = '';
let dbDir = '';

before(async () => {
  image = await customsImage();
  work = await freshDir('dogfood');
  dbDir = join(work, 'db');
  const imported = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '--db-dir', dbDir, '-q']);
  assert.equal(imported.code, 0, imported.stderr);
});

const policy = join(REPO_ROOT, 'deploy', 'policy.yaml');

describe('customs on its own image', () => {
  test('the Dockerfile has no misconfiguration and passes the release policy', async () => {
    const scan = await runCustoms(['scan', 'dockerfile', join(REPO_ROOT, 'Dockerfile'), '-f', 'json', '-q']);
    assert.equal(scan.code, 0, scan.stderr);
    const result = JSON.parse(scan.stdout) as { misconfigurations: unknown[] };
    assert.deepEqual(result.misconfigurations, []);
    const gate = await runCustoms(['gate', 'dockerfile', join(REPO_ROOT, 'Dockerfile'), '--policy', policy, '-q']);
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
  });

  test('the image passes the release policy (scan with the release secrets config, then gate)', async () => {
    const saved = join(work, 'scan.json');
    const scan = await runCustoms([
      'scan',
      `docker-daemon:${image}`,
      '--db',
      dbDir,
      '--secret-config',
      join(REPO_ROOT, 'deploy', 'secrets.yaml'),
      '--no-cache',
      '-q',
      '-f',
      'json',
      '-o',
      saved,
    ]);
    assert.equal(scan.code, 0, scan.stderr);
    const gate = await runCustoms(['gate', saved, '--policy', policy, '--summary']);
    assert.equal(gate.code, 0, `customs gate failed on its own image:\n${gate.stdout}\n${gate.stderr}`);
    // The verdict judged the image itself: its user and healthcheck were read.
    const result = JSON.parse(await readFile(saved, 'utf8')) as {
      config?: { user?: string; healthcheck?: unknown };
    };
    assert.match(result.config?.user ?? '', /^10001/);
    assert.ok(result.config?.healthcheck);
  });

  test('the SBOM of the image is written as a build artifact', async () => {
    await mkdir(join(WORK_DIR, 'artifacts'), { recursive: true });
    const out = join(WORK_DIR, 'artifacts', 'customs-image.cdx.json');
    const sbom = await runCustoms(['sbom', `docker-daemon:${image}`, '-f', 'cyclonedx', '-o', out, '-q', '--no-cache']);
    assert.equal(sbom.code, 0, sbom.stderr);
    const doc = JSON.parse(await readFile(out, 'utf8')) as { components: { name: string; purl?: string }[] };
    const purls = doc.components.map((c) => c.purl ?? '');
    assert.ok(
      purls.some((p) => p.startsWith('pkg:npm/better-sqlite3@')),
      'the production npm packages are listed',
    );
    assert.ok(
      purls.some((p) => p.startsWith('pkg:deb/debian/libc6@')),
      "the base's Debian packages are listed",
    );
    assert.ok(!purls.some((p) => p.startsWith('pkg:npm/typescript@')), 'no development dependency ships');
  });
});
