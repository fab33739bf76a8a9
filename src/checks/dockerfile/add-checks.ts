import { at, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE } from './helpers.js';
import type { DfInstruction, DockerfileModel } from './model.js';

/** ADD's sources (all words but the destination), from exec or shell form. */
function addSources(ins: DfInstruction): string[] {
  const words = ins.json ? [...ins.json] : ins.words.filter((w) => !w.startsWith('--'));
  return words.slice(0, -1);
}

const REMOTE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;
/** Archives ADD auto-extracts (Dockerfile reference, ADD "Adding local tar archives"). */
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|tlz|tar\.lzma)$/i;

function adds(model: DockerfileModel): DfInstruction[] {
  return model.stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ADD'));
}

export const addInsteadOfCopy: DockerfileCheck = {
  id: 'CUS-DF-009',
  severity: 'low',
  title: 'ADD used where COPY fits',
  rationale:
    'ADD also fetches URLs and unpacks archives; for plain local files that magic is a surprise waiting to happen (CIS Docker 4.9).',
  remediation: 'Use COPY for local files and directories; keep ADD for local tar archives that must be extracted.',
  references: [`${DOCKERFILE_REFERENCE}#adding-files-from-the-build-context`, CIS_DOCKER],
  standards: { cisDocker: '4.9' },
  run: (model) =>
    adds(model).flatMap((ins) => {
      const sources = addSources(ins);
      if (sources.length === 0 || sources.some((s) => REMOTE.test(s) || ARCHIVE.test(s) || s.includes('$'))) return [];
      return [
        at(
          addInsteadOfCopy,
          model,
          ins,
          `ADD copies local ${sources.map((s) => `"${s}"`).join(', ')}; COPY does the same without ADD's extraction and download rules`,
        ),
      ];
    }),
};

export const addRemote: DockerfileCheck = {
  id: 'CUS-DF-010',
  severity: 'medium',
  title: 'ADD downloads from a URL',
  rationale:
    'ADD fetches a remote file without verifying it (unless --checksum is given) and caches it by URL: a changed or compromised download enters the image unseen (CIS Docker 4.9).',
  remediation: 'Download with curl/wget in a RUN and verify a checksum or signature, or give ADD --checksum=sha256:….',
  references: [`${DOCKERFILE_REFERENCE}#add---checksum`, CIS_DOCKER],
  standards: { cisDocker: '4.9' },
  run: (model) =>
    adds(model).flatMap((ins) => {
      if (ins.flags.some((f) => f.name === 'checksum')) return [];
      const remote = addSources(ins).filter((s) => REMOTE.test(s));
      return remote.length === 0
        ? []
        : [at(addRemote, model, ins, `ADD fetches ${remote.map((s) => `"${s}"`).join(', ')} without a checksum`)];
    }),
};
