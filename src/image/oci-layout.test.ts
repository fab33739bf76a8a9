import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Context, CustomsError, createContext, type ErrorCode, sha256 } from '../core/index.js';
import { openImage } from './open-image.js';
import { blobFile, listTar, readAll, tarDirectory, writeOciLayout } from './test-support/image-fixtures.js';
import type { Image } from './types.js';

const work = mkdtempSync(join(tmpdir(), 'customs-oci-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(work, `l${n++}`);
const ctx = (config: Parameters<typeof createContext>[0] = {}): Context =>
  createContext({ ...config, config: { cacheDir: join(work, 'cache'), ...config.config } });

function isCode(code: ErrorCode, re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof CustomsError)) return false;
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

async function layerFiles(img: Image, i: number): Promise<Map<string, string>> {
  const layer = img.layers[i];
  assert.ok(layer);
  const entries = listTar(await readAll(await layer.open()));
  return new Map(entries.map((e) => [e.name, e.data.toString('utf8')]));
}

const osRelease = { path: 'etc/os-release', data: 'ID=debian\nVERSION_ID="12"\n' };

for (const [label, compression, mediaType] of [
  ['tar', 'none', undefined],
  ['tar+gzip', 'gzip', undefined],
  ['tar+zstd', 'zstd', undefined],
  ['docker rootfs.diff.tar.gzip', 'gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip'],
  ['docker rootfs.diff.tar.zstd', 'zstd', 'application/vnd.docker.image.rootfs.diff.tar.zstd'],
  ['oci nondistributable gzip', 'gzip', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'],
] as const) {
  test(`oci layout: layer media type ${label} streams the uncompressed tar, verified`, async () => {
    const dir = fresh();
    const built = writeOciLayout(dir, [
      {
        image: {
          layers: [
            { files: [osRelease], compression, ...(mediaType ? { mediaType } : {}) },
            { files: [{ path: 'usr/bin/app', data: 'x'.repeat(3000) }], compression },
          ],
        },
      },
    ]);
    const img = await openImage(`oci:${dir}`, ctx());
    try {
      assert.equal(img.transport, 'oci');
      assert.equal(img.name, `oci:${dir}`);
      assert.equal(img.layers.length, 2);
      const b = built.images[0];
      assert.ok(b);
      assert.equal(img.manifestDigest, b.manifestDigest);
      assert.equal(img.configDigest, b.configDigest);
      assert.equal(img.layers[0]?.diffID, b.layers[0]?.diffID);
      assert.equal(img.layers[0]?.digest, b.layers[0]?.digest);
      const tar = await readAll(await (img.layers[0] as NonNullable<Image['layers'][0]>).open());
      assert.equal(sha256(tar), b.layers[0]?.diffID);
      assert.equal((await layerFiles(img, 0)).get('etc/os-release'), osRelease.data);
      assert.equal((await layerFiles(img, 1)).get('usr/bin/app')?.length, 3000);
    } finally {
      await img.close();
    }
  });
}

test('oci layout: a tampered layer blob fails with IMAGE_DIGEST_MISMATCH naming the blob', async () => {
  const dir = fresh();
  const built = writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease], compression: 'none' }] } }]);
  const layer = built.images[0]?.layers[0];
  assert.ok(layer);
  const file = blobFile(dir, layer.digest);
  const bytes = readFileSync(file);
  bytes[600] = (bytes[600] ?? 0) ^ 0xff; // inside the file data, same length
  writeFileSync(file, bytes);
  const img = await openImage(`oci:${dir}`, ctx());
  const l0 = img.layers[0];
  assert.ok(l0);
  await assert.rejects(
    readAll(await l0.open()),
    isCode('IMAGE_DIGEST_MISMATCH', new RegExp(layer.digest.slice(7, 20))),
  );
  await img.close();
});

test('oci layout: a corrupted gzip layer reports the digest mismatch, not only corruption', async () => {
  const dir = fresh();
  const built = writeOciLayout(dir, [
    { image: { layers: [{ files: [{ path: 'a', data: 'hello '.repeat(5000) }], compression: 'gzip' }] } },
  ]);
  const layer = built.images[0]?.layers[0];
  assert.ok(layer);
  const file = blobFile(dir, layer.digest);
  const bytes = readFileSync(file);
  for (let i = 20; i < 40; i++) bytes[i] = 0xff;
  writeFileSync(file, bytes);
  const img = await openImage(`oci:${dir}`, ctx());
  await assert.rejects(
    readAll(await (img.layers[0] as NonNullable<Image['layers'][0]>).open()),
    isCode('IMAGE_DIGEST_MISMATCH', /blob/),
  );
});

