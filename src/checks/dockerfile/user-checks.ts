import { finding } from '../types.js';
import { at, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE, hadolintRule } from './helpers.js';
import { type DfInstruction, type DfStage, type DockerfileModel, finalStage, parentStage } from './model.js';

/** `root`, `0`, `root:…`, `0:…` (user part of USER user[:group]). */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(':')[0]?.trim() ?? '';
  return u === 'root' || /^0+$/.test(u);
}

/**
 * The USER instruction in force at the end of a stage: its own last USER, or
 * else the one of the stage it is built on (`FROM build` inherits the image
 * config, USER included), and so on up. Undefined: the base image's user.
 */
export function effectiveUser(
  model: DockerfileModel,
  stage: DfStage,
): { user: DfInstruction; stage: DfStage } | undefined {
  for (let s: DfStage | undefined = stage; s !== undefined; s = parentStage(model, s)) {
    const last = s.instructions.filter((i) => i.keyword === 'USER').at(-1);
    if (last) return { user: last, stage: s };
  }
  return undefined;
}

export const userMissing: DockerfileCheck = {
  id: 'CUS-DF-004',
  severity: 'high',
  title: 'Final stage sets no USER',
  rationale:
    'Without USER the container runs as root unless the base image set another user; a process escape then starts as root. A final stage built on an earlier stage (`FROM build`) inherits that stage’s USER.',
  remediation: 'Create an unprivileged user and end the final stage with `USER app` (or a numeric UID).',
  references: [`${DOCKERFILE_REFERENCE}#user`, CIS_DOCKER],
  standards: { cisDocker: '4.1' },
  run: (model) => {
    const stage = finalStage(model);
    if (!stage || effectiveUser(model, stage)) return [];
    return [
      finding(userMissing, {
        message: `line ${stage.from.startLine}: the final stage (FROM ${stage.imageText}) never sets USER, so it runs as the base image's user (root by default)`,
        target: model.path,
        location: { path: model.path, startLine: stage.from.startLine, endLine: stage.from.endLine },
        evidence: stage.from.text,
      }),
    ];
  },
};

export const userRoot: DockerfileCheck = {
  id: 'CUS-DF-005',
  severity: 'high',
  title: 'Final stage runs as root',
  rationale:
    'The last USER in force in the final stage is the user the container runs as; root in the container is root on the host when isolation fails. A `USER root` in an earlier stage that the final stage is built on (`FROM base`) is that user when the final stage sets none.',
  remediation: 'Switch back to an unprivileged user after the steps that need root: `USER app`.',
  references: [`${DOCKERFILE_REFERENCE}#user`, CIS_DOCKER, hadolintRule('DL3002')],
  standards: { cisDocker: '4.1', hadolint: ['DL3002'] },
  run: (model) => {
    const stage = finalStage(model);
    const found = stage ? effectiveUser(model, stage) : undefined;
    if (!stage || !found || !isRootUser(found.user.args)) return [];
    const inherited =
      found.stage === stage
        ? ''
        : `, inherited from stage "${found.stage.name ?? found.stage.index}" that the final stage (line ${stage.from.startLine}) is built on`;
    return [
      at(userRoot, model, found.user, `the last USER of the final stage is "${found.user.args}" (root)${inherited}`),
    ];
  },
};
