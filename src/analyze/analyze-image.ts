import { type Context, CustomsError, sha256, stableJson, toCustomsError } from '../core/index.js';
import type { Image, Layer } from '../image/index.js';
import { applyLayers, type MergedFacts } from './apply-layers.js';
import type { LayerCache, LayerResult } from './layer-result.js';
import { walkLayer } from './layer-walker.js';
import type { Analyzer } from './types.js';

export interface AnalyzeOptions {
  readonly analyzers: readonly Analyzer[];
  readonly cache?: LayerCache;
}

export interface ImageAnalysis {
  readonly layers: readonly LayerResult[];
  readonly merged: MergedFacts;
  /** Layers served from the cache. */
  readonly cached: number;
}

/** Cache key of a layer: its diffID plus everything that changes what analyzers report for it. */
export function layerCacheKey(diffID: string, analyzers: readonly Analyzer[], ctx: Context): string {
  return sha256(
    stableJson({
      diffID,
      analyzers: analyzers.map((a) => [a.name, a.version]),
      maxFileSize: ctx.config.limits.maxFileSize,
      format: 1,
    }),
  );
}

/**
 * Analyse every layer of an image (in parallel, one streaming pass each,
 * cached by diffID) and merge the results bottom to top.
 */
export async function analyzeImage(image: Image, ctx: Context, opts: AnalyzeOptions): Promise<ImageAnalysis> {
  const { analyzers, cache } = opts;
  const results: LayerResult[] = new Array(image.layers.length);
  let cached = 0;
  const n = image.layers.length;

  const one = async (layer: Layer, index: number): Promise<void> => {
    const key = layerCacheKey(layer.diffID, analyzers, ctx);
    const hit = cache?.get(key);
    if (hit) {
      results[index] = hit;
      cached++;
      ctx.log({ kind: 'debug', message: `layer ${index + 1}/${n} ${layer.diffID}: cached` });
      return;
    }
    // One progress bar per layer being read, in stored (compressed) bytes.
    const id = `layer-${index}`;
    let done = 0;
    ctx.log({ kind: 'progress-start', id, label: `layer ${index + 1}/${n}`, total: layer.size ?? 0 });
    const stream = await layer.open((bytes) => {
      done += bytes;
      ctx.log({ kind: 'progress', id, done });
    });
    try {
      const result = await walkLayer(layer.diffID, stream, { analyzers, ctx });
      results[index] = result;
      // Only layers whose digests verified (the stream ended without error) reach the cache.
      cache?.put(key, result);
    } catch (e) {
      const err = toCustomsError(e, 'LAYER_CORRUPT');
      throw new CustomsError(err.code, `layer ${index + 1} (${layer.diffID}): ${err.message}`, e);
    } finally {
      stream.destroy();
      ctx.log({ kind: 'progress-end', id });
    }
  };

  await runPool(image.layers.length, Math.max(1, ctx.config.limits.concurrency), (i) => {
    const layer = image.layers[i];
    if (!layer) throw new CustomsError('INTERNAL', `no layer ${i}`);
    return one(layer, i);
  });
  return { layers: results, merged: applyLayers(results, analyzers), cached };
}

/** Run `task(0..n-1)` with at most `limit` at a time; the first failure stops new work. */
async function runPool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < n) {
      const i = next++;
      try {
        await task(i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.min(limit, n) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}
