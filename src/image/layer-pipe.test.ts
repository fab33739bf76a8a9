import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { CustomsError, isCustomsError } from '../core/index.js';
import { freeChunks, releaseChunk, takeChunk } from './chunk-pool.js';
import { pipeStream, servePipe } from './layer-pipe.js';
import { READ_CHUNK } from './read-chunk.js';
import { readReleasing } from './test-support/chunks.js';

/** Download-sized pieces (as an HTTP body arrives), then optionally an error. */
function pieces(data: Buffer, failAfter?: { bytes: number; error: Error }): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < data.length; at += 65_536) {
        if (failAfter && at >= failAfter.bytes) throw failAfter.error;
        yield data.subarray(at, at + 65_536);
      }
    })(),
  );
}

test('the bytes arrive whole, in READ_CHUNK pieces, and can be opened again', async () => {
  const data = randomBytes(3 * READ_CHUNK + 4321);
  const { port1, port2 } = new MessageChannel();
  let opened = 0;
  const stop = servePipe(port1, async () => {
    opened++;
    return pieces(data);
  });
  try {
    const first = await readReleasing(pipeStream(port2));
    assert.deepEqual(first.bytes, data);
    assert.equal(first.chunks, 4);
    const again = await readReleasing(pipeStream(port2));
    assert.deepEqual(again.bytes, data, 'a second pass of the walk reads the bytes again');
    assert.equal(opened, 2);
  } finally {
    stop();
  }
});

test('pooled chunks from the download move to the worker as they are; mixed pieces are copied', async () => {
  const data = randomBytes(2 * READ_CHUNK + 107);
  const lentOut: Buffer[] = [];
  /** As socket-get.ts reads: whole pooled chunks, a short pooled last one; then plain pieces. */
  const pooled = (): Readable =>
    Readable.from(
      (function* () {
        for (let at = 0; at < 2 * READ_CHUNK; at += READ_CHUNK) {
          const c = takeChunk();
          data.copy(c, 0, at, at + READ_CHUNK);
          lentOut.push(c);
          yield c;
        }
        yield data.subarray(2 * READ_CHUNK, 2 * READ_CHUNK + 7);
        const last = takeChunk();
        const n = data.copy(last, 0, 2 * READ_CHUNK + 7);
        lentOut.push(last);
        yield last.subarray(0, n);
      })(),
    );
  const { port1, port2 } = new MessageChannel();
  const stop = servePipe(port1, async () => pooled());
  try {
    const got = await readReleasing(pipeStream(port2));
    assert.deepEqual(got.bytes, data);
    assert.equal(got.chunks, 3);
    assert.equal(lentOut[0]?.buffer.byteLength, 0, 'a whole pooled chunk was moved (detached here), not copied');
    assert.equal(lentOut[1]?.buffer.byteLength, 0);
    assert.equal(lentOut[2]?.buffer.byteLength, READ_CHUNK, 'a chunk read after a plain piece was copied');
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(freeChunks() > 0, "the worker gave the chunks back to this thread's pool");
  } finally {
    stop();
  }
});

test('an empty blob is an empty stream', async () => {
  const { port1, port2 } = new MessageChannel();
  const stop = servePipe(port1, async () => Readable.from([]));
  try {
    assert.equal((await readReleasing(pipeStream(port2))).bytes.length, 0);
  } finally {
    stop();
  }
});

test('a download that fails reaches the worker with its code, after the bytes before it', async () => {
  const data = randomBytes(2 * READ_CHUNK);
  const { port1, port2 } = new MessageChannel();
  const error = new CustomsError('REGISTRY_UNREACHABLE', 'connection reset by the registry');
  const stop = servePipe(port1, async () => pieces(data, { bytes: READ_CHUNK + 65_536, error }));
  const got: Buffer[] = [];
  try {
    await assert.rejects(
      (async () => {
        for await (const c of pipeStream(port2) as AsyncIterable<Buffer>) got.push(Buffer.from(c));
      })(),
      (e: unknown) => isCustomsError(e) && e.code === 'REGISTRY_UNREACHABLE' && /connection reset/.test(e.message),
    );
    assert.deepEqual(Buffer.concat(got), data.subarray(0, READ_CHUNK), 'the full chunk before the failure arrived');
  } finally {
    stop();
  }
});

test('a blob that cannot be opened fails the stream with the opener error', async () => {
  const { port1, port2 } = new MessageChannel();
  const stop = servePipe(port1, async () => {
    throw new CustomsError('IMAGE_BLOB_MISSING', 'blob sha256:00 is not in the registry');
  });
  try {
    await assert.rejects(
      readReleasing(pipeStream(port2)),
      (e: unknown) => isCustomsError(e) && e.code === 'IMAGE_BLOB_MISSING',
    );
  } finally {
    stop();
  }
});

test('a worker that stops reading closes the download; a reader that stops ends the worker stream', async () => {
  const data = randomBytes(8 * READ_CHUNK);
  const { port1, port2 } = new MessageChannel();
  let raw: Readable | undefined;
  const stop = servePipe(port1, async () => {
    raw = pieces(data);
    return raw;
  });
  const stream = pipeStream(port2);
  for await (const c of stream as AsyncIterable<Buffer>) {
    releaseChunk(c);
    break; // destroys the stream
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(raw?.destroyed, true, 'the download was stopped');

  const second = pipeStream(port2);
  const failed = readReleasing(second);
  stop();
  await assert.rejects(failed, (e: unknown) => isCustomsError(e) && e.code === 'ABORTED');
});
