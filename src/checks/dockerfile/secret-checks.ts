import { isLiteralValue, isSecretName, redactAssignment } from '../shared/secret-names.js';
import { at, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE, hadolintRule } from './helpers.js';
import { allInstructions } from './model.js';

const SECRET_NAMES_DOC =
  'A name is sensitive when a part of it (split at _ . -) is or contains PASSWORD, PASSWD, PASS, PASSPHRASE, SECRET, TOKEN, CREDENTIAL(S), APIKEY, or is a KEY qualified as API_, ACCESS_, PRIVATE_, SECRET_, AUTH_, CLIENT_, SIGNING_, ENCRYPTION_, MASTER_, LICENSE_, APP_, SERVICE_ or SSH_KEY (AWS_ACCESS_KEY_ID too). Not sensitive, on purpose: a bare KEY (`GPG_KEY` in the official images is a public key fingerprint), names with a PUBLIC part, names that point at a secret (`*_FILE`, `*_PATH`, `*_DIR`, `*_URL`, `*_NAME`, `*_ID` …), USERNAME, and TOKEN inside a longer word (`TOKENIZERS_PARALLELISM`). ARGs before the first FROM count like any other.';

export const secretInArgEnv: DockerfileCheck = {
  id: 'CUS-DF-011',
  severity: 'high',
  title: 'Secret in ARG or ENV',
  rationale: `ENV values are stored in the image config and ARG values in its history: anyone who can pull the image can read them (CIS Docker 4.10). This check reports a sensitive name given a literal value in the Dockerfile (a value that is only another variable, \`\${CI_TOKEN}\`, is CUS-DF-026). ${SECRET_NAMES_DOC}`,
  remediation:
    'Pass secrets at build time with RUN --mount=type=secret, and at run time through the orchestrator (Kubernetes Secrets, files), never as ARG/ENV defaults.',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    `${DOCKERFILE_REFERENCE}#arg`,
    CIS_DOCKER,
    hadolintRule('DL3064'),
  ],
  standards: { cisDocker: '4.10', hadolint: ['DL3064'] },
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

export const secretBuildArg: DockerfileCheck = {
  id: 'CUS-DF-026',
  severity: 'medium',
  title: 'Secret passed as a build argument or copied into ENV',
  rationale: `A sensitive ARG without a literal default expects its value from \`--build-arg\`: the builder records build arguments in the history of every RUN that sees them and in build provenance, so the secret ships with the image. An ENV of a sensitive name set from a variable (\`ENV TOKEN=$CI_TOKEN\`) copies that value into the image config. ${SECRET_NAMES_DOC}`,
  remediation:
    'Mount the secret for the one RUN that needs it: `RUN --mount=type=secret,id=token,env=TOKEN …` and `docker build --secret id=token,env=TOKEN`; give it to the container at run time.',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    `${DOCKERFILE_REFERENCE}#arg`,
    hadolintRule('DL3064'),
  ],
  standards: { cisDocker: '4.10', hadolint: ['DL3064'] },
  run: (model) =>
    allInstructions(model).flatMap((ins) => {
      if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') return [];
      return (ins.properties ?? [])
        .filter((p) => isSecretName(p.name) && !isLiteralValue(p.value))
        .filter((p) => ins.keyword === 'ARG' || /\$/.test(p.value ?? ''))
        .map((p) =>
          at(
            secretBuildArg,
            model,
            ins,
            ins.keyword === 'ARG'
              ? `ARG ${p.name} takes a secret from --build-arg, which the image history records`
              : `ENV ${p.name} copies ${p.value ?? ''} into the image config`,
            `${ins.keyword} ${p.name}${p.value === null ? '' : `=${p.value}`}`,
          ),
        );
    }),
};
