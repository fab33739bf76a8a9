import type { OsInfo } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { DEBIAN_CODENAMES } from './os-release.js';
import { parseOsRelease } from './parse-os-release.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * The distributions' own release files, older than os-release and sometimes
 * more precise (debian_version has the point release, centos-release the
 * full 7.9.2009). Listed from most to least specific: pickOs uses this order
 * when an image has no os-release at all (redhat-release and system-release
 * are often symlinks to the specific file).
 */
export const DISTRO_RELEASE_PATHS = [
  'etc/centos-release',
  'etc/rocky-release',
  'etc/almalinux-release',
  'etc/fedora-release',
  'etc/redhat-release',
  'etc/system-release',
  'etc/SuSE-release',
  'etc/alpine-release',
  'etc/lsb-release',
  'etc/debian_version',
] as const;

const WANTED: ReadonlySet<string> = new Set(DISTRO_RELEASE_PATHS);

/** "<Name> release <version> (<codename>)", the format of every Red Hat family file. */
const RELEASE_LINE = /^(.+?)\s+release\s+(\d[\w.]*)(?:\s*\(([^)]*)\))?/;

/** Product name prefixes → os-release IDs, for the Red Hat family files (content decides, not the file name). */
const RELEASE_FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/^CentOS/i, 'centos'],
  [/^Rocky/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Fedora/i, 'fedora'],
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^Amazon Linux/i, 'amzn'],
  [/^Oracle Linux/i, 'ol'],
];

/** The OsInfo a distro release file states, or undefined when the content is not one we know. */
export function parseDistroRelease(path: string, text: string): OsInfo | undefined {
  const first = (text.split(/\r?\n/)[0] ?? '').trim();
  switch (path) {
    case 'etc/alpine-release': {
      // One line, the full release: "3.19.1".
      if (!/^\d+(\.\d+)*/.test(first)) return undefined;
      const minor = first.split('.').slice(0, 2).join('.');
      return {
        family: 'alpine',
        version: first,
        name: `Alpine Linux v${minor}`,
      };
    }
    case 'etc/debian_version': {
      // "12.5" on stable, "trixie/sid" on testing and unstable (Ubuntu has one too: families differ there).
      if (first === '') return undefined;
      const codename = /^\d/.test(first) ? DEBIAN_CODENAMES[first.split('.')[0] ?? ''] : first.split('/')[0];
      const name = `Debian GNU/Linux ${first}`;
      return codename
        ? { family: 'debian', version: first, name, codename }
        : { family: 'debian', version: first, name };
    }
    case 'etc/lsb-release': {
      const vars = parseOsRelease(text);
      const id = vars.get('DISTRIB_ID');
      if (!id) return undefined;
      const version = vars.get('DISTRIB_RELEASE') ?? '';
      const name = vars.get('DISTRIB_DESCRIPTION') || `${id} ${version}`.trim();
      const codename = vars.get('DISTRIB_CODENAME');
      const family = id.toLowerCase();
      return codename ? { family, version, name, codename } : { family, version, name };
    }
    case 'etc/SuSE-release': {
      // "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5", "openSUSE 42.3 (x86_64)\nVERSION = 42.3".
      const field = (key: string): string | undefined => new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];
      const major = field('VERSION');
      if (!major) return undefined;
      const patch = field('PATCHLEVEL');
      const version = patch && patch !== '0' ? `${major}.${patch}` : major;
      const name = first.replace(/\s*\([^)]*\)\s*$/, '');
      if (/^SUSE Linux Enterprise/i.test(first)) return { family: 'sles', version, name };
      if (/^openSUSE/i.test(first)) {
        return /tumbleweed/i.test(first)
          ? { family: 'opensuse-tumbleweed', version, name }
          : { family: 'opensuse-leap', version, name };
      }
      return undefined;
    }
    default: {
      const m = RELEASE_LINE.exec(first);
      if (!m) return undefined;
      const product = m[1] ?? '';
      const family = RELEASE_FAMILIES.find(([re]) => re.test(product))?.[1];
      if (!family) return undefined;
      const version = m[2] ?? '';
      // Amazon Linux 2023 says "(Amazon Linux)": the product again, not a codename.
      const paren = m[3]?.trim();
      const codename = paren && !product.startsWith(paren) ? paren : undefined;
      const name = first;
      return codename ? { family, version, name, codename } : { family, version, name };
    }
  }
}

export const distroRelease: Analyzer = {
  name: 'distro-release',
  version: ANALYZER_VERSIONS['distro-release'],
  wants: (path) => WANTED.has(path),
  analyze: (file) => {
    const os = parseDistroRelease(file.path, file.text());
    return os ? { os } : {};
  },
};
