/** Reading small documents (manifests, configs, JSON files) with a size cap. */
import type { Readable } from 'node:stream';
import { CustomsError, type ErrorCode } from '../core/index.js';

/** Largest manifest, index, config or archive JSON file customs reads into memory. */
export const MAX_DOCUMENT_SIZE = 8 * 1024 * 1024;

/** Read a whole stream into memory, failing (and destroying the stream) past `max` bytes. */
export async function readBounded(
  stream: Readable,
  max: number,
  what: string,
  code: ErrorCode = 'IMAGE_MANIFEST_INVALID',
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > max) {
      stream.destroy();
      throw new CustomsError(code, `${what} is larger than ${max} bytes; refusing to read it into memory`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (e) {
    throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what} is not valid JSON: ${(e as Error).message}`, e);
  }
}
