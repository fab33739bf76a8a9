import { at, CIS_DOCKER, type DockerfileCheck, DOCKERFILE_REFERENCE, hadolintRule } from './helpers.js';
import { type DfInstruction, type DockerfileModel, instructionsOf } from './model.js';

/** A word without the quotes it was written with (`ADD "app.tar.gz" /`). */
const unquote = (w: string): string => w.replace(/^(["'])(.*)\1$/, '$2');

/** ADD's sources (all words but the destination), from exec or shell form, unquoted. */
function addSources(ins: DfInstruction): string[] {
  const words = ins.json ? [...ins.json] : ins.words.filter((w) => !w.startsWith('--')).map(unquote);
  return words.slice(0, -1);
}

const REMOTE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;
/**
 * Local files ADD extracts: tar archives, plain or compressed with gzip,
 * bzip2, xz (Dockerfile reference, ADD "Adding local tar archives"; the
 * builder detects the format by content, so the suffixes are the names such
 * archives go by, as hadolint DL3020 lists them, plus zstd).
 */
const ARCHIVE = /\.(tar|tar\.(gz|bz2|xz|zst|lz|lzma|z)|tgz|tbz2?|tb2|txz|tzst|tlz|tpz|tz|gz|bz2|xz|zst|lz|lzma|z)$/i;

function adds(model: DockerfileModel): DfInstruction[] {
  return model.stages.flatMap((s) => instructionsOf(s, 'ADD'));
}

export const addInsteadOfCopy: DockerfileCheck = {
  id: 'CUS-DF-009',
  severity: 'low',
  title: 'ADD used where COPY fits',
  rationale:
    'ADD also fetches URLs and unpacks archives; for plain local files that magic is a surprise waiting to happen (CIS Docker 4.9).',
  remediation: 'Use COPY for local files and directories; keep ADD for local tar archives that must be extracted.',
  references: [`${DOCKERFILE_REFERENCE}#adding-files-from-the-build-context`, CIS_DOCKER, hadolintRule('DL3020')],
  standards: { cisDocker: '4.9', hadolint: ['DL3020'] },
  run: (model) =>
    adds(model).flatMap((ins) => {
      // URLs and local archives are what ADD is for; a source built from a variable cannot be judged.
      const plain = addSources(ins).filter((s) => !REMOTE.test(s) && !ARCHIVE.test(s) && !s.includes('$'));
      if (plain.length === 0) return [];
      return [
        at(
          addInsteadOfCopy,
          model,
          ins,
          `ADD copies local ${plain.map((s) => `"${s}"`).join(', ')}; COPY does the same without ADD's extraction and download rules`,
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
