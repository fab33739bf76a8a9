import { isLiteralValue, isSecretName, redactAssignment } from '../shared/secret-names.js';
import { allInstructions } from './model.js';
import { at, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE } from './helpers.js';

export const secretInArgEnv: DockerfileCheck = {
  id: 'CUS-DF-011',
  severity: 'high',
  title: 'Secret in ARG or ENV',
  rationale:
    'ENV values are stored in the image config and ARG values in its history: anyone who can pull the image can read them (CIS Docker 4.10).',
  remediation:
    'Pass secrets at build time with RUN --mount=type=secret, and at run time through the orchestrator (Kubernetes Secrets, files), never as ARG/ENV defaults.',
  references: ['https://docs.docker.com/build/building/secrets/', `${DOCKERFILE_REFERENCE}#arg`, CIS_DOCKER],
  standards: { cisDocker: '4.10' },
  run: (model) =>
    allInstructions(model).flatMap((ins) => {
      if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') return [];
      return (ins.properties ?? [])
        .filter((p) => isSecretName(p.name) && isLiteralValue(p.value))
        .map((p) =>
          at(
            secretInArgEnv,
            model,
            ins,
            `${ins.keyword} ${p.name} holds a literal value that ends up in the image ${ins.keyword === 'ENV' ? 'config' : 'history'}`,
            `${ins.keyword} ${redactAssignment(p.name)}`,
          ),
        );
    }),
};
