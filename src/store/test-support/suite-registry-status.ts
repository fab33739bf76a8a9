import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DISCOVERY_ERRORS } from '../registry-status.js';
import type { Harness } from './harness.js';

export function registryStatusSuite(h: Harness): void {
  test('registry status: the last discovery run and the last push, replaced by each, removed with the registry', async () => {
    const { store } = await h.open();
    const a = await store.registries.add({ name: 'status-a', url: 'https://a.example' });
    const b = await store.registries.add({ name: 'status-b', url: 'https://b.example' });
    assert.equal(await store.registryStatus.get(a.id), undefined);
    const errors = Array.from({ length: MAX_DISCOVERY_ERRORS + 7 }, (_, i) => `team/r${i.toString()}:1: HTTP 500`);
    await store.registryStatus.recordDiscovery(a.id, {
      at: 1000,
      repositories: 3,
      tags: 9,
      digests: 9,
      queued: 2,
      errors,
    });
    await store.registryStatus.recordPush(b.id, { at: 1500, repository: 'team/app', tag: '1.0' });
    const first = await store.registryStatus.get(a.id);
    assert.equal(first?.discovery?.tags, 9);
    assert.equal(first?.discovery?.errors.length, MAX_DISCOVERY_ERRORS, 'errors are bounded');
    assert.equal(first?.lastPush, undefined);
    // A push keeps the discovery; a failed run replaces the previous one.
    await store.registryStatus.recordPush(a.id, {
      at: 2000,
      repository: 'team/app',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    await store.registryStatus.recordDiscovery(a.id, {
      at: 3000,
      repositories: 0,
      tags: 0,
      digests: 0,
      queued: 0,
      errors: [],
      error: 'catalog: HTTP 401',
    });
    assert.deepEqual(await store.registryStatus.get(a.id), {
      registryId: a.id,
      discovery: { at: 3000, repositories: 0, tags: 0, digests: 0, queued: 0, errors: [], error: 'catalog: HTTP 401' },
      lastPush: { at: 2000, repository: 'team/app', digest: `sha256:${'a'.repeat(64)}` },
    });
    assert.deepEqual(
      (await store.registryStatus.list()).map((s) => [s.registryId, s.lastPush?.repository]),
      [
        [a.id, 'team/app'],
        [b.id, 'team/app'],
      ],
    );
    // A registry that is gone: nothing recorded, nothing thrown (a run may end after a removal).
    await store.registryStatus.recordPush(b.id + 1000, { at: 1, repository: 'x' });
    assert.equal(await store.registryStatus.get(b.id + 1000), undefined);
    await store.registries.remove(a.id);
    assert.equal(await store.registryStatus.get(a.id), undefined);
  });

  test('VEX documents: stored by name, replaced, listed by name, removed', async () => {
    const { store, clock } = await h.open();
    const body = (id: string) => JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [id] });
    const first = await store.vex.put({ name: 'vendor', format: 'openvex', body: body('one'), createdBy: 'ada' });
    assert.equal(first.createdAt, first.updatedAt);
    clock.advance(5000);
    await store.vex.put({ name: 'app', format: 'cyclonedx', body: '{"bomFormat":"CycloneDX"}', createdBy: 'cid' });
    const replaced = await store.vex.put({ name: 'vendor', format: 'openvex', body: body('two'), createdBy: 'bob' });
    assert.equal(replaced.id, first.id);
    assert.equal(replaced.body, body('two'));
    assert.equal(replaced.createdBy, 'bob');
    assert.equal(replaced.updatedAt - replaced.createdAt, 5000);
    assert.deepEqual(
      (await store.vex.list()).map((d) => [d.name, d.format]),
      [
        ['app', 'cyclonedx'],
        ['vendor', 'openvex'],
      ],
    );
    assert.equal(await store.vex.remove('vendor'), true);
    assert.equal(await store.vex.remove('vendor'), false);
    assert.equal(await store.vex.get('vendor'), undefined);
  });
}
