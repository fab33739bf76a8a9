/**
 * rpm databases built from a package model, every length, offset, count and
 * page number recorded as a mutation point:
 *   header blobs (rpm's lib/header.c: il, dl, il index entries {tag, type,
 *   offset, count} big-endian, then dl data bytes);
 *   Berkeley DB hash files (db_page.h: hash metadata page, hash pages of
 *   key/data items, off-page items whose bytes sit in overflow-page chains);
 *   ndb Packages.db (rpmpkg.c: 'RpmP' header, 'Slot' pages, 'BlbS'…'BlbE' blobs
 *   with an Adler-32);
 *   rpmdb.sqlite (the Packages table rpm creates, or hostile schemas: views,
 *   recursive views, WITHOUT ROWID tables, columns of the wrong type).
 */
import Database from 'better-sqlite3';
import * as fc from 'fast-check';
import { RPMTAG } from '../../../src/analyze/os/rpm-header.js';
import { type Layout, MAX_INPUT, Writer, rarely } from '../mutate.js';

// ---------------------------------------------------------------- header blobs

/** rpm's tags as the reader knows them, plus the region tag a header starts with. */
export const TAG = { HEADERIMMUTABLE: 63, ...RPMTAG } as const;

/** rpmTagType: NULL CHAR INT8 INT16 INT32 INT64 STRING BIN STRING_ARRAY I18NSTRING. */
export type TagValue =
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'strs'; readonly v: readonly string[] }
  | { readonly k: 'ints'; readonly v: readonly number[] }
  | { readonly k: 'bytes'; readonly v: Uint8Array };

export interface TagSpec {
  readonly tag: number;
  readonly type: number;
  readonly value: TagValue;
}

export interface HeaderSpec {
  readonly tags: readonly TagSpec[];
  /**
   * The header-bomb shape: `entries` index entries that all read the same run
   * of `zeros` NUL bytes as a STRING_ARRAY of `count` empty strings.
   */
  readonly bomb: { readonly zeros: number; readonly entries: number; readonly count: number } | null;
}

const ALIGN: Record<number, number> = { 3: 2, 4: 4, 5: 8 };

export function headerLayout(spec: HeaderSpec): Layout {
  const data = new Writer();
  const index: { tag: number; type: number; offset: number; count: number }[] = [];
  for (const t of spec.tags) {
    const align = ALIGN[t.type] ?? 1;
    while (data.length % align !== 0) data.zeros(1);
    const offset = data.length;
    let count = 0;
    const v = t.value;
    if (v.k === 'str') {
      data.bytes(`${v.v.replaceAll('\0', '')}\0`);
      count = 1;
    } else if (v.k === 'strs') {
      for (const s of v.v) data.bytes(`${s.replaceAll('\0', '')}\0`);
      count = v.v.length;
    } else if (v.k === 'ints') {
      const width = t.type === 3 ? 2 : t.type === 2 || t.type === 1 ? 1 : 4;
      for (const n of v.v) {
        if (t.type === 5) data.int(0, 4, false, false);
        data.int(n % 2 ** (8 * width), width as 1 | 2 | 4, false, false);
      }
      count = v.v.length;
    } else {
      data.bytes(v.v);
      count = v.v.length;
    }
    index.push({ tag: t.tag, type: t.type, offset, count });
  }
  if (spec.bomb) {
    const zeros = Math.min(spec.bomb.zeros, MAX_INPUT / 2);
    const offset = data.length;
    data.zeros(zeros);
    const room = Math.floor(MAX_INPUT / 2 / 16);
    for (let i = 0; i < Math.min(spec.bomb.entries, room); i++)
      index.push({ tag: 2_000_000 + i, type: 8, offset, count: Math.min(spec.bomb.count, zeros + 1) });
  }
  const w = new Writer();
  w.int(index.length, 4, false).int(data.length, 4, false);
  const records: { at: number; size: number }[] = [];
  for (const e of index) {
    records.push({ at: w.length, size: 16 });
    w.int(e.tag, 4, false).int(e.type, 4, false).int(e.offset, 4, false).int(e.count, 4, false);
  }
  const at = w.length;
  w.bytes(data.done());
  return {
    bytes: w.done(),
    fields: [...w.fields, ...data.fields.map((f) => ({ ...f, at: f.at + at }))],
    records: [records],
  };
}

const word = fc.stringMatching(/^[a-z0-9][a-z0-9+._-]{0,20}$/);
const anyText = fc.oneof({ arbitrary: word, weight: 4 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });

