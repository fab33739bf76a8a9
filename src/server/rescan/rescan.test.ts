/**
 * The rescan's differential test: after a DB update that adds, changes and
 * withdraws advisories, the findings a rescan leaves on every stored image
 * equal those a full scan of the same inventory with the new DB records —
 * on SQLite and on PostgreSQL — while only the packages under changed keys
 * were re-matched. Inventories and both DB versions are generated.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { type FindingRecord, inventoryPackagesOf, openStore, type Store } from '../../store/index.js';
import { onPostgresCluster } from '../../store/test-support/postgres.js';
import { changedKeys, openVulnDb, packageKey } from '../../vulndb/index.js';
import { buildTestDb } from '../../vulndb/test-support/osv-records.js';
import type { ServerContext, ServerLog } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';
import { parseRescanPayload, RESCAN_BASELINE, rescanJob } from './job.js';
import { rescan } from './rescan.js';
import {
  advisoryKeyOf,
  namePool,
  nextAdvisories,
  oldAdvisories,
  scanDocumentOf,
  type SyntheticImage,
  syntheticImages,
} from './test-support/synthetic.js';

const POOL = namePool(
  [
    ['libssl3', 'openssl'],
    ['openssl', 'openssl'],
    ['curl', 'curl'],
    ['libcurl4', 'curl'],
    ['zlib1g', 'zlib'],
    ['libc6', 'glibc'],
    ['libc-bin', 'glibc'],
    ['liblzma5', 'xz-utils'],
    ['libxml2', 'libxml2'],
    ['libexpat1', 'expat'],
    ['libsqlite3-0', 'sqlite3'],
    ['libgnutls30', 'gnutls28'],
    ['libkrb5-3', 'krb5'],
    ['tar', 'tar'],
    ['bash', 'bash'],
    ['coreutils', 'coreutils'],
    ['libpcre2-8-0', 'pcre2'],
    ['libsystemd0', 'systemd'],
    ['perl-base', 'perl'],
    ['libgcrypt20', 'libgcrypt20'],
    ['libtasn1-6', 'libtasn1-6'],
    ['libzstd1', 'libzstd'],
    ['gpgv', 'gnupg2'],
    ['login', 'shadow'],
  ],
  ['lodash', 'minimist', 'express', 'JSONStream', 'axios', 'ws', 'qs', 'semver', 'debug', 'ms'],
  ['requests', 'urllib3', 'Jinja2', 'PyYAML', 'setuptools', 'zope.interface'],
);

const root = mkdtempSync(join(tmpdir(), 'customs-rescan-'));
let oldDb = '';
let newDb = '';
let oldDbNoHashes = '';
const images = syntheticImages(POOL, 48, 14, 7, 6);
const T0 = Date.UTC(2026, 0, 1);
const T1 = T0 + 86_400_000;

before(async () => {
  const old = oldAdvisories(POOL, 11);
  const next = nextAdvisories(old, POOL, 13, { changeShare: 0.12, withdrawShare: 0.06, added: 4 });
  oldDb = await buildTestDb(join(root, 'old'), old, { kev: [] });
  // The new DB also lists one CVE of an unchanged advisory in KEV: an enrichment-only change.
  const kev = old.find((a, i) => i > 3 && next.advisories.includes(a))?.aliases?.[0] ?? 'CVE-2026-10005';
  newDb = await buildTestDb(join(root, 'new'), next.advisories, { kev: [kev] });
  oldDbNoHashes = await buildTestDb(join(root, 'old-nohash'), old, { kev: [] });
  const db = new Database(oldDbNoHashes);
  db.exec("DELETE FROM meta WHERE key = 'change_hashes'; DROP TABLE key_hash; DROP TABLE advisory_hash;");
  db.close();
});
after(() => rmSync(root, { recursive: true, force: true }));

const quiet: ServerLog & { warnings: string[] } = {
  warnings: [],
  info: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  warn(obj: object, msg?: string) {
    this.warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  },
};

function contextOf(store: Store, dbPath?: string): ServerContext {
  return {
    store,
    log: quiet,
    dataDir: root,
    signal: new AbortController().signal,
    now: () => T1,
    ...(dbPath !== undefined ? { dbPath } : {}),
  };
}

/** A store holding every image scanned with `dbPath` at T0, tagged in its repository. */
async function seeded(target: string, clock: { t: number }, dbPath: string): Promise<Store> {
  const store = await openStore(target, { now: () => clock.t });
  const reg = await store.registries.add({ name: 'registry.example', url: 'https://registry.example' });
  const reader = openVulnDb(dbPath);
  try {
    for (const img of images) {
      const repo = await store.images.ensureRepository(reg.id, img.repository);
      await store.images.setTag(repo.id, img.digest.slice(7, 19), img.digest);
      await store.scans.record({
        imageDigest: img.digest,
        document: scanDocumentOf(img.inventory, reader),
        packages: inventoryPackagesOf(img.inventory),
      });
    }
  } finally {
    reader.close();
  }
  return store;
}

