/**
 * Package-manager installs seen in a shell command: which manager, which
 * packages as written, and which of them name no version. Used for version
 * pinning, build tools and apt hygiene.
 *
 * What counts as pinned follows hadolint's rules for each manager (DL3008
 * apt-get, DL3013 pip, DL3016 npm, DL3018 apk, DL3028 gem, DL3033 yum,
 * DL3037 zypper, DL3041 dnf/microdnf, DL3062 go), including what they
 * deliberately let pass: requirement and constraint files, local paths and
 * archives, `npm install` / `npm ci` from a lock file. Where customs differs
 * it says so below and in docs/checks.md.
 */

export const PACKAGE_MANAGERS = ['apt', 'apk', 'pip', 'npm', 'yum', 'dnf', 'microdnf', 'zypper', 'gem', 'go'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** Managers that install operating-system packages (the ones build-tool and cache checks look at). */
export const OS_PACKAGE_MANAGERS: ReadonlySet<PackageManager> = new Set([
  'apt',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'zypper',
]);

export interface PackageInstall {
  readonly manager: PackageManager;
  /** The words naming packages (options and their values removed). */
  readonly packages: readonly string[];
  /** Every option word given (`--no-install-recommends`, `-y`). */
  readonly options: readonly string[];
  /** The package words that name no version under the manager's rule (empty when the whole command is pinned). */
  readonly unpinned: readonly string[];
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
  // pip install --help; `-b/--build` and `--python` are older and pipx spellings.
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
    '--root-user-action',
    '-b',
    '--build',
    '--python',
    '--report',
    '--config-settings',
    '-C',
    '--global-option',
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
  zypper: new Set(['-r', '--repo', '--from', '-t', '--type']),
  // gem install --help: the options with a required argument.
  gem: new Set([
    '-i',
    '--install-dir',
    '-n',
    '--bindir',
    '--build-root',
    '-P',
    '--trust-policy',
    '-s',
    '--source',
    '--platform',
    '--target-rbconfig',
    '-v',
    '--version',
  ]),
  // `go help build`: the build flags that take a value.
  go: new Set([
    '-C',
    '-p',
    '-o',
    '-tags',
    '-ldflags',
    '-gcflags',
    '-asmflags',
    '-gccgoflags',
    '-mod',
    '-modfile',
    '-overlay',
    '-pgo',
    '-buildmode',
    '-compiler',
    '-installsuffix',
    '-pkgdir',
    '-toolexec',
    '-exec',
    '-covermode',
    '-coverpkg',
  ]),
};

/**
 * gem options known to take no value. hadolint (DL3028) lets any other
 * option swallow the word after it; customs does the same for options it
 * does not know, so `gem install x:1 --some-flag value` is not misread.
 */
const GEM_FLAGS = new Set([
  '--no-document',
  '-N',
  '--no-ri',
  '--no-rdoc',
  '--user-install',
  '--no-user-install',
  '-E',
  '--env-shebang',
  '--no-env-shebang',
  '--conservative',
  '--minimal-deps',
  '-f',
  '--force',
  '--no-force',
  '-w',
  '--wrappers',
  '--no-wrappers',
  '--prerelease',
  '--pre',
  '--no-prerelease',
  '--ignore-dependencies',
  '--development',
  '--development-all',
  '--lock',
  '--no-lock',
  '--suggestions',
  '--no-suggestions',
  '-l',
  '--local',
  '-r',
  '--remote',
  '-b',
  '--both',
  '--clear-sources',
  '--default',
  '--explain',
  '-q',
  '--quiet',
  '-V',
  '--verbose',
  '--no-verbose',
  '--backtrace',
  '--debug',
  '--update-sources',
  '--norc',
  '--no-post-install-message',
  '--post-install-message',
  '--vendor',
  '--silent',
  '--format-executable',
  '--no-format-executable',
]);

const INSTALL_VERBS: Readonly<Record<PackageManager, ReadonlySet<string>>> = {
  apt: new Set(['install']),
  apk: new Set(['add']),
  pip: new Set(['install']),
  npm: new Set(['install', 'i', 'add', 'isntall', 'in']),
  yum: new Set(['install']),
  dnf: new Set(['install']),
  microdnf: new Set(['install']),
  zypper: new Set(['install', 'in']),
  gem: new Set(['install', 'i']),
  // DL3062: `go install`, `go get` (adds a module at a version) and `go run pkg@version`.
  go: new Set(['install', 'get', 'run']),
};

function managerOf(
  program: string,
  args: readonly string[],
): { manager: PackageManager; rest: readonly string[] } | undefined {
  if (program === 'apt-get' || program === 'apt' || program === 'aptitude') return { manager: 'apt', rest: args };
  if (program === 'apk') return { manager: 'apk', rest: args };
  // pip, pip3, pip3.12 and pipx (hadolint DL3013 matches every `pip*` but pipenv).
  if (/^pip(x|\d+(\.\d+)?)?$/.test(program)) return { manager: 'pip', rest: args };
  if (/^python(\d+(\.\d+)?)?$/.test(program) && args[0] === '-m' && /^pip\d*$/.test(args[1] ?? ''))
    return { manager: 'pip', rest: args.slice(2) };
  if (program === 'npm') return { manager: 'npm', rest: args };
  if (program === 'gem') return { manager: 'gem', rest: args };
  if (program === 'go') return { manager: 'go', rest: args };
  if (program === 'yum' || program === 'dnf' || program === 'microdnf' || program === 'zypper')
    return { manager: program, rest: args };
  return undefined;
}

/** An option word: `-x`, `--long`, `--long=value` (a lone `-` is stdin, `--` ends options). */
const isOption = (w: string): boolean => w.startsWith('-') && w !== '-' && w !== '--';

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
    if (isOption(w)) {
      if (valueOpts.has(w)) i++;
      continue;
    }
    return { manager: m.manager, verb: w, after: m.rest.slice(i + 1) };
  }
  return undefined;
}

