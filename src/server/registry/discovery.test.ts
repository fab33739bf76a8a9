import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../core/index.js';
import { nextLink, registryLister } from '../../image/index.js';
import { startRegistry, type TestRegistry } from '../../image/test-support/test-registry.js';
import { openStore, type Registry, type Store } from '../../store/index.js';
import { buildTestDb, lodashImage, pushImage, serverContext } from '../worker/test-support/fixtures.js';
import { discoverRegistry, listedRepositories, repositoryGlob, selects } from './discovery.js';

let root: string;
let store: Store;
let reg: TestRegistry;
let dbFile: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'customs-discovery-'));
  reg = await startRegistry();
  store = await openStore(join(root, 'store'));
  dbFile = await buildTestDb(join(root, 'db'));
});

after(async () => {
  await store?.close();
  await reg?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('repository globs: * within a segment, ** across; a plain list needs no catalog', () => {
  assert.equal(repositoryGlob('team/*').test('team/app'), true);
  assert.equal(repositoryGlob('team/*').test('team/a/b'), false);
  assert.equal(repositoryGlob('team/**').test('team/a/b'), true);
  assert.equal(repositoryGlob('**').test('x/y/z'), true);
  assert.equal(repositoryGlob('a.b').test('aXb'), false);
  assert.equal(selects({ include: ['**'], exclude: ['tmp/**'] }, 'tmp/x'), false);
  assert.deepEqual(listedRepositories({ include: ['a', 'b/c'], exclude: [] }), ['a', 'b/c']);
  assert.equal(listedRepositories({ include: ['a', 'b/*'], exclude: [] }), undefined);
});

test('Link headers: rel="next" among other relations and parameters', () => {
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"'), '/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('<https://x/a>; rel="prev", </v2/t?n=1&last=a>; type="x"; rel="next"'), '/v2/t?n=1&last=a');
  assert.equal(nextLink('</v2/x>; rel="nextish"'), undefined);
  assert.equal(nextLink(undefined), undefined);
});

const ctx = () => serverContext(store, root, dbFile);
const discover = (r: Registry, pageSize?: number) =>
  discoverRegistry(ctx(), r, {
    signal: new AbortController().signal,
    dbVersion: 'v1',
    ...(pageSize ? { pageSize } : {}),
  });

test('discovery on docker-registry: catalog pages of one, globs, an index resolved to linux/amd64, only new digests queued, a moved tag in the history', async () => {
  const a1 = await pushImage(reg, 'team/a:1', [lodashImage('4.17.1')]);
  await pushImage(reg, 'team/a:2', [lodashImage('4.17.1')]); // same digest as team/a:1
  const multi = await pushImage(reg, 'team/multi:1', [
    lodashImage('4.17.2'),
    lodashImage('4.17.3', { architecture: 'arm64', variant: 'v8' }),
  ]);
  await pushImage(reg, 'other/skip:1', [lodashImage('4.17.4')]);
  const r = await store.registries.add({
    name: 'disc',
    url: `http://${reg.host}`,
    selection: { include: ['team/*'], exclude: [] },
  });
  const first = await discover(r, 1);
  assert.deepEqual(first.errors, []);
  assert.equal(first.repositories, 2);
  assert.equal(first.tags, 3);
  // team/a:1 and :2 share a digest; the index contributes its amd64 image only.
  assert.equal(first.queued, 2);
  const queued = (await store.jobs.list()).map((j) => (j.payload as { digest: string }).digest).sort();
  assert.deepEqual(queued, [a1.digests[0], multi.digests[0]].sort());
  const repos = await store.images.repositories(r.id);
  assert.deepEqual(
    repos.map((x) => x.name),
    ['team/a', 'team/multi'],
  );
  const multiRepo = repos.find((x) => x.name === 'team/multi');
  assert.equal((await store.images.tags(multiRepo?.id ?? 0))[0]?.digest, multi.indexDigest);

  // The run is the registry's status: what the Registries page shows.
  const status = (await store.registryStatus.get(r.id))?.discovery;
  assert.deepEqual(
    [status?.repositories, status?.tags, status?.queued, status?.errors, status?.error],
    [2, 3, 2, [], undefined],
  );
  // Nothing new: nothing queued (the jobs exist already).
  assert.equal((await discover(r)).queued, 0);
  // The tag moves: recorded in the history, the new digest queued.
  const moved = await pushImage(reg, 'team/a:2', [lodashImage('4.17.5')]);
  const again = await discover(r);
  assert.equal(again.movedTags, 1);
  assert.equal(again.queued, 1);
  const aRepo = repos.find((x) => x.name === 'team/a');
  const history = await store.images.tagHistory(aRepo?.id ?? 0, '2');
  assert.deepEqual(
    history.map((h) => [h.previousDigest, h.digest]),
    [
      [undefined, a1.digests[0]],
      [a1.digests[0], moved.digests[0]],
    ],
  );
});

test('a listed selection reads no catalog; the platforms setting picks other index entries', async () => {
  const multi = await pushImage(reg, 'list/multi:1', [
    lodashImage('4.17.6'),
    lodashImage('4.17.7', { architecture: 'arm64', variant: 'v8' }),
  ]);
  const r = await store.registries.add({
    name: 'listed',
    url: `http://${reg.host}`,
    selection: { include: ['list/multi'], exclude: [], platforms: ['linux/arm64/v8', 'linux/amd64'] },
  });
  const s = await discover(r);
  assert.equal(s.repositories, 1);
  assert.equal(s.digests, 2);
  assert.equal(s.queued, 2);
  assert.ok(multi.digests.every((d) => d !== undefined));
});

/** A registry stub paging tags by one, whose second page's Link points elsewhere. */
async function stub(badLink: boolean): Promise<{ server: Server; host: string; requests: string[] }> {
  const requests: string[] = [];
  const tags = ['a', 'b', 'c'];
  const manifest = JSON.stringify({ schemaVersion: 2 });
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/v2/') return res.end('{}');
    if (url.pathname === '/v2/r/tags/list') {
      const last = url.searchParams.get('last');
      const i = last === null ? 0 : tags.indexOf(last) + 1;
      const page = tags.slice(i, i + Number(url.searchParams.get('n') ?? 100));
      const lastTag = page.at(-1);
      const more = lastTag !== undefined && tags.indexOf(lastTag) < tags.length - 1;
      if (more) {
        const next =
          badLink && i > 0
            ? `http://169.254.169.254/v2/r/tags/list?n=1&last=${lastTag}`
            : `/v2/r/tags/list?n=1&last=${lastTag}`;
        res.setHeader('link', `<${next}>; rel="next"`);
      }
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ name: 'r', tags: page }));
    }
    if (url.pathname.startsWith('/v2/r/manifests/')) {
      res.setHeader('content-type', 'application/vnd.oci.image.manifest.v1+json');
      res.setHeader('docker-content-digest', digest);
      return res.end(req.method === 'HEAD' ? undefined : manifest);
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, host: `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, requests };
}

test('tags/list is followed page by page with n= and Link; a Link off the registry is refused', async () => {
  const good = await stub(false);
  const lister = registryLister(good.host, createContext());
  try {
    const seen: string[] = [];
    for await (const t of lister.tags('r', { pageSize: 1 })) seen.push(t);
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.deepEqual(
      good.requests.filter((r) => r.includes('tags/list')),
      ['GET /v2/r/tags/list?n=1', 'GET /v2/r/tags/list?n=1&last=a', 'GET /v2/r/tags/list?n=1&last=b'],
    );
    const head = await lister.head('r', 'a');
    assert.match(head.digest, /^sha256:/);
    assert.ok(good.requests.includes('HEAD /v2/r/manifests/a'));
  } finally {
    await lister.close();
    good.server.close();
  }
  const bad = await stub(true);
  const badLister = registryLister(bad.host, createContext());
  try {
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const t of badLister.tags('r', { pageSize: 1 })) seen.push(t);
      })(),
      { code: 'REGISTRY_TARGET_REFUSED', message: /outside its own \/v2\/ API/ },
    );
    assert.deepEqual(seen, ['a', 'b']);
  } finally {
    await badLister.close();
    bad.server.close();
  }
});

test('a discovery run that fails as a whole is recorded with its error, and still rejects', async () => {
  // A port nothing listens on: the catalog cannot be read at all.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const addr = closed.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const r = await store.registries.add({ name: 'gone', url: `http://127.0.0.1:${port.toString()}` });
  await assert.rejects(discover(r));
  const status = (await store.registryStatus.get(r.id))?.discovery;
  assert.ok(status?.error && status.error.length > 0, JSON.stringify(status));
  assert.equal(status.tags, 0);
});
