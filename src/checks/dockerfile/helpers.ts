import { redactSecrets } from '../shared/secret-names.js';
import { type Check, finding, type Misconfiguration } from '../types.js';
import type { DfInstruction, DockerfileModel } from './model.js';

export type DockerfileCheck = Check<DockerfileModel>;

/**
 * The shell script a RUN executes: shell form as written; exec form only
 * when it is itself a shell (`["/bin/sh", "-c", "…"]`), else its words.
 */
export function runScript(ins: DfInstruction): string {
  if (ins.json) {
    const [a, b, c] = ins.json;
    if (a !== undefined && /(^|\/)(ba|da|a)?sh$/.test(a) && b === '-c' && c !== undefined) return c;
    return ins.json.join(' ');
  }
  return ins.args;
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
  if (model.source === 'history') {
    return finding(check, { message: `history entry ${ins.startLine}: ${message}`, target: model.path, evidence: ev });
  }
  return finding(check, {
    message: `line ${ins.startLine}: ${message}`,
    target: model.path,
    location: { path: model.path, startLine: ins.startLine, endLine: ins.endLine },
    evidence: ev,
  });
}

/** Every RUN of every stage (or of the final stage only). */
export function runs(model: DockerfileModel, finalOnly = false): DfInstruction[] {
  const stages = finalOnly ? model.stages.slice(-1) : model.stages;
  return stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
}

export const DOCKERFILE_REFERENCE = 'https://docs.docker.com/reference/dockerfile/';
export const BEST_PRACTICES = 'https://docs.docker.com/build/building/best-practices/';
export const CIS_DOCKER = 'https://www.cisecurity.org/benchmark/docker';
