import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventoryPackage, RematchImage } from '../types.js';
import type { Harness } from './harness.js';
import { debPackage, digestOf, pypiPackage, scanDocument, type VulnSpec, vulnerability } from './scan-docs.js';

/** A Debian row with its package facts (the id scan-docs' vulnerabilities name). */
function withFacts(p: InventoryPackage): InventoryPackage {
  return {
    ...p,
    facts: {
      ecosystem: p.ecosystem as 'deb',
      name: p.name,
      version: p.version,
      ...(p.sourceName !== undefined ? { source: { name: p.sourceName, version: p.version } } : {}),
      id: `pkg-${p.name}-${p.version}`,
      purl: p.purl,
      paths: ['var/lib/dpkg/status'],
    },
  };
}

const rowsOf = (images: readonly RematchImage[]) =>
  images.map((i) => ({ digest: i.digest, seqs: i.rows.map((r) => r.seq), facts: i.rows.map((r) => r.factsId) }));

export function rematchSuite(h: Harness): void {
  test('rematch reads only the rows under the keys asked for (by name or source name), with facts stored once per package', async () => {
    const { store } = await h.open();
    const [a, b, c] = [digestOf('rm-a'), digestOf('rm-b'), digestOf('rm-c')];
    const libssl = withFacts(debPackage('libssl3', '3.0.11-1', 'openssl'));
    await store.scans.record({
      imageDigest: a,
      document: scanDocument(),
      packages: [libssl, withFacts(debPackage('zlib1g', '1.0-1', 'zlib')), withFacts(debPackage('curl'))],
    });
    await store.scans.record({
      imageDigest: b,
      document: scanDocument(),
      packages: [withFacts(debPackage('bash')), libssl],
    });
    await store.scans.record({ imageDigest: c, document: scanDocument(), packages: [pypiPackage('Requests')] });

    const openssl = await store.rematch.imagesUnderKeys([{ namespace: 'Debian:12', name: 'openssl' }]);
    const factsId = openssl[0]?.rows[0]?.factsId ?? null;
    assert.ok(factsId !== null);
    assert.deepEqual(rowsOf(openssl), [
      { digest: a, seqs: [0], facts: [factsId] },
      { digest: b, seqs: [1], facts: [factsId] },
    ]);
    assert.deepEqual(openssl[0]?.rows[0]?.namespace, 'Debian:12');
    const facts = await store.rematch.packageFacts([factsId]);
    assert.deepEqual(facts.get(factsId), libssl.facts);
    // By name as well as by source; PyPI names folded; rows stored without facts say so.
    const curl = await store.rematch.imagesUnderKeys([{ namespace: 'Debian:12', name: 'curl' }]);
    assert.deepEqual(
      curl.map((i) => [i.digest, i.rows.map((r) => r.seq)]),
      [[a, [2]]],
    );
    const curlFacts = curl[0]?.rows[0]?.factsId;
    assert.ok(typeof curlFacts === 'number' && curlFacts !== factsId, 'another package, other facts');
    assert.deepEqual(rowsOf(await store.rematch.imagesUnderKeys([{ namespace: 'PyPI', name: 'requests' }])), [
      { digest: c, seqs: [0], facts: [null] },
    ]);
    assert.deepEqual(await store.rematch.imagesUnderKeys([{ namespace: 'Debian:11', name: 'openssl' }]), []);

    const first = await store.rematch.inventoryPage(0, 2);
    assert.deepEqual(
      first.map((i) => [i.digest, i.rows.length]),
      [
        [a, 3],
        [b, 2],
      ],
    );
    const second = await store.rematch.inventoryPage(first[1]?.imageId ?? 0, 2);
    assert.deepEqual(
      second.map((i) => [i.digest, i.rows.length]),
      [[c, 1]],
    );
    assert.deepEqual(await store.rematch.inventoryPage(second[0]?.imageId ?? 0, 2), []);
  });

  test('applyRematch: new, changed and closed only among the re-matched packages, first-seen kept; an image scanned since is left alone', async () => {
    const { store, clock } = await h.open();
    const image = digestOf('rm-apply');
    const t0 = clock.now();
    const packages = [
      withFacts(debPackage('libssl3', '1.0-1', 'openssl')),
      withFacts(debPackage('zlib1g', '1.0-1', 'zlib')),
      withFacts(debPackage('curl')),
    ];
    const v = (s: VulnSpec) => vulnerability(s);
    await store.scans.record({
      imageDigest: image,
      document: scanDocument({
        vulns: [
          { id: 'CVE-2026-0001', pkg: 'libssl3' },
          { id: 'CVE-2026-0002', pkg: 'zlib1g' },
          { id: 'CVE-2026-0003', pkg: 'curl' },
        ],
      }),
      packages,
    });
    const [img] = await store.rematch.imagesUnderKeys([
      { namespace: 'Debian:12', name: 'openssl' },
      { namespace: 'Debian:12', name: 'zlib' },
    ]);
    assert.ok(img);
    clock.advance(1000);
    const t1 = clock.now();
    const [applied] = await store.rematch.applyRematch([
      {
        imageId: img.imageId,
        inventoryAt: img.inventoryAt,
        packageIds: ['pkg-libssl3-1.0-1', 'pkg-zlib1g-1.0-1'],
        vulnerabilities: [
          v({ id: 'CVE-2026-0001', pkg: 'libssl3', severity: 'critical' }),
          v({ id: 'CVE-2026-0004', pkg: 'zlib1g' }),
        ],
      },
    ]);
    assert.deepEqual(applied, {
      imageId: img.imageId,
      skipped: false,
      new: [{ ref: 'CVE-2026-0004@pkg-zlib1g-1.0-1', findingId: 'CVE-2026-0004', severity: 'high' }],
      changed: [
        {
          ref: 'CVE-2026-0001@pkg-libssl3-1.0-1',
          findingId: 'CVE-2026-0001',
          severity: 'critical',
          previousSeverity: 'high',
        },
      ],
      closed: [{ ref: 'CVE-2026-0002@pkg-zlib1g-1.0-1', findingId: 'CVE-2026-0002', severity: 'high' }],
    });
    const all = await store.findings.forImage(image, { includeFixed: true });
    assert.deepEqual(
      all.map((f) => [f.ref, f.severity, f.firstSeenAt, f.fixedAt]),
      [
        ['CVE-2026-0001@pkg-libssl3-1.0-1', 'critical', t0, undefined],
        ['CVE-2026-0002@pkg-zlib1g-1.0-1', 'high', t0, t1],
        ['CVE-2026-0003@pkg-curl-1.0-1', 'high', t0, undefined], // curl was not re-matched: untouched
        ['CVE-2026-0004@pkg-zlib1g-1.0-1', 'high', t1, undefined],
      ],
    );
    // A fixed finding that comes back is new again, first seen now.
    clock.advance(1000);
    const [back] = await store.rematch.applyRematch([
      {
        imageId: img.imageId,
        inventoryAt: img.inventoryAt,
        packageIds: ['pkg-zlib1g-1.0-1'],
        vulnerabilities: [v({ id: 'CVE-2026-0002', pkg: 'zlib1g' }), v({ id: 'CVE-2026-0004', pkg: 'zlib1g' })],
      },
    ]);
    assert.deepEqual(
      back?.new.map((f) => f.ref),
      ['CVE-2026-0002@pkg-zlib1g-1.0-1'],
    );
    assert.deepEqual(back?.closed, []);
    const reopened = (await store.findings.forImage(image)).find((f) => f.findingId === 'CVE-2026-0002');
    assert.equal(reopened?.firstSeenAt, clock.now());

    // Scanned again since the rows were read: the rescan's result no longer applies.
    clock.advance(1000);
    await store.scans.record({ imageDigest: image, document: scanDocument(), packages });
    const before = await store.findings.forImage(image, { includeFixed: true });
    const [stale] = await store.rematch.applyRematch([
      {
        imageId: img.imageId,
        inventoryAt: img.inventoryAt,
        packageIds: ['pkg-libssl3-1.0-1'],
        vulnerabilities: [v({ id: 'CVE-2026-0009', pkg: 'libssl3' })],
      },
    ]);
    assert.equal(stale?.skipped, true);
    assert.deepEqual(await store.findings.forImage(image, { includeFixed: true }), before);
  });

  test('rematch: repositories of digests and events appended in batches, in order', async () => {
    const { store } = await h.open();
    const reg = await store.registries.add({ name: 'reg', url: 'https://reg.test' });
    const r1 = await store.images.ensureRepository(reg.id, 'team/a');
    const r2 = await store.images.ensureRepository(reg.id, 'team/b');
    const [x, y] = [digestOf('rm-x'), digestOf('rm-y')];
    await store.images.setTag(r1.id, '1', x);
    await store.images.setTag(r2.id, '1', x);
    await store.images.setTag(r2.id, '2', x);
    const repos = await store.rematch.repositoriesOf([x, y]);
    assert.deepEqual([...repos], [[x, ['reg/team/a', 'reg/team/b']]]);
    const events = Array.from({ length: 1203 }, (_, i) => ({ type: 'finding.new', subject: `CVE-${i}`, data: { i } }));
    await store.rematch.appendEvents(events);
    const listed = [];
    let afterId = 0;
    for (;;) {
      const page = await store.events.list({ afterId, type: 'finding.new', limit: 1000 });
      if (page.length === 0) break;
      listed.push(...page);
      afterId = page[page.length - 1]?.id ?? afterId;
    }
    assert.deepEqual(
      listed.map((e) => e.subject),
      events.map((e) => e.subject),
    );
  });
}
