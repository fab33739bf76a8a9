/**
 * The feeds `customs db update` fetches, by name, with their public URLs.
 * Every URL can be replaced (a mirror) or disabled (empty string) through
 * Config.feedUrls (env CUSTOMS_FEED_<NAME>, `--feed NAME=URL`). A URL may be a
 * comma-separated list (Alpine's secdb has one file per release and repository).
 */
import { CustomsError } from '../core/index.js';
import type { FeedKind } from './load-feed.js';

export interface FeedSource {
  readonly name: string;
  readonly kind: FeedKind;
  /** One or more URLs, comma-separated; empty = disabled. */
  readonly url: string;
}

/** OSV's per-ecosystem exports: https://google.github.io/osv.dev/data/#data-dumps */
const OSV_BUCKET = 'https://osv-vulnerabilities.storage.googleapis.com';
const OSV_ECOSYSTEMS: readonly (readonly [string, string])[] = [
  ['osv-debian', 'Debian'],
  ['osv-ubuntu', 'Ubuntu'],
  ['osv-alpine', 'Alpine'],
  ['osv-redhat', 'Red Hat'],
  ['osv-rocky', 'Rocky Linux'],
  ['osv-almalinux', 'AlmaLinux'],
  ['osv-suse', 'SUSE'],
  ['osv-opensuse', 'openSUSE'],
  ['osv-wolfi', 'Wolfi'],
  ['osv-chainguard', 'Chainguard'],
  ['osv-npm', 'npm'],
  ['osv-pypi', 'PyPI'],
  ['osv-go', 'Go'],
  ['osv-maven', 'Maven'],
  ['osv-cratesio', 'crates.io'],
  ['osv-rubygems', 'RubyGems'],
  ['osv-packagist', 'Packagist'],
  ['osv-nuget', 'NuGet'],
];

const ALPINE_RELEASES = ['v3.18', 'v3.19', 'v3.20', 'v3.21'];

export const DEFAULT_FEEDS: readonly FeedSource[] = [
  ...OSV_ECOSYSTEMS.map(([name, eco]) => ({
    name,
    kind: 'osv' as const,
    url: `${OSV_BUCKET}/${encodeURIComponent(eco)}/all.zip`,
  })),
  { name: 'debian-tracker', kind: 'debian-tracker', url: 'https://security-tracker.debian.org/tracker/data/json' },
  {
    name: 'alpine-secdb',
    kind: 'alpine-secdb',
    url: ALPINE_RELEASES.flatMap((r) => [
      `https://secdb.alpinelinux.org/${r}/main.json`,
      `https://secdb.alpinelinux.org/${r}/community.json`,
    ]).join(','),
  },
  // NVD CVE API 2.0, read page by page (https://nvd.nist.gov/developers/vulnerabilities); NVD_API_KEY raises the rate limit.
  { name: 'nvd', kind: 'nvd', url: 'https://services.nvd.nist.gov/rest/json/cves/2.0' },
  {
    name: 'kev',
    kind: 'kev',
    url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  },
  { name: 'epss', kind: 'epss', url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz' },
];

/** The feeds to fetch: defaults with overrides applied; unknown names are a usage error. */
export function resolveFeeds(overrides: Readonly<Record<string, string>>): FeedSource[] {
  const known = new Set(DEFAULT_FEEDS.map((f) => f.name));
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) {
      throw new CustomsError('USAGE_BAD_FLAG', `unknown feed "${name}"; feeds are: ${[...known].join(', ')}`);
    }
  }
  return DEFAULT_FEEDS.map((f) => ({ ...f, url: overrides[f.name] ?? f.url })).filter((f) => f.url.trim() !== '');
}

/** Parse `--feed NAME=URL` flags. */
export function parseFeedFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0)
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        `--feed "${f}" is not NAME=URL (e.g. --feed osv-npm=https://mirror.example/npm/all.zip, or NAME= to disable)`,
      );
    out[f.slice(0, i).trim()] = f.slice(i + 1).trim();
  }
  return out;
}
