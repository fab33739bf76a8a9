import { type AnalyzerPlan, analyzeImage, type Analyzer, type LayerCache, type MergedFacts } from '../analyze/index.js';
import type { Context } from '../core/index.js';
import { type ImageConfig, openImage } from '../image/index.js';
import type { Inventory } from '../sbom/index.js';
import { buildInventory } from './build-inventory.js';

export interface SbomOptions {
  readonly cache?: LayerCache;
  /** What to run, as data (layers may then be analysed on worker threads). Default: SBOM_PLAN. */
  readonly plan?: AnalyzerPlan;
  /** Analyzer objects instead of a plan (main thread only). */
  readonly analyzers?: readonly Analyzer[];
}

/** The SBOM: packages, with OS package licences from their copyright files. */
export const SBOM_PLAN: AnalyzerPlan = { groups: ['packages', 'license'] };

/** An image read and analysed: its inventory plus what later stages need. */
export interface TargetAnalysis {
  readonly inventory: Inventory;
  readonly merged: MergedFacts;
  readonly config: ImageConfig;
  /** diffIDs, base layer first. */
  readonly layerIds: readonly string[];
}

/**
 * The one wiring of image → analyze → sbom, used by every entry point
 * (CLI, server, admission, sensor). Later stages (match, checks, policy)
 * hang off what this returns.
 */
export async function analyzeTarget(target: string, ctx: Context, opts: SbomOptions = {}): Promise<TargetAnalysis> {
  const image = await openImage(target, ctx);
  try {
    const cache = opts.cache ? { cache: opts.cache } : {};
    const analysis = await analyzeImage(
      image,
      ctx,
      opts.analyzers ? { analyzers: opts.analyzers, ...cache } : { plan: opts.plan ?? SBOM_PLAN, ...cache },
    );
    return {
      inventory: buildInventory(image, analysis, ctx),
      merged: analysis.merged,
      config: image.config,
      layerIds: image.layers.map((l) => l.diffID),
    };
  } finally {
    await image.close();
  }
}

/** The inventory of an image (`customs sbom`). */
export async function sbomOf(target: string, ctx: Context, opts: SbomOptions = {}): Promise<Inventory> {
  return (await analyzeTarget(target, ctx, opts)).inventory;
}
