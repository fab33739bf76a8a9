import { apkInstalled } from './apk-installed.js';
import { distroRelease } from './distro-release.js';
import { dpkgFiles } from './dpkg-files.js';
import { dpkgStatus } from './dpkg-status.js';
import { osRelease } from './os-release.js';
import { rpmDb } from './rpm-db.js';

/** The OS analyzers, listed explicitly (docs/architecture.md "Extension points": no self-registration). */
export const OS_ANALYZERS = [osRelease, distroRelease, dpkgStatus, dpkgFiles, apkInstalled, rpmDb] as const;

export { parseApkInstalled } from './apk-installed.js';
export { DISTRO_RELEASE_PATHS, parseDistroRelease } from './distro-release.js';
export { parseDpkgList, parseMd5sums } from './dpkg-files.js';
export {
  isDistrolessDpkg,
  isStatusDEntry,
  parseDpkgStatus,
} from './dpkg-status.js';
export { OS_RELEASE_PATHS, osInfoFromOsRelease } from './os-release.js';
export { parseOsRelease } from './parse-os-release.js';
export { type OsFact, type PickOsOptions, pickOs } from './pick-os.js';
export { parseRpmdb, RPMDB_PATHS, readRpmdbBlobs } from './rpm-db.js';
export { parseRpmHeader, parseSourceRpm } from './rpm-header.js';
export { apkInstalled, distroRelease, dpkgFiles, dpkgStatus, osRelease, rpmDb };
