import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { zipSync } from 'fflate';
import { createContext, type Context, dbPath } from '../core/index.js';
import { buildDb } from './build-db.js';
import { exportVulnDb } from './bundle.js';
import { vulnDbStatus } from './db-status.js';
import { openVulnDb } from './db-reader.js';
import { importVulnDb } from './import-db.js';
import { loadPaths } from './load-feed.js';
import { updateVulnDb } from './update-db.js';

const FEEDS = fileURLToPath(new URL('../../test/feeds/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'customs-vulndb-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `db${n++}`);
const ctxFor = (
  dbDir: string,
  extra: { signal?: AbortSignal; now?: () => Date; feedUrls?: Record<string, string> } = {},
): Context =>
  createContext({
    config: { dbDir, feedUrls: extra.feedUrls ?? {} },
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.now ? { now: extra.now } : {}),
  });

test('import test/feeds: every source counted, lookups by (ecosystem, name), enrichment merged', async () => {
  const dir = freshDir();
  const meta = await importVulnDb([FEEDS], ctxFor(dir));
  assert.deepEqual(
    meta.sources.map((s) => [s.name, s.skipped]),
    [
      ['alpine-secdb', 0],
      ['debian-tracker', 0],
      ['epss', 0],
      ['kev', 0],
      ['nvd', 0],
      ['osv:feeds', 0],
    ],
  );
  const db = openVulnDb(dbPath(dir));
  try {
    const curl = db.affecting('Debian:12', 'curl').map((m) => [m.advisory.id, m.affected.ranges[0]?.events[1]]);
    assert.deepEqual(curl, [
      ['CVE-2023-38545', { fixed: '7.88.1-10+deb12u4' }],
      ['DSA-5510-1', { fixed: '7.88.1-10+deb12u4' }],
    ]);
    assert.equal(db.affecting('PyPI', 'REQUESTS').length, 1, 'PyPI names are PEP 503-normalised on both sides');
    assert.deepEqual(db.affecting('Debian:11', 'curl'), []);
    assert.ok(db.hasEcosystem('Alpine:v3.19') && db.hasEcosystem('Ubuntu:22.04') && !db.hasEcosystem('Debian:13'));
    const e = db.enrichment('CVE-2021-44228');
    assert.equal(e?.kev?.ransomware, true);
    assert.equal(e?.epss?.score, 0.97565);
    assert.equal(e?.severity[0]?.score, 10);
    assert.equal(db.enrichment('CVE-1999-0001'), undefined);
    assert.deepEqual(
      db.advisoriesById?.('CVE-2021-44228').map((a) => a.id),
      ['GHSA-jfh8-c2jp-5v3q'],
    );
    assert.ok(
      db.advisoriesById?.('CVE-2023-38545').some((a) => a.id === 'USN-6429-1'),
      'upstream IDs are searchable',
    );
  } finally {
    db.close();
  }
});

test('the same advisory in two archives is stored once; bad entries counted by reason', async () => {
  const dir = freshDir();
  const rec = readFileSync(join(FEEDS, 'osv', 'maven-GHSA-jfh8-c2jp-5v3q.json'));
  const zip = join(root, 'Maven-all.zip');
  writeFileSync(
    zip,
    zipSync({
      'GHSA-jfh8-c2jp-5v3q.json': rec,
      'bad.json': Buffer.from('{"id":1,"modified":"2024-01-01T00:00:00Z"}'),
      'junk.json': Buffer.from('nope'),
    }),
  );
  const zip2 = join(root, 'again.zip');
  writeFileSync(zip2, zipSync({ 'GHSA-jfh8-c2jp-5v3q.json': rec }));
  const meta = await importVulnDb([zip, zip2], ctxFor(dir));
  assert.equal(meta.advisories, 1);
  assert.deepEqual(meta.sources[0]?.skipReasons, { 'not JSON': 1, 'schema: /id: Expected string': 1 });
});

