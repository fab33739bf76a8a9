import { redactSecrets } from '../shared/secret-names.js';
import { type Check, finding, type Misconfiguration } from '../types.js';
import { type DfInstruction, type DockerfileModel, instructionsOf } from './model.js';

export type DockerfileCheck = Check<DockerfileModel>;

/**
 * The shell script a RUN executes: shell form as written; exec form only
 * when it is itself a shell (`["/bin/sh", "-c", "…"]`), else its words; a
 * heredoc (`RUN <<EOF … EOF`, Dockerfile reference "Here-Documents") is the
 * script its body holds.
 */
export function runScript(ins: DfInstruction): string {
  if (ins.json) {
    const [a, b, c] = ins.json;
    if (a !== undefined && /(^|\/)(ba|da|a)?sh$/.test(a) && b === '-c' && c !== undefined) return c;
    return ins.json.join(' ');
  }
  return heredocScript(ins.args) ?? ins.args;
}

/** The body of `<<[-]WORD` when the first line is only heredoc openers (the body is then the script). */
function heredocScript(args: string): string | undefined {
  const [first = '', ...rest] = args.split('\n');
  const m = /^<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\1\s*$/.exec(first.trim());
  if (!m) return undefined;
  const end = rest.findIndex((l) => l.trim() === m[2]);
  return (end < 0 ? rest : rest.slice(0, end)).join('\n');
}

/** A finding at an instruction: with its lines for a Dockerfile, naming the history entry otherwise. */
export function at(
  check: DockerfileCheck,
  model: DockerfileModel,
  ins: DfInstruction,
  message: string,
  evidence?: string,
): Misconfiguration {
  const ev = redactSecrets(evidence ?? ins.text);
  const where = ins.onbuild ? `line ${ins.startLine} (ONBUILD ${ins.keyword})` : `line ${ins.startLine}`;
  if (model.source === 'history') {
    return finding(check, { message: `history entry ${ins.startLine}: ${message}`, target: model.path, evidence: ev });
  }
  return finding(check, {
    message: `${where}: ${message}`,
    target: model.path,
    location: { path: model.path, startLine: ins.startLine, endLine: ins.endLine },
    evidence: ev,
  });
}

/**
 * Every RUN of every stage (or of the final stage only), with the RUNs that
 * ONBUILD defines: they run in every image built on this one.
 */
export function runs(model: DockerfileModel, finalOnly = false): DfInstruction[] {
  const stages = finalOnly ? model.stages.slice(-1) : model.stages;
  return stages.flatMap((s) => instructionsOf(s, 'RUN'));
}

export const DOCKERFILE_REFERENCE = 'https://docs.docker.com/reference/dockerfile/';
export const BEST_PRACTICES = 'https://docs.docker.com/build/building/best-practices/';
export const CIS_DOCKER = 'https://www.cisecurity.org/benchmark/docker';

/** The documentation page of a hadolint rule (the reference for what a check with that rule catches). */
export function hadolintRule(id: string): string {
  return `https://github.com/hadolint/hadolint/wiki/${id}`;
}
