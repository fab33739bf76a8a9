import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { freeChunks, releaseChunk } from './chunk-pool.js';
import { fileRangeStream } from './file-range-stream.js';
import { READ_CHUNK } from './read-chunk.js';
import { readReleasing } from './test-support/chunks.js';

const dir = mkdtempSync(join(tmpdir(), 'customs-range-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = randomBytes(3 * READ_CHUNK + 12345);
const file = join(dir, 'blob');
writeFileSync(file, data);

test('streams exactly the byte range asked for, in chunks of at most READ_CHUNK', async () => {
  const start = 777;
  const length = 2 * READ_CHUNK + 5;
  const { bytes, chunks } = await readReleasing(fileRangeStream({ path: file }, start, length));
  assert.deepEqual(bytes, data.subarray(start, start + length));
  assert.equal(chunks, 3);
});

test('the chunks are pooled: reading a file needs a handful of buffers, not one per chunk', async () => {
  await readReleasing(fileRangeStream({ path: file }));
  const free = freeChunks();
  assert.ok(free >= 1, 'released chunks wait on the free list');
  const { bytes } = await readReleasing(fileRangeStream({ path: file }));
  assert.deepEqual(bytes, data);
  assert.equal(freeChunks(), free, 'the second read took its chunks from the free list and gave them back');
});

test('an open handle is read from its start and closed at the end; a range past the end stops at the end', async () => {
  const handle = await open(file, 'r');
  const { bytes } = await readReleasing(fileRangeStream({ handle }));
  assert.deepEqual(bytes, data);
  await assert.rejects(handle.stat(), /closed|EBADF/i);
  const tail = await readReleasing(fileRangeStream({ path: file }, data.length - 10, 1000));
  assert.deepEqual(tail.bytes, data.subarray(data.length - 10));
});

test('a missing file is an error of the stream', async () => {
  await assert.rejects(readReleasing(fileRangeStream({ path: join(dir, 'missing') })), /ENOENT/);
});
