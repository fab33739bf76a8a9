import { MessageChannel } from 'node:worker_threads';
import { type Context, CustomsError, toCustomsError } from '../core/index.js';
import {
  gzipInflaterName,
  type Image,
  type Layer,
  type LayerSource,
  layerCompression,
  servePipe,
} from '../image/index.js';
import type { AnalyzerPlan } from './analyzer-ids.js';
import { buildAnalyzers, PACKAGES_PLAN } from './analyzers.js';
import { applyLayers, type MergedFacts } from './apply-layers.js';
import type { LayerCache } from './layer-cache.js';
import type { LayerResult } from './layer-result.js';
import { LayerThread } from './layer-thread.js';
import { walkLayer } from './layer-walker.js';
import { type Sandbox, SandboxPool } from './sandbox/sandbox-pool.js';
import type { Analyzer } from './types.js';

export type AnalyzeOptions = {
  readonly cache?: LayerCache;
  /**
   * Runs the analyzers that have a budget. By default a SandboxPool made for
   * this call (re-creating analyzers from `plan`, or the packages plan).
   */
  readonly sandbox?: Sandbox;
} & (
  | {
      /** What to run, as data: lets layers be analysed on worker threads too. */
      readonly plan: AnalyzerPlan;
      readonly analyzers?: undefined;
    }
  | {
      /** Analyzer objects (tests, custom analyzers): analysed on the main thread only. */
      readonly analyzers: readonly Analyzer[];
      readonly plan?: undefined;
    }
);

export interface ImageAnalysis {
  readonly merged: MergedFacts;
  /** Layers served from the cache (all of them when the image's merge was). */
  readonly cached: number;
}

/** Below this much layer data to read, a worker thread costs more than it saves. */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The layers of an image whose merge is not cached (analyzeImage): each layer from the cache
 * or analysed, then merged. Layers not in the cache are spread over the main thread and,
 * when the plan allows and they are big enough, worker threads (up to `limits.concurrency`
 * in all), largest first. `keys` are the layers' cache keys, `mergedKey` the merge's.
 */
