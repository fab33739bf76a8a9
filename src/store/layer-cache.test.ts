/**
 * The layer cache is disposable: damaged files — generated here the way a
 * restored CI cache, a full disk or another program leaves them — are moved
 * aside and rebuilt with one warning; damaged rows are misses; `cache clean`
 * empties any of them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import type { LayerResult, MergedFacts } from '../analyze/index.js';
import type { LogEvent } from '../core/index.js';
import { cleanLayerCache, SqliteLayerCache } from './layer-cache.js';

const work = mkdtempSync(join(tmpdir(), 'customs-layer-cache-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const d = join(work, `c${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

function result(i: number, pad = 0): LayerResult {
  return {
    diffID: `sha256:${i.toString(16).padStart(64, '0')}`,
    findings: [
      {
        path: `usr/lib/pkg-${i}`,
        analyzer: 'test',
        result: {
          packages: [{ name: `p${i}`, note: 'x'.repeat(pad) }],
        } as unknown as LayerResult['findings'][0]['result'],
      },
    ],
    symlinks: [],
    whiteouts: [],
    opaqueDirs: [],
    unknowns: [],
    stats: { entries: 1, bytes: 10 },
  };
}

function withLog(): { events: LogEvent[]; log: (e: LogEvent) => void; warnings: () => string[] } {
  const events: LogEvent[] = [];
  return {
    events,
    log: (e) => events.push(e),
    warnings: () => events.filter((e) => e.kind === 'warn').map((e) => (e as { message: string }).message),
  };
}

const now = () => new Date('2030-01-02T03:04:05.678Z');
const asideName = 'layers.db.corrupt-2030-01-02T03-04-05-678Z';

/** A real cache with `rows` rows of `pad` bytes each, closed. */
function filledCache(dir: string, rows: number, pad: number): void {
  const c = new SqliteLayerCache(dir);
  for (let i = 0; i < rows; i++) c.put(`k${i}`, result(i, pad));
  c.close();
}

test('round trip: put then get gives the result back', () => {
  const dir = freshDir();
  const c = new SqliteLayerCache(dir);
  c.put('k', result(1));
  assert.deepEqual(c.get('k'), result(1));
  assert.equal(c.get('missing'), undefined);
  c.close();
});

test('processes opening a new cache at the same time all open it and write', async () => {
  const dir = freshDir();
  const module = new URL('./layer-cache.js', import.meta.url).href;
  // Each process opens the same new cache (creating it, switching it to WAL) and writes a row,
  // all at one moment: they wait for a start time past their own start-up.
  const start = Date.now() + 1500;
  const script = `const { SqliteLayerCache } = await import(${JSON.stringify(module)});
while (Date.now() < ${start});
const c = new SqliteLayerCache(${JSON.stringify(dir)});
c.put('k' + process.argv[1], ${JSON.stringify(result(1))});
c.close();`;
  const runs = [0, 1, 2, 3, 4, 5].map(
    (i) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(i)], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      }),
  );
  for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.stderr);
  const c = new SqliteLayerCache(dir);
  for (const i of [0, 1, 2, 3, 4, 5]) assert.deepEqual(c.get(`k${i}`), result(1));
  c.close();
});

test('a layers.db that is not a database is moved aside, warned about once, and rebuilt', () => {
  const dir = freshDir();
  writeFileSync(
    join(dir, 'layers.db'),
    Buffer.from('PK\u0003\u0004 a zip, a tarball, anything but SQLite '.repeat(200)),
  );
  const l = withLog();
  const c = new SqliteLayerCache(dir, { log: l.log, now });
  assert.equal(c.get('k'), undefined);
  c.put('k', result(2));
  assert.deepEqual(c.get('k'), result(2));
  c.close();
  assert.equal(l.warnings().length, 1);
  assert.match(l.warnings()[0] ?? '', new RegExp(`layers\\.db.*not a database.*${asideName}.*cache clean`));
  assert.ok(statSync(join(dir, asideName)).size > 0, 'the damaged file is kept aside');
});

