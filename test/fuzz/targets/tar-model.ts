/**
 * Tar archives built field by field (POSIX.1-2017 pax(1) "ustar Interchange
 * Format", "pax Header Block"; GNU long names 'L'/'K', base-256 numbers), so a
 * generator can get every field wrong on purpose: sizes that disagree with the
 * body, base-256 and garbage numbers, bad or signed checksums, pax records with
 * bad lengths or hostile keys, global headers, long names, hostile paths,
 * missing end-of-archive marker, trailing garbage, entries repeated many times.
 */
import * as fc from 'fast-check';
import { MAX_INPUT, rarely } from '../mutate.js';

const BLOCK = 512;

export type SizeSpec =
  | { readonly k: 'exact' }
  | { readonly k: 'octal'; readonly v: number }
  | { readonly k: 'base256'; readonly v: number; readonly negative: boolean }
  | { readonly k: 'text'; readonly s: string };

export interface PaxRecord {
  readonly key: string;
  readonly value: string;
  /** Declared record length: the right one, or off by `delta`, or an arbitrary number. */
  readonly len:
    | { readonly k: 'ok' }
    | { readonly k: 'delta'; readonly d: number }
    | { readonly k: 'text'; readonly s: string };
}

export interface EntrySpec {
  readonly typeflag: string;
  readonly name: string;
  readonly prefix: string;
  readonly linkname: string;
  readonly mode: number;
  readonly magic: 'posix' | 'gnu' | 'none';
  readonly checksum: 'ok' | 'signed' | 'bad' | 'blank';
  readonly size: SizeSpec;
  /** Body bytes written after the header (for 'x'/'g' the pax records, for 'L'/'K' the long name). */
  readonly body: Uint8Array;
  readonly pax: readonly PaxRecord[];
}

export interface TarSpec {
  readonly entries: readonly EntrySpec[];
  readonly end: 'two-zero-blocks' | 'one-zero-block' | 'none' | 'garbage';
  readonly garbage: Uint8Array;
  /** Repeat entry `from` this many times (many headers, many pax globals …). */
  readonly repeat: { readonly from: number; readonly times: number } | null;
}

/** Names an archive can hold that a reader must refuse, normalise or survive. */
export const HOSTILE_PATHS = [
  '',
  '.',
  './',
  '/',
  '//',
  '..',
  '../',
  '../etc/passwd',
  '/etc/passwd',
  'a/../../b',
  'a/./b/../c',
  'a//b',
  './var/lib/dpkg/status',
  'var/lib/dpkg/status',
  'lib/apk/db/installed',
  'var/lib/rpm/Packages',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'app/lib/x-1.0.jar',
  '.wh..wh..opq',
  'etc/.wh..wh..opq',
  'etc/.wh.passwd',
  'etc/.wh..wh.x',
  '.wh.',
  'a\u0000b',
  'é/ü/文件',
  '\u202eexe.txt',
  'a\\..\\b',
  'C:\\x',
] as const;

const pathName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_PATHS), weight: 4 },
  { arbitrary: fc.stringMatching(/^[a-z0-9._/-]{1,40}$/), weight: 3 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom('a/', '../', './', 'x'))
      .map(([n, p]) => p.repeat(n)),
    weight: 1,
  },
);

const paxValue: fc.Arbitrary<string> = fc.oneof(
  pathName,
  fc.constantFrom('0', '1', '-1', '1e3', '0x10', ' 12', '12 ', '99999999999999999999', '9007199254740993', 'NaN', ''),
  fc.nat().map(String),
);

export const paxRecord: fc.Arbitrary<PaxRecord> = fc.record({
  key: fc.oneof(
    fc.constantFrom(
      'path',
      'linkpath',
      'size',
      'mtime',
      'uid',
      'uname',
      'SCHILY.xattr.user.x',
      'GNU.sparse.size',
      'comment',
    ),
    fc.constantFrom('', '=', '__proto__', 'constructor', 'toString'),
    fc.string({ maxLength: 12 }),
  ),
  value: paxValue,
  len: fc.oneof(
    { arbitrary: fc.constant({ k: 'ok' as const }), weight: 6 },
    { arbitrary: fc.integer({ min: -20, max: 20 }).map((d) => ({ k: 'delta' as const, d })), weight: 1 },
    {
      arbitrary: fc
        .constantFrom('0', '-5', '1e3', '', 'x', '99999999999', ' 5')
        .map((s) => ({ k: 'text' as const, s })),
      weight: 1,
    },
  ),
});

