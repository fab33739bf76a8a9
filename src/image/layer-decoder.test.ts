import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CustomsError } from '../core/index.js';
import { freeChunks, releaseChunk } from './chunk-pool.js';
import { INFLATE_CHUNK, LayerDecoder } from './layer-decoder.js';
import { READ_CHUNK } from './read-chunk.js';
import { compress, makeTar, readAll } from './test-support/image-fixtures.js';

const tar = makeTar([{ path: 'a', data: 'x'.repeat(100_000) }]);
const decode = (
  bytes: Buffer,
  expected: 'none' | 'gzip' | 'zstd' | 'sniff',
  maxSize = 1 << 30,
  maxRatio = 1000,
): Promise<Buffer> =>
  readAll(Readable.from([bytes]).pipe(new LayerDecoder({ expected, what: 'layer X', maxSize, maxRatio })));

test('decoder: sniffs gzip, zstd and plain tar', async () => {
  for (const c of ['none', 'gzip', 'zstd'] as const) {
    assert.deepEqual(await decode(compress(tar, c), 'sniff'), tar);
    assert.deepEqual(await decode(compress(tar, c), c), tar);
  }
});

test('decoder: truncated gzip and zstd are LAYER_TRUNCATED or LAYER_CORRUPT, never a hang', async () => {
  for (const c of ['gzip', 'zstd'] as const) {
    const blob = compress(tar, c);
    await assert.rejects(
      decode(blob.subarray(0, Math.floor(blob.length / 2)), c),
      (e: unknown) =>
        e instanceof CustomsError && /LAYER_(TRUNCATED|CORRUPT)/.test(e.code) && e.message.includes('layer X'),
    );
  }
});

test('decoder: a corrupt gzip block fails the stream instead of stalling it', { timeout: 10_000 }, async () => {
  // Found by the fuzzer: a gzip header then a byte that is no valid deflate
  // block. The gunzip errors while the write is in flight; the decoder must
  // still complete that write and end with LAYER_CORRUPT, not wait forever.
  const corrupt = Buffer.from('1f8b0800000000000003ff', 'hex');
  for (const chunks of [[corrupt], [corrupt.subarray(0, 5), corrupt.subarray(5)]]) {
    await assert.rejects(
      readAll(
        Readable.from(chunks).pipe(
          new LayerDecoder({ expected: 'gzip', what: 'layer X', maxSize: 1 << 20, maxRatio: 1000 }),
        ),
      ),
      (e: unknown) => e instanceof CustomsError && e.code === 'LAYER_CORRUPT' && e.message.includes('layer X'),
    );
  }
});

test('decoder: a decompression bomb stops at the size limit', async () => {
  const bomb = gzipSync(Buffer.alloc(5_000_000));
  await assert.rejects(
    decode(bomb, 'gzip', 1_000_000),
    (e: unknown) => e instanceof CustomsError && e.code === 'LAYER_TOO_LARGE',
  );
});

test('decoder: an empty blob yields an empty stream', async () => {
  assert.equal((await decode(Buffer.alloc(0), 'sniff')).length, 0);
});

// Hand-built zstd frames (RFC 8878 §3.1.1): hostile headers cost a few bytes.
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
/** Window_Descriptor byte for 2^log + mantissa/8 of it (§3.1.1.1.2). */
const windowByte = (log: number, mantissa = 0): number => ((log - 10) << 3) | mantissa;
/** Raw blocks (§3.1.1.2) of the given contents; the last one carries Last_Block. */
const rawBlocks = (contents: readonly Buffer[]): Buffer =>
  Buffer.concat(
    contents.flatMap((c, i) => {
      const h = (c.length << 3) | (i === contents.length - 1 ? 1 : 0);
      return [Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), c];
    }),
  );
/** A frame with a Window_Descriptor, no checksum, no content size. */
const windowFrame = (wd: number, contents: readonly Buffer[]): Buffer =>
  Buffer.concat([ZSTD_MAGIC, Buffer.from([0x00, wd]), rawBlocks(contents)]);
const skippable = (data: Buffer): Buffer => {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(0x184d2a53, 0);
  h.writeUInt32LE(data.length, 4);
  return Buffer.concat([h, data]);
};
const ones = (n: number): Buffer[] => Array.from({ length: n }, () => Buffer.from('a'));
const isDecoderLimit =
  (...parts: string[]) =>
  (e: unknown): boolean =>
    e instanceof CustomsError &&
    e.code === 'LAYER_DECODER_LIMIT' &&
    parts.every((p) => e.message.includes(p)) &&
    e.message.includes('layer X');

test('decoder: zstd frames declaring a window over 128 MiB are refused before any allocation', {
  timeout: 20_000,
}, async () => {
  // ~1.9 GiB window (log 30, mantissa 7), 400 one-byte blocks: 1.6 KB of layer.
  const hostile = windowFrame(windowByte(30, 7), ones(400));
  assert.ok(hostile.length < 1700);
  const started = Date.now();
  await assert.rejects(decode(hostile, 'zstd'), isDecoderLimit('2013265920 bytes', '134217728'));
  assert.ok(Date.now() - started < 2000);
});