const extraTag: fc.Arbitrary<TagSpec> = fc.oneof(
  fc.record({
    tag: fc.nat({ max: 6000 }),
    type: fc.constant(6),
    value: anyText.map((v) => ({ k: 'str' as const, v })),
  }),
  fc.record({
    tag: fc.nat({ max: 6000 }),
    type: fc.constantFrom(8, 9),
    value: fc.array(anyText, { maxLength: 6 }).map((v) => ({ k: 'strs' as const, v })),
  }),
  fc.record({
    tag: fc.nat({ max: 6000 }),
    type: fc.constantFrom(3, 4, 5),
    value: fc.array(fc.nat(), { maxLength: 6 }).map((v) => ({ k: 'ints' as const, v })),
  }),
  fc.record({
    tag: fc.oneof(fc.nat({ max: 6000 }), fc.constantFrom(61, 62, 63)),
    type: fc.constantFrom(0, 1, 2, 7, 10, 0xffffffff),
    value: fc.uint8Array({ maxLength: 32 }).map((v) => ({ k: 'bytes' as const, v })),
  }),
);

/** A package header as rpm writes one, with a few odd extra tags. */
export const headerSpec: fc.Arbitrary<HeaderSpec> = fc
  .record({
    name: fc.oneof(
      { arbitrary: fc.constantFrom('bash', 'openssl-libs', 'glibc'), weight: 3 },
      { arbitrary: fc.constant('gpg-pubkey'), weight: 1 },
      { arbitrary: anyText, weight: 2 },
    ),
    version: anyText,
    release: anyText,
    epoch: fc.option(fc.oneof(fc.nat({ max: 9 }), fc.constant(0xffffffff))),
    arch: fc.option(fc.constantFrom('x86_64', 'noarch', 'aarch64', '')),
    license: fc.option(anyText),
    sourcerpm: fc.option(
      fc.oneof(
        fc.tuple(word, word, word).map(([n, v, r]) => `${n}-${v}-${r}.src.rpm`),
        fc.constantFrom('(none)', '.src.rpm', '--.src.rpm', 'a-b.nosrc.rpm'),
      ),
    ),
    vendor: fc.option(anyText),
    modularity: rarely(anyText, 4),
    dirs: fc.array(fc.stringMatching(/^\/[a-z0-9/]{0,20}\/$/), { maxLength: 4 }),
    files: fc.oneof(
      { arbitrary: fc.array(fc.tuple(word, fc.nat({ max: 5 })), { maxLength: 8 }), weight: 30 },
      {
        arbitrary: fc
          .integer({ min: 100, max: 20_000 })
          .map((n) => Array.from({ length: n }, (_, i): [string, number] => [`f${i}`, 0])),
        weight: 1,
      },
    ),
    oldFiles: rarely(fc.array(fc.stringMatching(/^\/?[a-z0-9/]{0,20}$/), { maxLength: 4 }), 4),
    immutable: fc.boolean(),
    extra: fc.array(extraTag, { maxLength: 3 }),
    bomb: rarely(
      fc.record({
        zeros: fc.constantFrom(1024, 65536, 512 * 1024),
        entries: fc.constantFrom(16, 1024, 30_000),
        count: fc.constantFrom(1024, 65536, 512 * 1024),
      }),
      40,
    ),
  })
  .map((h): HeaderSpec => {
    const tags: TagSpec[] = [];
    if (h.immutable) tags.push({ tag: TAG.HEADERIMMUTABLE, type: 7, value: { k: 'bytes', v: new Uint8Array(16) } });
    tags.push({ tag: TAG.NAME, type: 6, value: { k: 'str', v: h.name } });
    tags.push({ tag: TAG.VERSION, type: 6, value: { k: 'str', v: h.version } });
    tags.push({ tag: TAG.RELEASE, type: 6, value: { k: 'str', v: h.release } });
    if (h.epoch !== null) tags.push({ tag: TAG.EPOCH, type: 4, value: { k: 'ints', v: [h.epoch] } });
    if (h.vendor !== null) tags.push({ tag: TAG.VENDOR, type: 6, value: { k: 'str', v: h.vendor } });
    if (h.license !== null) tags.push({ tag: TAG.LICENSE, type: 6, value: { k: 'str', v: h.license } });
    if (h.arch !== null) tags.push({ tag: TAG.ARCH, type: 6, value: { k: 'str', v: h.arch } });
    if (h.oldFiles !== null) tags.push({ tag: TAG.OLDFILENAMES, type: 8, value: { k: 'strs', v: h.oldFiles } });
    if (h.sourcerpm !== null) tags.push({ tag: TAG.SOURCERPM, type: 6, value: { k: 'str', v: h.sourcerpm } });
    if (h.files.length > 0) {
      tags.push({ tag: TAG.DIRINDEXES, type: 4, value: { k: 'ints', v: h.files.map(([, d]) => d) } });
      tags.push({ tag: TAG.BASENAMES, type: 8, value: { k: 'strs', v: h.files.map(([b]) => b) } });
      tags.push({ tag: TAG.DIRNAMES, type: 8, value: { k: 'strs', v: h.dirs.length > 0 ? h.dirs : ['/'] } });
    }
    if (h.modularity !== null) tags.push({ tag: TAG.MODULARITYLABEL, type: 6, value: { k: 'str', v: h.modularity } });
    tags.push(...h.extra);
    return { tags, bomb: h.bomb };
  });

