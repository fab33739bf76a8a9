/**
 * The paged reads of the HTTP API (listings.ts) on both backends: filters,
 * id order and afterId paging, "which images have finding X" with its spread
 * over repositories, findings per day, job counts and the schema version.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCHEMA_VERSION } from '../migrations.js';
import type { Harness } from './harness.js';
import { debPackage, digestOf, scanDocument } from './scan-docs.js';

export function listingsSuite(h: Harness): void {
  test('listings: images by id with filters, paged by afterId; open findings and the latest verdict per image', async () => {
    const { store } = await h.open();
    const reg = await store.registries.add({ name: 'hub', url: 'https://hub.example' });
    const repo = await store.images.ensureRepository(reg.id, 'team/app');
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = digestOf(`listing-${i}`);
      digests.push(d);
      await store.scans.record({
        imageDigest: d,
        document: scanDocument({
          vulns: i % 2 === 0 ? [{ id: 'CVE-2024-1', pkg: 'openssl', severity: 'critical' }] : [],
        }),
        packages: [debPackage(i % 2 === 0 ? 'libssl3' : 'zlib1g', '1.0-1', i % 2 === 0 ? 'openssl' : 'zlib')],
      });
      if (i < 2) await store.images.setTag(repo.id, `v${i}`, d);
    }
    await store.verdicts.record({ imageDigest: digests[0] ?? '', status: 'fail', document: {} });
    await store.verdicts.record({ imageDigest: digests[0] ?? '', status: 'warn', document: {} });
    const all = await store.listings.images({ limit: 3 });
    assert.deepEqual(
      all.map((i) => i.digest),
      digests.slice(0, 3),
    );
    const rest = await store.listings.images({ afterId: all[2]?.id ?? 0 });
    assert.deepEqual(
      rest.map((i) => i.digest),
      digests.slice(3),
    );
    assert.equal(all[0]?.verdict, 'warn');
    assert.equal(all[0]?.openFindings.critical, 1);
    assert.deepEqual(all[0]?.tags, [{ registry: 'hub', repository: 'team/app', repositoryId: repo.id, tag: 'v0' }]);
    const pick = async (q: Parameters<typeof store.listings.images>[0]) =>
      (await store.listings.images(q)).map((i) => digests.indexOf(i.digest));
    assert.deepEqual(await pick({ package: 'openssl' }), [0, 2, 4]);
    assert.deepEqual(await pick({ package: 'zlib1g' }), [1, 3]);
    assert.deepEqual(await pick({ severity: 'high' }), [0, 2, 4]);
    assert.deepEqual(await pick({ registryId: reg.id }), [0, 1]);
    assert.deepEqual(await pick({ repository: 'team/app', severity: 'critical' }), [0]);
    assert.deepEqual(await pick({ os: 'debian:12' }), [0, 1, 2, 3, 4]);
    assert.deepEqual(await pick({ os: 'alpine' }), []);
    assert.deepEqual(await pick({ verdict: 'warn' }), [0]);

    const hits = await store.listings.imagesWithFinding('CVE-2024-1', { limit: 2 });
    assert.deepEqual(
      hits.map((i) => digests.indexOf(i.digest)),
      [0, 2],
    );
    assert.deepEqual(hits[0]?.refs, ['CVE-2024-1@pkg-openssl-1.0-1']);
    const next = await store.listings.imagesWithFinding('CVE-2024-1', { afterId: hits[1]?.id ?? 0 });
    assert.deepEqual(
      next.map((i) => digests.indexOf(i.digest)),
      [4],
    );
    assert.deepEqual(await store.listings.findingSpread('CVE-2024-1'), {
      images: 3,
      repositories: [{ id: repo.id, registry: 'hub', name: 'team/app', images: 1 }],
    });
    const repos = await store.listings.repositories({ registryId: reg.id });
    assert.deepEqual(
      repos.map((r) => [r.name, r.registry, r.tagCount]),
      [['team/app', 'hub', 2]],
    );
  });

  test('listings: findings per UTC day, jobs by state, the schema version', async () => {
    const { store, clock } = await h.open();
    const day = 86_400_000;
    const d = digestOf('history');
    await store.scans.record({
      imageDigest: d,
      document: scanDocument({ vulns: [{ id: 'CVE-1', pkg: 'a', severity: 'low' }] }),
      packages: [],
    });
    clock.advance(2 * day);
    await store.scans.record({ imageDigest: d, document: scanDocument({}), packages: [] });
    const days = await store.listings.findingHistory({ from: clock.now() - 3 * day, to: clock.now() });
    assert.deepEqual(
      days.map((x) => [x.day, x.opened.low, x.fixed.low, x.open.low]),
      [
        ['2025-12-31', 0, 0, 0],
        ['2026-01-01', 1, 0, 1],
        ['2026-01-02', 0, 0, 1],
        ['2026-01-03', 0, 1, 0],
      ],
    );
    for (let i = 0; i < 3; i++)
      await store.jobs.enqueue({ kind: i === 2 ? 'sync' : 'scan', idempotencyKey: `j${i}`, payload: {} });
    await store.jobs.claim({ worker: 'w', kinds: ['scan'] });
    assert.deepEqual(await store.listings.jobCounts(), { queued: 2, running: 1, succeeded: 0, failed: 0 });
    assert.deepEqual(
      (await store.listings.jobs({ state: 'queued', kind: 'scan' })).map((j) => j.idempotencyKey),
      ['j1'],
    );
    assert.equal(await store.listings.schemaVersion(), SCHEMA_VERSION);
    // The generation moves with every change a listing shows.
    const seen = new Set([await store.listings.generation()]);
    const changes = [
      () => store.scans.record({ imageDigest: d, document: scanDocument({}), packages: [] }),
      async () => {
        const reg = await store.registries.add({ name: 'g', url: 'https://g.example' });
        const repo = await store.images.ensureRepository(reg.id, 'r');
        await store.images.setTag(repo.id, 't', d);
      },
      () => store.verdicts.record({ imageDigest: d, status: 'pass', document: {} }),
    ];
    for (const change of changes) {
      await change();
      const g = await store.listings.generation();
      assert.ok(!seen.has(g), `generation ${g} did not move`);
      seen.add(g);
    }
    assert.ok(seen.has(await store.listings.generation()), 'a read does not move it');
  });
}
