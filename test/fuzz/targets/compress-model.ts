/**
 * Compressed layer blobs built field by field.
 *
 * gzip (RFC 1952 §2.3): ID1 ID2 CM FLG MTIME XFL OS, optional FEXTRA (XLEN +
 * data), FNAME, FCOMMENT, FHCRC, then deflate data (RFC 1951), CRC32, ISIZE;
 * several members may follow each other.
 *
 * zstd (RFC 8878 §3.1.1): magic 28 B5 2F FD, Frame_Header_Descriptor
 * (FCS flag 7-6, Single_Segment 5, Checksum 2, Dictionary_ID flag 1-0),
 * Window_Descriptor (exponent 7-3, mantissa 2-0: window = 2^(10+e) + m/8 of
 * it), Dictionary_ID, Frame_Content_Size (2-byte form is value - 256), blocks
 * with a 3-byte header (Last_Block bit 0, Block_Type bits 1-2: Raw, RLE,
 * Compressed, Reserved; Block_Size bits 3-23), optional 4-byte checksum.
 * Skippable frames: magic 0x184D2A5? + 4-byte size + data. Compressed blocks
 * here carry Raw or RLE literals and no sequences (§3.1.1.3.1 and §3.1.1.3.2):
 * structurally valid without an entropy coder. Real compressed frames come
 * from the zstd tool when it is installed.
 */
