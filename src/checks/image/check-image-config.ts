import { checkHistory } from '../dockerfile/check-dockerfile.js';
import { type Misconfiguration, sortMisconfigurations } from '../types.js';
import type { ImageCheckInput } from './input.js';
import { IMAGE_CHECKS } from './registry.js';

/** Run every image check (IMAGE_CHECKS) on what the engine collected about one image. */
export function checkImageConfig(input: ImageCheckInput): Misconfiguration[] {
  return sortMisconfigurations(IMAGE_CHECKS.flatMap((c) => c.run(input)));
}

/**
 * History checks (HISTORY_CHECKS) whose findings the image checks already make
 * from the same history entries: ADD from a URL, curl | sh, secrets in ARG/ENV
 * and exposed ports (CUS-IMG-003/004/005/008/012).
 */
const COVERED_BY_IMAGE_CHECKS = new Set(['CUS-DF-010', 'CUS-DF-011', 'CUS-DF-017', 'CUS-DF-018']);

/**
 * Everything an image scan checks: the image checks, plus the Dockerfile
 * checks that stay correct on the Dockerfile as history records it and that
 * the image checks do not repeat.
 */
export function checkImage(input: ImageCheckInput): Misconfiguration[] {
  const fromHistory = checkHistory(input.history, input.target).filter((m) => !COVERED_BY_IMAGE_CHECKS.has(m.checkId));
  return sortMisconfigurations([...checkImageConfig(input), ...fromHistory]);
}
