/**
 * Where a user reads about a finding: the distro's tracker page for a CVE in a
 * distro package (it says what the distro shipped), GitHub's advisory page for a
 * GHSA, the Go vulnerability page for GO-…, else the OSV.dev page, which knows
 * every ID OSV aggregates, or NVD for a bare CVE.
 */
import { ecosystemFamily } from '../vulndb/index.js';

export function advisoryUrl(primary: string, ids: readonly string[], ecosystem: string): string {
  const cve = /^CVE-\d{4}-\d+$/.test(primary);
  if (cve) {
    switch (ecosystemFamily(ecosystem)) {
      case 'Debian':
        return `https://security-tracker.debian.org/tracker/${primary}`;
      case 'Ubuntu':
        return `https://ubuntu.com/security/${primary}`;
      case 'Alpine':
        return `https://security.alpinelinux.org/vuln/${primary}`;
      case 'Red Hat':
        return `https://access.redhat.com/security/cve/${primary}`;
      default:
        break;
    }
  }
  const ghsa = ids.filter((i) => i.startsWith('GHSA-')).sort()[0];
  if (ghsa !== undefined) return `https://github.com/advisories/${ghsa}`;
  if (primary.startsWith('GO-')) return `https://pkg.go.dev/vuln/${primary}`;
  if (cve) return `https://nvd.nist.gov/vuln/detail/${primary}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(primary)}`;
}