// ---------------------------------------------------------------- Berkeley DB hash

export interface BdbSpec {
  readonly blobs: readonly Uint8Array[];
  readonly pageSize: 512 | 1024 | 4096 | 16384 | 65536;
  readonly le: boolean;
  /** rpm's record counter (key 0) as the first pair. */
  readonly counter: boolean;
  readonly unsorted: boolean;
  /** Off-page items after the first all point at the first one's overflow chain. */
  readonly sharedChain: boolean;
  /** Blobs above this size go off-page (a fraction of the page size). */
  readonly inlineMax: number;
}

const PAGE_HEADER = 26;

export function bdbLayout(spec: BdbSpec): Layout {
  const ps = spec.pageSize;
  const le = spec.le;
  const pages: Uint8Array[] = [];
  const fields: { page: number; at: number; width: 1 | 2 | 4 }[] = [];
  const offpage: { page: number; at: number }[] = [];
  const put = (page: number, at: number, value: number, width: 1 | 2 | 4, field = true): void => {
    const dv = new DataView((pages[page] as Uint8Array).buffer);
    if (width === 1) dv.setUint8(at, value);
    else if (width === 2) dv.setUint16(at, value, le);
    else dv.setUint32(at, value, le);
    if (field) fields.push({ page, at, width });
  };
  const newPage = (type: number): number => {
    const pgno = pages.length;
    pages.push(new Uint8Array(ps));
    put(pgno, 8, pgno, 4, false);
    put(pgno, 25, type, 1);
    fields.push({ page: pgno, at: 16, width: 4 }, { page: pgno, at: 20, width: 2 }, { page: pgno, at: 22, width: 2 });
    return pgno;
  };
  newPage(8); // metadata, filled in last

  /** An overflow chain holding `data`; returns its first page. */
  const chain = (data: Uint8Array): number => {
    const room = ps - PAGE_HEADER;
    let first = 0;
    let prev = 0;
    for (let off = 0; off === 0 || off < data.length; off += room) {
      const part = data.subarray(off, off + room);
      const pgno = newPage(7);
      put(pgno, 22, part.length, 2, false);
      (pages[pgno] as Uint8Array).set(part, PAGE_HEADER);
      if (prev !== 0) put(prev, 16, pgno, 4, false);
      else first = pgno;
      prev = pgno;
    }
    return first;
  };

  let page = newPage(spec.unsorted ? 2 : 13);
  let entries = 0;
  let top = ps;
  let shared: { pgno: number; len: number } | undefined;
  const place = (item: Uint8Array, isOffpage: boolean): void => {
    top -= item.length;
    (pages[page] as Uint8Array).set(item, top);
    put(page, PAGE_HEADER + entries * 2, top, 2);
    if (isOffpage) {
      offpage.push({ page, at: top });
      fields.push({ page, at: top + 4, width: 4 }, { page, at: top + 8, width: 4 });
    }
    entries++;
    put(page, 20, entries, 2, false);
  };
  const pairs: [Uint8Array, Uint8Array][] = [];
  if (spec.counter) pairs.push([new Uint8Array(4), new Uint8Array([spec.blobs.length & 0xff, 0, 0, 0])]);
  spec.blobs.forEach((b, i) => {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, i + 1, true);
    pairs.push([key, b]);
  });
  for (const [key, data] of pairs) {
    if ((pages.length + 2) * ps + data.length > MAX_INPUT) break;
    const keyItem = new Uint8Array(1 + key.length);
    keyItem[0] = 1;
    keyItem.set(key, 1);
    let dataItem: Uint8Array;
    let isOff = false;
    if (data.length + 1 <= spec.inlineMax && data.length + 1 + keyItem.length + 4 <= ps - PAGE_HEADER) {
      dataItem = new Uint8Array(1 + data.length);
      dataItem[0] = 1;
      dataItem.set(data, 1);
    } else {
      const target = spec.sharedChain && shared ? shared : { pgno: chain(data), len: data.length };
      shared ??= target;
      dataItem = new Uint8Array(12);
      dataItem[0] = 3;
      const dv = new DataView(dataItem.buffer);
      dv.setUint32(4, target.pgno, le);
      dv.setUint32(8, target.len, le);
      isOff = true;
    }
    if (PAGE_HEADER + (entries + 2) * 2 + keyItem.length + dataItem.length > top) {
      page = newPage(spec.unsorted ? 2 : 13);
      entries = 0;
      top = ps;
    }
    place(keyItem, false);
    place(dataItem, isOff);
  }
  // Metadata page (db_page.h HMETA): magic, version, page size, encrypt_alg, type, last_pgno.
  put(0, 12, 0x061561, 4, false);
  put(0, 16, 9, 4, false);
  put(0, 20, ps, 4);
  put(0, 24, 0, 1);
  put(0, 32, pages.length - 1, 4);
  const out = new Uint8Array(pages.length * ps);
  pages.forEach((p, i) => {
    out.set(p, i * ps);
  });
  return {
    bytes: out,
    fields: fields.map((f) => ({ at: f.page * ps + f.at, width: f.width, le })),
    records: [offpage.map((o) => ({ at: o.page * ps + o.at, size: 12 }))],
  };
}

