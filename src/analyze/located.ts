import type { LayerFact } from './apply-layers.js';

/** A fact with the file it is about and its layer's diffID (and the layer that hid it, if any). */
export function locatedFact<T extends object>(
  f: LayerFact<T>,
  layerIds: readonly string[],
): T & { path: string; layer: string; hiddenByLayer?: string } {
  const hidden = f.hiddenByLayerIndex === undefined ? undefined : layerIds[f.hiddenByLayerIndex];
  return {
    ...f.fact,
    path: f.path,
    layer: layerIds[f.layerIndex] ?? '',
    ...(hidden !== undefined ? { hiddenByLayer: hidden } : {}),
  };
}
