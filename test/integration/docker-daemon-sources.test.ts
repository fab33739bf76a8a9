/**
 * The docker-daemon source against the real Docker Engine, with every request
 * to its socket counted through a proxy socket:
 * - through the API (the export), a warm scan (every layer's results cached)
 *   asks for no export; an image with one more layer is exported and read;
 * - through the engine's own storage (overlay2, root), nothing is exported even
 *   cold, every layer's bytes are the ones the export would give (their diffID),
 *   and a diff directory changed behind the engine's back fails the scan with a
 *   digest mismatch and caches nothing.
 * Images are generated here and `docker load`ed; their files name this process,
 * so their layers are shared with no other image.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeImage, type LayerCache, type LayerResult } from '../../src/analyze/index.js';
import { createContext, CustomsError, sha256 } from '../../src/core/index.js';
import { type Image, layerFromSource } from '../../src/image/index.js';
import { inspectDaemonImage, openDaemonImage } from '../../src/image/docker-daemon.js';
import { openEngineStorage } from '../../src/image/engine-storage.js';
import { type ArchiveImage, readAll, writeDockerArchive } from '../../src/image/test-support/image-fixtures.js';

const SOCKET = '/var/run/docker.sock';
const work = mkdtempSync(join(tmpdir(), 'customs-daemon-sources-'));
const proxy = join(work, 'proxy.sock');
const requests: string[] = [];
let server: Server;
const tags: string[] = [];
const unique = `${process.pid}-${Date.now()}`;

const ctx = () => createContext({ config: { cacheDir: join(work, 'cache'), dockerHost: `unix://${proxy}` } });

class MemoryCache implements LayerCache {
  readonly map = new Map<string, LayerResult>();
  get(key: string): LayerResult | undefined {
    return this.map.get(key);
  }
  put(key: string, result: LayerResult): void {
    this.map.set(key, result);
  }
}

const apk = (names: readonly string[]): string =>
  names.map((n) => `P:${n}\nV:1.0.${unique.length}-r0\nA:x86_64\n\n`).join('');
const base = [
  { files: [{ path: 'etc/os-release', data: `ID=alpine\nVERSION_ID=3.19.1\nBUILD=${unique}\n` }], compression: 'none' },
  {
    files: [
      { path: 'lib/apk/db/installed', data: apk(['probe-a']) },
      { path: 'opt/', type: 'dir' },
      { path: 'opt/data/', type: 'dir' },
      { path: 'opt/data/blob.bin', data: Buffer.alloc(300_000, unique) },
    ],
    compression: 'none',
  },
] as const;
const extra = {
  files: [{ path: 'lib/apk/db/installed', data: apk(['probe-a', 'probe-b']) }],
  compression: 'none',
} as const;

/** `docker load` a generated image; returns its tag. */
function load(name: string, layers: ArchiveImage['image']['layers']): string {
  const tag = `customs-test/daemon-sources:${name}-${unique}`;
  const file = join(work, `${name}.tar`);
  writeDockerArchive(file, [{ image: { layers }, tags: [tag] }]);
  execFileSync('docker', ['load', '-q', '-i', file], { stdio: 'ignore' });
  tags.push(tag);
  return tag;
}

const exports = (): number => requests.filter((r) => /^GET (\/v[\d.]+)?\/images\/[^ ]+\/get $/.test(r)).length;

