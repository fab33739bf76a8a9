import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Harness } from './harness.js';
import { debPackage, digestOf, scanDocument } from './scan-docs.js';

export function webUsersSuite(h: Harness): void {
  test('a dashboard user: scrypt-hashed password, verified, unknown names and wrong passwords refused', async () => {
    const { store, backend } = await h.open();
    const password = `pw-${Math.random().toString(36).slice(2)}-long`;
    const user = await store.users.create({ name: 'alice', role: 'viewer', password, createdBy: 'admin-token' });
    assert.equal(user.role, 'viewer');
    assert.equal((await store.users.verify('alice', password))?.id, user.id);
    assert.equal(await store.users.verify('alice', `${password}x`), undefined);
    assert.equal(await store.users.verify('alice', password.slice(0, -1)), undefined);
    assert.equal(await store.users.verify('mallory', password), undefined);
    const rows = await backend.db.selectFrom('web_users').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.match(rows[0]?.password_hash ?? '', /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.ok(!JSON.stringify(rows).includes(password));
    await assert.rejects(store.users.create({ name: 'alice', role: 'admin', password, createdBy: 't' }), {
      code: 'STORE_CONFLICT',
    });
    await assert.rejects(store.users.create({ name: 'bob', role: 'viewer', password: 'short', createdBy: 't' }), {
      code: 'USAGE_BAD_ARGUMENT',
    });
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: a role from outside the type, as a hostile client would send
      store.users.create({ name: 'bob', role: 'root' as any, password, createdBy: 't' }),
      { code: 'USAGE_BAD_ARGUMENT' },
    );
    assert.deepEqual(
      (await store.users.list()).map((u) => u.name),
      ['alice'],
    );
  });

  test('a session: id stored hashed, expires, removed on logout, dies with its revoked token', async () => {
    const { store, backend, clock } = await h.open();
    const user = await store.users.create({
      name: 'carol',
      role: 'admin',
      password: 'a-long-password',
      createdBy: 't',
    });
    const { id, record } = await store.sessions.create({
      subject: 'user:carol',
      role: 'admin',
      userId: user.id,
      ttlMs: 60_000,
    });
    assert.match(id, /^css_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await store.sessions.get(id), record);
    assert.equal(await store.sessions.get(`${id}x`), undefined);
    assert.equal(await store.sessions.get(id.replace('css_', 'cst_')), undefined);
    const rows = await backend.db.selectFrom('web_sessions').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(id.slice(4)));
    clock.advance(60_001);
    assert.equal(await store.sessions.get(id), undefined);

    const second = await store.sessions.create({
      subject: 'user:carol',
      role: 'admin',
      userId: user.id,
      ttlMs: 60_000,
    });
    // Creating a session purges the expired one.
    assert.equal((await backend.db.selectFrom('web_sessions').selectAll().execute()).length, 1);
    assert.equal(await store.sessions.remove(second.id), true);
    assert.equal(await store.sessions.get(second.id), undefined);
    assert.equal(await store.sessions.remove(second.id), false);

    const issued = await store.tokens.issue({ name: 'viewer-1', role: 'viewer', createdBy: 't' });
    const viaToken = await store.sessions.create({
      subject: 'viewer-1',
      role: 'viewer',
      tokenId: issued.record.id,
      ttlMs: 60_000,
    });
    assert.equal((await store.sessions.get(viaToken.id))?.tokenId, issued.record.id);
    await store.tokens.revoke(issued.record.id);
    assert.equal(await store.sessions.get(viaToken.id), undefined);
  });

  test('dashboard stats: counts, latest verdicts per image, open vulnerabilities by reach', async () => {
    const { store } = await h.open();
    assert.deepEqual(await store.stats.counts(), {
      images: 0,
      unscanned: 0,
      registries: 0,
      repositories: 0,
      tags: 0,
      verdicts: {},
    });
    const reg = await store.registries.add({ name: 'stats', url: 'https://r.example' });
    const repo = await store.images.ensureRepository(reg.id, 'team/app');
    // Image i carries CVE-A always, CVE-B when i is even, CVE-C only on image 0 (critical).
    const n = 5;
    for (let i = 0; i < n; i++) {
      const digest = digestOf(`stats-${i.toString()}`);
      const vulns = [
        { id: 'CVE-2030-0001', pkg: 'a', severity: 'low' },
        ...(i % 2 === 0 ? [{ id: 'CVE-2030-0002', pkg: 'b', severity: 'high' }] : []),
        ...(i === 0 ? [{ id: 'CVE-2030-0003', pkg: 'c', severity: 'critical' }] : []),
      ];
      const { scanId } = await store.scans.record({
        imageDigest: digest,
        document: scanDocument({ vulns }),
        packages: [debPackage('a')],
      });
      await store.images.setTag(repo.id, `v${i.toString()}`, digest);
      await store.verdicts.record({ imageDigest: digest, scanId, status: 'fail', document: {} });
      // The latest verdict counts: images 0 and 1 pass now.
      if (i < 2) await store.verdicts.record({ imageDigest: digest, scanId, status: 'pass', document: {} });
    }
    await store.images.put({ digest: digestOf('never-scanned'), layers: [] });
    const counts = await store.stats.counts();
    assert.deepEqual(counts, {
      images: n + 1,
      unscanned: 1,
      registries: 1,
      repositories: 1,
      tags: n,
      verdicts: { fail: n - 2, pass: 2 },
    });
    assert.deepEqual(await store.stats.topVulnerabilities(2), [
      { findingId: 'CVE-2030-0001', severity: 'low', images: 5 },
      { findingId: 'CVE-2030-0002', severity: 'high', images: 3 },
    ]);
    assert.equal((await store.stats.topVulnerabilities(10)).length, 3);
  });
}
