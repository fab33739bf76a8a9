/**
 * Read buffers that are used again once the layer walk is past them.
 *
 * A layer is read in READ_CHUNK pieces: 1,900 of them for the 1.9 GB benchmark
 * image. Allocated afresh, each piece lives until V8 collects its wrapper, and
 * glibc, whose mmap threshold rises to 1 MiB after the first such buffer is freed,
 * serves the later ones from its arenas, which stay as large as the most dead
 * buffers ever waiting for a collection: tens of MB per thread (docs/adr/0009).
 * A small free list per thread keeps the memory of a layer read to the few chunks
 * in flight.
 *
 * Ownership: `takeChunk` lends a buffer; the stream's last reader hands it back
 * with `releaseChunk` when it has moved past it (ByteReader, once the bytes it
 * returned are no longer valid by its contract; LayerDecoder, once zlib has
 * consumed an input chunk). A chunk nobody releases is simply collected. A
 * buffer not lent by the pool is ignored, and a chunk is returned at most once.
 */
import { READ_CHUNK } from './read-chunk.js';

/**
 * Free chunks kept per thread: a layer stream has a handful in flight (one per
 * stage of make-layer.ts's pipeline), and a thread reads one layer at a time.
 */
const MAX_FREE = 6;

const free: ArrayBuffer[] = [];
/** Chunks out on loan, each with where it goes back to (this thread's free list when undefined). */
const lent = new WeakMap<ArrayBuffer, ((chunk: ArrayBuffer) => void) | undefined>();

/**
 * `CUSTOMS_POISON_RELEASED_CHUNKS=1` (set by the test targets) fills every
 * released chunk with 0xDB, so a reader that keeps bytes past its release reads
 * garbage at once instead of, rarely, another chunk's data.
 */
const poison = process.env.CUSTOMS_POISON_RELEASED_CHUNKS === '1';

/** A READ_CHUNK-byte buffer, lent until `releaseChunk`. Its content is undefined. */
export function takeChunk(): Buffer {
  const ab = free.pop() ?? newChunk();
  lent.set(ab, undefined);
  return Buffer.from(ab, 0, READ_CHUNK);
}

/**
 * Lend a chunk that came from elsewhere (another thread's pool, through a
 * MessagePort): when released it goes to `giveBack` instead of this thread's list.
 */
export function adoptChunk(ab: ArrayBuffer, giveBack: (chunk: ArrayBuffer) => void): void {
  lent.set(ab, giveBack);
}

/** Hand back a chunk (or any view of one) lent by `takeChunk`; anything else is ignored. */
export function releaseChunk(chunk: Uint8Array): void {
  const ab = chunk.buffer;
  if (!(ab instanceof ArrayBuffer) || !lent.has(ab)) return;
  const giveBack = lent.get(ab);
  lent.delete(ab);
  poisonReleased(new Uint8Array(ab));
  if (giveBack) giveBack(ab);
  else if (free.length < MAX_FREE) free.push(ab);
}

/**
 * End the loan of a chunk (or a view of one) for good, to move it to another thread
 * (layer-pipe.ts): its ArrayBuffer is the caller's. Undefined for a buffer this thread's pool
 * did not lend.
 */
export function claimChunk(chunk: Uint8Array): ArrayBuffer | undefined {
  const ab = chunk.buffer;
  if (!(ab instanceof ArrayBuffer) || !lent.has(ab) || lent.get(ab) !== undefined) return undefined;
  lent.delete(ab);
  return ab;
}

/** A chunk from the free list (or a new one) that is the caller's outright, not lent. */
export function ownChunk(): ArrayBuffer {
  return free.pop() ?? newChunk();
}

/** Keep a chunk that came back from another thread (or an owned one not needed) for lending, if there is room. */
export function keepChunk(ab: ArrayBuffer): void {
  if (ab.byteLength === READ_CHUNK && free.length < MAX_FREE) free.push(ab);
}

/** A fresh READ_CHUNK-byte ArrayBuffer (uninitialised), of its own. */
export function newChunk(): ArrayBuffer {
  return Buffer.allocUnsafeSlow(READ_CHUNK).buffer as ArrayBuffer;
}

/** Under CUSTOMS_POISON_RELEASED_CHUNKS=1, fill bytes whose holder has given them up. */
function poisonReleased(bytes: Uint8Array): void {
  if (poison) bytes.fill(0xdb);
}

/** Chunks waiting on the free list (tests). */
export function freeChunks(): number {
  return free.length;
}