/** Words after the verb split into packages and options, option values dropped. */
function splitWords(manager: PackageManager, after: readonly string[]): { packages: string[]; options: string[] } {
  const valueOpts = VALUE_OPTIONS[manager];
  const packages: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < after.length; i++) {
    const w = after[i] as string;
    if (w === '--') {
      // gem: what follows `--` goes to the extension's build; npm/pip: the rest are packages.
      if (manager === 'gem') break;
      packages.push(...after.slice(i + 1));
      break;
    }
    if (isOption(w)) {
      options.push(w);
      if (valueOpts.has(w)) i++;
      else if (manager === 'gem' && !w.includes('=') && !GEM_FLAGS.has(w)) i++;
      continue;
    }
    packages.push(w);
  }
  return { packages, options };
}

/** A word whose value comes from a variable: its value is not in the command, so it is not judged. */
const hasVariable = (w: string): boolean => w.includes('$');

/** rpm version-release parts (hadolint DL3033/DL3041): letters, digits, `.~^_:+`, one starting with a digit. */
function rpmVersionPinned(word: string): boolean {
  if (word.endsWith('.rpm')) return true;
  const parts = word.split('-');
  if (parts.length <= 1) return false;
  const rest = parts.slice(1);
  return rest.every((p) => /^[A-Za-z0-9.~^_:+]+$/.test(p)) && rest.some((p) => /^\d/.test(p));
}

const PIP_VCS = /^(git|hg|svn|bzr)(\+[a-z-]+)?:/i;
const NPM_GIT = /^git(\+(ssh|https?))?:\/\//;