test('oci layout: a layer whose diffID differs from the config fails with IMAGE_DIGEST_MISMATCH', async () => {
  const dir = fresh();
  const built = writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease], compression: 'gzip' }] } }]);
  const b = built.images[0];
  assert.ok(b);
  // Rewrite config, manifest and index so every digest but the diffID is right.
  const config = JSON.parse(b.config.toString()) as { rootfs: { diff_ids: string[] } };
  config.rootfs.diff_ids = [`sha256:${'1'.repeat(64)}`];
  const cbytes = Buffer.from(JSON.stringify(config));
  writeFileSync(blobFile(dir, sha256(cbytes)), cbytes);
  const manifest = JSON.parse(b.manifest.toString()) as { config: { digest: string; size: number } };
  manifest.config = { ...manifest.config, digest: sha256(cbytes), size: cbytes.length };
  const mbytes = Buffer.from(JSON.stringify(manifest));
  writeFileSync(blobFile(dir, sha256(mbytes)), mbytes);
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: b.manifestMediaType, digest: sha256(mbytes), size: mbytes.length }],
    }),
  );
  const img = await openImage(`oci:${dir}`, ctx());
  await assert.rejects(
    readAll(await (img.layers[0] as NonNullable<Image['layers'][0]>).open()),
    isCode('IMAGE_DIGEST_MISMATCH', /diffID/),
  );
});

test('oci layout: a tampered config fails before use', async () => {
  const dir = fresh();
  const built = writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease] }] } }]);
  const b = built.images[0];
  assert.ok(b);
  writeFileSync(blobFile(dir, b.configDigest), Buffer.from(b.config.toString().replace('amd64', 'arm64')));
  await assert.rejects(openImage(`oci:${dir}`, ctx()), isCode('IMAGE_DIGEST_MISMATCH', /config/));
});

test('oci layout: a tampered manifest fails before use', async () => {
  const dir = fresh();
  const built = writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease] }] } }]);
  const b = built.images[0];
  assert.ok(b);
  writeFileSync(blobFile(dir, b.manifestDigest), Buffer.concat([b.manifest, Buffer.from(' ')]));
  await assert.rejects(openImage(`oci:${dir}`, ctx()), isCode('IMAGE_DIGEST_MISMATCH', /manifest/));
});

test('oci layout: a missing layer blob is IMAGE_BLOB_MISSING', async () => {
  const dir = fresh();
  const built = writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease] }] } }]);
  const layer = built.images[0]?.layers[0];
  assert.ok(layer);
  unlinkSync(blobFile(dir, layer.digest));
  const img = await openImage(`oci:${dir}`, ctx());
  await assert.rejects(
    (img.layers[0] as NonNullable<Image['layers'][0]>).open(),
    isCode('IMAGE_BLOB_MISSING', new RegExp(layer.digest.slice(7, 20))),
  );
});

test('oci layout: invalid manifest fields are all listed', async () => {
  const dir = fresh();
  writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease] }] } }]);
  const bad = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:nothex', size: -1 },
      layers: 'x',
    }),
  );
  writeFileSync(blobFile(dir, sha256(bad)), bad);
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(bad), size: bad.length }],
    }),
  );
  await assert.rejects(
    openImage(`oci:${dir}`, ctx()),
    isCode('IMAGE_MANIFEST_INVALID', /\/config\/digest.*\/config\/size|\/config\/size.*\/config\/digest/s),
  );
});

const platforms = [
  { image: { architecture: 'amd64', layers: [{ files: [{ path: 'arch', data: 'amd64' }] }] } },
  { image: { architecture: 'arm64', variant: 'v8', layers: [{ files: [{ path: 'arch', data: 'arm64' }] }] } },
  { image: { architecture: 'arm', variant: 'v7', layers: [{ files: [{ path: 'arch', data: 'armv7' }] }] } },
];

