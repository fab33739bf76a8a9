import { addInsteadOfCopy, addRemote } from './add-checks.js';
import { aptListsNotRemoved, aptNoInstallRecommends, aptUpgrade, updateAlone } from './apt-checks.js';
import { baseImageLatest, baseImageNoDigest, baseImageNoTag, copyFromLatest } from './base-image-checks.js';
import type { DockerfileCheck } from './helpers.js';
import {
  healthcheckMissing,
  maintainerDeprecated,
  multipleCmd,
  multipleEntrypoint,
  relativeWorkdir,
  sensitivePortExposed,
  shellFormCommand,
} from './instruction-checks.js';
import { buildToolsShipped, pipeToShell, runCd, sudoInRun, unpinnedPackages } from './run-checks.js';
import { secretBuildArg, secretInArgEnv } from './secret-checks.js';
import { userMissing, userRoot } from './user-checks.js';

/** Every Dockerfile check, in id order. */
export const DOCKERFILE_CHECKS: readonly DockerfileCheck[] = [
  baseImageNoTag,
  baseImageLatest,
  baseImageNoDigest,
  userMissing,
  userRoot,
  aptNoInstallRecommends,
  aptListsNotRemoved,
  aptUpgrade,
  addInsteadOfCopy,
  addRemote,
  secretInArgEnv,
  sudoInRun,
  relativeWorkdir,
  buildToolsShipped,
  runCd,
  unpinnedPackages,
  pipeToShell,
  sensitivePortExposed,
  multipleCmd,
  multipleEntrypoint,
  maintainerDeprecated,
  copyFromLatest,
  shellFormCommand,
  updateAlone,
  healthcheckMissing,
  secretBuildArg,
];

/**
 * The checks that stay correct on a Dockerfile reconstructed from image
 * history. They look only at what one history entry records in full: the
 * shell text of a RUN, ENV and build-arg values, EXPOSE, ADD of a URL,
 * MAINTAINER. Left out, and why:
 * - base image pinning, COPY --from: history has no FROM;
 * - USER, HEALTHCHECK, CMD/ENTRYPOINT: the image config says it better (image checks);
 * - multiple CMD/ENTRYPOINT, build tools, apt upgrade alone: the base image's entries are in the same list;
 * - ADD where COPY fits: history prints `ADD file:<hash> in /` for local files *and* base rootfs tarballs;
 * - relative WORKDIR: history records the resolved, absolute directory;
 * - RUN cd: BuildKit and the classic builder print RUN differently (`|N ARG=…` prefixes);
 * - secret build arguments without a value: history records the value each build argument had.
 */
export const HISTORY_CHECKS: readonly DockerfileCheck[] = [
  aptNoInstallRecommends,
  aptListsNotRemoved,
  addRemote,
  secretInArgEnv,
  sudoInRun,
  unpinnedPackages,
  pipeToShell,
  sensitivePortExposed,
  maintainerDeprecated,
];
