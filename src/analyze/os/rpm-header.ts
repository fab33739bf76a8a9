import { CustomsError, type PackageFact } from '../../core/index.js';
import {
  type DecodeBudget,
  overBudget,
  PATH_CHARS_PER_HEADER_BYTE,
  PATH_CHARS_PER_HEADER_SLACK,
} from './rpm-budget.js';

/** rpm's lib/rpmtag.h */
export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

/** rpm's rpmTagType (lib/rpmtag.h). */
const TYPE = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** rpm's lib/header.c limits: hdrchkTags / hdrchkData. */
const HEADER_TAGS_MAX = 0xffff;
const HEADER_DATA_MAX = 0x0fffffff;
const ENTRY_SIZE = 16;

export type RpmTagValue = string | readonly string[] | readonly number[] | Uint8Array;

/** A parsed header: the values of the tags we read (strings, string arrays, integer arrays or bytes), and its size. */
export interface RpmHeader {
  readonly tags: ReadonlyMap<number, RpmTagValue>;
  /** Bytes of the blob it came from: the base of its decoding budgets. */
  readonly byteLength: number;
}

/**
 * The tags parseRpmHeader decodes. Decoding only these bounds the work: a blob
 * may list up to 65,535 index entries that all point at the same data, and
 * each decoded entry would cost up to the whole data area again.
 */
const READ_TAGS: ReadonlySet<number> = new Set(Object.values(RPMTAG));

function corrupt(source: string, why: string): CustomsError {
  return new CustomsError('ANALYZE_FILE_INVALID', `${source}: ${why}; the RPM database is corrupt`);
}

/**
 * Parse an rpm header blob as the database stores it (no lead, no signature
 * header, no 8-byte magic): int32 il (entries), int32 dl (data bytes), il
 * index entries {tag, type, offset, count} (all big-endian), then dl bytes of
 * data (rpm's lib/header.c headerImport). Region tags (61-63) are just
 * entries here: every tag they cover is also in the index. Every count and
 * offset is checked against the blob: hostile input cannot read out of range.
 * Only the tags in RPMTAG are decoded, and a tag listed twice is refused (rpm
 * writes each tag once; its hdrblobVerifyInfo even refuses entries sharing
 * data), so decoding costs at most one pass over the data per tag we read.
 */
export function parseRpmHeader(blob: Uint8Array, source: string): RpmHeader {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 8) throw corrupt(source, `a header blob is ${buf.length} bytes, shorter than its 8-byte preamble`);
  const il = buf.readUInt32BE(0);
  const dl = buf.readUInt32BE(4);
  if (il < 1 || il > HEADER_TAGS_MAX)
    throw corrupt(source, `a header claims ${il} tags (1-${HEADER_TAGS_MAX} allowed)`);
  if (dl > HEADER_DATA_MAX) throw corrupt(source, `a header claims ${dl} data bytes`);
  const dataStart = 8 + il * ENTRY_SIZE;
  if (dataStart + dl > buf.length) {
    throw corrupt(source, `a header needs ${dataStart + dl} bytes but its blob has ${buf.length}`);
  }
  const data = buf.subarray(dataStart, dataStart + dl);
  const tags = new Map<number, RpmTagValue>();

  /** `count` NUL-terminated strings from `offset`: found one by one, decoded in one go (NUL is one byte in UTF-8). */
  const strings = (offset: number, count: number): string[] => {
    let p = offset;
    for (let i = 0; i < count; i++) {
      const end = data.indexOf(0, p);
      if (end < 0) throw corrupt(source, 'a header string runs past the end of its data');
      p = end + 1;
    }
    return count === 0 ? [] : data.toString('utf8', offset, p - 1).split('\0');
  };

  for (let i = 0; i < il; i++) {
    const e = 8 + i * ENTRY_SIZE;
    const tag = buf.readUInt32BE(e);
    if (!READ_TAGS.has(tag)) continue;
    if (tags.has(tag)) throw corrupt(source, `tag ${tag} appears twice in one header`);
    const type = buf.readUInt32BE(e + 4);
    const offset = buf.readInt32BE(e + 8);
    const count = buf.readUInt32BE(e + 12);
    if (offset < 0 || offset > dl)
      throw corrupt(source, `tag ${tag} points at offset ${offset} outside ${dl} data bytes`);
    if (count > dl + 1 && type !== TYPE.NULL)
      throw corrupt(source, `tag ${tag} claims ${count} values in ${dl} data bytes`);
    const size = (n: number): void => {
      if (offset + n > dl) throw corrupt(source, `tag ${tag} runs past the end of the header data`);
    };
    switch (type) {
      case TYPE.STRING:
        tags.set(tag, strings(offset, 1)[0] as string);
        break;
      case TYPE.STRING_ARRAY:
      case TYPE.I18NSTRING:
        // I18NSTRING: one string per locale; the first is the C locale, what rpm -q prints.
        tags.set(
          tag,
          type === TYPE.I18NSTRING ? (strings(offset, Math.min(count, 1))[0] ?? '') : strings(offset, count),
        );
        break;
      case TYPE.INT32: {
        size(count * 4);
        const v: number[] = [];
        for (let k = 0; k < count; k++) v.push(data.readUInt32BE(offset + k * 4));
        tags.set(tag, v);
        break;
      }
      case TYPE.INT16: {
        size(count * 2);
        const v: number[] = [];
        for (let k = 0; k < count; k++) v.push(data.readUInt16BE(offset + k * 2));
        tags.set(tag, v);
        break;
      }
      case TYPE.CHAR:
      case TYPE.INT8:
      case TYPE.BIN:
        size(count);
        tags.set(tag, data.subarray(offset, offset + count));
        break;
      default:
        break; // INT64 and unknown types: nothing we read
    }
  }
  return { tags, byteLength: buf.length };
}