export function paxBody(records: readonly PaxRecord[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const r of records) {
    const body = Buffer.from(` ${r.key}=${r.value}\n`, 'utf8');
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    const shown = r.len.k === 'ok' ? String(len) : r.len.k === 'delta' ? String(len + r.len.d) : r.len.s;
    parts.push(Buffer.from(shown, 'latin1'), body);
  }
  return Buffer.concat(parts);
}

const TYPEFLAGS = ['0', '\0', '1', '2', '3', '4', '5', '6', '7', 'x', 'g', 'L', 'K', 'S', 'V', 'D', 'A', 'N'] as const;

const sizeSpec: fc.Arbitrary<SizeSpec> = fc.oneof(
  { arbitrary: fc.constant({ k: 'exact' as const }), weight: 10 },
  {
    arbitrary: fc
      .oneof(fc.nat({ max: 4096 }), fc.constantFrom(0o77777777777, 2 ** 31, 2 ** 32, 256 * 1024 * 1024 + 1))
      .map((v) => ({ k: 'octal' as const, v })),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.oneof(fc.nat({ max: 4096 }), fc.constantFrom(2 ** 33, 2 ** 53 - 1, 2 ** 53, 2 ** 60)), fc.boolean())
      .map(([v, negative]) => ({ k: 'base256' as const, v, negative })),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom('', ' ', '8', '9999', '-1', '0x10', '777777777777', ' 12 ', '1 2', '\u00ff')
      .map((s) => ({ k: 'text' as const, s })),
    weight: 1,
  },
);

export const entrySpec: fc.Arbitrary<EntrySpec> = fc
  .record({
    typeflag: fc.oneof(
      { arbitrary: fc.constant('0'), weight: 6 },
      { arbitrary: fc.constantFrom(...TYPEFLAGS), weight: 4 },
    ),
    name: pathName,
    prefix: fc.oneof({ arbitrary: fc.constant(''), weight: 5 }, { arbitrary: pathName, weight: 1 }),
    linkname: fc.oneof({ arbitrary: fc.constant(''), weight: 3 }, { arbitrary: pathName, weight: 2 }),
    mode: fc.oneof(fc.constantFrom(0o644, 0o755, 0o4755, 0o777), fc.nat({ max: 0o7777777 })),
    magic: fc.constantFrom('posix' as const, 'posix' as const, 'gnu' as const, 'none' as const),
    checksum: fc.oneof(
      { arbitrary: fc.constant('ok' as const), weight: 12 },
      { arbitrary: fc.constantFrom('signed' as const, 'bad' as const, 'blank' as const), weight: 1 },
    ),
    size: sizeSpec,
    body: fc.oneof(
      { arbitrary: fc.uint8Array({ maxLength: 700 }), weight: 12 },
      { arbitrary: fc.string({ maxLength: 200 }).map((s) => new Uint8Array(Buffer.from(s))), weight: 8 },
      { arbitrary: fc.integer({ min: 0, max: 20_000 }).map((n) => new Uint8Array(n)), weight: 1 },
    ),
    pax: fc.array(paxRecord, { maxLength: 5 }),
  })
  .map((e) => {
    // Meta entries carry their payload as the body.
    if (e.typeflag === 'x' || e.typeflag === 'g') return { ...e, body: paxBody(e.pax) };
    if (e.typeflag === 'L' || e.typeflag === 'K')
      return { ...e, body: new Uint8Array(Buffer.from(`${e.linkname || e.name}\0`, 'utf8')) };
    return e;
  });

