import { type Misconfiguration, sortMisconfigurations } from '../types.js';
import type { ImageCheckInput } from './input.js';
import { IMAGE_CHECKS } from './registry.js';

/** Run every image check (IMAGE_CHECKS) on what the engine collected about one image. */
export function checkImageConfig(input: ImageCheckInput): Misconfiguration[] {
  return sortMisconfigurations(IMAGE_CHECKS.flatMap((c) => c.run(input)));
}