/** Everything about a stored finding but when it was last confirmed. */
const comparable = (f: FindingRecord) => ({
  ref: f.ref,
  findingId: f.findingId,
  severity: f.severity,
  packagePurl: f.packagePurl,
  fingerprint: f.fingerprint,
  data: f.data,
  firstSeenAt: f.firstSeenAt,
  fixedAt: f.fixedAt,
});

async function findingsOfAll(store: Store, list: readonly SyntheticImage[]) {
  const out: Record<string, ReturnType<typeof comparable>[]> = {};
  for (const img of list)
    out[img.digest] = (await store.findings.forImage(img.digest, { includeFixed: true })).map(comparable);
  return out;
}

/** The rows whose package or source package key is among the changed keys, counted from the inventories. */
function rowsUnderChangedKeys(): number {
  const changes = changedKeys(oldDb, newDb);
  assert.equal(changes.mode, 'keys');
  const keys = new Set(changes.mode === 'keys' ? changes.keys.map((k) => `${k.namespace}\u0000${k.name}`) : []);
  let n = 0;
  for (const img of images) {
    for (const p of img.inventory.packages) {
      const entry = POOL.find((e) => e.ecosystem === p.ecosystem && e.name === p.name);
      const k = advisoryKeyOf(entry ?? { ecosystem: 'npm', name: p.name });
      const binary = `${k.ecosystem}\u0000${packageKey(k.ecosystem, p.name)}`;
      const source = `${k.ecosystem}\u0000${packageKey(k.ecosystem, k.name)}`;
      if (keys.has(binary) || keys.has(source)) n++;
    }
  }
  return n;
}

function differential(name: string, newTarget: () => Promise<string>): void {
  describe(`rescan on ${name}`, () => {
    test('after a rescan every image holds the findings a full scan with the new DB records; only changed keys re-matched', async () => {
      const clockA = { t: T0 };
      const rescanned = await seeded(await newTarget(), clockA, oldDb);
      const clockB = { t: T0 };
      const scanned = await seeded(await newTarget(), clockB, oldDb);
      try {
        clockA.t = T1;
        const report = await rescan(contextOf(rescanned), { from: oldDb, to: newDb, batchSize: 7 });
        clockB.t = T1;
        const reader = openVulnDb(newDb);
        for (const img of images) {
          await scanned.scans.record({
            imageDigest: img.digest,
            document: scanDocumentOf(img.inventory, reader),
            packages: inventoryPackagesOf(img.inventory),
          });
        }
        reader.close();
        assert.deepEqual(await findingsOfAll(rescanned, images), await findingsOfAll(scanned, images));

        assert.equal(report.mode, 'keys');
        const total = images.reduce((n, i) => n + i.inventory.packages.length, 0);
        assert.equal(report.packages, rowsUnderChangedKeys(), 'exactly the rows under changed keys are re-matched');
        assert.ok(report.packages < total, `${report.packages} of ${total} rows re-matched`);
        for (const k of ['new', 'changed', 'withdrawn', 'fixed'] as const)
          assert.ok(report.findings[k] > 0, `the update exercises ${k} findings: ${JSON.stringify(report.findings)}`);

        // One digest event per CVE, naming the images and repositories it now affects.
        const events = await rescanned.events.list({ type: EVENT_TYPES.findingNew, limit: 1000 });
        assert.ok(events.length > 0);
        for (const e of events) {
          const data = e.data as { images: number; repositories: number; imageDigests: string[]; message: string };
          const holders = [];
          for (const img of images) {
            const open = await rescanned.findings.forImage(img.digest);
            if (open.some((f) => f.findingId === e.subject && f.firstSeenAt === T1)) holders.push(img.digest);
          }
          assert.deepEqual(data.imageDigests, holders.sort());
          assert.equal(data.images, holders.length);
          assert.match(
            data.message,
            new RegExp(`^${e.subject} now affects ${holders.length} images? in ${data.repositories} repositor(y|ies)$`),
          );
        }
        const kinds = new Set((await rescanned.events.list({ limit: 1000 })).map((e) => e.type));
        for (const t of [EVENT_TYPES.findingChanged, EVENT_TYPES.findingWithdrawn, EVENT_TYPES.findingFixed])
          assert.ok(kinds.has(t), `a ${t} event`);

        // Nothing changed since: a second rescan changes nothing and says nothing.
        const again = await rescan(contextOf(rescanned), { from: oldDb, to: newDb });
        assert.deepEqual(again.findings, { new: 0, changed: 0, withdrawn: 0, fixed: 0 });
        assert.equal(again.events, 0);
      } finally {
        await rescanned.close();
        await scanned.close();
      }
    });

    test('an old DB without change hashes: every inventory is re-matched, the log says why, the result is the same', async () => {
      const clockA = { t: T0 };
      const rescanned = await seeded(await newTarget(), clockA, oldDbNoHashes);
      const clockB = { t: T0 };
      const scanned = await seeded(await newTarget(), clockB, oldDbNoHashes);
      try {
        clockA.t = T1;
        quiet.warnings.length = 0;
        const report = await rescanJob(
          contextOf(rescanned, newDb),
          { from: oldDbNoHashes },
          new AbortController().signal,
        );
        assert.equal(report.mode, 'full');
        assert.match(report.reason ?? '', /built without change hashes/);
        assert.ok(quiet.warnings.some((w) => /re-matches every stored inventory.*built without change hashes/.test(w)));
        assert.equal(
          report.packages,
          images.reduce((n, i) => n + i.inventory.packages.length, 0),
        );
        clockB.t = T1;
        const reader = openVulnDb(newDb);
        for (const img of images) {
          await scanned.scans.record({
            imageDigest: img.digest,
            document: scanDocumentOf(img.inventory, reader),
            packages: inventoryPackagesOf(img.inventory),
          });
        }
        reader.close();
        assert.deepEqual(await findingsOfAll(rescanned, images), await findingsOfAll(scanned, images));
      } finally {
        await rescanned.close();
        await scanned.close();
      }
    });
  });
}