// ---------------------------------------------------------------- ndb

export interface NdbSpec {
  readonly blobs: readonly Uint8Array[];
  readonly slotPages: number;
  /** Extra slots that repeat slot 0 (the same blob under many package indexes or the same one). */
  readonly dupSlots: number;
  readonly samePkgIdx: boolean;
}

/** RFC 1950 §8.2 Adler-32. */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of data) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function ndbLayout(spec: NdbSpec): Layout {
  const SLOT = 16;
  const PAGE = 4096;
  const slotsPerPage = PAGE / SLOT;
  // Enough slot pages for every blob and duplicate (at most 64: 16 382 slots).
  const needed = Math.ceil((spec.blobs.length + spec.dupSlots + 2) / slotsPerPage);
  const slotPages = Math.max(1, Math.min(Math.max(spec.slotPages, needed), 64));
  const capacity = slotPages * slotsPerPage - 2;
  const w = new Writer();
  w.int(0x506d7052, 4, true, false)
    .int(0, 4, true)
    .int(1, 4, true)
    .int(slotPages, 4, true)
    .int(spec.blobs.length + 1, 4, true);
  w.zeros(32 - w.length);
  const slotAt: number[] = [];
  for (let i = 0; i < capacity; i++) {
    slotAt.push(w.length);
    w.int(0x746f6c53, 4, true, false).zeros(12);
  }
  // Blobs.
  const placed: { pkgidx: number; blkoff: number; blkcnt: number }[] = [];
  spec.blobs.forEach((blob, i) => {
    const pkgidx = i + 1;
    const start = w.length;
    w.int(0x53626c42, 4, true, false).int(pkgidx, 4, true).int(1, 4, true).int(blob.length, 4, true).bytes(blob);
    const used = w.length - start + 12;
    const total = Math.ceil(used / 16) * 16;
    w.zeros(total - used);
    const sum = adler32(w.done().subarray(start));
    w.int(sum, 4, true).int(blob.length, 4, true).int(0x45626c42, 4, true, false);
    placed.push({ pkgidx, blkoff: start / 16, blkcnt: total / 16 });
  });
  const dups = Math.min(spec.dupSlots, capacity - placed.length);
  const first = placed[0];
  for (let i = 0; i < dups && first; i++)
    placed.push({ ...first, pkgidx: spec.samePkgIdx ? first.pkgidx : first.pkgidx + 1 + i });
  placed.slice(0, capacity).forEach((p, i) => {
    const at = slotAt[i] as number;
    w.patch(at + 4, p.pkgidx, 4, true)
      .patch(at + 8, p.blkoff, 4, true)
      .patch(at + 12, p.blkcnt, 4, true);
  });
  return { bytes: w.done(), fields: w.fields, records: [slotAt.map((at) => ({ at, size: SLOT }))] };
}

