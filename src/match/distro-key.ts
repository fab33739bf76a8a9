/**
 * The DB key of an image's distro release. Advisories are per release (Debian 12
 * is not Debian 11): Debian and RHEL-likes key on the major version ("12.5" →
 * "Debian:12"), Alpine on major.minor ("3.19.1" → "Alpine:v3.19"), Ubuntu on
 * "YY.MM" (vulndb's distroEcosystem holds the table, shared with the feeds).
 */
import { CustomsError, type OsInfo } from '../core/index.js';
import { DISTRO_NAMES, distroRelease } from '../sbom/index.js';
import { DEBIAN_CODENAMES, distroEcosystem } from '../vulndb/index.js';

export function distroKey(os: OsInfo | undefined): string | undefined {
  if (os === undefined) return undefined;
  const family = os.family.toLowerCase();
  if (family === 'debian') {
    // Testing/unstable write "trixie/sid" in /etc/debian_version and no VERSION_ID: use the code name.
    const numeric = /^\d+(\.\d+)*$/.test(os.version.trim());
    if (!numeric) {
      const name = (os.codename ?? os.version.split('/')[0] ?? '').trim().toLowerCase();
      const release = DEBIAN_CODENAMES[name];
      return release === undefined ? undefined : `Debian:${release}`;
    }
  }
  return distroEcosystem(family, os.version);
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