before(async () => {
  assert.ok(existsSync(SOCKET), `${SOCKET} does not exist: the Docker daemon is not running (make test starts it)`);
  // Count the requests: every client connection is piped to the engine's socket.
  server = createServer((client) => {
    const engine = createConnection(SOCKET);
    client.on('data', (b: Buffer) => {
      for (const m of b.toString('latin1').matchAll(/^(GET|POST|HEAD|DELETE) (\S+) HTTP\/1\.[01]\r$/gm)) {
        requests.push(`${m[1]} ${m[2]} `);
      }
    });
    client.pipe(engine).pipe(client);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(proxy, resolve));
});

after(async () => {
  for (const tag of tags) {
    try {
      execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

const plan = { groups: ['packages'] } as const;

/** `use` the daemon image `tag`, closed afterwards whatever happens. */
async function withImage<T>(
  tag: string,
  c: ReturnType<typeof ctx>,
  use: (img: Image) => Promise<T>,
  opts?: Parameters<typeof openDaemonImage>[3],
): Promise<T> {
  const img = await openDaemonImage(tag, c, undefined, opts);
  try {
    return await use(img);
  } finally {
    await img.close();
  }
}
const names = (r: Awaited<ReturnType<typeof analyzeImage>>): string[] =>
  r.merged.packages.map((p) => p.fact.name).sort();

test('docker-daemon through the API: a warm scan asks for no export; a new layer is exported and read', async () => {
  const tag = load('api', base);
  const cache = new MemoryCache();
  const scanOnce = async (t: string) => {
    const c = ctx();
    return withImage(t, c, async (img) => ({ img, analysis: await analyzeImage(img, c, { plan, cache }) }), {
      storage: 'api',
    });
  };
  const cold = await scanOnce(tag);
  assert.equal(exports(), 1, `cold scan: ${requests.join('\n')}`);
  assert.equal(cold.analysis.cached, 0);
  assert.deepEqual(names(cold.analysis), ['probe-a']);

  const before = requests.length;
  const warm = await scanOnce(tag);
  assert.equal(exports(), 1, `the warm scan exported the image again: ${requests.slice(before).join('\n')}`);
  assert.ok(requests.length > before, 'the warm scan did not ask the engine anything (the proxy counts nothing)');
  assert.equal(warm.analysis.cached, 2);
  assert.deepEqual(warm.img.config, cold.img.config);
  assert.deepEqual(
    warm.img.layers.map((l) => [l.diffID, l.size]),
    cold.img.layers.map((l) => [l.diffID, l.size]),
  );
  assert.deepEqual(names(warm.analysis), ['probe-a']);

  const changed = load('api-changed', [...base, extra]);
  const next = await scanOnce(changed);
  assert.equal(exports(), 2, 'an image with a new layer must be exported');
  assert.equal(next.analysis.cached, 2);
  assert.deepEqual(names(next.analysis), ['probe-a', 'probe-b']);
  // The new image's config was cached by its ID: now it too is warm.
  await scanOnce(changed);
  assert.equal(exports(), 2);
});

test('docker-daemon from the engine storage: nothing exported, layers are the exported bytes, also on a worker thread', async () => {
  const tag = load('storage', [...base, extra]);
  const c = ctx();
  const before = exports();
  await withImage(tag, c, async (img) => {
    assert.match(img.notes?.join(' ') ?? '', /overlay2 storage/);
    const cache = new MemoryCache();
    const analysis = await analyzeImage(img, c, { plan, cache });
    assert.deepEqual(names(analysis), ['probe-a', 'probe-b']);
    assert.equal(cache.map.size, 3);
    assert.equal(exports(), before, 'the engine storage path exported the image');
    for (const layer of img.layers) {
      const bytes = await readAll(await layer.open());
      assert.equal(sha256(bytes), layer.diffID);
      assert.equal(bytes.length, layer.size);
      // The plain-data description rebuilds the same layer (worker threads get this).
      assert.ok(layer.source?.engine, 'an engine layer carries its storage paths');
      const again = await readAll(await layerFromSource(layer.source, c.config.limits).open());
      assert.equal(sha256(again), layer.diffID);
    }
  });
});

test('docker-daemon from the engine storage: a file changed in a diff directory, or swapped for a symlink out of it, is a digest mismatch and nothing is cached', async () => {
  const tag = load('tamper', base);
  const c = ctx();
  const source = await withImage(tag, c, async (img) => img.layers[1]?.source);
  assert.ok(source?.engine, 'expected the engine storage path');
  const file = join(source.engine.diffDir, 'opt/data/blob.bin');
  const original = readFileSync(file);
  const expectMismatch = async (why: string): Promise<void> => {
    const cache = new MemoryCache();
    await withImage(tag, c, async (again) => {
      await assert.rejects(
        analyzeImage(again, c, { plan, cache }),
        (e: unknown) => e instanceof CustomsError && e.code === 'IMAGE_DIGEST_MISMATCH',
        why,
      );
      // The untouched layer may be cached; the changed one never is.
      assert.ok(![...cache.map.values()].some((r) => r.diffID === source.diffID), `${why}: the layer was cached`);
    });
  };
  try {
    // Same size, one byte different: only the diffID check can tell.
    const changed = Buffer.from(original);
    changed[1000] = (changed[1000] ?? 0) ^ 0xff;
    writeFileSync(file, changed);
    await expectMismatch('a changed byte');
    // A symlink to a host file of the same name in place of the file.
    const decoy = join(work, 'decoy.bin');
    writeFileSync(decoy, original);
    unlinkSync(file);
    symlinkSync(decoy, file);
    await expectMismatch('a symlink out of the diff directory');
  } finally {
    rmSync(file, { force: true });
    writeFileSync(file, original);
  }
  // Restored: the same image reads again.
  await withImage(tag, c, async (ok) => {
    const analysis = await analyzeImage(ok, c, { plan, cache: new MemoryCache() });
    assert.deepEqual(names(analysis), ['probe-a']);
  });
});

test('docker-daemon from the engine storage: a second open takes the layer sizes measured by the first; a wrong one fails the layer, never analysed', async () => {
  const tag = load('sizes', base);
  const c = ctx();
  const { sizes, id } = await withImage(tag, c, async (first) => ({
    sizes: first.layers.map((l) => l.size),
    id: first.configDigest,
  }));
  const file = join(work, 'cache', 'daemon-configs', `${id.replace(/^sha256:/, '')}.sizes.json`);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), sizes, 'the first open measured and kept every layer size');
  try {
    // A size the tar-split does not give: seen only if the second open reads it from the cache.
    writeFileSync(file, JSON.stringify([sizes[0], (sizes[1] ?? 0) + 512]));
    await withImage(tag, c, async (second) => {
      assert.match(second.notes?.join(' ') ?? '', /overlay2 storage/);
      assert.equal(second.layers[1]?.size, (sizes[1] ?? 0) + 512, 'the size came from the cache');
      const cache = new MemoryCache();
      await assert.rejects(
        analyzeImage(second, c, { plan, cache }),
        (e: unknown) => e instanceof CustomsError && e.code === 'LAYER_TRUNCATED',
      );
      assert.ok(![...cache.map.values()].some((r) => r.diffID === second.layers[1]?.diffID), 'the layer was cached');
    });
  } finally {
    rmSync(file, { force: true });
  }
  // Without the cached sizes they are measured again.
  await withImage(tag, c, async (third) => {
    assert.deepEqual(
      third.layers.map((l) => l.size),
      sizes,
    );
  });
});

test('docker-daemon: an engine whose storage is not here is read through the API, and says so', async () => {
  const tag = load('elsewhere', base);
  const c = ctx();
  const info = await inspectDaemonImage(tag, c);
  const upper = info.graphDriver?.upperDir ?? '';
  // The storage of another host (a VM, another mount namespace): its paths do not exist here.
  const moved = {
    ...info,
    graphDriver: { name: 'overlay2', upperDir: upper.replace('/var/lib/docker/', `${work}/elsewhere/`) },
  };
  const away = await openEngineStorage(moved, tag, c);
  assert.ok('reason' in away && /cannot read the image config/.test(away.reason), JSON.stringify(away));
  // Another engine's storage at the same path: the config there is not this image.
  const other = await openEngineStorage({ ...info, id: sha256('another image') }, tag, c);
  assert.ok('reason' in other && /cannot read the image config|is not image/.test(other.reason), JSON.stringify(other));
  const none = await openEngineStorage({ ...info, graphDriver: { name: 'overlay2' } }, tag, c);
  assert.ok('reason' in none && /did not say/.test(none.reason));
  // Without the storage, and with no cached config (a fresh cache directory): the export is read.
  const before = exports();
  const fresh = createContext({ config: { cacheDir: join(work, 'fresh-cache'), dockerHost: `unix://${proxy}` } });
  await withImage(
    tag,
    fresh,
    async (img) => {
      assert.match(img.notes?.join(' ') ?? '', /exported from the Docker Engine API/);
      assert.equal(exports(), before + 1);
    },
    { storage: 'api' },
  );
});
