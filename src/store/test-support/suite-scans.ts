import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import { keyFilter, nameFilter, packageHitsQuery } from '../package-index.js';
import type { InventoryPackage } from '../types.js';
import { analyze, explainPlan, type Harness } from './harness.js';
import { failInserts, INJECTED_FAILURE } from './inject-failure.js';
import { debPackage, digestOf, pypiPackage, scanDocument } from './scan-docs.js';

const code = (c: string) => (e: unknown) => e instanceof CustomsError && e.code === c;

export function scanSuite(h: Harness): void {
  test('recording scans computes new, changed and fixed findings with first-seen and fixed-at', async () => {
    const { store, clock } = await h.open();
    const image = digestOf('app');
    const t0 = clock.now();
    const first = await store.scans.record({
      imageDigest: image,
      document: scanDocument({
        vulns: [
          { id: 'CVE-2024-0001', pkg: 'openssl' },
          { id: 'CVE-2024-0002', pkg: 'zlib', severity: 'medium' },
          { id: 'CVE-2024-0003', pkg: 'curl' },
        ],
        secrets: [{ ruleId: 'aws-access-key', location: 'etc/app.env', line: 3 }],
      }),
      packages: [debPackage('openssl'), debPackage('zlib1g', '1.0-1', 'zlib'), debPackage('curl')],
    });
    assert.deepEqual(first.findings, {
      new: [
        'CVE-2024-0001@pkg-openssl-1.0-1',
        'CVE-2024-0002@pkg-zlib-1.0-1',
        'CVE-2024-0003@pkg-curl-1.0-1',
        'aws-access-key@etc/app.env:3',
      ],
      changed: [],
      fixed: [],
      unchanged: 0,
    });

    clock.advance(60_000);
    const second = await store.scans.record({
      imageDigest: image,
      document: scanDocument({
        vulns: [
          { id: 'CVE-2024-0001', pkg: 'openssl' },
          { id: 'CVE-2024-0002', pkg: 'zlib', severity: 'critical' },
          { id: 'CVE-2024-0004', pkg: 'curl' },
        ],
      }),
      packages: [debPackage('openssl'), debPackage('curl')],
    });
    assert.deepEqual(second.findings, {
      new: ['CVE-2024-0004@pkg-curl-1.0-1'],
      changed: ['CVE-2024-0002@pkg-zlib-1.0-1'],
      fixed: ['CVE-2024-0003@pkg-curl-1.0-1', 'aws-access-key@etc/app.env:3'],
      unchanged: 1,
    });
    const open = await store.findings.forImage(image);
    assert.deepEqual(
      open.map((f) => [f.ref, f.severity, f.firstSeenAt, f.lastSeenAt]),
      [
        ['CVE-2024-0001@pkg-openssl-1.0-1', 'high', t0, t0 + 60_000],
        ['CVE-2024-0002@pkg-zlib-1.0-1', 'critical', t0, t0 + 60_000],
        ['CVE-2024-0004@pkg-curl-1.0-1', 'high', t0 + 60_000, t0 + 60_000],
      ],
    );
    const all = await store.findings.forImage(image, { includeFixed: true });
    assert.deepEqual(
      all.filter((f) => f.fixedAt !== undefined).map((f) => [f.ref, f.kind, f.fixedAt]),
      [
        ['CVE-2024-0003@pkg-curl-1.0-1', 'vuln', t0 + 60_000],
        ['aws-access-key@etc/app.env:3', 'secret', t0 + 60_000],
      ],
    );

    // A fixed finding that comes back is new again, from the scan that saw it.
    clock.advance(60_000);
    const third = await store.scans.record({
      imageDigest: image,
      document: scanDocument({
        vulns: [
          { id: 'CVE-2024-0001', pkg: 'openssl', fixedVersions: ['1.0-3'] },
          { id: 'CVE-2024-0002', pkg: 'zlib', severity: 'critical' },
          { id: 'CVE-2024-0003', pkg: 'curl' },
          { id: 'CVE-2024-0004', pkg: 'curl' },
        ],
      }),
      packages: [debPackage('openssl')],
    });
    assert.deepEqual(third.findings, {
      new: ['CVE-2024-0003@pkg-curl-1.0-1'],
      changed: ['CVE-2024-0001@pkg-openssl-1.0-1'],
      fixed: [],
      unchanged: 2,
    });
    const reopened = (await store.findings.forImage(image)).find((f) => f.findingId === 'CVE-2024-0003');
    assert.equal(reopened?.firstSeenAt, t0 + 120_000);
    assert.equal(reopened?.fixedAt, undefined);

    const events = await store.events.list({ type: 'scan.recorded' });
    assert.deepEqual(
      events.map((e) => e.data),
      [
        { scanId: first.scanId, new: 4, changed: 0, fixed: 0, unchanged: 0 },
        { scanId: second.scanId, new: 1, changed: 1, fixed: 2, unchanged: 1 },
        { scanId: third.scanId, new: 1, changed: 1, fixed: 0, unchanged: 2 },
      ],
    );
  });

  test('the scan document is stored as given, and the inventory is replaced by each scan', async () => {
    const { store, clock } = await h.open();
    const image = digestOf('doc');
    const document = {
      ...scanDocument({ vulns: [{ id: 'CVE-2024-1', pkg: 'bash' }] }),
      extra: { nested: ['ü', 1.5, null] },
    };
    await store.scans.record({
      imageDigest: image,
      document,
      packages: [debPackage('bash'), debPackage('dash')],
      dbVersion: 'db-1',
    });
    clock.advance(1000);
    const packages = [debPackage('libssl3', '3.0.11-1', 'openssl'), pypiPackage('Django', '4.2')];
    const { scanId } = await store.scans.record({
      imageDigest: image,
      document,
      packages,
      dbVersion: 'db-2',
      jobId: 7,
    });
    const latest = await store.scans.latest(image);
    assert.deepEqual(latest, {
      id: scanId,
      imageDigest: image,
      jobId: 7,
      dbVersion: 'db-2',
      document,
      createdAt: clock.now(),
    });
    assert.deepEqual(await store.packages.inventory(image), [
      { ...packages[0], sourceName: 'openssl' },
      // Stored under its PEP 503 name, as the vulnerability DB keys it.
      { ...packages[1], name: 'django' },
    ]);
    assert.equal((await store.images.get(image))?.inventoryAt, clock.now());
    assert.equal((await store.images.get(image))?.platform, 'linux/amd64');
  });

  test('a scan that fails half-way changes nothing', async () => {
    const { store } = await h.open();
    const image = digestOf('atomic');
    await store.scans.record({
      imageDigest: image,
      document: scanDocument({ vulns: [{ id: 'CVE-1', pkg: 'a' }] }),
      packages: [debPackage('a')],
    });
    const before = await store.scans.latest(image);
    // The second package breaks the NOT NULL purl column after the scan row and the first rows were written.
    const broken = { ...debPackage('b'), purl: null } as unknown as InventoryPackage;
    await assert.rejects(
      store.scans.record({
        imageDigest: image,
        document: scanDocument({ vulns: [{ id: 'CVE-2', pkg: 'b' }] }),
        packages: [debPackage('c'), broken],
      }),
    );
    assert.deepEqual(await store.scans.latest(image), before);
    assert.deepEqual(
      (await store.packages.inventory(image)).map((p) => p.name),
      ['a'],
    );
    assert.deepEqual(
      (await store.findings.forImage(image, { includeFixed: true })).map((f) => [f.findingId, f.fixedAt]),
      [['CVE-1', undefined]],
    );
    assert.equal((await store.events.list({ type: 'scan.recorded' })).length, 1);
  });

  test('a scan and its verdict are one transaction: a verdict that cannot be written leaves no scan', async () => {
    const { store, clock } = await h.open();
    const image = digestOf('scan-and-verdict');
    const verdict = (status: 'pass' | 'fail', rule: string) => ({
      status,
      policy: 'org',
      document: { status, rules: [{ ruleId: rule }] },
    });
    const first = await store.scans.record({
      imageDigest: image,
      document: scanDocument({ vulns: [{ id: 'CVE-1', pkg: 'a' }] }),
      packages: [debPackage('a')],
      verdict: verdict('pass', 'r1'),
    });
    assert.equal(first.verdict?.scanId, first.scanId);
    assert.deepEqual(await store.verdicts.latest(image), first.verdict);
    assert.deepEqual(
      [first.verdict?.status, first.verdict?.policy, first.verdict?.imageDigest],
      ['pass', 'org', image],
    );
    const scanBefore = await store.scans.latest(image);
    const eventsBefore = await store.events.list({ limit: 1000 });

    // The database refuses the verdict row, as a crash right after the scan's rows would.
    clock.advance(1000);
    const restore = await failInserts(store, 'verdicts');
    try {
      await assert.rejects(
        store.scans.record({
          imageDigest: image,
          document: scanDocument({ vulns: [{ id: 'CVE-2', pkg: 'b' }] }),
          packages: [debPackage('b')],
          verdict: verdict('fail', 'r2'),
        }),
        new RegExp(INJECTED_FAILURE),
      );
    } finally {
      await restore();
    }
    assert.deepEqual(await store.scans.latest(image), scanBefore, 'no scan without its verdict');
    assert.deepEqual(await store.verdicts.list(image), [first.verdict]);
    assert.deepEqual(
      (await store.packages.inventory(image)).map((p) => p.name),
      ['a'],
    );
    assert.deepEqual(
      (await store.findings.forImage(image, { includeFixed: true })).map((f) => [f.findingId, f.fixedAt]),
      [['CVE-1', undefined]],
    );
    assert.deepEqual(await store.events.list({ limit: 1000 }), eventsBefore);

    // With the trigger gone the same call records both.
    const again = await store.scans.record({
      imageDigest: image,
      document: scanDocument({ vulns: [{ id: 'CVE-2', pkg: 'b' }] }),
      packages: [debPackage('b')],
      verdict: verdict('fail', 'r2'),
    });
    assert.equal((await store.scans.latest(image))?.id, again.scanId);
    assert.equal((await store.verdicts.latest(image))?.scanId, again.scanId);
  });

  test('a document that is not a scan result is refused, naming the bad fields', async () => {
    const { store } = await h.open();
    const document = scanDocument({ vulns: [{ id: 'CVE-1', pkg: 'a' }] });
    const bad = {
      ...document,
      vulnerabilities: [{ ...(document.vulnerabilities as object[])[0], kev: 'yes', package: 7 }],
    };
    await assert.rejects(
      store.scans.record({ imageDigest: digestOf('bad'), document: bad, packages: [] }),
      (e: unknown) => {
        assert.ok(code('SCAN_RESULT_INVALID')(e));
        assert.match(String((e as Error).message), /\/vulnerabilities\/0\/kev/);
        assert.match(String((e as Error).message), /\/vulnerabilities\/0\/package/);
        return true;
      },
    );
    await assert.rejects(
      store.scans.record({ imageDigest: digestOf('bad'), document: [], packages: [] }),
      code('SCAN_RESULT_INVALID'),
    );
    assert.equal(await store.images.get(digestOf('bad')), undefined);
  });

  test('open findings by ID across images', async () => {
    const { store } = await h.open();
    for (const name of ['one', 'two', 'three']) {
      await store.scans.record({
        imageDigest: digestOf(name),
        document: scanDocument({ vulns: name === 'three' ? [] : [{ id: 'CVE-2024-9', pkg: 'x' }] }),
        packages: [],
      });
    }
    assert.deepEqual(
      (await store.findings.withId('CVE-2024-9')).map((f) => f.imageDigest),
      [digestOf('one'), digestOf('two')].sort(),
    );
  });

  test('package index: images by package name, source name, namespace and key list', async () => {
    const { store } = await h.open();
    const inventories: Record<string, InventoryPackage[]> = {
      a: [debPackage('libssl3', '3.0.11-1', 'openssl'), debPackage('bash')],
      b: [debPackage('openssl', '3.0.11-1'), pypiPackage('Django', '4.2')],
      c: [{ ...debPackage('openssl', '1.1.1n-0'), namespace: 'Debian:11' }, pypiPackage('requests')],
      d: [debPackage('curl')],
    };
    for (const [name, packages] of Object.entries(inventories)) {
      await store.scans.record({ imageDigest: digestOf(name), document: scanDocument(), packages });
    }
    const hits = await store.packages.imagesWithPackage('openssl');
    assert.deepEqual(
      hits.map((x) => [x.imageDigest, x.namespace, x.matchedBy, x.purl.split('@')[0]]),
      [
        [digestOf('a'), 'Debian:12', 'source', 'pkg:deb/debian/libssl3'],
        [digestOf('b'), 'Debian:12', 'name', 'pkg:deb/debian/openssl'],
        [digestOf('c'), 'Debian:11', 'name', 'pkg:deb/debian/openssl'],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    assert.deepEqual(
      (await store.packages.imagesWithPackage('openssl', 'Debian:11')).map((x) => x.imageDigest),
      [digestOf('c')],
    );
    // PyPI names fold (PEP 503) in their namespace only.
    assert.deepEqual(
      (await store.packages.imagesWithPackage('DJANGO')).map((x) => [x.imageDigest, x.name]),
      [[digestOf('b'), 'django']],
    );
    assert.deepEqual(await store.packages.imagesWithPackage('BASH'), []);
    const byKeys = await store.packages.imagesWithPackageKeys([
      { namespace: 'Debian:12', name: 'curl' },
      { namespace: 'PyPI', name: 'Requests' },
      { namespace: 'Debian:12', name: 'openssl' },
      { namespace: 'Alpine:v3.19', name: 'curl' },
    ]);
    assert.deepEqual(
      [...new Set(byKeys.map((x) => x.imageDigest))].sort(),
      [digestOf('a'), digestOf('b'), digestOf('c'), digestOf('d')].sort(),
    );
    assert.deepEqual(await store.packages.imagesWithPackageKeys([]), []);
  });

  test('package queries use the package index, not a scan of the inventories (EXPLAIN)', async () => {
    const { store, backend } = await h.open();
    // 200 images x 50 packages from a pool of 1,000 names: each name is in ~10 images.
    const names = Array.from({ length: 1000 }, (_, i) => `pkg${i}`);
    for (let img = 0; img < 200; img++) {
      const packages = Array.from({ length: 50 }, (_, j) => {
        const n = names[(img * 37 + j * 101) % names.length] ?? 'pkg0';
        return debPackage(`lib${n}`, '1.0-1', n);
      });
      await store.scans.record({ imageDigest: digestOf(`bulk-${img}`), document: scanDocument(), packages });
    }
    await analyze(backend);
    const queries = {
      'name in one namespace': packageHitsQuery(
        backend.db,
        'name',
        keyFilter([{ namespace: 'Debian:12', name: 'libpkg7' }]),
      ),
      'source in one namespace': packageHitsQuery(
        backend.db,
        'source',
        keyFilter([{ namespace: 'Debian:12', name: 'pkg7' }]),
      ),
      'key list': packageHitsQuery(
        backend.db,
        'source',
        keyFilter([
          { namespace: 'Debian:12', name: 'pkg7' },
          { namespace: 'Debian:12', name: 'pkg8' },
          { namespace: 'Alpine:v3.19', name: 'pkg9' },
        ]),
      ),
      'name in any namespace': packageHitsQuery(backend.db, 'name', nameFilter(['libpkg7'])),
    };
    for (const [what, query] of Object.entries(queries)) {
      const plan = (await explainPlan(backend, query.compile())).join('\n');
      const index = what.startsWith('name') ? 'image_packages_by_key' : 'image_packages_by_source';
      assert.match(plan, new RegExp(index), `${what}: the plan does not use ${index}:\n${plan}`);
      // A whole-table walk: SQLite says SCAN, PostgreSQL Seq Scan.
      assert.doesNotMatch(
        plan,
        /\bSCAN (image_packages|images|package_keys)\b|Seq Scan/,
        `${what}: walks a table:\n${plan}`,
      );
      assert.ok((await query.execute()).length > 0, `${what}: no rows`);
    }
    assert.equal((await store.packages.imagesWithPackage('pkg7')).length > 0, true);
  });
}
