import type { IocList } from './malware/ioc-list.js';

/**
 * Groups of analyzers a scan can run: packages (OS + language, the SBOM),
 * secrets, malware (heuristics, plus IOC hashes and ClamAV when configured),
 * license (Debian copyright files), files (setuid/setgid bits and package
 * caches, for the image checks).
 */
export const ANALYZER_GROUPS = ['packages', 'secrets', 'malware', 'license', 'files'] as const;
export type AnalyzerGroup = (typeof ANALYZER_GROUPS)[number];

/**
 * Which analyzers a scan runs, as plain data: the main thread and layer
 * worker threads build the same analyzer list from it (analyzer objects hold
 * functions and cannot cross threads).
 */
export interface AnalyzerPlan {
  readonly groups: readonly AnalyzerGroup[];
  /** User secret rules and allow-rules, as the YAML text of the config file (docs/secrets.md). */
  readonly secretConfig?: string;
  /** Known-bad SHA-256 hashes (malware group). */
  readonly iocs?: IocList;
  /** clamd to stream files to (malware group), and its signature DB version (part of the cache key). */
  readonly clamd?: { readonly addr: string; readonly dbVersion: string };
}

/**
 * Every analyzer's version, by name: bump one when its analyzer reports something else for
 * the same bytes. Layer results are cached under the names and versions of the analyzers that
 * made them (layerCacheKey). The analyzers take their version from here, so a warm scan can
 * key its layers without loading the analyzers themselves (analyzerIds).
 */
export const ANALYZER_VERSIONS = {
  'os-release': 1,
  'distro-release': 1,
  'dpkg-status': 1,
  'dpkg-files': 1,
  'apk-installed': 2,
  'rpm-db': 2,
  'npm-package-json': 1,
  'npm-lockfile': 1,
  'yarn-lock': 1,
  'pnpm-lock': 1,
  'python-dist-info': 1,
  'go-binary': 1,
  'java-archive': 1,
  'ruby-gemspec': 1,
  'gemfile-lock': 1,
  'rust-binary': 1,
  'cargo-lock': 1,
  'composer-installed': 1,
  'dotnet-deps': 1,
  /** With a user's config, the analyzer object's version is a hash of it and this. */
  secrets: 1,
  'malware-heuristics': 1,
  /** The analyzer object's version is a hash of this, the size cap and the IOC list. */
  'malware-ioc': 1,
  /** With a signature DB version, the analyzer object's version is a hash of this and it. */
  clamav: 1,
  'debian-copyright': 1,
  'image-files': 1,
} as const;

export type AnalyzerName = keyof typeof ANALYZER_VERSIONS;

/**
 * Analyzers of OS package databases (dpkg status and status.d, rpm databases,
 * apk installed): when one cannot read its file, the image's OS packages are
 * unknown, and the gate fails by default (docs/gate.md).
 */
export const PACKAGE_DATABASE_ANALYZERS: readonly string[] = [
  'dpkg-status',
  'rpm-db',
  'apk-installed',
] satisfies AnalyzerName[];

export interface AnalyzerId {
  readonly name: string;
  readonly version: number;
}

/** The analyzers of each group, in the order buildAnalyzers runs them (a test holds the two together). */
const GROUPS: Readonly<Record<AnalyzerGroup, readonly AnalyzerName[]>> = {
  packages: [
    'os-release',
    'distro-release',
    'dpkg-status',
    'dpkg-files',
    'apk-installed',
    'rpm-db',
    'npm-package-json',
    'npm-lockfile',
    'yarn-lock',
    'pnpm-lock',
    'python-dist-info',
    'go-binary',
    'java-archive',
    'ruby-gemspec',
    'gemfile-lock',
    'rust-binary',
    'cargo-lock',
    'composer-installed',
    'dotnet-deps',
  ],
  secrets: ['secrets'],
  malware: ['malware-heuristics'],
  license: ['debian-copyright'],
  files: ['image-files'],
};

/**
 * The names and versions of the analyzers `plan` runs, as buildAnalyzers(plan) would list
 * them, without loading them. The analyzers whose object versions hash the plan's secret
 * config, IOC list or clamd signature version have their base version here: the layer key
 * holds those inputs themselves (layerCacheKey).
 */
export function analyzerIds(plan: AnalyzerPlan): AnalyzerId[] {
  const names: AnalyzerName[] = [];
  for (const group of new Set(plan.groups)) {
    names.push(...GROUPS[group]);
    if (group === 'malware') {
      if (plan.iocs && plan.iocs.entries.length > 0) names.push('malware-ioc');
      if (plan.clamd) names.push('clamav');
    }
  }
  return names.map((name) => ({ name, version: ANALYZER_VERSIONS[name] }));
}
