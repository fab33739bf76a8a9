/**
 * Package-manager installs seen in a shell command: which manager, which
 * packages as written. Used for version pinning, build tools and apt hygiene.
 */

export const PACKAGE_MANAGERS = ['apt', 'apk', 'pip', 'npm', 'yum', 'dnf', 'microdnf', 'zypper'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export interface PackageInstall {
  readonly manager: PackageManager;
  /** The words naming packages (options and their values removed). */
  readonly packages: readonly string[];
  /** Every option word given (`--no-install-recommends`, `-y`). */
  readonly options: readonly string[];
}

/** Options that take a separate value word, per manager (so the value is not taken for a package). */
const VALUE_OPTIONS: Readonly<Record<PackageManager, ReadonlySet<string>>> = {
  apt: new Set(['-o', '-t', '-c', '--option', '--target-release', '--config-file', '-a', '--host-architecture']),
  apk: new Set([
    '-X',
    '--repository',
    '-t',
    '--virtual',
    '-p',
    '--root',
    '--arch',
    '--keys-dir',
    '--cache-dir',
    '--repositories-file',
  ]),
  pip: new Set([
    '-r',
    '--requirement',
    '-c',
    '--constraint',
    '-e',
    '--editable',
    '-i',
    '--index-url',
    '--extra-index-url',
    '-f',
    '--find-links',
    '-t',
    '--target',
    '--prefix',
    '--root',
    '--trusted-host',
    '--platform',
    '--python-version',
    '--implementation',
    '--abi',
    '--only-binary',
    '--no-binary',
    '--progress-bar',
    '--cache-dir',
    '--src',
    '--upgrade-strategy',
    '--proxy',
    '--timeout',
    '--retries',
    '--log',
  ]),
  npm: new Set(['--prefix', '--registry', '--cache', '--tag', '-w', '--workspace', '--userconfig', '--loglevel']),
  yum: new Set(['--enablerepo', '--disablerepo', '--installroot', '--releasever', '-c', '--setopt', '-x', '--exclude']),
  dnf: new Set([
    '--enablerepo',
    '--disablerepo',
    '--installroot',
    '--releasever',
    '-c',
    '--setopt',
    '-x',
    '--exclude',
    '--repo',
  ]),
  microdnf: new Set(['--enablerepo', '--disablerepo', '--installroot', '--releasever', '--setopt']),
  zypper: new Set(['-r', '--repo', '--from']),
};

const INSTALL_VERBS: Readonly<Record<PackageManager, ReadonlySet<string>>> = {
  apt: new Set(['install']),
  apk: new Set(['add']),
  pip: new Set(['install']),
  npm: new Set(['install', 'i', 'add', 'isntall', 'in']),
  yum: new Set(['install']),
  dnf: new Set(['install']),
  microdnf: new Set(['install']),
  zypper: new Set(['install', 'in']),
};

function managerOf(
  program: string,
  args: readonly string[],
): { manager: PackageManager; rest: readonly string[] } | undefined {
  if (program === 'apt-get' || program === 'apt') return { manager: 'apt', rest: args };
  if (program === 'apk') return { manager: 'apk', rest: args };
  if (/^pip(3(\.\d+)?)?$/.test(program)) return { manager: 'pip', rest: args };
  if (/^python(3(\.\d+)?)?$/.test(program) && args[0] === '-m' && /^pip3?$/.test(args[1] ?? ''))
    return { manager: 'pip', rest: args.slice(2) };
  if (program === 'npm') return { manager: 'npm', rest: args };
  if (program === 'yum' || program === 'dnf' || program === 'microdnf' || program === 'zypper')
    return { manager: program, rest: args };
  return undefined;
}

/** The subcommand of a package-manager call (`update`, `install`, `upgrade` …), past leading options. */
export function subcommandOf(
  program: string,
  args: readonly string[],
): { manager: PackageManager; verb: string; after: readonly string[] } | undefined {
  const m = managerOf(program, args);
  if (!m) return undefined;
  const valueOpts = VALUE_OPTIONS[m.manager];
  for (let i = 0; i < m.rest.length; i++) {
    const w = m.rest[i] as string;
    if (w.startsWith('-')) {
      if (valueOpts.has(w)) i++;
      continue;
    }
    return { manager: m.manager, verb: w, after: m.rest.slice(i + 1) };
  }
  return undefined;
}

export function packageInstallOf(program: string, args: readonly string[]): PackageInstall | undefined {
  const sub = subcommandOf(program, args);
  if (!sub || !INSTALL_VERBS[sub.manager].has(sub.verb)) return undefined;
  const valueOpts = VALUE_OPTIONS[sub.manager];
  const packages: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < sub.after.length; i++) {
    const w = sub.after[i] as string;
    if (w.startsWith('-')) {
      options.push(w);
      if (valueOpts.has(w)) i++;
      continue;
    }
    packages.push(w);
  }
  return { manager: sub.manager, packages, options };
}

/**
 * Whether a package word pins a version, as each tool spells it: apt
 * `pkg=1.2-3` (apt-get(8)), apk `pkg=1.2` / `pkg~1.2` / `pkg>1.2` (apk-world(5)),
 * pip `pkg==1.2` / `===` / a direct URL `pkg @ url` (PEP 440 / PEP 508),
 * npm `pkg@1.2.3` / `@scope/pkg@1.2.3` (npm-install(1)), yum/dnf `pkg-1.2`.
 * Local files, paths and URLs are not names and count as pinned.
 */
export function isPinned(manager: PackageManager, word: string): boolean {
  if (word.includes('/') && !(manager === 'npm' && /^@[^/]+\/[^/]+/.test(word))) return true;
  if (/\.(deb|rpm|apk|whl|tar\.gz|zip|tgz)$/.test(word) || word.startsWith('$') || word === '.') return true;
  switch (manager) {
    case 'apt':
      return word.includes('=');
    case 'apk':
      return /[=~<>]/.test(word);
    case 'pip':
      return /===?/.test(word) || word.includes('@');
    case 'npm': {
      const at = word.lastIndexOf('@');
      return at > 0 && at < word.length - 1 && !/@(latest|next)$/.test(word);
    }
    case 'yum':
    case 'dnf':
    case 'microdnf':
    case 'zypper':
      return /-\d/.test(word) || /[=<>]/.test(word);
  }
}
