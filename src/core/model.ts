/**
 * The one package model. Ecosystems are purl types; nothing else names them.
 * Analyzers produce these; sbom/ aggregates them into an Inventory.
 */

export const ECOSYSTEMS = [
  'deb',
  'rpm',
  'apk',
  'npm',
  'pypi',
  'maven',
  'golang',
  'gem',
  'cargo',
  'composer',
  'nuget',
] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export const OS_ECOSYSTEMS: readonly Ecosystem[] = ['deb', 'rpm', 'apk'];

/** The operating system of an image, from os-release and the distro files. */
export interface OsInfo {
  /** os-release ID, lower case: debian, ubuntu, alpine, rhel, centos, rocky, almalinux, fedora, amzn, sles, opensuse-leap, wolfi, chainguard … */
  readonly family: string;
  /** VERSION_ID or the distro file's release, e.g. "12", "3.19.1", "9.3". */
  readonly version: string;
  /** Human name (PRETTY_NAME). */
  readonly name: string;
  /** VERSION_CODENAME where known (bookworm, jammy). */
  readonly codename?: string;
  /** True for distroless images (Debian packages in var/lib/dpkg/status.d, no shell). */
  readonly distroless?: boolean;
  /** True when the release is past its end of life, where the analyzer knows it. */
  readonly eol?: boolean;
}

/** A package as an analyzer reports it, before layer attribution. */
export interface PackageFact {
  readonly ecosystem: Ecosystem;
  /** Name as the ecosystem spells it. Maven: `group:artifact`; npm: `@scope/name`; Go: module path. */
  readonly name: string;
  readonly version: string;
  /** Debian arch / rpm arch / apk arch when the DB says. */
  readonly arch?: string;
  /** OS packages: the source package (dpkg Source:, rpm SOURCERPM name, apk origin). */
  readonly source?: { readonly name: string; readonly version: string };
  /** RPM epoch (kept apart from version so purl and matching are exact). */
  readonly epoch?: number;
  /** Licence as declared, not normalised. */
  readonly license?: string;
  /** Files the package manager says this package installed (no leading slash). Only OS packages. */
  readonly files?: readonly string[];
  /** Extra purl qualifiers (distro, type=jar …). */
  readonly qualifiers?: Readonly<Record<string, string>>;
  /** Maven only: the artifactId/groupId split; Go: whether this is the main module; kept free-form. */
  readonly meta?: Readonly<Record<string, string>>;
}

/** A package in the image's inventory. */
export interface Package extends PackageFact {
  /** Stable content ID (hash of ecosystem, name, version, arch, first path). */
  readonly id: string;
  readonly purl: string;
  /** Files the package was found in (the DB, manifest or binary), no leading slash. */
  readonly paths: readonly string[];
  /** diffID of the layer that introduced this package. */
  readonly layer: string;
}

/** Something an analyzer could not read. Failures are data (docs/architecture.md "Conventions"). */
export interface Unknown {
  readonly path: string;
  readonly layer: string;
  readonly analyzer: string;
  readonly code: string;
  readonly message: string;
}