test('reader refuses a missing file, a non-DB and another schema version with the fix', async () => {
  assert.throws(() => openVulnDb(join(root, 'nope.db')), { code: 'VULNDB_MISSING', message: /customs db update/ });
  const junk = join(root, 'junk.db');
  writeFileSync(junk, 'not sqlite at all, just text'.repeat(100));
  assert.throws(() => openVulnDb(junk), { code: 'VULNDB_CORRUPT' });
  const dir = freshDir();
  await importVulnDb([join(FEEDS, 'kev.json')], ctxFor(dir));
  const raw = new Database(dbPath(dir));
  raw.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
  raw.close();
  assert.throws(() => openVulnDb(dbPath(dir)), {
    code: 'VULNDB_SCHEMA_UNSUPPORTED',
    message: /version 99.*customs db update/,
  });
});

test('an interrupted build leaves the old DB intact and no temporary file', async () => {
  const dir = freshDir();
  await importVulnDb([join(FEEDS, 'kev.json')], ctxFor(dir));
  const before = readFileSync(dbPath(dir));
  const ac = new AbortController();
  await assert.rejects(
    buildDb(
      dir,
      async (w) => {
        await loadPaths(w, [FEEDS], { fetchedAt: 'now' });
        ac.abort(); // mid-build: data written, not yet finished
      },
      { now: () => new Date(), signal: ac.signal },
    ),
    { code: 'ABORTED' },
  );
  await assert.rejects(importVulnDb([join(FEEDS, 'osv'), join(root, 'missing-path')], ctxFor(dir)), {
    code: 'VULNDB_FEED_INVALID',
  });
  assert.deepEqual(readFileSync(dbPath(dir)), before);
  assert.deepEqual(readdirSync(dir), ['customs.db']);
  const db = openVulnDb(dbPath(dir));
  assert.deepEqual(
    db.metadata.sources.map((s) => s.name),
    ['kev'],
  );
  db.close();
});

test('a reader keeps its DB while an update swaps in a new one', async () => {
  const dir = freshDir();
  await importVulnDb([join(FEEDS, 'kev.json')], ctxFor(dir));
  const old = openVulnDb(dbPath(dir));
  await importVulnDb([FEEDS], ctxFor(dir));
  assert.equal(old.affecting('npm', 'lodash').length, 0);
  assert.ok(old.enrichment('CVE-2021-44228')?.kev);
  old.close();
  const fresh = openVulnDb(dbPath(dir));
  assert.equal(fresh.affecting('npm', 'lodash').length, 1);
  fresh.close();
});

test('export → import round trip verifies the sha256; a damaged bundle or missing checksum is refused', async () => {
  const dir = freshDir();
  await importVulnDb([FEEDS], ctxFor(dir));
  const bundle = join(root, 'bundle.gz');
  const { sha256 } = await exportVulnDb(dir, bundle);
  assert.equal(readFileSync(`${bundle}.sha256`, 'utf8'), `${sha256}  bundle.gz\n`);
  const target = freshDir();
  const meta = await importVulnDb([bundle], ctxFor(target));
  assert.equal(meta.advisories, 20);
  const bytes = readFileSync(bundle);
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
  const damaged = join(root, 'damaged.gz');
  writeFileSync(damaged, bytes);
  writeFileSync(`${damaged}.sha256`, `${sha256}  damaged.gz\n`);
  const other = freshDir();
  await assert.rejects(importVulnDb([damaged], ctxFor(other)), { code: 'VULNDB_CHECKSUM_MISMATCH' });
  const lone = join(root, 'lone.gz');
  writeFileSync(lone, readFileSync(bundle));
  await assert.rejects(importVulnDb([lone], ctxFor(other)), {
    code: 'VULNDB_CHECKSUM_MISMATCH',
    message: /lone\.gz\.sha256 is missing/,
  });
  assert.equal(existsSync(dbPath(other)), false);
});

test('status: age, counts, and a warning after 7 days', async () => {
  const dir = freshDir();
  const built = new Date('2024-06-01T00:00:00Z');
  await importVulnDb([FEEDS], ctxFor(dir, { now: () => built }));
  const fresh = vulnDbStatus(dir, new Date('2024-06-03T00:00:00Z'));
  assert.equal(fresh.stale, false);
  assert.equal(fresh.ageDays, 2);
  assert.deepEqual(fresh.warnings, []);
  const old = vulnDbStatus(dir, new Date('2024-06-09T00:00:01Z'));
  assert.equal(old.stale, true);
  assert.match(old.warnings[0] ?? '', /8 days old.*customs db update/);
  assert.throws(() => vulnDbStatus(freshDir(), new Date()), { code: 'VULNDB_MISSING' });
});