export const tarSpec: fc.Arbitrary<TarSpec> = fc.record({
  entries: fc.array(entrySpec, { maxLength: 12 }),
  end: fc.constantFrom(
    'two-zero-blocks' as const,
    'two-zero-blocks' as const,
    'one-zero-block' as const,
    'none' as const,
    'garbage' as const,
  ),
  garbage: fc.uint8Array({ maxLength: 1100 }),
  repeat: rarely(
    fc.record({
      from: fc.nat(),
      times: fc.oneof(
        { arbitrary: fc.integer({ min: 2, max: 20 }), weight: 5 },
        { arbitrary: fc.integer({ min: 20, max: 5000 }), weight: 1 },
      ),
    }),
    20,
  ),
});

function octal(v: number, width: number): string {
  return `${Math.max(0, Math.floor(v))
    .toString(8)
    .padStart(width - 1, '0')
    .slice(-(width - 1))}\0`;
}

export function tarHeader(e: EntrySpec): Uint8Array {
  const h = Buffer.alloc(BLOCK);
  h.write(e.name, 0, 100, 'utf8');
  h.write(octal(e.mode, 8), 100, 8, 'latin1');
  h.write(octal(0, 8), 108, 8, 'latin1');
  h.write(octal(0, 8), 116, 8, 'latin1');
  const size = e.size;
  switch (size.k) {
    case 'exact':
      h.write(octal(e.body.length, 12), 124, 12, 'latin1');
      break;
    case 'octal':
      h.write(size.v.toString(8).padStart(11, '0').slice(-12), 124, 12, 'latin1');
      break;
    case 'base256': {
      let v = size.v;
      for (let i = 11; i >= 1; i--) {
        h[124 + i] = v % 256;
        v = Math.floor(v / 256);
      }
      h[124] = size.negative ? 0xff : 0x80;
      break;
    }
    case 'text':
      h.write(size.s, 124, 12, 'latin1');
      break;
  }
  h.write(octal(0, 12), 136, 12, 'latin1');
  h.write(e.typeflag, 156, 1, 'latin1');
  h.write(e.linkname, 157, 100, 'utf8');
  if (e.magic === 'posix') h.write('ustar\u000000', 257, 8, 'latin1');
  else if (e.magic === 'gnu') h.write('ustar  \0', 257, 8, 'latin1');
  h.write(e.prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let unsigned = 0;
  let signed = 0;
  for (const b of h) {
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const sum = e.checksum === 'signed' ? signed : e.checksum === 'bad' ? unsigned + 1 : unsigned;
  if (e.checksum !== 'blank') h.write(`${octal(Math.max(sum, 0), 7)} `, 148, 8, 'latin1');
  return h;
}

export function tarBytes(spec: TarSpec): Uint8Array {
  let entries = [...spec.entries];
  const r = spec.repeat;
  if (r && entries.length > 0) {
    const e = entries[r.from % entries.length] as EntrySpec;
    const each = BLOCK + e.body.length + BLOCK;
    const times = Math.min(r.times, Math.floor(MAX_INPUT / each));
    entries = [...entries, ...new Array<EntrySpec>(times).fill(e)];
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const e of entries) {
    const pad = (BLOCK - (e.body.length % BLOCK)) % BLOCK;
    if (total + BLOCK + e.body.length + pad > MAX_INPUT) break;
    parts.push(tarHeader(e), e.body, new Uint8Array(pad));
    total += BLOCK + e.body.length + pad;
  }
  if (spec.end === 'two-zero-blocks') parts.push(new Uint8Array(2 * BLOCK));
  else if (spec.end === 'one-zero-block') parts.push(new Uint8Array(BLOCK));
  else if (spec.end === 'garbage') parts.push(spec.garbage);
  return Buffer.concat(parts);
}

/** A tar of real-looking entries, for the compressed-layer seeds. */
export function plainTar(files: readonly { name: string; body: Uint8Array; typeflag?: string }[]): Uint8Array {
  return tarBytes({
    entries: files.map((f) => ({
      typeflag: f.typeflag ?? '0',
      name: f.name,
      prefix: '',
      linkname: '',
      mode: 0o644,
      magic: 'posix',
      checksum: 'ok',
      size: { k: 'exact' },
      body: f.body,
      pax: [],
    })),
    end: 'two-zero-blocks',
    garbage: new Uint8Array(0),
    repeat: null,
  });
}
