/**
 * An image inventory (sbom Inventory, or anything shaped like it) as the
 * store's inventory rows: each package keyed by the vulnerability DB's
 * ecosystem key, so "which images have the packages this advisory names" is
 * one lookup in the package index. OS packages are keyed by their distro
 * release ("Debian:12"), language packages by their ecosystem ("PyPI").
 */
import { OS_ECOSYSTEMS, type Package } from '../core/index.js';
import { osDistroKey, purlTypeEcosystem } from '../vulndb/index.js';
import type { InventoryPackage, PackageFacts } from './types.js';

/** The fields of an Inventory the store reads. */
export interface InventoryLike {
  readonly os?: { readonly family: string; readonly version: string; readonly codename?: string | undefined };
  readonly packages: readonly {
    readonly ecosystem: string;
    readonly name: string;
    readonly version: string;
    readonly purl: string;
    readonly layer: string;
    readonly source?: { readonly name: string };
    /** A full inventory Package has an id: its facts are kept for rescans (docs/rescans.md). */
    readonly id?: string;
  }[];
}

/** The package without its layer and file list, when it is a full Package (it has an id). */
function factsOf(p: InventoryLike['packages'][number]): PackageFacts | undefined {
  if (typeof p.id !== 'string') return undefined;
  const { files: _files, layer: _layer, ...facts } = p as Package;
  return facts;
}

/** The namespace of a package: its distro release for OS packages, else its ecosystem's DB name. */
export function packageNamespace(ecosystem: string, os: InventoryLike['os']): string {
  if ((OS_ECOSYSTEMS as readonly string[]).includes(ecosystem)) {
    // The key the OS matchers use (osDistroKey), so the index finds what an advisory names;
    // an unknown distro still gets a release-scoped key, so releases never mix.
    return os ? (osDistroKey(os) ?? `${os.family}:${os.version}`) : ecosystem;
  }
  return purlTypeEcosystem(ecosystem) ?? ecosystem;
}

export function inventoryPackagesOf(inventory: InventoryLike): InventoryPackage[] {
  return inventory.packages.map((p) => {
    const facts = factsOf(p);
    return {
      ecosystem: p.ecosystem,
      namespace: packageNamespace(p.ecosystem, inventory.os),
      name: p.name,
      ...(p.source && p.source.name !== p.name ? { sourceName: p.source.name } : {}),
      version: p.version,
      purl: p.purl,
      layer: p.layer,
      ...(facts !== undefined ? { facts } : {}),
    };
  });
}
