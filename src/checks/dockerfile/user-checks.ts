import { finding } from '../types.js';
import { at, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE } from './helpers.js';
import { finalStage } from './model.js';

/** `root`, `0`, `root:…`, `0:…` (user part of USER user[:group]). */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(':')[0]?.trim() ?? '';
  return u === 'root' || /^0+$/.test(u);
}

export const userMissing: DockerfileCheck = {
  id: 'CUS-DF-004',
  severity: 'high',
  title: 'Final stage sets no USER',
  rationale:
    'Without USER the container runs as root unless the base image set another user; a process escape then starts as root.',
  remediation: 'Create an unprivileged user and end the final stage with `USER app` (or a numeric UID).',
  references: [`${DOCKERFILE_REFERENCE}#user`, CIS_DOCKER],
  standards: { cisDocker: '4.1' },
  run: (model) => {
    const stage = finalStage(model);
    if (!stage || stage.instructions.some((i) => i.keyword === 'USER')) return [];
    // A stage built on an earlier stage inherits its USER.
    if (stage.fromStage) {
      const parent = model.stages.find((s) => s.name !== undefined && s.name === stage.image?.toLowerCase());
      if (parent?.instructions.some((i) => i.keyword === 'USER')) return [];
    }
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
    'The last USER of the final stage is the user the container runs as; root in the container is root on the host when isolation fails.',
  remediation: 'Switch back to an unprivileged user after the steps that need root: `USER app`.',
  references: [`${DOCKERFILE_REFERENCE}#user`, CIS_DOCKER],
  standards: { cisDocker: '4.1' },
  run: (model) => {
    const stage = finalStage(model);
    const last = stage?.instructions.filter((i) => i.keyword === 'USER').at(-1);
    if (!last || !isRootUser(last.args)) return [];
    return [at(userRoot, model, last, `the last USER of the final stage is "${last.args}" (root)`)];
  },
};
