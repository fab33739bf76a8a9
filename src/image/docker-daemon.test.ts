/**
 * Against the real Docker Engine (its API socket; the docker CLI only builds
 * the fixture with `docker import`). `make test` starts dockerd; without it
 * these tests fail, they do not skip.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, CustomsError } from '../core/index.js';
import { openImage } from './open-image.js';
import { listTar, makeTar, readAll } from './test-support/image-fixtures.js';

const SOCKET = '/var/run/docker.sock';
const work = mkdtempSync(join(tmpdir(), 'customs-daemon-test-'));
const tag = `customs-test/daemon:t${process.pid}`;
let id = '';
const ctx = (dockerHost = `unix://${SOCKET}`) =>
  createContext({ config: { cacheDir: join(work, 'cache'), dockerHost } });

before(() => {
  assert.ok(
    existsSync(SOCKET),
    `${SOCKET} does not exist: the Docker daemon is not running. Run \`make test\` (it starts dockerd) or start \`dockerd --iptables=false --bridge=none\``,
  );
  const rootfs = join(work, 'rootfs.tar');
  writeFileSync(
    rootfs,
    makeTar([
      { path: 'etc/', type: 'dir' },
      { path: 'etc/os-release', data: 'ID=alpine\nVERSION_ID=3.19.1\n' },
    ]),
  );
  id = execFileSync('docker', ['import', rootfs, tag], { encoding: 'utf8' }).trim();
});
after(() => {
  try {
    execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  rmSync(work, { recursive: true, force: true });
});

test('docker-daemon: reads an image by name through the socket, as a verified docker-archive', async () => {
  const img = await openImage(`docker-daemon:${tag}`, ctx());
  try {
    assert.equal(img.transport, 'docker-daemon');
    assert.equal(img.name, `docker-daemon:${tag}`);
    assert.ok(img.repoTags.includes(tag), img.repoTags.join(','));
    assert.equal(img.configDigest, id);
    assert.equal(img.layers.length, 1);
    const entries = listTar(await readAll(await (img.layers[0] as NonNullable<(typeof img.layers)[0]>).open()));
    assert.equal(entries.find((e) => e.name === 'etc/os-release')?.data.toString(), 'ID=alpine\nVERSION_ID=3.19.1\n');
  } finally {
    await img.close();
  }
});

test('docker-daemon: by image ID, and a bare name prefers the local daemon', async () => {
  const byId = await openImage(`docker-daemon:${id}`, ctx());
  assert.equal(byId.configDigest, id);
  await byId.close();
  const bare = await openImage(tag, ctx());
  assert.equal(bare.transport, 'docker-daemon');
  assert.equal(bare.name, `docker.io/${tag}`);
  await bare.close();
});

test('docker-daemon: unknown image is IMAGE_NOT_FOUND; no daemon is DAEMON_UNREACHABLE', async () => {
  await assert.rejects(
    openImage('docker-daemon:customs-test/none:nope', ctx()),
    (e: unknown) => e instanceof CustomsError && e.code === 'IMAGE_NOT_FOUND',
  );
  await assert.rejects(
    openImage(`docker-daemon:${tag}`, ctx(`unix://${join(work, 'missing.sock')}`)),
    (e: unknown) => e instanceof CustomsError && e.code === 'DAEMON_UNREACHABLE' && e.message.includes('missing.sock'),
  );
});