function str(h: RpmHeader, tag: number): string | undefined {
  const v = h.tags.get(tag);
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

function strArray(h: RpmHeader, tag: number): readonly string[] {
  const v = h.tags.get(tag);
  if (typeof v === 'string') return [v];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as readonly string[]) : [];
}

function intArray(h: RpmHeader, tag: number): readonly number[] {
  const v = h.tags.get(tag);
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as readonly number[]) : [];
}

/**
 * `name-version-release.src.rpm` (also .nosrc.rpm) → source name and
 * "version-release"; name may contain dashes, version and release may not.
 */
export function parseSourceRpm(file: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  if (!m) return undefined;
  return { name: m[1] as string, version: `${m[2]}-${m[3]}` };
}

const stripSlashes = (path: string): string => path.replace(/^\/+/, '');

/**
 * The files of a header: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or the
 * pre-4.x OLDFILENAMES; no leading "/". A directory name is stored once and
 * shared by its files, so the paths can be far larger than the header (100,000
 * files under one 100 KB directory name: 10 GB of paths from 700 KB). Their
 * length is summed before any path is built and must fit the header's budget
 * (PATH_CHARS_PER_HEADER_BYTE × its size + PATH_CHARS_PER_HEADER_SLACK) and,
 * when given, what is left of the database's `budget`.
 */
export function rpmFiles(h: RpmHeader, source: string, budget?: DecodeBudget): string[] {
  const base = strArray(h, RPMTAG.BASENAMES);
  const old = base.length > 0 ? [] : strArray(h, RPMTAG.OLDFILENAMES);
  const dirs = strArray(h, RPMTAG.DIRNAMES);
  const idx = base.length > 0 ? intArray(h, RPMTAG.DIRINDEXES) : [];
  if (idx.length !== base.length) throw corrupt(source, `${base.length} basenames but ${idx.length} dir indexes`);
  let chars = 0;
  for (const [i, b] of base.entries()) {
    const dir = dirs[idx[i] as number];
    if (dir === undefined) throw corrupt(source, `dir index ${idx[i]} is past the ${dirs.length} dir names`);
    chars += dir.length + b.length;
  }
  for (const f of old) chars += f.length;
  const name = str(h, RPMTAG.NAME) ?? '(unnamed)';
  const count = base.length + old.length;
  const limit = PATH_CHARS_PER_HEADER_BYTE * h.byteLength + PATH_CHARS_PER_HEADER_SLACK;
  if (chars > limit) {
    throw overBudget(
      source,
      `package ${name}: its ${count} file paths come to ${chars} characters, past the budget of ${limit} (${PATH_CHARS_PER_HEADER_BYTE} × its ${h.byteLength}-byte header + ${PATH_CHARS_PER_HEADER_SLACK})`,
    );
  }
  budget?.spend(chars, `package ${name}'s ${count} file paths (${chars} characters)`);
  if (old.length > 0) return old.map(stripSlashes);
  const relDirs = dirs.map(stripSlashes); // once per directory, not once per file
  return base.map((b, i) => {
    const dir = relDirs[idx[i] as number] as string;
    return dir === '' ? stripSlashes(b) : dir + b;
  });
}

/**
 * The package a header describes, or undefined for `gpg-pubkey` (rpm's
 * pseudo-packages for imported signing keys: not software). `budget` is the
 * database's file-path budget (see rpmFiles).
 */
export function rpmPackageOf(h: RpmHeader, source: string, budget?: DecodeBudget): PackageFact | undefined {
  const name = str(h, RPMTAG.NAME);
  const version = str(h, RPMTAG.VERSION);
  const release = str(h, RPMTAG.RELEASE);
  if (!name || version === undefined || release === undefined) {
    throw corrupt(source, `a header lacks ${name ? `VERSION or RELEASE (package ${name})` : 'NAME'}`);
  }
  if (name === 'gpg-pubkey') return undefined;
  const epoch = intArray(h, RPMTAG.EPOCH)[0];
  const arch = str(h, RPMTAG.ARCH);
  const license = str(h, RPMTAG.LICENSE);
  const srpm = str(h, RPMTAG.SOURCERPM);
  const vendor = str(h, RPMTAG.VENDOR);
  const modularity = str(h, RPMTAG.MODULARITYLABEL);
  const files = rpmFiles(h, source, budget);
  const meta: Record<string, string> = {};
  if (vendor) meta.vendor = vendor;
  if (modularity) meta.modularitylabel = modularity;
  const src = srpm && srpm !== '(none)' ? parseSourceRpm(srpm) : undefined;
  return {
    ecosystem: 'rpm',
    name,
    version: `${version}-${release}`,
    ...(epoch !== undefined ? { epoch } : {}),
    ...(arch ? { arch } : {}),
    ...(src ? { source: src } : {}),
    ...(license ? { license } : {}),
    files,
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
  };
}