import { spawnSync } from 'node:child_process';
import { deflateRawSync, gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import { type Layout, MAX_INPUT, Writer, rarely } from '../mutate.js';

// ---------------------------------------------------------------- gzip

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** RFC 1952 §8 CRC-32. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface GzipSpec {
  readonly level: number;
  readonly extra: Uint8Array | null;
  readonly name: string | null;
  readonly comment: string | null;
  readonly hcrc: boolean;
  /** Split the payload into this many members. */
  readonly members: number;
  readonly trailer: 'ok' | 'bad-crc' | 'bad-size' | 'missing';
  readonly garbage: Uint8Array;
}

export const gzipSpec: fc.Arbitrary<GzipSpec> = fc.record({
  level: fc.integer({ min: 0, max: 9 }),
  extra: rarely(fc.uint8Array({ maxLength: 40 }), 4),
  name: rarely(fc.string({ maxLength: 20 }), 3),
  comment: rarely(fc.string({ maxLength: 20 }), 4),
  hcrc: fc.boolean(),
  members: fc.oneof({ arbitrary: fc.constant(1), weight: 5 }, { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 1 }),
  trailer: fc.oneof(
    { arbitrary: fc.constant('ok' as const), weight: 8 },
    { arbitrary: fc.constantFrom('bad-crc' as const, 'bad-size' as const, 'missing' as const), weight: 1 },
  ),
  garbage: fc.oneof(
    { arbitrary: fc.constant(new Uint8Array(0)), weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 1 },
  ),
});

export function gzipLayout(payload: Uint8Array, spec: GzipSpec): Layout {
  const w = new Writer();
  const parts = Math.max(1, spec.members);
  const step = Math.ceil(payload.length / parts);
  for (let m = 0; m < parts; m++) {
    const part = payload.subarray(m * step, Math.min(payload.length, (m + 1) * step));
    const start = w.length;
    let flg = 0;
    if (spec.hcrc) flg |= 2;
    if (spec.extra) flg |= 4;
    if (spec.name !== null) flg |= 8;
    if (spec.comment !== null) flg |= 16;
    w.int(0x1f, 1, true, false).int(0x8b, 1, true, false).int(8, 1, true).int(flg, 1, true).int(0, 4, true);
    w.int(0, 1, true).int(3, 1, true, false);
    if (spec.extra) w.int(spec.extra.length, 2, true).bytes(spec.extra);
    if (spec.name !== null) w.bytes(`${spec.name.replaceAll('\0', '')}\0`);
    if (spec.comment !== null) w.bytes(`${spec.comment.replaceAll('\0', '')}\0`);
    if (spec.hcrc) {
      const sofar = w.done().subarray(start);
      w.int(crc32(sofar) & 0xffff, 2, true);
    }
    w.bytes(deflateRawSync(part, { level: spec.level }));
    if (spec.trailer !== 'missing') {
      w.int(spec.trailer === 'bad-crc' ? crc32(part) ^ 1 : crc32(part), 4, true);
      w.int(spec.trailer === 'bad-size' ? part.length + 1 : part.length, 4, true);
    }
  }
  w.bytes(spec.garbage);
  return { bytes: w.done(), fields: w.fields, records: [] };
}

// ---------------------------------------------------------------- zstd

export interface ZstdFrameSpec {
  readonly fcs: 'actual' | 'absent' | number;
  readonly fcsWidth: 0 | 1 | 2 | 4 | 8;
  readonly single: boolean;
  readonly checksum: boolean;
  readonly dictWidth: 0 | 1 | 2 | 4;
  readonly dictId: number;
  /**
   * Window_Descriptor exponent and mantissa (exponent ≥ 22 asks for windows of gigabytes);
   * 'fit' is the smallest window the blocks need, as an encoder writes it.
   */
  readonly windowExp: number | 'fit';
  readonly windowMant: number;
  /** How the payload is cut into blocks and what kind each is. */
  readonly blockSize: number;
  readonly kinds: readonly ('raw' | 'rle' | 'literals' | 'rle-literals' | 'reserved')[];
  /** RLE blocks claim this many bytes (up to 2^21 − 1), not the run's length. */
  readonly rleClaim: number | null;
  readonly lastFlag: 'ok' | 'never' | 'early';
}

export interface ZstdSpec {
  readonly frames: readonly ZstdFrameSpec[];
  readonly skippable: Uint8Array | null;
}

const frameSpec: fc.Arbitrary<ZstdFrameSpec> = fc.record({
  fcs: fc.oneof(
    { arbitrary: fc.constant('actual' as const), weight: 4 },
    { arbitrary: fc.constant('absent' as const), weight: 2 },
    { arbitrary: fc.oneof(fc.nat({ max: 1 << 20 }), fc.constantFrom(0xffffffff, 2 ** 40)), weight: 1 },
  ),
  fcsWidth: fc.constantFrom(0 as const, 1 as const, 2 as const, 4 as const, 8 as const),
  single: fc.boolean(),
  checksum: fc.boolean(),
  dictWidth: fc.oneof(
    { arbitrary: fc.constant(0 as const), weight: 6 },
    { arbitrary: fc.constantFrom(1 as const, 2 as const, 4 as const), weight: 1 },
  ),
  dictId: fc.nat(),
  windowExp: fc.oneof(
    { arbitrary: fc.constant('fit' as const), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 10 }), weight: 2 },
    { arbitrary: fc.integer({ min: 11, max: 31 }), weight: 1 },
  ),
  windowMant: fc.integer({ min: 0, max: 7 }),
  blockSize: fc.oneof(fc.integer({ min: 1, max: 1024 }), fc.constantFrom(4096, 65536, 131072)),
  kinds: fc.array(
    fc.oneof(
      { arbitrary: fc.constantFrom('raw' as const, 'literals' as const), weight: 8 },
      { arbitrary: fc.constantFrom('rle' as const, 'rle-literals' as const), weight: 3 },
      { arbitrary: fc.constant('reserved' as const), weight: 1 },
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
  rleClaim: rarely(fc.constantFrom(131072, 2 ** 21 - 1, 1 << 20), 8),
  lastFlag: fc.oneof(
    { arbitrary: fc.constant('ok' as const), weight: 8 },
    { arbitrary: fc.constantFrom('never' as const, 'early' as const), weight: 1 },
  ),
});

export const zstdSpec: fc.Arbitrary<ZstdSpec> = fc.record({
  frames: fc.array(frameSpec, { minLength: 1, maxLength: 3 }),
  skippable: rarely(fc.uint8Array({ maxLength: 32 }), 5),
});

function literalsHeader(w: Writer, type: 0 | 1, size: number): void {
  // Raw (0) / RLE (1) literals: Size_Format picks 1, 2 or 3 header bytes (RFC 8878 §3.1.1.3.1.1).
  if (size < 32) w.int(type | (size << 3), 1, true);
  else if (size < 4096) w.int(type | (1 << 2) | ((size & 0xf) << 4), 1, true).int(size >> 4, 1, true);
  else
    w.int(type | (3 << 2) | ((size & 0xf) << 4), 1, true)
      .int((size >> 4) & 0xff, 1, true)
      .int(size >> 12, 1, true);
}

function zstdFrame(w: Writer, payload: Uint8Array, f: ZstdFrameSpec): void {
  w.int(0xfd2fb528, 4, true, false);
  const fcsValue = f.fcs === 'actual' ? payload.length : f.fcs === 'absent' ? 0 : f.fcs;
  // A 1-byte Frame_Content_Size exists only in single-segment frames (FCS flag 0); a
  // single-segment frame's window is its content size, so 'actual' gets a field that holds it.
  const fitting = fcsValue < 256 ? 1 : fcsValue < 65536 + 256 ? 2 : 4;
  const width =
    f.single && f.fcs === 'actual'
      ? Math.max(fitting, f.fcsWidth === 8 ? 8 : 0)
      : f.fcs === 'absent' && !f.single
        ? 0
        : (f.fcsWidth === 0 || f.fcsWidth === 1) && !f.single
          ? 0
          : f.fcsWidth;
  const fcsFlag = width === 8 ? 3 : width === 4 ? 2 : width === 2 ? 1 : 0;
  const dictFlag = f.dictWidth === 4 ? 3 : f.dictWidth === 2 ? 2 : f.dictWidth === 1 ? 1 : 0;
  w.int((fcsFlag << 6) | (f.single ? 1 << 5 : 0) | (f.checksum ? 1 << 2 : 0) | dictFlag, 1, true);
  if (!f.single) {
    // The smallest window holding a block (RFC 8878 §3.1.1.1.2: Block_Maximum_Size = min(window, 128 KiB)).
    const need = Math.min(Math.max(payload.length, f.blockSize), 128 * 1024);
    const exp = f.windowExp === 'fit' ? Math.max(0, Math.ceil(Math.log2(Math.max(1, need))) - 10) : f.windowExp;
    w.int((exp << 3) | (f.windowExp === 'fit' ? 0 : f.windowMant), 1, true);
  }
  if (f.dictWidth > 0) w.int(f.dictId % 2 ** (8 * f.dictWidth), f.dictWidth as 1 | 2 | 4, true);
  const fcsBytes = f.single && fcsFlag === 0 ? 1 : width;
  if (fcsBytes === 1) w.int(fcsValue & 0xff, 1, true);
  else if (fcsBytes === 2) w.int(Math.max(0, fcsValue - 256) & 0xffff, 2, true);
  else if (fcsBytes === 4) w.int(fcsValue >>> 0, 4, true);
  else if (fcsBytes === 8) w.int(fcsValue % 2 ** 32, 4, true).int(Math.floor(fcsValue / 2 ** 32), 4, true);
  const size = Math.max(1, f.blockSize);
  const count = Math.max(1, Math.ceil(payload.length / size));
  for (let i = 0; i < count; i++) {
    const chunk = payload.subarray(i * size, (i + 1) * size);
    let last = i === count - 1 ? 1 : 0;
    if (f.lastFlag === 'never') last = 0;
    if (f.lastFlag === 'early' && i === 0) last = 1;
    const kind = f.kinds[i % f.kinds.length] ?? 'raw';
    const header = (type: number, bsize: number): void => {
      w.int(last | (type << 1) | ((bsize & 0x1fffff) << 3), 2, true, true);
      // The third byte of the 24-bit header.
      w.int((((bsize & 0x1fffff) << 3) >>> 16) & 0xff, 1, true, false);
    };
    if (kind === 'raw') {
      header(0, chunk.length);
      w.bytes(chunk);
    } else if (kind === 'rle') {
      header(1, f.rleClaim ?? chunk.length);
      w.int(chunk[0] ?? 0, 1, true);
    } else if (kind === 'literals' || kind === 'rle-literals') {
      const body = new Writer();
      if (kind === 'literals') {
        literalsHeader(body, 0, chunk.length);
        body.bytes(chunk);
      } else {
        literalsHeader(body, 1, chunk.length);
        body.int(chunk[0] ?? 0, 1, true);
      }
      body.int(0, 1, true); // Number_of_Sequences = 0
      const bytes = body.done();
      header(2, bytes.length);
      const at = w.length;
      w.bytes(bytes);
      for (const fl of body.fields) w.fields.push({ ...fl, at: fl.at + at });
    } else {
      header(3, chunk.length);
      w.bytes(chunk);
    }
    if (last === 1 && f.lastFlag === 'early') break;
  }
  if (f.checksum) w.int(0x12345678, 4, true);
}

export function zstdLayout(payload: Uint8Array, spec: ZstdSpec): Layout {
  const w = new Writer();
  if (spec.skippable) w.int(0x184d2a50, 4, true).int(spec.skippable.length, 4, true).bytes(spec.skippable);
  const frames = spec.frames.length;
  const step = Math.ceil(payload.length / frames);
  spec.frames.forEach((f, i) => {
    zstdFrame(w, payload.subarray(i * step, (i + 1) * step), f);
  });
  return { bytes: w.done(), fields: w.fields, records: [] };
}

/** Frames the zstd tool compresses for real (Huffman/FSE blocks), or none when it is not installed. */
export function realZstd(payloads: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of payloads) {
    for (const args of [['-1'], ['-19'], ['--ultra', '-22', '--long=27']]) {
      // --stream-size: without it the tool sizes its tables for an unknown (huge) input, slowly.
      const r = spawnSync('zstd', ['-q', '-c', `--stream-size=${p.length}`, ...args], {
        input: p,
        maxBuffer: MAX_INPUT * 4,
      });
      if (r.status === 0 && r.stdout.length > 0) out.push(new Uint8Array(r.stdout));
    }
  }
  return out;
}

/** gzip of `n` zero bytes: a small blob that expands n-fold (the bomb seed). */
export function gzipZeros(n: number): Uint8Array {
  return gzipSync(Buffer.alloc(n), { level: 9 });
}
