/**
 * The DB key of an image's distro release. Advisories are per release (Debian 12
 * is not Debian 11): Debian and RHEL-likes key on the major version ("12.5" →
 * "Debian:12"), Alpine on major.minor ("3.19.1" → "Alpine:v3.19"), Ubuntu on
 * "YY.MM" (vulndb's osDistroKey holds the rules, shared with the feeds).
 */
import { CustomsError, type OsInfo } from '../core/index.js';
import { DISTRO_NAMES, distroRelease } from '../sbom/index.js';
import { osDistroKey } from '../vulndb/index.js';

export function distroKey(os: OsInfo | undefined): string | undefined {
  // One function keys releases for the matchers and the store's package index alike (vulndb's osDistroKey).
  return osDistroKey(os);
}

/**
 * `--distro NAME:VERSION` (Grype's spelling: `debian:12`, `alpine:3.19`,
 * `ubuntu:jammy`): the release to match OS packages against when the target
 * does not say it, or says it wrong. NAME is an os-release ID customs has
 * advisories for; VERSION a release number or (Debian, Ubuntu) a code name.
 */
export function parseDistro(text: string): OsInfo {
  const accepted = `NAME is one of ${DISTRO_NAMES.join(', ')} (e.g. --distro debian:12, --distro alpine:3.19)`;
  const m = /^([^:\s]+):(\S*)$/.exec(text.trim());
  if (m?.[1] === undefined) {
    throw new CustomsError('USAGE_BAD_FLAG', `--distro "${text}" is not NAME:VERSION; ${accepted}`);
  }
  const os = distroRelease(m[1], m[2] ?? '');
  if (os === undefined || distroKey(os) === undefined) {
    const known = distroRelease(m[1], '1') !== undefined;
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      known
        ? `--distro "${text}": "${m[2]}" is not a release of ${m[1]}; give its version number (e.g. --distro ${m[1]}:${m[1] === 'alpine' ? '3.19' : '12'})${m[1].toLowerCase() === 'debian' || m[1].toLowerCase() === 'ubuntu' ? ' or code name' : ''}`
        : `--distro "${text}": "${m[1]}" is not a distro customs has advisories for; ${accepted}`,
    );
  }
  return { ...os, name: `${os.name} (--distro)` };
}
