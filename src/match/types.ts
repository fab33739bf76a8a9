import type { Ecosystem, OsInfo, Package, Severity } from '../core/index.js';
import type { Advisory, AffectedPackage, DbMetadata, FixState, SeverityRating, VulnDbReader } from '../vulndb/index.js';
import type { VersionScheme } from '../version/index.js';

/** One vulnerability in one package: advisories about the same flaw (CVE, GHSA, DSA aliases) merged. */
export interface VulnFinding {
  /** The primary ID: the CVE when there is one, else the advisory ID. */
  readonly id: string;
  /** Every other ID for the same flaw, sorted, deduplicated. */
  readonly aliases: readonly string[];
  readonly packageId: string;
  readonly package: {
    readonly ecosystem: string;
    readonly name: string;
    readonly version: string;
    readonly purl: string;
  };
  readonly installedVersion: string;
  /** Versions that fix it (empty when none is known). */
  readonly fixedVersions: readonly string[];
  readonly state: FixState;
  /** The severity used for sorting and policy, and who said so. */
  readonly severity: Severity;
  readonly severitySource: string;
  readonly ratings: readonly SeverityRating[];
  readonly cvss?: { readonly vector: string; readonly score: number; readonly version: string };
  readonly epss?: { readonly score: number; readonly percentile: number };
  readonly kev: boolean;
  readonly title?: string;
  readonly published?: string;
  /** diffID of the layer that introduced the package. */
  readonly layer: string;
  readonly paths: readonly string[];
  readonly url: string;
  /** How it was found, so a user can argue with it. */
  readonly match: {
    readonly matcher: string;
    /** e.g. "source package openssl in Debian:12" */
    readonly searchedBy: string;
    readonly advisory: string;
    /** The range or version list that matched, e.g. ">= 0, < 3.0.13-1~deb12u1". */
    readonly constraint: string;
    /** The version compared with the advisory when it is not the installed one (a Debian source version, an RPM EVR). */
    readonly comparedVersion?: string;
  };
}

export interface MatchNote {
  /** e.g. "no advisories for Debian 13 in this DB (built 2026-11-20); run customs db update" */
  readonly message: string;
  readonly ecosystem?: string;
}

export interface MatchResult {
  readonly findings: readonly VulnFinding[];
  readonly notes: readonly MatchNote[];
}

/** What a matcher is given besides the package: the DB and what the inventory says about the OS. */
export interface MatchEnv {
  readonly db: VulnDbReader;
  readonly os: OsInfo | undefined;
  /** The DB key of the image's distro release ("Debian:12"), when known. */
  readonly distroKey: string | undefined;
  /** Record a note (deduplicated by the caller). */
  note(note: MatchNote): void;
}

/** One advisory statement that matched one package, before advisories about the same flaw are merged. */
export interface Candidate {
  readonly advisory: Advisory;
  readonly affected: AffectedPackage;
  readonly constraint: string;
  readonly fixedVersions: readonly string[];
  /** The statement's own distro status, when the feed gives one. */
  readonly state?: FixState;
}

/** What one matcher found for one package. */
export interface PackageMatch {
  readonly matcher: string;
  readonly searchedBy: string;
  /** The version compared, when different from the installed one. */
  readonly comparedVersion?: string;
  /** The scheme that orders this package's versions (sorts fixed versions). */
  readonly scheme: VersionScheme;
  /** Distro packages rate severity by the distro first; language packages by GHSA / the ecosystem. */
  readonly kind: 'os' | 'language';
  readonly candidates: readonly Candidate[];
  /** IDs a distro says do not affect this package in this release: they suppress the whole flaw. */
  readonly notAffected: readonly string[];
}

/**
 * A matcher per kind of package, a plain object listed in MATCHERS (matchers.ts),
 * like analyzers: `handles` is a pure test, `match` asks the DB.
 */
export interface Matcher {
  readonly name: string;
  readonly ecosystems: readonly Ecosystem[];
  match(pkg: Package, env: MatchEnv): PackageMatch | undefined;
}

export interface MatchOptions {
  /** The DB metadata named in notes; defaults to db.metadata. */
  readonly metadata?: DbMetadata;
  /**
   * The DB key of the distro release when the caller already knows it and has
   * no OsInfo: a rescan re-matching stored packages by their package-index
   * namespace (docs/rescans.md). Default: distroKey(inv.os).
   */
  readonly distroKey?: string;
}

export type { Package };
