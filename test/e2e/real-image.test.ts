/**
 * Accuracy on a real image (issue 2, "Accuracy (tested)"): a debootstrap'd bookworm,
 * `docker import`ed, then `docker build` of test/fixtures/real-image/Dockerfile adding
 * Debian packages, node_modules, Python packages, a Go binary and jars, with later
 * layers deleting some of them. The SBOM must equal the ground truth read from inside
 * the image (dpkg-query, package.json files, importlib.metadata, pom.properties,
 * `go version -m`), name for name and version for version, through every transport.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Package } from '../../src/core/index.js';
import type { Inventory, InventoryLayer } from '../../src/sbom/index.js';
import {
  type BuiltImage,
  buildRealImage,
  freshDir,
  type GroundTruth,
  groundTruth,
  run,
  runCustoms,
} from '../support/images.js';
import { pushLayout, startRegistry } from '../support/registry.js';

let image: BuiltImage;
let truth: GroundTruth;
let archiveInventory: Inventory;

/** Scan TARGET with a fresh cache; assert exit 0 and return the parsed JSON inventory. */
async function scan(
  target: string,
  name: string,
  cacheDir?: string,
  extra: readonly string[] = [],
): Promise<Inventory> {
  const dir = await freshDir(`e2e-${name}`);
  const out = join(dir, 'inventory.json');
  const res = await runCustoms(['sbom', target, '--format', 'json', '-o', out, '-q', ...extra], {
    CUSTOMS_CACHE_DIR: cacheDir ?? join(dir, 'cache'),
  });
  assert.equal(res.code, 0, `customs sbom ${target} exited ${res.code}:\n${res.stderr}`);
  return JSON.parse(await readFile(out, 'utf8')) as Inventory;
}

function byEcosystem(inv: Inventory, ecosystem: string): Package[] {
  return inv.packages.filter((p) => p.ecosystem === ecosystem);
}

/** name@version, sorted: duplicates on either side make the lists differ. */
function keys(list: readonly { readonly name: string; readonly version: string }[]): string[] {
  return list.map((p) => `${p.name}@${p.version}`).sort();
}

/** Debian versions carry the epoch ("1:2.38-1"); accept it kept apart in `epoch` too. */
function debVersion(p: Package): string {
  return p.epoch !== undefined && !p.version.includes(':') ? `${p.epoch}:${p.version}` : p.version;
}

/** PEP 503 normalisation: purl's pypi names are normalised this way. */
function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The scan result that every transport must reproduce. */
function packageKeys(inv: Inventory): string[] {
  return inv.packages.map((p) => `${p.purl} ${p.layer} ${p.paths.join(',')}`).sort();
}

before(async () => {
  image = await buildRealImage();
  truth = await groundTruth(image);
  archiveInventory = await scan(`docker-archive:${image.archive}`, 'archive');
});

test('the ground truth itself is meaningful (guards the fixture)', () => {
  assert.ok(truth.deb.length > 150, `only ${truth.deb.length} Debian packages`);
  assert.ok(truth.npm.length >= 8 && truth.pypi.length >= 2 && truth.maven.length >= 2);
  assert.ok(truth.go[0]?.deps.some((d) => d.name === 'github.com/google/uuid'));
});

test('os: family, version and codename as os-release (and debian_version) say', () => {
  const os = archiveInventory.os;
  assert.equal(os?.family, truth.os.id);
  assert.equal(os?.codename, truth.os.versionCodename);
  // VERSION_ID ("12") or the point release of /etc/debian_version ("12.x"): both are Debian's own words.
  assert.ok(
    os?.version === truth.os.versionId || os?.version === truth.os.debianVersion,
    `version ${os?.version} is neither VERSION_ID ${truth.os.versionId} nor debian_version ${truth.os.debianVersion}`,
  );
});