export async function analyzeLayers(
  image: Image,
  ctx: Context,
  opts: AnalyzeOptions,
  keys: readonly string[],
  mergedKey: string,
): Promise<ImageAnalysis> {
  const { cache, plan } = opts;
  const analyzers = plan ? buildAnalyzers(plan) : opts.analyzers;
  const results: LayerResult[] = new Array(image.layers.length);
  const n = image.layers.length;
  let cached = 0;

  // Sandboxes start only when an isolated analyzer meets a file it wants.
  const ownSandbox =
    opts.sandbox === undefined && analyzers.some((a) => a.budget)
      ? new SandboxPool({
          plan: plan ?? PACKAGES_PLAN,
          signal: ctx.signal,
          perAnalyzer: ctx.config.limits.concurrency,
        })
      : undefined;
  const sandbox = opts.sandbox ?? ownSandbox;

  const todo: number[] = [];
  image.layers.forEach((layer, index) => {
    const hit = cache?.get(keys[index] ?? '');
    if (hit) {
      results[index] = hit;
      cached++;
      ctx.log({ kind: 'debug', message: `layer ${index + 1}/${n} ${layer.diffID}: cached` });
    } else todo.push(index);
  });
  if (todo.some((i) => layerCompression((image.layers[i] as Layer).mediaType) === 'gzip'))
    ctx.log({ kind: 'debug', message: `gzip layers inflated by ${gzipInflaterName()}` });
  const sizeOf = (i: number): number => image.layers[i]?.size ?? 0;
  todo.sort((a, b) => sizeOf(b) - sizeOf(a) || a - b);

  const run = async (index: number, thread: LayerThread | undefined): Promise<void> => {
    const layer = image.layers[index];
    if (!layer) throw new CustomsError('INTERNAL', `no layer ${index}`);
    // One progress bar per layer being read, in stored (compressed) bytes.
    const id = `layer-${index}`;
    let done = 0;
    ctx.log({ kind: 'progress-start', id, label: `layer ${index + 1}/${n}`, total: layer.size ?? 0 });
    let stopPipe: (() => void) | undefined;
    // Bytes only this thread can read (a registry download) are piped to the layer thread,
    // which verifies, decodes and walks them.
    const piped = (stored: NonNullable<Layer['stored']>): LayerSource => {
      const { port1, port2 } = new MessageChannel();
      stopPipe = servePipe(port1, stored.open);
      return { ...stored.description, pipe: port2 };
    };
    try {
      let result: LayerResult;
      const source = thread && plan ? (layer.source ?? (layer.stored && piped(layer.stored))) : undefined;
      if (thread && plan && source) {
        result = await thread.analyze(
          source,
          plan,
          ctx.config,
          (bytes) => {
            ctx.log({ kind: 'progress', id, done: bytes });
          },
          sandbox,
        );
      } else {
        const stream = await layer.open((bytes) => {
          done += bytes;
          ctx.log({ kind: 'progress', id, done });
        });
        try {
          result = await walkLayer(layer.diffID, stream, {
            analyzers,
            ctx,
            ...(sandbox ? { sandbox } : {}),
            reopen: () => layer.open(),
          });
        } finally {
          stream.destroy();
        }
      }
      results[index] = result;
      // Only layers whose digests verified (the stream ended without error) reach the cache.
      cache?.put(keys[index] ?? '', result);
    } catch (e) {
      const err = toCustomsError(e, 'LAYER_CORRUPT');
      throw new CustomsError(err.code, `layer ${index + 1} (${layer.diffID}): ${err.message}`, e);
    } finally {
      stopPipe?.();
      ctx.log({ kind: 'progress-end', id });
    }
  };

  // A layer thread takes a layer whose bytes it can read itself (a local file) or that this
  // thread pipes to it (a registry download: layer-pipe.ts).
  const threadable = (i: number): boolean => {
    const layer = image.layers[i];
    return layer?.source !== undefined || layer?.stored !== undefined;
  };
  const threads: LayerThread[] = [];
  const wanted = Math.min(Math.max(1, ctx.config.limits.concurrency) - 1, todo.filter(threadable).length - 1);
  if (plan && wanted > 0 && todo.reduce((sum, i) => sum + sizeOf(i), 0) >= WORKER_MIN_BYTES) {
    for (let i = 0; i < wanted; i++) threads.push(new LayerThread());
  }
  // With no layer thread (no plan to send it, a small image) the main thread runs up to
  // `concurrency` downloaded layers at once: zlib inflates on libuv's thread pool (node:zlib
  // streams are asynchronous) while this thread hashes and walks another layer.
  const downloads = todo.filter((i) => image.layers[i]?.source === undefined).length;
  const mainLanes = threads.length === 0 ? Math.max(1, Math.min(ctx.config.limits.concurrency, downloads)) : 1;
  const runners: (LayerThread | undefined)[] = [...new Array<undefined>(mainLanes).fill(undefined), ...threads];
  const abort = (): void => {
    for (const t of threads) void t.close();
  };
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    await drain(todo, runners, (i, t) => t === undefined || threadable(i), run);
  } finally {
    ctx.signal.removeEventListener('abort', abort);
    await Promise.all([...threads.map((t) => t.close()), ownSandbox?.close()]);
  }
  const merged = applyLayers(results, analyzers);
  // Every layer verified (or came from the cache, where only verified layers go).
  cache?.putMerged?.(mergedKey, merged);
  return { merged, cached };
}

/**
 * Work through `queue` with one loop per runner; a runner takes the first
 * item it `canTake`. The first failure stops every loop and is rethrown.
 */
async function drain<R>(
  queue: number[],
  runners: readonly R[],
  canTake: (item: number, runner: R) => boolean,
  task: (item: number, runner: R) => Promise<void>,
): Promise<void> {
  let failed = false;
  const loop = async (runner: R): Promise<void> => {
    while (!failed) {
      const at = queue.findIndex((item) => canTake(item, runner));
      if (at === -1) return;
      const [item] = queue.splice(at, 1);
      if (item === undefined) return;
      try {
        await task(item, runner);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(runners.map(loop));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}