async function serve(files: Record<string, Buffer>): Promise<{ server: Server; base: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[(req.url ?? '').replace(/\?.*$/, '')];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

test('update fetches every feed from (mirror) URLs, NVD by pages, and swaps the DB', async () => {
  const osv = zipSync(
    Object.fromEntries(readdirSync(join(FEEDS, 'osv')).map((f) => [f, readFileSync(join(FEEDS, 'osv', f))])),
  );
  const { server, base, hits } = await serve({
    '/osv/all.zip': Buffer.from(osv),
    '/tracker.json': readFileSync(join(FEEDS, 'debian-tracker.json')),
    '/v3.19/main.json': readFileSync(join(FEEDS, 'alpine-secdb-v3.19-main.json')),
    '/nvd': readFileSync(join(FEEDS, 'nvd-cves.json')),
    '/kev.json': readFileSync(join(FEEDS, 'kev.json')),
    '/epss.csv.gz': readFileSync(join(FEEDS, 'epss_scores-current.csv.gz')),
  });
  try {
    const feedUrls: Record<string, string> = {
      'osv-npm': `${base}/osv/all.zip`,
      'debian-tracker': `${base}/tracker.json`,
      'alpine-secdb': `${base}/v3.19/main.json`,
      nvd: `${base}/nvd`,
      kev: `${base}/kev.json`,
      epss: `${base}/epss.csv.gz`,
    };
    for (const name of [
      'osv-debian',
      'osv-ubuntu',
      'osv-alpine',
      'osv-redhat',
      'osv-rocky',
      'osv-almalinux',
      'osv-suse',
      'osv-opensuse',
      'osv-wolfi',
      'osv-chainguard',
      'osv-pypi',
      'osv-go',
      'osv-maven',
      'osv-cratesio',
      'osv-rubygems',
      'osv-packagist',
      'osv-nuget',
    ])
      feedUrls[name] = '';
    const dir = freshDir();
    const meta = await updateVulnDb(ctxFor(dir, { feedUrls }), { nvdPageDelayMs: 0 });
    assert.deepEqual(
      meta.sources.map((s) => [s.name, s.records]),
      [
        ['osv-npm', 12],
        ['debian-tracker', 4],
        ['alpine-secdb', 4],
        ['nvd', 6],
        ['kev', 3],
        ['epss', 6],
      ],
    );
    assert.ok(hits.includes('/nvd?startIndex=0&resultsPerPage=2000'));
    assert.deepEqual(readdirSync(dir), ['customs.db'], 'downloads are removed');
    // An unreachable feed fails fast, names the URL and suggests import; the DB stays.
    const before = readFileSync(dbPath(dir));
    await assert.rejects(
      updateVulnDb(ctxFor(dir, { feedUrls: { ...feedUrls, kev: `${base}/gone.json` } }), { nvdPageDelayMs: 0 }),
      {
        code: 'VULNDB_FEED_UNREACHABLE',
        message: new RegExp(`${base}/gone.json: HTTP 404.*customs db import`),
      },
    );
    await assert.rejects(
      updateVulnDb(ctxFor(dir, { feedUrls: { ...feedUrls, epss: 'http://127.0.0.1:1/epss.csv.gz' } }), {
        nvdPageDelayMs: 0,
      }),
      {
        code: 'VULNDB_FEED_UNREACHABLE',
        message: /127\.0\.0\.1:1\/epss\.csv\.gz/,
      },
    );
    assert.deepEqual(readFileSync(dbPath(dir)), before);
    assert.deepEqual(readdirSync(dir), ['customs.db']);
    await assert.rejects(updateVulnDb(ctxFor(dir, { feedUrls: { nope: 'x' } })), { code: 'USAGE_BAD_FLAG' });
  } finally {
    server.close();
  }
});
