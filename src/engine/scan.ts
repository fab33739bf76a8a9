import { type AnalyzerPlan, analyzeImage, type Analyzer, type LayerCache, PACKAGES_PLAN } from '../analyze/index.js';
import type { Context } from '../core/index.js';
import { openImage } from '../image/index.js';
import type { Inventory } from '../sbom/index.js';
import { buildInventory } from './build-inventory.js';

export interface SbomOptions {
  readonly cache?: LayerCache;
  /** What to run, as data (layers may then be analysed on worker threads). Default: packages. */
  readonly plan?: AnalyzerPlan;
  /** Analyzer objects instead of a plan (main thread only). */
  readonly analyzers?: readonly Analyzer[];
}

/**
 * The one wiring of image → analyze → sbom, used by every entry point
 * (CLI, server, admission, sensor). Later stages (match, checks, policy)
 * hang off the Inventory this returns.
 */
export async function sbomOf(target: string, ctx: Context, opts: SbomOptions = {}): Promise<Inventory> {
  const image = await openImage(target, ctx);
  try {
    const cache = opts.cache ? { cache: opts.cache } : {};
    const analysis = await analyzeImage(
      image,
      ctx,
      opts.analyzers ? { analyzers: opts.analyzers, ...cache } : { plan: opts.plan ?? PACKAGES_PLAN, ...cache },
    );
    return buildInventory(image, analysis, ctx);
  } finally {
    await image.close();
  }
}
