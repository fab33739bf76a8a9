import { sortMisconfigurations, type Misconfiguration } from '../types.js';
import { historyModel, type HistoryEntry } from './history-model.js';
import { finalStage } from './model.js';
import { parseDockerfile } from './parse-dockerfile.js';
import { DOCKERFILE_CHECKS, HISTORY_CHECKS } from './registry.js';

/** Run every Dockerfile check on a Dockerfile's text. `path` names it in findings and locations. */
export function checkDockerfile(text: string, path: string): Misconfiguration[] {
  const model = parseDockerfile(text, path);
  return sortMisconfigurations(DOCKERFILE_CHECKS.flatMap((c) => c.run(model)));
}

/**
 * Run the history-safe Dockerfile checks (HISTORY_CHECKS) on an image's
 * history; `target` names the image. Findings name the history entry (1-based).
 */
export function checkHistory(history: readonly HistoryEntry[], target = 'image'): Misconfiguration[] {
  const model = historyModel(history, target);
  return sortMisconfigurations(HISTORY_CHECKS.flatMap((c) => c.run(model)));
}

/**
 * The line of the FROM that gives the image its base (the final stage's), for
 * report locations of base-image findings; undefined when there is none.
 */
export function baseImageLine(text: string, path: string): number | undefined {
  const model = parseDockerfile(text, path);
  return finalStage(model)?.from.startLine;
}
