/**
 * `customs ir plan CVE|IMAGE`: findings recorded in a store joined with the
 * containers running on this node; order and fixes; in-use packages first.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { scanDocument } from '../../src/store/test-support/scan-docs.js';
import type { RipPlan } from '../../src/runtime/index.js';
import { testContainers } from '../support/containers.js';
import { freshDir, imageId, REPO_ROOT, run, runCustoms } from '../support/images.js';

test('ir plan orders rebuilds by severity and running workloads, with fixes, base image and in-use packages first', {
  timeout: 120_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const imgA = await tc.build(
    `FROM $BASE\nLABEL org.opencontainers.image.base.name=${'$BASE'}\nLABEL customs.test=a-${tc.name('x')}\n`,
  );
  const imgB = await tc.build(`FROM $BASE\nLABEL customs.test=b-${tc.name('x')}\n`);
  const [idA, idB] = [await imageId(imgA), await imageId(imgB)];
  const a1 = await tc.start(
    ['--name', tc.name('a1'), '-l', 'io.kubernetes.pod.name=pay-0', '-l', 'io.kubernetes.pod.namespace=prod'],
    imgA,
  );
  const a2 = await tc.start(['--name', tc.name('a2')], imgA, ['true']);
  await run('docker', ['wait', a2]);
  await tc.start(['--name', tc.name('b1')], imgB);
  await tc.start(['--name', tc.name('b2')], imgB);

  const dir = await freshDir('ir-plan-store');
  const store = await openStore(dir);
  try {
    await store.scans.record({
      imageDigest: idA,
      document: scanDocument({
        vulns: [
          {
            id: 'CVE-2099-0001',
            pkg: 'bash',
            version: '5.2.15-2',
            severity: 'critical',
            fixedVersions: ['5.2.15-2+deb12u9'],
          },
          { id: 'CVE-2099-0002', pkg: 'coreutils', version: '9.1-1', severity: 'high', fixedVersions: [] },
        ],
      }),
      packages: [],
    });
    await store.scans.record({
      imageDigest: idB,
      document: scanDocument({
        vulns: [
          {
            id: 'CVE-2099-0001',
            pkg: 'bash',
            version: '5.2.15-2',
            severity: 'critical',
            fixedVersions: ['5.2.15-2+deb12u9'],
          },
        ],
      }),
      packages: [],
    });
    // What the sensor recorded: a1 ran ls (owned by coreutils, per dpkg's file list in the container).
    await store.events.append({
      type: 'runtime.in-use',
      subject: a1,
      data: { containerId: a1, imageId: idA, files: ['/usr/bin/ls'] },
    });
  } finally {
    await store.close();
  }

  const r = await runCustoms(['ir', 'plan', 'CVE-2099-0001', '--store', dir, '-f', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const plan = JSON.parse(r.stdout) as RipPlan;
  const mine = plan.images.filter((i) => i.imageId === idA || i.imageId === idB);
  assert.deepEqual(
    mine.map((i) => i.imageId),
    [idB, idA],
    'same severity: the image with more running containers first',
  );
  const a = mine[1];
  assert.equal(a?.baseImage, tc.base);
  assert.deepEqual(a?.upgrades, [{ package: 'bash', from: '5.2.15-2', to: '5.2.15-2+deb12u9' }]);
  assert.deepEqual(
    a?.workloads.map((w) => [w.containerId, w.state]),
    [
      [a1, 'running'],
      [a2, 'exited'],
    ],
  );
  const stepsA = plan.steps.filter((s) => s.imageId === idA);
  assert.match(stepsA[0]?.detail ?? '', new RegExp(`FROM the newest ${tc.base}; upgrade bash → 5.2.15-2\\+deb12u9`));
  assert.match(stepsA[1]?.detail ?? '', /redeploy prod\/pay-0, /);
  assert.ok((stepsA[0]?.order ?? 0) > (plan.steps.find((s) => s.imageId === idB)?.order ?? 99));

  const byImage = await runCustoms(['ir', 'plan', imgA, '--store', dir, '-f', 'json']);
  const p2 = JSON.parse(byImage.stdout) as RipPlan;
  assert.deepEqual(
    p2.images[0]?.findings.map((f) => [f.id, f.inUse]),
    [
      ['CVE-2099-0002', true],
      ['CVE-2099-0001', false],
    ],
    'a finding on a package in use sorts before a worse one that is not',
  );
  assert.deepEqual(p2.images[0]?.unfixed, ['CVE-2099-0002 in coreutils']);

  const md = await runCustoms(['ir', 'plan', 'CVE-2099-0001', '--store', dir]);
  assert.match(md.stdout, /^# Rip and replace: CVE-2099-0001/);
  assert.match(md.stdout, /\| CVE-2099-0001 \| critical \| bash \| 5\.2\.15-2 \| 5\.2\.15-2\+deb12u9 \|/);
  const none = await runCustoms(['ir', 'plan', 'CVE-2099-9999', '--store', dir, '-f', 'json']);
  assert.equal(none.code, 0);
  assert.deepEqual((JSON.parse(none.stdout) as RipPlan).images, []);
});

test('the sensor scans active images the store does not know; ir plan then finds their workloads', {
  timeout: 150_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const work = await freshDir('ir-plan-scan');
  const db = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '-q', '--db-dir', join(work, 'db')]);
  assert.equal(db.code, 0, db.stderr);
  // A dpkg record of curl at a version the test feeds' Debian tracker says CVE-2023-38545 affects.
  const img = await tc.build(
    `FROM $BASE\nRUN printf '\\nPackage: curl\\nStatus: install ok installed\\nVersion: 7.88.1-10\\nArchitecture: amd64\\nMaintainer: t <t@example.org>\\nDescription: test\\n' >> /var/lib/dpkg/status\nLABEL customs.test=${tc.name('s')}\n`,
  );
  const id = await imageId(img);
  const c = await tc.start(['--name', tc.name('curl')], img);
  const store = join(work, 'store');
  // The sensor with no event source: it inventories the node, scans the images not yet in the
  // store and ends; its "images scanned" log line says which it scanned and which it knew.
  const sensorScan = async () => {
    const r = await runCustoms([
      'sensor',
      '--no-bpftrace',
      '--falco-json',
      '/dev/null',
      '--store',
      store,
      '--scan-images',
      '--db',
      join(work, 'db'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const line = r.stderr
      .split('\n')
      .filter((l) => l.includes('"images scanned"'))
      .map((l) => JSON.parse(l) as { data: { scanned: string[]; known: string[] } })[0];
    return { line, stderr: r.stderr };
  };
  const first = await sensorScan();
  assert.ok(first.line?.data.scanned.includes(id), first.stderr.slice(-2000));

  const plan = await runCustoms(['ir', 'plan', 'CVE-2023-38545', '--store', store, '-f', 'json']);
  assert.equal(plan.code, 1, plan.stderr);
  const p = JSON.parse(plan.stdout) as RipPlan;
  const mine = p.images.find((i) => i.imageId === id);
  assert.deepEqual(mine?.upgrades, [{ package: 'curl', from: '7.88.1-10', to: '7.88.1-10+deb12u4' }]);
  assert.deepEqual(
    mine?.workloads.map((w) => w.containerId),
    [c],
  );

  // A second run finds the scan in the store and does not scan again.
  const second = (await sensorScan()).line;
  assert.ok(second?.data.known.includes(id));
  assert.ok(!second?.data.scanned.includes(id));
});
