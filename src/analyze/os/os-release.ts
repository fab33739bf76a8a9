import type { OsInfo } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { parseOsRelease } from './parse-os-release.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/** os-release(5): "/etc/os-release takes precedence over /usr/lib/os-release". Both are read; pickOs chooses. */
export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;

/** Debian releases by major version, for files that name only one of the two (jessie's os-release, debian_version). */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

/** The OsInfo an os-release file describes, or undefined when it names no OS at all. */
export function osInfoFromOsRelease(text: string): OsInfo | undefined {
  const vars = parseOsRelease(text);
  if (vars.size === 0) return undefined;
  // os-release(5) defaults: ID=linux, NAME=Linux, PRETTY_NAME="Linux".
  let family = (vars.get('ID') ?? 'linux').toLowerCase();
  const name = vars.get('PRETTY_NAME') || vars.get('NAME') || 'Linux';
  // openSUSE Leap 42.x and 15.0 said ID=opensuse; later releases say opensuse-leap / opensuse-tumbleweed.
  if (family === 'opensuse') family = /tumbleweed/i.test(name) ? 'opensuse-tumbleweed' : 'opensuse-leap';
  const version = vars.get('VERSION_ID') ?? '';
  let codename = vars.get('VERSION_CODENAME') || vars.get('UBUNTU_CODENAME') || undefined;
  if (!codename && family === 'debian') {
    // Debian 8 has only VERSION="8 (jessie)".
    codename = /\(([a-z]+)\)/.exec(vars.get('VERSION') ?? '')?.[1] ?? DEBIAN_CODENAMES[version.split('.')[0] ?? ''];
  }
  return codename ? { family, version, name, codename } : { family, version, name };
}

export const osRelease: Analyzer = {
  name: 'os-release',
  version: ANALYZER_VERSIONS['os-release'],
  wants: (path) => path === 'etc/os-release' || path === 'usr/lib/os-release',
  analyze: (file) => {
    const os = osInfoFromOsRelease(file.text());
    return os ? { os } : {};
  },
};
