/**
 * The vulnerability DB's read model: what matchers ask for and get back.
 * Storage (SQLite schema, feeds, build/update/import/export) is behind it.
 */

/**
 * Where an advisory applies, as OSV spells ecosystems (https://ossf.github.io/osv-schema/#affectedpackage-field),
 * with the distro release after a colon: "Debian:12", "Ubuntu:22.04", "Alpine:v3.19",
 * "Red Hat:9", "Rocky Linux:9", "AlmaLinux:9", "SUSE:…", "openSUSE:…", "Wolfi", "Chainguard",
 * and "npm", "PyPI", "Go", "Maven", "crates.io", "RubyGems", "Packagist", "NuGet".
 */
export type FeedEcosystem = string;

export type RangeEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

export interface AffectedRange {
  /** OSV range type: ECOSYSTEM (the ecosystem's own ordering), SEMVER, or GIT (ignored by matchers). */
  readonly type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  readonly events: readonly RangeEvent[];
}

/** Distro status of a (package, release) pair, from distro trackers (Debian, Ubuntu, Red Hat …). */
export const FIX_STATES = ['fixed', 'unfixed', 'will-not-fix', 'end-of-life', 'not-affected'] as const;
export type FixState = (typeof FIX_STATES)[number];

import type { Severity } from '../core/index.js';

export interface SeverityRating {
  /** Who rated it: "nvd", "debian", "ghsa", "redhat", "osv:<source>" … */
  readonly source: string;
  readonly severity: Severity;
  /** CVSS vector string, when the rating comes from CVSS. */
  readonly vector?: string;
  readonly score?: number;
  /** "2.0", "3.0", "3.1", "4.0" for CVSS; absent for vendor ratings. */
  readonly cvssVersion?: string;
}

/** One advisory's statement about one package in one ecosystem. */
export interface AffectedPackage {
  readonly ecosystem: FeedEcosystem;
  /** Package name as the ecosystem spells it; for distros the SOURCE package name. */
  readonly name: string;
  readonly ranges: readonly AffectedRange[];
  /** Explicitly listed affected versions (OSV `versions`). */
  readonly versions: readonly string[];
  /** Distro tracker status, when the feed gives one. */
  readonly state?: FixState;
  /** Severity specific to this package (OSV ecosystem_specific / database_specific, Debian urgency). */
  readonly severity?: readonly SeverityRating[];
}

export interface Advisory {
  /** The feed's ID: CVE-…, GHSA-…, DSA-…, DLA-…, ALSA-…, RHSA-…, GO-…, PYSEC-… */
  readonly id: string;
  readonly aliases: readonly string[];
  readonly summary?: string;
  readonly published?: string;
  readonly modified?: string;
  readonly withdrawn?: string;
  readonly references: readonly string[];
  readonly severity: readonly SeverityRating[];
  readonly affected: readonly AffectedPackage[];
  /** OSV `upstream`: IDs of the advisories this one is derived from (e.g. a DSA's CVEs). */
  readonly upstream?: readonly string[];
  /** The feed it came from ("osv:Debian", "debian-tracker", "alpine-secdb", "nvd" …). */
  readonly source: string;
}

/** Enrichment keyed by CVE: NVD CVSS, CISA KEV, FIRST EPSS. */
export interface CveEnrichment {
  readonly cve: string;
  readonly severity: readonly SeverityRating[];
  readonly kev?: { readonly dateAdded: string; readonly dueDate?: string; readonly ransomware?: boolean };
  readonly epss?: { readonly score: number; readonly percentile: number; readonly date: string };
  readonly published?: string;
}

export interface DbSourceInfo {
  readonly name: string;
  readonly url: string;
  /** When the feed's data was produced / fetched. */
  readonly timestamp: string;
  readonly records: number;
  readonly skipped: number;
  /** Skipped records counted by reason ("schema: /affected/0/ranges/0/type …"), when any were. */
  readonly skipReasons?: Readonly<Record<string, number>>;
}

export interface DbMetadata {
  readonly schemaVersion: number;
  readonly builtAt: string;
  readonly sources: readonly DbSourceInfo[];
  /** Advisories stored (withdrawn ones included) and CVEs with enrichment. */
  readonly advisories?: number;
  readonly cves?: number;
}

/** The read-only query API matchers use. Implementations must be fast: indexed by (ecosystem, name). */
export interface VulnDbReader {
  readonly metadata: DbMetadata;
  /** Every advisory statement about `name` in `ecosystem` (exact ecosystem string, e.g. "Debian:12"). */
  affecting(
    ecosystem: FeedEcosystem,
    name: string,
  ): readonly { readonly advisory: Advisory; readonly affected: AffectedPackage }[];
  /** Which ecosystems (with release) the DB has any advisory for: tells "no data for Debian 13" from "no vulns". */
  hasEcosystem(ecosystem: FeedEcosystem): boolean;
  enrichment(cve: string): CveEnrichment | undefined;
  /** Advisories whose ID or alias is `id` (CVE-…, GHSA-…): for "which images does today's CVE hit". */
  advisoriesById?(id: string): readonly Advisory[];
  close(): void;
}