test('decoder: the window limit holds for later frames, after skippable frames, and for single-segment content sizes', {
  timeout: 20_000,
}, async () => {
  const good = compress(tar, 'zstd');
  const big = windowFrame(windowByte(28), ones(100));
  await assert.rejects(decode(Buffer.concat([good, big]), 'zstd'), isDecoderLimit('268435456 bytes'));
  await assert.rejects(
    decode(Buffer.concat([good, skippable(Buffer.alloc(10)), big]), 'zstd'),
    isDecoderLimit('(log 28)'),
  );
  // Single_Segment_flag with an 8-byte Frame_Content_Size (FHD 0xE0): the window is the content size.
  const fcs = Buffer.alloc(8);
  fcs.writeBigUInt64LE(1_500_000_000n);
  const single = Buffer.concat([ZSTD_MAGIC, Buffer.from([0xe0]), fcs, rawBlocks(ones(100))]);
  await assert.rejects(decode(single, 'zstd'), isDecoderLimit('single-segment frame of 1500000000 bytes'));
  // Headers split across chunks are held back until complete, then checked.
  const split = Buffer.concat([good, big]);
  const chunks = Array.from({ length: Math.ceil(split.length / 3) }, (_, i) => split.subarray(i * 3, i * 3 + 3));
  await assert.rejects(
    readAll(
      Readable.from(chunks).pipe(
        new LayerDecoder({ expected: 'zstd', what: 'layer X', maxSize: 1 << 30, maxRatio: 1000 }),
      ),
    ),
    isDecoderLimit('268435456 bytes'),
  );
});

test('decoder: many near-empty blocks under a large accepted window hit the copy budget', {
  timeout: 20_000,
}, async () => {
  // 128 MiB window (accepted) and 20,000 one-byte blocks: each block makes the
  // decoder shift the whole window, ~4.5 minutes of copying without a budget.
  const hostile = windowFrame(windowByte(27), ones(20_000));
  const started = Date.now();
  await assert.rejects(decode(hostile, 'zstd'), isDecoderLimit('window memory', '128.0 MiB window'));
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});

test('decoder: genuine multi-frame zstd with skippable frames decodes, however it is chunked', async () => {
  const a = compress(tar, 'zstd');
  const b = compress(makeTar([{ path: 'b', data: 'y'.repeat(300_000) }]), 'zstd');

  // (A stream is sniffed as zstd by its first frame's magic, so it starts with a data frame.)
  const stream = Buffer.concat([a, skippable(Buffer.from('metadata')), b, skippable(Buffer.alloc(0))]);
  const bTar = makeTar([{ path: 'b', data: 'y'.repeat(300_000) }]);
  assert.deepEqual(await decode(stream, 'zstd'), Buffer.concat([tar, bTar]));
  for (const size of [1, 7, 4096]) {
    const chunks = Array.from({ length: Math.ceil(stream.length / size) }, (_, i) =>
      stream.subarray(i * size, i * size + size),
    );
    const out = await readAll(
      Readable.from(chunks).pipe(
        new LayerDecoder({ expected: 'zstd', what: 'layer X', maxSize: 1 << 30, maxRatio: 1000 }),
      ),
    );
    assert.deepEqual(out, Buffer.concat([tar, bTar]));
  }
  // A stream that stops inside a frame header is truncated, not accepted.
  await assert.rejects(
    decode(Buffer.concat([a, ZSTD_MAGIC, Buffer.from([0x00])]), 'zstd'),
    (e: unknown) => e instanceof CustomsError && e.code === 'LAYER_TRUNCATED',
  );
});

test('decoder: gzip output comes in large chunks: INFLATE_CHUNK from node:zlib, whole pooled read chunks from ISA-L', async () => {
  const plain = Buffer.alloc(4 * 1024 * 1024 + 1000, 'a');
  for (const [inflater, size] of [
    ['zlib', INFLATE_CHUNK],
    ['isa-l', READ_CHUNK],
  ] as const) {
    const d = new LayerDecoder({ expected: 'gzip', what: 'layer', maxSize: 1 << 30, maxRatio: 1e6, inflater });
    const sizes: number[] = [];
    d.on('data', (c: Buffer) => sizes.push(c.length));
    const done = new Promise((resolve, reject) => d.on('end', resolve).on('error', reject));
    d.end(gzipSync(plain));
    await done;
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      plain.length,
    );
    assert.equal(Math.max(...sizes), size, inflater);
    // ISA-L: every chunk full but the last.
    if (inflater === 'isa-l')
      assert.deepEqual(
        sizes.slice(0, -1),
        sizes.slice(0, -1).map(() => READ_CHUNK),
      );
  }
});

test('decoder: ISA-L output chunks go back to the pool once the reader releases them', async () => {
  const plain = Buffer.alloc(3 * READ_CHUNK, 'b');
  const d = new LayerDecoder({ expected: 'gzip', what: 'layer', maxSize: 1 << 30, maxRatio: 1e6, inflater: 'isa-l' });
  const before = freeChunks();
  let seen = 0;
  d.on('data', (c: Buffer) => {
    assert.ok(c.equals(plain.subarray(seen, seen + c.length)));
    seen += c.length;
    releaseChunk(c);
  });
  const done = new Promise((resolve, reject) => d.on('end', resolve).on('error', reject));
  d.end(gzipSync(plain));
  await done;
  assert.equal(seen, plain.length);
  assert.ok(freeChunks() > before, `free chunks ${before} → ${freeChunks()}`);
});
