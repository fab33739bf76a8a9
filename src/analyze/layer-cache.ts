import type { MergedFacts } from './apply-layers.js';
import type { LayerResult } from './layer-result.js';

/** Cache of layer results, keyed by diffID and the analyzers' versions. */
export interface LayerCache {
  get(key: string): LayerResult | undefined;
  put(key: string, result: LayerResult): void;
  /**
   * The merge of a whole image's layers, keyed by its layers' keys in order (mergedCacheKey):
   * a warm scan of an image seen before reads one row instead of every layer's and merging
   * them again. A cache may keep layers only.
   */
  getMerged?(key: string): MergedFacts | undefined;
  putMerged?(key: string, merged: MergedFacts): void;
}
