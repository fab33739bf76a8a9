import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { isCustomsError } from '../../core/index.js';
import { parseRpmdb } from './rpm-db.js';
import { readSqliteRpmdb } from './rpm-sqlite.js';
import { packageBlob, sqliteChildPointerOffsets, sqliteFile, sqliteRootPage } from './test-support/rpm-builders.js';

const DB = 'var/lib/rpm/rpmdb.sqlite';

/** The error readSqliteRpmdb throws on `bytes`, or undefined when it reads them. */
function errorOf(bytes: Buffer): { code: string; message: string } | undefined {
  try {
    readSqliteRpmdb(bytes, DB);
    return undefined;
  } catch (e) {
    assert.ok(isCustomsError(e), `not a CustomsError: ${String(e)}`);
    return { code: e.code, message: e.message };
  }
}

/**
 * Reads `bytes` in a child process killed (SIGKILL: SQLite busy in native
 * code ignores SIGTERM) after `seconds`, so an input that would spin forever
 * fails the test instead of hanging it.
 */
function errorOfInChild(bytes: Buffer, seconds: number): { code: string; message: string; ms: number } {
  const reader = new URL('./rpm-sqlite.js', import.meta.url).href;
  const script = `
    import { readFileSync } from 'node:fs';
    import { readSqliteRpmdb } from ${JSON.stringify(reader)};
    const bytes = readFileSync(0);
    const started = performance.now();
    try {
      readSqliteRpmdb(bytes, ${JSON.stringify(DB)});
      console.log(JSON.stringify({ code: 'none', message: 'read without error', ms: performance.now() - started }));
    } catch (e) {
      console.log(JSON.stringify({ code: e.code, message: e.message, ms: performance.now() - started }));
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: bytes,
    timeout: seconds * 1000,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
  });
  assert.equal(r.signal, null, `still reading after ${seconds} s (killed)`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { code: string; message: string; ms: number };
}

const crafted = (pattern: RegExp) => (e: { code: string; message: string } | undefined) => {
  assert.ok(e, 'the database was read');
  assert.equal(e.code, 'ANALYZE_FILE_INVALID', e.message);
  assert.match(e.message, /^var\/lib\/rpm\/rpmdb\.sqlite: /);
  assert.match(e.message, pattern);
  assert.match(e.message, /likely crafted or corrupt/);
};

test('an honest database built by SQLite reads back in hnum order', () => {
  const blobs = ['a', 'b', 'c'].map((n) => packageBlob(n, ['x']));
  const file = sqliteFile(blobs, { pageSize: 512 });
  assert.deepEqual(readSqliteRpmdb(file, DB), blobs);
  assert.deepEqual(
    parseRpmdb(file, DB).packages.map((p) => p.name),
    ['a', 'b', 'c'],
  );
});

test('a view named Packages over an endless recursive query is refused before SQLite runs it', () => {
  // Before: SELECT … FROM Packages ran the view inside SQLite forever, deaf to SIGTERM.
  const view = sqliteFile([], {
    schema:
      'CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS hnum, zeroblob(16) AS blob FROM n',
  });
  const e = errorOfInChild(view, 20);
  // The schema check names the view: SQLite was never asked to run it (run, it never ends).
  crafted(/a view named "Packages", which rpm never creates/)(e);
});

test('a view of zeroblobs sorted by blob is refused: no sorter, no temporary files', () => {
  // Before: 2,000 rows of 100 KB went through an ORDER BY sorter spilling to temporary files
  // (at scale, gigabytes in seconds), then failed as "0 tags".
  const view = sqliteFile([], {
    schema:
      'CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 2000) SELECT i AS hnum, zeroblob(100000) AS blob FROM n ORDER BY blob',
  });
  const e = errorOfInChild(view, 20);
  // Refused by the schema check, before any row is read or sorted.
  crafted(/a view named "Packages"/)(e);
});

test('schemas rpm never writes are refused: other views, triggers, indexes on Packages, other Packages shapes', () => {
  const blobs = [packageBlob('a')];
  crafted(/a view named "v"/)(errorOf(sqliteFile(blobs, { setup: 'CREATE VIEW v AS SELECT 1' })));
  crafted(/a trigger named "t"/)(
    errorOf(sqliteFile(blobs, { setup: 'CREATE TABLE x(a); CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END' })),
  );
  crafted(/an index "i" on Packages/)(
    errorOf(sqliteFile(blobs, { setup: 'CREATE INDEX i ON Packages(length(blob))' })),
  );
  for (const schema of [
    'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL, extra)',
    'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL) WITHOUT ROWID',
    'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB AS (zeroblob(1000000000)))',
    'CREATE VIRTUAL TABLE Packages USING fts5(hnum, blob)',
  ]) {
    // Each still accepts an INSERT of a blob, so the builder can fill it.
    let file: Buffer;
    try {
      file = sqliteFile(blobs, { schema });
    } catch {
      file = sqliteFile([], { schema });
    }
    crafted(/Packages table is not rpm's|not rpm's Packages table/)(errorOf(file));
  }
});

test('a Packages b-tree whose interior page points at one leaf many times (a DAG) is refused', () => {
  const blobs = Array.from({ length: 200 }, (_, i) => packageBlob(`p${i}`));
  const file = sqliteFile(blobs, { pageSize: 512 });
  const root = sqliteRootPage(file, 'Packages');
  const pointers = sqliteChildPointerOffsets(file, root);
  assert.ok(pointers.length > 10, 'the table spans many leaves');
  const leaf = file.readUInt32BE(pointers[0] as number);
  for (const at of pointers) file.writeUInt32BE(leaf, at);
  // Before: SQLite returned the first leaf's rows once per pointer, duplicated packages and all.
  crafted(new RegExp(`SQLite page ${leaf} is reached twice \\(table Packages\\): a b-tree shares pages`))(
    errorOf(file),
  );
});

test('an sqlite_master b-tree that is a DAG is refused before SQLite loads the schema', () => {
  // Enough tables that sqlite_master (page 1) becomes an interior page over several leaves.
  const setup = Array.from({ length: 60 }, (_, i) => `CREATE TABLE t${i} (a);`).join('');
  const file = sqliteFile([packageBlob('a')], { pageSize: 512, setup });
  const pointers = sqliteChildPointerOffsets(file, 1);
  const leaf = file.readUInt32BE(pointers[0] as number);
  for (const at of pointers) file.writeUInt32BE(leaf, at);
  crafted(/SQLite page \d+ is reached twice \(table sqlite_master\)/)(errorOf(file));
});

test('an overflow chain that loops is refused before SQLite follows it', () => {
  // One 4 KB blob on 512-byte pages: an overflow chain of about 8 pages.
  const file = sqliteFile([Buffer.concat([packageBlob('a'), Buffer.alloc(4000)])], { pageSize: 512 });
  const pageSize = 512;
  const next = (pgno: number): number => file.readUInt32BE((pgno - 1) * pageSize);
  const overflow: number[] = [];
  for (let pgno = 2; pgno <= file.length / pageSize; pgno++) {
    const type = file[(pgno - 1) * pageSize] as number;
    if (type === 0x0d || type === 0x05) continue; // b-tree pages; an overflow page starts with its next pointer
    overflow.push(pgno);
  }
  assert.ok(overflow.length >= 8, `overflow pages: ${overflow}`);
  // The chain in order, from the page no other page points at; its third page now points back at its first.
  const chain = [overflow.find((p) => !overflow.some((q) => next(q) === p)) as number];
  while (next(chain.at(-1) as number) !== 0) chain.push(next(chain.at(-1) as number));
  assert.equal(chain.length, overflow.length);
  file.writeUInt32BE(chain[0] as number, ((chain[2] as number) - 1) * pageSize);
  crafted(/reached twice \(an overflow chain of table Packages\)/)(errorOf(file));
});

test('a row claiming more payload than the whole file is refused', () => {
  const file = sqliteFile([Buffer.alloc(20_000, 1)], { pageSize: 4096 });
  const root = sqliteRootPage(file, 'Packages');
  const leaf = (root - 1) * 4096;
  assert.equal(file[leaf], 0x0d);
  const cell = leaf + file.readUInt16BE(leaf + 8);
  // Payload size 20,003 as a 3-byte varint; 2,000,000 fits the same three bytes.
  assert.equal((file[cell] as number) & 0x80, 0x80);
  const huge = 2_000_000;
  file[cell] = 0x80 | (huge >> 14);
  file[cell + 1] = 0x80 | ((huge >> 7) & 0x7f);
  file[cell + 2] = huge & 0x7f;
  crafted(/a row of table Packages claims 2000000 bytes, more than the whole file/)(errorOf(file));
});

test('a header declaring more pages than the file holds is refused', () => {
  const file = sqliteFile([packageBlob('a')]);
  file.writeUInt32BE(0x7fffffff, 28);
  const e = errorOf(file);
  assert.equal(e?.code, 'ANALYZE_FILE_INVALID');
  assert.match(e?.message ?? '', /declares 2147483647 pages but the file holds \d+/);
});
