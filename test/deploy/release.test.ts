/**
 * scripts/release.sh end to end, against a real docker-registry on loopback: from a clone
 * of this commit (the script refuses uncommitted changes), with the locally made bases
 * and a DEPS=context build (image-support.ts says why), it builds both images, gates the
 * customs image by the release policy (deploy/policy.yaml; the vulnerability DB from
 * test/feeds), writes the SBOMs, pushes, pins overlays/production to the digests, signs
 * each with `customs sign --bundle` and checks it with `customs verify`.
 *
 * It is also customs' dogfood of its own image: the gate's scan and the SBOM are the
 * release's (the customs image's SBOM is kept as a build artifact in
 * test/.work/artifacts/customs-image.cdx.json). The builds share the classic builder's
 * cache with customsImage() and sensorImage(), so the release adds no image build of its
 * own when the image tests ran first; the reproducibility of a build from nothing is
 * image.test.ts's.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { freshDir, REPO_ROOT, type RunResult, run, runCustoms, sensorBaseImage, WORK_DIR } from '../support/images.js';
import { customsImage, diffIds, nodeBaseImage, stageContext, withDockerfileBuilds } from './image-support.js';

const PASSWORD = 'release-test-password';
const VERSION = '9.9.9-test';

let reg: TestRegistry | undefined;
let work = '';
let checkout = '';
let repo = '';
let release: RunResult;
let env: NodeJS.ProcessEnv = {};
let digests: string[] = [];
/** customsImage(): the image the image tests check. */
let tested = '';

before(async () => {
  work = await freshDir('release');
  // The image tests' build of this commit: the release reuses its builder cache.
  const built = await customsImage();
  const [base, sensorBase] = [await nodeBaseImage(), await sensorBaseImage()];
  reg = await startRegistry();
  repo = `${reg.host}/customs`;
  const head = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
  checkout = join(work, 'checkout');
  await run('git', ['clone', '--quiet', '--shared', '--no-checkout', REPO_ROOT, checkout]);
  await run('git', ['-C', checkout, 'checkout', '--quiet', '--detach', head]);
  const context = await stageContext(join(work, 'context'));
  const keys = await runCustoms(['sign', 'generate-key-pair', '--output-key-prefix', join(work, 'release')], {
    COSIGN_PASSWORD: PASSWORD,
  });
  assert.equal(keys.code, 0, keys.stderr);
  const other = await runCustoms(['sign', 'generate-key-pair', '--output-key-prefix', join(work, 'other')], {
    COSIGN_PASSWORD: PASSWORD,
  });
  assert.equal(other.code, 0, other.stderr);
  const db = join(work, 'db');
  const imported = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '--db-dir', db, '-q']);
  assert.equal(imported.code, 0, imported.stderr);
  env = {
    ...process.env,
    DOCKER_BUILDKIT: '0',
    BASE_IMAGE: base,
    SENSOR_BASE_IMAGE: sensorBase,
    DEPS: 'context',
    CONTEXT: context.dir,
    CUSTOMS_DB: db,
    CUSTOMS_SIGN_KEY: join(work, 'release.key'),
    COSIGN_PASSWORD: PASSWORD,
    CUSTOMS_BIN: join(REPO_ROOT, 'bin', 'customs.js'),
    RELEASE_OUT: join(work, 'out'),
    // A layer cache of its own: the scan analyses every layer, the SBOMs reuse that.
    XDG_CACHE_HOME: join(work, 'cache'),
  };
  // The script builds the Dockerfile: not beside another build or removal (withDockerfileBuilds).
  release = await withDockerfileBuilds(() =>
    run('bash', [join(checkout, 'scripts', 'release.sh'), repo, VERSION], {
      cwd: checkout,
      env,
      allowFailure: true,
    }),
  );
  digests = (await readFile(join(work, 'out', 'digests.txt'), 'utf8').catch(() => '')).trim().split('\n');
  tested = built;
});

after(async () => {
  await reg?.stop();
  await withDockerfileBuilds(() =>
    run('docker', ['rmi', '--no-prune', `${repo}:${VERSION}`, `${repo}-sensor:${VERSION}`], { allowFailure: true }),
  );
});

