/** Temp files live in the cache dir (DESIGN: nothing is written outside it) and die on close(). */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, pipeline } from 'node:stream';
import { CustomsError, type Context } from '../core/index.js';
import { LayerDecoder } from './layer-decoder.js';
import { sniffCompression } from './media-types.js';

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(ctx: Context, prefix: string): Promise<TempDir> {
  const base = join(ctx.config.cacheDir, 'tmp');
  try {
    await mkdir(base, { recursive: true });
    const path = await mkdtemp(join(base, `${prefix}-`));
    let removed = false;
    return {
      path,
      async remove() {
        if (removed) return;
        removed = true;
        await rm(path, { recursive: true, force: true });
      },
    };
  } catch (e) {
    throw new CustomsError('STORE_ERROR', `cannot create a temp dir under ${base}: ${(e as Error).message}`, e);
  }
}

/** Write a stream to a file, resolving when it is on disk. */
export function streamToFile(src: Readable, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pipeline(src, createWriteStream(file), (err) => (err ? reject(err) : resolve()));
  });
}

export async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * If `file` is gzip or zstd compressed, decompress it once into `dir` and
 * return the new path (bounded by the layer size limit); otherwise `file`.
 */
export async function decompressIfNeeded(file: string, dir: TempDir, ctx: Context, what: string): Promise<string> {
  let head: Buffer;
  try {
    head = await readHead(file, 4);
  } catch (e) {
    throw new CustomsError('IMAGE_NOT_FOUND', `${what}: cannot read ${file} (${(e as Error).message})`, e);
  }
  const kind = sniffCompression(head);
  if (kind === 'none') return file;
  const out = join(dir.path, 'archive.tar');
  const decoder = new LayerDecoder({
    expected: kind,
    what,
    maxSize: ctx.config.limits.maxLayerSize,
    maxRatio: ctx.config.limits.maxCompressionRatio,
  });
  await new Promise<void>((resolve, reject) => {
    pipeline(createReadStream(file), decoder, createWriteStream(out), (err) => (err ? reject(err) : resolve()));
  });
  return out;
}