// ---------------------------------------------------------------- sqlite

export type SqliteSchema =
  | { readonly k: 'rpm' }
  | { readonly k: 'without-rowid' }
  | { readonly k: 'loose'; readonly value: 'text' | 'int' | 'null' | 'real' }
  | { readonly k: 'no-blob-column' }
  | { readonly k: 'view' }
  /** A view that never ends, or ends after `rows` rows of `size`-byte zero blobs. */
  | { readonly k: 'recursive-view'; readonly rows: number | null; readonly size: number }
  | { readonly k: 'missing' };

export interface SqliteSpec {
  readonly blobs: readonly Uint8Array[];
  readonly pageSize: 512 | 1024 | 4096 | 65536;
  readonly schema: SqliteSchema;
  readonly wal: boolean;
}

export const sqliteSchema: fc.Arbitrary<SqliteSchema> = fc.oneof(
  { arbitrary: fc.constant({ k: 'rpm' as const }), weight: 10 },
  { arbitrary: fc.constant({ k: 'without-rowid' as const }), weight: 1 },
  {
    arbitrary: fc
      .constantFrom('text' as const, 'int' as const, 'null' as const, 'real' as const)
      .map((value) => ({ k: 'loose' as const, value })),
    weight: 1,
  },
  { arbitrary: fc.constant({ k: 'no-blob-column' as const }), weight: 1 },
  { arbitrary: fc.constant({ k: 'view' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('recursive-view' as const),
      rows: fc.option(fc.constantFrom(10, 100_000, 10_000_000)),
      size: fc.constantFrom(0, 1000, 1_000_000),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ k: 'missing' as const }), weight: 1 },
);

export function sqliteLayout(spec: SqliteSpec): Layout {
  const db = new Database(':memory:');
  try {
    db.pragma(`page_size = ${spec.pageSize}`);
    const s = spec.schema;
    const insert = (sql: string, v: (b: Uint8Array) => unknown): void => {
      const st = db.prepare(sql);
      for (const b of spec.blobs) st.run(v(b));
    };
    switch (s.k) {
      case 'rpm':
        db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
        insert('INSERT INTO Packages (blob) VALUES (?)', (b) => Buffer.from(b));
        break;
      case 'without-rowid':
        db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB) WITHOUT ROWID');
        spec.blobs.forEach((b, i) => {
          db.prepare('INSERT INTO Packages VALUES (?, ?)').run(i + 1, Buffer.from(b));
        });
        break;
      case 'loose':
        db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob)');
        insert('INSERT INTO Packages (blob) VALUES (?)', (b) =>
          s.value === 'text'
            ? Buffer.from(b).toString('latin1')
            : s.value === 'int'
              ? b.length
              : s.value === 'real'
                ? 0.5
                : null,
        );
        break;
      case 'no-blob-column':
        db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, data BLOB)');
        insert('INSERT INTO Packages (data) VALUES (?)', (b) => Buffer.from(b));
        break;
      case 'view':
        db.exec('CREATE TABLE P (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
        db.exec('CREATE VIEW Packages AS SELECT hnum, blob FROM P');
        insert('INSERT INTO P (blob) VALUES (?)', (b) => Buffer.from(b));
        break;
      case 'recursive-view': {
        const limit = s.rows === null ? '' : ` WHERE x < ${s.rows}`;
        db.exec(
          `CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c${limit}) SELECT x AS hnum, zeroblob(${s.size}) AS blob FROM c`,
        );
        break;
      }
      case 'missing':
        db.exec('CREATE TABLE Other (x)');
        break;
    }
    const bytes = new Uint8Array(db.serialize());
    if (spec.wal && bytes.length >= 20) {
      bytes[18] = 2;
      bytes[19] = 2;
    }
    // SQLite header fields (fileformat2.html §1.3): page size, versions, reserved, counters, schema cookie …
    const be = (at: number, width: 1 | 2 | 4) => ({ at, width, le: false });
    const fields = [
      be(16, 2),
      be(18, 1),
      be(19, 1),
      be(20, 1),
      be(21, 1),
      be(28, 4),
      be(32, 4),
      be(36, 4),
      be(40, 4),
      be(44, 4),
      be(48, 4),
      be(52, 4),
      be(56, 4),
      be(64, 4),
    ];
    return { bytes, fields, records: [] };
  } finally {
    db.close();
  }
}
