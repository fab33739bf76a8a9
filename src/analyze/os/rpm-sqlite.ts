import Database from 'better-sqlite3';
import { CustomsError } from '../../core/index.js';
import { blobBudget, checkPackageCount, craftedDatabase } from './rpm-budget.js';

/** "SQLite format 3\0", the first 16 bytes of every SQLite database (sqlite.org/fileformat2.html §1.3). */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * How rpm's lib/backend/sqlite.c creates its one table:
 * `CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)`;
 * sqlite_master keeps it without "IF NOT EXISTS". Quoting and spacing may
 * differ between writers; anything else (a view, a virtual table, generated
 * columns, WITHOUT ROWID) is not rpm's database.
 */
const PACKAGES_SQL =
  /^CREATE\s+TABLE\s+(?:'Packages'|"Packages"|`Packages`|\[Packages\]|Packages)\s*\(\s*hnum\s+INTEGER\s+PRIMARY\s+KEY(?:\s+AUTOINCREMENT)?\s*,\s*blob\s+BLOB(?:\s+NOT\s+NULL)?\s*\)$/i;

/** SQLite's own BTCURSOR_MAX_DEPTH (btreeInt.h): it refuses b-trees deeper than this, so real files never have them. */
const MAX_BTREE_DEPTH = 20;

/**
 * Page cache for the read, in KiB (PRAGMA cache_size = -N). The deserialized
 * database is already in memory; 2 MiB is enough for one table scan and keeps
 * SQLite from caching a second copy of a large file.
 */
const SQLITE_CACHE_KIB = 2048;

/** b-tree page types (fileformat2.html §1.6). */
const TABLE_INTERIOR = 0x05;
const TABLE_LEAF = 0x0d;

function corrupt(source: string, why: string, cause?: unknown): CustomsError {
  return new CustomsError('ANALYZE_FILE_INVALID', `${source}: ${why}; the RPM database is corrupt`, cause);
}

/** The page geometry of an SQLite file, from its 100-byte header (fileformat2.html §1.3). */
interface Geometry {
  readonly bytes: Buffer;
  readonly pageSize: number;
  /** Page size less the reserved bytes at the end of each page. */
  readonly usable: number;
  /** Pages SQLite will use: the header's count when valid, else what the file holds. */
  readonly pages: number;
}

function geometry(bytes: Buffer, source: string): Geometry {
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw corrupt(source, 'not an SQLite database (bad header)');
  }
  const raw = bytes.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corrupt(source, `SQLite page size ${pageSize} is not a power of two between 512 and 65536`);
  }
  const usable = pageSize - (bytes[20] as number);
  if (usable < 480) throw corrupt(source, `SQLite usable page size ${usable} is below 480`);
  const inFile = Math.floor(bytes.length / pageSize);
  if (inFile < 1) throw corrupt(source, `the file is shorter than one ${pageSize}-byte page`);
  // §1.3.7: the in-header page count is used only when non-zero and its
  // version-valid-for number (offset 92) matches the change counter (24).
  const declared = bytes.readUInt32BE(28);
  const valid = declared !== 0 && bytes.readUInt32BE(92) === bytes.readUInt32BE(24);
  if (valid && declared > inFile) {
    throw corrupt(source, `the SQLite header declares ${declared} pages but the file holds ${inFile} (truncated?)`);
  }
  // rpm writes UTF-8 (encoding 1; 0 before any table exists); the schema reader below decodes UTF-8 only.
  const encoding = bytes.readUInt32BE(56);
  if (encoding > 1) throw corrupt(source, `SQLite text encoding ${encoding} is not UTF-8, which rpm writes`);
  return { bytes, pageSize, usable, pages: valid ? declared : inFile };
}

/** An SQLite varint (fileformat2.html §1.6): 1-9 bytes, big-endian, 7 bits each but all 8 of the ninth. */
function varint(bytes: Buffer, off: number, end: number): { value: bigint; len: number } {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    if (off + i >= end) return { value: -1n, len: 0 };
    const b = bytes[off + i] as number;
    if (i === 8) return { value: (v << 8n) | BigInt(b), len: 9 };
    v = (v << 7n) | BigInt(b & 0x7f);
    if (b < 0x80) return { value: v, len: i + 1 };
  }
  return { value: v, len: 9 };
}

