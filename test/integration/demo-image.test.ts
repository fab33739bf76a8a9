/**
 * The demo image of `make demo` (demo/build-demo-image.ts): a valid, reproducible
 * OCI layout that real tools read (skopeo, tar), and whose SBOM lists exactly what
 * demo/rootfs-layers holds (see demo/rootfs-layers/SOURCES.md).
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { buildDemoImage } from '../../demo/build-demo-image.js';
import type { Inventory } from '../../src/sbom/index.js';
import { freshDir, REPO_ROOT, run, runCustoms } from '../support/images.js';

const LAYERS = join(REPO_ROOT, 'demo', 'rootfs-layers');

test('the demo image is reproducible: two builds give the same blobs', async () => {
  const a = await freshDir('demo-a');
  const b = await freshDir('demo-b');
  const first = await buildDemoImage(LAYERS, a);
  const second = await buildDemoImage(LAYERS, b);
  assert.deepEqual(second.layers, first.layers);
  assert.equal(await readFile(join(b, 'index.json'), 'utf8'), await readFile(join(a, 'index.json'), 'utf8'));
});

test('skopeo reads the layout, and GNU tar reads each layer with its symlink and whiteout', async () => {
  const dir = await freshDir('demo-skopeo');
  const { layers } = await buildDemoImage(LAYERS, dir);
  const { stdout } = await run('skopeo', ['inspect', '--config', `oci:${dir}:demo`]);
  const config = JSON.parse(stdout) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(
    config.rootfs.diff_ids,
    layers.map((l) => l.diffID),
  );
  const listings: string[] = [];
  for (const l of layers) {
    const blob = join(dir, 'blobs', 'sha256', l.digest.slice('sha256:'.length));
    listings.push((await run('tar', ['-tzvf', blob])).stdout);
  }
  assert.match(listings[0] ?? '', /etc\/os-release -> \.\.\/usr\/lib\/os-release/);
  assert.match(listings[3] ?? '', /opt\/app\/lib\/commons-lang3-3\.12\.0\.jar\n/);
  assert.match(listings[4] ?? '', /app\/node_modules\/\.wh\.fflate/);
  // The jar is a zip whose pom.properties names the artifact.
  const jar = join(await freshDir('demo-jar'), 'l.tar.gz');
  await run('cp', [join(dir, 'blobs', 'sha256', (layers[3]?.digest ?? '').slice(7)), jar]);
  await run('tar', ['-xzf', jar, '-C', dirname(jar)]);
  const pom = await run('unzip', [
    '-p',
    join(dirname(jar), 'opt/app/lib/commons-lang3-3.12.0.jar'),
    'META-INF/maven/org.apache.commons/commons-lang3/pom.properties',
  ]);
  assert.match(pom.stdout, /version=3\.12\.0/);
});

test('customs sbom of the demo image lists exactly the demo packages', async () => {
  const dir = await freshDir('demo-sbom');
  const image = join(dir, 'image');
  await buildDemoImage(LAYERS, image);
  const out = join(dir, 'inventory.json');
  const res = await runCustoms([`sbom`, image, '--format', 'json', '-o', out, '-q'], {
    CUSTOMS_CACHE_DIR: join(dir, 'cache'),
  });
  assert.equal(res.code, 0, res.stderr);
  const inv = JSON.parse(await readFile(out, 'utf8')) as Inventory;
  assert.equal(inv.os?.family, 'debian');
  assert.equal(inv.os?.version, '12');
  const got = inv.packages.map((p) => `${p.ecosystem}/${p.name}@${p.version}`).sort();
  const status = await readFile(join(LAYERS, '02-apt-get-install-curl', 'var', 'lib', 'dpkg', 'status'), 'utf8');
  const debs = [...status.matchAll(/^Package: (.+)\n(?:.+\n)*?Version: (.+)$/gm)].map((m) => `deb/${m[1]}@${m[2]}`);
  const npm = await Promise.all(
    ['commander', 'semver', '@types/better-sqlite3', 'lodash', 'minimist'].map(async (n) => {
      const pj = JSON.parse(
        await readFile(join(LAYERS, '03-node-app', 'app', 'node_modules', n, 'package.json'), 'utf8'),
      ) as { version: string };
      return `npm/${n}@${pj.version}`;
    }),
  );
  const want = [...debs, ...npm, 'pypi/requests@2.31.0', 'maven/org.apache.commons:commons-lang3@3.12.0'].sort();
  assert.equal(debs.length, 8);
  assert.deepEqual(got, want);
});
