import type { OsInfo, PackageFact } from '../core/index.js';

/** A package read back from an SBOM (ours or another tool's). */
export interface ImportedPackage extends PackageFact {
  /** bom-ref (CycloneDX) or SPDXID-derived id (SPDX); our own SBOMs keep the inventory's package id. */
  readonly id: string;
  readonly purl: string;
  /** Where the package was found, when the SBOM says (customs: / aquasecurity:trivy: properties). */
  readonly paths: readonly string[];
  /** diffID of the layer that introduced it, when the SBOM says. */
  readonly layer?: string;
}

/** Something in the SBOM that is not a package we can match (no purl, unknown purl type). */
export interface SkippedEntry {
  readonly ref: string;
  readonly reason: string;
}

/**
 * What `customs scan SBOM.json` needs from a CycloneDX or SPDX document:
 * the subject, its OS and its packages. An "Inventory-ish" view; image
 * layers and unknowns are not recoverable from an SBOM.
 */
export interface ImportedSbom {
  readonly format: 'cyclonedx' | 'spdx';
  /** "1.6", "SPDX-2.3" … as the document says. */
  readonly specVersion: string;
  /** The document's subject (CycloneDX metadata.component, SPDX described package). */
  readonly subject?: { readonly name: string; readonly version?: string; readonly purl?: string };
  /** ISO time the document was made, when it says. */
  readonly createdAt?: string;
  readonly os?: OsInfo;
  readonly packages: readonly ImportedPackage[];
  readonly skipped: readonly SkippedEntry[];
}