type SqlValue = null | number | string | Buffer;

/** A record (fileformat2.html §2.1): header of serial types, then the values. */
function decodeRecord(payload: Buffer): SqlValue[] | undefined {
  const h = varint(payload, 0, payload.length);
  const headerLen = Number(h.value);
  if (h.len === 0 || headerLen < h.len || headerLen > payload.length) return undefined;
  const out: SqlValue[] = [];
  let p = h.len;
  let body = headerLen;
  while (p < headerLen) {
    const t = varint(payload, p, headerLen);
    if (t.len === 0) return undefined;
    p += t.len;
    const type = Number(t.value);
    const intSize = [0, 1, 2, 3, 4, 6, 8][type];
    if (type === 0) out.push(null);
    else if (intSize !== undefined) {
      if (body + intSize > payload.length) return undefined;
      out.push(intSize === 8 ? Number(payload.readBigInt64BE(body)) : payload.readIntBE(body, intSize));
      body += intSize;
    } else if (type === 7) {
      if (body + 8 > payload.length) return undefined;
      out.push(payload.readDoubleBE(body));
      body += 8;
    } else if (type === 8 || type === 9) out.push(type - 8);
    else if (type >= 12) {
      const n = Math.floor((type - 12) / 2);
      if (body + n > payload.length) return undefined;
      const v = payload.subarray(body, body + n);
      out.push(type % 2 === 0 ? v : v.toString('utf8'));
      body += n;
    } else return undefined; // 10, 11: reserved
  }
  return out;
}

/**
 * A structural walk of the table b-trees SQLite will read, before SQLite sees
 * the file. SQLite follows child and overflow pointers without checking that
 * a page is reached only once, so a crafted file whose interior pages all
 * point at one subtree (a DAG, not a tree) multiplies rows without bound:
 * SQLite spins in native code, unreachable by timers and signals. Here every
 * page may be reached once across all walked trees, cells may not overlap
 * within a page, rowids must rise and depth stays within SQLite's own limit:
 * the rows SQLite can then return are the cells physically in the file.
 */
class BtreeWalk {
  readonly #claimed: Uint8Array;

  constructor(
    private readonly g: Geometry,
    private readonly source: string,
  ) {
    this.#claimed = new Uint8Array(g.pages + 1);
  }

