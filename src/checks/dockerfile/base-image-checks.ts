import { parseReference } from '../../image/index.js';
import { at, BEST_PRACTICES, type DockerfileCheck, DOCKERFILE_REFERENCE, hadolintRule } from './helpers.js';
import type { DfStage, DockerfileModel } from './model.js';

interface BaseRef {
  readonly stage: DfStage;
  readonly image: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * External base images of every stage, parsed as references. Stages built on
 * an earlier stage, `scratch`, and images whose ARG has no default are not
 * pulled from a registry as written, so they are skipped.
 */
function baseImages(model: DockerfileModel): BaseRef[] {
  const out: BaseRef[] = [];
  for (const stage of model.stages) {
    if (stage.fromStage || stage.image === undefined || stage.image.toLowerCase() === 'scratch') continue;
    try {
      const ref = parseReference(stage.image);
      out.push({
        stage,
        image: stage.image,
        ...(ref.tag ? { tag: ref.tag } : {}),
        ...(ref.digest ? { digest: ref.digest } : {}),
      });
    } catch {
      // Not a valid reference: docker build would fail; nothing to say about pinning.
    }
  }
  return out;
}

export const baseImageNoTag: DockerfileCheck = {
  id: 'CUS-DF-001',
  severity: 'medium',
  title: 'Base image has no tag',
  rationale:
    'FROM without a tag or digest pulls `latest`, whatever it points to on the day of the build: builds are not reproducible and can change base OS silently.',
  remediation: 'Name a tag (debian:12.6-slim) and preferably a digest (debian:12.6-slim@sha256:…).',
  references: [`${DOCKERFILE_REFERENCE}#from`, BEST_PRACTICES, hadolintRule('DL3006')],
  standards: { hadolint: ['DL3006'] },
  run: (model) =>
    baseImages(model)
      .filter((b) => b.tag === undefined && b.digest === undefined)
      .map((b) =>
        at(
          baseImageNoTag,
          model,
          b.stage.from,
          `base image "${b.image}" has no tag, so the build uses whatever "latest" is`,
        ),
      ),
};

export const baseImageLatest: DockerfileCheck = {
  id: 'CUS-DF-002',
  severity: 'medium',
  title: 'Base image uses the latest tag',
  rationale: '`latest` moves: two builds of the same Dockerfile can get different base images and packages.',
  remediation: 'Use a versioned tag, and pin it by digest.',
  references: [`${DOCKERFILE_REFERENCE}#from`, BEST_PRACTICES, hadolintRule('DL3007')],
  standards: { hadolint: ['DL3007'] },
  run: (model) =>
    baseImages(model)
      .filter((b) => b.tag === 'latest' && b.digest === undefined)
      .map((b) => at(baseImageLatest, model, b.stage.from, `base image "${b.image}" uses the mutable "latest" tag`)),
};

export const baseImageNoDigest: DockerfileCheck = {
  id: 'CUS-DF-003',
  severity: 'low',
  title: 'Base image is not pinned by digest',
  rationale: 'A tag can be re-pushed; only a digest names exactly one image, so what was reviewed is what is built.',
  remediation: 'Append the digest: FROM debian:12.6-slim@sha256:… (tools such as Renovate keep it current).',
  references: [
    `${DOCKERFILE_REFERENCE}#from`,
    'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
  ],
  standards: {},
  run: (model) =>
    baseImages(model)
      .filter((b) => b.tag !== undefined && b.tag !== 'latest' && b.digest === undefined)
      .map((b) =>
        at(baseImageNoDigest, model, b.stage.from, `base image "${b.image}" is pinned by tag only, not by digest`),
      ),
};

export const copyFromLatest: DockerfileCheck = {
  id: 'CUS-DF-022',
  severity: 'medium',
  title: 'COPY --from an image with no tag or the latest tag',
  rationale:
    'COPY --from=IMAGE pulls an image like FROM does; with `latest` or no tag the copied files change between builds.',
  remediation: 'Pin the image in --from by version tag and digest, or copy from a named stage that is pinned.',
  references: [`${DOCKERFILE_REFERENCE}#copy---from`],
  standards: {},
  run: (model) => {
    const out = [];
    const stageNames = new Set<string>();
    for (const stage of model.stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'COPY') continue;
        const from = ins.flags.find((f) => f.name === 'from')?.value;
        if (!from || /^\d+$/.test(from) || stageNames.has(from.toLowerCase()) || from.includes('$')) continue;
        try {
          const ref = parseReference(from);
          if (ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest')) {
            out.push(
              at(
                copyFromLatest,
                model,
                ins,
                `COPY --from="${from}" takes files from an image that is not pinned (${ref.tag === undefined ? 'no tag' : 'latest'})`,
              ),
            );
          }
        } catch {
          // Not an image reference.
        }
      }
      if (stage.name) stageNames.add(stage.name);
    }
    return out;
  },
};