test('a truncated layers.db (a full disk, a cut-off CI cache) is rebuilt, whether it fails on open or on first read', () => {
  for (const keep of [50, 4096, 40_000, 300_000]) {
    const dir = freshDir();
    filledCache(dir, 400, 2000);
    const full = statSync(join(dir, 'layers.db')).size;
    assert.ok(full > keep, `${full} bytes`);
    truncateSync(join(dir, 'layers.db'), keep);
    const l = withLog();
    const c = new SqliteLayerCache(dir, { log: l.log, now });
    for (let i = 0; i < 400; i++) {
      const hit = c.get(`k${i}`);
      // Whatever survived must be exactly what was stored.
      if (hit) assert.deepEqual(hit, result(i, 2000));
    }
    c.put('new', result(9));
    assert.deepEqual(c.get('new'), result(9));
    c.close();
    assert.equal(l.warnings().length, 1, `${keep}: ${l.warnings().join(' | ')}`);
    assert.match(l.warnings()[0] ?? '', /malformed|not a database/);
    assert.ok(existsSync(join(dir, asideName)), `${keep}: moved aside`);
  }
});

test('a foreign SQLite database at layers.db is moved aside intact, not emptied', () => {
  const dir = freshDir();
  const other = new Database(join(dir, 'layers.db'));
  other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);');
  other.close();
  const l = withLog();
  const c = new SqliteLayerCache(dir, { log: l.log, now });
  c.put('k', result(3));
  assert.deepEqual(c.get('k'), result(3));
  c.close();
  assert.match(l.warnings()[0] ?? '', /no customs schema/);
  const kept = new Database(join(dir, asideName), { readonly: true });
  assert.deepEqual(kept.prepare('SELECT total FROM invoices').all(), [{ total: 9.5 }]);
  kept.close();
});

test('a cache of the previous schema is emptied in place (it is ours), without a warning', () => {
  const dir = freshDir();
  const old = new Database(join(dir, 'layers.db'));
  old.exec(
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '1');" +
      "CREATE TABLE layers (key TEXT PRIMARY KEY, result TEXT NOT NULL, created INTEGER NOT NULL); INSERT INTO layers VALUES ('k', '{}', 0);",
  );
  old.close();
  const l = withLog();
  const c = new SqliteLayerCache(dir, { log: l.log, now });
  assert.equal(c.get('k'), undefined);
  c.put('k', result(4));
  assert.deepEqual(c.get('k'), result(4));
  c.close();
  assert.deepEqual(l.warnings(), []);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('corrupt')),
    [],
  );
});

test('a damaged row is a miss, never an error: bad checksum, bad JSON, wrong shape', () => {
  const dir = freshDir();
  const c = new SqliteLayerCache(dir);
  for (const k of ['flipped', 'json', 'shape', 'good']) c.put(k, result(5));
  c.close();
  const raw = new Database(join(dir, 'layers.db'));
  // A byte changed in the stored JSON (bit rot, a torn write): the checksum no longer matches.
  raw.prepare("UPDATE layers SET result = replace(result, 'pkg-5', 'pkg-6') WHERE key = 'flipped'").run();
  // Rows whose checksum matches but whose content is not a layer result.
  const sum = (t: string): string => `sha256:${createHash('sha256').update(t).digest('hex')}`;
  for (const [k, text] of [
    ['json', '{"diffID": "sha256:00", "findings": ['],
    ['shape', '{"diffID": 5, "findings": "none"}'],
  ] as const) {
    raw.prepare('UPDATE layers SET result = ?, digest = ? WHERE key = ?').run(text, sum(text), k);
  }
  raw.close();
  const l = withLog();
  const again = new SqliteLayerCache(dir, { log: l.log });
  assert.equal(again.get('flipped'), undefined);
  assert.equal(again.get('json'), undefined);
  assert.equal(again.get('shape'), undefined);
  assert.deepEqual(again.get('good'), result(5));
  again.close();
  assert.deepEqual(l.warnings(), []);
});