  #claim(pgno: number, what: string): number {
    if (!Number.isInteger(pgno) || pgno < 1 || pgno > this.g.pages) {
      throw corrupt(this.source, `${what} points at page ${pgno}, outside the database's ${this.g.pages} pages`);
    }
    if (this.#claimed[pgno] === 1) {
      throw craftedDatabase(this.source, `SQLite page ${pgno} is reached twice (${what}): a b-tree shares pages`);
    }
    this.#claimed[pgno] = 1;
    return (pgno - 1) * this.g.pageSize;
  }

  /**
   * Every row of the table b-tree rooted at `root`, in rowid order. With
   * `onRow`, each row's whole payload (local part + overflow pages) is handed
   * over; without, only its structure is checked.
   */
  table(root: number, name: string, onRow?: (payload: Buffer) => void): void {
    const { bytes, usable } = this.g;
    const where = `table ${name}`;
    let lastRowid: bigint | undefined;
    const stack: { pgno: number; depth: number }[] = [{ pgno: root, depth: 1 }];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const { pgno, depth } = next;
      if (depth > MAX_BTREE_DEPTH) {
        throw craftedDatabase(this.source, `${where} is deeper than SQLite's ${MAX_BTREE_DEPTH} levels`);
      }
      const base = this.#claim(pgno, where);
      const hdr = base + (pgno === 1 ? 100 : 0);
      const type = bytes[hdr];
      if (type !== TABLE_INTERIOR && type !== TABLE_LEAF) {
        throw corrupt(this.source, `page ${pgno} of ${where} is not a table b-tree page (type ${type})`);
      }
      const cells = bytes.readUInt16BE(hdr + 3);
      const pointers = hdr + (type === TABLE_INTERIOR ? 12 : 8);
      const contentStart = pointers + 2 * cells - base;
      if (contentStart > usable) throw corrupt(this.source, `page ${pgno} of ${where} lists ${cells} cells`);
      const spans: [number, number][] = [];
      const children: number[] = [];
      for (let i = 0; i < cells; i++) {
        const at = bytes.readUInt16BE(pointers + 2 * i);
        if (at < contentStart || at >= usable) {
          throw corrupt(this.source, `page ${pgno} of ${where} has a cell at offset ${at}`);
        }
        const cell = base + at;
        const pageEnd = base + usable;
        if (type === TABLE_INTERIOR) {
          const key = varint(bytes, cell + 4, pageEnd);
          if (key.len === 0) throw corrupt(this.source, `page ${pgno} of ${where} has a cell past its end`);
          spans.push([at, at + 4 + key.len]);
          children.push(bytes.readUInt32BE(cell));
          continue;
        }
        const size = varint(bytes, cell, pageEnd);
        const rowid = varint(bytes, cell + size.len, pageEnd);
        if (size.len === 0 || rowid.len === 0) {
          throw corrupt(this.source, `page ${pgno} of ${where} has a cell past its end`);
        }
        const id = BigInt.asIntN(64, rowid.value);
        if (lastRowid !== undefined && id <= lastRowid) {
          throw craftedDatabase(this.source, `${where} repeats or reorders rowid ${id} (after ${lastRowid})`);
        }
        lastRowid = id;
        if (size.value > BigInt(bytes.length)) {
          throw craftedDatabase(this.source, `a row of ${where} claims ${size.value} bytes, more than the whole file`);
        }
        const payloadSize = Number(size.value);
        const local = this.#localSize(payloadSize);
        const head = size.len + rowid.len;
        const end = at + head + local + (local < payloadSize ? 4 : 0);
        if (end > usable) throw corrupt(this.source, `page ${pgno} of ${where} has a cell past its end`);
        spans.push([at, end]);
        const parts = onRow ? [bytes.subarray(cell + head, cell + head + local)] : undefined;
        if (local < payloadSize) this.#overflow(bytes.readUInt32BE(base + end - 4), payloadSize - local, where, parts);
        if (onRow && parts) onRow(Buffer.concat(parts));
      }
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) {
        if ((spans[i] as [number, number])[0] < (spans[i - 1] as [number, number])[1]) {
          throw craftedDatabase(this.source, `page ${pgno} of ${where} has overlapping cells`);
        }
      }
      if (type === TABLE_INTERIOR) {
        children.push(bytes.readUInt32BE(hdr + 8)); // the right-most child
        // Depth-first, leftmost child first: leaves come in rowid order.
        for (let i = children.length - 1; i >= 0; i--) stack.push({ pgno: children[i] as number, depth: depth + 1 });
      }
    }
  }

  /** The part of a table-leaf payload kept on its page (fileformat2.html §1.6, "cell payload overflow"). */
  #localSize(payload: number): number {
    const u = this.g.usable;
    const x = u - 35;
    if (payload <= x) return payload;
    const m = Math.floor(((u - 12) * 32) / 255) - 23;
    const k = m + ((payload - m) % (u - 4));
    return k <= x ? k : m;
  }

  /** An overflow chain: each page a 4-byte next pointer then up to usable - 4 payload bytes. */
  #overflow(first: number, remaining: number, where: string, parts: Buffer[] | undefined): void {
    const room = this.g.usable - 4;
    let pgno = first;
    while (remaining > 0) {
      const base = this.#claim(pgno, `an overflow chain of ${where}`);
      const take = Math.min(remaining, room);
      parts?.push(this.g.bytes.subarray(base + 4, base + 4 + take));
      remaining -= take;
      pgno = this.g.bytes.readUInt32BE(base);
    }
  }
}

/**
 * Checks rpm's schema and walks every b-tree SQLite will read (sqlite_master,
 * the statistics tables SQLite loads with the schema, Packages) before SQLite
 * opens the file. Views and triggers are refused outright: rpm makes none, and
 * a view named Packages runs arbitrary SQL (an endless recursive query, sorts
 * that spill gigabytes to disk) inside SQLite where no deadline reaches it.
 */
