import { type Context, sha256, stableJson } from '../core/index.js';
import type { Image } from '../image/index.js';
import type { AnalyzeOptions, ImageAnalysis } from './analyze-layers.js';
import { type AnalyzerId, type AnalyzerPlan, analyzerIds } from './analyzer-ids.js';

export type { AnalyzeOptions, ImageAnalysis } from './analyze-layers.js';

/**
 * Cache key of a layer: its diffID plus everything that changes what
 * analyzers report for the same bytes — each analyzer's name and version,
 * the per-file size cap, and, when analysing from a plan, the plan's inputs
 * themselves: the secret config text, the IOC list and clamd's signature DB
 * version. From a plan, the analyzers are named by analyzerIds, with the base
 * versions of the analyzers those inputs configure: the inputs count through
 * the plan, not through versions hashed from them. clamd's address is left
 * out: the verdict depends on the signatures, not on which daemon applied them.
 */
export function layerCacheKey(
  diffID: string,
  analyzers: readonly AnalyzerId[],
  ctx: Context,
  plan?: AnalyzerPlan,
): string {
  const inputs = plan
    ? {
        groups: [...new Set(plan.groups)].sort(),
        secretConfig: plan.secretConfig === undefined ? null : sha256(plan.secretConfig),
        iocs: plan.iocs ? sha256(stableJson(plan.iocs.entries.map((e) => e.sha256.toLowerCase()).sort())) : null,
        clamdDb: plan.clamd ? plan.clamd.dbVersion : null,
      }
    : null;
  return sha256(
    stableJson({
      diffID,
      analyzers: analyzers.map((a) => [a.name, a.version]),
      maxFileSize: ctx.config.limits.maxFileSize,
      plan: inputs,
      format: 4,
    }),
  );
}

/** Cache key of an image's merge: its layers' keys (layerCacheKey), bottom to top. */
export function mergedCacheKey(layerKeys: readonly string[]): string {
  return sha256(stableJson({ merged: layerKeys, format: 1 }));
}

/**
 * Analyse every layer of an image (one streaming pass each, cached by diffID)
 * and merge the results bottom to top (analyze-layers.ts). An image whose merge
 * is cached is answered from that one row: nothing else is read, and the
 * analyzers and the layer walk are not even loaded.
 */
export async function analyzeImage(image: Image, ctx: Context, opts: AnalyzeOptions): Promise<ImageAnalysis> {
  const { cache, plan } = opts;
  const ids = plan ? analyzerIds(plan) : opts.analyzers;
  const keys = image.layers.map((l) => layerCacheKey(l.diffID, ids, ctx, plan));
  const mergedKey = mergedCacheKey(keys);
  const hit = cache?.getMerged?.(mergedKey);
  if (hit) {
    const n = image.layers.length;
    image.layers.forEach((layer, i) => {
      ctx.log({ kind: 'debug', message: `layer ${i + 1}/${n} ${layer.diffID}: cached` });
    });
    ctx.log({ kind: 'debug', message: `image of ${n} layers: merged analysis cached` });
    return { merged: hit, cached: n };
  }
  const { analyzeLayers } = await import('./analyze-layers.js');
  return analyzeLayers(image, ctx, opts, keys, mergedKey);
}