test('deb: every installed package, with version, arch and source package, as dpkg-query says', () => {
  const actual = byEcosystem(archiveInventory, 'deb');
  assert.deepEqual(keys(actual.map((p) => ({ name: p.name, version: debVersion(p) }))), keys(truth.deb));
  const want = new Map(truth.deb.map((d) => [d.name, d]));
  for (const p of actual) {
    const d = want.get(p.name);
    assert.ok(d);
    // Every dpkg status stanza has an Architecture field (deb-control(5)): the SBOM must carry it.
    assert.equal(p.arch, d.arch, `${p.name} arch`);
    // dpkg-query prints the binary name/version when the status has no Source field.
    const source = p.source ?? { name: p.name, version: debVersion(p) };
    assert.deepEqual({ name: source.name, version: source.version }, d.source, `${p.name} source package`);
  }
});

test('npm: node_modules packages outside dpkg, none of Debian’s /usr/share/nodejs modules', () => {
  assert.deepEqual(keys(byEcosystem(archiveInventory, 'npm')), keys(truth.npm));
  for (const p of byEcosystem(archiveInventory, 'npm')) {
    assert.ok(!p.paths.some((x) => x.startsWith('usr/share/nodejs/')), `${p.name} comes from dpkg's ${p.paths[0]}`);
  }
});

test('pypi: pip-installed and hand-made dist-infos, not the dpkg-owned python3-* ones', () => {
  const actual = byEcosystem(archiveInventory, 'pypi').map((p) => ({ name: pep503(p.name), version: p.version }));
  assert.deepEqual(keys(actual), keys(truth.pypi.map((p) => ({ name: pep503(p.name), version: p.version }))));
});

test('maven: jars outside dpkg by their pom.properties; Debian’s own jars stay dpkg’s', () => {
  assert.deepEqual(keys(byEcosystem(archiveInventory, 'maven')), keys(truth.maven));
});

test('golang: the binary’s dependencies as `go version -m` prints them', () => {
  const go = truth.go[0];
  assert.ok(go);
  const actual = byEcosystem(archiveInventory, 'golang');
  // The main module (a local build's is "(devel)") and the toolchain (golang/stdlib) are
  // reported beside the dependencies, as the Go analyzer documents; both must be there.
  const deps = actual.filter((p) => p.name !== go.main.name && p.name !== 'stdlib');
  assert.deepEqual(keys(deps), keys(go.deps));
  for (const p of actual) assert.ok(p.paths.includes(go.path), `${p.name} found in ${p.paths.join(',')}`);
  const stdlib = actual.find((p) => p.name === 'stdlib');
  assert.ok(stdlib, 'golang/stdlib (the toolchain) missing from the SBOM');
  assert.equal(stdlib.version.replace(/^v?(go)?/, ''), go.goVersion.replace(/^go/, ''));
  const main = actual.find((p) => p.name === go.main.name);
  assert.ok(main, `main module ${go.main.name} missing from the SBOM`);
  assert.equal(main.version, go.main.version, 'main module version');
});

test('no other ecosystems than the ground truth knows', () => {
  const known = new Set(['deb', 'npm', 'pypi', 'maven', 'golang']);
  const other = archiveInventory.packages.filter((p) => !known.has(p.ecosystem));
  assert.deepEqual(
    other.map((p) => p.purl),
    [],
  );
});

test('whiteouts: what later layers removed is not reported', () => {
  const names = new Set(archiveInventory.packages.map((p) => `${p.ecosystem}/${pep503(p.name)}`));
  // apt-get remove (status "rc") and apt-get purge.
  assert.ok(!names.has('deb/less'), 'less was removed by apt-get remove');
  assert.ok(!names.has('deb/wget'), 'wget was purged');
  // rm -rf: .wh. files.
  assert.ok(!names.has('npm/fflate'), 'fflate was deleted');
  assert.ok(!names.has('pypi/customs-removed'), 'customs-removed dist-info was deleted');
  // rm -rf + mkdir of the same directory: an opaque whiteout.
  assert.ok(!names.has('maven/com-example-customs:hello-old'), 'hello-old.jar was hidden by an opaque dir');
  // …while their neighbours in the same layers stay.
  assert.ok(names.has('deb/curl') && names.has('npm/commander') && names.has('maven/com-example-customs:hello-lib'));
});

