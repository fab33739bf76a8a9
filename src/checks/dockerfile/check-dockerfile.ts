import { CustomsError } from '../../core/index.js';
import { sortMisconfigurations, type Misconfiguration } from '../types.js';
import { historyModel, type HistoryEntry } from './history-model.js';
import { finalStage } from './model.js';
import { parseDockerfile, readDockerfile } from './parse-dockerfile.js';
import { DOCKERFILE_CHECKS, HISTORY_CHECKS } from './registry.js';

/** How many problems one error message lists before it says "and N more". */
const SHOWN_PROBLEMS = 5;

/**
 * Run every Dockerfile check on a Dockerfile's text. `path` names it in
 * findings and locations. A text that is not a Dockerfile (an unknown
 * instruction, a FROM without an image, no FROM: see `readDockerfile`) is
 * an input error, CONFIG_INPUT_INVALID, naming the file and the line:
 * finding nothing in it would read as "no misconfigurations".
 */
export function checkDockerfile(text: string, path: string): Misconfiguration[] {
  const { model, problems } = readDockerfile(text, path);
  if (problems.length > 0) {
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `Dockerfile line ${p.line}: ${p.message}`);
    const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
    throw new CustomsError('CONFIG_INPUT_INVALID', `${path}: not a valid Dockerfile: ${shown.join('; ')}${more}`);
  }
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
