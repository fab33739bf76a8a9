import { ANALYZERS, analyzeImage, type Analyzer, type LayerCache } from '../analyze/index.js';
import type { Context } from '../core/index.js';
import { openImage } from '../image/index.js';
import type { Inventory } from '../sbom/index.js';
import { buildInventory } from './build-inventory.js';

export interface SbomOptions {
  readonly cache?: LayerCache;
  /** Defaults to every analyzer. */
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
    const analysis = await analyzeImage(image, ctx, {
      analyzers: opts.analyzers ?? ANALYZERS,
      ...(opts.cache ? { cache: opts.cache } : {}),
    });
    return buildInventory(image, analysis, ctx);
  } finally {
    await image.close();
  }
}