test('layer attribution: each package names the layer whose history entry made it', () => {
  const layers = new Map<string, InventoryLayer>(archiveInventory.target.layers.map((l) => [l.diffID, l]));
  for (const p of archiveInventory.packages) assert.ok(layers.has(p.layer), `${p.purl} layer ${p.layer}`);
  const createdBy = (ecosystem: string, name: string): string => {
    const p = archiveInventory.packages.find((x) => x.ecosystem === ecosystem && x.name === name);
    assert.ok(p, `${ecosystem}/${name} missing`);
    return layers.get(p.layer)?.createdBy ?? '';
  };
  assert.match(createdBy('deb', 'curl'), /apt-get .*install/);
  assert.match(createdBy('golang', 'github.com/google/uuid'), /\/usr\/local\/bin\/gohello/);
  assert.match(createdBy('npm', 'commander'), /COPY .* \/app\//);
  assert.match(createdBy('maven', 'com.example.customs:hello-lib'), /make-jar\.py/);
  // Base-layer packages come from the first (imported) layer.
  const base = archiveInventory.target.layers[0]?.diffID;
  assert.equal(archiveInventory.packages.find((p) => p.name === 'dpkg')?.layer, base);
});

test('a warm layer cache gives the same packages', async () => {
  const dir = await freshDir('e2e-warm');
  const cache = join(dir, 'cache');
  const cold = await scan(`docker-archive:${image.archive}`, 'warm-1', cache);
  // The warm run must be served by the cache: -v logs "layer i/n DIFFID: cached" for each layer it reads from it.
  const out = join(dir, 'warm.json');
  const res = await runCustoms(['sbom', `docker-archive:${image.archive}`, '--format', 'json', '-o', out, '-q', '-v'], {
    CUSTOMS_CACHE_DIR: cache,
  });
  assert.equal(res.code, 0, res.stderr);
  const warm = JSON.parse(await readFile(out, 'utf8')) as Inventory;
  const layers = warm.target.layers.length;
  const hits = res.stderr.split('\n').filter((l) => /^debug: layer \d+\/\d+ sha256:[0-9a-f]{64}: cached$/.test(l));
  assert.ok(layers > 1);
  assert.equal(hits.length, layers, `${hits.length} of ${layers} layers came from the cache:\n${res.stderr}`);
  assert.deepEqual(packageKeys(warm), packageKeys(cold));
  assert.deepEqual(packageKeys(warm), packageKeys(archiveInventory));
});

test('docker-daemon: the same packages as the docker-archive', async () => {
  const inv = await scan(`docker-daemon:${image.tag}`, 'daemon');
  assert.deepEqual(packageKeys(inv), packageKeys(archiveInventory));
});

test('OCI layout (skopeo copy), a registry (skopeo push) and a bare path: the same packages', async () => {
  const dir = await freshDir('e2e-oci-layout');
  const layout = join(dir, 'layout');
  const policy = join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  // skopeo recompresses the docker-archive's plain tar layers with gzip: same diffIDs, other blobs.
  await run('skopeo', [
    '--policy',
    policy,
    'copy',
    '--quiet',
    `docker-archive:${image.archive}`,
    `oci:${layout}:latest`,
  ]);
  assert.ok(existsSync(join(layout, 'index.json')));
  assert.deepEqual(packageKeys(await scan(`oci:${layout}`, 'oci')), packageKeys(archiveInventory));

  const registry = await startRegistry();
  try {
    await pushLayout(registry, layout, 'customs-test/real-image:1');
    const inv = await scan(`registry:${registry.host}/customs-test/real-image:1`, 'registry', undefined, [
      '--insecure',
    ]);
    assert.deepEqual(packageKeys(inv), packageKeys(archiveInventory));
  } finally {
    await registry.stop();
  }

  // A bare path to a docker-archive resolves the way a user would guess.
  assert.deepEqual(packageKeys(await scan(image.archive, 'bare')), packageKeys(archiveInventory));
});
