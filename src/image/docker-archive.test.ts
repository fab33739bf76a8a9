import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Context, CustomsError, createContext, type ErrorCode } from '../core/index.js';
import { openImage } from './open-image.js';
import { listTar, makeTar, readAll, writeDockerArchive } from './test-support/image-fixtures.js';
import type { Image } from './types.js';

const work = mkdtempSync(join(tmpdir(), 'customs-archive-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(work, `a${n++}.tar`);
const cacheDir = join(work, 'cache');
const ctx = (): Context => createContext({ config: { cacheDir } });

function isCode(code: ErrorCode, re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof CustomsError)) return false;
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

async function files(img: Image, i = 0): Promise<Map<string, string>> {
  const layer = img.layers[i];
  assert.ok(layer);
  return new Map(listTar(await readAll(await layer.open())).map((e) => [e.name, e.data.toString('utf8')]));
}

const one = (data: string, compression: 'none' | 'gzip' = 'none') => ({
  layers: [
    { files: [{ path: 'etc/os-release', data: `ID=${data}\n` }], compression },
    { files: [{ path: 'app/x', data }], compression },
  ],
});

for (const style of ['legacy', 'oci'] as const) {
  test(`docker-archive (${style} docker save layout): config, diffIDs, layers verified`, async () => {
    const file = fresh();
    const [built] = writeDockerArchive(file, [{ image: one('debian'), tags: ['example:1'] }], { style });
    assert.ok(built);
    const img = await openImage(`docker-archive:${file}`, ctx());
    try {
      assert.equal(img.transport, 'docker-archive');
      assert.equal(img.name, `docker-archive:${file}`);
      assert.deepEqual(img.repoTags, ['example:1']);
      assert.equal(img.configDigest, built.configDigest);
      assert.deepEqual(
        img.layers.map((l) => l.diffID),
        built.layers.map((l) => l.diffID),
      );
      if (style === 'oci') assert.equal(img.manifestDigest, built.manifestDigest);
      assert.equal((await files(img, 0)).get('etc/os-release'), 'ID=debian\n');
      assert.equal((await files(img, 1)).get('app/x'), 'debian');
    } finally {
      await img.close();
    }
  });
}

test('docker-archive: gzip-compressed layers inside the archive are sniffed and decompressed', async () => {
  const file = fresh();
  writeDockerArchive(file, [{ image: one('alpine', 'gzip'), tags: ['x:1'] }]);
  const img = await openImage(file, ctx());
  assert.equal(img.transport, 'docker-archive');
  assert.equal((await files(img, 0)).get('etc/os-release'), 'ID=alpine\n');
  await img.close();
});

test('docker-archive: a gzip-compressed tarball is decompressed once into the cache dir and removed on close', async () => {
  const file = `${fresh()}.gz`;
  writeDockerArchive(file, [{ image: one('ubuntu'), tags: ['u:1'] }], { gzip: true, style: 'oci' });
  const img = await openImage(`docker-archive:${file}`, ctx());
  assert.equal((await files(img, 1)).get('app/x'), 'ubuntu');
  assert.ok(readdirSync(join(cacheDir, 'tmp')).some((d) => d.startsWith('archive-')));
  await img.close();
  await img.close(); // idempotent
  assert.ok(!readdirSync(join(cacheDir, 'tmp')).some((d) => d.startsWith('archive-')));
});

test('docker-archive: multi-image archives pick by NAME:TAG or @N; none named is an error listing them', async () => {
  const file = fresh();
  writeDockerArchive(file, [
    { image: one('first'), tags: ['first:1', 'docker.io/library/first:latest'] },
    { image: one('second'), tags: ['registry.example.com/team/second:2'] },
  ]);
  const byName = await openImage(`docker-archive:${file}:registry.example.com/team/second:2`, ctx());
  assert.equal((await files(byName, 1)).get('app/x'), 'second');
  assert.equal(byName.name, `docker-archive:${file}:registry.example.com/team/second:2`);
  const normalised = await openImage(`docker-archive:${file}:first`, ctx());
  assert.equal((await files(normalised, 1)).get('app/x'), 'first');
  const byIndex = await openImage(`docker-archive:${file}:@1`, ctx());
  assert.equal((await files(byIndex, 1)).get('app/x'), 'second');
  const byIndex2 = await openImage(`docker-archive:${file}@0`, ctx());
  assert.equal((await files(byIndex2, 1)).get('app/x'), 'first');
  await assert.rejects(
    openImage(`docker-archive:${file}`, ctx()),
    isCode('USAGE_BAD_ARGUMENT', /2 images.*first:1.*second:2/),
  );
  await assert.rejects(openImage(`docker-archive:${file}@5`, ctx()), isCode('IMAGE_NOT_FOUND', /@5/));
  await assert.rejects(openImage(`docker-archive:${file}:third:3`, ctx()), isCode('IMAGE_NOT_FOUND', /third:3/));
  for (const img of [byName, normalised, byIndex, byIndex2]) await img.close();
});

test('docker-archive: a truncated archive is an error, not a hang', async () => {
  const file = fresh();
  writeDockerArchive(file, [{ image: one('t'), tags: ['t:1'] }]);
  const size = readFileSync(file).length;
  for (const cut of [size - 2000, Math.floor(size / 2), 700, 300]) {
    const f = fresh();
    writeFileSync(f, readFileSync(file).subarray(0, cut));
    await assert.rejects(
      openImage(`docker-archive:${f}`, ctx()),
      (e: unknown) =>
        e instanceof CustomsError && /IMAGE_FORMAT_INVALID|IMAGE_BLOB_MISSING|IMAGE_MANIFEST_INVALID/.test(e.code),
    );
  }
  const gz = `${fresh()}.gz`;
  writeFileSync(gz, gzipSync(readFileSync(file)));
  truncateSync(gz, Math.floor(readFileSync(gz).length / 2));
  await assert.rejects(openImage(`docker-archive:${gz}`, ctx()), isCode('LAYER_TRUNCATED'));
});

test('docker-archive: a tampered layer fails with IMAGE_DIGEST_MISMATCH naming the layer', async () => {
  const file = fresh();
  writeDockerArchive(file, [{ image: one('tamper'), tags: ['t:1'] }], { style: 'oci' });
  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from('ID=tamper'));
  assert.ok(at > 0);
  bytes[at + 3] = 'X'.charCodeAt(0);
  writeFileSync(file, bytes);
  const img = await openImage(`docker-archive:${file}`, ctx());
  await assert.rejects(
    readAll(await (img.layers[0] as NonNullable<Image['layers'][0]>).open()),
    isCode('IMAGE_DIGEST_MISMATCH', /layer 0 \(blobs\/sha256\//),
  );
});

test('docker-archive: a tampered config is IMAGE_DIGEST_MISMATCH', async () => {
  const file = fresh();
  writeDockerArchive(file, [{ image: one('cfg'), tags: ['c:1'] }]);
  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from('PATH=/usr/bin'));
  bytes[at] = 'Q'.charCodeAt(0);
  writeFileSync(file, bytes);
  await assert.rejects(openImage(`docker-archive:${file}`, ctx()), isCode('IMAGE_DIGEST_MISMATCH', /config/));
});

test('docker-archive: not an image / bad manifest.json are clear errors', async () => {
  const plain = fresh();
  writeFileSync(plain, makeTar([{ path: 'hello.txt', data: 'hi' }]));
  await assert.rejects(openImage(`docker-archive:${plain}`, ctx()), isCode('IMAGE_FORMAT_INVALID', /manifest\.json/));
  await assert.rejects(openImage(plain, ctx()), isCode('IMAGE_FORMAT_INVALID'));
  const bad = fresh();
  writeFileSync(bad, makeTar([{ path: 'manifest.json', data: JSON.stringify([{ Config: 5, Layers: 'x' }]) }]));
  await assert.rejects(
    openImage(`docker-archive:${bad}`, ctx()),
    isCode('IMAGE_MANIFEST_INVALID', /Config.*Layers|Layers.*Config/s),
  );
  const garbage = fresh();
  writeFileSync(garbage, Buffer.alloc(4096, 7));
  await assert.rejects(openImage(`docker-archive:${garbage}`, ctx()), isCode('IMAGE_FORMAT_INVALID'));
  await assert.rejects(openImage(`docker-archive:${join(work, 'missing.tar')}`, ctx()), isCode('IMAGE_NOT_FOUND'));
});
