import { compareStrings } from '../../core/index.js';
import type { MergedFacts } from '../apply-layers.js';
import { locatedFact } from '../located.js';
import type { SecretFinding } from '../types.js';
import type { ConfigSecretFact } from './image-config.js';

/**
 * The secrets of an image: those in its files and those in its config and history
 * (`configSecrets`: scanImageConfig over the config before it was redacted), sorted by
 * location, line and rule.
 */
export function secretFindings(
  merged: MergedFacts,
  configSecrets: readonly ConfigSecretFact[],
  layerIds: readonly string[],
): SecretFinding[] {
  // Files an OS package installed are the distribution's (docs, examples, test keys), not the
  // image builder's: their "secrets" are noise. Everything else, deleted files included, is reported.
  const files: SecretFinding[] = merged.secrets
    .filter((s) => !merged.ownedFiles.has(s.path))
    .map((s) => ({ ...locatedFact(s, layerIds), location: s.path }));
  return [...files, ...configSecrets].sort(
    (a, b) =>
      compareStrings(a.location, b.location) || (a.line ?? 0) - (b.line ?? 0) || compareStrings(a.ruleId, b.ruleId),
  );
}
