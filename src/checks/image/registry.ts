import {
  type ImageCheck,
  imageAddUrl,
  imageBuildArgSecrets,
  imageEnvSecrets,
  imageLatestBase,
  imageMissingLabels,
  imageNoHealthcheck,
  imagePackageCaches,
  imagePipeToShell,
  imageRunsAsRoot,
  imageSensitivePorts,
  imageSetuidFiles,
  imageSudoInstalled,
} from './image-checks.js';

/** Every image-config check, in id order. */
export const IMAGE_CHECKS: readonly ImageCheck[] = [
  imageRunsAsRoot,
  imageNoHealthcheck,
  imageSensitivePorts,
  imageAddUrl,
  imagePipeToShell,
  imagePackageCaches,
  imageSetuidFiles,
  imageSudoInstalled,
  imageEnvSecrets,
  imageLatestBase,
  imageMissingLabels,
  imageBuildArgSecrets,
];