test('oci layout: multi-platform index picks the host platform by default and --platform when given', async () => {
  for (const nested of [true, false]) {
    const dir = fresh();
    writeOciLayout(dir, platforms, { nested, withPlatform: true, attestation: true });
    const host = await openImage(`oci:${dir}`, ctx({ config: { platform: 'linux/amd64' } }));
    assert.equal(host.config.architecture, 'amd64');
    assert.equal((await layerFiles(host, 0)).get('arch'), 'amd64');
    const arm64 = await openImage(`oci:${dir}`, ctx({ config: { platform: 'linux/arm64' } }));
    assert.equal((await layerFiles(arm64, 0)).get('arch'), 'arm64');
    const armv7 = await openImage(`oci:${dir}`, ctx({ config: { platform: 'linux/arm/v7' } }));
    assert.equal((await layerFiles(armv7, 0)).get('arch'), 'armv7');
    await assert.rejects(
      openImage(`oci:${dir}`, ctx({ config: { platform: 'linux/s390x' } })),
      isCode('IMAGE_PLATFORM_NOT_FOUND', /linux\/s390x.*linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7$/),
    );
  }
});

test('oci layout: oci:PATH:REF picks by org.opencontainers.image.ref.name; several images without REF is an error listing them', async () => {
  const dir = fresh();
  writeOciLayout(dir, [
    { refName: 'one', image: { layers: [{ files: [{ path: 'which', data: '1' }] }] } },
    { refName: 'two', image: { layers: [{ files: [{ path: 'which', data: '2' }] }] } },
  ]);
  const two = await openImage(`oci:${dir}:two`, ctx());
  assert.equal(two.name, `oci:${dir}:two`);
  assert.deepEqual(two.repoTags, ['two']);
  assert.equal((await layerFiles(two, 0)).get('which'), '2');
  await assert.rejects(openImage(`oci:${dir}`, ctx()), isCode('USAGE_BAD_ARGUMENT', /one, two/));
  await assert.rejects(openImage(`oci:${dir}:three`, ctx()), isCode('IMAGE_NOT_FOUND', /three.*one, two/));
});

test('oci-archive: the same layout as a tar, and a bare path sniffs both forms', async () => {
  const dir = fresh();
  writeOciLayout(dir, [{ refName: 'v1', image: { layers: [{ files: [osRelease], compression: 'zstd' }] } }]);
  const file = `${fresh()}.tar`;
  tarDirectory(dir, file);
  const img = await openImage(`oci-archive:${file}`, ctx());
  assert.equal(img.transport, 'oci-archive');
  assert.equal((await layerFiles(img, 0)).get('etc/os-release'), osRelease.data);
  await img.close();
  const bare = await openImage(file, ctx());
  assert.equal(bare.transport, 'oci-archive');
  const bareDir = await openImage(dir, ctx());
  assert.equal(bareDir.transport, 'oci');
});

test('oci layout: a directory without oci-layout is refused with a clear message', async () => {
  const dir = fresh();
  writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease] }] } }]);
  unlinkSync(join(dir, 'oci-layout'));
  await assert.rejects(openImage(`oci:${dir}`, ctx()), isCode('IMAGE_FORMAT_INVALID', /oci-layout/));
});

test('oci layout: a non-image artifact (config media type) is refused', async () => {
  const dir = fresh();
  writeOciLayout(dir, [{ image: { layers: [{ files: [osRelease] }] } }]);
  const cfg = Buffer.from('{}');
  writeFileSync(blobFile(dir, sha256(cfg)), cfg);
  const m = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: sha256(cfg), size: 2 },
      layers: [],
    }),
  );
  writeFileSync(blobFile(dir, sha256(m)), m);
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(m), size: m.length }],
    }),
  );
  await assert.rejects(openImage(`oci:${dir}`, ctx()), isCode('IMAGE_MEDIA_TYPE_UNSUPPORTED', /helm/));
});

test('oci layout: layer bigger than the size limit is LAYER_TOO_LARGE', async () => {
  const dir = fresh();
  writeOciLayout(dir, [
    { image: { layers: [{ files: [{ path: 'zeros', data: Buffer.alloc(200_000) }], compression: 'gzip' }] } },
  ]);
  const limits = { ...createContext().config.limits, maxLayerSize: 100_000 };
  const img = await openImage(`oci:${dir}`, ctx({ config: { limits } }));
  await assert.rejects(
    readAll(await (img.layers[0] as NonNullable<Image['layers'][0]>).open()),
    isCode('LAYER_TOO_LARGE'),
  );
});

test('oci layout: media type says gzip but the blob is zstd → LAYER_CORRUPT naming both', async () => {
  const dir = fresh();
  writeOciLayout(dir, [
    {
      image: {
        layers: [{ files: [osRelease], compression: 'zstd', mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
      },
    },
  ]);
  const img = await openImage(`oci:${dir}`, ctx());
  await assert.rejects(
    readAll(await (img.layers[0] as NonNullable<Image['layers'][0]>).open()),
    isCode('LAYER_CORRUPT', /gzip.*zstd/),
  );
});
