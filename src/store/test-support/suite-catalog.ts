import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import { parseSecretKey } from '../secret-box.js';
import type { Harness } from './harness.js';
import { digestOf } from './scan-docs.js';

const code = (c: string) => (e: unknown) => e instanceof CustomsError && e.code === c;

export function catalogSuite(h: Harness): void {
  test('registries: added with defaults, listed, found by name, renamed name refused as a duplicate', async () => {
    const { store } = await h.open();
    const a = await store.registries.add({ name: 'ghcr', url: 'https://ghcr.io' });
    assert.deepEqual(a.tls, { insecure: false, skipVerify: false });
    assert.deepEqual(a.selection, { include: ['**'], exclude: [] });
    assert.equal(a.hasCredentials, false);
    const b = await store.registries.add({
      name: 'local',
      url: 'http://127.0.0.1:5000',
      tls: {
        insecure: true,
        skipVerify: false,
        caCertPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
      },
      selection: { include: ['team/*'], exclude: ['team/tmp-*'] },
    });
    assert.deepEqual(await store.registries.get(b.id), b);
    assert.deepEqual(await store.registries.byName('local'), b);
    assert.deepEqual(
      (await store.registries.list()).map((r) => r.name),
      ['ghcr', 'local'],
    );
    await assert.rejects(store.registries.add({ name: 'ghcr', url: 'https://other' }), code('STORE_CONFLICT'));
    const updated = await store.registries.update(b.id, { selection: { include: ['**'], exclude: [] } });
    assert.deepEqual(updated?.selection, { include: ['**'], exclude: [] });
    assert.equal(updated?.url, 'http://127.0.0.1:5000');
    assert.equal(await store.registries.update(9999, { url: 'x' }), undefined);
  });

  test('registry credentials are stored sealed and open only with the store key and their own row', async () => {
    const key = parseSecretKey(randomBytes(32));
    const { store, backend, target } = await h.open({ secretKey: key });
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const a = await store.registries.add({ name: 'a', url: 'https://a', credentials: { username: 'robot', password } });
    const b = await store.registries.add({
      name: 'b',
      url: 'https://b',
      credentials: { username: 'other', password: 'x' },
    });
    assert.equal(a.hasCredentials, true);
    assert.deepEqual(await store.registries.credentials(a.id), { username: 'robot', password });

    const raw = await backend.db.selectFrom('registries').select(['id', 'credentials']).orderBy('id').execute();
    const blobA = raw[0]?.credentials;
    assert.ok(blobA && !blobA.includes(Buffer.from(password)) && !blobA.includes(Buffer.from('robot')));

    // A blob moved onto another row does not open there.
    await backend.db.updateTable('registries').set({ credentials: blobA }).where('id', '=', b.id).execute();
    await assert.rejects(store.registries.credentials(b.id), code('STORE_SECRET_INVALID'));

    // Another key, or no key, cannot open or store them.
    const other = await h.open({ target, secretKey: parseSecretKey(randomBytes(32)) });
    await assert.rejects(other.store.registries.credentials(a.id), code('STORE_SECRET_INVALID'));
    const keyless = await h.open({ target });
    await assert.rejects(keyless.store.registries.credentials(a.id), code('STORE_SECRET_INVALID'));
    await assert.rejects(
      keyless.store.registries.add({ name: 'c', url: 'https://c', credentials: { username: 'u', password: 'p' } }),
      code('STORE_SECRET_INVALID'),
    );
    assert.equal(await keyless.store.registries.byName('c'), undefined);

    const cleared = await store.registries.update(a.id, { credentials: null });
    assert.equal(cleared?.hasCredentials, false);
    assert.equal(await store.registries.credentials(a.id), undefined);
  });

  test('tags: created, unchanged, moved; every move is in the history and is a tag.moved event', async () => {
    const { store } = await h.open();
    const reg = await store.registries.add({ name: 'hub', url: 'https://hub' });
    const repo = await store.images.ensureRepository(reg.id, 'library/app');
    assert.deepEqual(await store.images.ensureRepository(reg.id, 'library/app'), repo);
    const [d1, d2, d3] = ['v1', 'v2', 'v3'].map(digestOf) as [string, string, string];
    assert.deepEqual(await store.images.setTag(repo.id, 'latest', d1), { created: true, moved: false });
    assert.deepEqual(await store.images.setTag(repo.id, 'latest', d1), { created: false, moved: false });
    assert.deepEqual(await store.images.setTag(repo.id, 'latest', d2), {
      created: false,
      moved: true,
      previousDigest: d1,
    });
    await store.images.setTag(repo.id, 'latest', d3);
    await store.images.setTag(repo.id, '1.0', d1);
    assert.deepEqual(
      (await store.images.tagHistory(repo.id, 'latest')).map((e) => [e.digest, e.previousDigest]),
      [
        [d1, undefined],
        [d2, d1],
        [d3, d2],
      ],
    );
    assert.deepEqual(
      (await store.images.tags(repo.id)).map((t) => [t.tag, t.digest]),
      [
        ['1.0', d1],
        ['latest', d3],
      ],
    );
    assert.deepEqual(
      (await store.images.tagsOf(d1)).map((t) => t.tag),
      ['1.0'],
    );
    const moves = await store.events.list({ type: 'tag.moved' });
    assert.deepEqual(
      moves.map((e) => [e.subject, (e.data as { previousDigest: string }).previousDigest]),
      [
        ['hub/library/app:latest', d1],
        ['hub/library/app:latest', d2],
      ],
    );
  });

  test('concurrent moves of one tag are each recorded, as one unbroken chain', async () => {
    const { store, target } = await h.open();
    const reg = await store.registries.add({ name: 'hub', url: 'https://hub' });
    const repo = await store.images.ensureRepository(reg.id, 'app');
    await store.images.setTag(repo.id, 'latest', digestOf('start'));
    // Separate connections where the backend has them (PostgreSQL pools; SQLite shares one per process).
    const stores = h.dialect === 'postgres' ? await Promise.all([1, 2, 3].map(() => h.open({ target }))) : [];
    const writers = [store, ...stores.map((s) => s.store)];
    const digests = Array.from({ length: 24 }, (_, i) => digestOf(`move-${i}`));
    await Promise.all(digests.map((d, i) => writers[i % writers.length]?.images.setTag(repo.id, 'latest', d)));
    const history = await store.images.tagHistory(repo.id, 'latest');
    assert.equal(history.length, digests.length + 1);
    for (let i = 1; i < history.length; i++) assert.equal(history[i]?.previousDigest, history[i - 1]?.digest);
    assert.deepEqual(
      history
        .slice(1)
        .map((e) => e.digest)
        .sort(),
      [...digests].sort(),
    );
  });

  test('removing a registry removes its repositories and tags', async () => {
    const { store } = await h.open();
    const reg = await store.registries.add({ name: 'gone', url: 'https://gone' });
    const repo = await store.images.ensureRepository(reg.id, 'x');
    await store.images.setTag(repo.id, 't', digestOf('x'));
    assert.equal(await store.registries.remove(reg.id), true);
    assert.equal(await store.registries.remove(reg.id), false);
    assert.deepEqual(await store.images.repositories(reg.id), []);
    assert.deepEqual(await store.images.tags(repo.id), []);
  });

  test('images: inserted by digest, then updated field by field', async () => {
    const { store } = await h.open();
    const digest = digestOf('image');
    const config = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/usr/bin'], Labels: { a: 'é' } } };
    const layers = [
      {
        digest: digestOf('blob0'),
        diffId: digestOf('diff0'),
        size: 1234,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      },
      { digest: digestOf('blob1'), diffId: digestOf('diff1'), size: 99 },
    ];
    const first = await store.images.put({
      digest,
      configDigest: digestOf('config'),
      config,
      platform: 'linux/amd64',
      layers,
    });
    assert.deepEqual(first.config, config);
    assert.deepEqual(first.layers, layers);
    assert.equal(first.inventoryAt, undefined);
    const again = await store.images.put({ digest, platform: 'linux/arm64' });
    assert.equal(again.id, first.id);
    assert.equal(again.platform, 'linux/arm64');
    assert.deepEqual(again.config, config);
    assert.deepEqual(await store.images.get(digest), again);
    assert.equal(await store.images.get(digestOf('nothing')), undefined);
  });
}