const dirs: string[] = [];
differential('SQLite', async () => {
  const d = mkdtempSync(join(tmpdir(), 'customs-rescan-store-'));
  dirs.push(d);
  return join(d, 'data');
});
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

onPostgresCluster(differential);

test('a rescan job payload names the old DB; "to" defaults to the server DB; bad payloads are usage errors', () => {
  assert.deepEqual(parseRescanPayload({ from: '/a.db' }, { dbPath: '/b.db' }), { from: '/a.db', to: '/b.db' });
  assert.deepEqual(parseRescanPayload({ from: '/a.db', to: '/c.db' }, { dbPath: '/b.db' }), {
    from: '/a.db',
    to: '/c.db',
  });
  assert.deepEqual(parseRescanPayload({ scheduledAt: 1 }, { dbPath: '/b.db' }), { from: undefined, to: '/b.db' });
  for (const bad of [[], 'x', { from: 3 }, { from: '' }, { from: '/a', to: 4 }])
    assert.throws(() => parseRescanPayload(bad, { dbPath: '/b.db' }), { code: 'USAGE_BAD_ARGUMENT' });
  assert.throws(() => parseRescanPayload({ from: '/a.db' }, {}), /needs a server DB/);
});

test('a scheduled rescan (no "from") records a baseline first, then rescans from it and moves it to the DB it matched with', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-rescan-job-'));
  dirs.push(dir);
  const dbFile = join(dir, 'db', 'customs.db');
  mkdirSync(join(dir, 'db'));
  copyFileSync(oldDb, dbFile);
  const clock = { t: T0 };
  const store = await seeded(join(dir, 'data'), clock, oldDb);
  try {
    clock.t = T1;
    const first = await rescanJob(contextOf(store, dbFile), { scheduledAt: T1 }, new AbortController().signal);
    assert.deepEqual(first, { mode: 'baseline', baseline: join(dir, 'db', RESCAN_BASELINE) });
    // The update renames a new file over the DB; the baseline keeps the old one.
    copyFileSync(newDb, `${dbFile}.new`);
    renameSync(`${dbFile}.new`, dbFile);
    const second = await rescanJob(contextOf(store, dbFile), {}, new AbortController().signal);
    assert.ok(second.mode === 'keys' && second.findings.new > 0, JSON.stringify(second));
    const third = await rescanJob(contextOf(store, dbFile), {}, new AbortController().signal);
    assert.ok(third.mode === 'keys' && third.changedKeys === 0, 'the baseline moved to the DB the last rescan used');
  } finally {
    await store.close();
  }
});
