import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CustomsError } from '../core/index.js';
import { LayerDecoder } from './layer-decoder.js';
import { compress, makeTar, readAll } from './test-fixtures.js';

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