describe('scripts/release.sh', () => {
  test('builds, gates, pushes both images and pins overlays/production to their digests', async (t) => {
    for (const line of release.stderr.split('\n').filter((l) => l.startsWith('release: '))) t.diagnostic(line);
    assert.equal(release.code, 0, release.stderr);
    assert.equal(digests.length, 2, `digests.txt: ${digests.join(' | ')}`);
    const [image, sensor] = digests as [string, string];
    assert.match(image, new RegExp(`^${repo}@sha256:[0-9a-f]{64}$`));
    assert.match(sensor, new RegExp(`^${repo}-sensor@sha256:[0-9a-f]{64}$`));
    // The registry serves each manifest under its digest.
    for (const ref of digests) {
      const [name, digest] = ref.slice(reg?.host.length).replace(/^\//, '').split('@') as [string, string];
      const res = await fetch(`http://${reg?.host}/v2/${name}/manifests/${digest}`, {
        method: 'HEAD',
        headers: {
          accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
        },
      });
      assert.equal(res.status, 200, ref);
      assert.equal(res.headers.get('docker-content-digest'), digest);
    }
    const { stdout } = await run('kubectl', [
      'kustomize',
      join(checkout, 'deploy', 'kubernetes', 'overlays', 'production'),
    ]);
    const images = [...stdout.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
    assert.ok(images.length >= 4, stdout);
    for (const i of images) assert.ok(i === image || i === sensor, `rendered image ${i} is pinned by the release`);
    assert.ok(images.includes(sensor), 'the sensor DaemonSet runs the released sensor image');
    // What ships is the image the image tests checked (no shell, read-only root …), layer for layer.
    assert.deepEqual(await diffIds(`${repo}:${VERSION}`), await diffIds(tested));
  });

  test('signs each image: customs verify accepts the release key and no other', async () => {
    assert.equal(release.code, 0, release.stderr);
    for (const ref of digests) {
      const ok = await runCustoms(['verify', ref, '--key', join(work, 'release.pub')], env);
      assert.equal(ok.code, 0, `${ref}: ${ok.stdout}${ok.stderr}`);
      const other = await runCustoms(['verify', ref, '--key', join(work, 'other.pub')], env);
      assert.notEqual(other.code, 0, `${ref} must not verify with another key`);
    }
  });

  test('gates the customs image by the release policy (dogfood): its own user and healthcheck were judged', async () => {
    assert.equal(release.code, 0, release.stderr);
    const saved = join(work, 'out', 'scan.json');
    const gate = await runCustoms(['gate', saved, '--policy', join(REPO_ROOT, 'deploy', 'policy.yaml'), '--summary']);
    assert.equal(gate.code, 0, `customs gate failed on its own image:\n${gate.stdout}\n${gate.stderr}`);
    const result = JSON.parse(await readFile(saved, 'utf8')) as {
      target: { name: string };
      config?: { user?: string; healthcheck?: unknown };
    };
    assert.match(result.target.name, new RegExp(`${repo}:${VERSION}$`));
    assert.match(result.config?.user ?? '', /^10001/);
    assert.ok(result.config?.healthcheck);
  });

  test('writes the SBOM of each image; the customs one is kept as a build artifact', async () => {
    assert.equal(release.code, 0, release.stderr);
    const purlsOf = async (file: string) =>
      (JSON.parse(await readFile(file, 'utf8')) as { components: { purl?: string }[] }).components.map(
        (c) => c.purl ?? '',
      );
    const sbom = join(work, 'out', `customs-${VERSION}.cdx.json`);
    const purls = await purlsOf(sbom);
    assert.ok(
      purls.some((p) => p.startsWith('pkg:npm/better-sqlite3@')),
      'the production npm packages are listed',
    );
    assert.ok(
      purls.some((p) => p.startsWith('pkg:deb/debian/libc6@')),
      "the base's Debian packages are listed",
    );
    assert.ok(!purls.some((p) => p.startsWith('pkg:npm/typescript@')), 'no development dependency ships');
    const sensor = await purlsOf(join(work, 'out', `customs-sensor-${VERSION}.cdx.json`));
    assert.ok(
      sensor.some((p) => p.startsWith('pkg:deb/debian/bpftrace@')),
      'the sensor image carries bpftrace',
    );
    await mkdir(join(WORK_DIR, 'artifacts'), { recursive: true });
    await copyFile(sbom, join(WORK_DIR, 'artifacts', 'customs-image.cdx.json'));
  });

  test('refuses, before building anything, a checkout with changes or no signing key', async () => {
    const script = join(checkout, 'scripts', 'release.sh');
    // The release above pinned the overlay: back to the commit, so only the key is missing.
    await run('git', ['-C', checkout, 'checkout', '--quiet', '--', '.']);
    const { CUSTOMS_SIGN_KEY: _key, ...unkeyed } = env;
    const noKey = await run('bash', [script, repo, VERSION], { cwd: checkout, env: unkeyed, allowFailure: true });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /CUSTOMS_SIGN_KEY is not set/);
    await writeFile(join(checkout, 'uncommitted.txt'), 'a change\n');
    const dirty = await run('bash', [script, repo, VERSION], { cwd: checkout, env, allowFailure: true });
    assert.equal(dirty.code, 2);
    assert.match(dirty.stderr, /uncommitted changes/);
    assert.doesNotMatch(dirty.stderr, /release: \S+ build/);
  });
});
