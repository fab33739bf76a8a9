import type { Package } from '../core/index.js';
import type { FixState, Severity, SeverityRating } from '../vulndb/index.js';

/** One vulnerability in one package: advisories about the same flaw (CVE, GHSA, DSA aliases) merged. */
export interface VulnFinding {
  /** The primary ID: the CVE when there is one, else the advisory ID. */
  readonly id: string;
  /** Every other ID for the same flaw, sorted, deduplicated. */
  readonly aliases: readonly string[];
  readonly packageId: string;
  readonly package: { readonly ecosystem: string; readonly name: string; readonly version: string; readonly purl: string };
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

export type { Package };