/** Whether one package word names a version, as each tool spells it. */
function wordPinned(manager: PackageManager, word: string): boolean {
  switch (manager) {
    // apt-get(8): pkg=version; pkg/release selects a release; a .deb file carries its version.
    case 'apt':
      return word.includes('=') || word.includes('/') || word.endsWith('.deb');
    // apk-world(5): = ~ > < constraints; a .apk file carries its version.
    case 'apk':
      return /[=~<>]/.test(word) || word.endsWith('.apk');
    // PEP 440 specifiers, VCS URLs with @ref, local archives, paths and URLs (PEP 508 direct references).
    case 'pip':
      if (/(===|==|>=|<=|!=|~=|>|<)/.test(word)) return true;
      // A VCS URL is pinned by `@ref` after the repository path (pip "VCS support").
      if (PIP_VCS.test(word)) return /@[^/]+$/.test(word.split('#')[0] ?? '');
      return word.endsWith('.whl') || word.endsWith('.tar.gz') || word.includes('/');
    // npm-install(1): name@version|range|tag, git URLs with #ref, tarballs, folders.
    case 'npm': {
      if (NPM_GIT.test(word)) return word.includes('#');
      if (/\.(tar|tar\.gz|tgz)$/.test(word)) return true;
      if (/^(\/|\.\/|\.\.\/|~\/)/.test(word) || word === '.') return true;
      const name = word.startsWith('@') ? word.slice(word.indexOf('/') + 1) : word;
      const at = name.indexOf('@');
      // `@latest` and `@next` are moving dist-tags, not versions (customs is stricter than DL3016 here).
      return at > 0 && at < name.length - 1 && !/@(latest|next)$/.test(name);
    }
    case 'yum':
    case 'dnf':
    case 'microdnf':
      return rpmVersionPinned(word);
    // zypper: pkg=version, pkg>=version …, or an .rpm file.
    case 'zypper':
      return /[=<>]/.test(word) || word.endsWith('.rpm');
    // gem install name:version (DL3028); -v/--version is handled for the whole command.
    case 'gem':
      return word.includes(':');
    // `go install pkg@version`; @latest and @none are not versions; local packages and .go files are.
    case 'go':
      if (word === '.' || word.startsWith('/') || word.startsWith('.') || word.endsWith('.go')) return true;
      return /@./.test(word) && !/@(latest|none)$/.test(word);
  }
}

/** The module words of `yum|dnf module install NAME:STREAM`; a stream is the pin. */
function moduleInstall(manager: PackageManager, args: readonly string[]): string[] | undefined {
  if (manager !== 'yum' && manager !== 'dnf' && manager !== 'microdnf') return undefined;
  const words = args.filter((w) => !isOption(w));
  if (words[0] !== 'module' || words[1] !== 'install') return undefined;
  return words.slice(2);
}

export function packageInstallOf(program: string, args: readonly string[]): PackageInstall | undefined {
  const m = managerOf(program, args);
  if (m) {
    const modules = moduleInstall(m.manager, m.rest);
    if (modules) {
      const { packages, options } = splitWords(m.manager, modules);
      return {
        manager: m.manager,
        packages,
        options,
        unpinned: packages.filter((p) => !hasVariable(p) && !p.includes(':')),
      };
    }
  }
  const sub = subcommandOf(program, args);
  if (!sub || !INSTALL_VERBS[sub.manager].has(sub.verb)) return undefined;
  const { packages, options } = splitWords(sub.manager, sub.after);
  const named =
    sub.manager === 'go' && sub.verb === 'run'
      ? // go run PKG ARGS…: only the first word is a package, the rest are the program's arguments.
        packages.slice(0, 1)
      : packages;
  return { manager: sub.manager, packages: named, options, unpinned: unpinnedOf(sub.manager, named, options) };
}

function unpinnedOf(manager: PackageManager, packages: readonly string[], options: readonly string[]): string[] {
  // pip: a requirements or constraints file, or the local project, pins the whole command (DL3013).
  if (manager === 'pip') {
    const all = [...options, ...packages];
    if (all.some((o) => /^(-r|--requirement|-c|--constraint)(=|$)/.test(o) || /^-[rc]./.test(o))) return [];
    if (packages.includes('.')) return [];
  }
  // gem: -v/--version pins the gems of the command (DL3028).
  if (manager === 'gem' && options.some((o) => /^(-v|--version)(=|$)/.test(o) || /^-v./.test(o))) return [];
  return packages.filter((p) => !hasVariable(p) && !wordPinned(manager, p));
}