function checkSchema(g: Geometry, source: string): void {
  const walk = new BtreeWalk(g, source);
  const schema: SqlValue[][] = [];
  walk.table(1, 'sqlite_master', (payload) => {
    const row = decodeRecord(payload);
    if (!row || row.length < 5) throw corrupt(source, 'an sqlite_master row is not a schema record');
    schema.push(row);
  });
  let packagesRoot: number | undefined;
  const stats: { root: number; name: string }[] = [];
  for (const [type, name, table, root, sql] of schema) {
    if (typeof type !== 'string' || typeof name !== 'string') {
      throw corrupt(source, 'an sqlite_master row has no type or name');
    }
    if (type === 'view' || type === 'trigger') {
      throw craftedDatabase(source, `the SQLite schema has a ${type} named "${name}", which rpm never creates`);
    }
    const isPackages = name.toLowerCase() === 'packages';
    if (isPackages && type !== 'table') {
      throw craftedDatabase(source, `"${name}" is an SQLite ${type}, not rpm's Packages table`);
    }
    if (typeof table === 'string' && table.toLowerCase() === 'packages' && type === 'index') {
      throw craftedDatabase(source, `the SQLite schema has an index "${name}" on Packages, which rpm never creates`);
    }
    if (type !== 'table') continue;
    if (isPackages) {
      if (packagesRoot !== undefined) throw craftedDatabase(source, 'the SQLite schema lists Packages twice');
      if (typeof sql !== 'string' || !PACKAGES_SQL.test(sql.trim())) {
        throw craftedDatabase(
          source,
          `the SQLite Packages table is not rpm's (hnum INTEGER PRIMARY KEY, blob BLOB): ${String(sql).slice(0, 200)}`,
        );
      }
      if (typeof root !== 'number') throw corrupt(source, 'the Packages table has no root page');
      packagesRoot = root;
    } else if (/^sqlite_stat\d$/i.test(name)) {
      if (typeof root !== 'number') throw corrupt(source, `${name} has no root page`);
      stats.push({ root, name });
    }
  }
  if (packagesRoot === undefined) {
    throw corrupt(source, 'the SQLite database has no Packages table; it is not an rpm database');
  }
  walk.table(packagesRoot, 'Packages');
  for (const { root, name } of stats) walk.table(root, name);
}

/**
 * Header blobs of rpm's sqlite backend (lib/backend/sqlite.c: table
 * `Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)`). The file is
 * checked first (checkSchema), then read through sqlite3_deserialize: no
 * file, so no locks, journal or temporary file (what `immutable=1` gives a
 * file on disk), opened read-only and query-only, temporary storage in
 * memory. Our one query is a plain scan in rowid order (no ORDER BY, so no
 * sorter); rows are taken one at a time under the package cap and the blob
 * budget (rpm-budget.ts).
 */
export function readSqliteRpmdb(bytes: Buffer, source: string): Buffer[] {
  const g = geometry(bytes, source);
  checkSchema(g, source);
  // rpm opens its database in WAL mode (header bytes 18-19 = 2). A deserialized
  // database has no -wal/-shm files to go with it, and SQLite refuses WAL there;
  // marking the copy as rollback-journal (1) reads the same committed pages.
  const copy = Buffer.from(bytes);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  const budget = blobBudget(source, bytes.length);
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    db.pragma('query_only = ON');
    db.pragma('trusted_schema = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
    db.pragma('mmap_size = 0');
    db.pragma('cell_size_check = ON');
    db.pragma(`max_page_count = ${g.pages}`);
    const out: Buffer[] = [];
    let last = Number.NEGATIVE_INFINITY;
    const rows = db.prepare('SELECT hnum, blob FROM Packages').raw(true).iterate() as IterableIterator<unknown[]>;
    for (const [hnum, blob] of rows) {
      checkPackageCount(source, out.length);
      if (typeof hnum !== 'number' || hnum <= last) {
        throw craftedDatabase(source, `Packages row ${String(hnum)} comes after row ${last}`);
      }
      last = hnum;
      if (!Buffer.isBuffer(blob)) throw corrupt(source, `Packages row ${hnum} holds no blob`);
      budget.spend(blob.length, `Packages row ${hnum}'s ${blob.length}-byte blob`);
      out.push(blob);
    }
    return out;
  } catch (e) {
    if (e instanceof CustomsError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new CustomsError(
      'ANALYZE_FILE_INVALID',
      `${source}: SQLite cannot read the rpm Packages table (${why}); the RPM database is corrupt or not rpm's`,
      e,
    );
  } finally {
    db?.close();
  }
}
