/**
 * The DB key of an image's distro release. Advisories are per release (Debian 12
 * is not Debian 11): Debian and RHEL-likes key on the major version ("12.5" →
 * "Debian:12"), Alpine on major.minor ("3.19.1" → "Alpine:v3.19"), Ubuntu on
 * "YY.MM" (vulndb's distroEcosystem holds the table, shared with the feeds).
 */
import type { OsInfo } from '../core/index.js';
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
