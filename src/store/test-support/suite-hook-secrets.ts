import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import type { Harness } from './harness.js';

export function hookSecretsSuite(h: Harness): void {
  test('a registry hook secret: stored hashed, verified, replaced, removed with its registry', async () => {
    const { store, backend } = await h.open();
    const reg = await store.registries.add({ name: 'hooked', url: 'https://r.example' });
    assert.equal(await store.hookSecrets.has(reg.id), false);
    assert.equal(await store.hookSecrets.verify(reg.id, 'anything-at-all-here'), false);
    const random = await store.hookSecrets.set(reg.id);
    assert.match(random, /^csh_[A-Za-z0-9_-]{43}$/);
    assert.equal(await store.hookSecrets.verify(reg.id, random), true);
    assert.equal(await store.hookSecrets.verify(reg.id, `${random}x`), false);
    // Only the hash is stored.
    const rows = await backend.db.selectFrom('registry_hook_secrets').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(random));
    const chosen = 'a-secret-the-admin-chose';
    assert.equal(await store.hookSecrets.set(reg.id, chosen), chosen);
    assert.equal(await store.hookSecrets.verify(reg.id, random), false);
    assert.equal(await store.hookSecrets.verify(reg.id, chosen), true);
    await assert.rejects(store.hookSecrets.set(reg.id, 'short'), { code: 'USAGE_BAD_ARGUMENT' });
    await assert.rejects(store.hookSecrets.set(reg.id + 1000), { code: 'USAGE_BAD_ARGUMENT' });
    await store.registries.remove(reg.id);
    assert.equal(await store.hookSecrets.has(reg.id), false);
    assert.equal(await store.hookSecrets.remove(reg.id), false);
  });
}

export function jobReleaseSuite(h: Harness): void {
  test('release hands a leased job back at once without counting the attempt; only the lease holder may', async () => {
    const { store, clock } = await h.open();
    const { job } = await store.jobs.enqueue({ kind: 'k', idempotencyKey: 'rel-1', payload: null });
    const lease = await store.jobs.claim({ worker: 'w1' });
    assert.equal(lease?.job.attempts, 1);
    if (!lease) return;
    const released = await store.jobs.release(lease, 'released by w1 on shutdown');
    assert.deepEqual(
      [released.state, released.attempts, released.lastError, released.runAfter, released.leaseOwner],
      ['queued', 0, 'released by w1 on shutdown', clock.now(), undefined],
    );
    await assert.rejects(
      store.jobs.release(lease, 'again'),
      (e: unknown) => e instanceof CustomsError && e.code === 'STORE_LEASE_LOST',
    );
    const next = await store.jobs.claim({ worker: 'w2' });
    assert.equal(next?.job.id, job.id);
    assert.equal(next?.job.attempts, 1);
  });
}
