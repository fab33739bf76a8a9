import type { Readable } from 'node:stream';
import { releaseChunk } from '../chunk-pool.js';

/** Every byte of a stream of pooled chunks, each chunk copied and released as a layer walk would. */
export async function readReleasing(stream: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) {
    parts.push(Buffer.from(c));
    releaseChunk(c);
  }
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}
