/**
 * An OCI layout directory is read through its own regular files only: a
 * symbolic link at index.json, oci-layout, blobs/ or a blob — generated here
 * pointing outside the layout — is refused with an error naming it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Context, CustomsError, createContext } from '../core/index.js';
import { blobPath, dirFiles } from './layout-files.js';
import { openImage } from './open-image.js';
import { listTar, readAll, writeOciLayout } from './test-support/image-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'customs-layout-files-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const ctx = (): Context => createContext({ config: { cacheDir: join(work, 'cache') } });
let n = 0;

/** A layout, and a copy of it outside, as the target of links. */
function layoutWithOutside(): { dir: string; outside: string; layer: string } {
  const dir = join(work, `layout-${n}`);
  const outside = join(work, `outside-${n++}`);
  const built = writeOciLayout(dir, [
    { image: { layers: [{ files: [{ path: 'etc/os-release', data: 'ID=linked\n' }], compression: 'gzip' }] } },
  ]);
  cpSync(dir, outside, { recursive: true });
  const layer = built.images[0]?.layers[0]?.digest;
  assert.ok(layer);
  return { dir, outside, layer };
}

function refusedNaming(path: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof CustomsError, String(e));
    assert.equal(e.code, 'IMAGE_FORMAT_INVALID', e.message);
    assert.match(e.message, path);
    assert.match(e.message, /symbolic link/);
    return true;
  };
}

test('the generated layout opens as is (guards the fixture)', async () => {
  const { dir } = layoutWithOutside();
  const img = await openImage(`oci:${dir}`, ctx());
  const layer = img.layers[0];
  assert.ok(layer);
  assert.equal(listTar(await readAll(await layer.open()))[0]?.data.toString(), 'ID=linked\n');
  await img.close();
});

for (const name of ['index.json', 'oci-layout']) {
  test(`${name} as a symlink to a file outside the layout is refused, naming it`, async () => {
    const { dir, outside } = layoutWithOutside();
    rmSync(join(dir, name));
    symlinkSync(join(outside, name), join(dir, name));
    await assert.rejects(
      openImage(`oci:${dir}`, ctx()),
      refusedNaming(new RegExp(`${name.replace('.', '\\.')} in the layout`)),
    );
  });
}

test('blobs/ (or blobs/sha256/) as a symlink to a directory outside is refused', async () => {
  const a = layoutWithOutside();
  rmSync(join(a.dir, 'blobs'), { recursive: true });
  symlinkSync(join(a.outside, 'blobs'), join(a.dir, 'blobs'));
  await assert.rejects(openImage(`oci:${a.dir}`, ctx()), refusedNaming(/blobs in the layout/));
  const b = layoutWithOutside();
  rmSync(join(b.dir, 'blobs', 'sha256'), { recursive: true });
  symlinkSync(join(b.outside, 'blobs', 'sha256'), join(b.dir, 'blobs', 'sha256'));
  await assert.rejects(openImage(`oci:${b.dir}`, ctx()), refusedNaming(/blobs\/sha256 in the layout/));
});

test('a layer blob that is a symlink is refused, for the main thread and for layer workers (locate)', async () => {
  const { dir, outside, layer } = layoutWithOutside();
  const blob = join(dir, blobPath(layer as `sha256:${string}`));
  rmSync(blob);
  symlinkSync(join(outside, blobPath(layer as `sha256:${string}`)), blob);
  const files = dirFiles(dir);
  const rel = blobPath(layer as `sha256:${string}`);
  await assert.rejects(files.open(rel, 'the layer'), refusedNaming(/blobs\/sha256\/[a-f0-9]{64} in the layout/));
  assert.throws(() => files.locate(rel, 1), refusedNaming(/blobs\/sha256\/[a-f0-9]{64} in the layout/));
  await assert.rejects(files.has(rel), refusedNaming(/blobs\/sha256/));
  await assert.rejects(openImage(`oci:${dir}`, ctx()), refusedNaming(/blobs\/sha256\/[a-f0-9]{64}/));
});

test('missing files stay IMAGE_BLOB_MISSING, directories are not files, regular files read', async () => {
  const { dir } = layoutWithOutside();
  const files = dirFiles(dir);
  await assert.rejects(
    files.open('blobs/sha256/nothing', 'x'),
    (e: unknown) => (e as CustomsError).code === 'IMAGE_BLOB_MISSING',
  );
  assert.ok((await files.read('oci-layout', 1024, 'oci-layout')).toString().includes('imageLayoutVersion'));
  mkdirSync(join(dir, 'blobs', 'sha256', 'dir'));
  assert.equal(await files.has('blobs/sha256/dir'), false);
  assert.equal(await files.has('no-such-file'), false);
  assert.equal(files.locate('blobs/sha256/nothing', 1), undefined);
});
