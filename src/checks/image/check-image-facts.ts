import type { MergedFacts } from '../../analyze/index.js';
import type { ImageConfig } from '../../image/index.js';
import type { Misconfiguration } from '../types.js';
import type { ImageCheckInput } from './input.js';
import { checkImage } from './check-image-config.js';

/** The image checks on what the layer walk found: config, history, package caches, file facts, packages. */
export function checkImageFacts(
  target: string,
  merged: MergedFacts,
  config: ImageConfig,
  packages: ImageCheckInput['packages'],
): Misconfiguration[] {
  return checkImage({
    target,
    config,
    history: config.history ?? [],
    paths: merged.fileFacts
      .filter((f) => f.fact.kind === 'package-cache')
      .map((f) => ({ path: f.path, layerIndex: f.layerIndex })),
    fileFacts: merged.fileFacts.filter((f) => f.fact.kind !== 'package-cache'),
    // An image does not record which layers its base image gave it; the first layer is the base
    // rootfs in practice, so it counts as base when there are others (docs/checks.md).
    baseLayerCount: merged.layerCount > 1 ? 1 : 0,
    packages,
  });
}