/** A merged analysis with every field filled, its set and map included. */
function merged(): MergedFacts {
  return {
    os: [{ path: 'etc/os-release', os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' } }],
    packages: [
      {
        fact: { ecosystem: 'deb', name: 'bash', version: '5.2.15-2+b2' },
        path: 'var/lib/dpkg/status',
        analyzer: 'dpkg-status',
        layerIndex: 0,
      },
    ],
    ownedFiles: new Set(['usr/lib/python3/dist-packages/x/METADATA']),
    unknowns: [],
    layerCount: 2,
    symlinks: new Map([['bin', 'usr/bin']]),
    secrets: [
      {
        fact: { ruleId: 'r', category: 'generic', title: 't', severity: 'high', match: 'x***', line: 1 },
        path: 'app/.env',
        analyzer: 'secrets',
        layerIndex: 0,
        hiddenByLayerIndex: 1,
      },
    ],
    malware: [],
    fileFacts: [],
    packageLicenses: [{ fact: { ecosystem: 'deb', name: 'bash', licenses: ['GPL-3+'] }, path: 'p', layerIndex: 1 }],
  };
}

test('an image merge round-trips with its set and map; a damaged or misshapen one is a miss; clean removes it', () => {
  const dir = freshDir();
  const c = new SqliteLayerCache(dir);
  for (const k of ['m', 'flipped', 'shape']) c.putMerged(k, merged());
  const back = c.getMerged('m');
  assert.deepEqual(back, merged());
  assert.ok(back?.ownedFiles instanceof Set && back.symlinks instanceof Map);
  // A layer row is not a merge, nor a merge a layer row.
  c.put('layer', result(1));
  assert.equal(c.getMerged('layer'), undefined);
  assert.equal(c.get('m'), undefined);
  c.close();
  const raw = new Database(join(dir, 'layers.db'));
  raw.prepare("UPDATE layers SET result = replace(result, 'bash', 'dash') WHERE key = 'flipped'").run();
  const text = JSON.stringify({ ...merged(), ownedFiles: [7], symlinks: [] });
  raw
    .prepare('UPDATE layers SET result = ?, digest = ? WHERE key = ?')
    .run(text, `sha256:${createHash('sha256').update(text).digest('hex')}`, 'shape');
  raw.close();
  const again = new SqliteLayerCache(dir);
  assert.equal(again.getMerged('flipped'), undefined);
  assert.equal(again.getMerged('shape'), undefined);
  assert.deepEqual(again.getMerged('m'), merged());
  again.close();
  const cleaned = cleanLayerCache(dir);
  assert.deepEqual([cleaned.removedLayers, cleaned.removedImages], [1, 3]);
  const empty = new SqliteLayerCache(dir);
  assert.equal(empty.getMerged('m'), undefined);
  empty.close();
});

test('cleanLayerCache: a valid cache is emptied and shrinks (VACUUM); a damaged one and moved-aside copies are deleted', () => {
  const dir = freshDir();
  filledCache(dir, 300, 4000);
  const big = statSync(join(dir, 'layers.db')).size;
  const r = cleanLayerCache(dir);
  assert.deepEqual([r.removedLayers, r.removedImages], [300, 0]);
  assert.ok(r.bytesBefore >= big);
  assert.ok(r.bytesAfter < big / 10, `${r.bytesAfter} bytes after, ${big} before`);
  assert.ok(statSync(join(dir, 'layers.db')).size < big / 10);
  const c = new SqliteLayerCache(dir);
  assert.equal(c.get('k1'), undefined);
  c.close();

  const bad = freshDir();
  writeFileSync(join(bad, 'layers.db'), 'garbage'.repeat(1000));
  writeFileSync(join(bad, 'layers.db-wal'), 'garbage');
  writeFileSync(join(bad, `${asideName}`), 'older garbage');
  writeFileSync(join(bad, 'unrelated.txt'), 'kept');
  const r2 = cleanLayerCache(bad);
  assert.deepEqual([r2.removedLayers, r2.removedImages], [0, 0]);
  assert.deepEqual(readdirSync(bad), ['unrelated.txt']);
  assert.equal(r2.bytesAfter, 0);

  const truncated = freshDir();
  filledCache(truncated, 200, 2000);
  truncateSync(join(truncated, 'layers.db'), 20_000);
  cleanLayerCache(truncated);
  const fresh = new SqliteLayerCache(truncated);
  fresh.put('k', result(1));
  assert.deepEqual(fresh.get('k'), result(1));
  fresh.close();

  // No cache at all: nothing to do, no error.
  assert.deepEqual(cleanLayerCache(join(work, 'never-created')).removedFiles, []);
});

test('a memo row round-trips by name; a damaged one reads as nothing; clean removes it', () => {
  const dir = freshDir();
  const c = new SqliteLayerCache(dir);
  c.writeMemo('license-normalize/1/0.1.0', [['MIT', { spdx: 'MIT' }]]);
  assert.deepEqual(c.readMemo('license-normalize/1/0.1.0'), [['MIT', { spdx: 'MIT' }]]);
  assert.equal(c.readMemo('license-normalize/2/0.1.0'), undefined);
  assert.equal(c.get('license-normalize/1/0.1.0'), undefined, 'a memo row is not a layer');
  c.close();
  const raw = new Database(join(dir, 'layers.db'));
  raw.prepare("UPDATE layers SET result = replace(result, 'MIT', 'GPL') WHERE kind = 'memo'").run();
  raw.close();
  const again = new SqliteLayerCache(dir);
  assert.equal(again.readMemo('license-normalize/1/0.1.0'), undefined);
  again.close();
});
